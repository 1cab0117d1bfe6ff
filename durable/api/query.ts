// Boolean query parameters as the real API server decodes them. Options structs (ListOptions,
// PodLogOptions, PodExecOptions, PodAttachOptions, DeleteOptions, …) go through the parameter
// codec, whose runtime.Convert_Slice_string_To_bool makes only an absent parameter, "0" and any
// casing of "false" false: `?watch=True`, `?follow=1`, `?stdin=t` and even `?watch=` are true, and
// nothing is refused. `?pretty` alone is read with strconv.ParseBool (negotiation.isPrettyPrint),
// where a value ParseBool refuses counts as false.

/** runtime.Convert_Slice_string_To_bool on the first value of `name`. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

const PARSE_BOOL_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const PARSE_BOOL_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's strconv.ParseBool: undefined for a spelling it refuses. */
export function parseBool(v: string): boolean | undefined {
  if (PARSE_BOOL_TRUE.has(v)) return true;
  if (PARSE_BOOL_FALSE.has(v)) return false;
  return undefined;
}
