// NetworkPolicy as a CNI enforcing it (Calico, Cilium) decides a connection: a pod is isolated for a
// direction once any policy of its namespace selects it with that policy type, and then only what
// some rule of those policies allows gets through (rules add up, they never subtract). Traffic
// between a pod and its own node is always allowed (the docs' special case, what keeps kubelet
// probes working). Pure: the caller gives the policies, namespaces and both ends.
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import type { Pod } from "kubernetes-types/core/v1";
import type { Obj } from "../../resources/types";
import { selectorMatches } from "../../resources/podtemplate";
import { cidrContains } from "../../resources/networkpolicy";

/** One end of a connection: a pod (with its IP), or an address outside any pod (a node, the world). */
export interface Peer {
  ip: string;
  pod?: Pod;
  /** The node a non-pod address belongs to, when it is one. */
  node?: string;
}

export interface PolicyWorld {
  policies: NetworkPolicy[];
  /** Namespace labels by name (namespaceSelector reads them; kubernetes.io/metadata.name included). */
  namespaceLabels(name: string): Record<string, string>;
}

export interface Connection {
  from: Peer;
  to: Peer;
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

/** A pod whose traffic the CNI filters: host-network pods share the node's stack and are not. */
const filtered = (p: Peer): p is Peer & { pod: Pod } => !!p.pod && !p.pod.spec?.hostNetwork;

/** The policies of the pod's namespace that select it for `type`. */
export function policiesFor(world: PolicyWorld, pod: Pod, type: "Ingress" | "Egress"): NetworkPolicy[] {
  return world.policies.filter(
    (np) =>
      np.metadata?.namespace === pod.metadata?.namespace &&
      (np.spec?.policyTypes ?? ["Ingress"]).includes(type) &&
      selectorMatches((np.spec?.podSelector ?? {}) as Obj, pod.metadata?.labels),
  );
}

/** A peer of a rule of a policy in `namespace` against the other end. */
export function peerMatches(world: PolicyWorld, peer: NetworkPolicyPeer, namespace: string, other: Peer): boolean {
  if (peer.ipBlock) {
    if (!cidrContains(peer.ipBlock.cidr, other.ip)) return false;
    return !(peer.ipBlock.except ?? []).some((c) => cidrContains(c, other.ip));
  }
  const pod = other.pod;
  if (!pod || pod.spec?.hostNetwork) return false;
  const ns = pod.metadata?.namespace ?? "default";
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector as Obj, world.namespaceLabels(ns))) return false;
  } else if (ns !== namespace) return false;
  return peer.podSelector ? selectorMatches(peer.podSelector as Obj, pod.metadata?.labels) : true;
}

/** A rule's port against the destination port: numbers, ranges (endPort) and the destination pod's named ports. */
export function portMatches(rule: NetworkPolicyPort, port: number, protocol: string, destination?: Pod): boolean {
  if ((rule.protocol ?? "TCP") !== protocol) return false;
  if (rule.port == null) return true;
  if (typeof rule.port === "number") return rule.endPort != null ? port >= rule.port && port <= rule.endPort : port === rule.port;
  const named = (destination?.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  return named.some((p) => p.name === rule.port && p.containerPort === port && (p.protocol ?? "TCP") === protocol);
}

const sameNode = (pod: Pod, other: Peer) => !!other.node && !other.pod && other.node === pod.spec?.nodeName;

/** May the destination pod accept this connection? */
export function ingressAllowed(world: PolicyWorld, c: Connection): boolean {
  if (!filtered(c.to) || sameNode(c.to.pod, c.from)) return true;
  const pod = c.to.pod;
  const policies = policiesFor(world, pod, "Ingress");
  if (!policies.length) return true;
  return policies.some((np) =>
    (np.spec?.ingress ?? []).some(
      (rule) =>
        (!rule.from?.length || rule.from.some((peer) => peerMatches(world, peer, np.metadata?.namespace ?? "", c.from))) &&
        (!rule.ports?.length || rule.ports.some((p) => portMatches(p, c.port, c.protocol, pod))),
    ),
  );
}

/** May the source pod open this connection? (Evaluated after kube-proxy's DNAT: the endpoint's IP and port.) */
export function egressAllowed(world: PolicyWorld, c: Connection): boolean {
  if (!filtered(c.from) || sameNode(c.from.pod, c.to)) return true;
  const pod = c.from.pod;
  const policies = policiesFor(world, pod, "Egress");
  if (!policies.length) return true;
  return policies.some((np) =>
    (np.spec?.egress ?? []).some(
      (rule) =>
        (!rule.to?.length || rule.to.some((peer) => peerMatches(world, peer, np.metadata?.namespace ?? "", c.to))) &&
        (!rule.ports?.length || rule.ports.some((p) => portMatches(p, c.port, c.protocol, c.to.pod))),
    ),
  );
}

/** Both ends agree: the source may send it and the destination may accept it. */
export const connectionAllowed = (world: PolicyWorld, c: Connection): boolean => egressAllowed(world, c) && ingressAllowed(world, c);
