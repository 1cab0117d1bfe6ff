// Resource quota evaluation (k8s.io/kubernetes/pkg/quota/v1 and its core evaluators): what an
// object uses of which quota resource, which quotas an object falls under (scopes), and the quota
// admission check (plugin/pkg/admission/resourcequota/controller.go CheckRequest) with its messages.
// Usage is measured from the namespace's objects as stored now, which is what the quota controller
// writes into status.used; the admission check runs inside the writing request's transaction, so
// the figure it compares against cannot be stale.
import type { Pod, ResourceQuota, ScopedResourceSelectorRequirement } from "kubernetes-types/core/v1";
import type { Ctx, Obj } from "./types";
import { addQuantity, cmpQuantity, type Quantity, quantityOf, quantityString, zeroQuantity } from "./quantity";
import { podQOSClass } from "./pod";
import { forbidden } from "../api/status";

export type ResourceList = Record<string, Quantity>;

const one = (): Quantity => ({ negative: false, unscaled: 1n, scale: 0, format: "DecimalSI" });

/** quota.Add: a + b, keeping a's keys first. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? addQuantity(out[k], v) : v;
  return out;
}

/** quota.SubtractWithNonNegativeResult. */
function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = k in b ? addQuantity(v, b[k], -1) : v;
    out[k] = d.negative ? zeroQuantity(v.format) : d;
  }
  return out;
}

/** quota.Mask: only the named keys. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in list) out[n] = list[n];
  return out;
}

/** prettyPrint: `key=value` sorted by key, comma separated. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${quantityString(list[k])}`)
    .join(",");
}

export function parseList(json: Record<string, unknown> | undefined | null): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(json ?? {})) out[k] = quantityOf(v);
  return out;
}

export function formatList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = quantityString(list[k]);
  return out;
}

// ---- pods (pkg/quota/v1/evaluator/core/pods.go) -----------------------------------------------

const NATIVE = new Set(["cpu", "memory", "ephemeral-storage"]);
const POD_RESOURCES = new Set([
  "count/pods",
  "pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
]);
/** The resources a quota on cpu or memory makes every container name explicitly. */
const VALIDATION_SET = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]);

/** An extended resource (a domain-qualified name outside kubernetes.io) or a huge page size. */
const isExtendedOrHugePages = (name: string) =>
  name.startsWith("hugepages-") || (name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests."));

const podMatchesResource = (name: string) =>
  POD_RESOURCES.has(name) || name.startsWith("requests.hugepages-") || (name.startsWith("requests.") && name.slice(9).includes("/"));

/** podComputeUsageHelper: the quota resources of a set of requests and limits. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: one(), "count/pods": one() };
  for (const r of NATIVE) {
    if (r in requests) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (r in limits) out[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) if (!NATIVE.has(r) && isExtendedOrHugePages(r)) out[`requests.${r}`] = q;
  return out;
}

/** resourcehelper.PodRequests / PodLimits: containers and sidecars add up, an init container (with the
 *  sidecars started before it) counts when it is larger, plus the pod's overhead when asked. */
export function podResources(pod: Pod, kind: "requests" | "limits", withOverhead = true): ResourceList {
  let sum: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) sum = addLists(sum, parseList(c.resources?.[kind]));
  let sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const own = parseList(c.resources?.[kind]);
    let effective: ResourceList;
    if (c.restartPolicy === "Always") {
      sum = addLists(sum, own);
      sidecars = addLists(sidecars, own);
      effective = sidecars;
    } else effective = addLists(own, sidecars);
    for (const [r, q] of Object.entries(effective)) if (!(r in initMax) || cmpQuantity(q, initMax[r]) > 0) initMax[r] = q;
  }
  for (const [r, q] of Object.entries(initMax)) if (!(r in sum) || cmpQuantity(q, sum[r]) > 0) sum[r] = q;
  if (withOverhead && pod.spec?.overhead) sum = addLists(sum, parseList(pod.spec.overhead as Record<string, unknown>));
  return sum;
}

/** QuotaV1Pod: terminal pods, and pods whose deletion grace period has passed, use no compute. */
export function podCountsForQuota(pod: Pod, now: number): boolean {
  if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") return false;
  const del = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (del && grace != null && now > Date.parse(del) + grace * 1000) return false;
  return true;
}

export function podUsage(pod: Pod, now: number): ResourceList {
  if (!podCountsForQuota(pod, now)) return { "count/pods": one() };
  return computeUsage(podResources(pod, "requests"), podResources(pod, "limits"));
}

const isTerminatingPod = (pod: Pod) => pod.spec?.activeDeadlineSeconds != null && pod.spec.activeDeadlineSeconds >= 0;

/** podMatchesScopeFunc. */
function podMatchesScope(sel: ScopedResourceSelectorRequirement, pod: Pod): boolean {
  switch (sel.scopeName) {
    case "Terminating":
      return isTerminatingPod(pod);
    case "NotTerminating":
      return !isTerminatingPod(pod);
    case "BestEffort":
      return podQOSClass(pod) === "BestEffort";
    case "NotBestEffort":
      return podQOSClass(pod) !== "BestEffort";
    case "PriorityClass": {
      const pc = pod.spec?.priorityClassName ?? "";
      // As a label selector over {PriorityClass: <name>}: an empty name is no label at all.
      const has = pc !== "";
      switch (sel.operator) {
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        case "In":
          return has && (sel.values ?? []).includes(pc);
        case "NotIn":
          return !has || !(sel.values ?? []).includes(pc);
      }
      return false;
    }
    case "CrossNamespacePodAffinity": {
      const terms = [
        ...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
        ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
      ];
      return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
    }
  }
  return false;
}

/** podEvaluator.Constraints: a quota on cpu or memory makes every container name it. */
export function podConstraints(required: string[], pod: Pod): string | undefined {
  const requiredSet = required.filter((r) => VALIDATION_SET.has(r));
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const usage = computeUsage(parseList(c.resources?.requests), parseList(c.resources?.limits));
    for (const r of requiredSet) {
      if (r in usage) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

// ---- the other evaluators (services.go, persistent_volume_claims.go, generic object counts) ------

/** The `count/<resource>[.<group>]` name of a kind. */
const countName = (plural: string, group: string) => (group ? `count/${plural}.${group}` : `count/${plural}`);

/** The core kinds whose plain plural is a quota resource (the legacy object counts). */
const LEGACY_COUNTS = new Set([
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
]);

const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

function serviceUsage(svc: Obj): ResourceList {
  const out: ResourceList = { services: one(), "count/services": one() };
  const type = svc.spec?.type ?? "ClusterIP";
  const ports: Obj[] = svc.spec?.ports ?? [];
  if (type === "NodePort" || type === "LoadBalancer") {
    // A LoadBalancer without node ports (allocateLoadBalancerNodePorts false) uses none.
    const n = ports.filter((p) => type === "NodePort" || p.nodePort || svc.spec?.allocateLoadBalancerNodePorts !== false).length;
    out["services.nodeports"] = { ...one(), unscaled: BigInt(n) };
  }
  if (type === "LoadBalancer") out["services.loadbalancers"] = one();
  return out;
}

function claimUsage(pvc: Obj): ResourceList {
  const out: ResourceList = { persistentvolumeclaims: one(), "count/persistentvolumeclaims": one() };
  const className = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? "";
  if (className) out[`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = one();
  // RecoverVolumeExpansionFailure: the larger of the request and what is allocated.
  let storage = quantityOf(pvc.spec?.resources?.requests?.storage);
  const allocated = pvc.status?.allocatedResources?.storage;
  if (allocated !== undefined && cmpQuantity(quantityOf(allocated), storage) > 0) storage = quantityOf(allocated);
  if (pvc.spec?.resources?.requests?.storage !== undefined) {
    out["requests.storage"] = storage;
    if (className) out[`${className}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

/** One kind's evaluator: what an object uses, which quota resources it can use, when it is charged. */
interface Evaluator {
  usage(obj: Obj, now: number): ResourceList;
  matches(resource: string): boolean;
  /** Charged on update too (services and claims can change size), not only on create. */
  onUpdate: boolean;
  scoped: boolean;
}

export function evaluatorFor(plural: string, group: string): Evaluator {
  const count = countName(plural, group);
  if (!group && plural === "pods")
    return { usage: (o, now) => podUsage(o as Pod, now), matches: podMatchesResource, onUpdate: false, scoped: true };
  if (!group && plural === "services")
    return {
      usage: serviceUsage,
      matches: (r) => ["services", "count/services", "services.nodeports", "services.loadbalancers"].includes(r),
      onUpdate: true,
      scoped: false,
    };
  if (!group && plural === "persistentvolumeclaims")
    return {
      usage: claimUsage,
      matches: (r) =>
        ["persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"].includes(r) ||
        (r.includes(STORAGE_CLASS_SUFFIX) && /\/(requests\.storage|persistentvolumeclaims)$/.test(r)),
      onUpdate: true,
      scoped: false,
    };
  const names = !group && LEGACY_COUNTS.has(plural) ? [plural, count] : [count];
  return {
    usage: () => Object.fromEntries(names.map((n) => [n, one()])),
    matches: (r) => names.includes(r),
    onUpdate: false,
    scoped: false,
  };
}

/** The scope selectors of a quota: its scopes (as Exists) and its scopeSelector's expressions. */
function scopeSelectors(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: "Exists" })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])];
}

/** Does an object fall under the quota's scopes (only pods have scopes; anything else never matches a scoped quota)? */
function matchesScopes(ev: Evaluator, q: ResourceQuota, obj: Obj): boolean {
  return scopeSelectors(q).every((s) => ev.scoped && podMatchesScope(s, obj as Pod));
}

/**
 * CalculateUsage for one quota: the usage of everything in the namespace under its scopes, for the
 * resources it has a hard limit on (each defaulting to zero), as the quota controller writes it.
 */
export function calculateUsage(q: ResourceQuota, ctx: Ctx, kinds: { plural: string; group: string }[]): ResourceList {
  const hard = Object.keys(q.spec?.hard ?? {});
  let used: ResourceList = {};
  for (const kind of kinds) {
    const ev = evaluatorFor(kind.plural, kind.group);
    const tracked = hard.filter(ev.matches);
    if (!tracked.length) continue;
    let stats: ResourceList = Object.fromEntries(tracked.map((r) => [r, zeroQuantity()]));
    for (const obj of ctx.list(kind.plural, q.metadata?.namespace)) {
      if (!matchesScopes(ev, q, obj)) continue;
      stats = addLists(stats, mask(ev.usage(obj, ctx.now), tracked));
    }
    used = addLists(used, stats);
  }
  return mask(used, hard);
}

/** What quota admission is asked about: a write of one object of a kind. */
export interface QuotaRequest {
  plural: string;
  group: string;
  obj: Obj;
  /** The stored object, on an update. */
  old?: Obj;
}

/**
 * The quota admission check: throws the 403 the real plugin answers when a write would take a
 * quota of the namespace past its hard limit, or when a pod names no cpu/memory a quota limits.
 * `used` is each quota's current usage (status.used as the controller would compute it now).
 */
export function checkQuota(req: QuotaRequest, quotas: ResourceQuota[], used: (q: ResourceQuota) => ResourceList, now: number): void {
  const ev = evaluatorFor(req.plural, req.group);
  if (req.old && !ev.onUpdate) return;
  const name = req.obj.metadata?.name ?? "";
  const refuse = (why: string) => forbidden(req.plural, req.group, name, why);
  const interesting: ResourceQuota[] = [];
  for (const q of [...quotas].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))) {
    const restricted = Object.keys(q.spec?.hard ?? {}).filter(ev.matches);
    if (!restricted.length || !matchesScopes(ev, q, req.obj)) continue;
    if (ev.scoped) {
      const why = podConstraints(restricted, req.obj as Pod);
      if (why) throw refuse(`failed quota: ${q.metadata?.name}: ${why}`);
    }
    interesting.push(q);
  }
  if (!interesting.length) return;
  let delta = ev.usage(req.obj, now);
  const negative = Object.keys(delta).filter((k) => delta[k].negative);
  if (negative.length) throw refuse(`quota usage is negative for resource(s): ${negative.sort().join(",")}`);
  if (req.old?.metadata?.resourceVersion) delta = subtractNonNegative(delta, ev.usage(req.old, now));
  if (Object.values(delta).every((v) => v.unscaled === 0n)) return;
  for (const q of interesting) {
    const hard = parseList(q.spec?.hard as Record<string, unknown>);
    const current = used(q);
    const requested = mask(delta, Object.keys(hard));
    const next = mask(addLists(current, requested), Object.keys(requested));
    const exceeded = Object.keys(next).filter((k) => cmpQuantity(next[k], hard[k]) > 0);
    if (exceeded.length)
      throw refuse(
        `exceeded quota: ${q.metadata?.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(current, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
  }
}
