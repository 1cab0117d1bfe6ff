// `kubectl explain --output=plaintext-openapiv2`: the explain of kubectl before OpenAPI v3
// (k8s.io/kubectl/pkg/explain), over the server's OpenAPI v2 document. The definitions are read as
// kube-openapi's util/proto reads them (Kind, Map, Array, Primitive, Arbitrary, Reference), the
// field path followed as field_lookup.go does, and printed by model_printer.go and the (recursive)
// fields printers through formatter.go's own word wrap at 80 columns.
import type { Json } from "./explain-funcs";
import { isGoSpace } from "./explain-wordwrap";

type Model =
  | { is: "kind"; description: string; extensions: Json; fields: Record<string, Model>; required: string[] }
  | { is: "map"; description: string; extensions: Json; sub: Model }
  | { is: "array"; description: string; extensions: Json; sub: Model }
  | { is: "primitive"; description: string; extensions: Json; type: string }
  | { is: "arbitrary"; description: string; extensions: Json }
  | { is: "reference"; description: string; extensions: Json; reference: string };

/** The parsed definitions (proto.Definitions), by name. */
type Models = Map<string, Model>;

class SchemaError extends Error {}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** proto.NewOpenAPIData: every definition parsed, references checked against the names. */
export function parseDefinitions(doc: Json): Models {
  const definitions = (doc.definitions ?? {}) as Record<string, Json>;
  const names = new Set(Object.keys(definitions));
  const models: Models = new Map();
  for (const [name, s] of Object.entries(definitions)) models.set(name, parseSchema(s, name, names));
  return models;
}

function parseSchema(s: Json, path: string, names: Set<string>): Model {
  const base = {
    description: str(s.description),
    // VendorExtensionToMap keeps the x- keys.
    extensions: Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith("x-"))),
  };
  const fail = (message: string) => new SchemaError(`SchemaError(${path}): ${message}`);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
  if (typeof s.$ref === "string" && s.$ref) {
    if (s.properties && Object.keys(s.properties).length) throw fail("unallowed embedded type definition");
    if (types.length) throw fail("definition reference can't have a type");
    if (!s.$ref.startsWith("#/definitions/")) throw fail(`unallowed reference to non-definition "${s.$ref}"`);
    const reference = s.$ref.slice("#/definitions/".length);
    if (!names.has(reference)) throw fail(`unknown model in reference: "${reference}"`);
    return { ...base, is: "reference", reference };
  }
  const kind = (): Model => {
    const fields: Record<string, Model> = {};
    for (const [name, f] of Object.entries((s.properties ?? {}) as Record<string, Json>))
      fields[name] = parseSchema(f, `${path}.${name}`, names);
    return { ...base, is: "kind", fields, required: Array.isArray(s.required) ? (s.required as string[]) : [] };
  };
  if (types.length === 0) return s.properties !== undefined ? kind() : { ...base, is: "arbitrary" };
  if (types.length > 1) throw fail("definitions with multiple types aren't supported");
  const t = types[0];
  if (t === "object") {
    if (s.properties !== undefined) return kind();
    const additional = s.additionalProperties;
    const sub: Model =
      additional && typeof additional === "object" ? parseSchema(additional as Json, path, names) : { ...base, is: "arbitrary" };
    return { ...base, is: "map", sub };
  }
  if (t === "array") {
    const items = s.items;
    if (!items || typeof items !== "object" || (Array.isArray(items) && items.length !== 1))
      throw fail("array should have exactly one sub-item");
    return { ...base, is: "array", sub: parseSchema((Array.isArray(items) ? items[0] : items) as Json, path, names) };
  }
  if (!["string", "number", "integer", "boolean"].includes(t)) throw fail(`Unknown primitive type: "${t}"`);
  return { ...base, is: "primitive", type: t };
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** util/openapi's LookupResource: the definition whose x-kubernetes-group-version-kind names the
 *  GVK (the last in name order, as the map is filled). */
export function lookupResource(models: Models, gvk: GVK): Model | undefined {
  let found: Model | undefined;
  for (const name of [...models.keys()].sort()) {
    const model = models.get(name)!;
    const list = model.extensions["x-kubernetes-group-version-kind"];
    if (!Array.isArray(list)) continue;
    for (const g of list as Json[]) {
      if (typeof g?.group !== "string" || typeof g.version !== "string" || typeof g.kind !== "string" || !g.kind) continue;
      if (g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind) found = model;
    }
  }
  return found;
}

/** GroupVersionKind.String(). */
export const gvkString = (gvk: GVK) => `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
const groupVersion = (gvk: GVK) => (gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version);

function sub(models: Models, m: Model & { is: "reference" }): Model {
  return models.get(m.reference)!;
}

/** typename.go GetTypeName; an Arbitrary schema has no name (the visitor has no method for it). */
function typeName(models: Models, m: Model): string {
  switch (m.is) {
    case "array":
      return `[]${typeName(models, m.sub)}`;
    case "map":
      return `map[string]${typeName(models, m.sub)}`;
    case "kind":
      return "Object";
    case "primitive":
      return m.type;
    case "reference":
      return typeName(models, sub(models, m));
    case "arbitrary":
      return "";
  }
}

/** field_lookup.go: follows the path; a primitive or arbitrary value ends it early, whatever is left. */
function lookupSchemaForField(models: Models, schema: Model, path: string[]): Model {
  let rest = path;
  let m = schema;
  for (;;) {
    if (m.is === "primitive" || m.is === "arbitrary") return m;
    if (!rest.length) return m;
    if (m.is === "kind") {
      const next = m.fields[rest[0]];
      if (!next) throw new SchemaError(`field "${rest[0]}" does not exist`);
      rest = rest.slice(1);
      m = next;
    } else if (m.is === "reference") m = sub(models, m);
    else m = m.sub;
  }
}

/** formatter.go: lines written with an indent, wrapped by its own word wrap. */
class Formatter {
  constructor(
    readonly out: { text: string },
    readonly indentLevel = 0,
    readonly wrapAt = 80,
  ) {}
  indent(n: number): Formatter {
    return new Formatter(this.out, this.indentLevel + n, this.wrapAt);
  }
  write(s: string): void {
    this.out.text += s === "" ? "\n" : `${" ".repeat(this.indentLevel)}${s}\n`;
  }
  writeWrapped(s: string): void {
    for (const line of wrapLines(s, this.wrapAt - this.indentLevel)) this.write(line);
  }
}

const BULLET = /^(\d+\.?|-|\*)\s/;

/** strings.Fields: the words between runs of Unicode white space. */
function fields(s: string): string[] {
  const words: string[] = [];
  let word = "";
  for (const ch of s) {
    if (isGoSpace(ch)) {
      if (word) words.push(word);
      word = "";
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/** strings.TrimSpace. */
function trimSpace(s: string): string {
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && isGoSpace(chars[a])) a++;
  while (b > a && isGoSpace(chars[b - 1])) b--;
  return chars.slice(a, b).join("");
}

function shouldStartNewLine(lastWord: string, s: string): boolean {
  if (lastWord.endsWith(":")) return true;
  if (s.startsWith("    ")) return true;
  const t = trimSpace(s);
  return t.length === 0 || BULLET.test(t);
}

/** formatter.go wrapString: words joined up to `wrap` bytes a line; code blocks, empty lines, lines
 *  after one ending in ":" and list items keep their own lines. */
export function wrapLines(s: string, wrap: number): string[] {
  const wrapped: string[] = [];
  let words: string[] = [];
  let lastWord = "";
  const byteLength = (x: string) => new TextEncoder().encode(x).length;
  const flush = () => {
    if (words.length) {
      lastWord = "";
      wrapped.push(words.join(" "));
      words = [];
    }
  };
  const add = (word: string) => {
    const candidate = [...words, word];
    if (byteLength(candidate.join(" ")) <= wrap || words.length === 0) {
      words = candidate;
      return true;
    }
    return false;
  };
  for (const line of s.split("\n")) {
    if (line.startsWith("    ")) {
      flush();
      wrapped.push(line);
      continue;
    }
    if (wrapped.length > 0 && trimSpace(line).length === 0) {
      flush();
      wrapped.push("");
      continue;
    }
    if (shouldStartNewLine(lastWord, line)) flush();
    for (const word of fields(line)) {
      lastWord = word;
      if (!add(word)) {
        flush();
        add(word);
      }
    }
  }
  flush();
  return wrapped;
}

/** explain.PrintModelDescription: the model at the end of the field path, printed. Throws
 *  SchemaError's message for a field that does not exist (nothing printed then). */
export function printModelDescriptionV2(models: Models, schema: Model, gvk: GVK, fieldPath: string[], recursive: boolean): string {
  const name = fieldPath.length ? fieldPath[fieldPath.length - 1] : "";
  const found = lookupSchemaForField(models, schema, fieldPath);
  const out = { text: "" };
  const w = new Formatter(out);
  const descriptions: string[] = [];
  let type = "";
  const printKindAndVersion = () => {
    w.write(`KIND:     ${gvk.kind}`);
    w.write(`VERSION:  ${groupVersion(gvk)}\n`);
  };
  const printDescription = (m: Model) => {
    w.write("DESCRIPTION:");
    let empty = true;
    [...descriptions, m.description].forEach((desc, i) => {
      if (desc === "") return;
      empty = false;
      if (i !== 0) w.write("");
      w.indent(5).writeWrapped(desc);
    });
    if (empty) w.indent(5).writeWrapped("<empty>");
  };
  // modelPrinter: down through references, arrays and maps, collecting their descriptions.
  let m = found;
  for (;;) {
    if (m.is === "reference") {
      descriptions.push(m.description);
      m = sub(models, m);
    } else if (m.is === "array" || m.is === "map") {
      descriptions.push(m.description);
      if (!type) type = typeName(models, m);
      m = m.sub;
    } else break;
  }
  printKindAndVersion();
  if (m.is === "kind") {
    if (!type) type = typeName(models, m);
    if (name) w.write(`RESOURCE: ${name} <${type}>\n`);
    printDescription(m);
    w.write("\nFIELDS:");
    if (recursive) printFieldsRecursive(models, w.indent(3), m, new Set());
    else printFields(models, w.indent(3), m);
  } else if (m.is === "primitive") {
    if (!type) type = typeName(models, m);
    w.write(`FIELD:    ${name} <${type}>\n`);
    printDescription(m);
  } else printDescription(m);
  return out.text;
}

/** fields_printer.go: each field of the kind (through arrays, maps and references) with its type,
 *  -required-, and its description wrapped two columns further in. */
function printFields(models: Models, w: Formatter, m: Model): void {
  while (m.is === "array" || m.is === "map" || m.is === "reference") m = m.is === "reference" ? sub(models, m) : m.sub;
  if (m.is !== "kind") return;
  for (const key of Object.keys(m.fields).sort()) {
    const v = m.fields[key];
    w.write(`${key}\t<${typeName(models, v)}>${m.required.includes(key) ? " -required-" : ""}`);
    w.indent(2).writeWrapped(v.description);
    w.write("");
  }
}

/** recursive_fields_printer.go: names and types only, each kind's fields three columns further
 *  in; a reference already being printed further up is not entered again. */
function printFieldsRecursive(models: Models, w: Formatter, m: Model, visiting: Set<string>): void {
  while (m.is === "array" || m.is === "map") m = m.sub;
  if (m.is === "reference") {
    if (visiting.has(m.reference)) return;
    visiting.add(m.reference);
    printFieldsRecursive(models, w, sub(models, m), visiting);
    visiting.delete(m.reference);
    return;
  }
  if (m.is !== "kind") return;
  for (const key of Object.keys(m.fields).sort()) {
    const v = m.fields[key];
    w.write(`${key}\t<${typeName(models, v)}>`);
    printFieldsRecursive(models, w.indent(3), v, visiting);
  }
}

export { SchemaError };
