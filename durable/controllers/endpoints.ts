// The endpoints controller (pkg/controller/endpoint): one Endpoints per Service with a selector, named
// like it, kept in step with the pods the selector matches. Also the `default/kubernetes` Endpoints,
// which the API server's endpoint reconciler keeps pointing at the control-plane nodes.
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { nodeIP } from "../bootstrap";
import { isPodReady } from "./util";
import type { Controller, ControllerContext, Key } from "./types";

export const TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

/** labels.SelectorFromSet over a Service's map selector (an empty map selects everything). */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The Services (in the pod's namespace) whose selectors match the pod now or before the change. */
export function servicesForPod(pod: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const ns = pod.metadata?.namespace;
  return c.client
    .list("services", ns)
    .filter(
      (s) => selectorMatches(s.spec?.selector, pod.metadata?.labels) || (prev && selectorMatches(s.spec?.selector, prev.metadata?.labels)),
    )
    .map((s) => `${ns}/${s.metadata.name}`);
}

/** Is the namespace gone or being deleted (no new content can be written there)? */
export function namespaceClosed(c: ControllerContext, namespace: string): boolean {
  const ns = c.client.get("namespaces", undefined, namespace);
  return !ns || !!ns.metadata.deletionTimestamp;
}

/** podutil.FindPort: a service port's targetPort as a number for this pod (named ports by container port name). */
export function findPort(pod: Obj, svcPort: Obj): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === "number") return target;
  const protocol = svcPort.protocol ?? "TCP";
  const containers: Obj[] = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c: Obj) => c.restartPolicy === "Always"),
  ];
  for (const container of containers)
    for (const p of container.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  return undefined;
}

/** endpointutil.ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: Obj, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  switch (pod.spec?.restartPolicy ?? "Always") {
    case "Never":
      return phase !== "Failed" && phase !== "Succeeded";
    case "OnFailure":
      return phase !== "Succeeded";
    default:
      return true;
  }
}

/** endpointutil.ShouldSetHostname: the pod's hostname names it under a headless service's subdomain. */
export const shouldSetHostname = (pod: Obj, svc: Obj) =>
  !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Numeric IPv4 order ("10.244.1.10" after "10.244.1.9"), text otherwise. */
export function compareIPs(a: string, b: string): number {
  const n = (ip: string) => ip.split(".").map(Number);
  const x = n(a);
  const y = n(b);
  if (x.length === 4 && y.length === 4 && [...x, ...y].every((v) => !Number.isNaN(v))) {
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  return cmp(a, b);
}

/**
 * The subsets of a Service's Endpoints for these pods (syncService + RepackSubsets): ready pods as
 * addresses, the others as notReadyAddresses, grouped by the ports they offer.
 */
export function endpointSubsets(svc: Obj, pods: Obj[]): Obj[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const svcPorts: Obj[] = svc.spec?.ports ?? [];
  // port (JSON) → address (ip|uid) → {address, ready}
  const byPort = new Map<string, Map<string, { addr: Obj; ready: boolean }>>();
  const add = (port: Obj | null, addr: Obj, ready: boolean) => {
    const k = JSON.stringify(port);
    if (!byPort.has(k)) byPort.set(k, new Map());
    byPort.get(k)!.set(`${addr.ip}|${addr.targetRef.uid}`, { addr, ready });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, false)) continue;
    const addr: Obj = {
      ip: pod.status.podIP,
      ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    const ready = tolerateUnready || isPodReady(pod);
    if (!svcPorts.length) {
      if (svc.spec?.clusterIP === "None") add(null, addr, ready);
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      add(
        {
          ...(sp.name ? { name: sp.name } : {}),
          port,
          protocol: sp.protocol ?? "TCP",
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        },
        addr,
        ready,
      );
    }
  }
  // Group the ports by the set of addresses that offer them.
  const groups = new Map<string, { addrs: { addr: Obj; ready: boolean }[]; ports: Obj[] }>();
  for (const [portKey, addrs] of byPort) {
    const list = [...addrs.values()].sort((a, b) => compareIPs(a.addr.ip, b.addr.ip) || cmp(a.addr.targetRef.uid, b.addr.targetRef.uid));
    const key = JSON.stringify(list.map((a) => [a.addr.ip, a.addr.targetRef.uid, a.ready]));
    if (!groups.has(key)) groups.set(key, { addrs: list, ports: [] });
    const port = JSON.parse(portKey);
    if (port) groups.get(key)!.ports.push(port);
  }
  const subsets = [...groups.values()].map(({ addrs, ports }) => {
    const ready = addrs.filter((a) => a.ready).map((a) => a.addr);
    const notReady = addrs.filter((a) => !a.ready).map((a) => a.addr);
    ports.sort((a, b) => cmp(a.name ?? "", b.name ?? "") || a.port - b.port || cmp(a.protocol, b.protocol));
    return {
      ...(ready.length ? { addresses: ready } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ...(ports.length ? { ports } : {}),
    };
  });
  const first = (s: Obj) => (s.addresses ?? s.notReadyAddresses)[0].ip;
  return subsets.sort((a, b) => compareIPs(first(a), first(b)));
}

/** The control-plane nodes' InternalIPs: where the `kubernetes` Service points (6443). */
export function apiServerIPs(c: ControllerContext): string[] {
  const ips = c.client
    .list("nodes", undefined, (n) => n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined)
    .map((n) => (n.status?.addresses ?? []).find((a: Obj) => a.type === "InternalIP")?.address)
    .filter(Boolean)
    .sort(compareIPs);
  return ips.length ? ips : [nodeIP(0)];
}

/** The labels of a Service's Endpoints: the Service's own, plus the headless marker. */
function endpointsLabels(svc: Obj): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  else delete labels[HEADLESS_LABEL];
  return Object.keys(labels).length ? labels : undefined;
}

/** Watch map for what a controller writes: only a deletion (of an object whose Service exists) matters. */
export const recreateDeleted =
  (plural: string) =>
  (obj: Obj, _prev: Obj | undefined, c: ControllerContext): Key[] => {
    const { namespace, name } = obj.metadata;
    const svcName = plural === "endpoints" ? name : obj.metadata.labels?.["kubernetes.io/service-name"];
    if (!svcName || c.client.get(plural, namespace, name)) return [];
    return c.client.get("services", namespace, svcName) ? [`${namespace}/${svcName}`] : [];
  };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function writeEndpoints(
  c: ControllerContext,
  namespace: string,
  name: string,
  labels: Obj | undefined,
  subsets: Obj[],
  annotations?: Obj,
): void {
  const current = c.client.get("endpoints", namespace, name);
  const want = subsets.length ? subsets : undefined;
  if (current && same(current.subsets, want) && same(current.metadata.labels, labels)) return;
  const meta: Obj = { ...(current?.metadata ?? { name, namespace }) };
  if (labels) meta.labels = labels;
  else delete meta.labels;
  if (annotations) meta.annotations = { ...(meta.annotations ?? {}), ...annotations };
  const obj: Obj = { apiVersion: "v1", kind: "Endpoints", metadata: meta, ...(want ? { subsets: want } : {}) };
  if (current) c.client.update("endpoints", obj);
  else c.client.create("endpoints", obj);
}

export const endpointsController: Controller = {
  name: "endpoint-controller",
  primary: "services",
  watches: [{ plural: "services" }, { plural: "pods", map: servicesForPod }, { plural: "endpoints", map: recreateDeleted("endpoints") }],
  reconcile(key, c) {
    const [namespace, name] = key.split("/");
    const svc = c.client.get("services", namespace, name);
    if (!svc) {
      // The Service is gone: so are its Endpoints (not the ones of selectorless Services it never had).
      c.client.delete("endpoints", namespace, name);
      return;
    }
    if (namespaceClosed(c, namespace)) return;
    if (namespace === "default" && name === "kubernetes") {
      const subsets = [{ addresses: apiServerIPs(c).map((ip) => ({ ip })), ports: [{ name: "https", port: 6443, protocol: "TCP" }] }];
      writeEndpoints(c, namespace, name, { "endpointslice.kubernetes.io/skip-mirror": "true" }, subsets);
      return;
    }
    if (!svc.spec?.selector || svc.spec?.type === "ExternalName") return; // endpoints managed by someone else
    const pods = c.client.list("pods", namespace, (p) => selectorMatches(svc.spec.selector, p.metadata?.labels));
    const subsets = endpointSubsets(svc, pods);
    writeEndpoints(c, namespace, name, endpointsLabels(svc), subsets, { [TRIGGER_TIME_ANNOTATION]: rfc3339(c.now()) });
  },
};
