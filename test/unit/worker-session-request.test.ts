import { describe, expect, it } from "vitest";
import { limits, type Env } from "../../worker/env";
import { kubeconfig } from "../../worker/kubeconfig";
import { parseSessionRequest, type ParseResult } from "../../worker/session-request";
import { parse } from "yaml";

const lim = limits({ SESSION_LIFETIME: "4h", MAX_SESSION_LIFETIME: "4h", MAX_NODES: "10" } as Env);
const yaml = (body: string) => parseSessionRequest(body, "application/yaml", lim);
const json = (body: unknown) => parseSessionRequest(JSON.stringify(body), "application/json", lim);
const CP = { role: "control-plane" };
const W = { role: "worker" };

function fieldsOf(r: ParseResult) {
  if (r.ok || r.code !== 422) throw new Error(`expected 422, got ${JSON.stringify(r)}`);
  return r.causes.map((c) => c.field);
}

describe("session request", () => {
  it("defaults to one control-plane and two workers, 4h, realistic clock", () => {
    for (const r of [parseSessionRequest("", null, lim), json({}), parseSessionRequest("  \n", "application/yaml", lim)]) {
      expect(r).toEqual({ ok: true, value: { lifetimeMs: 4 * 3600_000, lifetimeAsked: false, nodes: [CP, W, W], clock: "realistic" } });
    }
  });

  it("reads JSON options", () => {
    expect(json({ lifetime: "90m", nodes: [CP, W], clock: "instant" })).toEqual({
      ok: true,
      value: { lifetimeMs: 90 * 60_000, lifetimeAsked: true, nodes: [CP, W], clock: "instant" },
    });
  });

  it("reads a kind Cluster config, defaulting a missing role to control-plane like kind", () => {
    const r = yaml(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: demo
networking:
  podSubnet: 10.244.0.0/16
nodes:
- role: control-plane
- extraPortMappings: []
- role: worker
- role: worker
`);
    expect(r).toEqual({ ok: true, value: { lifetimeMs: 4 * 3600_000, lifetimeAsked: false, nodes: [CP, CP, W, W], clock: "realistic" } });
  });

  it("takes lifetime and clock from query overrides for a kind config", () => {
    const r = parseSessionRequest("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n", "text/yaml", lim, {
      lifetime: "30m",
      clock: "instant",
    });
    expect(r).toMatchObject({ ok: true, value: { lifetimeMs: 30 * 60_000, clock: "instant" } });
  });

  it("answers 400 for malformed YAML/JSON, a foreign kind, non-objects and unknown JSON fields", () => {
    expect(yaml("kind: Cluster\n  nodes: [")).toMatchObject({ ok: false, code: 400, message: expect.stringContaining("invalid YAML") });
    expect(parseSessionRequest("{", "application/json", lim)).toMatchObject({
      ok: false,
      code: 400,
      message: expect.stringContaining("invalid JSON"),
    });
    expect(yaml("kind: Pod\napiVersion: v1\n")).toMatchObject({ ok: false, code: 400 });
    expect(yaml("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n")).toMatchObject({ ok: false, code: 400 });
    expect(yaml("- a\n- b\n")).toMatchObject({ ok: false, code: 400 });
    expect(json({ lifetime: "1h", size: 3 })).toMatchObject({ ok: false, code: 400, message: expect.stringContaining('"size"') });
  });

  it("answers 422 with causes for unknown roles, order, too many nodes, bad or too long lifetimes", () => {
    const bad = json({ nodes: [CP, { role: "master" }] });
    expect(fieldsOf(bad)).toEqual(["nodes[1].role"]);
    expect(bad).toMatchObject({
      message: expect.stringContaining('Unsupported value: "master": supported values: "control-plane", "worker"'),
    });
    expect(fieldsOf(json({ nodes: [W, CP] }))).toEqual(["nodes[0].role"]);
    expect(fieldsOf(json({ nodes: [CP, W, CP] }))).toEqual(["nodes[2].role"]);
    expect(fieldsOf(json({ nodes: [{}] }))).toEqual(["nodes[0].role"]);
    const many = json({ nodes: [CP, ...Array(10).fill(W)] });
    expect(fieldsOf(many)).toEqual(["nodes"]);
    expect(many).toMatchObject({ message: expect.stringContaining("Too many: 11: must have at most 10 items") });
    expect(fieldsOf(json({ lifetime: "5h" }))).toEqual(["lifetime"]);
    expect(fieldsOf(json({ lifetime: "soon" }))).toEqual(["lifetime"]);
    expect(fieldsOf(json({ lifetime: 90 }))).toEqual(["lifetime"]);
    expect(fieldsOf(json({ clock: "fast" }))).toEqual(["clock"]);
    expect(fieldsOf(json({ lifetime: "9h", nodes: [W] }))).toEqual(["nodes[0].role", "lifetime"]);
  });

  it("accepts exactly the maximum lifetime and node count", () => {
    expect(json({ lifetime: "4h", nodes: [CP, ...Array(9).fill(W)] })).toMatchObject({ ok: true });
  });
});

describe("kubeconfig", () => {
  it("names everything kubeplay-<id> and skips TLS verification only for local origins", () => {
    const local = parse(kubeconfig("https://127.0.0.1:8787", "abc", "kp1.abc.1.sig"));
    expect(local).toEqual({
      apiVersion: "v1",
      kind: "Config",
      preferences: {},
      clusters: [{ name: "kubeplay-abc", cluster: { server: "https://127.0.0.1:8787/clusters/abc", "insecure-skip-tls-verify": true } }],
      users: [{ name: "kubeplay-abc", user: { token: "kp1.abc.1.sig" } }],
      contexts: [{ name: "kubeplay-abc", context: { cluster: "kubeplay-abc", user: "kubeplay-abc", namespace: "default" } }],
      "current-context": "kubeplay-abc",
    });
    const remote = parse(kubeconfig("https://play.example.com", "abc", "t"));
    expect(remote.clusters[0].cluster).toEqual({ server: "https://play.example.com/clusters/abc" });
  });
});
