// Lazy heartbeats: a running kubelet posts node status and renews its Lease every few seconds; here
// those times are computed when the objects are read, so an idle cluster writes nothing. A stopped
// kubelet is marked by an annotation on its Node, and its times stand still.
import type { Obj } from "./types";

/** Set (to the stop time) while the node's kubelet is stopped through the session API. */
export const KUBELET_STOPPED = "kubeplay.dev/kubelet-stopped";

export const kubeletRunning = (node: Obj | undefined) => !!node && !node.metadata?.annotations?.[KUBELET_STOPPED];

const PERIOD = 10_000;

/** The latest heartbeat at or before `now` on a 10 s cadence that started at `since`. */
export function lastBeat(since: number, now: number): number {
  if (!(since <= now)) return since;
  return since + Math.floor((now - since) / PERIOD) * PERIOD;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
/** metav1.MicroTime as a Lease's renewTime serialises. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, "000Z");

/** Until when the kubelet of this node was beating: now, or when it was stopped. */
function beatingUntil(node: Obj | undefined, now: number): number {
  const stopped = node?.metadata?.annotations?.[KUBELET_STOPPED];
  return stopped ? Math.min(now, Date.parse(stopped)) : now;
}

/** Node conditions' lastHeartbeatTime: on a 10 s cadence while the kubelet runs, frozen after. The
 *  stored node is left as it is (it may be the store's shared copy); the rest of it is shared. */
export function presentNode(node: Obj, now: number): Obj {
  const conditions = node.status?.conditions as Obj[] | undefined;
  if (!conditions?.length) return node;
  now = beatingUntil(node, now);
  const beating = conditions.map((c) => {
    const from = Date.parse(c.lastHeartbeatTime ?? c.lastTransitionTime);
    return Number.isFinite(from) ? { ...c, lastHeartbeatTime: rfc3339(lastBeat(from, now)) } : c;
  });
  return { ...node, status: { ...node.status, conditions: beating } };
}

/** A node Lease's renewTime: renewed every 10 s while the kubelet runs, frozen after (a copy, as
 *  presentNode's). */
export function presentLease(lease: Obj, node: Obj | undefined, now: number): Obj {
  if (!node || !lease.spec?.renewTime) return lease;
  now = beatingUntil(node, now);
  const from = Date.parse(lease.spec.renewTime);
  return Number.isFinite(from) ? { ...lease, spec: { ...lease.spec, renewTime: microTime(lastBeat(from, now)) } } : lease;
}
