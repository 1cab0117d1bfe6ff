import { describe, expect, it } from "vitest";
import { ApiError } from "../../durable/api/status";
import {
  decodePathSegment,
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
    expect(() => parseLabelSelector("app=we b")).toThrow(/found 'b', expected: ',' or 'end of string'/);
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

  it.each([
    ["metadata.name===", "invalid field selector: unescaped character in value: 61"],
    ["metadata.name=a,b", "invalid selector: 'metadata.name=a,b'; can't understand 'b'"],
    ["metadata.name=a=b", "invalid field selector: unescaped character in value: 61"],
    ["metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["metadata.name=a\\", "invalid field selector: invalid escape sequence: \\"],
    [" ", "invalid selector: ' '; can't understand ' '"],
  ])("refuses %j with a 400: %s", (sel, message) => {
    expect(() => parseFieldSelector(sel)).toThrow(expect.objectContaining({ code: 400, reason: "BadRequest", message }));
  });

  it("splits a term at its leftmost operator and keeps spaces, as fields.ParseSelector does", () => {
    expect(parseFieldSelector("metadata.name=!x")).toEqual([{ field: "metadata.name", op: "=", value: "!x" }]);
    expect(parseFieldSelector("metadata.name==\\=x")).toEqual([{ field: "metadata.name", op: "=", value: "=x" }]);
    expect(parseFieldSelector("metadata.name = x")).toEqual([{ field: "metadata.name ", op: "=", value: " x" }]);
    expect(parseFieldSelector("a=1,,b=2")).toHaveLength(2);
  });
});

describe("label selector errors (labels.Parse)", () => {
  it.each([
    ["a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a in (b", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["a in (b))", "found ')', expected: ',' or 'end of string'"],
    ["!!", "unable to parse requirement: found '!', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["a,", "found '', expected: identifier after ','"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=b c", "found 'c', expected: ',' or 'end of string'"],
    ["a=(", "unable to parse requirement: found '(', expected: identifier"],
    ["a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
    [
      "a>99999999999999999999",
      "unable to parse requirement: values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    [
      "app:x",
      "unable to parse requirement: <nil>: Invalid value: \"app:x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      "a=" + "v".repeat(64),
      `unable to parse requirement: values[0][a]: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`,
    ],
  ])("refuses %j with a 400: %s", (sel, message) => {
    expect(() => parseLabelSelector(sel)).toThrow(expect.objectContaining({ code: 400, reason: "BadRequest", message }));
  });

  it("reads in and notin as values, empty values and empty sets", () => {
    expect(parseLabelSelector("x in (in,notin)")).toEqual([{ key: "x", op: "in", values: ["in", "notin"] }]);
    expect(parseLabelSelector("x in (foo,,baz),y,z notin ()")).toEqual([
      { key: "x", op: "in", values: ["", "baz", "foo"] },
      { key: "y", op: "exists", values: [] },
      { key: "z", op: "notin", values: [""] },
    ]);
    expect(parseLabelSelector("a=,b!=")).toEqual([
      { key: "a", op: "=", values: [""] },
      { key: "b", op: "!=", values: [""] },
    ]);
    expect(parseLabelSelector("  ")).toEqual([]);
  });

  it("answers every malformed selector with a 400, however long or odd", () => {
    const alphabet = ["a", "b", "=", "!", "(", ")", ",", " ", "in", "notin", ">", "<", "1", "-", "/", ".", "\t", "é"];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const inputs = [
      " ".repeat(100_000),
      "a".repeat(100_000),
      "a in (" + "b,".repeat(50_000),
      "!".repeat(10_000),
      "(".repeat(10_000),
      "a=b,".repeat(20_000),
    ];
    for (let i = 0; i < 2000; i++) inputs.push(Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)]).join(""));
    for (const input of inputs) {
      for (const parse of [parseLabelSelector, parseFieldSelector]) {
        try {
          parse(input);
        } catch (e) {
          expect(e, JSON.stringify(input.slice(0, 40))).toBeInstanceOf(ApiError);
          expect((e as ApiError).code).toBe(400);
        }
      }
    }
  });
});

describe("path segments", () => {
  it("decodes escapes and refuses malformed or non-UTF-8 ones with a 400", () => {
    expect(decodePathSegment("a%20b")).toBe("a b");
    expect(decodePathSegment("%C3%A9")).toBe("é");
    expect(() => decodePathSegment("%zz")).toThrow(
      expect.objectContaining({ code: 400, reason: "BadRequest", message: 'invalid URL escape "%zz"' }),
    );
    expect(() => decodePathSegment("ab%2")).toThrow(expect.objectContaining({ code: 400, message: 'invalid URL escape "%2"' }));
    expect(() => decodePathSegment("x%41%ff")).toThrow(
      expect.objectContaining({ code: 400, message: 'invalid URL escape "%41%ff": not UTF-8' }),
    );
  });
});
