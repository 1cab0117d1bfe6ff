// core/v1 ResourceQuota: the strategy (pkg/registry/core/resourcequota/strategy.go), ValidateResourceQuota
// / ValidateResourceQuotaUpdate / ValidateResourceQuotaStatusUpdate and printResourceQuota. What an
// object uses of a quota is durable/resources/quota.ts; the controller keeping status.used is
// durable/controllers/resourcequota.ts.
import type { ResourceQuota } from "kubernetes-types/core/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { invalid, isQualifiedName, notSupported } from "./validation";
import { canonicalizeResourceList, milliValue, quantityOf, quantityString } from "./quantity";

/** helper.IsStandardQuotaResourceName: the plain names a quota may limit. */
const STANDARD_QUOTA_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
]);
/** helper.IsIntegerResourceName: counted in whole units. */
const INTEGER_RESOURCES = new Set([
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
]);
const SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];
/** The resources a scope can restrict (pods and compute: helper.IsResourceQuotaScopeValidForResource). */
const POD_OBJECT_RESOURCES = new Set(["pods", "count/pods"]);
const POD_COMPUTE_RESOURCES = new Set([
  "cpu",
  "memory",
  "limits.cpu",
  "limits.memory",
  "requests.cpu",
  "requests.memory",
  "ephemeral-storage",
  "limits.ephemeral-storage",
  "requests.ephemeral-storage",
]);
/** helper.IsExtendedResourceName (count/<resource> is one too, so it must be whole). */
const isExtended = (name: string) => name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
const isStandardQuotaResource = (name: string) =>
  STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");

/** helper.IsResourceQuotaScopeValidForResource, asked only of standard quota resources. */
function scopeValidFor(scope: string, resource: string): boolean {
  if (!isStandardQuotaResource(resource)) return true;
  switch (scope) {
    case "BestEffort":
      return POD_OBJECT_RESOURCES.has(resource);
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return POD_OBJECT_RESOURCES.has(resource) || POD_COMPUTE_RESOURCES.has(resource);
  }
  return true;
}

/** ValidateResourceQuotaResourceName. */
function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes("/") && !isStandardQuotaResource(name)) return [invalid(path, name, "must be a standard resource for quota")];
  return [];
}

/** ValidateResourceQuantityValue. */
function validateQuantityValue(name: string, value: unknown, path: string): FieldError[] {
  const q = quantityOf(value);
  if (q.negative) return [invalid(path, value, "must be greater than or equal to 0")];
  if ((INTEGER_RESOURCES.has(name) || isExtended(name)) && milliValue(q) % 1000n !== 0n)
    return [invalid(path, value, "must be an integer")];
  return [];
}

function validateList(list: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    errs.push(...validateResourceName(k, `${path}[${k}]`), ...validateQuantityValue(k, v, `${path}[${k}]`));
  }
  return errs;
}

/** validateResourceQuotaScopes and validateScopeSelector. */
function validateScopes(rq: ResourceQuota): FieldError[] {
  const spec = rq.spec ?? {};
  const errs: FieldError[] = [];
  const scopes = spec.scopes ?? [];
  const hard = Object.keys(spec.hard ?? {});
  if (scopes.length) {
    for (const s of scopes) {
      if (!SCOPES.includes(s)) errs.push(invalid("spec.scopes", scopes, "unsupported scope"));
      for (const r of hard)
        if (SCOPES.includes(s) && !scopeValidFor(s, r)) errs.push(invalid("spec.scopes", scopes, "unsupported scope applied to resource"));
    }
    const set = new Set(scopes);
    if ((set.has("Terminating") && set.has("NotTerminating")) || (set.has("BestEffort") && set.has("NotBestEffort")))
      errs.push(invalid("spec.scopes", scopes, "conflicting scopes"));
  }
  const exprs = spec.scopeSelector?.matchExpressions ?? [];
  exprs.forEach((e, i) => {
    const path = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!SCOPES.includes(e.scopeName)) errs.push(invalid(`${path}.scopeName`, e.scopeName, "unsupported scope"));
    const ops = ["In", "NotIn", "Exists", "DoesNotExist"];
    if (!ops.includes(e.operator)) errs.push(notSupported(`${path}.operator`, e.operator, ops));
    else if ((e.operator === "In" || e.operator === "NotIn") && !(e.values?.length ?? 0))
      errs.push(
        invalid(`${path}.values`, e.values ?? null, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"),
      );
    else if ((e.operator === "Exists" || e.operator === "DoesNotExist") && (e.values?.length ?? 0))
      errs.push(invalid(`${path}.values`, e.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    if (SCOPES.includes(e.scopeName))
      for (const r of hard)
        if (!scopeValidFor(e.scopeName, r))
          errs.push(invalid("spec.scopeSelector", spec.scopeSelector, "unsupported scope applied to resource"));
  });
  return errs;
}

function validateQuota(rq: Obj): FieldError[] {
  return [...validateList(rq.spec?.hard, "spec.hard"), ...validateScopes(rq as ResourceQuota)];
}

const validateStatus = (rq: Obj): FieldError[] => [
  ...validateList(rq.status?.hard, "status.hard"),
  ...validateList(rq.status?.used, "status.used"),
];

const sameScopes = (a: string[] | undefined, b: string[] | undefined) =>
  [...new Set(a ?? [])].sort().join() === [...new Set(b ?? [])].sort().join();

/** SortableResourceNames: by name. */
export const sortedResourceNames = (list: Record<string, unknown> | undefined) => Object.keys(list ?? {}).sort();

/** printResourceQuota: `name: used/hard` of every hard limit, limits.* in the LIMIT column. */
export function quotaColumns(rq: ResourceQuota): [string, string] {
  const request: string[] = [];
  const limit: string[] = [];
  for (const r of sortedResourceNames(rq.status?.hard)) {
    const cell = `${r}: ${quantityString(quantityOf(rq.status?.used?.[r]))}/${quantityString(quantityOf(rq.status?.hard?.[r]))}`;
    (r.split(".").length > 1 && r.split(".")[0] === "limits" ? limit : request).push(cell);
  }
  return [request.join(", "), limit.join(", ")];
}

const canonicalize = (rq: Obj) => {
  canonicalizeResourceList(rq.spec?.hard);
  canonicalizeResourceList(rq.status?.hard);
  canonicalizeResourceList(rq.status?.used);
};

const resourcequotas: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  singular: "resourcequota",
  namespaced: true,
  shortNames: ["quota"],
  subresources: { status: true },
  openapi: "io.k8s.api.core.v1.ResourceQuota",

  columns: [
    nameColumn,
    ageColumn,
    {
      name: "Request",
      type: "string",
      description: "Request represents a minimum amount of cpu/memory that a container may consume.",
      priority: 0,
    },
    {
      name: "Limit",
      type: "string",
      description: "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
      priority: 0,
    },
  ],
  row: (rq, ctx) => [rq.metadata?.name, age(rq.metadata?.creationTimestamp, ctx.now), ...quotaColumns(rq as ResourceQuota)],

  defaults: canonicalize,
  prepareForCreate(rq) {
    delete rq.status;
  },
  prepareForUpdate(rq, old) {
    if (old.status === undefined) delete rq.status;
    else rq.status = old.status;
  },
  prepareForStatusUpdate: canonicalize,
  validate: validateQuota,
  validateUpdate(rq, old) {
    const errs = validateQuota(rq);
    if (!sameScopes(rq.spec?.scopes, old.spec?.scopes)) errs.push(invalid("spec.scopes", rq.spec?.scopes ?? null, "field is immutable"));
    return errs;
  },
  validateStatusUpdate: validateStatus,
};

export default resourcequotas;
