// kube-scheduler as a controller: one scheduling cycle per unscheduled pod (filter, score, bind
// through pods/binding), FailedScheduling with the real FitError message otherwise; unschedulable
// pods are retried when nodes change or a bound pod goes away (the real queue's "move" events).
import type { Controller, ControllerContext, Key } from "../controllers/types";
import { keyOf, splitKey } from "../controllers/types";
import type { Client } from "../controllers/client";
import type { Registry } from "../api/registry";
import type { Obj } from "../resources/types";
import { bindPod, putPodCondition } from "../nodes/subresources";
import { isUnscheduled, observePod, podCache } from "./cache";
import { filter, fitErrorMessage, selectHost, type FilterStatus, type NodeInfo } from "./framework";

export const SCHEDULER = "default-scheduler";

/** The registry behind the in-cluster client: binding writes at the storage layer, like BindingREST. */
const registryOf = (client: Client) => client["registry"] as Registry;

/** What the scheduler decided for a pod: a node, or the FailedScheduling message. */
export function schedule(pod: Obj, nodes: NodeInfo[]): { node: string } | { message: string } {
  const statuses: FilterStatus[] = [];
  const feasible: NodeInfo[] = [];
  for (const info of nodes) {
    const s = filter(pod, info);
    if (s) statuses.push(s);
    else feasible.push(info);
  }
  const host = selectHost(pod, feasible);
  return host ? { node: host.node.metadata.name } : { message: fitErrorMessage(pod, statuses) };
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
        // A bound pod that went away or finished frees room: retry the pending ones.
        const freed =
          prev?.spec?.nodeName &&
          (!current || current.metadata?.deletionTimestamp || ["Succeeded", "Failed"].includes(current.status?.phase));
        return freed ? allPending(c) : [];
      },
    },
    { plural: "nodes", map: (node, prev, c) => (nodeChanged(node, prev) ? allPending(c) : []) },
  ],
  reconcile(key, c) {
    const { namespace, name } = splitKey(key);
    const pod = c.client.get("pods", namespace, name);
    if (!pod || !isUnscheduled(pod) || (pod.spec?.schedulingGates ?? []).length) return;
    const cache = podCache(c);
    const nodes = c.client.list("nodes", undefined, (n) => !n.metadata?.deletionTimestamp).map((n) => cache.nodeInfo(n));
    const decision = schedule(pod, nodes);
    const source = { component: SCHEDULER };
    if ("node" in decision) {
      // The cache learns of the binding from the committed change (observePod in the watch
      // above), never before: a transaction that rolls back leaves it as the store is.
      const bound = bindPod(registryOf(c.client), namespace!, name, decision.node);
      c.events.record(bound, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${decision.node}`, source);
      return;
    }
    c.client.patch(
      "pods",
      namespace,
      name,
      (p) => {
        p.status ??= {};
        putPodCondition(p.status, { type: "PodScheduled", status: "False", reason: "Unschedulable", message: decision.message }, c.now());
      },
      { status: true },
    );
    c.events.record(pod, "Warning", "FailedScheduling", decision.message, source);
  },
};
