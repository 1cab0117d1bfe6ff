// The scheduling framework of kube-scheduler v1.33, reduced to the default plugins that matter for a
// playground: filters (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
// NodeResourcesFit), scores (NodeResourcesFit LeastAllocated, PodTopologySpread's system default
// spreading, TaintToleration's PreferNoSchedule) and the FitError message. Pure functions.
import type { Obj } from "../resources/types";
import { parseQuantity } from "../resources/podtemplate";

/** What the scheduler knows about one node: the node and the pods bound to it. */
export interface NodeInfo {
  node: Obj;
  /** Sum of bound (non-terminal) pods' requests: cpu in millicores, memory in bytes, other scalars. */
  requested: Record<string, number>;
  /** Same, with the scheduler's non-zero defaults (100m cpu, 200Mi memory) for scoring. */
  nonZero: { cpu: number; memory: number };
  pods: number;
  /** "protocol/hostIP/hostPort" in use. */
  ports: Set<string>;
  /** Pods per spreading key (the controller's uid, or the pod's labels for bare pods). */
  spread: Map<string, number>;
}

/** framework.Code: Unschedulable can be helped by preemption, UnschedulableAndUnresolvable not. */
export type Code = "Unschedulable" | "UnschedulableAndUnresolvable";
export interface FilterStatus {
  code: Code;
  reasons: string[];
}

export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

/** A resource quantity in the unit the scheduler counts: millicores for cpu, else the value. */
const amount = (name: string, q: unknown) => {
  const v = parseQuantity(q);
  if (!Number.isFinite(v)) return 0;
  return name === "cpu" ? Math.ceil(v * 1000) : Math.ceil(v);
};

/**
 * resourcehelper.PodRequests: the sum of the app containers' requests, at least the largest init
 * container's (restartable sidecars add up), plus the pod overhead.
 */
export function podRequests(pod: Obj): Record<string, number> {
  const sum: Record<string, number> = {};
  const add = (into: Record<string, number>, reqs: Obj | undefined) => {
    for (const [k, q] of Object.entries(reqs ?? {})) into[k] = (into[k] ?? 0) + amount(k, q);
  };
  for (const c of (pod.spec?.containers ?? []) as Obj[]) add(sum, c.resources?.requests);
  const sidecars: Record<string, number> = {};
  for (const c of (pod.spec?.initContainers ?? []) as Obj[]) {
    if (c.restartPolicy === "Always") {
      add(sum, c.resources?.requests);
      add(sidecars, c.resources?.requests);
      continue;
    }
    const init: Record<string, number> = { ...sidecars };
    add(init, c.resources?.requests);
    for (const [k, v] of Object.entries(init)) sum[k] = Math.max(sum[k] ?? 0, v);
  }
  add(sum, pod.spec?.overhead);
  return sum;
}

/** The requests used for scoring: cpu/memory of containers without requests count as the defaults. */
export function nonZeroRequests(pod: Obj): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of (pod.spec?.containers ?? []) as Obj[]) {
    const r = c.resources?.requests ?? {};
    cpu += r.cpu !== undefined ? amount("cpu", r.cpu) : DEFAULT_MILLI_CPU;
    memory += r.memory !== undefined ? amount("memory", r.memory) : DEFAULT_MEMORY;
  }
  return { cpu, memory };
}

/** The host ports a pod asks for, as "protocol/hostIP/port". */
export function podHostPorts(pod: Obj): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as Obj[])
    for (const p of (c.ports ?? []) as Obj[]) if (p.hostPort) out.push(`${p.protocol || "TCP"}/${p.hostIP || "0.0.0.0"}/${p.hostPort}`);
  return out;
}

/** A wildcard host IP conflicts with every IP on the same port and protocol. */
function portConflict(used: Set<string>, want: string): boolean {
  if (used.has(want)) return true;
  const [proto, ip, port] = want.split("/");
  for (const u of used) {
    const [p2, ip2, port2] = u.split("/");
    if (p2 === proto && port2 === port && (ip === "0.0.0.0" || ip2 === "0.0.0.0")) return true;
  }
  return false;
}

/** The key that spreads replicas of one workload: its controller, else its labels. */
export function spreadKey(pod: Obj): string {
  const ref = ((pod.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r.controller);
  if (ref) return `uid:${ref.uid}`;
  const labels = pod.metadata?.labels;
  return labels && Object.keys(labels).length ? `labels:${pod.metadata?.namespace}/${JSON.stringify(Object.entries(labels).sort())}` : "";
}

export function emptyNodeInfo(node: Obj): NodeInfo {
  return { node, requested: {}, nonZero: { cpu: 0, memory: 0 }, pods: 0, ports: new Set(), spread: new Map() };
}

/** Account a bound pod on its node. */
export function addPod(info: NodeInfo, pod: Obj): void {
  for (const [k, v] of Object.entries(podRequests(pod))) info.requested[k] = (info.requested[k] ?? 0) + v;
  const nz = nonZeroRequests(pod);
  info.nonZero.cpu += nz.cpu;
  info.nonZero.memory += nz.memory;
  info.pods++;
  for (const p of podHostPorts(pod)) info.ports.add(p);
  const key = spreadKey(pod);
  if (key) info.spread.set(key, (info.spread.get(key) ?? 0) + 1);
}

// ---- tolerations and node affinity (component-helpers) ------------------------------------

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Obj, taint: Obj): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== "Exists") return false;
  if (t.operator === "Exists") return true;
  return (t.operator ?? "Equal") === "Equal" && (t.value ?? "") === (taint.value ?? "");
}

export const toleratedBy = (tolerations: Obj[] | undefined, taint: Obj) => (tolerations ?? []).some((t) => tolerates(t, taint));

/** A node selector requirement over labels (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
function requirementMatches(r: Obj, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  const values: string[] = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(v);
    case "NotIn":
      return !has || !values.includes(v);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1) return false;
      const a = parseInt(v, 10);
      const b = parseInt(values[0], 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === "Gt" ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: all its expressions and fields match (an empty term matches nothing). */
function termMatches(term: Obj, node: Obj): boolean {
  const exprs: Obj[] = term.matchExpressions ?? [];
  const fields: Obj[] = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, labels)) &&
    fields.every((r) => requirementMatches(r, { "metadata.name": node.metadata?.name }))
  );
}

/** corev1.MatchNodeSelectorTerms: any of the terms matches the node (a PV's node affinity). */
export const nodeSelectorTermsMatch = (terms: Obj[] | undefined, node: Obj): boolean => (terms ?? []).some((t) => termMatches(t, node));

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector and required affinity. */
export function matchesNodeSelectorAndAffinity(pod: Obj, node: Obj): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries<string>(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return ((required.nodeSelectorTerms ?? []) as Obj[]).some((t) => termMatches(t, node));
  return true;
}

// ---- filters ------------------------------------------------------------------------------

const status = (code: Code, ...reasons: string[]): FilterStatus => ({ code, reasons });

/** The first failing filter plugin's status for this node, or undefined when the pod fits. */
export function filter(pod: Obj, info: NodeInfo): FilterStatus | undefined {
  const node = info.node;
  const tolerations: Obj[] = pod.spec?.tolerations ?? [];
  // NodeUnschedulable
  if (node.spec?.unschedulable && !toleratedBy(tolerations, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }))
    return status("UnschedulableAndUnresolvable", "node(s) were unschedulable");
  // NodeName
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata?.name)
    return status("UnschedulableAndUnresolvable", "node(s) didn't match the requested node name");
  // TaintToleration
  const taint = ((node.spec?.taints ?? []) as Obj[]).find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !toleratedBy(tolerations, t),
  );
  if (taint) return status("UnschedulableAndUnresolvable", `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
  // NodeAffinity
  if (!matchesNodeSelectorAndAffinity(pod, node))
    return status("UnschedulableAndUnresolvable", "node(s) didn't match Pod's node affinity/selector");
  // NodePorts
  if (podHostPorts(pod).some((p) => portConflict(info.ports, p)))
    return status("Unschedulable", "node(s) didn't have free ports for the requested pod ports");
  // NodeResourcesFit
  const reasons: string[] = [];
  const allocatable: Obj = node.status?.allocatable ?? {};
  const allowedPods = amount("pods", allocatable.pods ?? 0);
  if (info.pods + 1 > allowedPods) reasons.push("Too many pods");
  const req = podRequests(pod);
  for (const name of ["cpu", "memory", "ephemeral-storage"]) {
    if (!req[name]) continue;
    if (req[name] > amount(name, allocatable[name] ?? 0) - (info.requested[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  for (const [name, v] of Object.entries(req)) {
    if (["cpu", "memory", "ephemeral-storage", "pods"].includes(name) || !v) continue;
    if (v > amount(name, allocatable[name] ?? 0) - (info.requested[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  if (reasons.length) return status("Unschedulable", ...reasons);
  return undefined;
}

// ---- scoring ------------------------------------------------------------------------------

const MAX_SCORE = 100;

/** NodeResourcesFit LeastAllocated over cpu and memory (weights 1), 0..100. */
function leastAllocated(pod: Obj, info: NodeInfo): number {
  const nz = nonZeroRequests(pod);
  const alloc: Obj = info.node.status?.allocatable ?? {};
  const score = (requested: number, capacity: number) =>
    capacity <= 0 || requested > capacity ? 0 : ((capacity - requested) * MAX_SCORE) / capacity;
  return (
    (score(info.nonZero.cpu + nz.cpu, amount("cpu", alloc.cpu ?? 0)) +
      score(info.nonZero.memory + nz.memory, amount("memory", alloc.memory ?? 0))) /
    2
  );
}

/** Score the feasible nodes (higher is better): what the default profile's weights make of them. */
export function score(pod: Obj, feasible: NodeInfo[]): number[] {
  const key = spreadKey(pod);
  const counts = feasible.map((i) => (key ? (i.spread.get(key) ?? 0) : 0));
  const max = Math.max(0, ...counts);
  const min = Math.min(...counts);
  const preferNoSchedule = feasible.map(
    (i) =>
      ((i.node.spec?.taints ?? []) as Obj[]).filter((t) => t.effect === "PreferNoSchedule" && !toleratedBy(pod.spec?.tolerations, t))
        .length,
  );
  const maxPrefer = Math.max(0, ...preferNoSchedule);
  return feasible.map((info, i) => {
    // PodTopologySpread (system defaults, weight 2): fewer pods of the same workload is better.
    const spread = max === min ? MAX_SCORE : (MAX_SCORE * (max - counts[i])) / (max - min);
    // TaintToleration (weight 3): fewer intolerable PreferNoSchedule taints is better.
    const taints = maxPrefer ? MAX_SCORE * (1 - preferNoSchedule[i] / maxPrefer) : MAX_SCORE;
    return leastAllocated(pod, info) + 2 * spread + 3 * taints;
  });
}

/** Pick the best node; ties are broken by a hash of the pod (the real scheduler picks at random). */
export function selectHost(pod: Obj, feasible: NodeInfo[]): NodeInfo | undefined {
  if (!feasible.length) return undefined;
  const scores = score(pod, feasible);
  const best = Math.max(...scores);
  const top = feasible.filter((_, i) => scores[i] >= best - 1e-9);
  let h = 0x811c9dc5;
  for (const ch of String(pod.metadata?.uid ?? pod.metadata?.name)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return top[h % top.length];
}

// ---- the FitError message (pkg/scheduler/framework/types.go, preemption) -------------------

/** "<n> <reason>" counts, sorted as strings, joined with ", ". */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(", ");
}

/**
 * FitError.Error() followed by the DefaultPreemption PostFilter message, e.g.
 * "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
 * 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for
 * scheduling, 2 No preemption victims found for incoming pod."
 */
export function fitErrorMessage(pod: Obj, statuses: FilterStatus[], preFilterMessage?: string): string {
  const n = statuses.length;
  if (n === 0) return "no nodes available to schedule pods";
  // A PreFilter rejection stands for every node: its message replaces the per-node histogram.
  let msg = `0/${n} nodes are available: ${preFilterMessage ?? histogram(statuses.flatMap((s) => s.reasons))}.`;
  if (pod.spec?.preemptionPolicy === "Never") return `${msg} preemption: not eligible due to preemptionPolicy=Never.`;
  const preemption = statuses.map((s) =>
    s.code === "UnschedulableAndUnresolvable"
      ? "Preemption is not helpful for scheduling"
      : "No preemption victims found for incoming pod.",
  );
  msg += ` preemption: 0/${n} nodes are available: ${histogram(preemption)}.`;
  return msg;
}
