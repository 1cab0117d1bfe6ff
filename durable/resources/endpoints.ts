// core/v1 Endpoints (deprecated in v1.33 in favour of EndpointSlice): defaults
// (SetDefaults_Endpoints), validation (ValidateEndpoints) and the printer (printEndpoints).
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, invalid, isDNS1123Subdomain, isValidPortNum, notSupported, required } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { PORT_PROTOCOLS, validateDNS1123Label, validateIP, validateNonSpecialIP, validateQualifiedName } from "./service";

/** formatEndpoints: up to three "ip:port" pairs, then " + N more...". */
export function formatEndpoints(ep: Obj): string {
  const subsets: Obj[] = ep.subsets ?? [];
  if (!subsets.length) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets)
    for (const port of ss.ports ?? [])
      for (const addr of ss.addresses ?? []) {
        if (list.length === max) more = true;
        if (!more) list.push(joinHostPort(addr.ip, port.port));
        count++;
      }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

/** net.JoinHostPort: brackets around IPv6 hosts. */
const joinHostPort = (host: string, port: number) => (String(host).includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

function validateAddress(addr: Obj, f: string): FieldError[] {
  const errs = validateIP(`${f}.ip`, addr.ip ?? "");
  if (addr.hostname) errs.push(...validateDNS1123Label(addr.hostname, `${f}.hostname`));
  if (addr.nodeName != null) errs.push(...each(`${f}.nodeName`, addr.nodeName, isDNS1123Subdomain(addr.nodeName)));
  errs.push(...validateNonSpecialIP(addr.ip ?? "", `${f}.ip`));
  return errs;
}

function validatePort(port: Obj, requireName: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !port.name) errs.push(required(`${f}.name`));
  else if (port.name) errs.push(...validateDNS1123Label(port.name, `${f}.name`));
  errs.push(...each(`${f}.port`, port.port ?? 0, isValidPortNum(port.port ?? 0)));
  if (!port.protocol) errs.push(required(`${f}.protocol`));
  else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${f}.protocol`, port.protocol, PORT_PROTOCOLS));
  if (port.appProtocol != null) errs.push(...validateQualifiedName(port.appProtocol, `${f}.appProtocol`));
  return errs;
}

export function validateEndpoints(ep: Obj): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss: Obj, i: number) => {
    const f = `subsets[${i}]`;
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(f, "must specify `addresses` or `notReadyAddresses`"));
    (ss.addresses ?? []).forEach((a: Obj, j: number) => errs.push(...validateAddress(a, `${f}.addresses[${j}]`)));
    (ss.notReadyAddresses ?? []).forEach((a: Obj, j: number) => errs.push(...validateAddress(a, `${f}.notReadyAddresses[${j}]`)));
    const ports: Obj[] = ss.ports ?? [];
    ports.forEach((p, j) => errs.push(...validatePort(p, ports.length > 1, `${f}.ports[${j}]`)));
  });
  // ValidateEndpointsSpecificAnnotations: the last-change-trigger-time must be RFC3339.
  const trigger = ep.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"];
  if (trigger != null && Number.isNaN(Date.parse(trigger)))
    errs.push(invalid("metadata.annotations[endpoints.kubernetes.io/last-change-trigger-time]", trigger, "must be a valid RFC3339 time"));
  return errs;
}

const endpoints: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  openapi: "io.k8s.api.core.v1.Endpoints",
  allowUpdateCreate: true,
  deprecationWarning: "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
  columns: [
    nameColumn,
    {
      name: "Endpoints",
      type: "string",
      description:
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
      priority: 0,
    },
    ageColumn,
  ],
  row: (ep, ctx) => [ep.metadata?.name, formatEndpoints(ep), age(ep.metadata?.creationTimestamp, ctx.now)],
  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= "TCP";
  },
  validate: (ep) => validateEndpoints(ep),
  validateUpdate: (ep) => validateEndpoints(ep),
};

export default endpoints;
