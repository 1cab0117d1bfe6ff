import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Op, Store, TooOldError, type Change } from "../../durable/store/store";

/** Run `fn` against a fresh Store in a fresh Durable Object's SQLite. */
async function withStore<T>(fn: (store: Store, storage: DurableObjectStorage) => T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, (_instance, state) => fn(new Store(state.storage.sql), state.storage));
}

const obj = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
  ...extra,
});

describe("store", () => {
  it("assigns one global, increasing resourceVersion", () =>
    withStore((store) => {
      const a = store.put("/core/configmaps/default/a", Op.Created, obj("a"));
      const b = store.put("/core/configmaps/default/b", Op.Created, obj("b"));
      expect(a.metadata.resourceVersion).toBe("1");
      expect(b.metadata.resourceVersion).toBe("2");
      expect(store.rev).toBe(2);
    }));

  it("reads the newest revision of a key and forgets deleted keys", () =>
    withStore((store) => {
      store.put("/core/configmaps/default/a", Op.Created, obj("a", { data: { v: "1" } }));
      store.put("/core/configmaps/default/a", Op.Updated, obj("a", { data: { v: "2" } }));
      expect(store.get("/core/configmaps/default/a")?.data.v).toBe("2");
      store.put("/core/configmaps/default/a", Op.Deleted, obj("a", { data: { v: "2" } }));
      expect(store.get("/core/configmaps/default/a")).toBeUndefined();
      expect(store.list("/core/configmaps/")).toEqual([]);
    }));

  it("lists by prefix in key order, as of an earlier revision, with paging", () =>
    withStore((store) => {
      for (const n of ["c", "a", "b"]) store.put(`/core/configmaps/default/${n}`, Op.Created, obj(n));
      store.put("/core/configmaps/other/z", Op.Created, obj("z"));
      const at = store.rev;
      store.put("/core/configmaps/default/a", Op.Deleted, obj("a"));
      store.put("/core/configmaps/default/d", Op.Created, obj("d"));
      expect(store.list("/core/configmaps/default/").map((o) => o.metadata.name)).toEqual(["b", "c", "d"]);
      expect(store.list("/core/configmaps/default/", { at }).map((o) => o.metadata.name)).toEqual(["a", "b", "c"]);
      expect(store.list("/core/configmaps/", { limit: 2 }).map((o) => o.metadata.name)).toEqual(["b", "c"]);
      expect(store.list("/core/configmaps/", { after: "/core/configmaps/default/c" }).map((o) => o.metadata.name)).toEqual(["d", "z"]);
      expect(store.count("/core/configmaps/")).toBe(4);
    }));

  it("replays changes after a revision and hands live commits to subscribers", () =>
    withStore((store, storage) => {
      store.put("/core/configmaps/default/a", Op.Created, obj("a"));
      const from = store.rev;
      const seen: Change[] = [];
      store.subscribe((changes) => seen.push(...changes));
      store.transaction(storage, () => {
        store.put("/core/configmaps/default/b", Op.Created, obj("b"));
        store.put("/core/configmaps/default/b", Op.Updated, obj("b", { data: {} }));
      });
      expect(seen.map((c) => [c.op, c.value.metadata.name])).toEqual([
        [Op.Created, "b"],
        [Op.Updated, "b"],
      ]);
      expect(store.changesSince("/core/configmaps/", from).map((c) => c.rev)).toEqual([from + 1, from + 2]);
    }));

  it("rolls back a failed transaction, revision counter included", () =>
    withStore((store, storage) => {
      store.put("/core/configmaps/default/a", Op.Created, obj("a"));
      expect(() =>
        store.transaction(storage, () => {
          store.put("/core/configmaps/default/b", Op.Created, obj("b"));
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(store.rev).toBe(1);
      expect(store.get("/core/configmaps/default/b")).toBeUndefined();
      expect(store.put("/core/configmaps/default/c", Op.Created, obj("c")).metadata.resourceVersion).toBe("2");
    }));

  it("compacts history and answers too-old revisions with TooOldError", () =>
    withStore((store) => {
      for (let i = 0; i < 7000; i++) store.put("/core/configmaps/default/hot", Op.Updated, obj("hot", { data: { i: String(i) } }));
      store.compact();
      expect(store.compacted).toBeGreaterThan(0);
      expect(store.get("/core/configmaps/default/hot")?.data.i).toBe("6999");
      expect(() => store.changesSince("/core/", 1)).toThrow(TooOldError);
      expect(() => store.list("/core/", { at: 1 })).toThrow(/too old resource version: 1/);
    }));

  it("compacts to exactly each key's last row at the compaction point and everything after, compaction after compaction", () =>
    withStore((store, storage) => {
      let seed = 11;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const live = new Set<string>();
      const rows = () => storage.sql.exec<{ rev: number; key: string; op: number }>("SELECT rev, key, op FROM log ORDER BY rev").toArray();
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 2500; i++) {
          const key = `/core/configmaps/default/c${random(300)}`;
          if (live.has(key) && random(4) === 0) {
            store.put(key, Op.Deleted, obj(key));
            live.delete(key);
          } else {
            store.put(key, live.has(key) ? Op.Updated : Op.Created, obj(key, { data: { i: String(i) } }));
            live.add(key);
          }
        }
        const before = rows();
        store.compact();
        const at = store.compacted;
        const lastAtOrBefore = new Map<string, { rev: number; op: number }>();
        for (const r of before) if (r.rev <= at) lastAtOrBefore.set(r.key, r);
        const expected = before.filter((r) => (r.rev > at ? true : lastAtOrBefore.get(r.key)!.rev === r.rev && r.op !== Op.Deleted));
        expect(rows()).toEqual(expected);
        expect(store.list("/core/configmaps/").length).toBe(live.size);
      }
    }));
});
