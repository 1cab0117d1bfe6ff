// Hostile bodies through the API server's real request path: bounded decoding (depth, YAML
// aliases, body size), bounded patching (JSON patch operations and copies, patched size) and the
// pruning of unknown fields, each answered with the real server's Status and nothing stored.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { ApiServer } from "../../durable/api/server";
import { WatchHub } from "../../durable/api/watch";
import { byPlural, resources } from "../../durable/resources";
import { DEFINITIONS, unknownFields } from "../../durable/openapi/unknown-fields";
import type { Obj } from "../../durable/resources/types";

import { applyMigrations } from "./d1";
import { MAX_DEPTH, MAX_REQUEST_BYTES } from "../../durable/api/limits";

interface Answer {
  status: number;
  body: any;
  warnings: string[];
}

interface Api {
  call(method: string, path: string, body?: string | Uint8Array, contentType?: string): Promise<Answer>;
}

function withApi<T>(fn: (api: Api) => Promise<T>): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, async (_i, state) => {
    const store = new Store(state.storage.sql);
    const registry = new Registry({ store, now: () => Date.parse("2025-05-01T12:00:00Z"), maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const server = new ApiServer(registry, new WatchHub(store, () => registry.ctx()), (f) => store.transaction(state.storage, f));
    const api: Api = {
      async call(method, path, body, contentType = "application/json") {
        const request = new Request(`https://k8s.test${path}`, {
          method,
          body,
          headers: body === undefined ? {} : { "content-type": contentType },
        });
        const res = await server.handle(request, path.split("?")[0], "");
        const text = await res.text();
        const warnings = (res.headers.get("warning") ?? "")
          .split(/, (?=299 )/)
          .filter(Boolean)
          .map((w) => JSON.parse(w.slice("299 - ".length)));
        return { status: res.status, body: text ? JSON.parse(text) : undefined, warnings };
      },
    };
    return fn(api);
  });
}

const CM = "/api/v1/namespaces/default/configmaps";
const configMap = (extra: object = {}) =>
  JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "b" }, ...extra });

/** `{"x":{"x":…}}` nested `depth` objects deep (the outermost counts as 1). */
function nestedJson(depth: number, leaf = "1"): string {
  return '{"x":'.repeat(depth) + leaf + "}".repeat(depth);
}

function nestedValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { x: v };
  return v;
}

/** The stored ConfigMap without the fields every write changes. */
async function stored(api: Api): Promise<unknown> {
  const { body } = await api.call("GET", `${CM}/cm`);
  const { resourceVersion, managedFields, ...meta } = body.metadata;
  return { ...body, metadata: meta, rv: resourceVersion };
}

function status(a: Answer): { code: number; reason: string; message: string } {
  return { code: a.body.code, reason: a.body.reason, message: a.body.message };
}

describe("nesting depth", () => {
  it("refuses a JSON create body nested past 10000 with encoding/json's error", async () => {
    await withApi(async (api) => {
      const body = configMap({ junk: "@" }).replace('"@"', nestedJson(MAX_DEPTH));
      const res = await api.call("POST", CM, body);
      expect(res.status).toBe(400);
      expect(status(res)).toEqual({
        code: 400,
        reason: "BadRequest",
        message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '{' exceeded max depth (${body.slice(0, 30)} ...)`,
      });
      expect((await api.call("GET", `${CM}/cm`)).status).toBe(404);
    });
  });

  it("creates an object whose body is exactly 10000 deep", async () => {
    await withApi(async (api) => {
      const body = configMap({ junk: "@" }).replace('"@"', nestedJson(MAX_DEPTH - 1));
      const res = await api.call("POST", CM, body);
      expect(res.status).toBe(201);
      expect(res.warnings).toEqual(['unknown field "junk"']);
      expect(res.body.junk).toBeUndefined();
    });
  });

  it("refuses a YAML create body nested past 10000 with go-yaml's error", async () => {
    await withApi(async (api) => {
      const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\njunk: ${"[".repeat(MAX_DEPTH + 1)}${"]".repeat(MAX_DEPTH + 1)}\n`;
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(status(res)).toEqual({
        code: 400,
        reason: "BadRequest",
        message: `the object provided is unrecognized (must be of type ConfigMap): yaml: line 4: exceeded max depth of 10000 (61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 ...)`,
      });
      expect((await api.call("GET", `${CM}/cm`)).status).toBe(404);
    });
  });

  it("answers YAML nested deeper than the yaml package composes with 400, not 500", async () => {
    await withApi(async (api) => {
      const d = 5000;
      const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\njunk: ${"[".repeat(d)}${"]".repeat(d)}\n`;
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(res.status).toBe(400);
      expect(res.body.reason).toBe("BadRequest");
    });
  });

  it("creates from YAML nested a hundred deep", async () => {
    await withApi(async (api) => {
      const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\njunk: ${"[".repeat(100)}${"]".repeat(100)}\n`;
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(res.status).toBe(201);
      expect(res.warnings).toEqual(['unknown field "junk"']);
    });
  });

  // [type, patch carrying a value, how many levels the patch adds above the value]
  for (const [type, patch, above] of [
    ["application/json-patch+json", (v: string) => `[{"op":"add","path":"/junk","value":${v}}]`, 2],
    ["application/merge-patch+json", (v: string) => `{"junk":${v}}`, 1],
    ["application/strategic-merge-patch+json", (v: string) => `{"junk":${v}}`, 1],
  ] as const) {
    it(`refuses a ${type} body nested past 10000, and applies one exactly 10000 deep`, async () => {
      await withApi(async (api) => {
        expect((await api.call("POST", CM, configMap())).status).toBe(201);
        const before = await stored(api);
        const res = await api.call("PATCH", `${CM}/cm`, patch(nestedJson(MAX_DEPTH + 1 - above)), type);
        const go = "invalid character '{' exceeded max depth";
        expect(status(res)).toEqual({
          code: 400,
          reason: "BadRequest",
          message: type.startsWith("application/strategic") ? go : `error decoding patch: ${go}`,
        });
        expect(await stored(api)).toEqual(before);

        const ok = await api.call("PATCH", `${CM}/cm`, patch(nestedJson(MAX_DEPTH - above)), type);
        expect(ok.status).toBe(200);
        expect(ok.warnings).toEqual(['unknown field "junk"']);
        expect(ok.body.junk).toBeUndefined();
      });
    });
  }

  it("reports a merge patch past 10000 as MergePatch does with fieldValidation=Ignore", async () => {
    await withApi(async (api) => {
      expect((await api.call("POST", CM, configMap())).status).toBe(201);
      const res = await api.call(
        "PATCH",
        `${CM}/cm?fieldValidation=Ignore`,
        `{"junk":${nestedJson(MAX_DEPTH)}}`,
        "application/merge-patch+json",
      );
      expect(status(res)).toEqual({ code: 400, reason: "BadRequest", message: "Invalid JSON Patch" });
    });
  });

  it("refuses a patch that builds an object deeper than 10000 from two shallower halves", async () => {
    await withApi(async (api) => {
      // A ControllerRevision's data is a RawExtension: it keeps whatever it is given.
      const CR = "/apis/apps/v1/namespaces/default/controllerrevisions";
      const created = await api.call(
        "POST",
        CR,
        JSON.stringify({
          apiVersion: "apps/v1",
          kind: "ControllerRevision",
          metadata: { name: "r" },
          revision: 1,
          data: nestedValue(3000),
        }),
      );
      expect(created.status).toBe(201);
      const path = "/data" + "/x".repeat(2990);
      const res = await api.call(
        "PATCH",
        `${CR}/r`,
        `[{"op":"replace","path":"${path}","value":${nestedJson(8000)}}]`,
        "application/json-patch+json",
      );
      expect(res.status).toBe(422);
      expect(res.body.reason).toBe("Invalid");
      expect(res.body.message).toMatch(/^ "" is invalid: patch: Invalid value: "\{.*\}": invalid character '\{' exceeded max depth$/);
      expect((await api.call("GET", `${CR}/r`)).body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    });
  });

  it("refuses with 400, not 500, an object within the limit but too deep for workerd to store", async () => {
    await withApi(async (api) => {
      const CR = "/apis/apps/v1/namespaces/default/controllerrevisions";
      const res = await api.call(
        "POST",
        CR,
        JSON.stringify({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "r" }, revision: 1, data: "@" }).replace(
          '"@"',
          nestedJson(MAX_DEPTH - 10),
        ),
      );
      expect(status(res)).toEqual({
        code: 400,
        reason: "BadRequest",
        message:
          "the object provided is unrecognized (must be of type ControllerRevision): couldn't get version/kind; json parse error: invalid character '{' exceeded max depth",
      });
      expect((await api.call("GET", `${CR}/r`)).status).toBe(404);
    });
  });
});

describe("YAML aliases", () => {
  it("refuses one big anchor referenced by many aliases, by its expanded size", async () => {
    await withApi(async (api) => {
      const big = "x".repeat(2_900_000);
      const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: &a ${big}\n${Array.from({ length: 99 }, (_, i) => `  b${i}: *a\n`).join("")}`;
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(status(res)).toEqual({
        code: 400,
        reason: "BadRequest",
        message:
          "the object provided is unrecognized (must be of type ConfigMap): yaml: document contains excessive aliasing (61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 ...)",
      });
      expect((await api.call("GET", `${CM}/cm`)).status).toBe(404);
    });
  });

  it("refuses a billion laughs cheaply", async () => {
    await withApi(async (api) => {
      let yaml =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
      for (let i = 1; i < 10; i++)
        yaml += `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]\n`;
      const start = Date.now();
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(Date.now() - start).toBeLessThan(2000);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(": yaml: document contains excessive aliasing (");
    });
  });

  it("keeps accepting many aliases of small values, each a value of its own", async () => {
    await withApi(async (api) => {
      const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: &l {app: web}\n  annotations: *l\ndata:\n  a: &a hello\n${Array.from({ length: 150 }, (_, i) => `  b${i}: *a\n`).join("")}`;
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(res.status).toBe(201);
      expect(res.body.data.b149).toBe("hello");
      expect(res.body.metadata.annotations).toEqual({ app: "web" });
    });
  });

  it("creates only the first of 5000 documents in one body, without parsing them all", async () => {
    await withApi(async (api) => {
      const yaml = Array.from({ length: 5000 }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm${i}}\n`).join("");
      const start = Date.now();
      const res = await api.call("POST", CM, yaml, "application/yaml");
      expect(Date.now() - start).toBeLessThan(2000);
      expect(res.status).toBe(201);
      expect((await api.call("GET", CM)).body.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(["cm0"]);
    });
  });
});

describe("JSON patch bounds", () => {
  it("refuses more than 10000 operations with 413", async () => {
    await withApi(async (api) => {
      expect((await api.call("POST", CM, configMap())).status).toBe(201);
      const before = await stored(api);
      const ops = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: "test", path: "/data/a", value: "b" })));
      const res = await api.call("PATCH", `${CM}/cm`, ops, "application/json-patch+json");
      expect(status(res)).toEqual({
        code: 413,
        reason: "RequestEntityTooLarge",
        message: "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001",
      });
      expect(await stored(api)).toEqual(before);
    });
  });

  it("stops copies of an object into itself at the accumulated copy limit", async () => {
    await withApi(async (api) => {
      expect((await api.call("POST", CM, configMap())).status).toBe(201);
      const before = await stored(api);
      const ops = [{ op: "add", path: "/metadata/annotations", value: { k: "v".repeat(1000) } }];
      for (let i = 0; i < 20; i++) ops.push({ op: "copy", from: "/metadata/annotations", path: `/metadata/annotations/c${i}` } as never);
      const res = await api.call("PATCH", `${CM}/cm`, JSON.stringify(ops), "application/json-patch+json");
      expect(status(res)).toEqual({
        code: 422,
        reason: "Invalid",
        message: "the server rejected our request due to an error in our request",
      });
      expect(await stored(api)).toEqual(before);
    });
  });

  it("refuses a patched object bigger than the request limit with 413", async () => {
    await withApi(async (api) => {
      expect((await api.call("POST", CM, configMap())).status).toBe(201);
      const before = await stored(api);
      const half = "v".repeat(1_600_000);
      const ops = [
        { op: "add", path: "/data/x", value: half },
        { op: "add", path: "/data/y", value: half },
      ];
      const res = await api.call("PATCH", `${CM}/cm`, JSON.stringify(ops), "application/json-patch+json");
      expect(status(res)).toEqual({
        code: 413,
        reason: "RequestEntityTooLarge",
        message: `Request entity too large: limit is ${MAX_REQUEST_BYTES}`,
      });
      expect(await stored(api)).toEqual(before);
    });
  });

  it("refuses a merge patch that makes the object bigger than the request limit", async () => {
    await withApi(async (api) => {
      expect((await api.call("POST", CM, configMap({ data: { x: "v".repeat(900_000) } }))).status).toBe(201);
      const before = await stored(api);
      const more = "v".repeat(1_200_000);
      for (const type of ["application/merge-patch+json", "application/strategic-merge-patch+json"]) {
        const res = await api.call("PATCH", `${CM}/cm`, JSON.stringify({ data: { y: more, z: more } }), type);
        expect(status(res)).toEqual({
          code: 413,
          reason: "RequestEntityTooLarge",
          message: `Request entity too large: limit is ${MAX_REQUEST_BYTES}`,
        });
      }
      expect(await stored(api)).toEqual(before);
    });
  });

  it("refuses a body bigger than the request limit without reading past it", async () => {
    await withApi(async (api) => {
      const res = await api.call("POST", CM, configMap({ data: { x: "v".repeat(MAX_REQUEST_BYTES) } }));
      expect(status(res)).toEqual({
        code: 413,
        reason: "RequestEntityTooLarge",
        message: `Request entity too large: limit is ${MAX_REQUEST_BYTES}`,
      });
    });
  });
});

describe("unknown fields", () => {
  it("drops unknown fields of a create, warning about each", async () => {
    await withApi(async (api) => {
      const junk = "j".repeat(700_000);
      const body = JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", labels: { app: "web" }, annotations: { note: "kept" }, junk },
        spec: { containers: [{ name: "c", image: "nginx", junk }], junk },
        junk,
      });
      const res = await api.call("POST", "/api/v1/namespaces/default/pods", body);
      expect(res.status).toBe(201);
      expect(res.warnings).toEqual([
        'unknown field "metadata.junk"',
        'unknown field "spec.containers[0].junk"',
        'unknown field "spec.junk"',
        'unknown field "junk"',
      ]);
      const got = (await api.call("GET", "/api/v1/namespaces/default/pods/p")).body;
      expect(JSON.stringify(got)).not.toContain(junk);
      expect(got.metadata.labels).toEqual({ app: "web" });
      expect(got.metadata.annotations).toEqual({ note: "kept" });
      expect(got.spec.containers[0].image).toBe("nginx");
    });
  });

  it("drops unknown fields silently with fieldValidation=Ignore and refuses them with Strict", async () => {
    await withApi(async (api) => {
      const ignored = await api.call("POST", `${CM}?fieldValidation=Ignore`, configMap({ junk: 1 }));
      expect(ignored.status).toBe(201);
      expect(ignored.warnings).toEqual([]);
      expect(ignored.body.junk).toBeUndefined();
      const strict = await api.call("POST", `${CM}?fieldValidation=Strict`, configMap({ metadata: { name: "cm2" }, junk: 1 }));
      expect(status(strict)).toEqual({
        code: 400,
        reason: "BadRequest",
        message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "junk"',
      });
      expect((await api.call("GET", `${CM}/cm2`)).status).toBe(404);
    });
  });

  it("drops unknown fields of an update and of every patch type", async () => {
    await withApi(async (api) => {
      const created = (await api.call("POST", CM, configMap())).body;
      const put = await api.call("PUT", `${CM}/cm`, JSON.stringify({ ...created, junk: 1 }));
      expect(put.status).toBe(200);
      expect(put.body.junk).toBeUndefined();
      for (const [type, patch] of [
        ["application/json-patch+json", '[{"op":"add","path":"/junk","value":1}]'],
        ["application/merge-patch+json", '{"junk":1,"data":{"c":"d"}}'],
        ["application/strategic-merge-patch+json", '{"junk":1,"metadata":{"junk":2}}'],
      ]) {
        const res = await api.call("PATCH", `${CM}/cm`, patch, type);
        expect(res.status).toBe(200);
        expect(res.warnings).toContain('unknown field "junk"');
        expect(res.body.junk).toBeUndefined();
        expect(res.body.metadata.junk).toBeUndefined();
      }
      expect((await api.call("GET", `${CM}/cm`)).body.data).toEqual({ a: "b", c: "d" });
    });
  });

  it("keeps what schemas without declared properties hold", async () => {
    await withApi(async (api) => {
      const CR = "/apis/apps/v1/namespaces/default/controllerrevisions";
      const data = { spec: { template: { anything: [1, { goes: true }] } } };
      const res = await api.call(
        "POST",
        CR,
        JSON.stringify({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "r" }, revision: 1, data }),
      );
      expect(res.status).toBe(201);
      expect(res.warnings).toEqual([]);
      expect(res.body.data).toEqual(data);
    });
  });
});

describe("what the cluster writes", () => {
  it("has no field outside the OpenAPI definitions, so pruning a patch result keeps it all", async () => {
    await applyMigrations();
    const res = await SELF.fetch("https://127.0.0.1:8787/api/sessions", {
      method: "POST",
      body: JSON.stringify({ clock: "instant" }),
      headers: { "content-type": "application/json" },
    });
    const s = (await res.json()) as { server: string; token: string };
    const kube = (path: string, init: RequestInit = {}) =>
      SELF.fetch(`${s.server}${path}`, { ...init, headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" } });
    const labels = { app: "web" };
    const template = {
      metadata: { labels },
      spec: {
        containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: "/", port: 80 } } }],
      },
    };
    for (const [path, body] of [
      [
        "/apis/apps/v1/namespaces/default/deployments",
        { metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: labels }, template } },
      ],
      [
        "/apis/apps/v1/namespaces/default/daemonsets",
        {
          metadata: { name: "ds" },
          spec: { selector: { matchLabels: { app: "ds" } }, template: { ...template, metadata: { labels: { app: "ds" } } } },
        },
      ],
      ["/api/v1/namespaces/default/services", { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 80 }] } }],
      [
        "/apis/batch/v1/namespaces/default/jobs",
        {
          metadata: { name: "pi" },
          spec: {
            template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo hi"] }] } },
          },
        },
      ],
      ["/api/v1/namespaces/default/pods", { metadata: { name: "bad" }, spec: { containers: [{ name: "c", image: "no-such-image:1" }] } }],
    ] as const) {
      expect((await kube(path, { method: "POST", body: JSON.stringify(body) })).status).toBe(201);
    }
    await new Promise((r) => setTimeout(r, 1500));
    await kube("/api/v1/namespaces/default/pods"); // lets the queue drain
    const pods = ((await (await kube("/api/v1/namespaces/default/pods")).json()) as { items: Obj[] }).items;
    expect(pods.filter((p) => p.status?.containerStatuses?.[0]?.state?.running).length).toBeGreaterThanOrEqual(2);
    const stray: string[] = [];
    for (const def of resources) {
      if (!DEFINITIONS[def.openapi] || def.review) continue;
      const r = await kube(`/${def.group ? `apis/${def.group}` : "api"}/${def.version}/${def.plural}`);
      if (r.status !== 200) continue;
      for (const o of ((await r.json()) as { items?: Obj[] }).items ?? []) {
        for (const u of unknownFields(o, def.openapi)) stray.push(`${def.plural}/${o.metadata?.name}: ${u}`);
      }
    }
    expect(stray).toEqual([]);
  });
});
