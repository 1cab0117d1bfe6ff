// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go) and its rule matching and escalation
// checks (pkg/registry/rbac/validation/rule.go, policy_compact.go, policy_comparator.go): pure
// functions over Roles and bindings, fed by a PolicySource (the store's cache, or a Ctx for reviews).
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from "kubernetes-types/rbac/v1";
import type { UserInfo } from "./identity";

/** authorizer.Attributes: what one request asks to do. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** A resource request (else a non-resource `path`). */
  resourceRequest: boolean;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

/** Where the authorizer reads the policy. Objects are shared: readers never change them. */
export interface PolicySource {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  roleBindings(namespace: string): readonly RoleBinding[];
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

/** The group whose members every authorizer chain allows first (authorizerfactory's privileged groups). */
export const SYSTEM_MASTERS = "system:masters";

const has = (list: readonly string[] | undefined, v: string) => !!list && list.some((x) => x === v || x === "*");

export const verbMatches = (rule: PolicyRule, verb: string) => has(rule.verbs, verb);
export const apiGroupMatches = (rule: PolicyRule, group: string) => has(rule.apiGroups, group);

/** ResourceMatches: "*", the resource, "resource/subresource", or "*∕subresource". */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

export const resourceNameMatches = (rule: PolicyRule, name: string) => !rule.resourceNames?.length || rule.resourceNames.includes(name);

/** NonResourceURLMatches: an exact path, "*", or a prefix ending in "*". */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: Omit<Attributes, "user">, rule: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
    return (
      verbMatches(rule, a.verb) &&
      apiGroupMatches(rule, a.apiGroup ?? "") &&
      resourceMatches(rule, combined, a.subresource ?? "") &&
      resourceNameMatches(rule, a.name ?? "")
    );
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path ?? "");
}

/** appliesToUser: a ServiceAccount subject without a namespace means the binding's. */
export function appliesTo(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case "User":
      return user.username === s.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace || namespace;
      return !!ns && user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
  }
  return false;
}

function describeSubject(s: Subject, namespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || namespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** What visiting a binding's role found: its rules, or the error of a missing role. */
function rulesOfRef(source: PolicySource, ref: { kind: string; name: string }, namespace: string): PolicyRule[] | string {
  if (ref.kind === "ClusterRole") {
    const role = source.clusterRole(ref.name);
    return role ? (role.rules ?? []) : `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
  }
  if (ref.kind === "Role" && namespace) {
    const role = source.role(namespace, ref.name);
    return role ? (role.rules ?? []) : `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
  }
  return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
}

type Visitor = (source: () => string, rule: PolicyRule | undefined, err: string | undefined) => boolean;

/** VisitRulesFor: the ClusterRoleBindings, then the RoleBindings of the namespace; stops when visit says so. */
export function visitRulesFor(source: PolicySource, user: UserInfo, namespace: string, visit: Visitor): void {
  for (const b of source.clusterRoleBindings()) {
    const subject = b.subjects?.find((s) => appliesTo(user, s, ""));
    if (!subject) continue;
    const rules = rulesOfRef(source, b.roleRef, "");
    const describe = () =>
      `ClusterRoleBinding ${JSON.stringify(b.metadata?.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, "")}`;
    if (typeof rules === "string") {
      if (!visit(describe, undefined, rules)) return;
      continue;
    }
    for (const r of rules) if (!visit(describe, r, undefined)) return;
  }
  if (!namespace) return;
  for (const b of source.roleBindings(namespace)) {
    const subject = b.subjects?.find((s) => appliesTo(user, s, namespace));
    if (!subject) continue;
    const rules = rulesOfRef(source, b.roleRef, namespace);
    const describe = () =>
      `RoleBinding ${JSON.stringify(`${b.metadata?.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}`;
    if (typeof rules === "string") {
      if (!visit(describe, undefined, rules)) return;
      continue;
    }
    for (const r of rules) if (!visit(describe, r, undefined)) return;
  }
}

/** RBACAuthorizer.Authorize: allowed with the binding that allowed it, or no opinion with the errors met. */
export function authorizeRBAC(source: PolicySource, a: Attributes): Decision {
  let reason = "";
  const errors: string[] = [];
  let allowed = false;
  visitRulesFor(source, a.user, a.namespace ?? "", (describe, rule, err) => {
    if (rule && ruleAllows(a, rule)) {
      allowed = true;
      reason = `RBAC: allowed by ${describe()}`;
      return false;
    }
    if (err) errors.push(err);
    return true;
  });
  if (allowed) return { allowed, reason };
  return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : "" };
}

/** utilerrors.NewAggregate's message. */
const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`);

/** The authorizer chain of kube-apiserver: the privileged group first, then RBAC. */
export function authorize(source: PolicySource, a: Attributes): Decision {
  if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
  return authorizeRBAC(source, a);
}

/** RulesFor: every rule that applies to the user in the namespace, and the errors met. */
export function rulesFor(source: PolicySource, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(source, user, namespace, (_, rule, err) => {
    if (rule) rules.push(rule);
    if (err) errors.push(err);
    return true;
  });
  return { rules, errors };
}

// ---- responsewriters.Forbidden ---------------------------------------------------------------

/** forbiddenMessage of k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go. */
export function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path ?? "")}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : "at the cluster scope";
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? "")} ${where}`;
}

/** The Status apierrors.NewForbidden builds for a refused request: message and details. */
export function forbiddenStatus(a: Attributes, reason: string): { message: string; details: Record<string, string> } {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const resource = a.resourceRequest ? (a.resource ?? "") : "";
  const qualified = resource && a.apiGroup ? `${resource}.${a.apiGroup}` : resource;
  const name = a.resourceRequest ? (a.name ?? "") : "";
  const message = !qualified
    ? `forbidden: ${why}`
    : name
      ? `${qualified} ${JSON.stringify(name)} is forbidden: ${why}`
      : `${qualified} is forbidden: ${why}`;
  return {
    message,
    details: {
      ...(name ? { name } : {}),
      ...(a.apiGroup && resource ? { group: a.apiGroup } : {}),
      ...(resource ? { kind: resource } : {}),
    },
  };
}

// ---- escalation (pkg/registry/rbac/validation) ----------------------------------------------

/** BreakdownRule: one rule per group, resource, name and verb (non-resource URLs: per URL and verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? []) {
      if (rule.resourceNames?.length) {
        for (const name of rule.resourceNames)
          for (const verb of rule.verbs) out.push({ apiGroups: [group], resources: [resource], resourceNames: [name], verbs: [verb] });
      } else for (const verb of rule.verbs) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
    }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const hasAll = (set: readonly string[] | undefined, want: readonly string[] | undefined) =>
  (want ?? []).every((w) => (set ?? []).includes(w));

function resourceCoversAll(owner: readonly string[] | undefined, sub: readonly string[] | undefined): boolean {
  if ((owner ?? []).includes("*") || hasAll(owner, sub)) return true;
  return (sub ?? []).every((s) => {
    const slash = s.indexOf("/");
    return slash >= 0 && (owner ?? []).includes(`*${s.slice(slash)}`);
  });
}

function nonResourceURLsCoversAll(owner: readonly string[] | undefined, sub: readonly string[] | undefined): boolean {
  return (sub ?? []).every((s) => (owner ?? []).some((o) => o === s || (o.endsWith("*") && s.startsWith(o.slice(0, -1)))));
}

/** ruleCovers of policy_comparator.go. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = (owner.verbs ?? []).includes("*") || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes("*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = !sub.resourceNames?.length
    ? !owner.resourceNames?.length
    : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Covers: whether the owner's rules cover every atom of the requested ones, and the atoms they miss. */
export function covers(owner: PolicyRule[], requested: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const r of requested) for (const atom of breakdownRule(r)) if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return { covered: missing.length === 0, missing };
}

/** CompactRules: the simple rules of one group, resource and name merged into one rule of all their verbs. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple =
      !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1 && (r.resourceNames?.length ?? 0) <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...r.verbs.filter((v) => !existing.verbs.includes(v))];
    else {
      const copy: PolicyRule = { ...r, verbs: [...r.verbs] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** Go's %q of a []string: ["a" "b"]. */
export const goQuoteList = (list: readonly string[]) => `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;

/** rbacv1helpers.CompactString. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** ConfirmNoEscalation: undefined when the user holds every requested rule in the namespace, else the
 *  refusal's text ("is attempting to grant RBAC permissions not currently held"). */
export function confirmNoEscalation(source: PolicySource, user: UserInfo, namespace: string, requested: PolicyRule[]): string | undefined {
  const { rules, errors } = rulesFor(source, user, namespace);
  const { covered, missing } = covers(rules, requested);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join("\n")}`;
  if (errors.length) msg += `; resolution errors: [${errors.join(" ")}]`;
  return msg;
}
