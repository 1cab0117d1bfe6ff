// The store's in-memory cache of current objects (Store.current): what controllers list comes from
// memory, and must always equal what SQL holds.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CACHE_RESOURCE_BYTES, Op, Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { Client } from "../../durable/controllers/client";
import { EventRecorder } from "../../durable/controllers/events";
import { registerNode } from "../../durable/nodes/lifecycle";
import type { Obj } from "../../durable/resources/types";
import type { NodeCondition } from "kubernetes-types/core/v1";

function withStore(fn: (store: Store, storage: DurableObjectStorage) => void): Promise<void> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  return runInDurableObject(ns.get(ns.newUniqueId()), (_i, state) => fn(new Store(state.storage.sql), state.storage));
}

const pod = (name: string, x: string) => ({ metadata: { name, labels: { x } } });
const names = (store: Store, prefix: string) => store.current(prefix).map((o) => `${o.metadata.name}=${o.metadata.labels.x}`);
const key = (ns: string, name: string) => `/core/pods/${ns}/${name}`;

describe("Store.current", () => {
  it("follows creations, updates and deletions, in key order, per namespace and across them", () =>
    withStore((store) => {
      store.put(key("b", "p2"), Op.Created, pod("p2", "1"));
      store.put(key("a", "p1"), Op.Created, pod("p1", "1"));
      expect(names(store, "/core/pods/")).toEqual(["p1=1", "p2=1"]);
      store.put(key("a", "p1"), Op.Updated, pod("p1", "2"));
      store.put(key("a", "p0"), Op.Created, pod("p0", "1"));
      expect(names(store, "/core/pods/a/")).toEqual(["p0=1", "p1=2"]);
      store.put(key("b", "p2"), Op.Deleted, pod("p2", "1"));
      expect(names(store, "/core/pods/")).toEqual(["p0=1", "p1=2"]);
      expect(store.current("/core/pods/")).toEqual(store.list("/core/pods/"));
    }));

  it("keeps its key order through many creations and deletions between reads, per namespace and across them", () =>
    withStore((store) => {
      let seed = 7;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const live = new Set<string>();
      for (let step = 0; step < 400; step++) {
        const k = key(["a", "b", "c"][random(3)], `p${random(60)}`);
        if (live.has(k) && random(3) === 0) {
          store.put(k, Op.Deleted, pod(k, "gone"));
          live.delete(k);
        } else {
          store.put(k, live.has(k) ? Op.Updated : Op.Created, pod(k, String(step)));
          live.add(k);
        }
        if (step % 7 === 0)
          for (const prefix of ["/core/pods/", "/core/pods/b/"]) expect(store.current(prefix)).toEqual(store.list(prefix));
      }
      expect(store.current("/core/pods/").length).toBe(live.size);
    }));

  it("shares frozen objects: changing one in place throws", () =>
    withStore((store) => {
      store.put(key("a", "p1"), Op.Created, pod("p1", "1"));
      const [p] = store.current("/core/pods/a/");
      expect(() => {
        p.metadata.labels.x = "changed";
      }).toThrow(TypeError);
      expect(names(store, "/core/pods/a/")).toEqual(["p1=1"]);
    }));

  it("a rolled-back transaction leaves nothing behind; inside one, its own writes are seen", () =>
    withStore((store, storage) => {
      store.put(key("a", "p1"), Op.Created, pod("p1", "1"));
      expect(names(store, "/core/pods/a/")).toEqual(["p1=1"]);
      expect(() =>
        store.transaction(storage, () => {
          store.put(key("a", "p1"), Op.Updated, pod("p1", "2"));
          store.put(key("a", "p2"), Op.Created, pod("p2", "1"));
          expect(names(store, "/core/pods/a/")).toEqual(["p1=2", "p2=1"]);
          throw new Error("refused");
        }),
      ).toThrow("refused");
      expect(names(store, "/core/pods/a/")).toEqual(["p1=1"]);
      expect(store.list("/core/pods/a/").map((o) => o.metadata.labels.x)).toEqual(["1"]);
    }));

  it("inside a transaction, its creations, updates and deletions are read over the cache in key order, as SQL reads them", () =>
    withStore((store, storage) => {
      for (const [ns, name] of [
        ["a", "p1"],
        ["a", "p3"],
        ["b", "p5"],
        ["c", "p7"],
      ])
        store.put(key(ns, name), Op.Created, pod(name, "1"));
      expect(names(store, "/core/pods/")).toHaveLength(4); // the cache holds the pods from here on
      store.transaction(storage, () => {
        store.put(key("a", "p0"), Op.Created, pod("p0", "1"));
        store.put(key("a", "p2"), Op.Created, pod("p2", "1"));
        store.put(key("a", "p3"), Op.Updated, pod("p3", "2"));
        store.put(key("b", "p5"), Op.Deleted, pod("p5", "1"));
        store.put(key("b", "p6"), Op.Created, pod("p6", "1"));
        store.put(key("b", "p6"), Op.Deleted, pod("p6", "1"));
        store.put(key("d", "p9"), Op.Created, pod("p9", "1"));
        expect(names(store, "/core/pods/")).toEqual(["p0=1", "p1=1", "p2=1", "p3=2", "p7=1", "p9=1"]);
        expect(names(store, "/core/pods/a/")).toEqual(["p0=1", "p1=1", "p2=1", "p3=2"]);
        expect(names(store, "/core/pods/b/")).toEqual([]);
        for (const prefix of ["/core/pods/", "/core/pods/a/", "/core/pods/b/", "/core/pods/d/"])
          expect(store.current(prefix)).toEqual(store.list(prefix));
        const [p0] = store.current("/core/pods/a/");
        expect(() => {
          p0.metadata.labels.x = "changed";
        }).toThrow(TypeError);
      });
      expect(names(store, "/core/pods/")).toEqual(["p0=1", "p1=1", "p2=1", "p3=2", "p7=1", "p9=1"]);
    }));

  it("a resource that grows bigger than the cache allows is still listed whole, from SQL", () =>
    withStore((store) => {
      const big = "x".repeat(256 * 1024);
      const count = Math.ceil(CACHE_RESOURCE_BYTES / big.length) + 2;
      expect(store.current("/core/pods/a/")).toEqual([]); // kept from here on, until too big
      for (let i = 0; i < count; i++) store.put(key("a", `p${String(i).padStart(3, "0")}`), Op.Created, pod(`p${i}`, big));
      const listed = store.current("/core/pods/a/");
      expect(listed).toHaveLength(count);
      expect(Object.isFrozen(listed[0])).toBe(false);
    }));
});

describe("Store.currentOne", () => {
  it("reads one object as current() lists it, frozen, over the open transaction's own writes", () =>
    withStore((store, storage) => {
      store.put(key("a", "p1"), Op.Created, pod("p1", "1"));
      store.put(key("a", "gone"), Op.Created, pod("gone", "1"));
      expect(store.currentOne(key("a", "p1"))).toBe(store.current("/core/pods/a/")[1]);
      expect(Object.isFrozen(store.currentOne(key("a", "p1")))).toBe(true);
      expect(store.currentOne(key("a", "none"))).toBeUndefined();
      expect(() =>
        store.transaction(storage, () => {
          store.put(key("a", "p1"), Op.Updated, pod("p1", "2"));
          store.put(key("a", "p2"), Op.Created, pod("p2", "1"));
          store.put(key("a", "gone"), Op.Deleted, pod("gone", "1"));
          expect(store.currentOne(key("a", "p1"))?.metadata.labels.x).toBe("2");
          expect(store.currentOne(key("a", "p2"))?.metadata.labels.x).toBe("1");
          expect(store.currentOne(key("a", "gone"))).toBeUndefined();
          throw new Error("refused");
        }),
      ).toThrow("refused");
      expect(store.currentOne(key("a", "p1"))?.metadata.labels.x).toBe("1");
      expect(store.currentOne(key("a", "p2"))).toBeUndefined();
      expect(store.currentOne(key("a", "gone"))?.metadata.name).toBe("gone");
    }));
});

describe("computed state over the cache", () => {
  it("a node read from the cache has its heartbeats of now, and the shared copy stays as stored", () =>
    withStore((store) => {
      let now = Date.parse("2026-01-01T00:00:00Z");
      const client = new Client(new Registry({ store, now: () => now, maxObjects: 1000 }));
      registerNode(client, new EventRecorder(client, () => now), "node01", "worker", 1, now);
      const beats = (n: Obj) => (n.status.conditions as NodeCondition[]).map((c) => c.lastHeartbeatTime);
      now += 25_000;
      const current = client.current("nodes", undefined, "node01")!;
      expect(beats(current)).toEqual(Array(4).fill("2026-01-01T00:00:20Z"));
      expect(client.list("nodes").map(beats)).toEqual([beats(current)]);
      expect(current).toEqual(client.get("nodes", undefined, "node01"));
      expect(Object.isFrozen(current.metadata)).toBe(true);
      expect(beats(store.currentOne("/core/nodes/node01")!)).toEqual(Array(4).fill("2026-01-01T00:00:00Z"));
    }));
});
