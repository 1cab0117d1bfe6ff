import { describe, expect, it } from "vitest";
import {
  formatLabelSelector,
  matches,
  parseFieldSelector,
  parseLabelSelector,
  selects,
} from "../../durable/api/selectors";

const labels = { app: "web", tier: "frontend", version: "3" };

describe("label selectors", () => {
  it.each([
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app=api", false],
    ["tier in (frontend, backend)", true],
    ["tier notin (frontend)", false],
    ["app", true],
    ["!app", false],
    ["!missing", true],
    ["missing!=x", true],
    ["app=web,tier=frontend", true],
    ["app=web,tier=backend", false],
    ["version>2", true],
    ["version<2", false],
    ["", true],
  ])("%s → %s", (sel, want) => {
    expect(matches(parseLabelSelector(sel), labels)).toBe(want);
  });

  it("rejects malformed selectors with a 400", () => {
    expect(() => parseLabelSelector("app in web")).toThrow(/unable to parse requirement/);
    expect(() => parseLabelSelector("app=we b")).toThrow(/unable to parse requirement/);
    expect(() => parseLabelSelector("a=Bad Value!")).toThrow();
  });

  it("evaluates metav1.LabelSelector objects", () => {
    expect(selects({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] }, labels)).toBe(false);
    expect(selects({}, labels)).toBe(true);
    expect(selects(null, labels)).toBe(false);
  });

  it("formats selectors as kubectl -o wide prints them", () => {
    expect(formatLabelSelector({ matchLabels: { b: "2", a: "1" } })).toBe("a=1,b=2");
    expect(formatLabelSelector({ matchExpressions: [{ key: "x", operator: "NotIn", values: ["b", "a"] }] })).toBe("x notin (a,b)");
  });
});

describe("field selectors", () => {
  it("parses =, == and != terms with escapes", () => {
    expect(parseFieldSelector("metadata.name=a,status.phase!=Running")).toEqual([
      { field: "metadata.name", op: "=", value: "a" },
      { field: "status.phase", op: "!=", value: "Running" },
    ]);
    expect(parseFieldSelector("spec.nodeName==node01")[0].value).toBe("node01");
    expect(parseFieldSelector("a=x\\,y")[0].value).toBe("x,y");
    expect(() => parseFieldSelector("nonsense")).toThrow(/invalid selector/);
  });
});
