// networking.k8s.io/v1 NetworkPolicy: SetDefaults_NetworkPolicy(Port), ValidateNetworkPolicy /
// ValidateNetworkPolicyUpdate (pkg/apis/networking/validation) and printNetworkPolicy.
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from "kubernetes-types/networking/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { each, invalid, isValidPortName, isValidPortNum, notSupported, required, forbidden, validateLabelSelector } from "./validation";
import { deepEqual, formatLabelSelector } from "./podtemplate";
import { parseIP } from "./service";

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];
const CIDR_MESSAGE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/** A CIDR as netutils.ParseCIDRSloppy reads it: the network's bytes and its prefix length. */
export function parseCIDR(cidr: string): { bytes: number[]; bits: number; v4: boolean } | null {
  const slash = cidr.indexOf("/");
  if (slash < 0) return null;
  const ip = parseIP(cidr.slice(0, slash));
  const len = cidr.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(len)) return null;
  const bits = Number(len) + (ip.v4 ? 96 : 0);
  if (bits > 128) return null;
  const bytes = ip.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  return { bytes, bits, v4: ip.v4 };
}

/** Does `ip` fall inside `cidr`? */
export function cidrContains(cidr: string, ip: string): boolean {
  const net = parseCIDR(cidr);
  const addr = parseIP(ip);
  if (!net || !addr || net.v4 !== addr.v4) return false;
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, net.bits - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((addr.bytes[i] & mask) !== net.bytes[i]) return false;
  }
  return true;
}

function validatePort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol != null && !PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  if (port.port != null) {
    if (typeof port.port === "number") {
      errs.push(...each(`${path}.port`, port.port, isValidPortNum(port.port)));
      if (port.endPort != null) {
        if (port.endPort < port.port) errs.push(invalid(`${path}.endPort`, port.endPort, "must be greater than or equal to `port`"));
        errs.push(...each(`${path}.endPort`, port.endPort, isValidPortNum(port.endPort)));
      }
    } else {
      if (port.endPort != null) errs.push(invalid(`${path}.endPort`, port.endPort, "may not be specified when `port` is non-numeric"));
      errs.push(...each(`${path}.port`, port.port, isValidPortName(port.port)));
    }
  } else if (port.endPort != null) errs.push(invalid(`${path}.endPort`, port.endPort, "may not be specified when `port` is not specified"));
  return errs;
}

function validateIPBlock(block: IPBlock, path: string, existing: string[]): FieldError[] {
  if (!block.cidr) return [required(`${path}.cidr`, "")];
  const errs: FieldError[] = [];
  const net = parseCIDR(block.cidr);
  if (!net && !existing.includes(block.cidr)) errs.push(invalid(`${path}.cidr`, block.cidr, CIDR_MESSAGE));
  if (!net) return errs;
  (block.except ?? []).forEach((except, i) => {
    const p = `${path}.except[${i}]`;
    const ex = parseCIDR(except);
    if (!ex) {
      if (!existing.includes(except)) errs.push(invalid(p, except, CIDR_MESSAGE));
      return;
    }
    const exIP = except.slice(0, except.indexOf("/"));
    if (!cidrContains(block.cidr, exIP) || net.bits >= ex.bits) errs.push(invalid(p, except, "must be a strict subset of `cidr`"));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: string, existing: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  if (peer.podSelector != null) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector as Obj, `${path}.podSelector`));
  }
  if (peer.namespaceSelector != null) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector as Obj, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock != null) {
    peers++;
    errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`, existing));
  }
  if (peers === 0) errs.push(required(path, "must specify a peer"));
  else if (peers > 1 && peer.ipBlock != null) errs.push(forbidden(path, "may not specify both ipBlock and another peer"));
  return errs;
}

/** ValidateNetworkPolicySpec; `existing` are the CIDRs of the stored object, allowed as they were. */
export function validateNetworkPolicySpec(np: NetworkPolicy, existing: string[] = []): FieldError[] {
  const spec: Partial<NetworkPolicySpec> = np.spec ?? {};
  const errs = validateLabelSelector((spec.podSelector ?? {}) as Obj, "spec.podSelector");
  (spec.ingress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`)));
    (rule.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`, existing)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`)));
    (rule.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`, existing)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, invalid("spec.policyTypes", types, "may not specify more than two policyTypes")];
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) errs.push(notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return errs;
}

const cidrsOf = (np: NetworkPolicy): string[] =>
  [...(np.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec?.egress ?? []).flatMap((r) => r.to ?? [])].flatMap((p) =>
    p.ipBlock ? [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])] : [],
  );

const networkpolicies: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
  singular: "networkpolicy",
  namespaced: true,
  shortNames: ["netpol"],
  openapi: "io.k8s.api.networking.v1.NetworkPolicy",

  columns: [
    nameColumn,
    {
      name: "Pod-Selector",
      type: "string",
      description:
        "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.",
      priority: 0,
    },
    ageColumn,
  ],
  row: (obj, ctx) => [obj.metadata?.name, formatLabelSelector(obj.spec?.podSelector ?? {}), age(obj.metadata?.creationTimestamp, ctx.now)],

  // SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort.
  defaults(np) {
    np.spec ??= {};
    np.spec.podSelector ??= {};
    for (const rule of [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])] as Obj[])
      for (const port of (rule.ports ?? []) as Obj[]) port.protocol ??= "TCP";
    if (!np.spec.policyTypes?.length) np.spec.policyTypes = np.spec.egress?.length ? ["Ingress", "Egress"] : ["Ingress"];
  },
  prepareForCreate(np) {
    np.metadata.generation = 1;
  },
  prepareForUpdate(np, old) {
    if (!deepEqual(np.spec, old.spec)) np.metadata.generation = (old.metadata?.generation ?? 1) + 1;
  },
  validate: (obj) => validateNetworkPolicySpec(obj as NetworkPolicy),
  validateUpdate: (obj, old) => validateNetworkPolicySpec(obj as NetworkPolicy, cidrsOf(old as NetworkPolicy)),
};

export default networkpolicies;
