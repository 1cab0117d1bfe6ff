// Bounded storage per cluster, paged watch catch-up and resourceVersion semantics: objects over
// etcd's limit and writes past the cluster's byte cap are refused before anything is written,
// history is compacted by bytes, a watch's first event leaves before the history is read, and
// resourceVersion / limit / continue answer the real server's 4xx (or 504) instead of a 500.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BytesQuotaError, MAX_OBJECT_BYTES, Op, Store, TooLargeError, TooOldError, type StoreLimits } from "../../durable/store/store";
import { Registry, storageError } from "../../durable/api/registry";
import { ApiServer } from "../../durable/api/server";
import { WatchHub } from "../../durable/api/watch";
import { ApiError } from "../../durable/api/status";
import { negotiate } from "../../durable/api/table";
import { byPlural } from "../../durable/resources";
import { ControllerRuntime } from "../../durable/controllers/runtime";
import type { Controller, ControllerContext } from "../../durable/controllers/types";
import type { Obj } from "../../durable/resources/types";

interface Answer {
  status: number;
  body: any;
}

interface Cluster {
  store: Store;
  storage: DurableObjectStorage;
  hub: WatchHub;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  /** A watch's events, read one line at a time. */
  watch(path: string): Promise<{ status: number; next(): Promise<Obj | undefined>; cancel(): Promise<void> }>;
}

function inDurableObject<T>(fn: (sql: SqlStorage, storage: DurableObjectStorage) => Promise<T> | T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  return runInDurableObject(ns.get(ns.newUniqueId()), (_i, state) => fn(state.storage.sql, state.storage));
}

function withCluster<T>(fn: (c: Cluster) => Promise<T>, limits: Partial<StoreLimits> = {}): Promise<T> {
  return inDurableObject(async (sql, storage) => {
    const store = new Store(sql, limits);
    const registry = new Registry({ store, now: () => Date.parse("2025-05-01T12:00:00Z"), maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const hub = new WatchHub(store, () => registry.ctx());
    const server = new ApiServer(registry, hub, (f) => store.transaction(storage, f));
    const request = (method: string, path: string, body?: unknown) =>
      server.handle(
        new Request(`https://k8s.test${path}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: body === undefined ? {} : { "content-type": "application/json" },
        }),
        path.split("?")[0],
        "",
      );
    return fn({
      store,
      storage,
      hub,
      async call(method, path, body) {
        const res = await request(method, path, body);
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      },
      async watch(path) {
        const res = await request("GET", path);
        return { status: res.status, ...lines(res.body!) };
      },
    });
  });
}

/** Newline-delimited JSON from a stream, one value per call (undefined at the end). */
function lines(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<Obj | undefined> {
      for (;;) {
        const nl = buffer.indexOf("\n");
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          return JSON.parse(line);
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

const CM = "/api/v1/namespaces/default/configmaps";
const cmKey = (name: string) => `/core/configmaps/default/${name}`;
const configMap = (name: string, data: Record<string, string> = {}): Obj => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
  data,
});

afterEach(() => vi.restoreAllMocks());

describe("object size", () => {
  it("refuses an object whose stored JSON is over 1.5 MiB before writing it", () =>
    inDurableObject((sql) => {
      const store = new Store(sql);
      store.put(cmKey("a"), Op.Created, configMap("a"));
      const big = configMap("a", { v: "x".repeat(MAX_OBJECT_BYTES) });
      expect(() => store.put(cmKey("a"), Op.Updated, big)).toThrow(TooLargeError);
      expect(store.rev).toBe(1);
      expect(store.get(cmKey("a"))?.data).toEqual({});
      expect(big.metadata.resourceVersion).toBeUndefined();
      // Multi-byte characters count as the bytes they are stored as.
      const wide = configMap("b", { v: "é".repeat(MAX_OBJECT_BYTES / 2) });
      expect(() => store.put(cmKey("b"), Op.Created, wide)).toThrow(TooLargeError);
    }));

  it("answers a create over the limit with 413 RequestEntityTooLarge", () =>
    withCluster(async (c) => {
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "big" },
        spec: { containers: [{ name: "c", image: "busybox", args: ["x".repeat(MAX_OBJECT_BYTES)] }] },
      };
      const res = await c.call("POST", "/api/v1/namespaces/default/pods", pod);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        kind: "Status",
        reason: "RequestEntityTooLarge",
        code: 413,
        message: "Request entity too large: etcdserver: request is too large",
      });
      expect((await c.call("GET", "/api/v1/namespaces/default/pods/big")).status).toBe(404);
    }));

  it("leaves the store whole and writable after a refused write in a transaction", () =>
    inDurableObject((sql, storage) => {
      const store = new Store(sql);
      store.put(cmKey("a"), Op.Created, configMap("a", { v: "1" }));
      const before = [store.rev, store.objects, store.liveBytes, store.historyBytes];
      expect(() =>
        store.transaction(storage, () => {
          store.put(cmKey("b"), Op.Created, configMap("b"));
          store.put(cmKey("a"), Op.Updated, configMap("a", { v: "x".repeat(MAX_OBJECT_BYTES) }));
        }),
      ).toThrow(TooLargeError);
      expect([store.rev, store.objects, store.liveBytes, store.historyBytes]).toEqual(before);
      expect(store.get(cmKey("b"))).toBeUndefined();
      expect(store.put(cmKey("c"), Op.Created, configMap("c")).metadata.resourceVersion).toBe("2");
    }));

  it("does not wedge the reconcile loop when a controller's write is too large", () =>
    inDurableObject(async (sql, storage) => {
      const store = new Store(sql);
      const registry = new Registry({ store, now: () => Date.now(), maxObjects: 100 });
      const cms = byPlural("configmaps")!;
      registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
      for (const name of ["big", "small"]) registry.create(cms, "default", configMap(name));
      // Annotates each ConfigMap once; for "big" the annotation takes it past etcd's limit.
      const annotator: Controller = {
        name: "annotator",
        primary: "configmaps",
        watches: [{ plural: "configmaps" }],
        reconcile(key) {
          const name = key.split("/")[1];
          const cm = registry.get(cms, "default", name);
          if (cm.metadata.annotations?.done) return;
          const note = name === "big" ? "x".repeat(MAX_OBJECT_BYTES) : "yes";
          // Straight to storage, as the binding subresource writes (no validation in the way).
          store.put(cmKey(name), Op.Updated, { ...cm, metadata: { ...cm.metadata, annotations: { done: note } } }, cm);
        },
      };
      const context = { now: () => Date.now() } as unknown as ControllerContext;
      const runtime = new ControllerRuntime(store, sql, [annotator], context, (f) => store.transaction(storage, f));
      const failures = vi.spyOn(console, "error").mockImplementation(() => {});
      await runtime.drain();
      expect(String(failures.mock.calls[0]?.[1])).toMatch(/TooLargeError|object is \d+ bytes/);
      expect(runtime.pending).toBe(false);
      expect(registry.get(cms, "default", "small").metadata.annotations).toEqual({ done: "yes" });
      expect(registry.get(cms, "default", "big").metadata.annotations).toBeUndefined();
      expect(sql.exec(`SELECT key FROM timers WHERE controller = 'annotator'`).toArray()).toEqual([{ key: "default/big" }]);
    }));
});

describe("live bytes cap", () => {
  it("refuses growth past the cap with 403 exceeded quota, and allows deletes and shrinking updates", () =>
    withCluster(
      async (c) => {
        const fill = { v: "x".repeat(6000) };
        expect((await c.call("POST", CM, configMap("a", fill))).status).toBe(201);
        const refused = await c.call("POST", CM, configMap("b", fill));
        expect(refused.status).toBe(403);
        expect(refused.body.reason).toBe("Forbidden");
        expect(refused.body.message).toMatch(
          /^configmaps "b" is forbidden: exceeded quota: this playground cluster holds at most 10000 bytes of objects, requested: \d+, used: \d+$/,
        );
        expect((await c.call("GET", `${CM}/b`)).status).toBe(404);
        // Growing the existing one is refused too; shrinking it is not.
        expect((await c.call("PUT", `${CM}/a`, configMap("a", { v: "x".repeat(9900) }))).status).toBe(403);
        expect((await c.call("PUT", `${CM}/a`, configMap("a", { v: "small" }))).status).toBe(200);
        expect((await c.call("POST", CM, configMap("b", fill))).status).toBe(201);
        expect((await c.call("DELETE", `${CM}/a`)).status).toBe(200);
        expect((await c.call("DELETE", `${CM}/b`)).status).toBe(200);
        expect(c.store.liveBytes).toBeLessThan(1000); // the namespace
      },
      { maxBytes: 10_000 },
    ));

  it("keeps the byte counters in step with what is stored, and rebuilds them on open", () =>
    inDurableObject((sql) => {
      const store = new Store(sql);
      store.put(cmKey("a"), Op.Created, configMap("a", { v: "1" }));
      store.put(cmKey("a"), Op.Updated, configMap("a", { v: "ünïcode" }));
      store.put(cmKey("b"), Op.Created, configMap("b"));
      store.put(cmKey("b"), Op.Deleted, configMap("b"));
      const stored = sql.exec<{ n: number }>(`SELECT SUM(length(CAST(value AS BLOB))) AS n FROM log`).one().n;
      expect(store.liveBytes + store.historyBytes).toBe(stored);
      const reopened = new Store(sql);
      expect([reopened.liveBytes, reopened.historyBytes]).toEqual([store.liveBytes, store.historyBytes]);
      expect(reopened.liveBytes).toBe(JSON.stringify(store.get(cmKey("a"))).length + 2); // "ü", "ï" are two bytes
    }));

  it("opens a log written before rows carried their size", () =>
    inDurableObject((sql) => {
      sql.exec(`DROP TABLE log`); // the Durable Object under test opened a store of its own
      sql.exec(`CREATE TABLE log (rev INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, op INTEGER NOT NULL, value TEXT NOT NULL)`);
      sql.exec(`INSERT INTO log (key, op, value) VALUES (?, 0, ?)`, cmKey("old"), JSON.stringify(configMap("old", { v: "1" })));
      const store = new Store(sql);
      expect(store.rev).toBe(1);
      expect(store.liveBytes).toBe(JSON.stringify(configMap("old", { v: "1" })).length);
      store.put(cmKey("old"), Op.Updated, configMap("old", { v: "2" }));
      expect(store.get(cmKey("old"))?.data.v).toBe("2");
      expect(store.historyBytes).toBe(JSON.stringify(configMap("old", { v: "1" })).length);
    }));
});

describe("history bytes", () => {
  it("compacts earlier when big values churn, keeping the history under its budget", () =>
    inDurableObject((sql) => {
      const store = new Store(sql, { historyBytes: 1_000_000 });
      store.put(cmKey("other"), Op.Created, configMap("other"));
      for (let i = 0; i < 60; i++)
        store.put(cmKey("hot"), i ? Op.Updated : Op.Created, configMap("hot", { v: String(i).padEnd(100_000, ".") }));
      expect(store.historyBytes).toBeLessThanOrEqual(1_000_000);
      expect(store.compacted).toBeGreaterThan(1);
      expect(store.compacted).toBeLessThan(store.rev);
      // Compaction is still "older than the point is 410": the point itself and after are whole.
      expect(() => store.changesSince("/core/", store.compacted - 1)).toThrow(TooOldError);
      expect(store.list("/core/configmaps/", { at: store.compacted }).map((o) => o.metadata.name)).toEqual(["hot", "other"]);
      const changes = store.changesSince("/core/", store.compacted);
      expect(changes.map((c) => c.rev)).toEqual(Array.from({ length: store.rev - store.compacted }, (_, i) => store.compacted + 1 + i));
      expect(store.get(cmKey("hot"))?.data.v).toMatch(/^59\./);
      const stored = sql.exec<{ n: number }>(`SELECT SUM(size) AS n FROM log`).one().n;
      expect(store.liveBytes + store.historyBytes).toBe(stored);
    }));

  it("counts deletion rows as history and compacts them away", () =>
    inDurableObject((sql) => {
      const store = new Store(sql, { historyBytes: 500_000 });
      for (let i = 0; i < 20; i++) {
        store.put(cmKey(`d${i}`), Op.Created, configMap(`d${i}`, { v: "x".repeat(50_000) }));
        store.put(cmKey(`d${i}`), Op.Deleted, configMap(`d${i}`, { v: "x".repeat(50_000) }));
      }
      expect(store.liveBytes).toBe(0);
      expect(store.historyBytes).toBeLessThanOrEqual(500_000);
      expect(store.list("/core/configmaps/")).toEqual([]);
    }));
});

describe("watch catch-up", () => {
  const req = (resourceVersion: bigint) => ({
    def: byPlural("configmaps")!,
    namespace: "default",
    resourceVersion,
    bookmarks: false,
    shape: negotiate(null),
  });
  const ctx = () => ({ now: Date.now(), get: () => undefined, list: () => [] });

  it("delivers the first event before the history is read", () =>
    inDurableObject(async (sql) => {
      const store = new Store(sql, { historyBytes: 1e9 });
      const value = "x".repeat(500_000);
      for (let i = 0; i < 200; i++) store.put(cmKey("big"), i ? Op.Updated : Op.Created, configMap("big", { v: value, i: String(i) }));
      const hub = new WatchHub(store, ctx);
      const parse = vi.spyOn(JSON, "parse");
      const events = lines(hub.open(req(1n)).body!);
      const first = await events.next();
      expect(first?.type).toBe("MODIFIED");
      expect(first?.object.metadata.resourceVersion).toBe("2");
      // Rows parsed by the store so far (the event line itself is one more parse).
      expect(parse.mock.calls.length).toBeLessThan(20);
      await events.cancel();
    }));

  it("does not parse rows outside the watched prefix", () =>
    inDurableObject((sql) => {
      const store = new Store(sql);
      for (let i = 0; i < 50; i++) store.put(`/core/secrets/default/s${i}`, Op.Created, { kind: "Secret", metadata: { name: `s${i}` } });
      for (let i = 0; i < 3; i++) store.put(cmKey(`c${i}`), Op.Created, configMap(`c${i}`));
      const hub = new WatchHub(store, ctx);
      const parse = vi.spyOn(JSON, "parse");
      hub.open(req(1n));
      expect(parse.mock.calls.length).toBe(3);
    }));

  it("delivers commits made during the catch-up after it, in order, exactly once", () =>
    inDurableObject(async (sql) => {
      const store = new Store(sql);
      const value = "x".repeat(1_000_000);
      for (let i = 0; i < 20; i++) store.put(cmKey("big"), i ? Op.Updated : Op.Created, configMap("big", { v: value, i: String(i) }));
      const hub = new WatchHub(store, ctx);
      const events = lines(hub.open(req(1n)).body!);
      const revs: number[] = [];
      revs.push(Number((await events.next())!.object.metadata.resourceVersion));
      for (let i = 0; i < 3; i++) store.put(cmKey(`live${i}`), Op.Created, configMap(`live${i}`));
      while (revs[revs.length - 1] < 23) revs.push(Number((await events.next())!.object.metadata.resourceVersion));
      store.put(cmKey("after"), Op.Created, configMap("after"));
      revs.push(Number((await events.next())!.object.metadata.resourceVersion));
      expect(revs).toEqual(Array.from({ length: 23 }, (_, i) => i + 2));
      await events.cancel();
    }));

  it("ends with 410 Expired when compaction overtakes it", () =>
    inDurableObject(async (sql) => {
      const store = new Store(sql, { historyBytes: 12_000_000 });
      const value = "x".repeat(1_000_000);
      for (let i = 0; i < 10; i++) store.put(cmKey("big"), i ? Op.Updated : Op.Created, configMap("big", { v: value, i: String(i) }));
      const hub = new WatchHub(store, ctx);
      const events = lines(hub.open(req(1n)).body!);
      await events.next();
      for (let i = 10; i < 20; i++) store.put(cmKey("big"), Op.Updated, configMap("big", { v: value, i: String(i) }));
      let last: Obj | undefined;
      for (let e = await events.next(); e; e = await events.next()) last = e;
      expect(last).toMatchObject({ type: "ERROR", object: { code: 410, reason: "Expired" } });
    }));
});

describe("resourceVersion", () => {
  const badRv = (rv: string, why = "invalid syntax") =>
    `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`;

  it("answers a malformed resourceVersion on list and watch with 400", () =>
    withCluster(async (c) => {
      for (const rv of ["abc", "1e300", "-1", "1.5"]) {
        for (const watch of ["", "&watch=true"]) {
          const res = await c.call("GET", `${CM}?resourceVersion=${encodeURIComponent(rv)}${watch}`);
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ reason: "BadRequest", message: badRv(rv) });
        }
      }
      const huge = "99999999999999999999";
      expect((await c.call("GET", `${CM}?resourceVersion=${huge}`)).body.message).toBe(badRv(huge, "value out of range"));
    }));

  it("answers a resourceVersion the store has not reached with 504 Too large resource version", () =>
    withCluster(async (c) => {
      const current = c.store.rev;
      const want = {
        kind: "Status",
        status: "Failure",
        reason: "Timeout",
        code: 504,
        message: `Timeout: Too large resource version: 18446744073709551615, current: ${current}`,
        details: { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 },
      };
      for (const match of ["", "&resourceVersionMatch=NotOlderThan", "&resourceVersionMatch=Exact", "&limit=5"]) {
        const res = await c.call("GET", `${CM}?resourceVersion=18446744073709551615${match}`);
        expect(res.status).toBe(504);
        expect(res.body).toMatchObject(want);
      }
      const w = await c.watch(`${CM}?watch=true&resourceVersion=${current + 1}`);
      expect(w.status).toBe(200);
      expect(await w.next()).toMatchObject({
        type: "ERROR",
        object: { ...want, message: `Timeout: Too large resource version: ${current + 1}, current: ${current}` },
      });
      expect(await w.next()).toBeUndefined();
    }));

  it("lists at the newest revision for a resourceVersion not newer than it (NotOlderThan)", () =>
    withCluster(async (c) => {
      await c.call("POST", CM, configMap("a"));
      for (const q of ["resourceVersion=1", "resourceVersion=1&resourceVersionMatch=NotOlderThan"]) {
        const res = await c.call("GET", `${CM}?${q}`);
        expect(res.status).toBe(200);
        expect(res.body.metadata.resourceVersion).toBe(String(c.store.rev));
        expect(res.body.items.map((o: Obj) => o.metadata.name)).toEqual(["a"]);
      }
      // The legacy form with a limit is an exact read, as in the real server.
      const exact = await c.call("GET", `${CM}?resourceVersion=1&limit=5`);
      expect(exact.body.metadata.resourceVersion).toBe("1");
      expect(exact.body.items).toEqual([]);
    }));

  it("answers an exact list at a compacted revision with 410 Expired", () =>
    withCluster(
      async (c) => {
        for (let i = 0; i < 10; i++) {
          const res = await c.call(i ? "PUT" : "POST", i ? `${CM}/hot` : CM, configMap("hot", { v: String(i).padEnd(1000, ".") }));
          expect(res.status).toBeLessThan(300);
        }
        expect(c.store.compacted).toBeGreaterThan(2);
        const res = await c.call("GET", `${CM}?resourceVersion=2&resourceVersionMatch=Exact`);
        expect(res.status).toBe(410);
        expect(res.body).toMatchObject({ reason: "Expired", message: "The resourceVersion for the provided list is too old." });
      },
      { historyBytes: 3000 },
    ));

  it("validates resourceVersionMatch like ValidateListOptions (422)", () =>
    withCluster(async (c) => {
      const res = await c.call("GET", `${CM}?resourceVersionMatch=Exact`);
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
      const bogus = await c.call("GET", `${CM}?resourceVersion=1&resourceVersionMatch=Bogus`);
      expect(bogus.body.message).toBe(
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""',
      );
    }));

  it("turns any store refusal reaching the HTTP layer into its Status", () => {
    const expired = storageError(new TooOldError(1, 5));
    expect(expired).toBeInstanceOf(ApiError);
    expect((expired as ApiError).toStatus()).toMatchObject({ code: 410, reason: "Expired", message: "too old resource version: 1 (5)" });
    expect((storageError(new TooLargeError(2_000_000)) as ApiError).code).toBe(413);
    expect((storageError(new BytesQuotaError(10, 20, 25)) as ApiError).code).toBe(403);
  });
});

describe("limit and continue", () => {
  it("answers a limit outside int64 with 400, and a negative limit as no limit", () =>
    withCluster(async (c) => {
      const res = await c.call("GET", `${CM}?limit=99999999999999999999`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        reason: "BadRequest",
        message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range',
      });
      expect((await c.call("GET", `${CM}?limit=abc`)).body.message).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
      await c.call("POST", CM, configMap("a"));
      expect((await c.call("GET", `${CM}?limit=-1`)).body.items).toHaveLength(1);
      expect((await c.call("GET", `${CM}?limit=9223372036854775807`)).body.items).toHaveLength(1);
    }));

  it("answers bogus continue tokens with 400", () =>
    withCluster(async (c) => {
      for (const n of ["a", "b", "c"]) await c.call("POST", CM, configMap(n));
      const page = await c.call("GET", `${CM}?limit=1`);
      const next = await c.call("GET", `${CM}?limit=1&continue=${page.body.metadata.continue}`);
      expect(next.body.items.map((o: Obj) => o.metadata.name)).toEqual(["b"]);

      const token = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const cases: [string, string][] = [
        ["%24%24%24", "invalid continue token: continue key is not valid"],
        [token({ nonsense: true }).slice(0, 5) + "!", "invalid continue token: continue key is not valid"],
        [btoa("not json"), "invalid continue token: continue key is not valid"],
        [
          token({ v: "meta.k8s.io/v1", rv: c.store.rev + 100, start: "a\u0000" }),
          "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        ],
        [token({ v: "meta.k8s.io/v1", rv: 1.5, start: "a\u0000" }), "invalid continue token: continue key is not valid"],
        [
          token({ v: "meta.k8s.io/v1", rv: 2, start: "" }),
          "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)",
        ],
        [token({ v: "meta.k8s.io/v1", rv: 2, start: "../secrets/x" }), "invalid continue token: continue key is not valid: ../secrets/x"],
        [
          token({ v: "v2", rv: 2, start: "a" }),
          "invalid continue token: continue key is not valid: server does not recognize this encoded version v2",
        ],
      ];
      for (const [t, message] of cases) {
        const res = await c.call("GET", `${CM}?limit=1&continue=${t}`);
        expect(res.status, t).toBe(400);
        expect(res.body.message, t).toBe(message);
      }
      const withRv = await c.call("GET", `${CM}?limit=1&resourceVersion=2&continue=${page.body.metadata.continue}`);
      expect(withRv.body).toMatchObject({ code: 400, message: "specifying resource version is not allowed when using continue" });
    }));
});
