// core/v1 LimitRange: SetDefaults_LimitRangeItem, ValidateLimitRange and printLimitRange, and the
// LimitRanger admission plugin (plugin/pkg/admission/limitranger): its mutating half fills in the
// containers' default requests and limits of a new pod, its validating half holds pods and claims to
// the ranges' min, max and maxLimitRequestRatio.
import type { LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1";
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { createdAtColumn, nameColumn } from "./printers";
import { duplicate, forbidden, invalid, isQualifiedName, required } from "./validation";
import { canonicalizeResourceList, cmpQuantity, milliValue, type Quantity, quantityOf, quantityString } from "./quantity";
import { parseList, podResources, type ResourceList } from "./quota";

const ANNOTATION = "kubernetes.io/limit-ranger";

// ---- the object -------------------------------------------------------------------------------

/** SetDefaults_LimitRangeItem: a Container range's default limit is its max, its default request the default limit or the min. */
function defaultItem(item: LimitRangeItem): void {
  if (item.type !== "Container") return;
  const def = (item.default ??= {});
  const defReq = (item.defaultRequest ??= {});
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
  // Empty maps are omitted on the wire.
  if (!Object.keys(def).length) delete item.default;
  if (!Object.keys(defReq).length) delete item.defaultRequest;
}

const STANDARD_LIMIT_TYPES = new Set(["Pod", "Container", "PersistentVolumeClaim"]);
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const STANDARD_RESOURCES = new Set([
  ...STANDARD_CONTAINER_RESOURCES,
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
]);
const isNative = (name: string) => !name.includes("/") || name.includes("kubernetes.io/");
/** helper.IsOvercommitAllowed: extended resources and huge pages must be requested at their limit. */
const overcommitAllowed = (name: string) => isNative(name) && !name.startsWith("hugepages-");

/** validateResourceName, and validateContainerResourceName for Pod and Container ranges. */
function validateResourceName(type: string | undefined, name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  const plain = !name.includes("/");
  if (type === "Pod" || type === "Container") {
    if (plain && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith("hugepages-"))
      return [invalid(path, name, "must be a standard resource for containers")];
    if (!plain && !isNative(name) && isQualifiedName(`requests.${name}`).length)
      return [invalid(path, name, "doesn't follow extended resource name standard")];
    return [];
  }
  if (plain && !STANDARD_RESOURCES.has(name) && !name.startsWith("hugepages-") && !/^(requests|limits)\./.test(name))
    return [invalid(path, name, "must be a standard resource type or fully qualified")];
  return [];
}

const goFloat = (x: number) => x.toFixed(6);

/** ValidateLimitRange (Go walks its maps in no fixed order; the resources are taken sorted here). */
export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    const type = item.type ?? "";
    const typeErrs = isQualifiedName(type).map((m) => invalid(`${path}.type`, type, m));
    if (!typeErrs.length && !type.includes("/") && !STANDARD_LIMIT_TYPES.has(type))
      typeErrs.push(invalid(`${path}.type`, type, "must be a standard limit type or fully qualified"));
    errs.push(...typeErrs);
    if (seen.has(type)) errs.push(duplicate(`${path}.type`, type));
    seen.add(type);

    const lists: Record<string, ResourceList> = {};
    const take = (field: "max" | "min" | "default" | "defaultRequest" | "maxLimitRequestRatio") => {
      lists[field] = parseList(item[field] as Record<string, unknown>);
      for (const k of Object.keys(item[field] ?? {})) errs.push(...validateResourceName(type, k, `${path}.${field}[${k}]`));
    };
    take("max");
    take("min");
    if (type === "Pod") {
      if (Object.keys(item.default ?? {}).length) errs.push(forbidden(`${path}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length)
        errs.push(forbidden(`${path}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
      lists.default = {};
      lists.defaultRequest = {};
    } else {
      take("default");
      take("defaultRequest");
    }
    if (type === "PersistentVolumeClaim" && !("storage" in lists.min) && !("storage" in lists.max))
      errs.push(required(`${path}.limits`, "either minimum or maximum storage value is required, but neither was provided"));
    take("maxLimitRequestRatio");

    const keys = [...new Set(Object.values(lists).flatMap((l) => Object.keys(l)))].sort();
    for (const k of keys) {
      const min = lists.min[k];
      const max = lists.max[k];
      const dflt = lists.default[k];
      const dreq = lists.defaultRequest[k];
      const ratio = lists.maxLimitRequestRatio[k];
      const s = quantityString;
      if (min && max && cmpQuantity(min, max) > 0)
        errs.push(invalid(`${path}.min[${k}]`, s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (dreq && min && cmpQuantity(min, dreq) > 0)
        errs.push(invalid(`${path}.defaultRequest[${k}]`, s(dreq), `min value ${s(min)} is greater than default request value ${s(dreq)}`));
      if (dreq && max && cmpQuantity(dreq, max) > 0)
        errs.push(invalid(`${path}.defaultRequest[${k}]`, s(dreq), `default request value ${s(dreq)} is greater than max value ${s(max)}`));
      if (dreq && dflt && cmpQuantity(dreq, dflt) > 0)
        errs.push(
          invalid(
            `${path}.defaultRequest[${k}]`,
            s(dreq),
            `default request value ${s(dreq)} is greater than default limit value ${s(dflt)}`,
          ),
        );
      if (dflt && min && cmpQuantity(min, dflt) > 0)
        errs.push(invalid(`${path}.default[${k}]`, s(min), `min value ${s(min)} is greater than default value ${s(dflt)}`));
      if (dflt && max && cmpQuantity(dflt, max) > 0)
        errs.push(invalid(`${path}.default[${k}]`, s(max), `default value ${s(dflt)} is greater than max value ${s(max)}`));
      if (ratio && cmpQuantity(ratio, quantityOf("1")) < 0)
        errs.push(invalid(`${path}.maxLimitRequestRatio[${k}]`, s(ratio), `ratio ${s(ratio)} is less than 1`));
      if (ratio && min && max) {
        const limit = Number(milliValue(max)) / Number(milliValue(min));
        if (Number(milliValue(ratio)) / 1000 > limit)
          errs.push(
            invalid(`${path}.maxLimitRequestRatio[${k}]`, s(ratio), `ratio ${s(ratio)} is greater than max/min = ${goFloat(limit)}`),
          );
      }
      if (!overcommitAllowed(k) && dflt && dreq && cmpQuantity(dflt, dreq) !== 0)
        errs.push(
          invalid(
            `${path}.defaultRequest[${k}]`,
            s(dreq),
            `default value ${s(dflt)} must equal to defaultRequest value ${s(dreq)} in ${k}`,
          ),
        );
    }
  });
  return errs;
}

// ---- admission ---------------------------------------------------------------------------------

/** defaultContainerResourceRequirements: the Container ranges' defaults, later ranges winning. */
function containerDefaults(lr: LimitRange): { requests: Record<string, unknown>; limits: Record<string, unknown> } {
  const out = { requests: {} as Record<string, unknown>, limits: {} as Record<string, unknown> };
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    Object.assign(out.requests, item.defaultRequest ?? {});
    Object.assign(out.limits, item.default ?? {});
  }
  return out;
}

/** PodMutateLimitFunc over every LimitRange of the namespace: missing requests and limits come from the defaults. */
export function admitLimitRanges(pod: Obj, ctx: Ctx): void {
  for (const lr of ctx.list("limitranges", pod.metadata?.namespace) as LimitRange[]) {
    const defaults = containerDefaults(lr);
    const notes: string[] = [];
    const merge = (c: Obj, what: string) => {
      const setLimits = Object.keys(defaults.limits).filter((k) => !(k in (c.resources?.limits ?? {})));
      const setRequests = Object.keys(defaults.requests).filter((k) => !(k in (c.resources?.requests ?? {})));
      if (!setLimits.length && !setRequests.length) return;
      c.resources ??= {};
      if (setLimits.length)
        c.resources.limits = { ...c.resources.limits, ...Object.fromEntries(setLimits.map((k) => [k, defaults.limits[k]])) };
      if (setRequests.length)
        c.resources.requests = { ...c.resources.requests, ...Object.fromEntries(setRequests.map((k) => [k, defaults.requests[k]])) };
      if (setRequests.length) notes.push(`${setRequests.sort().join(", ")} request for ${what} ${c.name}`);
      if (setLimits.length) notes.push(`${setLimits.sort().join(", ")} limit for ${what} ${c.name}`);
    };
    for (const c of pod.spec?.containers ?? []) merge(c, "container");
    for (const c of pod.spec?.initContainers ?? []) merge(c, "init container");
    if (notes.length) {
      pod.metadata.annotations ??= {};
      pod.metadata.annotations[ANNOTATION] = `LimitRanger plugin set: ${notes.join("; ")}`;
    }
  }
}

/** requestLimitEnforcedValues: compared in milli-units (the values a playground sees never overflow them). */
const milli = (q: Quantity | undefined) => (q ? milliValue(q) : 0n);

function minConstraint(type: string, r: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const e = quantityString(enforced);
  if (!(r in request)) return `minimum ${r} usage per ${type} is ${e}.  No request is specified`;
  if (milli(request[r]) < milli(enforced)) return `minimum ${r} usage per ${type} is ${e}, but request is ${quantityString(request[r])}`;
  if (r in limit && milli(limit[r]) < milli(enforced))
    return `minimum ${r} usage per ${type} is ${e}, but limit is ${quantityString(limit[r])}`;
  return undefined;
}

function maxConstraint(type: string, r: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const e = quantityString(enforced);
  if (!(r in limit)) return `maximum ${r} usage per ${type} is ${e}.  No limit is specified`;
  if (milli(limit[r]) > milli(enforced)) return `maximum ${r} usage per ${type} is ${e}, but limit is ${quantityString(limit[r])}`;
  if (r in request && milli(request[r]) > milli(enforced))
    return `maximum ${r} usage per ${type} is ${e}, but request is ${quantityString(request[r])}`;
  return undefined;
}

/** maxRequestConstraint: a claim has only requests. */
function maxRequestConstraint(type: string, r: string, enforced: Quantity, request: ResourceList): string | undefined {
  const e = quantityString(enforced);
  if (!(r in request)) return `maximum ${r} usage per ${type} is ${e}.  No request is specified`;
  if (milli(request[r]) > milli(enforced)) return `maximum ${r} usage per ${type} is ${e}, but request is ${quantityString(request[r])}`;
  return undefined;
}

function ratioConstraint(type: string, r: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const e = quantityString(enforced);
  if (!(r in request) || milli(request[r]) === 0n)
    return `${r} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (!(r in limit) || milli(limit[r]) === 0n)
    return `${r} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const observed = Number(milli(limit[r])) / Number(milli(request[r]));
  if (observed * 1000 > Number(milli(enforced)))
    return `${r} max limit to request ratio per ${type} is ${e}, but provided ratio is ${goFloat(observed)}`;
  return undefined;
}

/** PodValidateLimitFunc / PersistentVolumeClaimValidateLimitFunc of one range: the violations. */
export function limitViolations(lr: LimitRange, plural: string, obj: Obj): string[] {
  const out: string[] = [];
  const check = (item: LimitRangeItem, request: ResourceList, limit: ResourceList) => {
    const type = item.type;
    for (const [r, q] of Object.entries(parseList(item.min as Record<string, unknown>)).sort(byKey))
      out.push(minConstraint(type, r, q, request, limit) ?? "");
    for (const [r, q] of Object.entries(parseList(item.max as Record<string, unknown>)).sort(byKey))
      out.push(maxConstraint(type, r, q, request, limit) ?? "");
    for (const [r, q] of Object.entries(parseList(item.maxLimitRequestRatio as Record<string, unknown>)).sort(byKey))
      out.push(ratioConstraint(type, r, q, request, limit) ?? "");
  };
  for (const item of lr.spec?.limits ?? []) {
    if (plural === "pods") {
      const pod = obj as Pod;
      if (item.type === "Container")
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])])
          check(item, parseList(c.resources?.requests), parseList(c.resources?.limits));
      if (item.type === "Pod") check(item, podResources(pod, "requests", false), podResources(pod, "limits", false));
    } else if (plural === "persistentvolumeclaims" && item.type === "PersistentVolumeClaim") {
      const requests = parseList((obj as PersistentVolumeClaim).spec?.resources?.requests as Record<string, unknown>);
      for (const [r, q] of Object.entries(parseList(item.min as Record<string, unknown>)).sort(byKey))
        out.push(minConstraint(item.type, r, q, requests, {}) ?? "");
      for (const [r, q] of Object.entries(parseList(item.max as Record<string, unknown>)).sort(byKey))
        out.push(maxRequestConstraint(item.type, r, q, requests) ?? "");
    }
  }
  return out.filter(Boolean);
}

const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** utilerrors.NewAggregate(...).Error(): one message as is, several in brackets, repeats once. */
export function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

/** The validating half over the namespace's ranges: the first range a write breaks, as the plugin's message. */
export function limitRangeRefusal(plural: string, obj: Obj, old: Obj | undefined, ctx: Ctx): string | undefined {
  if (plural !== "persistentvolumeclaims" && (plural !== "pods" || old)) return undefined;
  if (old?.metadata?.deletionTimestamp) return undefined;
  for (const lr of ctx.list("limitranges", obj.metadata?.namespace) as LimitRange[]) {
    const errs = limitViolations(lr, plural, obj);
    if (errs.length) return aggregate(errs);
  }
  return undefined;
}

// ---- the kind -----------------------------------------------------------------------------------

const limitranges: ResourceDef = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  singular: "limitrange",
  namespaced: true,
  shortNames: ["limits"],
  openapi: "io.k8s.api.core.v1.LimitRange",
  columns: [nameColumn, createdAtColumn],
  row: (lr) => [lr.metadata?.name, lr.metadata?.creationTimestamp ?? null],
  defaults(lr) {
    for (const item of (lr.spec?.limits ?? []) as LimitRangeItem[]) {
      defaultItem(item);
      for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) canonicalizeResourceList(item[f]);
    }
  },
  validate: (lr) => validateLimitRange(lr as LimitRange),
};

export default limitranges;
