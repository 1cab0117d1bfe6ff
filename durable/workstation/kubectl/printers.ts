// The output printers of `kubectl get`, as pure functions: the human-readable table
// (cli-runtime pkg/printers/tableprinter.go through github.com/liggitt/tabwriter, as get.go drives
// them: one tab writer for all blocks, flushed between resource types, a blank line before a new
// type's header), the --sort-by sorter (kubectl pkg/cmd/get/sorter.go with Go's sort.Sort),
// -o yaml / -o json (sigs.k8s.io/yaml, encoding/json) and -o name.

import { sortInterface } from "./describe/format";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { Obj } from "../../resources/types";
import { byteCompare, findResults, GoError, goJson, goV, isGoInt } from "./jsonpath";
import { goYamlMarshal } from "./yaml";

/** A metav1 Table as the API server returns it for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (rows carry `object` as PartialObjectMetadata when includeObject=Metadata, the default kubectl asks for). */
export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions: { name: string; type: string; format: string; description: string; priority: number }[];
  // biome-ignore lint/suspicious/noExplicitAny: a row's object is whatever the server embeds
  rows: { cells: unknown[]; object?: any }[];
}
export interface TableOptions {
  wide?: boolean; // -o wide: include priority>0 columns
  withNamespace?: boolean; // -A / --all-namespaces: NAMESPACE column first
  showLabels?: boolean; // --show-labels: LABELS column last
  labelColumns?: string[]; // -L key1,key2: one upper-cased column each
  noHeaders?: boolean; // --no-headers
  withKind?: boolean; // prefix names with kind as kubectl does ("pod/nginx", "deployment.apps/web") — kubectl does this when more than one resource type is printed or `kubectl get all`
  sortBy?: string; // --sort-by jsonpath, applied to the row objects (needs full objects; kubectl then asks includeObject=Object)
}
/**
 * One printed block: the table of one resource type, with its group-kind for the name prefix.
 * `namespaced: false` (a cluster-scoped type: nodes, namespaces…) drops the NAMESPACE column that
 * withNamespace adds, as kubectl does for `get nodes,pods -A`. Consecutive blocks of the same
 * kind and group are one resource type to kubectl (`get pod a b`: one header, one alignment).
 */
export interface TableBlock {
  table: Table;
  kind: string;
  group: string;
  namespaced?: boolean;
}

/** An error kubectl reports; `message` is exactly what kubectl writes to stderr for it. */
export class PrinterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrinterError";
  }
}

// ---------------------------------------------------------------- tabwriter

interface Cell {
  text: string;
  width: number; // in runes
  htab: boolean;
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * github.com/liggitt/tabwriter (text/tabwriter with RememberWidths) as kubectl configures it:
 * minwidth 6, tabwidth 4, padding 3, padchar ' ', flags RememberWidths.
 */
export class TabWriter {
  private lines: Cell[][] = [[]];
  private cell: Cell = { text: "", width: 0, htab: false };
  private widths: number[] = [];
  private maxwidths: number[] = [];
  constructor(
    private readonly output: (s: string) => void,
    private readonly minwidth = 6,
    private readonly padding = 3,
  ) {}

  setRememberedWidths(widths: number[]): void {
    this.maxwidths = [...widths];
  }

  write(s: string): void {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 0x09 || ch === 0x0b || ch === 0x0a || ch === 0x0c) {
        this.append(s.slice(n, i));
        n = i + 1;
        const ncells = this.terminateCell(ch === 0x09);
        if (ch === 0x0a || ch === 0x0c) {
          this.lines.push([]);
          if (ch === 0x0c || ncells === 1) this.flush();
        }
      }
    }
    this.append(s.slice(n));
  }

  flush(): void {
    if (this.cell.text.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.cell = { text: "", width: 0, htab: false };
    this.widths = [];
  }

  private append(s: string) {
    if (!s) return;
    this.cell.text += s;
    this.cell.width += runeCount(s);
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1];
    line.push(this.cell);
    this.cell = { text: "", width: 0, htab: false };
    return line.length;
  }

  private writeLines(line0: number, line1: number) {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      let s = "";
      line.forEach((c, j) => {
        s += c.text;
        if (j < this.widths.length) s += " ".repeat(Math.max(0, this.widths[j] - c.width));
      });
      if (i + 1 === this.lines.length) s += this.cell.text;
      else s += "\n";
      this.output(s);
    }
  }

  private format(line0In: number, line1: number) {
    let line0 = line0In;
    const column = this.widths.length;
    for (let th = line0; th < line1; th++) {
      let line = this.lines[th];
      if (column >= line.length - 1) continue;
      this.writeLines(line0, th);
      line0 = th;
      let width = this.minwidth;
      for (; th < line1; th++) {
        line = this.lines[th];
        if (column >= line.length - 1) break;
        const c = line[column];
        const w = c.width + this.padding;
        if (w > width) width = w;
      }
      // RememberWidths
      if (this.maxwidths.length < this.widths.length) this.maxwidths.push(...this.widths.slice(this.maxwidths.length));
      if (this.maxwidths.length === this.widths.length) this.maxwidths.push(width);
      else if (this.maxwidths[this.widths.length] > width) width = this.maxwidths[this.widths.length];
      else if (this.maxwidths[this.widths.length] < width) this.maxwidths[this.widths.length] = width;
      this.widths.push(width);
      this.format(line0, th);
      this.widths.pop();
      line0 = th;
    }
    this.writeLines(line0, line1);
  }
}

// ---------------------------------------------------------------- table printing

type Column = Table["columnDefinitions"][number];
// biome-ignore lint/suspicious/noExplicitAny: see Table
type Row = { cells: unknown[]; object?: any };

/** labels.FormatLabels */
function formatLabels(labels: Record<string, string> | undefined): string {
  const l = Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort(byteCompare)
    .join(",");
  return l === "" ? "<none>" : l;
}

function formatLabelHeaders(columnLabels: string[]): string[] {
  return columnLabels.map((l) => {
    const p = l.split("/");
    return p[p.length - 1].toUpperCase();
  });
}

/** The object's metadata when the row carries an object meta.Accessor accepts. */
function rowMeta(row: Row): ObjectMeta | undefined {
  const o = row.object;
  if (!o || typeof o !== "object") return undefined;
  const m = (o as Obj).metadata;
  return m && typeof m === "object" ? (m as ObjectMeta) : {};
}

function columnsEqual(a: Column[] | undefined, b: Column[] | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  return a.every(
    (c, i) =>
      c.name === b[i].name &&
      c.type === b[i].type &&
      c.format === b[i].format &&
      c.description === b[i].description &&
      (c.priority ?? 0) === (b[i].priority ?? 0),
  );
}

interface PrintOptions {
  noHeaders: boolean;
  wide: boolean;
  withNamespace: boolean;
  withKind: boolean;
  kind: string; // strings.ToLower(GroupKind.String()), "" when none
  columnLabels: string[];
  showLabels: boolean;
}

/** tableprinter.go decorateTable, on copies. */
function decorateTable(columnsIn: Column[], rowsIn: Row[], o: PrintOptions): { columns: Column[]; rows: Row[] } {
  let width = columnsIn.length + o.columnLabels.length;
  if (o.withNamespace) width++;
  if (o.showLabels) width++;
  let columns = columnsIn;
  let nameColumn = -1;
  if (o.withKind && o.kind) nameColumn = columns.findIndex((c) => c.format === "name" && c.type === "string");
  if (width !== columnsIn.length) {
    const col = (name: string): Column => ({ name, type: "string", format: "", description: "", priority: 0 });
    columns = [];
    if (o.withNamespace) columns.push(col("Namespace"));
    columns.push(...columnsIn);
    for (const l of formatLabelHeaders(o.columnLabels)) columns.push(col(l));
    if (o.showLabels) columns.push(col("Labels"));
  }
  const rows = rowsIn.map((r) => ({ cells: [...(r.cells ?? [])], object: r.object }));
  const includeLabels = o.columnLabels.length > 0 || o.showLabels;
  if (includeLabels || o.withNamespace || nameColumn !== -1) {
    for (const row of rows) {
      if (nameColumn !== -1) row.cells[nameColumn] = `${o.kind}/${goSprintS(row.cells[nameColumn])}`;
      const m = rowMeta(row);
      if (!m) {
        if (o.withNamespace) row.cells.unshift(null);
        // as the Go loop does, re-reading the shrinking difference: it pads only about half of it
        for (let j = 0; j < width - row.cells.length; j++) row.cells.push(null);
        continue;
      }
      if (o.withNamespace) row.cells.unshift(m.namespace ?? "");
      if (includeLabels) {
        const labels = (m.labels ?? {}) as Record<string, string>;
        for (const key of o.columnLabels) row.cells.push(labels[key] ?? "");
        if (o.showLabels) row.cells.push(formatLabels(labels));
      }
    }
  }
  return { columns, rows };
}

/** fmt's %s of a cell. */
function goSprintS(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "%!s(<nil>)";
  return goV(v);
}

/** printers.EscapeTerminal */
export function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, "^[").replace(/\r/g, "\\r");
}

/** tableprinter.go printTable */
function printTable(columns: Column[], rows: Row[], o: PrintOptions, w: TabWriter) {
  const shown = (c: Column) => o.wide || !c.priority;
  let out = "";
  if (!o.noHeaders) {
    if (rows.length === 0) return;
    out += `${columns
      .filter(shown)
      .map((c) => c.name.toUpperCase())
      .join("\t")}\n`;
  }
  for (const row of rows) {
    const parts: string[] = [];
    for (let i = 0; i < row.cells.length; i++) {
      if (i >= columns.length) break;
      if (!shown(columns[i])) continue;
      const cell = row.cells[i];
      let text = "";
      if (cell !== null && cell !== undefined) {
        if (typeof cell === "string") {
          const b = cell.search(/[\f\n\r]/);
          text = b >= 0 ? `${escapeTerminal(cell.slice(0, b))}...` : escapeTerminal(cell);
        } else text = escapeTerminal(goV(cell));
      }
      parts.push(text);
    }
    out += `${parts.join("\t")}\n`;
  }
  w.write(out);
}

/** HumanReadablePrinter's memory between tables of one resource type. */
interface HumanState {
  lastColumns?: Column[];
  printedHeaders: boolean;
}

function humanPrint(table: Table, st: HumanState, o: PrintOptions, w: TabWriter) {
  const local = { ...o };
  let columns = table.columnDefinitions ?? [];
  if (st.printedHeaders && (columns.length === 0 || columnsEqual(columns, st.lastColumns))) local.noHeaders = true;
  if (columns.length === 0) columns = st.lastColumns ?? [];
  else if (!columnsEqual(columns, st.lastColumns)) {
    st.lastColumns = columns;
    st.printedHeaders = false;
  }
  const rows = table.rows ?? [];
  if (rows.length > 0) st.printedHeaders = true;
  const d = decorateTable(columns, rows, local);
  printTable(d.columns, d.rows, local, w);
}

/** get.go RelaxedJSONPathExpression */
export function relaxedJSONPathExpression(pathExpression: string): string {
  if (pathExpression.length === 0) return pathExpression;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(pathExpression);
  if (!m) {
    throw new GoError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  }
  return `{.${m[1] ?? m[2]}}`;
}

/** The human-readable printing of `kubectl get` (pkg/printers/tableprinter.go + tabwriter, padding 3): blocks separated as kubectl separates them. Returns the text for stdout (without "No resources found", which the caller prints to stderr). */
export function printTables(blocks: TableBlock[], opts: TableOptions = {}): string {
  const out: string[] = [];
  let written = 0;
  let ready = false;
  const w = new TabWriter((s) => {
    if (s.length === 0) return;
    if (ready) {
      out.push("\n");
      written++;
      ready = false;
    }
    out.push(s);
    written += s.length;
  });

  let order = blocks;
  if (opts.sortBy && blocks.length > 1) order = sortBlocks(blocks, opts.sortBy);

  let last: TableBlock | undefined;
  let st: HumanState | undefined;
  for (const b of order) {
    if (!st || !last || last.kind !== b.kind || last.group !== b.group) {
      w.flush();
      w.setRememberedWidths([]);
      if (last && !opts.noHeaders && written > 0) ready = true;
      st = { printedHeaders: false };
      last = b;
    }
    const o: PrintOptions = {
      noHeaders: opts.noHeaders ?? false,
      wide: opts.wide ?? false,
      withNamespace: (opts.withNamespace ?? false) && b.namespaced !== false,
      withKind: opts.withKind ?? false,
      kind: (b.group ? `${b.kind}.${b.group}` : b.kind).toLowerCase(),
      columnLabels: opts.labelColumns ?? [],
      showLabels: opts.showLabels ?? false,
    };
    let table = b.table;
    if (opts.sortBy && (table.rows ?? []).length > 1) {
      const sorted = sortTableRows(table, opts.sortBy);
      if (!sorted) continue; // SortingPrinter's error is dropped by get.go: the block prints nothing
      table = sorted;
    }
    humanPrint(table, st, o, w);
  }
  w.flush();
  return out.join("");
}

// ---------------------------------------------------------------- --sort-by (sorter.go)

/** TableSorter: the table with its rows sorted by the field, or undefined where kubectl's printer fails. */
function sortTableRows(table: Table, sortBy: string): Table | undefined {
  let field: string;
  try {
    field = relaxedJSONPathExpression(sortBy);
  } catch {
    field = sortBy;
  }
  let parsed: unknown[][][];
  try {
    parsed = table.rows.map((r) => findResults(field, r.object));
  } catch {
    return undefined; // "sorting error: …" or "Failed to get values…"
  }
  if (!parsed.some((p) => p.length > 0 && p[0].length > 0)) return undefined;
  const rows = [...table.rows];
  goSort(
    rows.length,
    (i, j) => lessValues(parsed[i], parsed[j], field),
    (i, j) => {
      [rows[i], rows[j]] = [rows[j], rows[i]];
      [parsed[i], parsed[j]] = [parsed[j], parsed[i]];
    },
  );
  return { ...table, rows };
}

/** RuntimeSorter over several Table objects (get.go Run with more than one info). */
function sortBlocks(blocks: TableBlock[], sortBy: string): TableBlock[] {
  let field: string;
  try {
    field = relaxedJSONPathExpression(sortBy);
  } catch {
    field = sortBy;
  }
  try {
    field = relaxedJSONPathExpression(field);
  } catch (e) {
    throw new PrinterError(`error: ${(e as Error).message}\n`);
  }
  let values: unknown[][][];
  try {
    values = blocks.map((b) => findResults(field, b.table));
  } catch (e) {
    throw new PrinterError(`error: ${(e as Error).message}\n`);
  }
  if (!values.some((v) => v.length > 0 && v[0].length > 0)) {
    throw new PrinterError(`error: couldn't find any field with path "${field}" in the list of objects\n`);
  }
  const order = [...blocks];
  goSort(
    order.length,
    (i, j) => lessValues(values[i], values[j], field),
    (i, j) => {
      [order[i], order[j]] = [order[j], order[i]];
      [values[i], values[j]] = [values[j], values[i]];
    },
  );
  return order;
}

function lessValues(iv: unknown[][], jv: unknown[][], field: string): boolean {
  if (iv.length === 0 || iv[0].length === 0) return true;
  if (jv.length === 0 || jv[0].length === 0) return false;
  return isLess(iv[0][0], jv[0][0], field);
}

/** sorter.go isLess for unstructured values (interface kinds). */
function isLess(a: unknown, b: unknown, field: string): boolean {
  const aNil = a === null || a === undefined;
  const bNil = b === null || b === undefined;
  if (aNil && bNil) return false;
  if (aNil) return true;
  if (bNil) return false;
  const kind = (v: unknown) => (typeof v === "number" ? (isGoInt(v) ? "int64" : "float64") : typeof v === "string" ? "string" : "other");
  const ka = kind(a);
  const kb = kind(b);
  if (ka === "string" && kb === "string") {
    const qa = parseQuantity(a as string);
    const qb = parseQuantity(b as string);
    if (qa !== undefined && qb !== undefined) return qa < qb;
    return byteCompare(a as string, b as string) < 0;
  }
  if ((ka === "int64" || ka === "float64") && ka === kb) return (a as number) < (b as number);
  throw new PrinterError(
    `Field ${field} in *v1.Table is an unsortable type: interface, err: ${ka === "other" ? `unsortable type: ${goTypeOf(a)}` : "unsortable interface: interface"}\n`,
  );
}

function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "boolean") return "bool";
  return "map[string]interface {}";
}

/** resource.ParseQuantity's value, approximately (as a number), or undefined when it is not a quantity. */
function parseQuantity(s: string): number | undefined {
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  const suffix = m[3] ?? "";
  const bin: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const dec: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  if (bin[suffix]) return n * bin[suffix];
  if (dec[suffix] !== undefined) return n * dec[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

/** Go's sort.Sort (pdqsort, Go 1.19+), so that ties end up where kubectl puts them. */
export const goSort = sortInterface;

// ---------------------------------------------------------------- -o yaml / json / name

// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
function listOf(objs: any[]): Obj {
  return { apiVersion: "v1", items: objs, kind: "List", metadata: { resourceVersion: "" } };
}

/** `-o yaml` / `-o json` of one object or of several (kubectl wraps several in `kind: List`, `apiVersion: v1`, `metadata: {resourceVersion: ""}` — check exactly). */
// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
export function printYaml(objs: any[], asList: boolean): string {
  if (asList) return goYamlMarshal(listOf(objs));
  return objs.map((o) => goYamlMarshal(o)).join("---\n");
}

// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
export function printJson(objs: any[], asList: boolean): string {
  if (asList) return `${goJson(listOf(objs), "    ")}\n`;
  return objs.map((o) => `${goJson(o, "    ")}\n`).join("");
}

/** `-o name`: "pod/nginx", "deployment.apps/web", "service/kubernetes" (one line, without its newline). */
// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
export function printName(obj: any, kind: string, group: string): string {
  const name = (obj as Obj | undefined)?.metadata?.name || "<unknown>";
  if (!kind) throw new PrinterError(`error: missing kind for resource with name ${name}\n`);
  return group ? `${kind.toLowerCase()}.${group}/${name}` : `${kind.toLowerCase()}/${name}`;
}

/**
 * `kubectl get -w`: one printer and one tabwriter for the whole watch (get.go watch), so the header
 * is printed once and later rows keep the columns' remembered widths. Each print returns its text.
 */
export class TableStream {
  private text = "";
  private readonly w = new TabWriter((s) => void (this.text += s));
  private readonly st: HumanState = { printedHeaders: false };
  private readonly o: PrintOptions;

  constructor(block: Omit<TableBlock, "table">, opts: TableOptions = {}) {
    this.o = {
      noHeaders: opts.noHeaders ?? false,
      wide: opts.wide ?? false,
      withNamespace: (opts.withNamespace ?? false) && block.namespaced !== false,
      withKind: opts.withKind ?? false,
      kind: (block.group ? `${block.kind}.${block.group}` : block.kind).toLowerCase(),
      columnLabels: opts.labelColumns ?? [],
      showLabels: opts.showLabels ?? false,
    };
  }

  print(table: Table): string {
    humanPrint(table, this.st, this.o, this.w);
    this.w.flush();
    const out = this.text;
    this.text = "";
    return out;
  }
}
