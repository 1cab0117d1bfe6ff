// IngressDescriber (describeIngressV1), IngressClassDescriber and NetworkPolicyDescriber of
// k8s.io/kubectl/pkg/describe v0.33.1.
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type {
  Ingress,
  IngressBackend,
  IngressClass,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from "kubernetes-types/networking/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import { ingressAddresses } from "../../../resources/ingress";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  errorText,
  eventsFor,
  formatLabelSelector,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  type PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  stringOrNone,
  tabbedString,
} from "./format";
import { formatEndpointSlices } from "./service";

/** serviceBackendStringer: name:port (number, else name). */
const serviceBackend = (b: NonNullable<IngressBackend["service"]>) => `${b.name}:${b.port?.number ? b.port.number : (b.port?.name ?? "")}`;

/** describeBackendV1: the Service with the endpoints of its port, or the resource reference. */
async function describeBackend(reader: DescribeReader, ns: string, backend: IngressBackend): Promise<string> {
  if (backend.service) {
    const sb = serviceBackend(backend.service);
    let slices: EndpointSlice[];
    let svc: Service | undefined;
    try {
      slices = await reader.list("endpointslices.discovery.k8s.io", ns, {
        labelSelector: `kubernetes.io/service-name=${backend.service.name}`,
      });
      svc = await reader.get("services", ns, backend.service.name);
    } catch (e) {
      return `${sb} (<error: ${errorText(e)}>)`;
    }
    if (!svc) return `${sb} (<error: services "${backend.service.name}" not found>)`;
    let name = "";
    for (const sp of svc.spec?.ports ?? []) {
      if (backend.service.port?.number && backend.service.port.number === sp.port) name = sp.name ?? "";
      else if (backend.service.port?.name && backend.service.port.name === sp.name) name = sp.name ?? "";
    }
    return `${sb} (${formatEndpointSlices(slices, new Set([name]))})`;
  }
  if (backend.resource) {
    const r = backend.resource;
    return `APIGroup: ${r.apiGroup ?? "<none>"}, Kind: ${r.kind}, Name: ${r.name}`;
  }
  return "";
}

export async function describeIngress(ing: Ingress, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...ing, kind: "Ingress" }), opts);
  const ns = ing.metadata?.namespace ?? "";
  const def = ing.spec?.defaultBackend ? await describeBackend(reader, ns, ing.spec.defaultBackend) : "<default>";
  const rules: { host: string; paths: [string, string][] }[] = [];
  for (const rule of ing.spec?.rules ?? []) {
    if (!rule.http) continue;
    const paths: [string, string][] = [];
    for (const p of rule.http.paths ?? []) paths.push([p.path ?? "", await describeBackend(reader, ns, p.backend)]);
    rules.push({ host: rule.host || "*", paths });
  }
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${ing.metadata?.name ?? ""}\n`);
    printLabelsMultiline(w, "Labels", ing.metadata?.labels);
    w.write(LEVEL_0, `Namespace:\t${ns}\n`);
    w.write(LEVEL_0, `Address:\t${ingressAddresses(ing)}\n`);
    w.write(LEVEL_0, `Ingress Class:\t${ing.spec?.ingressClassName ?? "<none>"}\n`);
    w.write(LEVEL_0, `Default backend:\t${def}\n`);
    if (ing.spec?.tls?.length) {
      w.write(LEVEL_0, "TLS:\n");
      for (const t of ing.spec.tls) {
        if (!t.secretName) w.write(LEVEL_1, `SNI routes ${(t.hosts ?? []).join(",")}\n`);
        else w.write(LEVEL_1, `${t.secretName} terminates ${(t.hosts ?? []).join(",")}\n`);
      }
    }
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    for (const rule of rules) {
      w.write(LEVEL_1, `${rule.host}\t\n`);
      for (const [path, backend] of rule.paths) w.write(LEVEL_2, `\t${path} \t${backend}\n`);
    }
    if (!rules.length) w.write(LEVEL_1, `*\t*\t${def}\n`);
    printAnnotationsMultiline(w, "Annotations", ing.metadata?.annotations);
    if (events) describeEvents(events, w, opts.now);
  });
}

export async function describeIngressClass(ic: IngressClass, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...ic, kind: "IngressClass" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${ic.metadata?.name ?? ""}\n`);
    printLabelsMultiline(w, "Labels", ic.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", ic.metadata?.annotations);
    w.write(LEVEL_0, `Controller:\t${ic.spec?.controller ?? ""}\n`);
    const p = ic.spec?.parameters;
    if (p) {
      w.write(LEVEL_0, "Parameters:\n");
      if (p.apiGroup != null) w.write(LEVEL_1, `APIGroup:\t${p.apiGroup}\n`);
      w.write(LEVEL_1, `Kind:\t${p.kind}\n`);
      w.write(LEVEL_1, `Name:\t${p.name}\n`);
    }
    if (events) describeEvents(events, w, opts.now);
  });
}

/** metav1.Time's String(): Go's time.Time.String() in UTC, "2026-12-05 01:01:30 +0000 UTC". */
function goTimeString(ts: string | undefined): string {
  if (!ts) return "0001-01-01 00:00:00 +0000 UTC";
  return `${new Date(ts).toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

const selector = (s: LabelSelector | undefined) => formatLabelSelector(s);

function printPorts(w: PrefixWriter, indent: string, ports: NetworkPolicyPort[] | undefined) {
  if (!ports?.length) {
    w.write(LEVEL_0, `${indent}To Port: <any> (traffic allowed to all ports)\n`);
    return;
  }
  for (const port of ports) {
    const proto = port.protocol ?? "TCP";
    // %s of an *intstr.IntOrString: its String(), "<nil>" when absent.
    const p = port.port === undefined ? "<nil>" : String(port.port);
    if (port.endPort == null) w.write(LEVEL_0, `${indent}To Port: ${p}/${proto}\n`);
    else w.write(LEVEL_0, `${indent}To Port Range: ${p}-${port.endPort}/${proto}\n`);
  }
}

function printPeers(w: PrefixWriter, indent: string, title: "From" | "To", peers: NetworkPolicyPeer[]) {
  for (const peer of peers) {
    w.write(LEVEL_0, `${indent}${title}:\n`);
    if (peer.podSelector && peer.namespaceSelector) {
      w.write(LEVEL_1, `${indent}NamespaceSelector: ${selector(peer.namespaceSelector)}\n`);
      w.write(LEVEL_1, `${indent}PodSelector: ${selector(peer.podSelector)}\n`);
    } else if (peer.podSelector) w.write(LEVEL_1, `${indent}PodSelector: ${selector(peer.podSelector)}\n`);
    else if (peer.namespaceSelector) w.write(LEVEL_1, `${indent}NamespaceSelector: ${selector(peer.namespaceSelector)}\n`);
    else if (peer.ipBlock) {
      w.write(LEVEL_1, `${indent}IPBlock:\n`);
      w.write(LEVEL_2, `${indent}CIDR: ${peer.ipBlock.cidr}\n`);
      w.write(LEVEL_2, `${indent}Except: ${(peer.ipBlock.except ?? []).join(", ")}\n`);
    }
  }
}

export async function describeNetworkPolicy(np: NetworkPolicy): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${np.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${np.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `Created on:\t${goTimeString(np.metadata?.creationTimestamp)}\n`);
    printLabelsMultiline(w, "Labels", np.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", np.metadata?.annotations);
    const spec = np.spec;
    w.write(LEVEL_0, "Spec:\n");
    w.write(LEVEL_1, "PodSelector: ");
    const ps = spec?.podSelector;
    if (!Object.keys(ps?.matchLabels ?? {}).length && !ps?.matchExpressions?.length)
      w.write(LEVEL_2, "<none> (Allowing the specific traffic to all pods in this namespace)\n");
    else w.write(LEVEL_2, `${selector(ps)}\n`);
    const types = spec?.policyTypes ?? [];
    const indent = "    ";
    if (types.includes("Ingress")) {
      w.write(LEVEL_1, "Allowing ingress traffic:\n");
      const rules = spec?.ingress ?? [];
      if (!rules.length) w.write(LEVEL_0, `${indent}<none> (Selected pods are isolated for ingress connectivity)\n`);
      rules.forEach((rule, i) => {
        printPorts(w, indent, rule.ports);
        if (!rule.from?.length) w.write(LEVEL_0, `${indent}From: <any> (traffic not restricted by source)\n`);
        else printPeers(w, indent, "From", rule.from);
        if (i !== rules.length - 1) w.write(LEVEL_0, `${indent}----------\n`);
      });
    } else w.write(LEVEL_1, "Not affecting ingress traffic\n");
    if (types.includes("Egress")) {
      w.write(LEVEL_1, "Allowing egress traffic:\n");
      const rules = spec?.egress ?? [];
      if (!rules.length) w.write(LEVEL_0, `${indent}<none> (Selected pods are isolated for egress connectivity)\n`);
      rules.forEach((rule, i) => {
        printPorts(w, indent, rule.ports);
        if (!rule.to?.length) w.write(LEVEL_0, `${indent}To: <any> (traffic not restricted by destination)\n`);
        else printPeers(w, indent, "To", rule.to);
        if (i !== rules.length - 1) w.write(LEVEL_0, `${indent}----------\n`);
      });
    } else w.write(LEVEL_1, "Not affecting egress traffic\n");
    w.write(LEVEL_1, `Policy Types: ${stringOrNone(types.join(", "))}\n`);
  });
}
