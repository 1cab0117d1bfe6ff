// DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption and framework/preemption) as
// pure functions: whether a pod may preempt, the fewest lower-priority victims on each node that
// make room for it (reprieving as many as fit back, those whose PodDisruptionBudget would be broken
// first), and the node whose victims cost least.
import type { Obj } from "../resources/types";
import { selectorMatches } from "../resources/podtemplate";
import { addPod, emptyNodeInfo, filter, type FilterStatus, type NodeInfo } from "./framework";

export const podPriority = (pod: Obj): number => pod.spec?.priority ?? 0;

/** A pod the scheduler is already preempting for someone (DisruptionTarget PreemptionByScheduler). */
const terminatingByPreemption = (pod: Obj) =>
  !!pod.metadata?.deletionTimestamp &&
  (pod.status?.conditions ?? []).some(
    (c: Obj) => c.type === "DisruptionTarget" && c.reason === "PreemptionByScheduler" && c.status === "True",
  );

/** PodEligibleToPreemptOthers: why not, or undefined when it may. */
export function notEligible(pod: Obj, nominatedStatus: FilterStatus | undefined, podsOnNominated: Obj[]): string | undefined {
  if (pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  if (pod.status?.nominatedNodeName && nominatedStatus?.code !== "UnschedulableAndUnresolvable") {
    const prio = podPriority(pod);
    if (podsOnNominated.some((p) => podPriority(p) < prio && terminatingByPreemption(p)))
      return "not eligible due to a terminating pod on the nominated node.";
  }
  return undefined;
}

/** A node and the pods bound to it (not finished), as preemption weighs them. */
export interface NodePods {
  node: Obj;
  pods: Obj[];
}

const infoOf = (node: Obj, pods: Obj[]) => {
  const info: NodeInfo = emptyNodeInfo(node);
  for (const p of pods) addPod(info, p);
  return info;
};

/** MoreImportantPod: higher priority first, then the one that started earlier. */
function moreImportant(a: Obj, b: Obj): number {
  const d = podPriority(b) - podPriority(a);
  if (d) return d;
  return (
    Date.parse(a.status?.startTime ?? a.metadata?.creationTimestamp ?? "") -
    Date.parse(b.status?.startTime ?? b.metadata?.creationTimestamp ?? "")
  );
}

/** filterPodsWithPDBViolation: the pods whose eviction would take a budget below zero allowed disruptions. */
function splitByBudget(pods: Obj[], pdbs: Obj[]): { violating: Obj[]; fine: Obj[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: Obj[] = [];
  const fine: Obj[] = [];
  for (const pod of pods) {
    let breaks = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata?.namespace !== pod.metadata?.namespace) return;
      const sel = pdb.spec?.selector;
      // An empty selector matches nothing here.
      if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return;
      if (!selectorMatches(sel, pod.metadata?.labels)) return;
      // A pod already counted as disrupted does not count again.
      if (pdb.status?.disruptedPods?.[pod.metadata?.name]) return;
      allowed[i]--;
      if (allowed[i] < 0) breaks = true;
    });
    (breaks ? violating : fine).push(pod);
  }
  return { violating, fine };
}

export interface Candidate {
  node: string;
  victims: Obj[];
  pdbViolations: number;
}

/** SelectVictimsOnNode: undefined when even removing every lower-priority pod leaves no room. */
export function selectVictimsOnNode(pod: Obj, np: NodePods, pdbs: Obj[]): Candidate | undefined {
  const prio = podPriority(pod);
  const potential = np.pods.filter((p) => podPriority(p) < prio && !p.metadata?.deletionTimestamp);
  if (!potential.length) return undefined;
  let remaining = np.pods.filter((p) => !potential.includes(p));
  if (filter(pod, infoOf(np.node, remaining))) return undefined;
  potential.sort(moreImportant);
  const { violating, fine } = splitByBudget(potential, pdbs);
  const victims: Obj[] = [];
  let pdbViolations = 0;
  const reprieve = (p: Obj, breaksBudget: boolean) => {
    const trial = [...remaining, p];
    if (!filter(pod, infoOf(np.node, trial))) remaining = trial;
    else {
      victims.push(p);
      if (breaksBudget) pdbViolations++;
    }
  };
  for (const p of violating) reprieve(p, true);
  for (const p of fine) reprieve(p, false);
  if (!victims.length) return undefined;
  return { node: np.node.metadata.name, victims: victims.sort(moreImportant), pdbViolations };
}

/** pickOneNodeForPreemption: fewest budget violations, lowest top victim, lowest priority sum, fewest victims, latest start of the top victim. */
export function pickCandidate(candidates: Candidate[]): Candidate | undefined {
  const start = (p: Obj) => Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? "") || 0;
  const keys = (c: Candidate) => [
    c.pdbViolations,
    podPriority(c.victims[0]),
    c.victims.reduce((s, p) => s + podPriority(p) + 2147483648, 0),
    c.victims.length,
    -start(c.victims[0]),
  ];
  const less = (a: number[], b: number[]) => {
    const i = a.findIndex((v, j) => v !== b[j]);
    return i >= 0 && a[i] < b[i];
  };
  let best: Candidate | undefined;
  let bestKeys: number[] = [];
  for (const c of candidates) {
    const k = keys(c);
    if (!best || less(k, bestKeys)) {
      best = c;
      bestKeys = k;
    }
  }
  return best;
}

/**
 * The PostFilter of a pod no node fits: the node to nominate with its victims, or why the pod may not
 * preempt (the FitError's "preemption: ..." then says so); neither when no node has victims enough.
 */
export function preempt(
  pod: Obj,
  nodes: NodePods[],
  statuses: Map<string, FilterStatus>,
  pdbs: Obj[],
): { candidate?: Candidate; notEligible?: string } {
  const nominated = nodes.find((n) => n.node.metadata.name === pod.status?.nominatedNodeName);
  const why = notEligible(pod, nominated ? statuses.get(nominated.node.metadata.name) : undefined, nominated?.pods ?? []);
  if (why) return { notEligible: why };
  const candidates: Candidate[] = [];
  for (const np of nodes) {
    if (statuses.get(np.node.metadata.name)?.code === "UnschedulableAndUnresolvable") continue;
    const c = selectVictimsOnNode(pod, np, pdbs);
    if (c) candidates.push(c);
  }
  return { candidate: pickCandidate(candidates) };
}
