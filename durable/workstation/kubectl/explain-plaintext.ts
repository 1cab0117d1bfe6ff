// kubectl 1.33's `explain` output: k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl executed
// over the OpenAPI v3 document of one group-version. Each function below is one of the template's
// `define`s (same name, same arguments, same order of checks), each returning the text the template
// would write; Go's text/template runs under it in the original, plain TypeScript here.
//
// Like the original, the resource's header is written before its schema is looked at, so a field
// that does not exist leaves "KIND: … VERSION: …" on stdout ahead of the error.
import { GoFloat, goV } from "./jsonpath";
import { contains, field, indent, isSchema, type Json, list, or, resolveRef, sortedKeys, truthy, wrap } from "./explain-funcs";

export interface TemplateContext {
  gvr: { group: string; version: string; resource: string };
  /** The OpenAPI v3 document of the group-version, as decoded JSON. */
  document: Json;
  /** The fields after the resource: ["spec", "containers"]. */
  fieldPath: string[];
  recursive: boolean;
}

/** What the template wrote, and the error it stopped on (kubectl's stderr text), if any. */
export interface Rendered {
  stdout: string;
  error?: string;
}

/** The template's `throw`: an explainError, which kubectl prints as it is ("error: …"). */
class ExplainError extends Error {}

/** The template's `fail`, and what else stops text/template: kubectl prints "error: " and the message.
 *  (The real message also carries the Go template's location chain, which none of kubeplay's
 *  schemas can reach: only an empty schema `{}` as a field's type gets there.) */
class TemplateError extends Error {}

/** schema.GroupVersionResource.String(). */
export const gvrString = (gvr: TemplateContext["gvr"]) => `${gvr.group}/${gvr.version}, Resource=${gvr.resource}`;

/** Executes the plaintext template. */
export function renderPlaintext(ctx: TemplateContext): Rendered {
  const t = new Plaintext(ctx.document);
  let stdout = "";
  try {
    const gvk = t.findGVK(ctx.gvr);
    if (!truthy(gvk)) throw new ExplainError(`error: GVR (${gvrString(ctx.gvr)}) not found in OpenAPI schema`);
    if (truthy(field(gvk, "group"))) stdout += `GROUP:      ${print(field(gvk, "group"))}\n`;
    stdout += `KIND:       ${print(field(gvk, "kind"))}\n`;
    stdout += `VERSION:    ${print(field(gvk, "version"))}\n`;
    stdout += "\n";
    const schema = t.schema({ gvk, FieldPath: ctx.fieldPath, Recursive: ctx.recursive });
    if (!schema) throw new ExplainError(`error: GVK ${goV(gvk)} not found in OpenAPI schema`);
    stdout += schema;
    stdout += "\n";
    return { stdout };
  } catch (e) {
    if (e instanceof ExplainError) return { stdout, error: e.message };
    if (e instanceof TemplateError) return { stdout, error: `error: ${e.message}` };
    throw e;
  }
}

/** `{{ x }}` of a decoded JSON value: fmt's %v, numbers being float64 as encoding/json decodes them. */
const print = (v: unknown): string => (v === undefined ? "<no value>" : goV(typeof v === "number" ? new GoFloat(v) : v));

/** `first`: the first element of a slice, an error for an empty one. */
function first<T>(l: T[]): T {
  if (!l.length) throw new TemplateError("error calling first: list is empty");
  return l[0];
}

interface OutputArgs {
  gvk?: unknown;
  schema: Json;
  history?: Record<string, number>;
  FieldPath: string[];
  Recursive: boolean;
}

interface FieldListArgs {
  schema: Json;
  level: number;
  history?: Record<string, number>;
  Recursive: boolean;
}

class Plaintext {
  constructor(readonly document: Json) {}

  /** `or (resolveRef ref $.Document) schema`: what a reference points at, else the schema itself. */
  resolved(ref: unknown, schema: Json): Json {
    const target = resolveRef(ref, this.document);
    return target && truthy(target) ? target : schema;
  }

  /** The top of the template: the GVK of the resource's operations, searched on its cluster-scoped
   *  and namespaced paths, with and without {name}, in get/post/put/patch/delete order. Only the
   *  inner range breaks, so a later path that exists overwrites what an earlier one found. */
  findGVK(gvr: TemplateContext["gvr"]): unknown {
    const prefix = gvr.group ? `/apis/${gvr.group}` : "/api";
    const searchPaths = [
      [prefix, gvr.version, gvr.resource],
      [prefix, gvr.version, gvr.resource, "{name}"],
      [prefix, gvr.version, "namespaces", "{namespace}", gvr.resource],
      [prefix, gvr.version, "namespaces", "{namespace}", gvr.resource, "{name}"],
    ].map((parts) => parts.join("/"));
    let gvk: unknown;
    for (const searchPath of searchPaths) {
      const element = field(field(this.document, "paths"), searchPath);
      if (!truthy(element)) continue;
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const operation = field(element, method);
        if (!truthy(operation)) continue;
        gvk = field(operation, "x-kubernetes-group-version-kind");
        if (truthy(gvk)) break;
      }
    }
    return gvk;
  }

  /** define "schema": the component carrying the GVK, explained; empty when there is none. */
  schema(args: { gvk: unknown; FieldPath: string[]; Recursive: boolean }): string {
    const schemas = field(field(this.document, "components"), "schemas");
    for (const name of sortedKeys(schemas)) {
      const s = field(schemas, name) as Json;
      if (!contains(field(s, "x-kubernetes-group-version-kind"), args.gvk)) continue;
      const out = this.output({ ...args, schema: s });
      if (out) return out;
      throw new ExplainError(`error: field "${args.FieldPath[args.FieldPath.length - 1]}" does not exist`);
    }
    return "";
  }

  /** define "output": follows FieldPath down the schema, then prints its description and fields;
   *  prints nothing when the path leads nowhere. */
  output(c: OutputArgs): string {
    const refString = or(c.schema.$ref, "") as string;
    const next: OutputArgs = { ...c, history: { ...c.history, [String(refString)]: 1 } };
    const resolved = this.resolved(refString, c.schema);
    if (!truthy(c.FieldPath)) {
      let out = "DESCRIPTION:\n";
      out += indent(4, wrap(76, or(this.description(resolved), "<empty>")));
      out += "\n";
      const fields = this.fieldList({ schema: resolved, level: 1, Recursive: c.Recursive });
      if (fields) out += `FIELDS:\n${fields}`;
      return out;
    }
    if (truthy(refString) && truthy(c.history?.[refString])) return ""; // a cycle
    const name = first(c.FieldPath);
    const properties = resolved.properties;
    if (truthy(properties) && truthy(field(properties, name))) {
      const subschema = field(properties, name) as Json;
      let out = "";
      if (c.FieldPath.length === 1) {
        out += `FIELD: ${name} <${this.typeGuess(subschema)}>\n`;
        out += this.extractEnum(subschema, true, -1, 0);
        out += "\n\n";
      }
      return out + this.output({ ...next, history: {}, FieldPath: c.FieldPath.slice(1), schema: subschema });
    }
    if (truthy(resolved.items)) return this.output({ ...next, schema: resolved.items as Json });
    if (isSchema(resolved.additionalProperties)) return this.output({ ...next, schema: resolved.additionalProperties as Json });
    for (const subschema of list(resolved.allOf)) {
      const out = this.output({ ...next, schema: subschema as Json });
      if (out) return out;
    }
    return "";
  }

  /** define "fieldList": each property (sorted) as fieldDetail prints it, and, recursive, the fields
   *  of its type one level deeper; then those of allOf, items and additionalProperties. A reference
   *  already on the way down is a cycle and stops. */
  fieldList(c: FieldListArgs): string {
    const refString = or(c.schema.$ref, "") as string;
    if (truthy(refString) && truthy(c.history?.[refString])) return "";
    const next: FieldListArgs = { ...c, history: { ...c.history, [String(refString)]: 1 } };
    const resolved = this.resolved(refString, c.schema);
    let out = "";
    for (const k of sortedKeys(resolved.properties)) {
      out += this.fieldDetail(k, resolved, c.Recursive, c.level);
      if (c.Recursive) out += this.fieldList({ ...next, schema: field(resolved.properties, k) as Json, level: c.level + 1 });
    }
    for (const sub of list(resolved.allOf)) out += this.fieldList({ ...next, schema: sub as Json });
    if (truthy(resolved.items)) out += this.fieldList({ ...next, schema: resolved.items as Json });
    if (isSchema(resolved.additionalProperties)) out += this.fieldList({ ...next, schema: resolved.additionalProperties as Json });
    return out;
  }

  /** define "fieldDetail": `name\t<type> -required-`, its enum, and (unless short) its description
   *  wrapped to 78 columns less the indent. */
  fieldDetail(name: string, schema: Json, short: boolean, level: number): string {
    const indentAmount = or(level, 0) * 2;
    const fieldSchema = field(schema.properties, name) as Json;
    let out = `${indent(indentAmount, name)}\t<${this.typeGuess(fieldSchema)}>`;
    if (contains(schema.required, name)) out += " -required-";
    out += this.extractEnum(fieldSchema, false, 4, indentAmount);
    out += "\n";
    if (!short) {
      out += indent(indentAmount + 2, wrap(78 - indentAmount, print(or(field(fieldSchema, "description"), "<no description>"))));
      out += "\n\n";
    }
    return out;
  }

  /** define "description": the schema's description, then those of its allOf, items and
   *  additionalProperties, each followed by a newline. */
  description(schema: Json): string {
    const s = this.resolved(schema.$ref, schema);
    if (!truthy(s)) return "";
    let out = "";
    if (truthy(s.description)) out += `${print(s.description)}\n`;
    for (const sub of list(s.allOf)) out += this.description(sub as Json);
    if (truthy(s.items)) out += this.description(s.items as Json);
    if (isSchema(s.additionalProperties)) out += this.description(s.additionalProperties as Json);
    return out;
  }

  /** define "typeGuess": `string`, `[]Container`, `map[string]string`, `Object`, the last dotted part
   *  of a reference to an object schema, or the type of a reference to a primitive one. */
  typeGuess(schema: Json | undefined): string {
    if (!schema || !truthy(schema)) throw new TemplateError("expected schema argument to subtemplate 'typeguess'");
    if (truthy(schema.items)) return `[]${this.typeGuess(schema.items as Json)}`;
    if (isSchema(schema.additionalProperties)) return `map[string]${this.typeGuess(schema.additionalProperties as Json)}`;
    if (truthy(schema.allOf) && !truthy(schema.properties) && list(schema.allOf).length === 1)
      return this.typeGuess(first(list(schema.allOf)) as Json);
    const ref = schema.$ref;
    if (truthy(ref)) {
      const refSchema = resolveRef(ref, this.document);
      if (!truthy(refSchema) || !truthy(refSchema?.type) || refSchema?.type === "object") {
        const name = String(ref).split("/").pop() ?? "";
        return print(or(name.split(".").pop(), "Object"));
      }
      return print(or(refSchema?.type, "Object"));
    }
    if (schema.type === "object") return "Object";
    return print(or(schema.type, "Object"));
  }

  /** define "extractEnum": in the long view (a FIELD) "ENUM:" and one value a line; in a field list
   *  "enum: a, b, c, d, ...." on its own line, cut after `limit` values. "" is shown as `""`. */
  extractEnum(schema: Json, isLongView: boolean, limitArg: number, indentAmount: number): string {
    if (!truthy(schema) || !truthy(schema.enum)) return "";
    const limit = or(limitArg, -1);
    let out = isLongView ? "ENUM:" : `\n${indent(indentAmount, "")}enum: `;
    const values = list(schema.enum);
    for (let index = 0; index < values.length; index++) {
      if (limit > -1 && index >= limit) {
        out += ", ....";
        break;
      }
      if (index > 0 && !isLongView) out += ", ";
      else if (isLongView) out += `\n${indent(4, "")}`;
      out += values[index] === "" ? '""' : print(values[index]);
    }
    return out;
  }
}
