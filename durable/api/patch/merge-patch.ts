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
  return mergeDocs(deepClone(doc), patch as Record<string, unknown>);
}

function mergeDocs(doc: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
    } else if (doc[k] === undefined || doc[k] === null) {
      doc[k] = pruneNulls(deepClone(v));
    } else {
      doc[k] = merge(doc[k], v);
    }
  }
  return doc;
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isObject(cur)) return pruneNulls(deepClone(patch));
  if (!isObject(patch)) return deepClone(patch);
  return mergeDocs(cur, patch);
}

/** Drop null members of objects, recursively (null array elements stay, as in v4). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    v.forEach(pruneNulls);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
