// Errors of the PATCH engines, carrying how the real API server reports them, and the helpers on
// decoded JSON the engines share (none of them recurses: a patch may be 10000 levels deep).
//
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go maps engine errors to HTTP:
//  - a body that does not decode (jsonpatch.DecodePatch, merge patch not JSON) → 400 BadRequest
//    with the decoder's message;
//  - a JSON patch that fails to apply → NewGenericServerResponse(422): the engine's text is
//    dropped and the Status says "the server rejected our request due to an error in our request";
//  - strategic merge patch: a few mergepatch sentinels → 400 or 422 (interpretStrategicMergePatchError),
//    everything else is a plain Go error → 500 with the error text and no reason.

import { cloneTree } from "../limits";

/** The metav1.Status the server answers with (kind/apiVersion included). */
export interface PatchStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

export type PatchErrorKind =
  | "BadRequest" // 400, Status message = engine message
  | "Generic422" // 422 Invalid, engine message hidden behind the generic text
  | "TooLarge" // 413 RequestEntityTooLarge
  | "Internal"; // 500, a plain error: message = engine message, no reason

const GENERIC_422 = "the server rejected our request due to an error in our request";

export class PatchError extends Error {
  /** HTTP status code the real server answers with. */
  readonly code: number;

  constructor(
    message: string,
    readonly kind: PatchErrorKind = "Internal",
  ) {
    super(message);
    this.name = "PatchError";
    this.code = { BadRequest: 400, Generic422: 422, TooLarge: 413, Internal: 500 }[kind];
  }

  /** The exact Status body of the real server for this error. */
  toStatus(): PatchStatus {
    const base = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure" } as const;
    switch (this.kind) {
      case "BadRequest":
        return { ...base, message: this.message, reason: "BadRequest", code: 400 };
      case "Generic422":
        return { ...base, message: GENERIC_422, reason: "Invalid", details: {}, code: 422 };
      case "TooLarge":
        return { ...base, message: `Request entity too large: ${this.message}`, reason: "RequestEntityTooLarge", code: 413 };
      case "Internal":
        return { ...base, message: this.message, code: 500 };
    }
  }
}

/** Go's fmt `%v` of a decoded JSON value (maps print sorted as `map[k:v]`, nil as `<nil>`).
 *  Built with an explicit stack: error messages may quote a patch of any depth. */
export function goFmt(value: unknown): string {
  const out: string[] = [];
  // Each entry is a value to print or a literal piece of text.
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (v === null || v === undefined) out.push("<nil>");
    else if (Array.isArray(v) || typeof v === "object") {
      const entries = Array.isArray(v)
        ? v.map((x): [string, unknown] => ["", x])
        : Object.keys(v as Record<string, unknown>)
            .sort()
            .map((k): [string, unknown] => [`${k}:`, (v as Record<string, unknown>)[k]]);
      const parts: ({ text: string } | { value: unknown })[] = [{ text: Array.isArray(v) ? "[" : "map[" }];
      entries.forEach(([label, x], i) => parts.push({ text: `${i > 0 ? " " : ""}${label}` }, { value: x }));
      parts.push({ text: "]" });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (typeof v === "number" && !Number.isInteger(v)) out.push(String(v).replace(/e([+-])(\d)$/, "e$10$2"));
    else out.push(String(v));
  }
  return out.join("");
}

/** Go's reflect type name of a decoded JSON value, as in mergepatch.ErrBadArgType. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  switch (typeof v) {
    case "object":
      return "map[string]interface {}";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int64" : "float64";
    default:
      return typeof v;
  }
}

/** encoding/json's word for a JSON value in "cannot unmarshal X into Go value of type T". */
export function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v === "boolean" ? "bool" : typeof v; // "string" | "number"
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A deep copy that no nesting depth can make overflow the stack. */
export function deepClone<T>(v: T): T {
  return cloneTree(v);
}

/** Deep equality of decoded JSON values, with an explicit stack. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      x.forEach((v, i) => stack.push([v, y[i]]));
    } else if (isObject(x) && isObject(y)) {
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const k of keys) {
        if (!(k in y)) return false;
        stack.push([x[k], y[k]]);
      }
    } else return false;
  }
  return true;
}
