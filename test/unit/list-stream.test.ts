// Lists of a cluster holding more than a list's worth of memory are written a page at a time: the
// same JSON (metadata after the items), for every shape, with paging and ?pretty.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { ApiServer } from "../../durable/api/server";
import { WatchHub } from "../../durable/api/watch";
import { MATERIALIZE_BYTES, streamedObject } from "../../durable/api/liststream";
import { byPlural } from "../../durable/resources";

function withServer<T>(
  fn: (get: (path: string, accept?: string) => Promise<{ status: number; type: string | null; text: string }>) => Promise<T>,
): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  return runInDurableObject(ns.get(ns.newUniqueId()), async (_i, state) => {
    const store = new Store(state.storage.sql);
    const registry = new Registry({ store, now: () => Date.parse("2025-05-01T12:00:00Z"), maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    // Past the materialising threshold: ten ConfigMaps of 1 MiB, and small ones to page through.
    const big = "x".repeat(1024 * 1024);
    for (let i = 0; i < 10; i++) registry.create(byPlural("configmaps")!, "default", { metadata: { name: `big-${i}` }, data: { k: big } });
    for (let i = 0; i < 30; i++)
      registry.create(byPlural("configmaps")!, "default", {
        metadata: { name: `small-${String(i).padStart(2, "0")}`, labels: { n: String(i % 3) } },
        data: { k: "v" },
      });
    expect(store.liveBytes).toBeGreaterThan(MATERIALIZE_BYTES);
    const server = new ApiServer(registry, new WatchHub(store, () => registry.ctx()), (f) => store.transaction(state.storage, f));
    return fn(async (path, accept) => {
      const res = await server.handle(
        new Request(`https://k8s.test${path}`, { headers: accept ? { accept } : {} }),
        path.split("?")[0],
        "",
      );
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    });
  });
}

describe("a streamed list", () => {
  it("is the JSON of the whole list, metadata after the items", () =>
    withServer(async (get) => {
      const res = await get("/api/v1/namespaces/default/configmaps");
      expect(res.status).toBe(200);
      const list = JSON.parse(res.text);
      expect(Object.keys(list)).toEqual(["kind", "apiVersion", "items", "metadata"]);
      expect(list.kind).toBe("ConfigMapList");
      expect(list.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => `big-${i}`),
        ...Array.from({ length: 30 }, (_, i) => `small-${String(i).padStart(2, "0")}`),
      ]);
      expect(list.items[0].data.k).toHaveLength(1024 * 1024);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
    }));

  it("pages with limit and continue, selectors applied, the remaining count given", () =>
    withServer(async (get) => {
      const first = JSON.parse((await get("/api/v1/namespaces/default/configmaps?limit=12")).text);
      expect(first.items).toHaveLength(12);
      expect(first.metadata.remainingItemCount).toBe(28);
      const second = JSON.parse(
        (await get(`/api/v1/namespaces/default/configmaps?limit=100&continue=${encodeURIComponent(first.metadata.continue)}`)).text,
      );
      expect(second.items).toHaveLength(28);
      expect(second.metadata.continue).toBeUndefined();
      const selected = JSON.parse((await get("/api/v1/namespaces/default/configmaps?labelSelector=n%3D1")).text);
      expect(selected.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(
        Array.from({ length: 10 }, (_, i) => `small-${String(3 * i + 1).padStart(2, "0")}`),
      );
    }));

  it("is indented by two spaces with ?pretty=true, as json.Indent would", () =>
    withServer(async (get) => {
      const res = await get("/api/v1/namespaces/default/configmaps?pretty=true&labelSelector=n%3D2");
      expect(res.text).toBe(JSON.stringify(JSON.parse(res.text), null, 2));
      expect(JSON.parse(res.text).items).toHaveLength(10);
      const none = await get("/api/v1/namespaces/default/configmaps?pretty=true&labelSelector=n%3D9");
      expect(none.text).toBe(JSON.stringify(JSON.parse(none.text), null, 2));
      expect(JSON.parse(none.text).items).toEqual([]);
    }));

  it("serves Tables and PartialObjectMetadataLists page by page", () =>
    withServer(async (get) => {
      const table = await get("/api/v1/namespaces/default/configmaps", "application/json;as=Table;v=v1;g=meta.k8s.io");
      expect(table.type).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
      const t = JSON.parse(table.text);
      expect(t.kind).toBe("Table");
      expect(t.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "Data", "Age"]);
      expect(t.rows).toHaveLength(40);
      expect(t.rows[0].cells.slice(0, 2)).toEqual(["big-0", 1]);
      const meta = JSON.parse(
        (await get("/api/v1/namespaces/default/configmaps", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")).text,
      );
      expect(meta.kind).toBe("PartialObjectMetadataList");
      expect(meta.items).toHaveLength(40);
      expect(meta.items[0]).toEqual({
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: expect.objectContaining({ name: "big-0" }),
      });
    }));
});

describe("streamedObject", () => {
  it("reads a page only when the one before was taken", async () => {
    let read = 0;
    function* pages() {
      for (let i = 0; i < 3; i++) {
        read++;
        yield [{ i }];
      }
    }
    const reader = streamedObject({ kind: "L" }, "items", pages(), () => ({ metadata: {} }), false).getReader();
    await new Promise((r) => setTimeout(r, 5));
    expect(read).toBe(0);
    await reader.read();
    expect(read).toBe(1);
    let text = new TextDecoder().decode((await reader.read()).value);
    expect(read).toBe(2);
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text).toBe(',{"i":1},{"i":2}],"metadata":{}}');
  });
});
