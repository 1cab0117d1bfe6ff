// The bounds the real API server puts on what one request may make it decode or build, in one
// place, with the iterative measures that check them (a hostile body must not be able to drive a
// recursion past the stack or a copy past the heap).

/** genericapiserver's MaxRequestBodyBytes: 3 MiB, the largest body read and the largest object a
 *  patch may build. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** encoding/json's (and sigs.k8s.io/json's) maxNestingDepth: deeper documents do not decode. */
export const MAX_DEPTH = 10000;

/** handlers/patch.go maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** genericapiserver's JSONPatchMaxCopyBytes, the apiserver's value of evanphx/json-patch's
 *  AccumulatedCopySizeLimit: how many bytes the `copy` operations of one patch may add. */
export const JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

/** The message of the request-body and patched-object bound (NewRequestEntityTooLargeError adds
 *  "Request entity too large: " in front). */
export const TOO_LARGE_DETAIL = `limit is ${MAX_REQUEST_BYTES}`;

/**
 * The opening character of the first object or array nested deeper than `max` (in document
 * order), or undefined when `value` is within the limit. Walks with an explicit stack.
 */
export function deeperThan(value: unknown, max = MAX_DEPTH): "{" | "[" | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return Array.isArray(v) ? "[" : "{";
    const children = Array.isArray(v) ? v : Object.values(v);
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c !== null && typeof c === "object") stack.push([c, depth + 1]);
    }
  }
  return undefined;
}

/** encoding/json's syntax error for a document nested past MAX_DEPTH (scanner.pushParseState). */
export function maxDepthMessage(bracket: "{" | "["): string {
  return `invalid character '${bracket}' exceeded max depth`;
}

/**
 * The size in bytes of `value` serialised as compact JSON by Go's encoding/json (UTF-8, with
 * <, >, & and U+2028/9 escaped), counted without serialising it. Counting stops as soon as the
 * total passes `budget`, so measuring a huge value against a small budget costs little: the
 * result is then some number above `budget`, not the full size.
 */
export function jsonSize(value: unknown, budget = Infinity): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= budget) {
    const v = stack.pop();
    if (v === null || v === undefined) total += 4;
    else if (typeof v === "string") total += stringSize(v, budget - total);
    else if (typeof v === "number") total += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === "boolean") total += v ? 4 : 5;
    else if (Array.isArray(v)) {
      total += 2 + Math.max(0, v.length - 1);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      total += 2 + Math.max(0, entries.length - 1);
      for (let i = entries.length - 1; i >= 0; i--) {
        total += stringSize(entries[i][0], budget - total) + 1;
        stack.push(entries[i][1]);
      }
    }
  }
  return total;
}

/** Quoted JSON size of `s`; a string longer than `budget` is not scanned. */
function stringSize(s: string, budget: number): number {
  if (s.length + 2 > budget) return s.length + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) n += 2;
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A deep copy of a JSON-like value (plain objects, arrays, primitives; keys whose value is
 * undefined are kept), with an explicit stack: workerd's structuredClone overflows the stack on
 * documents about 2000 deep, well within MAX_DEPTH.
 */
export function cloneTree<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const copy = (v: object): object => (Array.isArray(v) ? new Array(v.length) : {});
  const root = copy(value);
  const stack: [object, object][] = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const [k, v] of Object.entries(from)) {
      if (v !== null && typeof v === "object") {
        const c = copy(v);
        stack.push([v, c]);
        (to as Record<string, unknown>)[k] = c;
      } else (to as Record<string, unknown>)[k] = v;
    }
  }
  return root as T;
}

/** JSON.stringify without recursion: in a Durable Object, JSON.stringify overflows the stack on
 *  values some thousands deep. Used where such a value must still be shown (error messages). */
export function toJson(value: unknown): string {
  const out: string[] = [];
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v ?? null));
      continue;
    }
    const entries = Array.isArray(v)
      ? v.map((x): [string, unknown] => ["", x === undefined ? null : x])
      : Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]): [string, unknown] => [`${JSON.stringify(k)}:`, x]);
    const parts: ({ text: string } | { value: unknown })[] = [{ text: Array.isArray(v) ? "[" : "{" }];
    entries.forEach(([label, x], i) => parts.push({ text: `${i > 0 ? "," : ""}${label}` }, { value: x }));
    parts.push({ text: Array.isArray(v) ? "]" : "}" });
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
  return out.join("");
}
