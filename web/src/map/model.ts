// The cluster map's model: the objects the watches have delivered, and the picture derived from
// them (nodes holding their pods, Deployments → ReplicaSets → Pods, Services → endpoints → Pods).
// Pure: no DOM, no network, so the map's meaning is tested apart from its drawing.
import type { Event, Node, Pod, Service } from "kubernetes-types/core/v1";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { printPodSummary } from "../../../durable/resources/podsummary";

export type Kind = "nodes" | "pods" | "deployments" | "replicasets" | "services" | "endpointslices" | "events";

export const WATCHED: Record<Kind, string> = {
  nodes: "/api/v1/nodes",
  pods: "/api/v1/pods",
  deployments: "/apis/apps/v1/deployments",
  replicasets: "/apis/apps/v1/replicasets",
  services: "/api/v1/services",
  endpointslices: "/apis/discovery.k8s.io/v1/endpointslices",
  events: "/api/v1/events",
};

type Object_ = { metadata?: ObjectMeta };
const keyOf = (o: Object_) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** How a pod looks: the category colours it, the text is what `kubectl get pods` prints. */
export type PodLook = "ready" | "progress" | "unready" | "failing" | "done" | "terminating";

export function podLook(status: string, ready: string): PodLook {
  if (status === "Terminating") return "terminating";
  if (status === "Completed" || status === "Succeeded") return "done";
  if (status === "Running") {
    const [r, t] = ready.split("/").map(Number);
    return r === t ? "ready" : "unready";
  }
  if (/^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|SchedulingGated)$/.test(status)) return "progress";
  if (status === "NotReady" || status === "Unknown") return "unready";
  return "failing"; // CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Error, OOMKilled, Init:Error …
}

export interface PodView {
  key: string;
  name: string;
  namespace: string;
  node?: string;
  status: string;
  ready: string;
  restarts: string;
  look: PodLook;
  owner?: string;
}

export interface NodeView {
  name: string;
  role: string;
  ready: "True" | "False" | "Unknown";
  unschedulable: boolean;
  version: string;
  pods: PodView[];
}

export class ClusterModel {
  readonly objects: Record<Kind, Map<string, Object_>> = {
    nodes: new Map(),
    pods: new Map(),
    deployments: new Map(),
    replicasets: new Map(),
    services: new Map(),
    endpointslices: new Map(),
    events: new Map(),
  };

  /** Apply one watch event; whether the model changed. */
  apply(kind: Kind, type: string, object: Object_): boolean {
    const map = this.objects[kind];
    if (type === "DELETED") return map.delete(keyOf(object));
    if (type !== "ADDED" && type !== "MODIFIED") return false;
    map.set(keyOf(object), object);
    return true;
  }

  /** Forget what one watch delivered (before it is opened again and resends the current state). */
  reset(kind: Kind): void {
    this.objects[kind].clear();
  }

  namespaces(): string[] {
    const all = new Set<string>();
    for (const kind of ["pods", "deployments", "services"] as const)
      for (const o of this.objects[kind].values()) if (o.metadata?.namespace) all.add(o.metadata.namespace);
    return [...all].sort();
  }

  pods(namespace: string | undefined, now: number): PodView[] {
    const out: PodView[] = [];
    for (const o of this.objects.pods.values()) {
      const p = o as Pod;
      const ns = p.metadata?.namespace ?? "";
      if (namespace && ns !== namespace) continue;
      const summary = printPodSummary(p as never, now);
      const ref = p.metadata?.ownerReferences?.find((r) => r.controller);
      out.push({
        key: keyOf(p),
        name: p.metadata?.name ?? "",
        namespace: ns,
        node: p.spec?.nodeName,
        status: summary.status,
        ready: summary.ready,
        restarts: summary.restarts,
        look: podLook(summary.status, summary.ready),
        owner: ref ? `${ref.kind}/${ref.name}` : undefined,
      });
    }
    return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  /** Nodes in name order, each with its pods; pods on no node yet come last, under no node. */
  nodes(namespace: string | undefined, now: number): { nodes: NodeView[]; unscheduled: PodView[] } {
    const pods = this.pods(namespace, now);
    const nodes = [...this.objects.nodes.values()].map((o) => {
      const n = o as Node;
      const labels = n.metadata?.labels ?? {};
      return {
        name: n.metadata?.name ?? "",
        role: "node-role.kubernetes.io/control-plane" in labels ? "control-plane" : "worker",
        ready: (n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown") as NodeView["ready"],
        unschedulable: !!n.spec?.unschedulable,
        version: n.status?.nodeInfo?.kubeletVersion ?? "",
        pods: pods.filter((p) => p.node === n.metadata?.name),
      };
    });
    nodes.sort((a, b) => a.name.localeCompare(b.name));
    const known = new Set(nodes.map((n) => n.name));
    return { nodes, unscheduled: pods.filter((p) => !p.node || !known.has(p.node)) };
  }

  /** Deployments → their ReplicaSets (newest first, empty old ones left out) → their pods. */
  workloads(namespace: string | undefined, now: number) {
    const pods = this.pods(namespace, now);
    const rss = [...this.objects.replicasets.values()] as ReplicaSet[];
    return ([...this.objects.deployments.values()] as Deployment[])
      .filter((d) => !namespace || d.metadata?.namespace === namespace)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map((d) => {
        const owned = rss
          .filter(
            (rs) =>
              rs.metadata?.namespace === d.metadata?.namespace &&
              rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid),
          )
          .filter((rs) => (rs.spec?.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0)
          .sort(
            (a, b) =>
              Number(b.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0) -
              Number(a.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0),
          );
        return {
          key: keyOf(d),
          name: d.metadata?.name ?? "",
          namespace: d.metadata?.namespace ?? "",
          ready: `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
          replicaSets: owned.map((rs) => ({
            key: keyOf(rs),
            name: rs.metadata?.name ?? "",
            revision: rs.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? "",
            ready: `${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0}`,
            pods: pods.filter((p) => p.namespace === rs.metadata?.namespace && p.owner === `ReplicaSet/${rs.metadata?.name}`),
          })),
        };
      });
  }

  /** Services → the pods their EndpointSlices point at (ready or not). */
  services(namespace: string | undefined) {
    const slices = [...this.objects.endpointslices.values()] as EndpointSlice[];
    return ([...this.objects.services.values()] as Service[])
      .filter((s) => !namespace || s.metadata?.namespace === namespace)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map((s) => {
        const mine = slices.filter(
          (e) => e.metadata?.namespace === s.metadata?.namespace && e.metadata?.labels?.["kubernetes.io/service-name"] === s.metadata?.name,
        );
        const endpoints = mine.flatMap((e) =>
          (e.endpoints ?? []).map((ep) => ({
            ip: ep.addresses?.[0] ?? "",
            ready: ep.conditions?.ready !== false,
            pod: ep.targetRef?.kind === "Pod" ? ep.targetRef.name : undefined,
          })),
        );
        const ports = (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
        // The API server proxy's address of each TCP port (services/<name>:<port>/proxy/), what a tab opens.
        const proxied = (s.spec?.ports ?? [])
          .filter((p) => (p.protocol ?? "TCP") === "TCP" && s.spec?.type !== "ExternalName")
          .map((p) => ({
            port: p.port,
            path: `/api/v1/namespaces/${s.metadata?.namespace}/services/${s.metadata?.name}:${p.name || p.port}/proxy/`,
          }));
        return {
          key: keyOf(s),
          name: s.metadata?.name ?? "",
          namespace: s.metadata?.namespace ?? "",
          type: s.spec?.type ?? "ClusterIP",
          clusterIP: s.spec?.clusterIP ?? "",
          ports,
          proxied,
          endpoints,
        };
      });
  }

  /** The newest events first, at most `limit`. */
  events(namespace: string | undefined, limit = 50) {
    const time = (e: Event) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "") || 0;
    return ([...this.objects.events.values()] as Event[])
      .filter((e) => !namespace || e.metadata?.namespace === namespace)
      .sort((a, b) => time(b) - time(a))
      .slice(0, limit)
      .map((e) => ({
        key: keyOf(e),
        at: time(e),
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        object: `${(e.involvedObject.kind ?? "").toLowerCase()}/${e.involvedObject.name ?? ""}`,
        message: e.message ?? "",
        count: e.count ?? 1,
      }));
  }
}
