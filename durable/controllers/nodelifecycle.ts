// The node lifecycle controller (pkg/controller/nodelifecycle), the taint-eviction controller
// (pkg/controller/tainteviction) and the pod GC's orphan sweep, over Nodes:
// - a node whose kubelet stopped posting status goes Unknown after the node-monitor grace period,
//   gets the unreachable taints, its pods are marked not ready; NoExecute taints evict pods after
//   their tolerationSeconds; a kubelet that comes back makes the node Ready again;
// - spec.unschedulable (cordon) ↔ the node.kubernetes.io/unschedulable:NoSchedule taint;
// - each node has its Lease in kube-node-lease; a removed node's Lease and pods are deleted.
import type { Controller, ControllerContext } from "./types";
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { podCache } from "../scheduler/cache";
import { toleratedBy, tolerates } from "../scheduler/framework";
import { kubeletRunning, KUBELET_STOPPED, lastBeat, microTime } from "../resources/heartbeat";
import { patchPodCondition } from "./util";

export const NODE_CONTROLLER = "node-controller";
const UNREACHABLE = "node.kubernetes.io/unreachable";
const UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
const LEASE_NS = "kube-node-lease";

/** What a healthy kubelet reports. */
const HEALTHY: Record<string, [string, string, string]> = {
  MemoryPressure: ["False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
  DiskPressure: ["False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
  PIDPressure: ["False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
  Ready: ["True", "KubeletReady", "kubelet is posting ready status"],
};

const readyOf = (node: Obj) => ((node.status?.conditions ?? []) as Obj[]).find((c) => c.type === "Ready");

/** The taints this controller owns, as they should be. */
function desiredTaints(node: Obj, unreachable: boolean, now: number): Obj[] {
  const current: Obj[] = node.spec?.taints ?? [];
  const keep = (key: string, effect: string) =>
    current.find((t) => t.key === key && t.effect === effect) ?? { key, effect, timeAdded: rfc3339(now) };
  const out = current.filter((t) => t.key !== UNREACHABLE && t.key !== UNSCHEDULABLE);
  if (node.spec?.unschedulable) out.push(keep(UNSCHEDULABLE, "NoSchedule"));
  if (unreachable) out.push(keep(UNREACHABLE, "NoSchedule"), keep(UNREACHABLE, "NoExecute"));
  return out;
}

function podsOn(c: ControllerContext, node: string): Obj[] {
  return podCache(c)
    .podsOn(node)
    .map((k) => {
      const [ns, name] = k.split("/");
      return c.client.get("pods", ns, name);
    })
    .filter((p): p is Obj => !!p && p.spec?.nodeName === node);
}

/** The pod GC for a node that no longer exists: fail and force-delete its pods. */
function collectOrphans(c: ControllerContext, name: string): void {
  c.client.delete("leases", LEASE_NS, name);
  for (const pod of podsOn(c, name)) {
    const { namespace, name: podName } = pod.metadata;
    if (pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed")
      patchPodCondition(
        c,
        namespace,
        podName,
        { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" },
        (status) => void (status.phase = "Failed"),
      );
    c.client.delete("pods", namespace, podName, { gracePeriodSeconds: 0 });
  }
}

function ensureLease(c: ControllerContext, node: Obj): void {
  if (c.client.get("leases", LEASE_NS, node.metadata.name) || !c.client.get("namespaces", undefined, LEASE_NS)) return;
  const ready = readyOf(node);
  const since = Date.parse(ready?.lastHeartbeatTime ?? node.metadata.creationTimestamp);
  c.client.create("leases", {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: node.metadata.name,
      namespace: LEASE_NS,
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.metadata.name, uid: node.metadata.uid }],
    },
    spec: { holderIdentity: node.metadata.name, leaseDurationSeconds: 40, renewTime: microTime(lastBeat(since, c.now())) },
  });
}

/**
 * Taint-based eviction: pods that do not tolerate a NoExecute taint go at once, those that tolerate
 * it for tolerationSeconds go when that has passed (shortened by the cluster clock). Returns the
 * earliest future eviction (ms from now), if any.
 */
function evictions(c: ControllerContext, node: Obj, now: number): number | undefined {
  const noExecute = ((node.spec?.taints ?? []) as Obj[]).filter((t) => t.effect === "NoExecute");
  if (!noExecute.length) return undefined;
  let wake: number | undefined;
  for (const pod of podsOn(c, node.metadata.name)) {
    if (pod.metadata.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    const tolerations: Obj[] = pod.spec?.tolerations ?? [];
    let due = now;
    if (noExecute.every((t) => toleratedBy(tolerations, t))) {
      // The shortest tolerationSeconds among the tolerations that match, from when the taint came.
      let until = Infinity;
      for (const taint of noExecute) {
        const added = Date.parse(taint.timeAdded ?? "") || now;
        for (const t of tolerations)
          if (tolerates(t, taint) && t.tolerationSeconds != null)
            until = Math.min(until, added + c.clock.seconds(Math.max(0, t.tolerationSeconds)));
      }
      due = until;
    }
    if (due > now) {
      if (due !== Infinity) wake = Math.min(wake ?? Infinity, due - now);
      continue;
    }
    const { namespace, name } = pod.metadata;
    c.events.record(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${namespace}/${name}`, {
      component: "taint-eviction-controller",
    });
    patchPodCondition(c, namespace, name, {
      type: "DisruptionTarget",
      status: "True",
      reason: "DeletionByTaintManager",
      message: "Taint manager: deleting due to NoExecute taint",
    });
    c.client.delete("pods", namespace, name);
  }
  return wake;
}

/** MarkPodsNotReady: the Ready condition of the node's pods goes False. */
function markPodsNotReady(c: ControllerContext, node: string, now: number): void {
  for (const pod of podsOn(c, node)) {
    const ready = ((pod.status?.conditions ?? []) as Obj[]).find((x) => x.type === "Ready");
    if (!ready || ready.status === "False") continue;
    c.client.patch(
      "pods",
      pod.metadata.namespace,
      pod.metadata.name,
      (p) => {
        const r = (p.status.conditions as Obj[]).find((x) => x.type === "Ready")!;
        r.status = "False";
        r.lastTransitionTime = rfc3339(now);
      },
      { status: true },
    );
    c.events.record(pod, "Warning", "NodeNotReady", "Node is not ready", { component: NODE_CONTROLLER });
  }
}

export const nodeLifecycle: Controller = {
  name: NODE_CONTROLLER,
  primary: "nodes",
  watches: [
    { plural: "nodes" },
    {
      // A pod newly bound to a node may have to be evicted from it (NoExecute taints).
      plural: "pods",
      map: (pod, prev) => (pod.spec?.nodeName && prev?.spec?.nodeName !== pod.spec.nodeName ? [pod.spec.nodeName] : []),
    },
  ],
  reconcile(name, c) {
    const now = c.now();
    const node = c.client.get("nodes", undefined, name);
    if (!node) return collectOrphans(c, name);
    if (node.metadata.deletionTimestamp) return;
    ensureLease(c, node);

    let wake: number | undefined;
    let unreachable = readyOf(node)?.status === "Unknown";
    const status: Obj = structuredClone(node.status ?? {});
    if (kubeletRunning(node)) {
      if (readyOf(node)?.status !== "True") {
        // The kubelet posts a healthy status again.
        const ts = rfc3339(now);
        status.conditions = ((status.conditions ?? []) as Obj[]).map((cond) => {
          const [s, reason, message] = HEALTHY[cond.type] ?? [cond.status, cond.reason, cond.message];
          return {
            ...cond,
            status: s,
            reason,
            message,
            lastHeartbeatTime: ts,
            lastTransitionTime: cond.status === s ? cond.lastTransitionTime : ts,
          };
        });
        c.client.patch("nodes", undefined, name, (n) => void (n.status = status), { status: true });
        const ref = { ...node, metadata: { ...node.metadata, uid: name } };
        c.events.record(ref, "Normal", "NodeReady", `Node ${name} status is now: NodeReady`, { component: "kubelet", host: name });
      }
      unreachable = false;
    } else if (!unreachable) {
      // No status posted since the kubelet stopped: Unknown once the grace period has passed.
      const ready = readyOf(node);
      const last = Math.max(Date.parse(ready?.lastHeartbeatTime ?? "") || 0, Date.parse(node.metadata.annotations[KUBELET_STOPPED]) || 0);
      const graceEnd = last + c.clock.timeout("nodeMonitorGrace");
      if (graceEnd > now) wake = graceEnd - now;
      else {
        const ts = rfc3339(now);
        status.conditions = ((status.conditions ?? []) as Obj[]).map((cond) => ({
          ...cond,
          status: "Unknown",
          reason: "NodeStatusUnknown",
          message: "Kubelet stopped posting node status.",
          lastTransitionTime: cond.status === "Unknown" ? cond.lastTransitionTime : ts,
        }));
        c.client.patch("nodes", undefined, name, (n) => void (n.status = status), { status: true });
        c.events.record(
          { ...node, metadata: { ...node.metadata, uid: name } },
          "Normal",
          "NodeNotReady",
          `Node ${name} status is now: NodeNotReady`,
          { component: NODE_CONTROLLER },
        );
        markPodsNotReady(c, name, now);
        unreachable = true;
      }
    }

    const taints = desiredTaints(node, unreachable, now);
    if (JSON.stringify(taints) !== JSON.stringify(node.spec?.taints ?? [])) {
      const updated = c.client.patch("nodes", undefined, name, (n) => {
        n.spec ??= {};
        if (taints.length) n.spec.taints = taints;
        else delete n.spec.taints;
      });
      if (updated) node.spec = updated.spec;
    }
    const evictIn = evictions(c, node, now);
    if (evictIn !== undefined) wake = Math.min(wake ?? Infinity, evictIn);
    return wake !== undefined ? { requeueAfter: wake } : undefined;
  },
};
