// networking.k8s.io/v1 IngressClass: SetDefaults_IngressClass, ValidateIngressClass /
// ValidateIngressClassUpdate (pkg/apis/networking/validation) and printIngressClass.
import type { IngressClass } from "kubernetes-types/networking/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import {
  each,
  forbidden,
  immutable,
  invalid,
  isDNS1123Label,
  isDNS1123Subdomain,
  notSupported,
  required,
  tooLong,
  validatePathSegmentName,
} from "./validation";

const SCOPES = ["Cluster", "Namespace"];
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** IsDomainPrefixedPath (the controller name: "k8s.io/ingress-nginx"). */
function validateDomainPrefixedPath(field: string, value: string): FieldError[] {
  const i = value.indexOf("/");
  const [host, path] = i < 0 ? [value, ""] : [value.slice(0, i), value.slice(i + 1)];
  if (i < 0 || !host || !path) return [invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = each(field, host, isDNS1123Subdomain(host));
  if (!new RegExp(`^${httpPathFmt}$`).test(path))
    errs.push(invalid(field, path, `Invalid path: regex used for validation is '${httpPathFmt}'`));
  return errs;
}

/** validateIngressTypedLocalObjectReference (a resource backend). */
export function validateTypedReference(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup != null) errs.push(...each(`${path}.apiGroup`, ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const f of ["kind", "name"]) {
    if (!ref[f]) errs.push(required(`${path}.${f}`, ""));
    else errs.push(...each(`${path}.${f}`, ref[f], validatePathSegmentName(ref[f])));
  }
  return errs;
}

/** validateIngressClassParametersReference. */
function validateParameters(params: Obj | undefined): FieldError[] {
  if (params == null) return [];
  const path = "spec.parameters";
  const errs = validateTypedReference(params, path);
  if (params.scope == null) return [...errs, required(`${path}.scope`, "")];
  if (!SCOPES.includes(params.scope)) errs.push(notSupported(`${path}.scope`, params.scope, SCOPES));
  else if (params.scope === "Namespace") {
    if (params.namespace == null) errs.push(required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...each(`${path}.namespace`, params.namespace, isDNS1123Label(params.namespace)));
  } else if (params.namespace != null) errs.push(forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

export function validateIngressClass(obj: Obj): FieldError[] {
  const ic = obj as IngressClass;
  const controller = ic.spec?.controller ?? "";
  const errs: FieldError[] = [];
  if (!controller) errs.push(required("spec.controller", ""));
  else {
    if (controller.length > 250) errs.push(tooLong("spec.controller", 250));
    errs.push(...validateDomainPrefixedPath("spec.controller", controller));
  }
  errs.push(...validateParameters(ic.spec?.parameters as Obj | undefined));
  return errs;
}

/** The printer's PARAMETERS cell: Kind[.apiGroup]/name. */
export function parametersText(ic: IngressClass): string {
  const p = ic.spec?.parameters;
  if (!p) return "<none>";
  return `${p.kind}${p.apiGroup != null ? `.${p.apiGroup}` : ""}/${p.name}`;
}

const ingressclasses: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  openapi: "io.k8s.api.networking.v1.IngressClass",

  columns: [
    nameColumn,
    { name: "Controller", type: "string", description: "Controller that is responsible for handling this class", priority: 0 },
    { name: "Parameters", type: "string", description: "A reference to a resource with additional parameters", priority: 0 },
    ageColumn,
  ],
  row: (obj, ctx) => {
    const ic = obj as IngressClass;
    return [ic.metadata?.name, ic.spec?.controller ?? "", parametersText(ic), age(ic.metadata?.creationTimestamp, ctx.now)];
  },

  // SetDefaults_IngressClass: parameters without a scope are cluster-scoped.
  defaults(ic) {
    if (ic.spec?.parameters && ic.spec.parameters.scope == null) ic.spec.parameters.scope = "Cluster";
  },
  prepareForCreate(ic) {
    ic.metadata.generation = 1;
  },
  validate: validateIngressClass,
  validateUpdate: (ic, old) => {
    const errs: FieldError[] = [];
    if ((ic.spec?.controller ?? "") !== (old.spec?.controller ?? "")) errs.push(immutable("spec.controller", ic.spec?.controller ?? ""));
    return [...errs, ...validateIngressClass(ic)];
  },
};

export default ingressclasses;
