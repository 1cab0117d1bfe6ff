// genericDescriber (GenericDescriberFor): an unstructured object printed as a tree, plus Events.
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  LEVEL_0,
  type PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  sortStrings,
  tabbedString,
} from "./format";

type Unstructured = Record<string, unknown>;

const isMap = (v: unknown): v is Unstructured => typeof v === "object" && v !== null && !Array.isArray(v);

/** strconv.FormatFloat(f, 'g', -1, 64), what %v prints for a float64. */
function goFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mantissa, expText] = f.toExponential().split("e");
  const exp = Number(expText);
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = f < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** fmt's %v of a value decoded into interface{} (JSON integers decode as int64, others float64). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v).toString() : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (isMap(v))
    return `map[${sortStrings(Object.keys(v))
      .map((k) => `${k}:${goValue(v[k])}`)
      .join(" ")}]`;
  return String(v);
}

/** fatih/camelcase.Split */
function camelSplit(src: string): string[] {
  const runes: string[][] = [];
  let lastClass = 0;
  for (const r of src) {
    const cls = /\p{Ll}/u.test(r) ? 1 : /\p{Lu}/u.test(r) ? 2 : /\p{Nd}/u.test(r) ? 3 : 4;
    if (cls === lastClass) runes[runes.length - 1].push(r);
    else runes.push([r]);
    lastClass = cls;
  }
  for (let i = 0; i < runes.length - 1; i++) {
    if (/\p{Lu}/u.test(runes[i][0]) && /\p{Ll}/u.test(runes[i + 1][0])) {
      const last = runes[i].pop() as string;
      runes[i + 1].unshift(last);
    }
  }
  return runes.filter((r) => r.length > 0).map((r) => r.join(""));
}

const ACRONYMS = ["API", "URL", "UID", "OSB", "GUID"];

/** smartLabelFor */
export function smartLabelFor(field: string): string {
  for (const r of field) if (!/\p{L}/u.test(r) && r !== "-") return field;
  const result: string[] = [];
  for (let part of camelSplit(field)) {
    if (part === "_") continue;
    if (ACRONYMS.includes(part.toUpperCase())) part = part.toUpperCase();
    else part = part.charAt(0).toUpperCase() + part.slice(1);
    result.push(part);
  }
  return result.join(" ");
}

function printUnstructuredContent(w: PrefixWriter, level: number, content: Unstructured, skipPrefix: string, skip: string[]) {
  for (const field of sortStrings(Object.keys(content))) {
    const value = content[field];
    const skipExpr = `${skipPrefix}.${field}`;
    if (skip.includes(skipExpr)) continue;
    if (isMap(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructuredContent(w, level + 1, value, skipExpr, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of value) {
        if (isMap(child)) printUnstructuredContent(w, level + 1, child, skipExpr, skip);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else {
      w.write(level, `${smartLabelFor(field)}:\t${goValue(value)}\n`);
    }
  }
}

// biome-ignore lint/suspicious/noExplicitAny: an unstructured object as the API serves it
export async function describeGeneric(obj: any, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf(obj), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${obj.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${obj.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", obj.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", obj.metadata?.annotations);
    printUnstructuredContent(w, LEVEL_0, obj, "", [
      ".metadata.managedFields",
      ".metadata.name",
      ".metadata.namespace",
      ".metadata.labels",
      ".metadata.annotations",
    ]);
    if (events) describeEvents(events, w, opts.now);
  });
}
