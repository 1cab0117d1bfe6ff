// Structural schemas of CustomResourceDefinitions (k8s.io/apiextensions-apiserver/pkg/apiserver/schema):
// the invariants a CRD's openAPIV3Schema must meet (validateStructuralInvariants), and what the
// custom-resource handler does with a custom object: prune unknown fields (schema/pruning), apply
// `default:` (schema/defaulting) and validate (apiserver/validation, kube-openapi's validator whose
// errors kubeOpenAPIResultToFieldErrors turns into field errors). Pure functions over JSON.
import type { JSONSchemaProps } from "kubernetes-types/apiextensions/v1";
import type { FieldError, Obj } from "./types";
import { forbidden, formatValue, invalid, notSupported, required, tooLong } from "./validation";

/** JSONSchemaProps with the x-kubernetes-* extensions the types package (1.30) leaves out. */
export interface Schema extends Omit<JSONSchemaProps, "properties" | "items" | "additionalProperties"> {
  properties?: Record<string, Schema>;
  items?: Schema | Schema[];
  additionalProperties?: Schema | boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-validations"?: { rule: string; message?: string }[];
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
}

const TYPES = ["array", "boolean", "integer", "number", "object", "string"];

/** A JSON path step as field.Path prints it: `.name`, or `[key]` for a map key / index. */
const child = (path: string, name: string) => (path ? `${path}.${name}` : name);
const key = (path: string, k: string) => `${path}[${k}]`;

// ---- the CRD's schema: structural invariants -----------------------------------------------

type Level = "root" | "item" | "field";

/** A CRD version's openAPIV3Schema: the checks of ValidateCustomResourceDefinitionOpenAPISchema
 *  that kubeplay makes (types, items, properties vs additionalProperties, uniqueItems), then
 *  ValidateStructural's invariants, sorted by their text as upstream sorts them. */
export function validateStructural(s: Schema | undefined, path: string): FieldError[] {
  const structural = invariants(s, "root", path);
  const text = (e: FieldError) => `${e.field}: ${e.message}`;
  structural.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  return [...openAPISchemaErrors(s, path), ...structural];
}

function openAPISchemaErrors(s: Schema | undefined, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (s.type !== undefined && s.type !== "" && !TYPES.includes(s.type)) errs.push(notSupported(child(path, "type"), s.type, TYPES));
  if (s.uniqueItems === true)
    errs.push(forbidden(child(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(forbidden(child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"));
  if (Array.isArray(s.items)) errs.push(forbidden(child(path, "items"), "items must be a schema object and not an array"));
  else errs.push(...openAPISchemaErrors(s.items, child(path, "items")));
  for (const k of Object.keys(s.properties ?? {}).sort())
    errs.push(...openAPISchemaErrors(s.properties![k], key(child(path, "properties"), k)));
  if (isObject(s.additionalProperties))
    errs.push(...openAPISchemaErrors(s.additionalProperties as Schema, child(path, "additionalProperties")));
  return errs;
}

/** validateStructuralInvariants (apiserver/schema/validation.go). */
function invariants(s: Schema | undefined, level: Level, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const items = Array.isArray(s.items) ? undefined : s.items;
  if (s.type === "array" && !items) errs.push(required(child(path, "items"), "must be specified"));
  errs.push(...invariants(items, "item", child(path, "items")));
  for (const k of Object.keys(s.properties ?? {})) errs.push(...invariants(s.properties![k], "field", key(child(path, "properties"), k)));
  // validateGeneric
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (level === "root") errs.push(forbidden(child(path, "additionalProperties"), "must not be used at the root"));
    if (isObject(s.additionalProperties))
      errs.push(...invariants(s.additionalProperties as Schema, "field", child(path, "additionalProperties")));
  }
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  // validateExtensions
  if (intOrString && preserve)
    errs.push(invalid(child(path, "x-kubernetes-preserve-unknown-fields"), true, "must be false if x-kubernetes-int-or-string is true"));
  if (intOrString && embedded)
    errs.push(invalid(child(path, "x-kubernetes-embedded-resource"), true, "must be false if x-kubernetes-int-or-string is true"));
  // validateValueValidation: of the value validations only the pattern is checked here.
  if (s.pattern && !safeRegExp(s.pattern))
    errs.push(invalid(child(path, "pattern"), s.pattern, "must be a valid regular expression, but isn't: error parsing regexp"));
  for (const [junctor, list] of [
    ["anyOf", s.anyOf],
    ["allOf", s.allOf],
    ["oneOf", s.oneOf],
  ] as const)
    (list ?? []).forEach((v, i) => errs.push(...nested(v as Schema, `${child(path, junctor)}[${i}]`, junctor === "anyOf" && intOrString)));
  if (s.not) errs.push(...nested(s.not as Schema, child(path, "not"), false));

  const type = s.type ?? "";
  if (embedded && type !== "object") {
    if (!type) errs.push(required(child(path, "type"), "must be object if x-kubernetes-embedded-resource is true"));
    else errs.push(invalid(child(path, "type"), type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (!type && !intOrString && !preserve) {
    const detail = {
      root: "must not be empty at the root",
      item: "must not be empty for specified array items",
      field: "must not be empty for specified object fields",
    };
    errs.push(required(child(path, "type"), detail[level]));
  }
  if (embedded && s.additionalProperties !== undefined)
    errs.push(forbidden(child(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
  if (level === "root" && type && type !== "object") errs.push(invalid(child(path, "type"), type, "must be object at the root"));

  const checkMeta = level === "root" || embedded;
  const props = s.properties ?? {};
  const propType = (name: string) => key(child(path, "properties"), name);
  if (checkMeta && props.kind && props.kind.type !== "string")
    errs.push(invalid(child(propType("kind"), "type"), props.kind.type ?? "", "must be string"));
  if (checkMeta && props.apiVersion && props.apiVersion.type !== "string")
    errs.push(invalid(child(propType("apiVersion"), "type"), props.apiVersion.type ?? "", "must be string"));
  if (checkMeta && props.metadata && props.metadata.type !== "object")
    errs.push(invalid(child(propType("metadata"), "type"), props.metadata.type ?? "", "must be object"));
  if (level === "root" && props.metadata) {
    const { type: _t, default: _d, properties, ...rest } = props.metadata;
    const names = Object.keys(properties ?? {});
    const onlyNames = names.every((n) => n === "name" || n === "generateName");
    if (!onlyNames || Object.keys(rest).length > 0)
      errs.push(
        forbidden(propType("metadata"), "must not specify anything other than name and generateName, but metadata is implicitly specified"),
      );
  }
  if (embedded && !preserve && Object.keys(props).length === 0)
    errs.push(
      required(
        child(path, "properties"),
        "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      ),
    );
  return errs;
}

/** validateNestedValueValidation: what may not appear under anyOf/allOf/oneOf/not. The
 *  int-or-string pattern (anyOf of integer and string) may name its types. */
function nested(v: Schema, path: string, intOrStringAnyOf: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (v.items && !Array.isArray(v.items)) errs.push(...nested(v.items, child(path, "items"), false));
  for (const [k, p] of Object.entries(v.properties ?? {})) errs.push(...nested(p, key(child(path, "properties"), k), false));
  const mustBe = (f: string, what: string) => errs.push(forbidden(child(path, f), `must be ${what} to be structural`));
  if (v.type && !(intOrStringAnyOf && (v.type === "integer" || v.type === "string"))) mustBe("type", "empty");
  if (v.additionalProperties !== undefined) mustBe("additionalProperties", "undefined");
  if (v.default !== undefined) mustBe("default", "undefined");
  if (v.title) mustBe("title", "empty");
  if (v.description) mustBe("description", "empty");
  if (v.nullable) mustBe("nullable", "false");
  if (v["x-kubernetes-preserve-unknown-fields"]) mustBe("x-kubernetes-preserve-unknown-fields", "false");
  if (v["x-kubernetes-embedded-resource"]) mustBe("x-kubernetes-embedded-resource", "false");
  if (v["x-kubernetes-int-or-string"]) mustBe("x-kubernetes-int-or-string", "false");
  if (v["x-kubernetes-list-map-keys"]?.length) mustBe("x-kubernetes-list-map-keys", "empty");
  if (v["x-kubernetes-list-type"] !== undefined) mustBe("x-kubernetes-list-type", "undefined");
  if (v.properties?.metadata) errs.push(forbidden(key(child(path, "properties"), "metadata"), "must not be specified in a nested context"));
  return errs;
}

// ---- custom objects: pruning ----------------------------------------------------------------

/** Where a walk is: the value, its schema, its path, and whether it is an object's root (or an
 *  embedded resource), whose apiVersion, kind and metadata are never pruned. */
interface At {
  value: unknown;
  schema: Schema;
  path: string;
  resourceRoot: boolean;
}

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** schema/pruning.PruneWithOptions: removes the fields the schema does not declare (unless
 *  x-kubernetes-preserve-unknown-fields) and returns their paths, in document order. */
export function prune(obj: Obj, schema: Schema): string[] {
  const out: string[] = [];
  const stack: At[] = [{ value: obj, schema, path: "", resourceRoot: true }];
  while (stack.length) {
    const { value, schema: s, path, resourceRoot } = stack.pop()!;
    const next: At[] = [];
    if (Array.isArray(value)) {
      const items = s.items as Schema | undefined;
      if (items)
        value.forEach((v, i) =>
          next.push({ value: v, schema: items, path: `${path}[${i}]`, resourceRoot: items["x-kubernetes-embedded-resource"] === true }),
        );
    } else if (isObject(value)) {
      const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
      const additional = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
      for (const k of Object.keys(value)) {
        if (resourceRoot && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
        const p = s.properties?.[k] ?? additional;
        if (p) next.push({ value: value[k], schema: p, path: child(path, k), resourceRoot: p["x-kubernetes-embedded-resource"] === true });
        else if (!preserve && s.additionalProperties !== true) {
          out.push(child(path, k));
          delete value[k];
        }
      }
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
  }
  return out;
}

// ---- custom objects: defaulting ------------------------------------------------------------

const copy = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** schema/defaulting.Default: a missing field (or a null one that may not be null) gets its
 *  schema's default, then the walk goes on into it, so nested defaults apply too. */
export function applyDefaults(value: unknown, s: Schema): void {
  if (Array.isArray(value)) {
    const items = s.items as Schema | undefined;
    if (items) for (const v of value) applyDefaults(v, items);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (p.default !== undefined && (!(k in value) || (value[k] === null && !p.nullable))) value[k] = copy(p.default);
    if (k in value) applyDefaults(value[k], p);
  }
  const additional = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
  if (additional) for (const k of Object.keys(value)) if (!s.properties?.[k]) applyDefaults(value[k], additional);
}

// ---- custom objects: validation --------------------------------------------------------------

/** go-openapi's name for the JSON type of a value (integral numbers are integers, as decoded). */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v === "object" ? "object" : typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  const t = typeName(v);
  return t === type || (type === "number" && t === "integer");
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
};

/** Go's %v of a JSON number or string in an error text. */
const goValue = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** ValidateCustomResource: the object against its version's schema, with kube-openapi's messages
 *  as field errors (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type
 *  integer: "string"`). apiVersion, kind and metadata of the root are the engine's to check. */
export function validateCustom(obj: Obj, schema: Schema): FieldError[] {
  const errs: FieldError[] = [];
  const visit = (v: unknown, s: Schema, path: string, resourceRoot: boolean) => {
    const intOrString = s["x-kubernetes-int-or-string"] === true;
    if (v === null) {
      if (!s.nullable && s.type) errs.push(typeInvalid(path, "null", `${path} in body must be of type ${s.type}: "null"`));
      return;
    }
    if (intOrString) {
      const t = typeName(v);
      if (t !== "integer" && t !== "string") errs.push(typeInvalid(path, t, `${path} in body must be of type integer,string: "${t}"`));
    } else if (s.type && !typeMatches(s.type, v)) {
      const t = typeName(v);
      errs.push(typeInvalid(path, t, `${path} in body must be of type ${s.type}: "${t}"`));
      return;
    }
    if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      errs.push(
        notSupported(
          path,
          v,
          s.enum.map((e) => (typeof e === "string" ? e : JSON.stringify(e))),
        ),
      );
    if (typeof v === "string") {
      if (s.maxLength !== undefined && [...v].length > s.maxLength) errs.push(tooLong(path, s.maxLength));
      if (s.minLength !== undefined && [...v].length < s.minLength)
        errs.push(invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
      if (s.pattern !== undefined && !safeRegExp(s.pattern)?.test(v))
        errs.push(invalid(path, v, `${path} in body should match '${s.pattern}'`));
      const fmt = s.format && FORMATS[s.format];
      if (fmt && !fmt(v)) errs.push(typeInvalid(path, v, `${path} in body must be of type ${s.format}: ${formatValue(v)}`));
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
        errs.push(
          invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${goValue(s.minimum)}`),
        );
      if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
        errs.push(invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${goValue(s.maximum)}`));
      if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf))
        errs.push(invalid(path, v, `${path} in body should be a multiple of ${goValue(s.multipleOf)}`));
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems)
        errs.push({ type: "FieldValueTooMany", field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
      if (s.minItems !== undefined && v.length < s.minItems)
        errs.push(invalid(path, v.length, `${path} in body should have at least ${s.minItems} items`));
      const items = s.items as Schema | undefined;
      if (items) v.forEach((x, i) => visit(x, items, `${path}[${i}]`, items["x-kubernetes-embedded-resource"] === true));
    }
    if (isObject(v)) {
      if (resourceRoot && path) {
        if (!v.apiVersion) errs.push(required(child(path, "apiVersion"), "must not be empty"));
        if (!v.kind) errs.push(required(child(path, "kind"), "must not be empty"));
      }
      if (s.maxProperties !== undefined && Object.keys(v).length > s.maxProperties)
        errs.push({
          type: "FieldValueTooMany",
          field: path,
          message: `Too many: ${Object.keys(v).length}: must have at most ${s.maxProperties} items`,
        });
      if (s.minProperties !== undefined && Object.keys(v).length < s.minProperties)
        errs.push(invalid(path, Object.keys(v).length, `${path} in body should have at least ${s.minProperties} properties`));
      for (const r of s.required ?? []) if (!(r in v)) errs.push(required(child(path, r), ""));
      const additional = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
      // Properties in sorted order: kube-openapi walks a Go map, so upstream has no order of its own.
      for (const [k, x] of Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (!path && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
        const p = s.properties?.[k] ?? additional;
        if (p) visit(x, p, child(path, k), p["x-kubernetes-embedded-resource"] === true);
      }
    }
  };
  visit(obj, schema, "", true);
  return errs;
}

function typeInvalid(field: string, value: unknown, detail: string): FieldError {
  return { type: "FieldValueTypeInvalid", field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

/** ECMA-262 regular expressions are what the schema's `pattern` means; one that does not compile
 *  was refused when the CRD was written, so undefined here only guards old objects. */
function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
}

/** Whether a schema uses CEL rules anywhere (kubeplay does not evaluate them). */
export function hasCelRules(s: Schema | undefined): boolean {
  if (!s) return false;
  if ((s["x-kubernetes-validations"] ?? []).length > 0) return true;
  if (s.items && !Array.isArray(s.items) && hasCelRules(s.items as Schema)) return true;
  if (isObject(s.additionalProperties) && hasCelRules(s.additionalProperties as Schema)) return true;
  return Object.values(s.properties ?? {}).some(hasCelRules);
}
