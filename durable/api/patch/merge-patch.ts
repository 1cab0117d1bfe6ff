// RFC 7386 JSON Merge Patch as evanphx/json-patch v4 MergePatch, used by the real API server for
// application/merge-patch+json (handlers/patch.go): null deletes a key, objects merge
// recursively, anything else replaces. A patch that is not a JSON object or array is rejected with
// 400 "Invalid JSON Patch"; an array patch replaces the whole document (the caller then fails to
// decode it as an object).
import { PatchError, deepClone, isObject } from "./errors";

export { PatchError } from "./errors";

/** Apply a JSON merge patch; returns a new document, neither argument is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object") throw new PatchError("Invalid JSON Patch", "BadRequest");
  if (Array.isArray(patch)) return pruneNulls(deepClone(patch));
  if (!isObject(doc)) return pruneNulls(deepClone(patch));
  const out = deepClone(doc);
  mergeDocs(out, patch as Record<string, unknown>);
  return out;
}

/** Merge `patch` into `doc` in place. The objects present on both sides are merged pair by pair
 *  from a stack, not by recursion: they are disjoint subtrees, so the order does not matter. */
function mergeDocs(doc: Record<string, unknown>, patch: Record<string, unknown>): void {
  const stack: [Record<string, unknown>, Record<string, unknown>][] = [[doc, patch]];
  while (stack.length > 0) {
    const [d, p] = stack.pop()!;
    for (const [k, v] of Object.entries(p)) {
      const cur = d[k];
      if (v === null) delete d[k];
      else if (!isObject(cur)) d[k] = pruneNulls(deepClone(v));
      else if (!isObject(v))
        d[k] = deepClone(v); // an object replaced by a list keeps its nulls, as in v4
      else stack.push([cur, v]);
    }
  }
}

/** Drop null members of objects, at every depth (null array elements stay, as in v4). */
function pruneNulls(v: unknown): unknown {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (isObject(x)) {
      for (const [k, y] of Object.entries(x)) {
        if (y === null) delete x[k];
        else stack.push(y);
      }
    }
  }
  return v;
}
