// API-server behaviour real clients depend on: boolean query parameters, subresources without a
// handler, health and metrics endpoints.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "./d1";
import { tokensOf } from "../../durable/api/tokens";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { ApiServer } from "../../durable/api/server";
import { WatchHub } from "../../durable/api/watch";
import { byPlural } from "../../durable/resources";
import { parseBool, queryBool } from "../../durable/api/query";
import { isStream, wantsPretty } from "../../durable/api/pretty";
import { parseLogOptions } from "../../durable/nodes/podlog";
import { requestInfo } from "../../durable/api/incluster";

interface Answer {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

interface Api {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<Answer>;
  /** The first chunk of a streamed answer, then the stream is cancelled. */
  first(path: string): Promise<{ status: number; chunk: string }>;
  server: ApiServer;
}

function withApi<T>(fn: (api: Api) => Promise<T>): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, async (_i, state) => {
    const store = new Store(state.storage.sql);
    const registry = new Registry({ store, now: () => Date.now(), maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const server = new ApiServer(registry, new WatchHub(store, () => registry.ctx()), (f) => store.transaction(state.storage, f));
    const api: Api = {
      server,
      async call(method, path, body, contentType = "application/json") {
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        const request = new Request(`https://k8s.test${path}`, {
          method,
          body: payload,
          headers: payload === undefined ? {} : { "content-type": contentType },
        });
        const res = await server.handle(request, path.split("?")[0], "");
        const text = await res.text();
        let parsed: any;
        try {
          parsed = JSON.parse(text);
        } catch {}
        return { status: res.status, text, body: parsed, headers: res.headers };
      },
      async first(path) {
        const res = await server.handle(new Request(`https://k8s.test${path}`), path.split("?")[0], "");
        const reader = res.body!.getReader();
        const { value } = await reader.read();
        await reader.cancel();
        return { status: res.status, chunk: new TextDecoder().decode(value) };
      },
    };
    return fn(api);
  });
}

const CM = "/api/v1/namespaces/default/configmaps";
const POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", labels: { app: "a" } },
  spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }] },
};

describe("boolean query parameters (runtime.Convert_Slice_string_To_bool)", () => {
  it("makes only an absent parameter, 0 and any casing of false false", () => {
    const q = (s: string) => new URLSearchParams(s);
    for (const v of ["1", "t", "T", "TRUE", "true", "True", "yes", "f", ""]) expect(queryBool(q(`watch=${v}`), "watch"), v).toBe(true);
    for (const v of ["0", "false", "False", "FALSE", "fAlSe"]) expect(queryBool(q(`watch=${v}`), "watch"), v).toBe(false);
    expect(queryBool(q(""), "watch")).toBe(false);
  });

  it("reads pretty with strconv.ParseBool, a refused spelling counting as false", () => {
    expect(parseBool("T")).toBe(true);
    expect(parseBool("yes")).toBeUndefined();
    expect(wantsPretty(new Request("https://x/"), new URL("https://x/?pretty=True"))).toBe(true);
    expect(wantsPretty(new Request("https://x/"), new URL("https://x/?pretty=yes"))).toBe(false);
  });

  it("treats watch=True and follow=True as streams and requests", () => {
    expect(isStream("/api/v1/pods", new URL("https://x/api/v1/pods?watch=True"))).toBe(true);
    expect(isStream("/api/v1/namespaces/d/pods/p/log", new URL("https://x/?follow=True"))).toBe(true);
    expect(isStream("/api/v1/pods", new URL("https://x/api/v1/pods?watch=false"))).toBe(false);
    expect(requestInfo("GET", "/api/v1/pods", new URLSearchParams("watch=True"))?.verb).toBe("watch");
  });

  it("parses the log options follow, previous and timestamps the same way", () => {
    const o = parseLogOptions(new URLSearchParams("follow=True&previous=T&timestamps=1"), "p");
    expect(o).toMatchObject({ follow: true, previous: true, timestamps: true });
    expect(parseLogOptions(new URLSearchParams("follow=False&timestamps=0"), "p")).toMatchObject({ follow: false, timestamps: false });
  });

  it("watches on ?watch=True instead of listing", () =>
    withApi(async (api) => {
      await api.call("POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one" } });
      const { status, chunk } = await api.first(`${CM}?watch=True&allowWatchBookmarks=True`);
      expect(status).toBe(200);
      const event = JSON.parse(chunk.split("\n")[0]);
      expect(event.type).toBe("ADDED");
      expect(event.object.metadata.name).toBe("one");
      const list = await api.call("GET", `${CM}?watch=false`);
      expect(list.body.kind).toBe("ConfigMapList");
    }));
});

describe("subresources", () => {
  it("answers a resize patch with the stored pod's labels untouched", () =>
    withApi(async (api) => {
      expect((await api.call("POST", "/api/v1/namespaces/default/pods", POD)).status).toBe(201);
      const res = await api.call(
        "PATCH",
        "/api/v1/namespaces/default/pods/p/resize",
        { metadata: { labels: { app: "changed" } } },
        "application/strategic-merge-patch+json",
      );
      expect(res.status).toBe(200);
      expect(res.body.metadata.labels).toEqual({ app: "a" });
      const after = await api.call("GET", "/api/v1/namespaces/default/pods/p");
      expect(after.body.metadata.labels).toEqual({ app: "a" });
    }));

  it("takes the containers' resources from a resize", () =>
    withApi(async (api) => {
      await api.call("POST", "/api/v1/namespaces/default/pods", POD);
      const patch = { spec: { containers: [{ name: "c", resources: { requests: { cpu: "200m" } } }] } };
      const res = await api.call("PATCH", "/api/v1/namespaces/default/pods/p/resize", patch, "application/strategic-merge-patch+json");
      expect(res.status).toBe(200);
      expect(res.body.spec.containers[0].resources.requests.cpu).toBe("200m");
      expect(res.body.spec.containers[0].image).toBe("nginx");
    }));

  it("refuses a resize that would change the pod's QoS class, as ValidatePodResize does", () =>
    withApi(async (api) => {
      const guaranteed = structuredClone(POD);
      guaranteed.spec.containers[0].resources = {
        requests: { cpu: "100m", memory: "64Mi" },
        limits: { cpu: "100m", memory: "64Mi" },
      } as never;
      await api.call("POST", "/api/v1/namespaces/default/pods", guaranteed);
      const patch = { spec: { containers: [{ name: "c", resources: { requests: { cpu: "50m" } } }] } };
      const res = await api.call("PATCH", "/api/v1/namespaces/default/pods/p/resize", patch, "application/strategic-merge-patch+json");
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(
        'Pod "p" is invalid: spec: Invalid value: "Guaranteed": Pod QOS Class may not change as a result of resizing',
      );
      const both = { spec: { containers: [{ name: "c", resources: { requests: { cpu: "0.05" }, limits: { cpu: "50m" } } }] } };
      const ok = await api.call("PATCH", "/api/v1/namespaces/default/pods/p/resize", both, "application/strategic-merge-patch+json");
      expect(ok.status).toBe(200);
      expect(ok.body.spec.containers[0].resources).toEqual({
        requests: { cpu: "50m", memory: "64Mi" },
        limits: { cpu: "50m", memory: "64Mi" },
      });
    }));

  it("refuses a verb the subresource does not serve with go-restful's 405", () =>
    withApi(async (api) => {
      await api.call("POST", "/api/v1/namespaces/default/pods", POD);
      for (const [method, path] of [
        ["DELETE", "/api/v1/namespaces/default/pods/p/resize"],
        ["POST", "/api/v1/namespaces/default/pods/p/status"],
        ["PUT", "/api/v1/namespaces/default/pods/p/log"],
      ]) {
        const res = await api.call(method, path, {});
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.body).toMatchObject({
          kind: "Status",
          reason: "MethodNotAllowed",
          message: "the server does not allow this method on the requested resource",
          details: { causes: [{ reason: "UnexpectedServerResponse", message: "405: Method Not Allowed" }] },
          code: 405,
        });
      }
    }));

  it("answers 404 for a subresource the resource does not have", () =>
    withApi(async (api) => {
      await api.call("POST", "/api/v1/namespaces/default/pods", POD);
      const res = await api.call("PATCH", "/api/v1/namespaces/default/pods/p/bogus", {}, "application/merge-patch+json");
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ reason: "NotFound", message: "the server could not find the requested resource" });
    }));
});

describe("health and metrics", () => {
  it("lists the checks with ?verbose as kube-apiserver does", () =>
    withApi(async (api) => {
      const live = await api.call("GET", "/livez?verbose");
      const lines = live.text.trimEnd().split("\n");
      expect(lines.slice(0, 3)).toEqual(["[+]ping ok", "[+]log ok", "[+]etcd ok"]);
      expect(lines.at(-1)).toBe("livez check passed");
      expect(lines).not.toContain("[+]shutdown ok");
      const ready = (await api.call("GET", "/readyz?verbose&exclude=etcd")).text.split("\n");
      expect(ready).toContain("[+]etcd excluded: ok");
      expect(ready).toContain("[+]informer-sync ok");
      expect(ready.at(-3)).toBe("[+]shutdown ok");
      expect(ready.at(-2)).toBe("readyz check passed");
      expect((await api.call("GET", "/readyz")).text).toBe("ok");
      expect((await api.call("GET", "/livez/etcd")).text).toBe("ok");
      expect((await api.call("GET", "/livez/nonsense")).status).toBe(404);
    }));

  it("counts requests in apiserver_request_total", () =>
    withApi(async (api) => {
      const sample = async (labels: string) => {
        const text = (await api.call("GET", "/metrics")).text;
        const line = text.split("\n").find((l) => l.startsWith(`apiserver_request_total{${labels}}`));
        return line ? Number(line.split(" ").pop()) : 0;
      };
      const list =
        'code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"';
      expect(await sample(list)).toBe(0);
      await api.call("GET", CM);
      await api.call("GET", CM);
      expect(await sample(list)).toBe(2);
      await api.call("GET", `${CM}/missing`);
      expect(
        await sample(
          'code="404",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="GET",version="v1"',
        ),
      ).toBe(1);
      await api.call("POST", `${CM}?dryRun=All`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } });
      expect(
        await sample(
          'code="201",component="apiserver",dry_run="All",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"',
        ),
      ).toBe(1);
      await api.call("GET", "/readyz");
      expect(
        await sample('code="200",component="",dry_run="",group="",resource="",scope="",subresource="/readyz",verb="GET",version=""'),
      ).toBe(1);
      const text = (await api.call("GET", "/metrics")).text;
      expect(text.startsWith("# HELP apiserver_request_total [STABLE] Counter of apiserver requests")).toBe(true);
      expect(text).toContain("# TYPE apiserver_request_total counter\n");
    }));
});

describe("service-account tokens", () => {
  beforeAll(applyMigrations);
  const ORIGIN = "https://127.0.0.1:8787";

  it("signs TokenRequest tokens with the cluster's own key, and only that cluster accepts them", async () => {
    const mint = async (address: string) => {
      const created = (await (
        await SELF.fetch(`${ORIGIN}/api/sessions?clock=instant`, { method: "POST", headers: { "cf-connecting-ip": address } })
      ).json()) as { id: string; token: string };
      const res = await SELF.fetch(`${ORIGIN}/clusters/${created.id}/api/v1/namespaces/default/serviceaccounts/default/token`, {
        method: "POST",
        headers: { authorization: `Bearer ${created.token}`, "content-type": "application/json" },
        body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} }),
      });
      expect(res.status).toBe(201);
      const token = ((await res.json()) as any).status.token as string;
      const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
      return { token, stub: ns.get(ns.idFromName(created.id)) };
    };
    const a = await mint("203.0.113.71");
    const b = await mint("203.0.113.72");
    expect(a.token.split(".")[2]).toMatch(/^[A-Za-z0-9_-]{342}$/); // an RSA-2048 signature
    const verifyIn = (stub: DurableObjectStub, token: string) =>
      runInDurableObject(stub, (instance) => tokensOf((instance as any).registry)?.verify(token, Date.now()));
    expect(await verifyIn(a.stub, a.token)).toEqual({
      sub: "system:serviceaccount:default:default",
      namespace: "default",
      serviceAccount: "default",
    });
    expect(await verifyIn(b.stub, a.token)).toBeUndefined();
  });
});
