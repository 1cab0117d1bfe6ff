// networking.k8s.io/v1 Ingress: the strategy (pkg/registry/networking/ingress/strategy.go), the
// DefaultIngressClass admission plugin, ValidateIngressCreate / ValidateIngressUpdate /
// ValidateIngressStatusUpdate (pkg/apis/networking/validation) and printIngress.
import type { HTTPIngressPath, Ingress, IngressBackend, IngressRule, IngressTLS } from "kubernetes-types/networking/v1";
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { each, invalid, isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, notSupported, required } from "./validation";
import { deepEqual } from "./podtemplate";
import { parseIP } from "./service";
import { validateTypedReference } from "./ingressclass";
import { badRequest } from "../api/status";

/** The annotation Ingresses named their class by before spec.ingressClassName. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** The annotation that makes an IngressClass the default one. */
export const DEFAULT_INGRESS_CLASS = "ingressclass.kubernetes.io/is-default-class";

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];

const wildcardFmt = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

/** IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push("must be no more than 253 characters");
  if (!new RegExp(`^${wildcardFmt}$`).test(value))
    errs.push(
      `a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${wildcardFmt}')`,
    );
  return errs;
}

/** validateIngressBackend. */
function validateBackend(backend: IngressBackend, path: string): FieldError[] {
  if (backend.resource && backend.service) return [invalid(path, "", "cannot set both resource and service backends")];
  if (backend.resource) return validateTypedReference(backend.resource as Obj, `${path}.resource`);
  if (!backend.service) return [invalid(path, "", "resource or service backend is required")];
  const errs: FieldError[] = [];
  const svc = backend.service;
  if (!svc.name) errs.push(required(`${path}.service.name`, ""));
  else errs.push(...each(`${path}.service.name`, svc.name, isDNS1035Label(svc.name)));
  const name = svc.port?.name ?? "";
  const number = svc.port?.number ?? 0;
  if (name && number) errs.push(invalid(path, "", "cannot set both port name & port number"));
  else if (name) errs.push(...each(`${path}.service.port.name`, name, isValidPortName(name)));
  else if (number) errs.push(...each(`${path}.service.port.number`, number, isValidPortNum(number)));
  else errs.push(required(path, "port name or number is required"));
  return errs;
}

/** validateHTTPIngressPath. */
function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType == null) return [required(`${path}.pathType`, "pathType must be specified")];
  const errs: FieldError[] = [];
  const value = p.path ?? "";
  if (p.pathType === "Exact" || p.pathType === "Prefix") {
    if (!value.startsWith("/")) errs.push(invalid(`${path}.path`, value, "must be an absolute path"));
    if (value)
      for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
    if (value)
      for (const suffix of INVALID_SUFFIXES)
        if (value.endsWith(suffix)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === "ImplementationSpecific") {
    if (value && !value.startsWith("/")) errs.push(invalid(`${path}.path`, value, "must be an absolute path"));
  } else errs.push(notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  errs.push(...validateBackend(p.backend ?? {}, `${path}.backend`));
  return errs;
}

function validateRules(rules: IngressRule[]): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const path = `spec.rules[${i}]`;
    const host = rule.host ?? "";
    if (host) {
      if (parseIP(host)) errs.push(invalid(`${path}.host`, host, "must be a DNS name, not an IP address"));
      const problems = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...each(`${path}.host`, host, problems));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (!paths.length) errs.push(required(`${path}.http.paths`, ""));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${path}.http.paths[${j}]`)));
    }
  });
  return errs;
}

function validateTLS(tls: IngressTLS[]): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((t, i) => {
    (t.hosts ?? []).forEach((host, j) => {
      const problems = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...each(`spec.tls[${i}].hosts[${j}]`, host, problems));
    });
    if (t.secretName) errs.push(...each(`spec.tls[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)));
  });
  return errs;
}

/** ValidateIngressSpec. */
export function validateIngressSpec(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  // Go prints the rules slice with %#v: nil or empty.
  if (!spec.rules?.length && spec.defaultBackend == null)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec",
      message: `Invalid value: []networking.IngressRule${spec.rules ? "{}" : "(nil)"}: either \`defaultBackend\` or \`rules\` must be specified`,
    });
  if (spec.defaultBackend != null) errs.push(...validateBackend(spec.defaultBackend, "spec.defaultBackend"));
  if (spec.rules?.length) errs.push(...validateRules(spec.rules));
  if (spec.tls?.length) errs.push(...validateTLS(spec.tls));
  if (spec.ingressClassName != null)
    errs.push(...each("spec.ingressClassName", spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  return errs;
}

/** ValidateIngressCreate: the spec, and the deprecated class annotation agreeing with the field. */
export function validateIngressCreate(ing: Ingress): FieldError[] {
  const errs = validateIngressSpec(ing);
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotation !== undefined && ing.spec?.ingressClassName != null && annotation !== ing.spec.ingressClassName)
    errs.push(invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, "must match `ingressClassName` when both are specified"));
  return errs;
}

/** ValidateIngressLoadBalancerStatus. */
function validateStatus(ing: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  (ing.status?.loadBalancer?.ingress ?? []).forEach((i, n) => {
    const path = `status.loadBalancer.ingress[${n}]`;
    if (i.ip && !parseIP(i.ip)) errs.push(invalid(`${path}.ip`, i.ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    if (i.hostname) {
      errs.push(...each(`${path}.hostname`, i.hostname, isDNS1123Subdomain(i.hostname)));
      if (parseIP(i.hostname)) errs.push(invalid(`${path}.hostname`, i.hostname, "must be a DNS name, not an IP address"));
    }
  });
  return errs;
}

/** ingress-nginx's controller name (IngressClass spec.controller). */
export const INGRESS_NGINX = "k8s.io/ingress-nginx";

/** Is this Ingress a controller's: its class (or the deprecated annotation) names an IngressClass of that controller. */
export function classServedBy(ing: Ingress, classes: Obj[], controller: string): boolean {
  const name = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  return name !== undefined && classes.some((ic) => ic.spec?.controller === controller && ic.metadata?.name === name);
}

/** The live Ingresses a controller serves (what ingress-nginx renders nginx.conf from). */
export function ingressesOf(list: (plural: string) => Obj[], controller: string): Ingress[] {
  const classes = list("ingressclasses");
  return (list("ingresses") as Ingress[]).filter((ing) => !ing.metadata?.deletionTimestamp && classServedBy(ing, classes, controller));
}

const isDefault = (ic: Obj) => ic.metadata?.annotations?.[DEFAULT_INGRESS_CLASS] === "true";

/** DefaultIngressClass admission: the default class, the newest when several are marked. */
export function defaultIngressClass(classes: Obj[]): Obj | undefined {
  return classes
    .filter(isDefault)
    .sort(
      (a, b) =>
        Date.parse(b.metadata?.creationTimestamp ?? "") - Date.parse(a.metadata?.creationTimestamp ?? "") ||
        String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
    )[0];
}

/** formatHosts: the first three hosts, "*" when no rule names one. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === 3) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (!list.length) return "*";
  return more ? `${list.join(",")} + ${(rules ?? []).length - 3} more...` : list.join(",");
}

/** ingressLoadBalancerStatusStringer (the server prints wide: never clipped). */
export function ingressAddresses(ing: Ingress): string {
  const set = new Set<string>();
  for (const i of ing.status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(",");
}

/**
 * ingress-nginx's validating webhook (validate.nginx.ingress.kubernetes.io, installed with the
 * add-on; it answers while its Service has ready endpoints): an Ingress of its class may not take a
 * host and path another Ingress already has, unless exactly one of the two is a canary (checkOverlap).
 */
function nginxWebhook(ing: Ingress, ctx: Ctx): void {
  const eps = ctx.get("endpoints", "ingress-nginx", "ingress-nginx-controller-admission");
  if (!((eps?.subsets ?? []) as Obj[]).some((ss) => ss.addresses?.length)) return;
  const classes = ctx.list("ingressclasses");
  if (!classServedBy(ing, classes, INGRESS_NGINX) || validateIngressSpec(ing).length) return;
  const canary = (i: Ingress) => i.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary"] === "true";
  const others = (ctx.list("ingresses") as Ingress[]).filter(
    (o) =>
      !(o.metadata?.namespace === ing.metadata?.namespace && o.metadata?.name === ing.metadata?.name) &&
      !o.metadata?.deletionTimestamp &&
      classServedBy(o, classes, INGRESS_NGINX),
  );
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host || "_";
    for (const path of rule.http?.paths ?? []) {
      if (!path.backend?.service) continue;
      const p = path.path || "/";
      const existing = others.find((o) =>
        (o.spec?.rules ?? []).some((r) => (r.host || "_") === host && (r.http?.paths ?? []).some((q) => (q.path || "/") === p)),
      );
      if (existing && canary(existing) === canary(ing))
        throw badRequest(
          `admission webhook "validate.nginx.ingress.kubernetes.io" denied the request: host "${host}" and path "${p}" is already defined in ingress ${existing.metadata?.namespace}/${existing.metadata?.name}`,
        );
    }
  }
}

const ingresses: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  namespaced: true,
  shortNames: ["ing"],
  subresources: { status: true },
  openapi: "io.k8s.api.networking.v1.Ingress",

  columns: [
    nameColumn,
    {
      name: "Class",
      type: "string",
      description: "The name of the IngressClass resource that should be used for additional configuration",
      priority: 0,
    },
    { name: "Hosts", type: "string", description: "Hosts that incoming requests are matched against before the ingress rule", priority: 0 },
    { name: "Address", type: "string", description: "Address is a list containing ingress points for the load-balancer", priority: 0 },
    { name: "Ports", type: "string", description: "Ports of TLS configurations that open", priority: 0 },
    ageColumn,
  ],
  row: (obj, ctx) => {
    const ing = obj as Ingress;
    return [
      ing.metadata?.name,
      ing.spec?.ingressClassName ?? "<none>",
      formatHosts(ing.spec?.rules),
      ingressAddresses(ing),
      ing.spec?.tls?.length ? "80, 443" : "80",
      age(ing.metadata?.creationTimestamp, ctx.now),
    ];
  },

  prepareForCreate(ing: Obj, ctx: Ctx) {
    ing.status = {};
    ing.metadata.generation = 1;
    if (ing.spec?.ingressClassName == null && ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] === undefined) {
      const cls = defaultIngressClass(ctx.list("ingressclasses"));
      if (cls) {
        ing.spec ??= {};
        ing.spec.ingressClassName = cls.metadata.name;
      }
    }
    nginxWebhook(ing as Ingress, ctx);
  },
  prepareForUpdate(ing, old, ctx) {
    nginxWebhook(ing as Ingress, ctx);
    ing.status = old.status;
    if (!deepEqual(ing.spec, old.spec)) ing.metadata.generation = (old.metadata?.generation ?? 1) + 1;
  },
  validate: (obj) => validateIngressCreate(obj as Ingress),
  validateUpdate: (obj) => validateIngressSpec(obj as Ingress),
  validateStatusUpdate: (obj) => validateStatus(obj as Ingress),
};

export default ingresses;
