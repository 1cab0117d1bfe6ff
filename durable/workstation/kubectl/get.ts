// `kubectl get` (k8s.io/kubectl/pkg/cmd/get): the server prints the rows (Table), kubectl lays them
// out; other formats print the objects themselves.
import { goTemplate } from "./gotemplate";
import { type Parsed, bool, str, strs } from "./args";
import {
  abortAfterRequestTimeout,
  awaitHost,
  findResource,
  KubectlError,
  listError,
  resourceOf,
  servedTable,
  statusMessage,
  TABLE_ACCEPT,
  watchEvents,
  type Resource,
} from "./client";
import { customColumns } from "./customcolumns";
import { JsonPathError, jsonPath } from "./jsonpath";
import { PrinterError, printJson, printName, printTables, printYaml, TableStream, type Table, type TableBlock } from "./printers";
import { namespaceOf, readManifests } from "./manifests";
import type { Kube, KubectlRun, Verb } from "./types";

/** The resources of `kubectl get all`: the "all" category, in discovery order. */
const ALL = () => {
  const seen = new Set<string>();
  const table = servedTable();
  return table.groupVersions
    .flatMap((gv) => table.inGroupVersion(gv))
    .filter((d) => d.categories?.includes("all") && !seen.has(d.plural) && seen.add(d.plural));
};

/** What the arguments (or -f) ask for: a resource, its names, and where -f put them. */
export interface Requested {
  resource: Resource;
  names: string[];
  namespace?: string;
}

/** What the arguments ask for: (resource, names) pairs in the order typed. */
export function requested(args: string[]): Requested[] {
  if (!args.length) return [];
  const out: Requested[] = [];
  if (args.every((a) => a.includes("/"))) {
    for (const a of args) {
      const [type, name] = [a.slice(0, a.indexOf("/")), a.slice(a.indexOf("/") + 1)];
      if (!name) throw new KubectlError(`error: arguments in resource/name form must have a single resource and name`);
      const resource = findResource(type);
      const last = out[out.length - 1];
      if (last && last.resource.def === resource.def) last.names.push(name);
      else out.push({ resource, names: [name] });
    }
    return out;
  }
  if (args.slice(1).some((a) => a.includes("/")))
    throw new KubectlError(
      "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
    );
  const types = args[0].split(",").filter(Boolean);
  const names = args.slice(1);
  for (const t of types) {
    if (t === "all") for (const def of ALL()) out.push({ resource: resourceOf(def), names });
    else out.push({ resource: findResource(t), names });
  }
  return out;
}

export const getFlags = [
  { name: "output", short: "o", kind: "string" },
  { name: "selector", short: "l", kind: "string" },
  { name: "field-selector", kind: "string" },
  { name: "all-namespaces", short: "A", kind: "bool" },
  { name: "show-labels", kind: "bool" },
  { name: "label-columns", short: "L", kind: "strings" },
  { name: "no-headers", kind: "bool" },
  { name: "show-kind", kind: "bool" },
  { name: "sort-by", kind: "string" },
  { name: "ignore-not-found", kind: "bool" },
  { name: "watch", short: "w", kind: "bool" },
  { name: "watch-only", kind: "bool" },
  { name: "chunk-size", kind: "int" },
  { name: "filename", short: "f", kind: "strings" },
  { name: "recursive", short: "R", kind: "bool" },
  { name: "raw", kind: "string" },
  { name: "subresource", kind: "string" },
  { name: "show-managed-fields", kind: "bool" },
  { name: "template", kind: "string" },
  { name: "allow-missing-template-keys", kind: "bool" },
] as const;

function* getRun(p: Parsed, k: Kube) {
  const raw = str(p, "raw");
  if (raw !== undefined) {
    const r = yield* awaitHost(k.api("GET", raw));
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    k.io.stdout(r.text.endsWith("\n") ? r.text : `${r.text}\n`);
    return 0;
  }
  // --template alone means -o go-template; -o go-template/template take it when `=` gives none.
  const template = str(p, "template");
  let output = str(p, "output") ?? (template !== undefined ? "go-template" : "");
  if ((output === "go-template" || output === "template") && template !== undefined) output = `go-template=${template}`;
  if (bool(p, "watch") || bool(p, "watch-only")) return yield* watchRun(p, k, output);
  const all = bool(p, "all-namespaces");
  const wanted = strs(p, "filename").length ? fromFiles(k, strs(p, "filename")) : requested(p.args);
  if (!wanted.length) {
    k.io.stderr(
      `You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n`,
    );
    return 1;
  }
  const query = new URLSearchParams();
  const selector = str(p, "selector");
  const fields = str(p, "field-selector");
  if (selector) query.set("labelSelector", selector);
  if (fields) query.set("fieldSelector", fields);
  const human = output === "" || output === "wide";
  const errors: string[] = [];
  const blocks: TableBlock[] = [];
  const objects: { obj: any; resource: Resource }[] = [];
  // One named object prints as itself; anything else (a list, several names) as a List.
  const single = wanted.length === 1 && wanted[0].names.length === 1;
  let namespacedOnly = !all;
  for (const entry of wanted) {
    const { resource, names } = entry;
    const ns = all ? undefined : k.namespace;
    const nameNs = entry.namespace ?? k.namespace;
    namespacedOnly &&= resource.def.namespaced;
    const headers = human ? { accept: TABLE_ACCEPT } : { accept: "application/json" };
    // Sorting reads the rows' objects, which the server then sends whole.
    const objectQuery = human && str(p, "sort-by") ? "includeObject=Object" : "";
    if (names.length) {
      for (const name of names) {
        const r = yield* awaitHost(k.api("GET", `${resource.path(nameNs, name)}${objectQuery ? `?${objectQuery}` : ""}`, { headers }));
        if (r.status === 404 && bool(p, "ignore-not-found")) continue;
        if (r.status >= 400) {
          errors.push(statusMessage(r));
          continue;
        }
        const body = JSON.parse(r.text);
        if (human) addRows(blocks, resource, body);
        else objects.push({ obj: body, resource });
      }
    } else {
      const q = new URLSearchParams(query);
      q.set("limit", "500");
      if (objectQuery) q.set("includeObject", "Object");
      const r = yield* awaitHost(k.api("GET", `${resource.path(ns)}?${q}`, { headers }));
      if (r.status >= 400) {
        errors.push(listError(r, resource, selector, fields));
        continue;
      }
      const body = JSON.parse(r.text);
      if (human) addRows(blocks, resource, body);
      else for (const item of body.items ?? []) objects.push({ obj: withKind(item, resource), resource });
    }
  }
  let text = "";
  if (human) {
    text = printTables(
      blocks.filter((b) => b.table.rows.length),
      {
        wide: output === "wide",
        withNamespace: all,
        showLabels: bool(p, "show-labels"),
        labelColumns: strs(p, "label-columns"),
        noHeaders: bool(p, "no-headers"),
        withKind: bool(p, "show-kind") || new Set(blocks.filter((b) => b.table.rows.length).map((b) => b.kind)).size > 1,
        sortBy: str(p, "sort-by"),
      },
    );
  } else if (objects.length || !single) {
    text = formatObjects(output, objects, single, bool(p, "no-headers"), !bool(p, "show-managed-fields"));
  }
  k.io.stdout(text);
  if (!text && !errors.length && !bool(p, "ignore-not-found") && (human || output === "name"))
    k.io.stderr(namespacedOnly ? `No resources found in ${k.namespace} namespace.\n` : "No resources found\n");
  for (const e of errors) k.io.stderr(`${e}\n`);
  return errors.length ? 1 : 0;
}

/** `get -w`: the list (unless --watch-only), then each change as a row, until Ctrl-C. */
function* watchRun(p: Parsed, k: Kube, output: string): KubectlRun {
  if (output !== "" && output !== "wide") throw k.notYet(`kubectl get --watch -o ${output}`);
  const wanted = requested(p.args);
  if (wanted.length > 1) throw new KubectlError("error: you may only specify a single resource type");
  if (!wanted.length) throw new KubectlError("error: Required resource not specified.");
  const [{ resource, names }] = wanted;
  const all = bool(p, "all-namespaces");
  const ns = all ? undefined : k.namespace;
  const query = new URLSearchParams();
  if (str(p, "selector")) query.set("labelSelector", str(p, "selector")!);
  const fields = [str(p, "field-selector"), names.length === 1 ? `metadata.name=${names[0]}` : undefined].filter(Boolean);
  if (fields.length) query.set("fieldSelector", fields.join(","));
  const headers = { accept: TABLE_ACCEPT };
  const list = yield* awaitHost(k.api("GET", `${resource.path(ns)}${query.size ? `?${query}` : ""}`, { headers }));
  if (list.status >= 400) throw new KubectlError(statusMessage(list));
  const table: Table = JSON.parse(list.text);
  const printer = new TableStream(
    { kind: resource.def.kind, group: resource.def.group, namespaced: resource.def.namespaced },
    {
      wide: output === "wide",
      withNamespace: all,
      showLabels: bool(p, "show-labels"),
      labelColumns: strs(p, "label-columns"),
      noHeaders: bool(p, "no-headers"),
    },
  );
  if (!bool(p, "watch-only")) k.io.stdout(printer.print(table));
  query.set("watch", "1");
  query.set("resourceVersion", table.metadata?.resourceVersion ?? "0");
  const abort = new AbortController();
  const timer = abortAfterRequestTimeout(str(p, "request-timeout"), abort);
  try {
    const r = yield* awaitHost(
      k.api("GET", `${resource.path(ns)}?${query}`, {
        headers,
        signal: abort.signal,
        stream: watchEvents((event) => {
          if (event.type !== "ERROR" && event.object?.kind === "Table") k.io.stdout(printer.print(event.object));
        }),
      }),
    );
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    return 0;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** `-f`: the objects the manifests name, each as TYPE NAME in its own namespace. */
function fromFiles(k: Kube, files: string[]): Requested[] {
  return readManifests(k, files).map((m) => ({ resource: m.resource, names: [m.obj.metadata?.name ?? ""], namespace: namespaceOf(m, k) }));
}

function addRows(blocks: TableBlock[], resource: Resource, table: Table): void {
  const last = blocks[blocks.length - 1];
  const { kind, group } = resource.def;
  if (last && last.kind === kind && last.group === group) last.table.rows.push(...table.rows);
  else blocks.push({ table, kind, group, namespaced: resource.def.namespaced });
}

function withoutManagedFields(obj: any): any {
  if (!obj?.metadata?.managedFields) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** List items come without kind and apiVersion; kubectl puts them back before printing. */
function withKind(item: any, resource: Resource): any {
  const { def } = resource;
  return { apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind, ...item };
}

/** `omitManaged`: the OmitManagedFieldsPrinter that -o yaml and -o json get unless --show-managed-fields. */
export function formatObjects(
  output: string,
  objects: { obj: any; resource: Resource }[],
  single: boolean,
  noHeaders = false,
  omitManaged = true,
): string {
  const shown =
    omitManaged && (output === "yaml" || output === "json") ? objects.map((o) => ({ ...o, obj: withoutManagedFields(o.obj) })) : objects;
  try {
    return format(output, shown, single, noHeaders);
  } catch (e) {
    if (e instanceof JsonPathError || e instanceof PrinterError) throw new KubectlError(e.message);
    throw e;
  }
}

function format(output: string, objects: { obj: any; resource: Resource }[], single: boolean, noHeaders: boolean): string {
  const objs = objects.map((o) => o.obj);
  if (output === "yaml") return printYaml(objs, !single);
  if (output === "json") return printJson(objs, !single);
  if (output === "name") return objects.map((o) => `${printName(o.obj, o.resource.def.kind, o.resource.def.group)}\n`).join("");
  const [format, arg = ""] = [
    output.slice(0, output.indexOf("=") < 0 ? output.length : output.indexOf("=")),
    output.slice(output.indexOf("=") + 1),
  ];
  if (format === "jsonpath" || format === "jsonpath-as-json") {
    const data = single ? objs[0] : { apiVersion: "v1", items: objs, kind: "List", metadata: { resourceVersion: "" } };
    return jsonPath(arg, data);
  }
  if (format === "custom-columns") return customColumns(arg, objs, noHeaders);
  if ((format === "go-template" || format === "template") && output.includes("=")) {
    const data = single ? objs[0] : { apiVersion: "v1", items: objs, kind: "List", metadata: { resourceVersion: "" } };
    return goTemplate(arg, data);
  }
  if (format === "go-template" || format === "template") throw new KubectlError("error: template format specified but no template given");
  throw new KubectlError(
    `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`,
  );
}

export const get: Verb = { flags: getFlags, run: getRun };
