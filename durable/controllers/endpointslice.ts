// The EndpointSlice controller (pkg/controller/endpointslice): `<service>-<5 chars>` slices of at most
// 100 endpoints per set of ports, owned by the Service, with ready/serving/terminating conditions.
// The `default/kubernetes` slice is the API server's (endpoint reconciler): named `kubernetes`,
// without owner or managed-by label.
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { isPodReady, ownerReference } from "./util";
import type { Controller, ControllerContext } from "./types";
import {
  HEADLESS_LABEL,
  TRIGGER_TIME_ANNOTATION,
  apiServerIPs,
  compareIPs,
  findPort,
  namespaceClosed,
  recreateDeleted,
  selectorMatches,
  servicesForPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./endpoints";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** --max-endpoints-per-slice default. */
const MAX_ENDPOINTS_PER_SLICE = 100;

/** podToEndpoint. */
export function podToEndpoint(pod: Obj, svc: Obj): Obj {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  return {
    addresses: [pod.status.podIP],
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec.hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

/** getEndpointPorts: the service ports this pod can serve (named target ports resolved). */
export function endpointPorts(svc: Obj, pod: Obj): Obj[] {
  const out: Obj[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP", ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** The desired slices' contents: endpoints grouped by port set, chunked by 100. Empty → one placeholder. */
export function desiredSlices(svc: Obj, pods: Obj[]): { ports?: Obj[]; endpoints: Obj[] }[] {
  const groups = new Map<string, { ports: Obj[]; endpoints: Obj[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    if (!ports.length && svc.spec?.ports?.length) continue;
    const key = JSON.stringify(ports);
    if (!groups.has(key)) groups.set(key, { ports, endpoints: [] });
    groups.get(key)!.endpoints.push(podToEndpoint(pod, svc));
  }
  const out: { ports?: Obj[]; endpoints: Obj[] }[] = [];
  for (const { ports, endpoints } of groups.values()) {
    endpoints.sort((a, b) => compareIPs(a.addresses[0], b.addresses[0]));
    for (let i = 0; i < endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
      out.push({ ...(ports.length ? { ports } : {}), endpoints: endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  return out.length ? out : [{ endpoints: [] }];
}

/** setEndpointSliceLabels: the Service's labels plus the controller's own. */
function sliceLabels(svc: Obj): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const portsKey = (ports: Obj[] | undefined) => JSON.stringify(ports ?? []);

function reconcileKubernetesSlice(c: ControllerContext): void {
  const want: Obj = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kubernetes", namespace: "default", labels: { [SERVICE_NAME_LABEL]: "kubernetes" } },
    addressType: "IPv4",
    endpoints: apiServerIPs(c).map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: "https", port: 6443, protocol: "TCP" }],
  };
  const current = c.client.get("endpointslices", "default", "kubernetes");
  if (!current) c.client.create("endpointslices", want);
  else if (!same(current.endpoints, want.endpoints) || !same(current.ports, want.ports))
    c.client.update("endpointslices", { ...current, endpoints: want.endpoints, ports: want.ports });
}

export const endpointSliceController: Controller = {
  name: "endpointslice-controller",
  primary: "services",
  watches: [
    { plural: "services" },
    { plural: "pods", map: servicesForPod },
    { plural: "endpointslices", map: recreateDeleted("endpointslices") },
  ],
  reconcile(key, c) {
    const [namespace, name] = key.split("/");
    const svc = c.client.get("services", namespace, name);
    const existing = c.client.list(
      "endpointslices",
      namespace,
      (s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME,
    );
    if (!svc || svc.spec?.type === "ExternalName" || !svc.spec?.selector) {
      // Owned slices of a Service that is gone are the garbage collector's; drop them here too.
      for (const s of existing)
        if (!svc || s.metadata.ownerReferences?.some((r: Obj) => r.uid === svc.metadata.uid))
          c.client.delete("endpointslices", namespace, s.metadata.name);
      if (svc && namespace === "default" && name === "kubernetes" && !namespaceClosed(c, namespace)) reconcileKubernetesSlice(c);
      return;
    }
    if (namespaceClosed(c, namespace)) return;
    const pods = c.client.list("pods", namespace, (p) => selectorMatches(svc.spec.selector, p.metadata?.labels));
    const desired = desiredSlices(svc, pods);
    const labels = sliceLabels(svc);
    const owner = ownerReference(svc);
    const trigger = rfc3339(c.now());
    // Reuse existing slices with the same ports, in name order; create what is missing; delete the rest.
    const pool = [...existing].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const want of desired) {
      const i = pool.findIndex((s) => portsKey(s.ports) === portsKey(want.ports));
      if (i >= 0) {
        const [slice] = pool.splice(i, 1);
        if (same(slice.endpoints ?? [], want.endpoints) && same(slice.metadata.labels, labels)) continue;
        const next: Obj = { ...slice, endpoints: want.endpoints, metadata: { ...slice.metadata, labels } };
        next.metadata.annotations = { ...(slice.metadata.annotations ?? {}), [TRIGGER_TIME_ANNOTATION]: trigger };
        c.client.update("endpointslices", next);
      } else {
        c.client.create("endpointslices", {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: {
            generateName: `${name}-`,
            namespace,
            labels,
            annotations: { [TRIGGER_TIME_ANNOTATION]: trigger },
            ownerReferences: [{ ...owner, apiVersion: "v1", kind: "Service" }],
          },
          addressType: "IPv4",
          endpoints: want.endpoints,
          ...(want.ports ? { ports: want.ports } : {}),
        });
      }
    }
    for (const s of pool) c.client.delete("endpointslices", namespace, s.metadata.name);
  },
};
