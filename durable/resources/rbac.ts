// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding: defaulting
// (pkg/apis/rbac/v1/defaults.go), validation (pkg/apis/rbac/validation), the printers' columns, and
// the escalation checks of their REST storage (pkg/registry/rbac/*/policybased: a role may grant
// only what its writer holds unless they may `escalate`; a binding only what they hold unless they
// may `bind` its role).
import type { ClusterRole, PolicyRule, RoleBinding, RoleRef, Subject } from "kubernetes-types/rbac/v1";
import type { FieldError, Obj, PrinterColumn, ResourceDef } from "./types";
import { age, ageColumn, createdAtColumn, nameColumn } from "./printers";
import { invalid, isDNS1123Subdomain, notSupported, required, validateLabelSelector, validatePathSegmentName } from "./validation";
import { allowed, isAdmin } from "../api/authz";
import { confirmNoEscalation, type PolicySource } from "../api/rbac";
import type { UserInfo } from "../api/identity";
import { ApiError } from "../api/status";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** The object rbac's REST storage and authorizer share, with what a write needs to be refused. */
export interface WriteCheck {
  user: UserInfo;
  policy: PolicySource;
}

/** Go's %#v of a []string, as field.Invalid prints a rule's nonResourceURLs. */
const goStringSlice = (list: string[]) => `[]string{${list.map((s) => JSON.stringify(s)).join(", ")}}`;

/** ValidatePolicyRule. */
function validateRule(rule: PolicyRule, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(required(`${f}.verbs`, "verbs must contain at least one value"));
  if (rule.nonResourceURLs?.length) {
    const bad = (detail: string): FieldError => ({
      type: "FieldValueInvalid",
      field: `${f}.nonResourceURLs`,
      message: `Invalid value: ${goStringSlice(rule.nonResourceURLs!)}: ${detail}`,
    });
    if (namespaced) errs.push(bad("namespaced rules cannot apply to non-resource URLs"));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length)
      errs.push(bad("rules cannot apply to both regular resources and non-resource URLs"));
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(`${f}.apiGroups`, "resource rules must supply at least one api group"));
  if (!rule.resources?.length) errs.push(required(`${f}.resources`, "resource rules must supply at least one resource"));
  return errs;
}

const validateRules = (obj: Obj, namespaced: boolean) =>
  ((obj.rules ?? []) as PolicyRule[]).flatMap((r, i) => validateRule(r ?? {}, namespaced, `rules[${i}]`));

function validateClusterRole(obj: Obj): FieldError[] {
  const errs = validateRules(obj, false);
  const agg = (obj as ClusterRole).aggregationRule;
  if (agg) {
    if (!agg.clusterRoleSelectors?.length)
      errs.push(
        required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"),
      );
    agg.clusterRoleSelectors?.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

/** ValidateRoleBindingSubject. */
function validateSubject(s: Subject, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${f}.name`));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.name) {
        // ValidateServiceAccountName is DNS-1123 subdomain.
        for (const msg of isDNS1123Subdomain(s.name)) errs.push(invalid(`${f}.name`, s.name, msg));
      }
      if (s.apiGroup) errs.push(notSupported(`${f}.apiGroup`, s.apiGroup, [""]));
      if (!namespaced && !s.namespace) errs.push(required(`${f}.namespace`));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${f}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${f}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

function validateBinding(obj: Obj, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref: Partial<RoleRef> = obj.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind ?? "")) errs.push(notSupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) errs.push(required("roleRef.name"));
  else for (const msg of validatePathSegmentName(ref.name)) errs.push(invalid("roleRef.name", ref.name, msg));
  ((obj.subjects ?? []) as Subject[]).forEach((s, i) => errs.push(...validateSubject(s ?? {}, namespaced, `subjects[${i}]`)));
  return errs;
}

/** ValidateRoleBindingUpdate's roleRef check; the value printed as Go's %#v of rbac.RoleRef. */
function roleRefUnchanged(obj: Obj, old: Obj): FieldError[] {
  const a: Partial<RoleRef> = obj.roleRef ?? {};
  const b: Partial<RoleRef> = old.roleRef ?? {};
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [
    {
      type: "FieldValueInvalid",
      field: "roleRef",
      message: `Invalid value: rbac.RoleRef{APIGroup:${JSON.stringify(a.apiGroup ?? "")}, Kind:${JSON.stringify(a.kind ?? "")}, Name:${JSON.stringify(a.name ?? "")}}: cannot change roleRef`,
    },
  ];
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject. */
function defaultBinding(obj: Obj): void {
  if (obj.roleRef && typeof obj.roleRef === "object" && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = RBAC_GROUP;
  for (const s of (obj.subjects ?? []) as Subject[]) {
    if (s && !s.apiGroup && (s.kind === "User" || s.kind === "Group")) s.apiGroup = RBAC_GROUP;
  }
}

/** SubjectsStrings: users, groups and service accounts (namespace/name) of a binding. */
export function subjectsStrings(subjects: Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === "User") users.push(s.name);
    else if (s.kind === "Group") groups.push(s.name);
    else if (s.kind === "ServiceAccount") sas.push(s.namespace ? `${s.namespace}/${s.name}` : s.name);
  }
  return [users.join(", "), groups.join(", "), sas.join(", ")];
}

const bindingColumns = (what: string, roleRefDoc: string): PrinterColumn[] => [
  nameColumn,
  { name: "Role", type: "string", description: roleRefDoc, priority: 0 },
  ageColumn,
  { name: "Users", type: "string", description: `Users in the ${what}`, priority: 1 },
  { name: "Groups", type: "string", description: `Groups in the ${what}`, priority: 1 },
  { name: "ServiceAccounts", type: "string", description: `ServiceAccounts in the ${what}`, priority: 1 },
];

const bindingRow = (b: Obj, now: number) => [
  b.metadata?.name,
  `${b.roleRef?.kind}/${b.roleRef?.name}`,
  age(b.metadata?.creationTimestamp, now),
  ...subjectsStrings(b.subjects),
];

const roleRow = (r: Obj) => [r.metadata?.name, r.metadata?.creationTimestamp ?? null];

const forbiddenWrite = (plural: string, name: string, why: string) =>
  new ApiError(403, "Forbidden", `${plural}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: ${why}`, {
    name,
    group: RBAC_GROUP,
    kind: plural,
  });

/** EscalationAllowed, then ConfirmNoEscalation, for a Role or ClusterRole being written. */
function checkRoleWrite(plural: "roles" | "clusterroles", obj: Obj, { user, policy }: WriteCheck): void {
  if (isAdmin(user)) return;
  const namespace = plural === "roles" ? (obj.metadata?.namespace ?? "") : "";
  const name = obj.metadata?.name ?? "";
  const escalate = { user, verb: "escalate", resourceRequest: true, apiGroup: RBAC_GROUP, resource: plural, name, namespace };
  if (user.groups.includes("system:masters") || allowed(policy, escalate)) return;
  const rules = ((obj.rules ?? []) as PolicyRule[]).filter(Boolean);
  const why = confirmNoEscalation(policy, user, namespace, rules);
  if (why) throw forbiddenWrite(plural, name, why);
  // An aggregationRule can gather anything: setting one takes `*` on `*.*`.
  if (plural === "clusterroles" && obj.aggregationRule && confirmNoEscalation(policy, user, "", FULL_AUTHORITY))
    throw forbiddenWrite(plural, name, "must have cluster-admin privileges to use the aggregationRule");
}

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/** BindingAuthorized, then ConfirmNoEscalation over the bound role's rules. */
function checkBindingWrite(plural: "rolebindings" | "clusterrolebindings", obj: Obj, { user, policy }: WriteCheck): void {
  if (isAdmin(user) || user.groups.includes("system:masters")) return;
  const b = obj as RoleBinding;
  const namespace = plural === "rolebindings" ? (b.metadata?.namespace ?? "") : "";
  const name = b.metadata?.name ?? "";
  const ref = b.roleRef ?? ({} as RoleRef);
  const roleResource = ref.kind === "Role" ? "roles" : "clusterroles";
  const bind = { user, verb: "bind", resourceRequest: true, apiGroup: RBAC_GROUP, resource: roleResource, name: ref.name, namespace };
  if (allowed(policy, bind)) return;
  const role = ref.kind === "Role" ? policy.role(namespace, ref.name) : policy.clusterRole(ref.name);
  if (!role) throw forbiddenWrite(plural, name, `${roleResource.slice(0, -1)}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`);
  const why = confirmNoEscalation(policy, user, namespace, role.rules ?? []);
  if (why) throw forbiddenWrite(plural, name, why);
}

const base = { group: RBAC_GROUP, version: "v1" } as const;

const role: ResourceDef = {
  ...base,
  kind: "Role",
  plural: "roles",
  singular: "role",
  namespaced: true,
  openapi: "io.k8s.api.rbac.v1.Role",
  nameValidator: validatePathSegmentName,
  columns: [nameColumn, createdAtColumn],
  row: roleRow,
  validate: (obj) => validateRules(obj, true),
  authorizeWrite: (obj, check) => checkRoleWrite("roles", obj, check),
};

const clusterRole: ResourceDef = {
  ...base,
  kind: "ClusterRole",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  openapi: "io.k8s.api.rbac.v1.ClusterRole",
  nameValidator: validatePathSegmentName,
  columns: [nameColumn, createdAtColumn],
  row: roleRow,
  validate: validateClusterRole,
  authorizeWrite: (obj, check) => checkRoleWrite("clusterroles", obj, check),
};

const roleBinding: ResourceDef = {
  ...base,
  kind: "RoleBinding",
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  openapi: "io.k8s.api.rbac.v1.RoleBinding",
  nameValidator: validatePathSegmentName,
  columns: bindingColumns(
    "roleBinding",
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
  row: (b, ctx) => bindingRow(b, ctx.now),
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, true),
  validateUpdate: (obj, old) => [...validateBinding(obj, true), ...roleRefUnchanged(obj, old)],
  authorizeWrite: (obj, check) => checkBindingWrite("rolebindings", obj, check),
};

const clusterRoleBinding: ResourceDef = {
  ...base,
  kind: "ClusterRoleBinding",
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  openapi: "io.k8s.api.rbac.v1.ClusterRoleBinding",
  nameValidator: validatePathSegmentName,
  columns: bindingColumns(
    "clusterRoleBinding",
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
  row: (b, ctx) => bindingRow(b, ctx.now),
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, false),
  validateUpdate: (obj, old) => [...validateBinding(obj, false), ...roleRefUnchanged(obj, old)],
  authorizeWrite: (obj, check) => checkBindingWrite("clusterrolebindings", obj, check),
};

export default [role, clusterRole, roleBinding, clusterRoleBinding];
