// core/v1 Service: defaults (pkg/apis/core/v1/defaults.go SetDefaults_Service), strategy
// (pkg/registry/core/service/strategy.go + the storage's patchAllocatedValues/normalizeClusterIPs),
// validation (pkg/apis/core/validation ValidateService) and the printer (printService).
// ClusterIPs and NodePorts are allocated here, synchronously at create/update, like the Service REST
// storage's allocators (pkg/registry/core/service/storage/alloc.go); the allocator state is derived
// from the stored Services, so deleting a Service releases what it held.
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { invalid as invalidError } from "../api/status";
import {
  duplicate,
  forbidden,
  invalid,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  each,
  notSupported,
  required,
  validateLabels,
} from "./validation";
import { age, ageColumn, formatLabels, nameColumn } from "./printers";

// ---- helpers shared with endpoints.ts / endpointslice.ts ----------------------------------

/** supportedPortProtocols, as sets.List prints them (sorted). */
export const PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"];

/** netutils.ParseIPSloppy: 16 bytes (IPv4 as ::ffff:a.b.c.d) or null. Leading zeros allowed in IPv4. */
export function parseIP(s: string): { bytes: number[]; v4: boolean } | null {
  if (typeof s !== "string" || s === "") return null;
  const v4 = parseIPv4(s);
  if (v4) return { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4], v4: true };
  if (!s.includes(":")) return null;
  let tail: number[] = [];
  let str = s;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const t = parseIPv4(s.slice(lastColon + 1));
    if (!t) return null;
    tail = t;
    str = s.slice(0, lastColon + 1) + "0:0"; // placeholder groups, replaced below
  }
  const halves = str.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...head, ...Array(8 - total).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return { bytes, v4: false };
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

export function isIPv6String(s: string): boolean {
  const ip = parseIP(s);
  return !!ip && !ip.v4;
}

/** validation.IsValidIP (the legacy, sloppy form used for Service and Endpoints fields). */
export function validateIP(field: string, value: string): FieldError[] {
  return parseIP(value) ? [] : [invalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")];
}

/** ValidateNonSpecialIP / ValidateEndpointIP: endpoints and external IPs may not be special addresses. */
export function validateNonSpecialIP(value: string, field: string): FieldError[] {
  const ip = parseIP(value);
  if (!ip) return [invalid(field, value, "must be a valid IP address")];
  const b = ip.bytes;
  const errs: FieldError[] = [];
  const v4 = b.slice(12);
  const unspecified = ip.v4 ? v4.every((x) => x === 0) : b.every((x) => x === 0);
  const loopback = ip.v4 ? v4[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocalUnicast = ip.v4 ? v4[0] === 169 && v4[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  const linkLocalMulticast = ip.v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  if (unspecified) errs.push(invalid(field, value, `may not be unspecified (${value})`));
  if (loopback) errs.push(invalid(field, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocalUnicast) errs.push(invalid(field, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) errs.push(invalid(field, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}

/** ValidateDNS1123Label / ValidateQualifiedName as field errors. */
export const validateDNS1123Label = (value: string, field: string) => each(field, value, isDNS1123Label(value));
export const validateQualifiedName = (value: string, field: string) => each(field, value, isQualifiedName(value));

/** Go's %q of a string inside a %#v struct dump. */
const q = (s: unknown) => JSON.stringify(String(s ?? ""));

// ---- Service ---------------------------------------------------------------------------

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const AFFINITY_TYPES = ["ClientIP", "None"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const IP_FAMILIES = ["IPv4", "IPv6"];
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const MAX_AFFINITY_SECONDS = 86400;

const isHeadless = (svc: Obj) => svc.spec?.clusterIP === "None";
/** apiservice.ExternallyAccessible */
const externallyAccessible = (svc: Obj) =>
  svc.spec?.type === "LoadBalancer" ||
  svc.spec?.type === "NodePort" ||
  (svc.spec?.type === "ClusterIP" && (svc.spec?.externalIPs?.length ?? 0) > 0);
const needsClusterIP = (svc: Obj) => svc.spec?.type !== "ExternalName";
const needsNodePort = (svc: Obj) =>
  svc.spec?.type === "NodePort" || (svc.spec?.type === "LoadBalancer" && svc.spec?.allocateLoadBalancerNodePorts !== false);
const needsHealthCheck = (svc: Obj) => svc.spec?.type === "LoadBalancer" && svc.spec?.externalTrafficPolicy === "Local";
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function defaults(svc: Obj): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP" && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null)
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  spec.type ||= "ClusterIP";
  for (const p of spec.ports ?? []) {
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = "Cluster";
  if (spec.internalTrafficPolicy == null && ["NodePort", "LoadBalancer", "ClusterIP"].includes(spec.type))
    spec.internalTrafficPolicy = "Cluster";
  if (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts == null) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === "LoadBalancer")
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = "VIP";
}

/** The allocator's initIPFamilyFields for a single-stack IPv4 cluster. */
function initIPFamilies(svc: Obj): void {
  const spec = svc.spec;
  if (!needsClusterIP(svc)) return;
  if (isHeadless(svc) && Object.keys(spec.selector ?? {}).length === 0) spec.ipFamilyPolicy ??= "PreferDualStack";
  spec.ipFamilyPolicy ??= "SingleStack";
  if (!spec.ipFamilies?.length) {
    const first = spec.clusterIPs?.find((ip: string) => ip !== "None");
    spec.ipFamilies = [first && isIPv6String(first) ? "IPv6" : "IPv4"];
  }
}

/** normalizeClusterIPs: keep clusterIP and clusterIPs in step for clients that set only one. */
function normalizeClusterIPs(svc: Obj, old?: Obj): void {
  const spec = svc.spec;
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const sameIPs = same(old.spec?.clusterIPs, spec.clusterIPs);
  if (old.spec?.clusterIP && !spec.clusterIP && sameIPs) delete spec.clusterIPs;
  if (old.spec?.clusterIP && spec.clusterIP && old.spec.clusterIP !== spec.clusterIP && sameIPs) spec.clusterIPs = [spec.clusterIP];
}

/** patchAllocatedValues: an update that omits allocated values keeps them. */
function patchAllocatedValues(svc: Obj, old: Obj): void {
  const spec = svc.spec;
  const os = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && os.clusterIP) spec.clusterIP = os.clusterIP;
    if (!spec.clusterIPs?.length && os.clusterIPs?.length) spec.clusterIPs = [...os.clusterIPs];
    if (!spec.ipFamilies?.length && os.ipFamilies?.length) spec.ipFamilies = [...os.ipFamilies];
    if (spec.ipFamilyPolicy == null && os.ipFamilyPolicy) spec.ipFamilyPolicy = os.ipFamilyPolicy;
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = (s: Obj) => new Set<number>((s.spec?.ports ?? []).map((p: Obj) => p.nodePort).filter(Boolean));
    const newUsed = used(svc);
    const inBoth = new Set([...used(old)].filter((p) => newUsed.has(p)));
    const byName = new Map<string, number>((os.ports ?? []).map((p: Obj) => [p.name ?? "", p.nodePort]));
    for (const p of spec.ports ?? []) {
      const was = byName.get(p.name ?? "");
      if (!p.nodePort && was && !inBoth.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !spec.healthCheckNodePort && os.healthCheckNodePort)
    spec.healthCheckNodePort = os.healthCheckNodePort;
}

/** dropTypeDependentFields: wipe what the new type no longer uses, unless the user changed it. */
function dropTypeDependentFields(svc: Obj, old: Obj): void {
  const spec = svc.spec;
  const os = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(os.clusterIPs, spec.clusterIPs) && (os.clusterIP ?? "") === (spec.clusterIP ?? "")) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(os.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(os.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const np = (s: Obj) => (s.ports ?? []).map((p: Obj) => p.nodePort ?? 0);
    if (same(np(os), np(spec))) for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && os.healthCheckNodePort === spec.healthCheckNodePort)
    delete spec.healthCheckNodePort;
  if (os.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    if (spec.allocateLoadBalancerNodePorts != null && spec.allocateLoadBalancerNodePorts === os.allocateLoadBalancerNodePorts)
      delete spec.allocateLoadBalancerNodePorts;
    if (same(os.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && os.externalTrafficPolicy === spec.externalTrafficPolicy)
    delete spec.externalTrafficPolicy;
  if (spec.type !== "LoadBalancer") svc.status = { loadBalancer: {} };
}

/** %#v of the (protocol, port) key used by the duplicate-port check. */
const servicePortKey = (p: Obj) =>
  `core.ServicePort{Name:"", Protocol:${q(p.protocol)}, AppProtocol:(*string)(nil), Port:${Number(p.port) || 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

/** validatePortNumOrName for targetPort. */
function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === "number") return each(field, port, isValidPortNum(port));
  if (typeof port === "string") return each(field, port, isValidPortName(port));
  return [];
}

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? "";
  if (requireName && !name) errs.push(required(`${f}.name`));
  else if (name) {
    errs.push(...validateDNS1123Label(name, `${f}.name`));
    if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
    else names.add(name);
  }
  errs.push(...each(`${f}.port`, sp.port ?? 0, isValidPortNum(sp.port ?? 0)));
  if (!sp.protocol) errs.push(required(`${f}.protocol`));
  else if (!PORT_PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(`${f}.protocol`, sp.protocol, PORT_PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${f}.targetPort`));
  if (sp.appProtocol != null) errs.push(...validateQualifiedName(sp.appProtocol, `${f}.appProtocol`));
  return errs;
}

const goStrings = (a: string[] | undefined) => `[]string{${(a ?? []).map(q).join(", ")}}`;

/** ValidateServiceClusterIPsRelatedFields. */
function validateClusterIPs(svc: Obj): FieldError[] {
  const spec = svc.spec;
  if (spec.type === "ExternalName") return [];
  const errs: FieldError[] = [];
  const ips: string[] = spec.clusterIPs ?? [];
  const invalidIPs = (detail: string) => ({
    type: "FieldValueInvalid" as const,
    field: "spec.clusterIPs",
    message: `Invalid value: ${goStrings(ips)}: ${detail}`,
  });
  if (spec.clusterIP) {
    if (!ips.length) errs.push(required("spec.clusterIPs"));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidIPs("first value must match `clusterIP`"));
  } else if (ips.length) errs.push(invalidIPs("must be empty when `clusterIP` is not specified"));
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((fam: string, i: number) => {
    if (!IP_FAMILIES.includes(fam)) errs.push(notSupported(`spec.ipFamilies[${i}]`, fam, IP_FAMILIES));
    if (seen.has(fam)) errs.push(duplicate(`spec.ipFamilies[${i}]`, fam));
    seen.add(fam);
  });
  if (spec.ipFamilyPolicy != null && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy))
    errs.push(notSupported("spec.ipFamilyPolicy", spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        bad = true;
        errs.push(invalidIPs("'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(`spec.clusterIPs[${i}]`, ip);
    if (e.length) bad = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalidIPs("may only hold up to 2 values"));
  if (bad) return errs;
  if (ips.length > 1 && isIPv6String(ips[0]) === isIPv6String(ips[1]))
    errs.push(invalidIPs("may specify no more than one IP for each IP family"));
  if (!isHeadless(svc) && ips.length && spec.ipFamilies?.length) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies[i];
      if (fam === "IPv4" && isIPv6String(ip))
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === "IPv6" && !isIPv6String(ip))
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

export function validateService(svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const ports: Obj[] = spec.ports ?? [];
  if (!ports.length && !isHeadless(svc) && spec.type !== "ExternalName") errs.push(required("spec.ports"));
  switch (spec.type) {
    case "LoadBalancer":
    case "NodePort":
      if (isHeadless(svc))
        errs.push(invalid("spec.clusterIPs[0]", spec.clusterIPs?.[0] ?? "None", `may not be set to 'None' for ${spec.type} services`));
      break;
    case "ExternalName": {
      if (spec.clusterIPs?.length) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
      if (spec.ipFamilies?.length) errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
      if (spec.ipFamilyPolicy != null) errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
      const cname = String(spec.externalName ?? "").replace(/\.$/, "");
      if (cname) errs.push(...each("spec.externalName", cname, isDNS1123Subdomain(cname)));
      else errs.push(required("spec.externalName"));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector) errs.push(...validateLabels(spec.selector, "spec.selector"));
  if (!spec.sessionAffinity) errs.push(required("spec.sessionAffinity"));
  else if (!AFFINITY_TYPES.includes(spec.sessionAffinity))
    errs.push(notSupported("spec.sessionAffinity", spec.sessionAffinity, AFFINITY_TYPES));
  if (spec.sessionAffinity === "ClientIP") {
    const f = "spec.sessionAffinityConfig";
    const detail = "when session affinity type is ClientIP";
    const cfg = spec.sessionAffinityConfig;
    if (!cfg) errs.push(required(f, detail));
    else if (!cfg.clientIP) errs.push(required(`${f}.clientIP`, detail));
    else if (cfg.clientIP.timeoutSeconds == null) errs.push(required(`${f}.clientIP.timeoutSeconds`, detail));
    else if (cfg.clientIP.timeoutSeconds <= 0 || cfg.clientIP.timeoutSeconds > MAX_AFFINITY_SECONDS)
      errs.push(
        invalid(
          `${f}.clientIP.timeoutSeconds`,
          cfg.clientIP.timeoutSeconds,
          `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`,
        ),
      );
  } else if (spec.sessionAffinity === "None" && spec.sessionAffinityConfig != null) {
    errs.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  errs.push(...validateClusterIPs(svc));
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    const e = validateIP(`spec.externalIPs[${i}]`, ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, `spec.externalIPs[${i}]`)));
  });
  if (!spec.type) errs.push(required("spec.type"));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported("spec.type", spec.type, SERVICE_TYPES));
  if (spec.type === "ClusterIP")
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seenPorts.has(key))
      errs.push({ type: "FieldValueDuplicate", field: `spec.ports[${i}]`, message: `Duplicate value: ${servicePortKey(p)}` });
    seenPorts.add(key);
  });
  if (spec.loadBalancerSourceRanges?.length && spec.type !== "LoadBalancer")
    errs.push(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== "LoadBalancer")
    errs.push(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
  if (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts == null) errs.push(required("allocateLoadBalancerNodePorts")); // sic: the real path has no "spec."
  if (!externallyAccessible(svc)) {
    if (spec.externalTrafficPolicy)
      errs.push(invalid("spec.externalTrafficPolicy", spec.externalTrafficPolicy, "may only be set for externally-accessible services"));
  } else if (!spec.externalTrafficPolicy) errs.push(required("spec.externalTrafficPolicy"));
  else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy))
    errs.push(notSupported("spec.externalTrafficPolicy", spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  if (!needsHealthCheck(svc)) {
    if (spec.healthCheckNodePort)
      errs.push(
        invalid(
          "spec.healthCheckNodePort",
          spec.healthCheckNodePort,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  }
  if (spec.internalTrafficPolicy == null) {
    if (["NodePort", "LoadBalancer", "ClusterIP"].includes(spec.type)) errs.push(required("spec.internalTrafficPolicy"));
  } else if (!TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported("spec.internalTrafficPolicy", spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.trafficDistribution != null && spec.trafficDistribution !== "PreferClose")
    errs.push(notSupported("spec.trafficDistribution", spec.trafficDistribution, ["PreferClose"]));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP is immutable. */
function validateClusterIPsUpdate(old: Obj, svc: Obj): FieldError[] {
  if (svc.spec?.type === "ExternalName" || old.spec?.type === "ExternalName") return [];
  if (isHeadless(old) && isHeadless(svc)) return [];
  const before: string[] = old.spec?.clusterIPs ?? [];
  const after: string[] = svc.spec?.clusterIPs ?? [];
  const err = (i: number, detail: string): FieldError => ({
    type: "FieldValueInvalid",
    field: `spec.clusterIPs[${i}]`,
    message: `Invalid value: ${goStrings(after)}: ${detail}`,
  });
  const errs: FieldError[] = [];
  if (before.length === after.length) {
    before.forEach((ip, i) => ip !== after[i] && errs.push(err(i, "may not change once set")));
  } else if (before.length > after.length) {
    if (!after.length) errs.push(err(0, "primary clusterIP can not be unset"));
    if (before.length && after.length && after[0] !== before[0]) errs.push(err(0, "may not change once set"));
    if (after.length === 1 && svc.spec?.ipFamilyPolicy !== "SingleStack")
      errs.push(err(0, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (before.length && after[0] !== before[0]) {
    errs.push(err(0, "may not change once set"));
  }
  return errs;
}

/** validateUpgradeDowngradeIPFamilies: the primary family is immutable (headless may change). */
function validateIPFamiliesUpdate(old: Obj, svc: Obj): FieldError[] {
  if (svc.spec?.type === "ExternalName" || old.spec?.type === "ExternalName") return [];
  if (isHeadless(old) || isHeadless(svc)) return [];
  const before: string[] = old.spec?.ipFamilies ?? [];
  const after: string[] = svc.spec?.ipFamilies ?? [];
  const err = (value: string): FieldError => ({
    type: "FieldValueInvalid",
    field: "spec.ipFamilies[0]",
    message: `Invalid value: ${value}: may not change once set`,
  });
  if (before.length === after.length)
    return before.filter((f, i) => f !== after[i]).map(() => err(`[]core.IPFamily{${after.map(q).join(", ")}}`));
  if (before.length && after.length && before[0] !== after[0]) return [err(goStrings(svc.spec?.clusterIPs))];
  return [];
}

const svcDoc = {
  type: 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  clusterIP:
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  externalIPs:
    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
  ports:
    "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
  selector:
    "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
};

/** getServiceExternalIP (the server prints with Wide=true, so LB addresses are never clipped). */
function externalIP(svc: Obj): string {
  const spec = svc.spec ?? {};
  const extIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return extIPs.length ? extIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = [...new Set<string>((svc.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip || i.hostname).filter(Boolean))].sort();
      if (extIPs.length) return [...lb, ...extIPs].join(",");
      return lb.length ? lb.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
  }
  return "<unknown>";
}

/** makePortString: "80/TCP", "80:30080/TCP". */
export function servicePorts(ports: Obj[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(",");
  return s || "<none>";
}

// ---- allocation ----------------------------------------------------------------------------

/** --service-cluster-ip-range of a kubeadm cluster. 10.96.0.1 is `kubernetes`, 10.96.0.10 kube-dns. */
export const SERVICE_CIDR = "10.96.0.0/12";
const CIDR_BASE = ((10 << 24) | (96 << 16)) >>> 0;
const CIDR_SIZE = 1 << 20;
/** --service-node-port-range. */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

/** calculateRangeOffset: the low block kept for static requests; dynamic allocation prefers the rest. */
function rangeOffset(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}

/** AllocationMapWithOffset.AllocateNext: random in [offset, max), then [0, offset). */
function allocateNext(max: number, offset: number, taken: (i: number) => boolean): number | undefined {
  const rand = (n: number) => crypto.getRandomValues(new Uint32Array(1))[0] % n;
  for (const [lo, hi] of [
    [offset, max],
    [0, offset],
  ]) {
    if (hi <= lo) continue;
    const start = rand(hi - lo);
    for (let k = 0; k < hi - lo; k++) {
      const i = lo + ((start + k) % (hi - lo));
      if (!taken(i)) return i;
    }
  }
  return undefined;
}

const ipToInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const intToIP = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** What the other Services hold: cluster IPs and node ports (incl. health check ports). */
export function allocatedBy(services: Obj[]): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const s of services) {
    for (const ip of s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])) if (ip && ip !== "None") ips.add(ip);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (s.spec?.healthCheckNodePort) ports.add(s.spec.healthCheckNodePort);
  }
  return { ips, ports };
}

/**
 * allocateCreate / allocateUpdate: give `svc` a cluster IP and node ports it needs, validating the
 * ones requested against the range and the other Services. Returns the allocation errors (the real
 * server fails the request with them before validation).
 */
export function allocate(svc: Obj, others: Obj[], old?: Obj): FieldError[] {
  const spec = svc.spec ?? {};
  const used = allocatedBy(others);
  if (needsClusterIP(svc) && !isHeadless(svc)) {
    const requested: string | undefined = spec.clusterIPs?.[0] || spec.clusterIP || undefined;
    const held = old && needsClusterIP(old) ? old.spec?.clusterIPs?.[0] : undefined;
    if (!requested) {
      const max = CIDR_SIZE - 2; // no network or broadcast address
      const i = allocateNext(max, rangeOffset(CIDR_SIZE, 16, 256, 16), (k) => used.ips.has(intToIP(CIDR_BASE + 1 + k)));
      if (i === undefined) throw new Error("failed to allocate a serviceIP: range is full");
      spec.clusterIP = intToIP(CIDR_BASE + 1 + i);
      spec.clusterIPs = [spec.clusterIP];
    } else if (requested !== held && parseIP(requested)) {
      const err = (why: string): FieldError => ({
        type: "FieldValueInvalid",
        field: "spec.clusterIPs",
        message: `Invalid value: ${goStrings(spec.clusterIPs ?? [requested])}: failed to allocate IP ${requested}: ${why}`,
      });
      const ip = parseIP(requested)!;
      const n = ip.v4 ? ipToInt(ip.bytes.slice(12).join(".")) : -1;
      if (n <= CIDR_BASE || n >= CIDR_BASE + CIDR_SIZE - 1)
        return [err(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`)];
      if (used.ips.has(intToIP(n))) return [err("provided IP is already allocated")];
    }
  }
  // initNodePorts: only NodePort and LoadBalancer Services get node ports.
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
    const held = new Set<number>(old ? (old.spec?.ports ?? []).map((p: Obj) => p.nodePort).filter(Boolean) : []);
    if (old?.spec?.healthCheckNodePort) held.add(old.spec.healthCheckNodePort);
    const taken = new Set(used.ports);
    const check = (port: number, field: string): FieldError | undefined => {
      if (held.has(port)) return undefined;
      const err = (why: string): FieldError => ({ type: "FieldValueInvalid", field, message: `Invalid value: ${port}: ${why}` });
      if (port < NODE_PORT_MIN || port > NODE_PORT_MAX)
        return err(`provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
      if (taken.has(port)) return err("provided port is already allocated");
      taken.add(port);
      return undefined;
    };
    const next = (): number => {
      const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
      const i = allocateNext(size, rangeOffset(size, 16, 128, 32), (k) => taken.has(NODE_PORT_MIN + k));
      if (i === undefined) throw new Error("failed to allocate a nodePort: range is full");
      taken.add(NODE_PORT_MIN + i);
      return NODE_PORT_MIN + i;
    };
    const ports: Obj[] = spec.ports ?? [];
    const byServicePort = new Map<number, number>(); // ports sharing a number (TCP+UDP 53) share a node port
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      if (!p.nodePort && !needsNodePort(svc)) continue; // allocateLoadBalancerNodePorts: false
      const field = `spec.ports[${i}].nodePort`;
      const shared = byServicePort.get(p.port);
      if (!shared) {
        const requested = ports.slice(i).find((q) => q.port === p.port && q.nodePort)?.nodePort;
        if (requested) {
          const e = check(requested, field);
          if (e) return [e];
          p.nodePort = requested;
        } else p.nodePort = next();
        byServicePort.set(p.port, p.nodePort);
      } else if (p.nodePort !== shared) {
        if (!p.nodePort) p.nodePort = shared;
        else {
          const e = check(p.nodePort, field);
          if (e) return [e];
        }
      }
    }
    if (needsHealthCheck(svc)) {
      if (!spec.healthCheckNodePort) spec.healthCheckNodePort = next();
      else {
        const e = check(spec.healthCheckNodePort, "spec.healthCheckNodePort");
        if (e) return [e];
      }
    }
  }
  return [];
}

function allocateOrThrow(svc: Obj, ctx: Ctx, old?: Obj): void {
  const { namespace, name } = svc.metadata ?? {};
  const others = ctx.list("services").filter((s) => !(s.metadata.namespace === namespace && s.metadata.name === name));
  const errs = allocate(svc, others, old);
  if (errs.length) throw invalidError("Service", "", name ?? "", errs);
}

const service: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  subresources: { status: true },
  extraSubresources: [{ name: "proxy", kind: "ServiceProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] }],
  openapi: "io.k8s.api.core.v1.Service",
  allowUpdateCreate: true,
  nameValidator: isDNS1035Label,
  columns: [
    nameColumn,
    { name: "Type", type: "string", description: svcDoc.type, priority: 0 },
    { name: "Cluster-IP", type: "string", description: svcDoc.clusterIP, priority: 0 },
    { name: "External-IP", type: "string", description: svcDoc.externalIPs, priority: 0 },
    { name: "Port(s)", type: "string", description: svcDoc.ports, priority: 0 },
    ageColumn,
    { name: "Selector", type: "string", description: svcDoc.selector, priority: 1 },
  ],
  row: (svc, ctx) => [
    svc.metadata?.name,
    svc.spec?.type ?? "",
    svc.spec?.clusterIPs?.[0] ?? "<none>",
    externalIP(svc),
    servicePorts(svc.spec?.ports),
    age(svc.metadata?.creationTimestamp, ctx.now),
    formatLabels(svc.spec?.selector),
  ],
  defaults,
  prepareForCreate(svc, ctx) {
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(svc);
    initIPFamilies(svc);
    allocateOrThrow(svc, ctx);
  },
  prepareForUpdate(svc, old, ctx) {
    svc.status = structuredClone(old.status ?? { loadBalancer: {} });
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    dropTypeDependentFields(svc, old);
    initIPFamilies(svc);
    allocateOrThrow(svc, ctx, old);
  },
  validate: (svc) => validateService(svc),
  validateUpdate(svc, old) {
    const errs = [...validateClusterIPsUpdate(old, svc), ...validateIPFamiliesUpdate(old, svc)];
    if (needsHealthCheck(old) && needsHealthCheck(svc) && svc.spec?.healthCheckNodePort !== old.spec?.healthCheckNodePort)
      errs.push(forbidden("spec.healthCheckNodePort", "field is immutable"));
    return [...errs, ...validateService(svc)];
  },
  validateStatusUpdate(svc) {
    const errs: FieldError[] = [];
    (svc.status?.loadBalancer?.ingress ?? []).forEach((ing: Obj, i: number) => {
      const f = `status.loadBalancer.ingress[${i}]`;
      if (ing.ip) errs.push(...validateIP(`${f}.ip`, ing.ip));
      if (ing.ipMode && !ing.ip) errs.push(forbidden(`${f}.ipMode`, "may not be specified when `ip` is not set"));
      if (ing.ipMode && !["Proxy", "VIP"].includes(ing.ipMode)) errs.push(notSupported(`${f}.ipMode`, ing.ipMode, ["Proxy", "VIP"]));
      if (ing.hostname) {
        errs.push(...each(`${f}.hostname`, ing.hostname, isDNS1123Subdomain(ing.hostname)));
        if (parseIP(ing.hostname)) errs.push(invalid(`${f}.hostname`, ing.hostname, "must be a DNS name, not an IP address"));
      }
    });
    return errs;
  },
  fieldSelectors: {
    "spec.clusterIP": (svc) => svc.spec?.clusterIP ?? "",
    "spec.type": (svc) => svc.spec?.type ?? "",
  },
};

export default service;
