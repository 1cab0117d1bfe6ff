// kube-scheduler as a controller: one scheduling cycle per unscheduled pod (filter, score, bind
// through pods/binding), FailedScheduling with the real FitError message otherwise; unschedulable
// pods are retried when nodes change or a bound pod goes away (the real queue's "move" events), and
// a pod that fits nowhere preempts lower-priority pods (DefaultPreemption) and is nominated there.
import type { Controller, ControllerContext, Key } from "../controllers/types";
import { keyOf, splitKey } from "../controllers/types";
import type { Client } from "../controllers/client";
import type { Registry } from "../api/registry";
import type { Obj } from "../resources/types";
import { bindPod } from "../nodes/subresources";
import { getCondition, patchPodCondition } from "../controllers/util";
import { isTerminal, isUnscheduled, observePod, podCache } from "./cache";
import { filter, fitErrorMessage, selectHost, type FilterStatus, type NodeInfo } from "./framework";
import { preempt } from "./preemption";
import { filterNode, preFilter, type PodClaims, type VolumeReader } from "./volumebinding";
import { volumeBoundTo } from "../controllers/pvmatch";
import { ANN_SELECTED_NODE } from "../resources/storagehelpers";

export const SCHEDULER = "default-scheduler";

/** The registry behind the in-cluster client: binding writes at the storage layer, like BindingREST. */
const registryOf = (client: Client) => client["registry"] as Registry;

/** The volume plugin's part of a scheduling cycle: its PreFilter verdict and its Filter per node. */
export interface VolumeCheck {
  /** PreFilter rejected the pod on every node with this reason. */
  reject?: string;
  filter?(node: Obj): FilterStatus | undefined;
}

/** What the scheduler decided for a pod: a node, or the FailedScheduling message. */
export function schedule(pod: Obj, nodes: NodeInfo[], volumes: VolumeCheck = {}): { node: string } | { message: string } {
  if (volumes.reject !== undefined)
    return {
      message: fitErrorMessage(
        pod,
        nodes.map(() => ({ code: "UnschedulableAndUnresolvable", reasons: [] })),
        volumes.reject,
      ),
    };
  const statuses: FilterStatus[] = [];
  const feasible: NodeInfo[] = [];
  for (const info of nodes) {
    const s = filter(pod, info) ?? volumes.filter?.(info.node);
    if (s) statuses.push(s);
    else feasible.push(info);
  }
  // A pod that preempted for a node goes there once it fits (evaluateNominatedNode).
  const nominated = feasible.find((i) => i.node.metadata.name === pod.status?.nominatedNodeName);
  const host = nominated ?? selectHost(pod, feasible);
  return host ? { node: host.node.metadata.name } : { message: fitErrorMessage(pod, statuses) };
}

/**
 * DefaultPreemption's PostFilter for a pod that fits nowhere: nominate the best node, mark its victims
 * DisruptionTarget and delete them (each told so in a Preempted event); returns the FitError message
 * with what preemption made of it.
 */
function postFilter(pod: Obj, nodes: NodeInfo[], fitError: string, c: ControllerContext): { message: string; nominated?: string } {
  const cache = podCache(c);
  const statuses = new Map<string, FilterStatus>();
  // The FitError without its preemption part, which is this PostFilter's to say.
  const withoutPostFilter = fitError.replace(/ preemption: .*$/, "");
  const nodePods = nodes.map((info) => {
    // A node only the volume filter refused is one preemption cannot help.
    const s: FilterStatus = filter(pod, info) ?? { code: "UnschedulableAndUnresolvable", reasons: [] };
    statuses.set(info.node.metadata.name, s);
    const pods = cache
      .podsOn(info.node.metadata.name)
      .map((k) => cache.get(k)!)
      .filter((p) => p && !isTerminal(p));
    return { node: info.node, pods };
  });
  if (pod.spec?.preemptionPolicy === "Never") return { message: fitError };
  const verdict = preempt(pod, nodePods, statuses, c.client.list("poddisruptionbudgets"));
  if (verdict.notEligible) return { message: `${withoutPostFilter} preemption: ${verdict.notEligible}` };
  const chosen = verdict.candidate;
  if (!chosen) return { message: fitError };
  const source = { component: SCHEDULER };
  for (const victim of chosen.victims) {
    const { namespace, name } = victim.metadata;
    patchPodCondition(c, namespace, name, {
      type: "DisruptionTarget",
      status: "True",
      reason: "PreemptionByScheduler",
      message: `${pod.spec?.schedulerName ?? SCHEDULER}: preempting to accommodate a higher priority pod`,
    });
    c.client.delete("pods", namespace, name);
    c.events.record(victim, "Normal", "Preempted", `Preempted by pod ${pod.metadata?.uid} on node ${chosen.node}`, source);
  }
  return { message: withoutPostFilter, nominated: chosen.node };
}

/** The scheduler's view of the cluster's storage. */
const volumeReader = (c: ControllerContext): VolumeReader => {
  let all: Obj[] | undefined;
  return {
    claim: (ns, name) => c.client.get("persistentvolumeclaims", ns, name),
    volume: (name) => c.client.get("persistentvolumes", undefined, name),
    storageClass: (name) => c.client.get("storageclasses", undefined, name),
    volumes: () => (all ??= c.client.list("persistentvolumes")),
  };
};

/**
 * PreBind on the chosen node: bind the matched volumes to their claims, mark the claims to provision
 * with the node; true when every claim is bound and the pod may be bound too.
 */
function preBindVolumes(claims: PodClaims, node: Obj, r: VolumeReader, c: ControllerContext): boolean {
  if (!claims.delayed.length) return true;
  const plan = filterNode(claims, node, r);
  for (const { claim, volume } of plan.bindings) {
    const bound = volumeBoundTo(volume, claim);
    if (bound) c.client.update("persistentvolumes", bound);
  }
  for (const claim of plan.provisions)
    if (claim.metadata.annotations?.[ANN_SELECTED_NODE] !== node.metadata.name)
      c.client.patch("persistentvolumeclaims", claim.metadata.namespace, claim.metadata.name, (o) => {
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [ANN_SELECTED_NODE]: node.metadata.name };
      });
  // The PV controller and the provisioner finish the binding; a claim's change brings the pod back.
  return false;
}

const allPending = (c: ControllerContext): Key[] => [...podCache(c).pending];

/** Does a node change matter to scheduling (not just a heartbeat)? */
const nodeChanged = (node: Obj, prev: Obj | undefined) =>
  !prev ||
  JSON.stringify([node.spec, node.metadata?.labels, node.status?.allocatable, node.metadata?.deletionTimestamp]) !==
    JSON.stringify([prev.spec, prev.metadata?.labels, prev.status?.allocatable, prev.metadata?.deletionTimestamp]);

export const scheduler: Controller = {
  name: SCHEDULER,
  primary: "pods",
  watches: [
    {
      plural: "pods",
      map(obj, prev, c) {
        const current = observePod(c, obj);
        // A new pending pod, or one whose spec changed (a status write of our own is no news).
        if (current && isUnscheduled(current))
          return !prev || JSON.stringify(prev.spec) !== JSON.stringify(obj.spec) ? [keyOf(current)] : [];
        // A bound pod that went away or just finished frees room: retry the pending ones. A
        // terminating pod keeps its room until it is gone (its node still runs it), so the writes
        // of its termination are no news.
        const freed = prev?.spec?.nodeName && (!current || (isTerminal(current) && !isTerminal(prev)));
        return freed ? allPending(c) : [];
      },
    },
    { plural: "nodes", map: (node, prev, c) => (nodeChanged(node, prev) ? allPending(c) : []) },
    // A claim bound, a volume made or freed, a class added: pods waiting on storage may go on.
    { plural: "persistentvolumeclaims", map: (_o, _p, c) => allPending(c) },
    { plural: "persistentvolumes", map: (_o, _p, c) => allPending(c) },
    { plural: "storageclasses", map: (_o, _p, c) => allPending(c) },
  ],
  reconcile(key, c) {
    const { namespace, name } = splitKey(key);
    const pod = c.client.current("pods", namespace, name);
    if (!pod || !isUnscheduled(pod) || (pod.spec?.schedulingGates ?? []).length) return;
    const cache = podCache(c);
    const nodes = c.client.list("nodes", undefined, (n) => !n.metadata?.deletionTimestamp).map((n) => cache.nodeInfo(n));
    const reader = volumeReader(c);
    const claims = preFilter(pod, reader);
    const decision = schedule(
      pod,
      nodes,
      !claims
        ? {}
        : "reject" in claims
          ? { reject: claims.reject }
          : {
              filter(node) {
                const reasons = filterNode(claims.claims, node, reader).reasons;
                return reasons.length ? { code: "UnschedulableAndUnresolvable", reasons } : undefined;
              },
            },
    );
    const source = { component: SCHEDULER };
    if ("node" in decision && claims && "claims" in claims) {
      const node = nodes.find((n) => n.node.metadata.name === decision.node)!.node;
      if (!preBindVolumes(claims.claims, node, reader, c)) return;
    }
    if ("node" in decision) {
      // The cache learns of the binding from the committed change (observePod in the watch
      // above), never before: a transaction that rolls back leaves it as the store is.
      const bound = bindPod(registryOf(c.client), namespace!, name, decision.node);
      c.events.record(bound, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${decision.node}`, source);
      return;
    }
    // Preemption is for what other pods hold, not for a claim no node can serve.
    const post = claims && "reject" in claims ? { message: decision.message } : postFilter(pod, nodes, decision.message, c);
    const unschedulable = { type: "PodScheduled", status: "False", reason: "Unschedulable", message: post.message };
    // updatePod: no write when the condition and the nomination say what they already say.
    const was = getCondition(pod, unschedulable.type);
    const news =
      !was ||
      was.status !== unschedulable.status ||
      was.reason !== unschedulable.reason ||
      was.message !== unschedulable.message ||
      (post.nominated !== undefined && post.nominated !== pod.status?.nominatedNodeName);
    if (news)
      patchPodCondition(c, namespace!, name, unschedulable, (status) => {
        if (post.nominated) status.nominatedNodeName = post.nominated;
      });
    c.events.record(pod, "Warning", "FailedScheduling", post.message, source);
  },
};
