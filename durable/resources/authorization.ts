// authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i`,
// `kubectl auth can-i --list`): create-only, never stored (pkg/registry/authorization). No RBAC
// objects are served, so the authorizer is RBAC over the bootstrap ClusterRoleBindings a kubeadm
// cluster starts with: the admin is a cluster-admin, everyone else only has the basic and discovery roles.
import type { Obj, ResourceDef } from "./types";
import type { UserInfo } from "../api/identity";
import { badRequest, invalid as invalidObject } from "../api/status";
import { invalid } from "./validation";
import { nameColumn } from "./printers";

const GROUP = "authorization.k8s.io";

interface Rule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Binding {
  name: string;
  role: string;
  group: string;
  rules: Rule[];
}

const CLUSTER_ADMIN: Rule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/** The bootstrap policy's bindings that matter here (plugin/pkg/auth/authorizer/rbac/bootstrappolicy). */
const BINDINGS: Binding[] = [
  { name: "cluster-admin", role: "cluster-admin", group: "system:masters", rules: CLUSTER_ADMIN },
  { name: "kubeadm:cluster-admins", role: "cluster-admin", group: "kubeadm:cluster-admins", rules: CLUSTER_ADMIN },
  {
    name: "system:basic-user",
    role: "system:basic-user",
    group: "system:authenticated",
    rules: [
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
      { verbs: ["create"], apiGroups: [GROUP], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
    ],
  },
  {
    name: "system:discovery",
    role: "system:discovery",
    group: "system:authenticated",
    rules: [
      {
        verbs: ["get"],
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
      },
    ],
  },
  ...["system:authenticated", "system:unauthenticated"].map((group) => ({
    name: "system:public-info-viewer",
    role: "system:public-info-viewer",
    group,
    rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] }],
  })),
];

const bindingsOf = (user: UserInfo) => BINDINGS.filter((b) => user.groups.includes(b.group));
const has = (list: string[] | undefined, v: string) => !!list && (list.includes("*") || list.includes(v));

/** rbac.RuleAllows for resource attributes. */
function allowsResource(r: Rule, a: Obj): boolean {
  if (!r.resources || !has(r.verbs, a.verb ?? "") || !has(r.apiGroups, a.group ?? "")) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
  const resourceOk = r.resources.some((x) => x === "*" || x === combined || (!!a.subresource && x === `*/${a.subresource}`));
  return resourceOk && (!r.resourceNames?.length || r.resourceNames.includes(a.name ?? ""));
}

/** rbac.RuleAllows for non-resource attributes (a trailing `*` is a prefix match). */
function allowsNonResource(r: Rule, a: Obj): boolean {
  if (!r.nonResourceURLs || !has(r.verbs, a.verb ?? "")) return false;
  const path = a.path ?? "";
  return r.nonResourceURLs.some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
}

/** The RBAC authorizer's decision and reason for one request of `user`. */
export function authorize(user: UserInfo, spec: Obj): { allowed: boolean; reason?: string } {
  for (const b of bindingsOf(user)) {
    const ok = b.rules.some((r) =>
      spec.resourceAttributes ? allowsResource(r, spec.resourceAttributes) : allowsNonResource(r, spec.nonResourceAttributes ?? {}),
    );
    if (ok)
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.name}" of ClusterRole "${b.role}" to Group "${b.group}"` };
  }
  return { allowed: false };
}

const base: Pick<ResourceDef, "group" | "version" | "namespaced" | "verbs" | "columns" | "row"> = {
  group: GROUP,
  version: "v1",
  namespaced: false,
  verbs: ["create"],
  columns: [nameColumn],
  row: (o: Obj) => [o.metadata?.name ?? ""],
};

const selfSubjectAccessReview: ResourceDef = {
  ...base,
  kind: "SelfSubjectAccessReview",
  plural: "selfsubjectaccessreviews",
  singular: "selfsubjectaccessreview",
  openapi: "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
  review(obj, user) {
    const spec: Obj = obj.spec ?? {};
    // ValidateSelfSubjectAccessReviewSpec.
    if (spec.resourceAttributes && spec.nonResourceAttributes)
      throw invalidObject("SelfSubjectAccessReview", GROUP, "", [
        invalid("spec.nonResourceAttributes", spec.nonResourceAttributes, "cannot be specified in combination with resourceAttributes"),
      ]);
    if (!spec.resourceAttributes && !spec.nonResourceAttributes)
      throw invalidObject("SelfSubjectAccessReview", GROUP, "", [
        invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified"),
      ]);
    return { ...obj, metadata: { ...(obj.metadata ?? {}), creationTimestamp: null }, spec, status: authorize(user, spec) };
  },
};

const selfSubjectRulesReview: ResourceDef = {
  ...base,
  kind: "SelfSubjectRulesReview",
  plural: "selfsubjectrulesreviews",
  singular: "selfsubjectrulesreview",
  openapi: "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
  review(obj, user) {
    const spec: Obj = obj.spec ?? {};
    if (!spec.namespace) throw badRequest("no namespace on request");
    const rules = bindingsOf(user).flatMap((b) => b.rules);
    return {
      ...obj,
      metadata: { ...(obj.metadata ?? {}), creationTimestamp: null },
      spec,
      status: {
        resourceRules: rules
          .filter((r) => r.resources)
          .map(({ verbs, apiGroups, resources, resourceNames }) => ({
            verbs,
            apiGroups,
            resources,
            ...(resourceNames ? { resourceNames } : {}),
          })),
        nonResourceRules: rules.filter((r) => r.nonResourceURLs).map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
        incomplete: false,
      },
    };
  },
};

export default [selfSubjectAccessReview, selfSubjectRulesReview];
