import { describe, expect, it } from "vitest";
import { GLOBAL_FLAGS, parse, UsageError } from "../../durable/workstation/kubectl/args";
import { findResource, statusMessage } from "../../durable/workstation/kubectl/client";
import { threeWay } from "../../durable/workstation/kubectl/apply";
import { mergeDiff } from "../../durable/workstation/kubectl/edit-verb";

const flags = [
  ...GLOBAL_FLAGS,
  { name: "stdin", short: "i", kind: "bool" as const },
  { name: "tty", short: "t", kind: "bool" as const },
  { name: "output", short: "o", kind: "string" as const },
];

describe("kubectl's command line, as pflag reads it", () => {
  it("takes flags anywhere, bundled shorthands, --flag=value and a command after --", () => {
    const p = parse(["bb", "-it", "-n", "lab", "--output=yaml", "--", "sh", "-c", "echo -n"], flags);
    expect(p.args).toEqual(["bb"]);
    expect(p.dash).toEqual(["sh", "-c", "echo -n"]);
    expect([p.flags.get("stdin"), p.flags.get("tty"), p.flags.get("namespace"), p.flags.get("output")]).toEqual([
      true,
      true,
      "lab",
      "yaml",
    ]);
    expect(parse(["-nkube-system", "-oname"], flags).flags.get("namespace")).toBe("kube-system");
  });

  it("refuses what it does not know in pflag's words", () => {
    expect(() => parse(["--bogus"], flags)).toThrow(new UsageError("unknown flag: --bogus"));
    expect(() => parse(["-z"], flags)).toThrow(new UsageError("unknown shorthand flag: 'z' in -z"));
    expect(() => parse(["-n"], flags)).toThrow(new UsageError("flag needs an argument: 'n' in -n"));
    expect(() => parse(["--v=x"], flags)).toThrow(/invalid argument "x" for "--v" flag: strconv.ParseInt/);
  });
});

describe("resource names, as kubectl's RESTMapper finds them", () => {
  it("knows plurals, singulars, kinds, short names and group suffixes", () => {
    for (const typed of ["po", "pod", "pods", "Pod"]) expect(findResource(typed).kindName).toBe("pod");
    expect(findResource("deploy").path("lab", "web")).toBe("/apis/apps/v1/namespaces/lab/deployments/web");
    expect(findResource("deployments.v1.apps").kindName).toBe("deployment.apps");
    expect(findResource("no").path(undefined)).toBe("/api/v1/nodes");
    expect(findResource("events").def.group).toBe("");
    expect(() => findResource("frobs")).toThrow(/the server doesn't have a resource type "frobs"/);
  });

  it("words the server's Status as kubectl does, Invalid with its causes", () => {
    const invalid = (causes: object[]) =>
      statusMessage({
        status: 422,
        contentType: "application/json",
        text: JSON.stringify({ reason: "Invalid", message: "x", details: { kind: "Deployment", name: "web", causes } }),
      });
    expect(invalid([{ field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }])).toBe(
      'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(
      invalid([
        { field: "a", message: "x" },
        { field: "b", message: "y" },
      ]),
    ).toBe('The Deployment "web" is invalid: \n* a: x\n* b: y');
    expect(
      statusMessage({ status: 404, contentType: "application/json", text: '{"reason":"NotFound","message":"pods \\"x\\" not found"}' }),
    ).toBe('Error from server (NotFound): pods "x" not found');
  });
});

describe("the patches kubectl computes", () => {
  it("apply: sets what changed, nulls what the last applied configuration had and the new one drops, leaves the server's defaults", () => {
    const original = { metadata: { labels: { a: "1", b: "2" } }, spec: { replicas: 1 } };
    const modified = { metadata: { labels: { a: "1" } }, spec: { replicas: 3 } };
    const current = { metadata: { labels: { a: "1", b: "2" }, uid: "u" }, spec: { replicas: 1, strategy: { type: "RollingUpdate" } } };
    expect(threeWay(original, modified, current)).toEqual({ metadata: { labels: { b: null } }, spec: { replicas: 3 } });
    expect(threeWay(modified, modified, { ...current, metadata: { labels: { a: "1" } }, spec: { replicas: 3, ports: [] } })).toEqual({});
  });

  it("edit: a merge patch from the object to the edited one", () => {
    expect(
      mergeDiff({ spec: { replicas: 1, paused: true }, metadata: { name: "w" } }, { spec: { replicas: 2 }, metadata: { name: "w" } }),
    ).toEqual({
      spec: { replicas: 2, paused: null },
    });
  });
});
