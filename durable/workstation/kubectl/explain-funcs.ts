// What explain's template leans on from Go: text/template's notion of truth (and `or`, `eq`), and
// the functions kubectl gives it (k8s.io/kubectl/pkg/explain/v2/funcs.go) that are more than a line
// of TypeScript: wrap, indent, contains, resolveRef.
import { wrapString } from "./explain-wordwrap";

/** A schema or document as encoding/json decodes it into map[string]interface{}. */
export type Json = Record<string, unknown>;

/** text/template's truth: the zero value (nil, false, 0, "", an empty map or slice) is false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** `or a b`: the first true argument, else the last. */
export function or<A, B>(a: A, b: B): A | B {
  return truthy(a) ? a : b;
}

/** A map as `range` walks it: keys in sorted (byte) order. JSON keys here are ASCII. */
export function sortedKeys(m: unknown): string[] {
  if (!m || typeof m !== "object" || Array.isArray(m)) return [];
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A slice for `range`: anything else ranges over nothing here. */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The field of a map (`$x.name`), nothing when it is not one. */
export const field = (v: unknown, name: string): unknown =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Json)[name] : undefined;

/** `and X (not (eq "bool" (printf "%T" X)))`: a schema, not `additionalProperties: true`. */
export const isSchema = (v: unknown): boolean => truthy(v) && typeof v !== "boolean";

/** reflect.DeepEqual of two decoded JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && deepEqual((a as Json)[k], (b as Json)[k]));
}

/** `contains list value`: a slice holding an element DeepEqual to value. */
export const contains = (l: unknown, value: unknown): boolean => Array.isArray(l) && l.some((x) => deepEqual(x, value));

/** `indent n s`: n spaces before s and after each of its newlines. */
export function indent(amount: number, s: string): string {
  const pad = " ".repeat(Math.max(0, amount));
  return pad + s.replaceAll("\n", `\n${pad}`);
}

/** `wrap l s`: term.NewWordWrapWriter, which passes text through unwrapped for a limit of 0; a
 *  negative limit is a huge uint in Go, so nothing is long enough to break. */
export function wrap(limit: number, s: string): string {
  if (limit === 0) return s;
  return wrapString(s, limit < 0 ? Number.MAX_SAFE_INTEGER : limit);
}

/**
 * `resolveRef ref document`: the schema a same-document JSON reference ("#/components/schemas/X")
 * points at, or nothing — for anything not a string, a reference with a path, query or no fragment
 * (go-openapi/jsonreference's HasFragmentOnly), or a component missing on the way.
 */
export function resolveRef(ref: unknown, document: Json): Json | undefined {
  if (typeof ref !== "string") return undefined;
  const m = /^#(.*)$/s.exec(ref);
  if (!m || m[1] === "") return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
  let cur: Json = document;
  for (const k of fragment.split("/")) {
    if (!k) continue;
    const next = cur[k];
    if (!next || typeof next !== "object" || Array.isArray(next)) return undefined;
    cur = next as Json;
  }
  return cur;
}
