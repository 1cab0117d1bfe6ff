// What every describer of k8s.io/kubectl/pkg/describe (v0.33) writes through: the prefix writer over
// a text/tabwriter (minwidth 0, tabwidth 8, padding 2, padchar ' ', no flags), Go's sort.Sort and
// sort.Slice (pdqsort: not stable above 12 elements, so equal keys land where Go puts them), the
// time and duration formats, resource.Quantity arithmetic, label selectors and the shared printers
// of labels, annotations, taints, tolerations and events.
import { humanDuration } from "../../../resources/printers";
import type { Event } from "kubernetes-types/core/v1";
import type { LabelSelector, ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1";
import { formatCanonical, parseCanonical } from "../../../resources/quantity";

export { humanDuration };

/** What a describer may read (the caller implements it over the API). */
export interface DescribeReader {
  // biome-ignore lint/suspicious/noExplicitAny: the objects are JSON as the API serves them
  get(resource: string, namespace: string | undefined, name: string): Promise<any | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: the objects are JSON as the API serves them
  list(resource: string, namespace: string | undefined, opts?: { labelSelector?: string; fieldSelector?: string }): Promise<any[]>;
}

export interface DescribeOptions {
  showEvents: boolean;
  chunkSize?: number;
  /** ms since the epoch, for the Age/"ago" columns */
  now: number;
}

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;
export const LEVEL_4 = 4;

// ---------------------------------------------------------------------------------------------
// text/tabwriter

interface Cell {
  size: number; // bytes of text (here: UTF-16 units, only used to slice)
  width: number; // runes
  htab: boolean;
}

const runeCount = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Go's text/tabwriter.Writer with the settings tabbedString uses: cells end at '\t', a line with a
 *  single cell (or Flush) ends every column block, a column is as wide as its widest cell + 2. */
export class TabWriter {
  private out = "";
  private buf = "";
  private pos = 0;
  private cell: Cell = { size: 0, width: 0, htab: false };
  private lines: Cell[][] = [[]];
  private widths: number[] = [];

  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\t" || ch === "\v" || ch === "\n" || ch === "\f") {
        this.append(text.slice(n, i));
        n = i + 1;
        const ncells = this.terminateCell(ch === "\t");
        if (ch === "\n" || ch === "\f") {
          this.lines.push([]);
          if (ch === "\f" || ncells === 1) this.flushNoDefers();
        }
      }
    }
    this.append(text.slice(n));
  }

  flush(): void {
    if (this.cell.size > 0) this.terminateCell(false);
    this.flushNoDefers();
  }

  result(): string {
    this.flush();
    return this.out;
  }

  private append(s: string) {
    if (!s) return;
    this.buf += s;
    this.cell.size += s.length;
    this.cell.width += runeCount(s);
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1];
    line.push(this.cell);
    this.cell = { size: 0, width: 0, htab: false };
    return line.length;
  }

  private flushNoDefers() {
    this.format(0, this.lines.length);
    this.buf = "";
    this.pos = 0;
    this.cell = { size: 0, width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let thisLine = line0; thisLine < line1; thisLine++) {
      let line = this.lines[thisLine];
      if (column >= line.length - 1) continue;
      this.writeLines(line0, thisLine);
      line0 = thisLine;
      let width = 0;
      for (; thisLine < line1; thisLine++) {
        line = this.lines[thisLine];
        if (column >= line.length - 1) break;
        const w = line[column].width + 2;
        if (w > width) width = w;
      }
      this.widths.push(width);
      this.format(line0, thisLine);
      this.widths.pop();
      line0 = thisLine;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number) {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        if (c.size > 0) {
          this.out += this.buf.slice(this.pos, this.pos + c.size);
          this.pos += c.size;
        }
        if (j < this.widths.length) this.out += " ".repeat(Math.max(0, this.widths[j] - c.width));
      }
      if (i + 1 === this.lines.length) {
        this.out += this.buf.slice(this.pos, this.pos + this.cell.size);
        this.pos += this.cell.size;
      } else {
        this.out += "\n";
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PrefixWriter

/** printers.EscapeTerminal */
const escapeTerminal = (s: string) => s.replace(/\x1b/g, "^[").replace(/\r/g, "\\r");

/** describe.PrefixWriter: the text is already formatted (the Go format strings become template
 *  literals); each level indents two spaces. */
export class PrefixWriter {
  constructor(
    private readonly tw: TabWriter,
    private readonly indent = 0,
  ) {}
  write(level: number, text: string): void {
    this.tw.write(escapeTerminal("  ".repeat(level + this.indent) + text));
  }
  /** fmt.Sprintln of the arguments. */
  writeLine(...a: string[]): void {
    if (this.indent > 0) this.tw.write(escapeTerminal("  ".repeat(this.indent) + `${a.join(" ")}\n`));
    else this.tw.write(escapeTerminal(`${a.join(" ")}\n`));
  }
  flush(): void {
    this.tw.flush();
  }
  /** NewNestedPrefixWriter */
  nested(indent: number): PrefixWriter {
    return new PrefixWriter(this.tw, this.indent + indent);
  }
}

/** tabbedString */
export async function tabbedString(f: (w: PrefixWriter) => void | Promise<void>): Promise<string> {
  const tw = new TabWriter();
  await f(new PrefixWriter(tw));
  return tw.result();
}

// ---------------------------------------------------------------------------------------------
// sort.Sort / sort.Slice (pdqsort, Go 1.19+)

interface SortData {
  less(i: number, j: number): boolean;
  swap(i: number, j: number): void;
}

const bitsLen = (n: number) => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);

/** Go's sort.Sort over an indexed collection (sort.Interface: Len, Less, Swap). */
export function sortInterface(n: number, less: (i: number, j: number) => boolean, swap: (i: number, j: number) => void): void {
  if (n > 1) pdqsort({ less, swap }, 0, n, bitsLen(n));
}

/** Go's sort.Slice (the same algorithm over a less function of the elements): in place. */
export function goSort<T>(arr: T[], less: (a: T, b: T) => boolean): T[] {
  sortInterface(
    arr.length,
    (i, j) => less(arr[i], arr[j]),
    (i, j) => {
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    },
  );
  return arr;
}

/** sort.Strings */
export const sortStrings = (a: string[]) => goSort(a, (x, y) => x < y);

function insertionSort(data: SortData, a: number, b: number) {
  for (let i = a + 1; i < b; i++) for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
}

function siftDown(data: SortData, lo: number, hi: number, first: number) {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

function heapSort(data: SortData, a: number, b: number) {
  const first = a;
  const hi = b - a;
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(first, first + i);
    siftDown(data, 0, i, first);
  }
}

const UNKNOWN = 0;
const INCREASING = 1;
const DECREASING = 2;

function pdqsort(data: SortData, a: number, b: number, limit: number) {
  const maxInsertion = 12;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= maxInsertion) {
      insertionSort(data, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b);
    if (hint === DECREASING) {
      reverseRange(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint === INCREASING) {
      if (partialInsertionSort(data, a, b)) return;
    }
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.floor(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

function partition(data: SortData, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  data.swap(j, a);
  return [j, false];
}

function partitionEqual(data: SortData, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort(data: SortData, a: number, b: number): boolean {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < shortestShifting) return false;
    data.swap(i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
  }
  return false;
}

const MASK64 = (1n << 64n) - 1n;

function breakPatterns(data: SortData, a: number, b: number) {
  const length = b - a;
  if (length >= 8) {
    let random = BigInt(length);
    const modulus = 1 << bitsLen(length);
    const next = () => {
      random ^= (random << 13n) & MASK64;
      random ^= random >> 7n;
      random ^= (random << 17n) & MASK64;
      return random;
    };
    const base = a + Math.floor(length / 4) * 2;
    for (let idx = base - 1; idx <= base + 1; idx++) {
      let other = Number(next() & BigInt(modulus - 1));
      if (other >= length) other -= length;
      data.swap(idx, a + other);
    }
  }
}

function choosePivot(data: SortData, a: number, b: number): [number, number] {
  const shortestNinther = 50;
  const maxSwaps = 4 * 3;
  const l = b - a;
  const swaps = { n: 0 };
  let i = a + Math.floor(l / 4) * 1;
  let j = a + Math.floor(l / 4) * 2;
  let k = a + Math.floor(l / 4) * 3;
  if (l >= 8) {
    if (l >= shortestNinther) {
      i = median(data, i - 1, i, i + 1, swaps);
      j = median(data, j - 1, j, j + 1, swaps);
      k = median(data, k - 1, k, k + 1, swaps);
    }
    j = median(data, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, INCREASING];
  if (swaps.n === maxSwaps) return [j, DECREASING];
  return [j, UNKNOWN];
}

function order2(data: SortData, a: number, b: number, swaps: { n: number }): [number, number] {
  if (data.less(b, a)) {
    swaps.n++;
    return [b, a];
  }
  return [a, b];
}

function median(data: SortData, a: number, b: number, c: number, swaps: { n: number }): number {
  [a, b] = order2(data, a, b, swaps);
  [b, c] = order2(data, b, c, swaps);
  [a, b] = order2(data, a, b, swaps);
  return b;
}

function reverseRange(data: SortData, a: number, b: number) {
  let i = a;
  let j = b - 1;
  while (i < j) {
    data.swap(i, j);
    i++;
    j--;
  }
}

// ---------------------------------------------------------------------------------------------
// time

/** A metav1.Time / MicroTime as JSON holds it: ms since the epoch, or undefined for the zero time. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince / translateMicroTimestampSince */
export function since(ts: string | null | undefined, now: number): string {
  const t = parseTime(ts);
  if (t === undefined) return "<unknown>";
  return humanDuration(now - t);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => String(n).padStart(2, "0");

/** t.Format(time.RFC1123Z) in UTC (the zero time for a missing one, as Go prints it). */
export function rfc1123z(ts: string | null | undefined): string {
  const t = parseTime(ts);
  if (t === undefined) return "Mon, 01 Jan 0001 00:00:00 +0000";
  const d = new Date(t);
  const year = String(d.getUTCFullYear()).padStart(4, "0");
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${year} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

// ---------------------------------------------------------------------------------------------
// resource.Quantity

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A resource.Quantity: value = unscaled × 10^scale (signed), with the format String() uses. */
export class Quantity {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
    readonly format: Format,
  ) {}

  static zero(format: Format = "DecimalSI"): Quantity {
    return new Quantity(0n, 0, format);
  }

  /** The quantity of a JSON value; a missing or unparsable one is the zero quantity. */
  static parse(v: unknown, format: Format = "DecimalSI"): Quantity {
    if (typeof v !== "string" && typeof v !== "number") return Quantity.zero(format);
    const p = parseCanonical(String(v));
    if (!p) return Quantity.zero(format);
    return new Quantity(p.negative ? -p.unscaled : p.unscaled, p.scale, p.format);
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  add(y: Quantity): Quantity {
    const format = this.isZero() ? y.format : this.format;
    const s = Math.min(this.scale, y.scale);
    const a = this.unscaled * 10n ** BigInt(this.scale - s);
    const b = y.unscaled * 10n ** BigInt(y.scale - s);
    return new Quantity(a + b, s, format);
  }

  cmp(y: Quantity): number {
    const s = Math.min(this.scale, y.scale);
    const a = this.unscaled * 10n ** BigInt(this.scale - s);
    const b = y.unscaled * 10n ** BigInt(y.scale - s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** ScaledValue(scale): rounded up (away from zero for positives, as inf.Dec RoundUp does). */
  scaledValue(scale: number): number {
    const shift = this.scale - scale;
    if (shift >= 0) return Number(this.unscaled * 10n ** BigInt(shift));
    const d = 10n ** BigInt(-shift);
    const q = this.unscaled / d;
    const r = this.unscaled % d;
    if (r === 0n) return Number(q);
    return Number(this.unscaled > 0n ? q + 1n : q - 1n);
  }

  value(): number {
    return this.scaledValue(0);
  }

  milliValue(): number {
    return this.scaledValue(-3);
  }

  toString(): string {
    if (this.unscaled === 0n) return "0";
    return formatCanonical({
      negative: this.unscaled < 0n,
      unscaled: this.unscaled < 0n ? -this.unscaled : this.unscaled,
      scale: this.scale,
      format: this.format,
    });
  }
}

/** A ResourceList (name → Quantity). */
export type ResourceList = Map<string, Quantity>;

export function resourceList(json: Record<string, unknown> | undefined | null): ResourceList {
  const m: ResourceList = new Map();
  for (const [k, v] of Object.entries(json ?? {})) m.set(k, Quantity.parse(v));
  return m;
}

/** SortedResourceNames */
export const sortedResourceNames = (list: Record<string, unknown> | undefined | null) => sortStrings(Object.keys(list ?? {}));

/** The canonical text of a JSON quantity (Quantity.String()). */
export const quantityString = (v: unknown) => Quantity.parse(v).toString();

// ---------------------------------------------------------------------------------------------
// labels and selectors

/** labels.FormatLabels */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = sortStrings(Object.keys(labels ?? {}));
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels?.[k]}`).join(",");
}

interface Requirement {
  key: string;
  op: string;
  values: string[];
}

function requirementString(r: Requirement): string {
  let s = r.op === "DoesNotExist" ? `!${r.key}` : r.key;
  switch (r.op) {
    case "Equals":
      s += "=";
      break;
    case "In":
      s += " in ";
      break;
    case "NotIn":
      s += " notin ";
      break;
    default:
      return s;
  }
  const values = r.values.length === 1 ? r.values[0] : sortStrings([...r.values]).join(",");
  return r.op === "In" || r.op === "NotIn" ? `${s}(${values})` : s + values;
}

/** metav1.LabelSelectorAsSelector(sel).String(); undefined when the selector does not convert. */
export function labelSelectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!sel) return ""; // labels.Nothing()
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: "Equals", values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator)) return undefined;
    reqs.push({ key: e.key, op: e.operator, values: e.values ?? [] });
  }
  // internalSelector.Add sorts by key (sort.Sort); matchLabels came from a map (keys unique).
  goSort(reqs, (a, b) => a.key < b.key);
  return reqs.map(requirementString).join(",");
}

/** metav1.FormatLabelSelector */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return "<error>";
  return s.length === 0 ? "<none>" : s;
}

/** labels.SelectorFromSet(set).String() */
export function selectorFromSet(set: Record<string, string> | undefined | null): string {
  return sortStrings(Object.keys(set ?? {}))
    .map((k) => `${k}=${set?.[k]}`)
    .join(",");
}

/** fields.EscapeValue */
export const escapeFieldValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/=/g, "\\=");

// ---------------------------------------------------------------------------------------------
// object helpers

/** metav1.GetControllerOf */
export function controllerOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  return (meta?.ownerReferences ?? []).find((r) => r.controller === true);
}

/** printController */
export function printController(meta: ObjectMeta | undefined): string {
  const ref = controllerOf(meta);
  return ref ? `${ref.kind}/${ref.name}` : "";
}

/** Go's %v of a bool */
export const goBool = (b: boolean | undefined | null) => (b ? "true" : "false");

/** printBool */
export const printBool = (b: boolean | undefined | null) => (b ? "True" : "False");

/** printBoolPtr */
export const printBoolPtr = (b: boolean | undefined | null) => (b === undefined || b === null ? "<unset>" : printBool(b));

/** stringOrNone */
export const stringOrNone = (s: string) => (s.length > 0 ? s : "<none>");

/** intstr.IntOrString.String() */
export const intOrString = (v: number | string | undefined | null) => (v === undefined || v === null ? "" : String(v));

/** base64 byte length of a Secret/ConfigMap binary value. */
export function base64Length(v: string | undefined | null): number {
  if (!v) return 0;
  const s = v.replace(/[\r\n]/g, "");
  const padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - padding;
}

/** The text of a base64 value (Secret data printed as a string). */
export function base64Text(v: string | undefined | null): string {
  if (!v) return "";
  const bin = atob(v.replace(/[\r\n]/g, ""));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// shared printers

const maxAnnotationLen = 140;
const skipAnnotations = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/** printLabelsMultiline */
export function printLabelsMultiline(w: PrefixWriter, title: string, labels: Record<string, string> | undefined | null): void {
  printLabelsMultilineWithIndent(w, "", title, "\t", labels, new Set());
}

/** printLabelsMultilineWithIndent */
export function printLabelsMultilineWithIndent(
  w: PrefixWriter,
  initialIndent: string,
  title: string,
  innerIndent: string,
  labels: Record<string, string> | undefined | null,
  skip: Set<string>,
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const all = Object.keys(labels ?? {});
  if (all.length === 0) {
    w.writeLine("<none>");
    return;
  }
  const keys = all.filter((k) => !skip.has(k));
  if (keys.length === 0) {
    w.writeLine("<none>");
    return;
  }
  sortStrings(keys);
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels?.[key]}\n`);
  });
}

/** shorten (byte length in Go; the strings here are compared by UTF-16 length) */
function shorten(s: string, maxLength: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length > maxLength) return `${new TextDecoder().decode(bytes.slice(0, maxLength))}...`;
  return s;
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** printAnnotationsMultiline */
export function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: Record<string, string> | undefined | null): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {}).filter((k) => !skipAnnotations.has(k));
  if (keys.length === 0) {
    w.writeLine("<none>");
    return;
  }
  sortStrings(keys);
  const indent = "\t";
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const value = (annotations?.[key] ?? "").replace(/\n$/, "");
    if (byteLength(value) + byteLength(key) + 2 > maxAnnotationLen || value.includes("\n")) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split("\n")) w.write(LEVEL_0, `${indent}  ${shorten(s, maxAnnotationLen - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** Taint.ToString() */
export const taintString = (t: Taint) => (t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`);

/** printNodeTaintsMultiline */
export function printNodeTaintsMultiline(w: PrefixWriter, title: string, taints: Taint[] | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (!taints || taints.length === 0) {
    w.writeLine("<none>");
    return;
  }
  const sorted = goSort([...taints], (a, b) => `${a.effect},${a.key}` < `${b.effect},${b.key}`);
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, "");
      w.write(LEVEL_0, "\t");
    }
    w.write(LEVEL_0, `${taintString(t)}\n`);
  });
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** printPodTolerationsMultiline (printTolerationsMultilineWithIndent with "" and "\t") */
export function printPodTolerationsMultiline(w: PrefixWriter, title: string, tolerations: Toleration[] | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (!tolerations || tolerations.length === 0) {
    w.writeLine("<none>");
    return;
  }
  const sorted = goSort([...tolerations], (a, b) => (a.key ?? "") < (b.key ?? ""));
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, "");
      w.write(LEVEL_0, "\t");
    }
    let s = t.key ?? "";
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === "Exists" && !t.value) s += t.key || t.effect ? " op=Exists" : "op=Exists";
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(LEVEL_0, `${s}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// events

/** What reference.GetReference gives for an object: the fields searchEvents selects on. */
export interface ObjectRef {
  kind?: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** The involvedObject field selector of events (CoreV1().Events(ns).GetFieldSelector). */
export function eventFieldSelector(ref: ObjectRef): string {
  const terms = [`involvedObject.name=${escapeFieldValue(ref.name)}`, `involvedObject.namespace=${escapeFieldValue(ref.namespace ?? "")}`];
  if (ref.kind) terms.push(`involvedObject.kind=${escapeFieldValue(ref.kind)}`);
  if (ref.uid) terms.push(`involvedObject.uid=${escapeFieldValue(ref.uid)}`);
  return terms.join(",");
}

/** The reference of an object as served (apiVersion/kind set). */
export function refOf(obj: { kind?: string; metadata?: ObjectMeta }): ObjectRef {
  return { kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "", uid: obj.metadata?.uid };
}

/** searchEvents: the events about an object (any error gives what was listed so far: none). */
export async function searchEvents(reader: DescribeReader, ref: ObjectRef): Promise<Event[]> {
  try {
    return (await reader.list("events", ref.namespace || undefined, { fieldSelector: eventFieldSelector(ref) })) as Event[];
  } catch {
    return [];
  }
}

/** DescribeEvents */
export function describeEvents(events: Event[], w: PrefixWriter, now: number): void {
  if (events.length === 0) {
    w.write(LEVEL_0, "Events:\t<none>\n");
    return;
  }
  w.flush();
  const at = (e: Event) => parseTime(e.lastTimestamp) ?? Number.NEGATIVE_INFINITY;
  goSort(events, (a, b) => at(a) < at(b));
  w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
  for (const e of events) {
    let firstTimestampSince = since(e.eventTime, now);
    if (!parseTime(e.eventTime)) firstTimestampSince = since(e.firstTimestamp, now);
    let interval: string;
    if (e.series) {
      interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${firstTimestampSince})`;
    } else if ((e.count ?? 0) > 1) {
      interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${firstTimestampSince})`;
    } else {
      interval = firstTimestampSince;
    }
    const source = e.source?.component || e.reportingComponent || "";
    w.write(LEVEL_1, `${e.type ?? ""}\t${e.reason ?? ""}\t${interval}\t${source}\t${(e.message ?? "").trim()}\n`);
  }
}

/** The Events section a describer ends with, when asked for. */
export async function eventsFor(reader: DescribeReader, ref: ObjectRef, opts: DescribeOptions): Promise<Event[] | undefined> {
  return opts.showEvents ? await searchEvents(reader, ref) : undefined;
}

/** An error a reader's list may reject with: the API status code, when it carries one. */
export function statusCode(err: unknown): number | undefined {
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; status?: unknown };
    if (typeof e.code === "number") return e.code;
    if (typeof e.status === "number") return e.status;
  }
  return undefined;
}

/** The message of an error, as Go's %s of it prints. */
export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
