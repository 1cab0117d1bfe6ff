// EndpointsDescriber and EndpointSliceDescriber (discovery.k8s.io/v1).
import type { Endpoints } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  goBool,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  LEVEL_3,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  tabbedString,
} from "./format";

export async function describeEndpoints(ep: Endpoints, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...ep, kind: "Endpoints" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${ep.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${ep.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", ep.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", ep.metadata?.annotations);
    w.write(LEVEL_0, "Subsets:\n");
    for (const subset of ep.subsets ?? []) {
      const addresses = (subset.addresses ?? []).map((a) => a.ip).join(",");
      w.write(LEVEL_1, `Addresses:\t${addresses || "<none>"}\n`);
      const notReady = (subset.notReadyAddresses ?? []).map((a) => a.ip).join(",");
      w.write(LEVEL_1, `NotReadyAddresses:\t${notReady || "<none>"}\n`);
      if (subset.ports?.length) {
        w.write(LEVEL_1, "Ports:\n");
        w.write(LEVEL_2, "Name\tPort\tProtocol\n");
        w.write(LEVEL_2, "----\t----\t--------\n");
        for (const p of subset.ports) w.write(LEVEL_2, `${p.name || "<unset>"}\t${p.port}\t${p.protocol ?? ""}\n`);
      }
      w.write(LEVEL_0, "\n");
    }
    if (events) describeEvents(events, w, opts.now);
  });
}

export async function describeEndpointSlice(eps: EndpointSlice, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...eps, kind: "EndpointSlice" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${eps.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${eps.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", eps.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", eps.metadata?.annotations);
    w.write(LEVEL_0, `AddressType:\t${eps.addressType}\n`);
    if (!eps.ports || eps.ports.length === 0) {
      w.write(LEVEL_0, "Ports: <unset>\n");
    } else {
      w.write(LEVEL_0, "Ports:\n");
      w.write(LEVEL_1, "Name\tPort\tProtocol\n");
      w.write(LEVEL_1, "----\t----\t--------\n");
      for (const p of eps.ports) {
        const portNum = p.port === undefined || p.port === null ? "<unset>" : String(p.port);
        w.write(LEVEL_1, `${p.name || "<unset>"}\t${portNum}\t${p.protocol ?? ""}\n`);
      }
    }
    if (!eps.endpoints || eps.endpoints.length === 0) {
      w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
      w.write(LEVEL_0, "Endpoints:\n");
      for (const e of eps.endpoints) {
        w.write(LEVEL_1, `- Addresses:\t${e.addresses.join(", ") || "<none>"}\n`);
        w.write(LEVEL_2, "Conditions:\n");
        const ready = e.conditions?.ready;
        w.write(LEVEL_3, `Ready:\t${ready === undefined || ready === null ? "<unset>" : goBool(ready)}\n`);
        w.write(LEVEL_2, `Hostname:\t${e.hostname ?? "<unset>"}\n`);
        if (e.targetRef) w.write(LEVEL_2, `TargetRef:\t${e.targetRef.kind ?? ""}/${e.targetRef.name ?? ""}\n`);
        w.write(LEVEL_2, `NodeName:\t${e.nodeName ?? "<unset>"}\n`);
        w.write(LEVEL_2, `Zone:\t${e.zone ?? "<unset>"}\n`);
      }
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
