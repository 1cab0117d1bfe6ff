// `kubectl events` (k8s.io/kubectl/pkg/cmd/events): the namespace's core/v1 Events (or every
// namespace's, or one object's), sorted by when they last happened, in its own table (LAST SEEN, TYPE,
// REASON, OBJECT, MESSAGE) or as the typed EventList prints; -w follows them until Ctrl-C.
import type { Event } from "kubernetes-types/core/v1";
import { type Parsed, bool, str, strs } from "./args";
import { abortAfterRequestTimeout, awaitHost, findResource, KubectlError, listError, statusMessage, watchEvents } from "./client";
import { escapeFieldValue, goSort, since } from "./describe/format";
import { GoError, goJson, JsonPathError, jsonPath } from "./jsonpath";
import { escapeTerminal, TabWriter } from "./printers";
import type { Kube, KubectlRun, Verb } from "./types";
import { goYamlMarshal } from "./yaml";

const FORMATS = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

// ---- the typed objects kubectl prints: corev1.Event through encoding/json, fields in struct order ----

type Json = Record<string, unknown>;
/** The `omitempty` fields of a struct that are set: empty strings, maps and lists are left out. */
const pick = (o: Json | undefined, keys: string[]): Json => {
  const out: Json = {};
  for (const key of keys) {
    const v = o?.[key];
    if (v === undefined || v === null || v === "" || (typeof v === "object" && !Object.keys(v).length)) continue;
    out[key] = v;
  }
  return out;
};
/** A metav1.Time or MicroTime field: always there (a struct is never omitted), null when zero. */
const time = (v: unknown) => (v ? v : null);

const objectReference = (r: unknown) => pick(r as Json, ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]);

function objectMeta(m: Json | undefined): Json {
  const out = pick(m, ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation"]);
  out.creationTimestamp = time(m?.creationTimestamp);
  Object.assign(out, pick(m, ["deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations"]));
  const owners = m?.ownerReferences as Json[] | undefined;
  if (owners?.length)
    out.ownerReferences = owners.map((r) => pick(r, ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"]));
  if ((m?.finalizers as string[] | undefined)?.length) out.finalizers = m?.finalizers;
  const managed = m?.managedFields as Json[] | undefined;
  if (managed?.length)
    out.managedFields = managed.map((f) =>
      pick(f, ["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"]),
    );
  return out;
}

/** An Event as kubectl's typed client holds it (kind and apiVersion set, as events.go sets them). */
export function typedEvent(e: Event): Json {
  const j = e as unknown as Json;
  const out: Json = {
    kind: "Event",
    apiVersion: "v1",
    metadata: objectMeta(j.metadata as Json),
    involvedObject: objectReference(j.involvedObject),
  };
  Object.assign(out, pick(j, ["reason", "message"]));
  out.source = pick(j.source as Json, ["component", "host"]);
  out.firstTimestamp = time(j.firstTimestamp);
  out.lastTimestamp = time(j.lastTimestamp);
  if (e.count) out.count = e.count;
  if (e.type) out.type = e.type;
  out.eventTime = time(j.eventTime);
  if (e.series) out.series = { ...(e.series.count ? { count: e.series.count } : {}), lastObservedTime: time(e.series.lastObservedTime) };
  if (e.action) out.action = e.action;
  if (e.related) out.related = objectReference(e.related);
  out.reportingComponent = e.reportingComponent ?? "";
  out.reportingInstance = e.reportingInstance ?? "";
  return out;
}

const typedList = (items: Event[]): Json => ({ kind: "EventList", apiVersion: "v1", metadata: {}, items: items.map(typedEvent) });

// ---- sorting and the table (events.go SortableEvents, event_printer.go) ----

/** A timestamp in microseconds (MicroTime's precision); the zero time before any other. */
export function micros(ts: string | null | undefined): number {
  if (!ts) return Number.NEGATIVE_INFINITY;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return Number.NEGATIVE_INFINITY;
  const fraction = /\.(\d+)/.exec(ts)?.[1] ?? "";
  return Math.floor(ms / 1000) * 1e6 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

/** eventTime(): the series' last observation, else the last timestamp, else the event time. */
const eventTime = (e: Event) =>
  e.series ? micros(e.series.lastObservedTime) : e.lastTimestamp ? micros(e.lastTimestamp) : micros(e.eventTime);

/** sort.Sort(SortableEvents): Go's unstable sort, so that ties land where kubectl puts them. */
export const sortEvents = (events: Event[]) => goSort(events, (a, b) => eventTime(a) < eventTime(b));

/** getInterval: "5m", or "30s (x3 over 5m)" for a repeated one. */
export function interval(e: Event, now: number): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/** EventPrinter: the header once (unless --no-headers), a row per event, through one tab writer. */
export class EventPrinter {
  private headersPrinted = false;
  private text = "";
  private readonly w = new TabWriter((s) => void (this.text += s));

  constructor(
    private readonly noHeaders: boolean,
    private readonly allNamespaces: boolean,
  ) {}

  print(events: Event[], now: number): string {
    if (!this.noHeaders && !this.headersPrinted) {
      this.w.write(`${this.allNamespaces ? "NAMESPACE\t" : ""}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n`);
      this.headersPrinted = true;
    }
    for (const e of events) {
      const ns = this.allNamespaces ? `${e.metadata?.namespace ?? ""}\t` : "";
      const object = `${escapeTerminal(e.involvedObject?.kind ?? "")}/${escapeTerminal(e.involvedObject?.name ?? "")}`;
      this.w.write(
        `${ns}${interval(e, now)}\t${escapeTerminal(e.type ?? "")}\t${escapeTerminal(e.reason ?? "")}\t${object}\t${escapeTerminal((e.message ?? "").trim())}\n`,
      );
    }
    this.w.flush();
    const out = this.text;
    this.text = "";
    return out;
  }
}

// ---- -o: the PrintFlags printers events allows ----

type Printer = (obj: Json, kind: "list" | "event") => string;

function printerFor(output: string, k: Kube): Printer {
  const eq = output.indexOf("=");
  const format = eq < 0 ? output : output.slice(0, eq);
  const template = eq < 0 ? "" : output.slice(eq + 1);
  let printed = 0;
  switch (format) {
    case "json":
      return (obj) => `${goJson(obj, "    ", true)}\n`;
    case "yaml":
      // The YAML printer separates each object after the first.
      return (obj) => `${printed++ ? "---\n" : ""}${goYamlMarshal(obj)}`;
    case "name":
      // The name printer refuses a typed list (events.go ignores the error): only single events print.
      return (obj, kind) => (kind === "list" ? "" : `event/${(obj.metadata as Json).name}\n`);
    case "jsonpath":
    case "jsonpath-as-json":
      if (!template) throw new KubectlError("error: template format specified but no template given");
      return (obj) => {
        try {
          return jsonPath(template, JSON.parse(goJson(obj)));
        } catch (e) {
          if (e instanceof JsonPathError || e instanceof GoError) throw new KubectlError(e.message);
          throw e;
        }
      };
    case "go-template":
    case "go-template-file":
    case "template":
    case "templatefile":
    case "jsonpath-file":
      return () => {
        throw k.notYet(`kubectl events -o ${format}`);
      };
  }
  throw new KubectlError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS}`);
}

// ---- the command ----

/** decodeResourceTypeName: --for's TYPE/NAME as the RESTMapper resolves it, in its words when it cannot. */
function forObject(arg: string): { kind: string; apiVersion: string; name: string } {
  if (!arg.includes("/")) throw new KubectlError("error: --for must be in resource/name form");
  const seg = arg.split("/");
  if (seg.length !== 2) throw new KubectlError("error: arguments in resource/name form may not have more than one slash");
  const [type, name] = seg;
  const lower = type.toLowerCase();
  try {
    const { def } = findResource(lower);
    return { kind: def.kind, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, name };
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    const dot = lower.indexOf(".");
    const resource = dot < 0 ? lower : lower.slice(0, dot);
    const group = dot < 0 ? "" : ` in group "${lower.slice(dot + 1)}"`;
    throw new KubectlError(`the server doesn't have a resource type "${resource}"${group}`);
  }
}

function* eventsRun(p: Parsed, k: Kube): KubectlRun {
  const all = bool(p, "all-namespaces");
  const about = str(p, "for") ? forObject(str(p, "for")!) : undefined;
  const types = [...new Set(strs(p, "types"))].sort();
  const output = str(p, "output");
  const printer = output ? printerFor(output, k) : undefined;
  if (types.some((t) => !/^(normal|warning)$/i.test(t))) throw new KubectlError("error: valid --types are Normal or Warning");
  const wanted = (e: Event) => !types.length || types.some((t) => t.toLowerCase() === (e.type ?? "").toLowerCase());

  const events = findResource("events");
  const path = events.path(all ? undefined : k.namespace);
  const query = new URLSearchParams({ limit: "500" });
  if (about?.name) {
    const terms = [
      ["involvedObject.kind", about.kind],
      ["involvedObject.apiVersion", about.apiVersion],
      ["involvedObject.name", about.name],
    ];
    query.set("fieldSelector", terms.map(([f, v]) => `${f}=${escapeFieldValue(v)}`).join(","));
  }
  const human = new EventPrinter(bool(p, "no-headers"), all);
  // -o yaml and -o json leave managedFields out unless --show-managed-fields (OmitManagedFieldsPrinter).
  const omitManaged = (output === "yaml" || output === "json") && !bool(p, "show-managed-fields");
  const typed = (e: Event): Json => {
    const t = typedEvent(e);
    if (omitManaged) delete (t.metadata as Json).managedFields;
    return t;
  };
  if (bool(p, "watch"))
    return yield* watch(p, k, path, query, wanted, (e) => (printer ? printer(typed(e), "event") : human.print([e], k.now())));

  const items: Event[] = [];
  for (;;) {
    const r = yield* awaitHost(k.api("GET", `${path}?${query}`));
    if (r.status >= 400) throw new KubectlError(listError(r, events, "", query.get("fieldSelector") ?? ""));
    const list = JSON.parse(r.text);
    items.push(...(list.items ?? []));
    if (!list.metadata?.continue) break;
    query.set("continue", list.metadata.continue);
  }
  const shown = items.filter(wanted);
  if (!shown.length) {
    k.io.stderr(all ? "No events found.\n" : `No events found in ${k.namespace} namespace.\n`);
    return 0;
  }
  const sorted = sortEvents(shown);
  k.io.stdout(printer ? printer({ ...typedList([]), items: sorted.map(typed) }, "list") : human.print(sorted, k.now()));
  return 0;
}

/** runWatch: every event the watch brings (the existing ones first, as ADDED), printed as it comes, until Ctrl-C. */
function* watch(
  p: Parsed,
  k: Kube,
  path: string,
  query: URLSearchParams,
  wanted: (e: Event) => boolean,
  print: (e: Event) => string,
): KubectlRun {
  query.set("watch", "true");
  const abort = new AbortController();
  const timer = abortAfterRequestTimeout(str(p, "request-timeout"), abort);
  try {
    const r = yield* awaitHost(
      k.api("GET", `${path}?${query}`, {
        signal: abort.signal,
        stream: watchEvents(({ type, object }) => {
          // Deleted events are only expiring; an ERROR's object is a Status, not an Event.
          if (type !== "DELETED" && type !== "ERROR" && wanted(object)) k.io.stdout(print(object));
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

export const events: Verb = {
  flags: [
    { name: "output", short: "o", kind: "string" },
    { name: "watch", short: "w", kind: "bool" },
    { name: "all-namespaces", short: "A", kind: "bool" },
    { name: "for", kind: "string" },
    { name: "types", kind: "strings" },
    { name: "no-headers", kind: "bool" },
    { name: "chunk-size", kind: "int" },
    { name: "template", kind: "string" },
    { name: "allow-missing-template-keys", kind: "bool" },
    { name: "show-managed-fields", kind: "bool" },
  ],
  run: eventsRun,
};
