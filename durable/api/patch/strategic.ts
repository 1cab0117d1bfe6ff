// Strategic merge patch, the server half of k8s.io/apimachinery/pkg/util/strategicpatch
// (StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls), driven by swagger-2.0
// definitions instead of Go struct tags. The patch metadata (x-kubernetes-patch-strategy /
// x-kubernetes-patch-merge-key) comes from the definition's property or, failing that, from
// durable/openapi/patch-meta.json, which lists the Go struct tags of the built-in types.
//
// Directives: `$patch: replace|delete` on maps and on list items (merge lists), `$patch: merge` is
// refused in lists as upstream, `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`,
// `$retainKeys`; null deletes a key. Error texts and their HTTP codes follow upstream
// (mergepatch errors + apiserver interpretStrategicMergePatchError).
import patchMetaJson from "../../openapi/patch-meta.json";
import { PatchError, deepClone, goFmt, goType, isObject, jsonKind } from "./errors";

export { PatchError } from "./errors";

/** A swagger-2.0 schema node (the parts that matter to patching). */
export interface SwaggerSchema {
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: SwaggerSchema[];
  properties?: Record<string, SwaggerSchema>;
  items?: SwaggerSchema;
  additionalProperties?: SwaggerSchema | boolean;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-patch-merge-key"?: string;
  [extra: string]: unknown;
}
export type Definitions = Record<string, SwaggerSchema>;

/** Patch metadata of one field, as in the Go struct tags. */
export interface PatchMeta {
  /** "merge", "replace", "retainKeys", "merge,retainKeys" or undefined (replace/atomic). */
  strategy?: string;
  mergeKey?: string;
}
/** patch-meta.json: definition name → json field → metadata. */
export type PatchMetaTable = Record<string, Record<string, PatchMeta>>;

export const BUILTIN_PATCH_META = patchMetaJson as PatchMetaTable;

// ---------------------------------------------------------------------------------------------
// Schema: the Go reflect.Type stand-in (PatchMetaFromStruct).

type GoKind = "struct" | "map" | "slice" | "string" | "int64" | "float64" | "bool" | "interface";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList";
const SET_ORDER_PREFIX = "$setElementOrder";

export class PatchSchema {
  private constructor(
    private readonly defs: Definitions,
    private readonly meta: PatchMetaTable,
    readonly kind: GoKind,
    /** Go type name for messages ("PodSpec"), "" for anonymous types. */
    readonly typeName: string,
    /** Definition name ("io.k8s.api.core.v1.PodSpec") when this is a named definition. */
    readonly definition: string | undefined,
    private readonly node: SwaggerSchema | undefined,
  ) {}

  /** Resolve a schema node ($ref, allOf-wrapped $ref, array, map, object, scalar). */
  static of(defs: Definitions, node: SwaggerSchema | undefined, meta: PatchMetaTable = BUILTIN_PATCH_META): PatchSchema {
    const ref = node?.$ref ?? node?.allOf?.find((s) => s.$ref)?.$ref;
    if (ref !== undefined) {
      const name = ref.replace(/^#\/(definitions|components\/schemas)\//, "");
      const def = defs[name];
      const inner = def ? PatchSchema.of(defs, def, meta) : undefined;
      // A definition is named after its Go type; scalars (Quantity, Time, IntOrString) stay scalars.
      if (inner && inner.kind !== "struct") return inner;
      return new PatchSchema(defs, meta, "struct", name.slice(name.lastIndexOf(".") + 1), name, def);
    }
    if (!node) return new PatchSchema(defs, meta, "interface", "", undefined, node);
    switch (node.type) {
      case "array":
        return new PatchSchema(defs, meta, "slice", "", undefined, node);
      case "string":
        return new PatchSchema(defs, meta, "string", "", undefined, node);
      case "integer":
        return new PatchSchema(defs, meta, "int64", "", undefined, node);
      case "number":
        return new PatchSchema(defs, meta, "float64", "", undefined, node);
      case "boolean":
        return new PatchSchema(defs, meta, "bool", "", undefined, node);
    }
    if (node.additionalProperties !== undefined && node.additionalProperties !== false && !node.properties) {
      return new PatchSchema(defs, meta, "map", "", undefined, node);
    }
    if (node.type === "object" || node.properties) return new PatchSchema(defs, meta, "struct", "", undefined, node);
    return new PatchSchema(defs, meta, "interface", "", undefined, node);
  }

  /** PatchMetaFromStruct.Name(): the Go kind. */
  name(): string {
    return this.kind;
  }

  /** The schema and patch metadata of `key` in this struct or map (LookupPatchMetadataForStruct). */
  lookupStruct(key: string): [PatchSchema, PatchMeta] {
    if (this.kind === "map") {
      const ap = this.node?.additionalProperties;
      return [PatchSchema.of(this.defs, typeof ap === "object" ? ap : undefined, this.meta), {}];
    }
    if (this.kind !== "struct") {
      throw new PatchError(`merging an object in json but data type is not map or struct, instead is: ${this.kind}`);
    }
    const prop = this.node?.properties?.[key];
    if (!prop) {
      throw new PatchError(`unable to find api field in struct ${this.typeName} for the json field "${key}"`);
    }
    const fromTable = this.definition ? this.meta[this.definition]?.[key] : undefined;
    const strategy = prop["x-kubernetes-patch-strategy"] ?? fromTable?.strategy;
    const mergeKey = prop["x-kubernetes-patch-merge-key"] ?? fromTable?.mergeKey;
    const meta: PatchMeta = {};
    if (strategy) meta.strategy = strategy;
    if (mergeKey) meta.mergeKey = mergeKey;
    return [PatchSchema.of(this.defs, prop, this.meta), meta];
  }

  /** The element schema and patch metadata of list field `key` (LookupPatchMetadataForSlice). */
  lookupSlice(key: string): [PatchSchema, PatchMeta] {
    const [sub, meta] = this.lookupStruct(key);
    if (sub.kind !== "slice") throw new PatchError(`expected slice or array type, but got: ${this.kind}`);
    const elem = PatchSchema.of(this.defs, sub.node?.items, this.meta);
    if (elem.kind === "slice") throw new PatchError("unexpected slice of slice");
    return [elem, meta];
  }
}

/** The patch schema of a named definition, e.g. schemaFor(defs, "io.k8s.api.apps.v1.Deployment"). */
export function schemaFor(definitions: Definitions, name: string, meta: PatchMetaTable = BUILTIN_PATCH_META): PatchSchema {
  return PatchSchema.of(definitions, { $ref: `#/definitions/${name}` }, meta);
}

/**
 * Patch metadata of the field at `path` below a definition, e.g.
 * fieldPatchMeta(defs, "io.k8s.api.apps.v1.Deployment", ["spec", "template", "spec", "containers"])
 * → {strategy: "merge", mergeKey: "name"}. List elements are stepped through implicitly.
 * Returns undefined when the path is not in the schema.
 */
export function fieldPatchMeta(definitions: Definitions, name: string, path: string[], meta?: PatchMetaTable): PatchMeta | undefined {
  let schema = schemaFor(definitions, name, meta);
  let result: PatchMeta = {};
  let inList = false;
  try {
    for (const key of path) {
      if (inList && /^\d+$/.test(key)) {
        inList = false;
        continue;
      }
      const [sub, m] = schema.lookupStruct(key);
      result = m;
      inList = sub.kind === "slice";
      schema = inList ? schema.lookupSlice(key)[0] : sub;
    }
  } catch {
    return undefined;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The merge (mergeMap and friends of patch.go).

type JMap = Record<string, unknown>;

const ErrBadPatchFormatForPrimitiveList = () => new PatchError("invalid patch format of primitive list", "BadRequest");
const ErrBadPatchFormatForRetainKeys = () => new PatchError("invalid patch format of retainKeys", "BadRequest");
const ErrBadPatchFormatForSetElementOrderList = () => new PatchError("invalid patch format of setElementOrder list", "BadRequest");
const ErrNoListOfLists = () => new PatchError("lists of lists are not supported", "Generic422");
const ErrNoMergeKey = (m: unknown, k: string) => new PatchError(`map: ${goFmt(m)} does not contain declared merge key: ${k}`);
const ErrBadArgType = (expected: string, actual: unknown) => new PatchError(`expected a ${expected}, but received a ${goType(actual)}`);
const ErrBadPatchType = (t: unknown, m: unknown) => new PatchError(`unknown patch type: ${goFmt(t)} in map: ${goFmt(m)}`);

/**
 * Apply a strategic merge patch to `doc` (a decoded object) with the schema of its type.
 * Returns a new object; the arguments are not modified. Throws PatchError.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema): Record<string, unknown> {
  if (!isObject(patch)) {
    throw new PatchError(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`, "BadRequest");
  }
  const original = isObject(doc) ? deepClone(doc) : {};
  return mergeMap(original, deepClone(patch), schema);
}

function mergeMap(original: JMap | undefined, patch: JMap, schema: PatchSchema): JMap {
  if (DIRECTIVE in patch) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  original ??= {};
  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, schema);

  for (let [k, patchV] of Object.entries(patch)) {
    let isDeleteList = false;
    if (k.startsWith(DELETE_PRIMITIVE_PREFIX)) {
      k = extractKey(k, DELETE_PRIMITIVE_PREFIX);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      continue; // IgnoreUnmatchedNulls
    }
    if (!(k in original) || !sameType(original[k], patchV)) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) original[k] = clean(v);
        else delete original[k];
      }
      continue;
    }
    const cur = original[k];
    if (isObject(cur)) {
      const [sub, meta] = schema.lookupStruct(k);
      const [, strategy] = extractRetainKeysPatchStrategy(meta.strategy);
      original[k] = strategy === "replace" ? clean(patchV) : mergeMap(cur, patchV as JMap, sub);
    } else if (Array.isArray(cur)) {
      const [elem, meta] = schema.lookupSlice(k);
      const [, strategy] = extractRetainKeysPatchStrategy(meta.strategy);
      original[k] = mergeSliceHandler(cur, patchV as unknown[], elem, strategy, meta.mergeKey ?? "", isDeleteList);
    } else {
      const [v, keep] = removeDirectives(patchV);
      if (keep) original[k] = v;
      else delete original[k];
    }
  }
  return original;
}

/** reflect.TypeOf equality of two decoded JSON values (numbers are one type here). */
function sameType(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
  return typeof a === typeof b;
}

function handleDirectiveInMergeMap(directive: unknown, patch: JMap): JMap {
  if (directive === "replace") {
    delete patch[DIRECTIVE];
    return clean(patch);
  }
  if (directive === "delete") return {};
  throw ErrBadPatchType(directive, patch);
}

function extractRetainKeysPatchStrategy(strategy: string | undefined): [boolean, string] {
  const strategies = strategy === undefined ? [] : strategy.split(",");
  switch (strategies.length) {
    case 0:
      return [false, ""];
    case 1:
      return strategies[0] === "retainKeys" ? [true, ""] : [false, strategies[0]];
    case 2:
      if (strategies[0] === "retainKeys") return [true, strategies[1]];
      if (strategies[1] === "retainKeys") return [true, strategies[0]];
  }
  throw new PatchError(`unexpected patch strategy: ${goFmt(strategies)}`);
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf("/");
  if (i < 0 || s.slice(0, i) !== prefix) {
    if (prefix === DELETE_PRIMITIVE_PREFIX) throw ErrBadPatchFormatForPrimitiveList();
    if (prefix === SET_ORDER_PREFIX) throw ErrBadPatchFormatForSetElementOrderList();
    throw new PatchError(`fail to find unknown prefix "${prefix}" in ${s}\n`);
  }
  return s.slice(i + 1);
}

function applyRetainKeysDirective(original: JMap, patch: JMap): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw ErrBadPatchFormatForRetainKeys();
  const retain = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!retain.has(k)) throw ErrBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retain.has(k)) delete original[k];
}

/** Process every `$setElementOrder/<field>` with its list: merge, then order. */
function mergePatchIntoOriginal(original: JMap, patch: JMap, schema: PatchSchema): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER_PREFIX)) continue;
    delete patch[key];
    if (!Array.isArray(order)) throw ErrBadArgType("[]interface {}", order);
    const originalKey = extractKey(key, SET_ORDER_PREFIX);
    const foundOriginal = originalKey in original;
    const foundPatch = originalKey in patch;
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    if (foundOriginal && !Array.isArray(originalList)) throw ErrBadArgType("[]interface {}", originalList);
    if (foundPatch && !Array.isArray(patchList)) throw ErrBadArgType("[]interface {}", patchList);
    const originalValue = (originalList ?? []) as unknown[];
    const patchValue = (patchList ?? []) as unknown[];

    const [elem, meta] = schema.lookupSlice(originalKey);
    const [, strategy] = extractRetainKeysPatchStrategy(meta.strategy);
    const mergeKey = meta.mergeKey ?? "";
    validatePatchWithSetOrderList(patchValue, order, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalValue;
    else if (!foundOriginal && foundPatch) merged = clean(removeDirectives(patchValue)[0]) as unknown[];
    else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(originalValue, patchValue, elem, strategy, mergeKey, false);
    } else continue;

    const [patchItems, serverOnly] = mergeKey
      ? partitionMapsByPresentInList(merged, order, mergeKey)
      : partitionPrimitivesByPresentInList(merged, order);
    const kind = sliceElementKind(originalValue, patchValue);
    original[originalKey] = normalizeElementOrder(patchItems, serverOnly, order, originalValue, mergeKey, kind);
    delete patch[originalKey];
  }
}

function validatePatchWithSetOrderList(patchList: unknown[], setOrderList: unknown[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrderList.length) {
    if (isObject(nonDelete[p]) && DIRECTIVE in (nonDelete[p] as JMap)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p], setOrderList[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrderList.length) {
    throw new PatchError(
      `The order in patch list:\n${goFmt(patchList)}\n doesn't match ${SET_ORDER_PREFIX} list:\n${goFmt(setOrderList)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw ErrBadArgType("map[string]interface {}", left);
  if (!isObject(right)) throw ErrBadArgType("map[string]interface {}", right);
  if (!(mergeKey in left)) throw ErrNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw ErrNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  elem: PatchSchema,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  // Delete lists are handled the same way whatever the field's strategy is.
  if (strategy === "merge" || isDeleteList) return mergeSlice(original, patch, elem, mergeKey, isDeleteList);
  return clean(patch);
}

function mergeSlice(original: unknown[], patch: unknown[], elem: PatchSchema, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  if (kind !== "map") {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.filter((v) => !del.has(v));
    }
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${elem.name()}`);
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements([...original], patch, mergeKey, elem);
  }
  const [patchItems, serverOnly] = mergeKey
    ? partitionMapsByPresentInList(merged, patch, mergeKey)
    : partitionPrimitivesByPresentInList(merged, patch);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JMap;
    if (!(DIRECTIVE in m)) {
      rest.push(v);
      continue;
    }
    switch (m[DIRECTIVE]) {
      case "delete":
        if (!(mergeKey in m)) throw ErrNoMergeKey(m, mergeKey);
        original = deleteMatchingEntries(original, mergeKey, m[mergeKey]);
        break;
      case "replace":
        replace = true; // keep going, to prune the other $patch elements
        break;
      case "merge":
        throw new PatchError("merging lists cannot yet be specified in the patch");
      default:
        throw ErrBadPatchType(m[DIRECTIVE], m);
    }
  }
  return replace ? [clean(rest), []] : [original, rest];
}

function deleteMatchingEntries(original: unknown[], mergeKey: string, value: unknown): unknown[] {
  for (const [i, v] of original.entries()) if (!isObject(v)) throw new PatchError(`value for key ${i} is not a map.`);
  return original.filter((v) => !(mergeKey in (v as JMap) && (v as JMap)[mergeKey] === value));
}

function mergeSliceWithoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, elem: PatchSchema): unknown[] {
  for (const v of patch) {
    const m = v as JMap;
    if (!(mergeKey in m)) throw ErrNoMergeKey(m, mergeKey);
    const i = findMapInSlice(original, mergeKey, m[mergeKey]);
    if (i >= 0) original[i] = mergeMap(original[i] as JMap, m, elem);
    else original.push(clean(v));
  }
  return original;
}

function findMapInSlice(list: unknown[], key: string, value: unknown): number {
  for (const [i, v] of list.entries()) {
    if (!isObject(v)) throw new PatchError(`value for key ${i} is not a map.`);
    if (key in v && v[key] === value) return i;
  }
  return -1;
}

/** Go's deduplicateScalars: removes repeats by moving the last element into the hole. */
function deduplicateScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        s = s.slice(0, length);
        length--;
        j--;
      }
    }
  }
  return s;
}

type ElemKind = "map" | "scalar";

/** The kind of the elements of the given lists (all must agree, no lists of lists). */
function sliceElementKind(...lists: unknown[][]): ElemKind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goType(v) === "int64" ? "float64" : goType(v);
      if (prev === undefined) {
        prev = t;
        if (Array.isArray(v)) throw ErrNoListOfLists();
      } else if (prev !== t) {
        throw new PatchError(`list element types are not identical: ${goFmt(lists)}`);
      }
    }
  }
  if (prev === undefined) throw new PatchError("no elements in any of the given slices");
  return prev === "map[string]interface {}" ? "map" : "scalar";
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw ErrBadArgType("map[string]interface {}", v);
    (v[DIRECTIVE] === "delete" ? del : keep).push(v);
  }
  return [keep, del];
}

function partitionPrimitivesByPresentInList(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(by);
  return [list.filter((v) => inPatch.has(v)), list.filter((v) => !inPatch.has(v))];
}

function partitionMapsByPresentInList(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw ErrBadArgType("map[string]interface {}", v);
    if (!(mergeKey in v)) throw ErrNoMergeKey(v, mergeKey);
    (findMapInSlice(by, mergeKey, v[mergeKey]) >= 0 ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** Index of `v` in `list` by merge key value (maps) or by value (scalars), -1 if absent. */
function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: ElemKind): number {
  const val = (x: unknown) => (kind === "map" ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = val(v);
  return list.findIndex((x) => val(x) === want);
}

/**
 * Sort the patch items by the patch order and the server-only items by the live order, then
 * interleave them keeping both relative orders (normalizeElementOrder + mergeSortedSlice).
 */
function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElemKind,
): unknown[] {
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const right = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElemKind): unknown[] {
  let toDelete: unknown[] = [];
  if (kind === "map") {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObject(item)) throw ErrBadArgType("map[string]interface {}", item);
        if (!(mergeKey in item)) throw ErrNoMergeKey(item, mergeKey);
      }
    }
    [toSort, toDelete] = extractToDeleteItems(toSort);
  }
  // sort.SliceStable with upstream's comparator: items found in `order` keep its relative order.
  const less = (a: unknown, b: unknown) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  const sorted = [...toSort];
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) {
      [sorted[j], sorted[j - 1]] = [sorted[j - 1], sorted[j]];
    }
  }
  return [...sorted, ...toDelete];
}

const isDirectiveMap = (v: unknown) => isObject(v) && DIRECTIVE in v;
const isContainer = (v: unknown): v is object => typeof v === "object" && v !== null;

/** Remove `$patch` maps (a value that is itself a directive is dropped). Returns [value, keep].
 *  Works in place on the (already copied) patch, with a stack rather than recursion. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isDirectiveMap(v)) return [undefined, false];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      let kept = 0;
      for (const e of x) if (!isDirectiveMap(e)) x[kept++] = e;
      x.length = kept;
      for (const e of x) if (isContainer(e)) stack.push(e);
    } else if (isObject(x)) {
      for (const [k, e] of Object.entries(x)) {
        if (isDirectiveMap(e)) delete x[k];
        else if (isContainer(e)) stack.push(e);
      }
    }
  }
  return [v, true];
}

function discardNullValuesFromPatch(v: unknown): void {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const e of x) if (isContainer(e)) stack.push(e);
    } else if (isObject(x)) {
      for (const [k, e] of Object.entries(x)) {
        if (e === null) delete x[k];
        else if (isContainer(e)) stack.push(e);
      }
    }
  }
}

function isDirectiveKey(k: string): boolean {
  return k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ORDER_PREFIX}/`) || k.startsWith(`${DELETE_PRIMITIVE_PREFIX}/`);
}

/**
 * Drop directive keys from a patch value copied verbatim into the result. Upstream keeps them in
 * the map and the decode into the Go struct drops them; here the result is stored as JSON.
 */
function clean<T>(v: T): T {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const e of x) if (isContainer(e)) stack.push(e);
    } else if (isObject(x)) {
      for (const [k, e] of Object.entries(x)) {
        if (isDirectiveKey(k)) delete x[k];
        else if (isContainer(e)) stack.push(e);
      }
    }
  }
  return v;
}
