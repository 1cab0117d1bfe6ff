// ServiceDescriber (describeService, formatEndpointSlices).
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabels,
  LEVEL_0,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  tabbedString,
} from "./format";

const joinHostPort = (host: string, port: string) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/** formatEndpointSlices (ports: the names of the ports to show, undefined for all). */
export function formatEndpointSlices(slices: EndpointSlice[], ports: Set<string> | undefined): string {
  if (slices.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const slice of slices) {
    const endpoints = slice.endpoints ?? [];
    if (!slice.ports || slice.ports.length === 0) {
      for (const ep of endpoints) {
        if (list.length === max) more = true;
        const ready = ep.conditions?.ready === undefined || ep.conditions?.ready === null || ep.conditions.ready;
        if (!ready) continue;
        if (!more) list.push(ep.addresses[0]);
        count++;
      }
    } else {
      for (const port of slice.ports) {
        if (ports === undefined || ports.has(port.name ?? "")) {
          for (const ep of endpoints) {
            if (list.length === max) more = true;
            const addr = ep.addresses[0];
            const ready = ep.conditions?.ready === undefined || ep.conditions?.ready === null || ep.conditions.ready;
            if (!ready) continue;
            if (!more) list.push(joinHostPort(addr, String(port.port ?? 0)));
            count++;
          }
        }
      }
    }
  }
  const ret = list.join(",");
  if (more) return `${ret} + ${count - max} more...`;
  return ret;
}

function buildIngressString(ingress: { ip?: string; hostname?: string; ipMode?: string }[]): string {
  return ingress.map((i) => (i.ip ? (i.ipMode ? `${i.ip} (${i.ipMode})` : i.ip) : (i.hostname ?? ""))).join(", ");
}

/** ServiceDescriber.Describe for a service already fetched: its EndpointSlices by the
 *  kubernetes.io/service-name label. */
export async function describeService(svc: Service, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  let slices: EndpointSlice[] = [];
  try {
    slices = (await reader.list("endpointslices.discovery.k8s.io", svc.metadata?.namespace, {
      labelSelector: `kubernetes.io/service-name=${svc.metadata?.name ?? ""}`,
    })) as EndpointSlice[];
  } catch {
    slices = [];
  }
  const events = await eventsFor(reader, refOf({ ...svc, kind: "Service" }), opts);
  const spec = svc.spec ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${svc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${svc.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", svc.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", svc.metadata?.annotations);
    w.write(LEVEL_0, `Selector:\t${formatLabels(spec.selector)}\n`);
    w.write(LEVEL_0, `Type:\t${spec.type ?? ""}\n`);
    if (spec.ipFamilyPolicy) w.write(LEVEL_0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
    if (spec.ipFamilies?.length) w.write(LEVEL_0, `IP Families:\t${spec.ipFamilies.join(",")}\n`);
    else w.write(LEVEL_0, "IP Families:\t<none>\n");
    w.write(LEVEL_0, `IP:\t${spec.clusterIP ?? ""}\n`);
    if (spec.clusterIPs?.length) w.write(LEVEL_0, `IPs:\t${spec.clusterIPs.join(",")}\n`);
    else w.write(LEVEL_0, "IPs:\t<none>\n");
    if (spec.externalIPs?.length) w.write(LEVEL_0, `External IPs:\t${spec.externalIPs.join(",")}\n`);
    if (spec.loadBalancerIP) w.write(LEVEL_0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
    if (spec.externalName) w.write(LEVEL_0, `External Name:\t${spec.externalName}\n`);
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    if (ingress.length > 0) w.write(LEVEL_0, `LoadBalancer Ingress:\t${buildIngressString(ingress)}\n`);
    for (const sp of spec.ports ?? []) {
      const name = sp.name || "<unset>";
      const protocol = sp.protocol ?? "";
      w.write(LEVEL_0, `Port:\t${name}\t${sp.port}/${protocol}\n`);
      w.write(LEVEL_0, `TargetPort:\t${sp.targetPort ?? 0}/${protocol}\n`);
      if (sp.nodePort) w.write(LEVEL_0, `NodePort:\t${name}\t${sp.nodePort}/${protocol}\n`);
      w.write(LEVEL_0, `Endpoints:\t${formatEndpointSlices(slices, new Set([sp.name ?? ""]))}\n`);
    }
    w.write(LEVEL_0, `Session Affinity:\t${spec.sessionAffinity ?? ""}\n`);
    if (spec.externalTrafficPolicy) w.write(LEVEL_0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
    if (spec.internalTrafficPolicy) w.write(LEVEL_0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
    if (spec.healthCheckNodePort) w.write(LEVEL_0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
    if (spec.loadBalancerSourceRanges?.length)
      w.write(LEVEL_0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(",")}\n`);
    if (events) describeEvents(events, w, opts.now);
  });
}
