// Events, served twice from one storage: core/v1 Event (stored form) and events.k8s.io/v1 Event
// (converted, pkg/apis/events/v1/conversion.go). Validation follows
// pkg/apis/core/validation/events.go: core/v1 requests get the legacy rules, events.k8s.io/v1
// requests the strict ones. Printing follows printEvent (both versions print the internal form).
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, immutable, invalid, isDNS1123Subdomain, isQualifiedName, required, validatePathSegmentName } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";

const REPORTING_INSTANCE_MAX = 128;
const ACTION_MAX = 128;
const REASON_MAX = 128;
const NOTE_MAX = 1024;

const put = (o: Obj, k: string, v: unknown) => {
  if (v !== undefined && v !== "" && v !== 0) o[k] = v;
};

/** events.k8s.io/v1 → core/v1 (Convert_v1_Event_To_core_Event), in core/v1 field order. */
export function toCore(ev: Obj): Obj {
  const out: Obj = { kind: "Event", apiVersion: "v1", metadata: ev.metadata ?? {} };
  out.involvedObject = ev.regarding ?? {};
  put(out, "reason", ev.reason);
  put(out, "message", ev.note);
  out.source = ev.deprecatedSource ?? {};
  out.firstTimestamp = ev.deprecatedFirstTimestamp ?? null;
  out.lastTimestamp = ev.deprecatedLastTimestamp ?? null;
  put(out, "count", ev.deprecatedCount);
  put(out, "type", ev.type);
  out.eventTime = ev.eventTime ?? null;
  if (ev.series != null) out.series = ev.series;
  put(out, "action", ev.action);
  if (ev.related != null) out.related = ev.related;
  out.reportingComponent = ev.reportingController ?? "";
  out.reportingInstance = ev.reportingInstance ?? "";
  return out;
}

/** core/v1 → events.k8s.io/v1 (Convert_core_Event_To_v1_Event), in events/v1 field order. */
export function toEventsV1(ev: Obj): Obj {
  const out: Obj = { kind: "Event", apiVersion: "events.k8s.io/v1", metadata: ev.metadata ?? {} };
  out.eventTime = ev.eventTime ?? null;
  if (ev.series != null) out.series = ev.series;
  put(out, "reportingController", ev.reportingComponent);
  put(out, "reportingInstance", ev.reportingInstance);
  put(out, "action", ev.action);
  put(out, "reason", ev.reason);
  out.regarding = ev.involvedObject ?? {};
  if (ev.related != null) out.related = ev.related;
  put(out, "note", ev.message);
  put(out, "type", ev.type);
  out.deprecatedSource = ev.source ?? {};
  out.deprecatedFirstTimestamp = ev.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = ev.lastTimestamp ?? null;
  put(out, "deprecatedCount", ev.count);
  return out;
}

const isEventsV1 = (ev: Obj) => ev.apiVersion === "events.k8s.io/v1" || "regarding" in ev || "note" in ev;
/** The internal (core) shape of either version. */
const core = (ev: Obj) => (isEventsV1(ev) ? toCore(ev) : ev);

/** Go's field.Error value formatting for the immutable-field errors of structs. */
const goValue = (v: unknown) => (v === undefined || v === null ? "" : v);

/** legacyValidateEvent; `reporting` is the request version's name of reportingController. */
function legacyValidate(ev: Obj, reporting: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? "";
  const involvedNs = ev.involvedObject?.namespace ?? "";
  const mismatch = () => invalid("involvedObject.namespace", involvedNs, "does not match event.namespace");
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== "" && ns !== "default") errs.push(mismatch());
    } else if (ns !== involvedNs) errs.push(mismatch());
  } else {
    if (!involvedNs && ns !== "default" && ns !== "kube-system") errs.push(mismatch());
    const controller = ev.reportingComponent ?? "";
    if (!controller) errs.push(required(reporting));
    errs.push(...each(reporting, controller, isQualifiedName(controller)));
    const instance = ev.reportingInstance ?? "";
    if (!instance) errs.push(required("reportingInstance"));
    if (instance.length > REPORTING_INSTANCE_MAX)
      errs.push(invalid("reportingInstance", "", `can have at most ${REPORTING_INSTANCE_MAX} characters`));
    const action = ev.action ?? "";
    if (!action) errs.push(required("action"));
    if (action.length > ACTION_MAX) errs.push(invalid("action", "", `can have at most ${ACTION_MAX} characters`));
    const reason = ev.reason ?? "";
    if (!reason) errs.push(required("reason"));
    if (reason.length > REASON_MAX) errs.push(invalid("reason", "", `can have at most ${REASON_MAX} characters`));
    if ((ev.message ?? "").length > NOTE_MAX) errs.push(invalid("message", "", `can have at most ${NOTE_MAX} characters`));
  }
  errs.push(...each("namespace", ns, isDNS1123Subdomain(ns)));
  return errs;
}

function validateSeries(ev: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (ev.series != null) {
    if (!(ev.series.count >= 2)) errs.push(invalid("series.count", "", "should be at least 2"));
    if (!ev.series.lastObservedTime) errs.push(required("series.lastObservedTime"));
  }
  return errs;
}

/** ValidateEventCreate for an events.k8s.io/v1 request (on the internal form). */
function strictValidate(ev: Obj): FieldError[] {
  const errs = [...legacyValidate(ev, "reportingController"), ...validateSeries(ev)];
  if (!ev.eventTime) errs.push(required("eventTime"));
  if (ev.type !== "Normal" && ev.type !== "Warning") errs.push(invalid("type", "", `has invalid value: ${ev.type ?? ""}`));
  if (ev.firstTimestamp) errs.push(invalid("firstTimestamp", "", "needs to be unset"));
  if (ev.lastTimestamp) errs.push(invalid("lastTimestamp", "", "needs to be unset"));
  if (ev.count) errs.push(invalid("count", "", "needs to be unset"));
  if (ev.source?.component || ev.source?.host) errs.push(invalid("source", "", "needs to be unset"));
  return errs;
}

/** ValidateEventUpdate for an events.k8s.io/v1 request: most fields are immutable. */
function strictValidateUpdate(ev: Obj, old: Obj): FieldError[] {
  const errs = legacyValidate(ev, "reportingController");
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(ev.series, old.series)) errs.push(...validateSeries(ev));
  const fields: [string, string][] = [
    ["involvedObject", "involvedObject"],
    ["reason", "reason"],
    ["message", "message"],
    ["source", "source"],
    ["firstTimestamp", "firstTimestamp"],
    ["lastTimestamp", "lastTimestamp"],
    ["count", "count"],
    ["type", "type"],
    ["eventTime", "eventTime"],
    ["action", "action"],
    ["related", "related"],
    ["reportingComponent", "reportingController"],
    ["reportingInstance", "reportingInstance"],
  ];
  for (const [key, path] of fields) if (!same(ev[key] || null, old[key] || null)) errs.push(immutable(path, goValue(ev[key])));
  return errs;
}

// ---- printing ---------------------------------------------------------------------------

/** printEvent: both versions print the internal form; cells in column order (wide included). */
function eventRow(obj: Obj, now: number): unknown[] {
  const ev = core(obj);
  let first = age(ev.firstTimestamp, now);
  if (!ev.firstTimestamp) first = age(ev.eventTime, now);
  let last = ev.lastTimestamp ? age(ev.lastTimestamp, now) : first;
  let count = ev.count ?? 0;
  if (ev.series) {
    last = age(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (!count) count = 1; // singleton events of the new API have no count
  const io = ev.involvedObject ?? {};
  const kind = String(io.kind ?? "").toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || "";
  const instance = ev.source?.host || ev.reportingInstance || "";
  const source = instance ? `${component}, ${instance}` : component;
  return [
    last,
    ev.type ?? "",
    ev.reason ?? "",
    target,
    io.fieldPath ?? "",
    source,
    String(ev.message ?? "").trim(),
    first,
    count,
    ev.metadata?.name,
  ];
}

const columns: ResourceDef["columns"] = [
  {
    name: "Last Seen",
    type: "string",
    description: "The time at which the most recent occurrence of this event was recorded.",
    priority: 0,
  },
  {
    name: "Type",
    type: "string",
    description: "Type of this event (Normal, Warning), new types could be added in the future",
    priority: 0,
  },
  {
    name: "Reason",
    type: "string",
    description:
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    priority: 0,
  },
  { name: "Object", type: "string", description: "The object that this event is about.", priority: 0 },
  {
    name: "Subobject",
    type: "string",
    description:
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
    priority: 1,
  },
  {
    name: "Source",
    type: "string",
    description: "The component reporting this event. Should be a short machine understandable string.",
    priority: 1,
  },
  { name: "Message", type: "string", description: "A human-readable description of the status of this operation.", priority: 0 },
  {
    name: "First Seen",
    type: "string",
    description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    priority: 1,
  },
  { name: "Count", type: "string", description: "The number of times this event has occurred.", priority: 1 },
  { ...nameColumn, priority: 1 },
];

/** ToSelectableFields over the internal form (core/v1 field names). */
const coreSelectors: Record<string, (ev: Obj) => string> = {
  "involvedObject.kind": (ev) => ev.involvedObject?.kind ?? "",
  "involvedObject.namespace": (ev) => ev.involvedObject?.namespace ?? "",
  "involvedObject.name": (ev) => ev.involvedObject?.name ?? "",
  "involvedObject.uid": (ev) => ev.involvedObject?.uid ?? "",
  "involvedObject.apiVersion": (ev) => ev.involvedObject?.apiVersion ?? "",
  "involvedObject.resourceVersion": (ev) => ev.involvedObject?.resourceVersion ?? "",
  "involvedObject.fieldPath": (ev) => ev.involvedObject?.fieldPath ?? "",
  reason: (ev) => ev.reason ?? "",
  reportingComponent: (ev) => ev.reportingComponent ?? "",
  source: (ev) => ev.source?.component || ev.reportingComponent || "",
  type: (ev) => ev.type ?? "",
};

/** events.k8s.io/v1 field labels (AddFieldLabelConversionsForEvent) mapped onto the same set. */
const eventsV1Selectors: Record<string, (ev: Obj) => string> = Object.fromEntries(
  (
    [
      ["regarding.kind", "involvedObject.kind"],
      ["regarding.namespace", "involvedObject.namespace"],
      ["regarding.name", "involvedObject.name"],
      ["regarding.uid", "involvedObject.uid"],
      ["regarding.apiVersion", "involvedObject.apiVersion"],
      ["regarding.resourceVersion", "involvedObject.resourceVersion"],
      ["regarding.fieldPath", "involvedObject.fieldPath"],
      ["reason", "reason"],
      ["reportingController", "reportingComponent"],
      ["type", "type"],
    ] as const
  ).map(([label, internal]) => [label, (ev: Obj) => coreSelectors[internal](core(ev))]),
);

/** Always present in the JSON of a core/v1 Event (non-omitempty fields). */
function coreDefaults(ev: Obj): void {
  ev.involvedObject ??= {};
  ev.source ??= {};
  if (ev.firstTimestamp === undefined) ev.firstTimestamp = null;
  if (ev.lastTimestamp === undefined) ev.lastTimestamp = null;
  if (ev.eventTime === undefined) ev.eventTime = null;
  ev.reportingComponent ??= "";
  ev.reportingInstance ??= "";
}

const coreEvent: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  openapi: "io.k8s.api.core.v1.Event",
  allowUpdateCreate: true,
  nameValidator: validatePathSegmentName,
  columns,
  row: (ev, ctx) => eventRow(ev, ctx.now),
  defaults: coreDefaults,
  validate: (ev) => legacyValidate(ev, "reportingComponent"),
  validateUpdate: (ev) => legacyValidate(ev, "reportingComponent"),
  fieldSelectors: coreSelectors,
};

const eventsV1Event: ResourceDef = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  openapi: "io.k8s.api.events.v1.Event",
  storage: { plural: "events", group: "" },
  convert: { toStorage: toCore, fromStorage: toEventsV1 },
  allowUpdateCreate: true,
  nameValidator: isDNS1123Subdomain,
  columns,
  row: (ev, ctx) => eventRow(ev, ctx.now),
  validate: (ev) => strictValidate(core(ev)),
  validateUpdate: (ev, old) => strictValidateUpdate(core(ev), core(old)),
  fieldSelectors: eventsV1Selectors,
};

export default [coreEvent, eventsV1Event];
