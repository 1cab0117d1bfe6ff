// RFC 6902 JSON Patch with the behaviour of gopkg.in/evanphx/json-patch.v4, which the real API
// server uses (handlers/patch.go, applyJSPatch):
//  - the body must decode as an array of objects, else 400 with encoding/json's message;
//  - more than 10000 operations → 413;
//  - any failure while applying → 422 with the generic Status message (the engine's own text,
//    kept here in PatchError.message, is not shown to clients).
// v4 quirks kept on purpose: `replace` of a missing object key adds it, negative array indices
// count from the end, a `test` for null passes when the path is absent.
// The `copy` operations of one patch may add at most JSON_PATCH_MAX_COPY_BYTES (v4's
// AccumulatedCopySizeLimit, set by the apiserver), so a few copies of a value into itself cannot
// double a document until the heap runs out.
import { JSON_PATCH_MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS as MAX_OPERATIONS, jsonSize } from "../limits";
import { PatchError, deepClone, deepEqual, isObject, jsonKind } from "./errors";

export { PatchError } from "./errors";

type Container = Record<string, unknown> | unknown[];

/** Check that `ops` decodes as a jsonpatch.Patch, as jsonpatch.DecodePatch does. */
export function decodeJsonPatch(ops: unknown): Record<string, unknown>[] {
  if (!Array.isArray(ops)) {
    throw new PatchError(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`, "BadRequest");
  }
  for (const op of ops) {
    if (!isObject(op) && op !== null) {
      throw new PatchError(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`, "BadRequest");
    }
  }
  if (ops.length > MAX_OPERATIONS) {
    throw new PatchError(`The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`, "TooLarge");
  }
  return ops.map((op) => (op ?? {}) as Record<string, unknown>);
}

/** Apply an RFC 6902 patch to a JSON document; returns a new document, `doc` is not modified.
 *  `copyLimit` bounds the bytes all `copy` operations together may add. */
export function applyJsonPatch(doc: unknown, ops: unknown, copyLimit = JSON_PATCH_MAX_COPY_BYTES): unknown {
  const patch = decodeJsonPatch(ops);
  // The whole document is the root container; a path "" addresses nothing (as in v4).
  const root = { value: deepClone(doc) };
  const copied = { bytes: 0, limit: copyLimit };
  for (const op of patch) {
    try {
      applyOne(root, op, copied);
    } catch (e) {
      throw e instanceof PatchError ? e : new PatchError(String(e), "Generic422");
    }
  }
  return root.value;
}

function fail(message: string): never {
  throw new PatchError(message, "Generic422");
}

function stringField(op: Record<string, unknown>, name: "path" | "from", what: string): string {
  const v = op[name];
  if (v === undefined || v === null) fail(`${what}: missing value`);
  if (typeof v !== "string") fail(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  return v;
}

/** The bytes the `copy` operations of one patch added so far, and how many they may add. */
interface CopyBudget {
  bytes: number;
  limit: number;
}

function applyOne(root: { value: unknown }, op: Record<string, unknown>, copied: CopyBudget): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  // A missing "value" is a nil node: it is written as JSON null.
  const value = () => deepClone(op.value === undefined ? null : op.value);
  switch (kind) {
    case "add": {
      const path = stringField(op, "path", "add operation failed to decode path");
      const [con, key] = findObject(root, path);
      if (!con) fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(() => add(con, key, value()), `error in add for path: '${path}'`);
      return;
    }
    case "remove": {
      const path = stringField(op, "path", "remove operation failed to decode path");
      const [con, key] = findObject(root, path);
      if (!con) fail(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(() => remove(con, key), `error in remove for path: '${path}'`);
      return;
    }
    case "replace": {
      const path = stringField(op, "path", "replace operation failed to decode path");
      const [con, key] = findObject(root, path);
      if (!con) fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      wrap(() => get(con, key), `replace operation does not apply: doc is missing key: ${path}`, true);
      wrap(() => set(con, key, value()), `error in remove for path: '${path}'`);
      return;
    }
    case "move": {
      const from = stringField(op, "from", "move operation failed to decode from");
      const [src, skey] = findObject(root, from);
      if (!src) fail(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      const val = wrap(() => get(src, skey), `error in move for path: '${skey}'`);
      wrap(() => remove(src, skey), `error in move for path: '${skey}'`);
      const path = stringField(op, "path", "move operation failed to decode path");
      const [dst, dkey] = findObject(root, path);
      if (!dst) fail(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      wrap(() => add(dst, dkey, val ?? null), `error in move for path: '${path}'`);
      return;
    }
    case "copy": {
      const from = stringField(op, "from", "copy operation failed to decode from");
      const [src, skey] = findObject(root, from);
      if (!src) fail(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const val = wrap(() => get(src, skey), `error in copy for from: '${from}'`);
      const path = stringField(op, "path", "copy operation failed to decode path");
      const [dst, dkey] = findObject(root, path);
      if (!dst) fail(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      // Measured before the value is cloned: past the limit, the count stops early.
      copied.bytes += jsonSize(val ?? null, copied.limit - copied.bytes);
      if (copied.bytes > copied.limit) {
        fail(`Unable to complete the copy, the accumulated size increase of copy is ${copied.bytes}, exceeding the limit ${copied.limit}`);
      }
      wrap(() => add(dst, dkey, deepClone(val ?? null)), "error while adding value during copy");
      return;
    }
    case "test": {
      const path = stringField(op, "path", "test operation failed to decode path");
      const [con, key] = findObject(root, path);
      if (!con) fail(`test operation does not apply: is missing path: ${path}: missing value`);
      const val = wrap(() => get(con, key), `error in test for path: '${path}'`);
      const want = op.value === undefined ? null : op.value;
      if ((val ?? null) === null ? want === null : deepEqual(val, want)) return;
      return fail(`testing value ${path} failed: test failed`);
    }
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}

/** Run `f`, prefixing the message of an engine error (errors.Wrapf). */
function wrap<T>(f: () => T, prefix: string, replaceMessage = false): T {
  try {
    return f();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    fail(replaceMessage ? `${prefix}: missing value` : `${prefix}: ${msg}`);
  }
}

function decodeKey(k: string): string {
  return k.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The container holding the last segment of `path`, and that segment (jsonpatch findObject). */
function findObject(root: { value: unknown }, path: string): [Container | undefined, string] {
  const split = path.split("/");
  if (split.length < 2) return [undefined, ""];
  let doc: unknown = root.value;
  if (!isObject(doc) && !Array.isArray(doc)) return [undefined, ""];
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(doc as Container, decodeKey(part));
    } catch {
      return [undefined, ""];
    }
    if (!isObject(next) && !Array.isArray(next)) return [undefined, ""];
    doc = next;
  }
  return [doc as Container, decodeKey(split[split.length - 1])];
}

class EngineError extends Error {}

function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) throw new EngineError(`strconv.Atoi: parsing "${key}": invalid syntax`);
  return Number(key);
}

function invalidIndex(idx: number): never {
  throw new EngineError(`Unable to access invalid index: ${idx}: invalid index referenced`);
}

function get(con: Container, key: string): unknown {
  if (!Array.isArray(con)) return con[key];
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -con.length) invalidIndex(idx);
    idx += con.length;
  }
  if (idx >= con.length) invalidIndex(idx);
  return con[idx];
}

function set(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  let idx = atoi(key);
  if (idx < 0) idx += con.length;
  con[idx] = val;
}

function add(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  if (key === "-") {
    con.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new EngineError(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = con.length + 1;
  if (idx >= size || idx < -size) invalidIndex(idx);
  if (idx < 0) idx += size;
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!(key in con)) throw new EngineError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete con[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= con.length || idx < -con.length) invalidIndex(idx);
  if (idx < 0) idx += con.length;
  con.splice(idx, 1);
}
