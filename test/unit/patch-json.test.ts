// JSON patch (RFC 6902, evanphx/json-patch v4 behaviour) and JSON merge patch (RFC 7386), with the
// Status the real API server answers when they fail.
import { describe, expect, it } from "vitest";
import { PatchError, applyJsonPatch } from "../../durable/api/patch/json-patch";
import { applyMergePatch } from "../../durable/api/patch/merge-patch";
import { deepEqual } from "../../durable/api/patch/errors";

const pod = () => ({
  metadata: { name: "p", labels: { app: "web", "a/b": "x" } },
  spec: { containers: [{ name: "c", image: "nginx", args: ["-g", "daemon off;"] }] },
});

function thrown(f: () => unknown): PatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
}

describe("JSON patch", () => {
  it("add, remove, replace, move, copy, test", () => {
    const doc = pod();
    const out = applyJsonPatch(doc, [
      { op: "test", path: "/metadata/name", value: "p" },
      { op: "add", path: "/metadata/labels/tier", value: "fe" },
      { op: "remove", path: "/metadata/labels/a~1b" },
      { op: "replace", path: "/spec/containers/0/image", value: "nginx:1.16" },
      { op: "add", path: "/spec/containers/0/args/-", value: "x" },
      { op: "add", path: "/spec/containers/0/args/0", value: "first" },
      { op: "copy", from: "/metadata/labels", path: "/metadata/annotations" },
      { op: "move", from: "/metadata/labels/tier", path: "/metadata/labels/layer" },
      { op: "remove", path: "/spec/containers/0/args/-1" },
    ]);
    expect(out).toEqual({
      metadata: { name: "p", labels: { app: "web", layer: "fe" }, annotations: { app: "web", tier: "fe" } },
      spec: { containers: [{ name: "c", image: "nginx:1.16", args: ["first", "-g", "daemon off;"] }] },
    });
    expect(doc).toEqual(pod());
  });

  it("v4 quirks: replace of a missing object key adds it; test null on an absent path passes", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "/b", value: 2 }])).toEqual({ a: 1, b: 2 });
    expect(applyJsonPatch({ a: 1 }, [{ op: "test", path: "/b", value: null }])).toEqual({ a: 1 });
  });

  it("a failing test → 422 with the generic message", () => {
    const e = thrown(() => applyJsonPatch(pod(), [{ op: "test", path: "/metadata/name", value: "q" }]));
    expect(e.code).toBe(422);
    expect(e.message).toBe("testing value /metadata/name failed: test failed");
    expect(e.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server rejected our request due to an error in our request",
      reason: "Invalid",
      details: {},
      code: 422,
    });
  });

  it("missing paths and bad indices → 422", () => {
    let e = thrown(() => applyJsonPatch(pod(), [{ op: "remove", path: "/metadata/annotations/x" }]));
    expect([e.code, e.message]).toEqual([
      422,
      'remove operation does not apply: doc is missing path: "/metadata/annotations/x": missing value',
    ]);
    e = thrown(() => applyJsonPatch(pod(), [{ op: "remove", path: "/metadata/labels/zzz" }]));
    expect(e.message).toBe("error in remove for path: '/metadata/labels/zzz': Unable to remove nonexistent key: zzz: missing value");
    e = thrown(() => applyJsonPatch(pod(), [{ op: "add", path: "/spec/containers/5", value: {} }]));
    expect(e.message).toBe("error in add for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced");
    e = thrown(() => applyJsonPatch(pod(), [{ op: "add", path: "/a/b/c", value: 1 }]));
    expect(e.message).toBe('add operation does not apply: doc is missing path: "/a/b/c": missing value');
    e = thrown(() => applyJsonPatch(pod(), [{ op: "frob", path: "/a" }]));
    expect([e.code, e.message]).toEqual([422, "Unexpected kind: frob"]);
  });

  it("a body that is not a list of operations → 400 with the decoder's message", () => {
    let e = thrown(() => applyJsonPatch(pod(), { op: "add" }));
    expect(e.toStatus()).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    });
    e = thrown(() => applyJsonPatch(pod(), ["x"]));
    expect(e.message).toBe("json: cannot unmarshal string into Go value of type jsonpatch.Operation");
  });

  it("more than 10000 operations → 413", () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: "test", path: "/metadata/name", value: "p" }));
    const e = thrown(() => applyJsonPatch(pod(), ops));
    expect(e.toStatus()).toMatchObject({
      code: 413,
      reason: "RequestEntityTooLarge",
      message: "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001",
    });
  });
});

describe("JSON merge patch", () => {
  it("merges objects, null deletes, lists replace", () => {
    const doc = pod();
    const out = applyMergePatch(doc, {
      metadata: { labels: { app: null, tier: "fe" }, annotations: { a: "1", b: null } },
      spec: { containers: [{ name: "c", image: "nginx:1.16" }] },
    });
    expect(out).toEqual({
      metadata: { name: "p", labels: { "a/b": "x", tier: "fe" }, annotations: { a: "1" } },
      spec: { containers: [{ name: "c", image: "nginx:1.16" }] },
    });
    expect(doc).toEqual(pod());
  });

  it("kubectl scale / label style patches", () => {
    expect(applyMergePatch({ spec: { replicas: 1 } }, { spec: { replicas: 3 } })).toEqual({ spec: { replicas: 3 } });
    expect(applyMergePatch({ a: "x" }, { a: { b: 1, c: null } })).toEqual({ a: { b: 1 } });
  });

  it("a patch that is not an object → 400 Invalid JSON Patch", () => {
    for (const p of [null, "x", 3]) {
      const e = thrown(() => applyMergePatch(pod(), p));
      expect(e.toStatus()).toMatchObject({ code: 400, reason: "BadRequest", message: "Invalid JSON Patch" });
    }
  });
});

/** `{x:{x:…1}}`, `depth` objects deep. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { x: v };
  return v;
}

describe("bounds", () => {
  it("counts each copy's JSON size against the accumulated copy limit, with v4's message", () => {
    const doc = { foo: ["A", "A".repeat(49)] };
    const ops = [
      { op: "copy", path: "/foo/-", from: "/foo/1" },
      { op: "copy", path: "/foo/-", from: "/foo/1" },
    ];
    // The quotes count: each copy adds 51 bytes.
    expect(applyJsonPatch(doc, ops, 102)).toEqual({ foo: ["A", "A".repeat(49), "A".repeat(49), "A".repeat(49)] });
    const e = thrown(() => applyJsonPatch(doc, ops, 101));
    expect(e.message).toBe("Unable to complete the copy, the accumulated size increase of copy is 102, exceeding the limit 101");
    expect(e.toStatus()).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: "the server rejected our request due to an error in our request",
    });
  });

  it("stops copies of an object into itself before the document grows", () => {
    const ops: unknown[] = [{ op: "add", path: "/a", value: { k: "v".repeat(1000) } }];
    for (let i = 0; i < 30; i++) ops.push({ op: "copy", from: "/a", path: `/a/c${i}` });
    expect(thrown(() => applyJsonPatch({}, ops)).message).toMatch(
      /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/,
    );
  });

  it("applies JSON and merge patches to documents 10000 deep without overflowing the stack", () => {
    // (vitest's own toEqual recurses: compared with the engines' iterative deepEqual)
    const deep = nested(9999);
    const patched = applyJsonPatch({ a: 1 }, [
      { op: "add", path: "/deep", value: deep },
      { op: "test", path: "/deep", value: deep },
    ]);
    expect(deepEqual(patched, { a: 1, deep })).toBe(true);
    expect(deepEqual(applyMergePatch({ deep }, { deep: nested(9999), b: { c: null } }), { deep, b: {} })).toBe(true);
    expect(deepEqual(applyMergePatch({ deep }, { deep: { x: null } }), { deep: {} })).toBe(true);
  });
});
