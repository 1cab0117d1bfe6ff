// `kubectl get -o custom-columns=…` and `-o custom-columns-file=…`: kubectl pkg/cmd/get/customcolumn.go.
// Each column is a relaxed JSONPath evaluated with missing keys allowed; a column with no value
// prints <none>, several values are joined with commas, each as Go's fmt.Sprint prints it.

import { findResults, GoError, goV } from "./jsonpath";
import { PrinterError, relaxedJSONPathExpression, TabWriter } from "./printers";

interface Column {
  header: string;
  fieldSpec: string;
}

function fail(message: string): never {
  throw new PrinterError(`error: ${message}\n`);
}

function relaxed(spec: string): string {
  try {
    return relaxedJSONPathExpression(spec);
  } catch (e) {
    if (e instanceof GoError) fail(e.message);
    throw e;
  }
}

/** NewCustomColumnsPrinterFromSpec */
function columnsFromSpec(spec: string): Column[] {
  if (spec.length === 0) fail("custom-columns format specified but no custom columns given");
  return spec.split(",").map((part) => {
    const i = part.indexOf(":");
    if (i < 0) fail(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), fieldSpec: relaxed(part.slice(i + 1)) };
  });
}

/** bufio.ScanWords: fields separated by Unicode white space. */
function words(line: string): string[] {
  return line.split(/[\s\u0085\u00a0]+/u).filter((w) => w.length > 0);
}

/** NewCustomColumnsPrinterFromTemplate: a header line and a spec line, white-space separated. */
function columnsFromTemplate(content: string): Column[] {
  const lines = content.split("\n").map((l) => l.replace(/\r$/, ""));
  if (content.length === 0 || lines.length < 1) {
    fail(
      "invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.",
    );
  }
  const headers = words(lines[0]);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === "" && content.endsWith("\n"))) {
    fail(
      "invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.",
    );
  }
  const specs = words(lines[1]);
  if (headers.length !== specs.length) {
    fail(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  }
  return headers.map((h, i) => ({ header: h, fieldSpec: relaxed(specs[i]) }));
}

function print(columns: Column[], objs: unknown[], noHeaders: boolean): string {
  let out = "";
  const w = new TabWriter((s) => {
    out += s;
  });
  if (!noHeaders) w.write(`${columns.map((c) => c.header).join("\t")}\n`);
  for (const obj of objs) {
    const cells = columns.map((c) => {
      let values: unknown[][];
      try {
        values = findResults(c.fieldSpec, obj);
      } catch (e) {
        if (e instanceof GoError) fail(e.message);
        throw e;
      }
      const strs: string[] = [];
      if (values.length === 0 || values[0].length === 0) strs.push("<none>");
      for (const arr of values) for (const v of arr) strs.push(goV(v).replace(/\x1b/g, "^[").replace(/\r/g, "\\r"));
      return strs.join(",");
    });
    w.write(`${cells.join("\t")}\n`);
  }
  w.flush();
  return out;
}

/**
 * `-o custom-columns=NAME:.metadata.name,...`: kubectl's output (tabwriter, `<none>` for missing)
 * for the objects (each item of a list, or the one object). Throws PrinterError on a bad spec with
 * kubectl's stderr text.
 */
// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
export function customColumns(spec: string, objs: any[], noHeaders?: boolean): string {
  return print(columnsFromSpec(spec), objs, noHeaders ?? false);
}

/** `-o custom-columns-file=<file>` given the file's content (kubectl prints its headers even with --no-headers). */
// biome-ignore lint/suspicious/noExplicitAny: objects of any kind
export function customColumnsFromTemplate(content: string, objs: any[]): string {
  return print(columnsFromTemplate(content), objs, false);
}
