// The scheduler's cache (like kube-scheduler's internal cache fed by informers): every pod of one
// cluster, what the bound ones use on each node, the unscheduled ones, and the live pod IPs per node
// (for the simulated kubelet's IPAM). Built once from a list, then kept current from the committed
// changes the controllers' watches see, so a scheduling cycle costs O(nodes), not O(pods).
import type { Obj } from "../resources/types";
import type { ControllerContext, Key } from "../controllers/types";
import { keyOf } from "../controllers/types";
import { nonZeroRequests, podHostPorts, podRequests, spreadKey, type NodeInfo } from "./framework";

interface Usage {
  requested: Record<string, number>;
  nonZero: { cpu: number; memory: number };
  pods: number;
  ports: Map<string, number>;
  spread: Map<string, number>;
}

/** One pod's share of its node's usage. */
interface Share {
  node: string;
  requested: Record<string, number>;
  nonZero: { cpu: number; memory: number };
  ports: string[];
  spread: string;
}

export const isTerminal = (pod: Obj) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** Pods the default scheduler should place. */
export const isUnscheduled = (pod: Obj) =>
  !pod.spec?.nodeName &&
  !pod.metadata?.deletionTimestamp &&
  (pod.spec?.schedulerName ?? "default-scheduler") === "default-scheduler" &&
  !isTerminal(pod);

export class PodCache {
  private readonly pods = new Map<Key, Obj>();
  private readonly shares = new Map<Key, Share>();
  private readonly usage = new Map<string, Usage>();
  /** Keys of unscheduled pods. */
  readonly pending = new Set<Key>();
  /** Live pod IPs per node (pods with their own network namespace). */
  private readonly ips = new Map<string, Map<Key, string>>();
  /** The keys of the pods bound to each node. */
  private readonly bound = new Map<string, Set<Key>>();

  constructor(pods: Obj[]) {
    for (const p of pods) this.set(keyOf(p), p);
  }

  get(key: Key): Obj | undefined {
    return this.pods.get(key);
  }

  /** Record the current state of a pod (undefined: it is gone). */
  set(key: Key, pod: Obj | undefined): void {
    this.unshare(key);
    this.pending.delete(key);
    const was = this.pods.get(key)?.spec?.nodeName;
    if (was) this.ips.get(was)?.delete(key);
    // (A bound pod's node never changes: it keeps its place among the node's pods until it is gone.)
    if (was && was !== pod?.spec?.nodeName) this.bound.get(was)?.delete(key);
    if (!pod) {
      this.pods.delete(key);
      return;
    }
    this.pods.set(key, pod);
    if (isUnscheduled(pod)) this.pending.add(key);
    const node = pod.spec?.nodeName;
    if (!node) return;
    if (!this.bound.has(node)) this.bound.set(node, new Set());
    this.bound.get(node)!.add(key);
    if (!isTerminal(pod)) this.share(key, pod, node);
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork) {
      if (!this.ips.has(node)) this.ips.set(node, new Map());
      this.ips.get(node)!.set(key, ip);
    }
  }

  private share(key: Key, pod: Obj, node: string): void {
    const s: Share = { node, requested: podRequests(pod), nonZero: nonZeroRequests(pod), ports: podHostPorts(pod), spread: spreadKey(pod) };
    this.shares.set(key, s);
    this.apply(s, 1);
  }

  private unshare(key: Key): void {
    const s = this.shares.get(key);
    if (!s) return;
    this.shares.delete(key);
    this.apply(s, -1);
  }

  private apply(s: Share, sign: 1 | -1): void {
    let u = this.usage.get(s.node);
    if (!u) this.usage.set(s.node, (u = { requested: {}, nonZero: { cpu: 0, memory: 0 }, pods: 0, ports: new Map(), spread: new Map() }));
    for (const [k, v] of Object.entries(s.requested)) u.requested[k] = (u.requested[k] ?? 0) + sign * v;
    u.nonZero.cpu += sign * s.nonZero.cpu;
    u.nonZero.memory += sign * s.nonZero.memory;
    u.pods += sign;
    const bump = (m: Map<string, number>, k: string) => {
      const n = (m.get(k) ?? 0) + sign;
      if (n > 0) m.set(k, n);
      else m.delete(k);
    };
    for (const p of s.ports) bump(u.ports, p);
    if (s.spread) bump(u.spread, s.spread);
  }

  /** The scheduler's view of a node. */
  nodeInfo(node: Obj): NodeInfo {
    const u = this.usage.get(node.metadata.name);
    return {
      node,
      requested: { ...(u?.requested ?? {}) },
      nonZero: { ...(u?.nonZero ?? { cpu: 0, memory: 0 }) },
      pods: u?.pods ?? 0,
      ports: new Set(u?.ports.keys() ?? []),
      spread: new Map(u?.spread ?? []),
    };
  }

  /** Keys of the pods bound to a node. */
  podsOn(node: string): Key[] {
    return [...(this.bound.get(node) ?? [])];
  }

  /** IPs in use on a node. */
  ipsOn(node: string): Set<string> {
    return new Set(this.ips.get(node)?.values() ?? []);
  }
}

const caches = new WeakMap<object, PodCache>();

/** The cache of the cluster behind this controller context, built on first use. */
export function podCache(c: ControllerContext): PodCache {
  let cache = caches.get(c.client);
  if (!cache) caches.set(c.client, (cache = new PodCache(c.client.list("pods"))));
  return cache;
}

/** Feed a committed pod change into the cache (a no-op until the cache exists). Returns the pod's
 *  current state (shared and frozen, as the cache holds it), or undefined when it is gone. */
export function observePod(c: ControllerContext, pod: Obj): Obj | undefined {
  const cache = caches.get(c.client);
  if (!cache) return pod;
  const key = keyOf(pod);
  if (cache.get(key)?.metadata?.resourceVersion === pod.metadata?.resourceVersion) return cache.get(key);
  const current = c.client.current("pods", pod.metadata.namespace, pod.metadata.name);
  cache.set(key, current);
  return current;
}
