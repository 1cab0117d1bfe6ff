// discovery.k8s.io/v1 EndpointSlice: defaults (pkg/apis/discovery/v1/defaults.go), strategy
// (generation), validation (pkg/apis/discovery/validation) and the printer (printEndpointSlice).
import type { FieldError, Obj, ResourceDef } from "./types";
import { duplicate, each, immutable, isDNS1123Subdomain, notSupported, required, validateLabels } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { PORT_PROTOCOLS, parseIP, validateDNS1123Label, validateNonSpecialIP, validateQualifiedName } from "./service";

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;

const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: "FieldValueTooMany",
  field,
  message: `Too many: ${actual}: must have at most ${max} items`,
});

/** listWithMoreString: up to three items, " + N more...", "<unset>" when empty. */
function listWithMore(items: string[]): string {
  const max = 3;
  const ret = items.slice(0, max).join(",");
  if (items.length > max) return `${ret} + ${items.length - max} more...`;
  return ret || "<unset>";
}

/** formatDiscoveryPorts: the port number, else its name, else "*". */
export const formatPorts = (ports: Obj[] | undefined) =>
  listWithMore((ports ?? []).map((p) => (p.port != null ? String(p.port) : p.name != null ? p.name : "*")));

/** formatDiscoveryEndpoints: every address of every endpoint. */
export const formatEndpointAddresses = (eps: Obj[] | undefined) => listWithMore((eps ?? []).flatMap((e) => e.addresses ?? []));

function validateAddress(type: string, address: string, f: string): FieldError[] {
  switch (type) {
    case "IPv4": {
      const ip = parseIP(address);
      if (!ip || !ip.v4 || address.includes(":")) return each(f, address, ["must be a valid IPv4 address"]);
      return validateNonSpecialIP(address, f);
    }
    case "IPv6": {
      const ip = parseIP(address);
      if (!ip || ip.v4) return each(f, address, ["must be a valid IPv6 address"]);
      return validateNonSpecialIP(address, f);
    }
    case "FQDN": {
      // IsFullyQualifiedDomainName: a DNS subdomain with at least two labels.
      const name = address.replace(/\.$/, "");
      const errs = each(f, address, isDNS1123Subdomain(name));
      if (!errs.length && name.split(".").length < 2)
        errs.push(...each(f, address, ["should be a domain with at least two segments separated by dots"]));
      return errs;
    }
  }
  return [];
}

export function validateEndpointSlice(eps: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!eps.addressType) errs.push(required("addressType"));
  else if (!ADDRESS_TYPES.includes(eps.addressType)) errs.push(notSupported("addressType", eps.addressType, ADDRESS_TYPES));

  const endpoints: Obj[] = eps.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany("endpoints", endpoints.length, MAX_ENDPOINTS));
  else
    endpoints.forEach((ep, i) => {
      const f = `endpoints[${i}]`;
      const addrs: string[] = ep.addresses ?? [];
      if (!addrs.length) errs.push(required(`${f}.addresses`, "must contain at least 1 address"));
      else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(`${f}.addresses`, addrs.length, MAX_ADDRESSES));
      addrs.forEach((a, j) => errs.push(...validateAddress(eps.addressType, a, `${f}.addresses[${j}]`)));
      if (ep.nodeName != null) errs.push(...each(`${f}.nodeName`, ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
      const topo = ep.deprecatedTopology ?? {};
      if (Object.keys(topo).length > MAX_TOPOLOGY_LABELS)
        errs.push(tooMany(`${f}.deprecatedTopology`, Object.keys(topo).length, MAX_TOPOLOGY_LABELS));
      errs.push(...validateLabels(ep.deprecatedTopology, `${f}.deprecatedTopology`));
      if (ep.hostname != null) errs.push(...validateDNS1123Label(ep.hostname, `${f}.hostname`));
    });

  const ports: Obj[] = eps.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(tooMany("ports", ports.length, MAX_PORTS));
  else {
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const f = `ports[${i}]`;
      const name = p.name ?? "";
      if (name) errs.push(...validateDNS1123Label(name, `${f}.name`));
      if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
      else names.add(name);
      if (p.protocol == null) errs.push(required(`${f}.protocol`));
      else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PORT_PROTOCOLS));
      if (p.appProtocol != null) errs.push(...validateQualifiedName(p.appProtocol, `${f}.appProtocol`));
    });
  }
  return errs;
}

const doc = {
  addressType:
    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
  ports:
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
  endpoints: "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
};

/** Everything but metadata: a change bumps metadata.generation. */
const content = (o: Obj) => JSON.stringify([o.addressType, o.endpoints ?? null, o.ports ?? null]);

const endpointslice: ResourceDef = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  openapi: "io.k8s.api.discovery.v1.EndpointSlice",
  allowUpdateCreate: true,
  columns: [
    nameColumn,
    { name: "AddressType", type: "string", description: doc.addressType, priority: 0 },
    { name: "Ports", type: "string", description: doc.ports, priority: 0 },
    { name: "Endpoints", type: "string", description: doc.endpoints, priority: 0 },
    ageColumn,
  ],
  row: (eps, ctx) => [
    eps.metadata?.name,
    eps.addressType ?? "",
    formatPorts(eps.ports),
    formatEndpointAddresses(eps.endpoints),
    age(eps.metadata?.creationTimestamp, ctx.now),
  ],
  defaults(eps) {
    for (const p of eps.ports ?? []) {
      p.name ??= "";
      p.protocol ??= "TCP";
    }
  },
  prepareForCreate(eps) {
    (eps.metadata ??= {}).generation = 1;
  },
  prepareForUpdate(eps, old) {
    const gen = old.metadata?.generation ?? 1;
    (eps.metadata ??= {}).generation = content(eps) === content(old) ? gen : gen + 1;
  },
  validate: (eps) => validateEndpointSlice(eps),
  validateUpdate(eps, old) {
    const errs = validateEndpointSlice(eps);
    if (eps.addressType !== old.addressType) errs.push(immutable("addressType", eps.addressType));
    return errs;
  },
};

export default endpointslice;
