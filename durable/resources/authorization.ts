// authorization.k8s.io/v1 SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview and
// LocalSubjectAccessReview (`kubectl auth can-i`, `can-i --list`, webhooks): create-only, never
// stored (pkg/registry/authorization), answered by the same authorizer chain every request passes
// (api/rbac.ts) over the stored Roles and bindings.
import type { PolicyRule } from "kubernetes-types/rbac/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import type { UserInfo } from "../api/identity";
import { authorize, rulesFor, type Attributes, type PolicySource } from "../api/rbac";
import { isAdmin } from "../api/authz";
import { badRequest, invalid as invalidObject } from "../api/status";
import { invalid } from "./validation";
import { nameColumn } from "./printers";

const GROUP = "authorization.k8s.io";

/** The attributes a review's spec names (authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom). */
function attributesOf(user: UserInfo, spec: Obj): Attributes {
  const r: Obj | undefined = spec.resourceAttributes;
  if (r)
    return {
      user,
      resourceRequest: true,
      verb: r.verb ?? "",
      apiGroup: r.group ?? "",
      apiVersion: r.version ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource ?? "",
      name: r.name ?? "",
      namespace: r.namespace ?? "",
    };
  const n: Obj = spec.nonResourceAttributes ?? {};
  return { user, resourceRequest: false, verb: n.verb ?? "", path: n.path ?? "" };
}

/** The review's decision: RBAC's, or the privileged group's (and the session admin's) with no reason. */
export function decide(policy: PolicySource, user: UserInfo, spec: Obj): Obj {
  const d = authorize(policy, attributesOf(user, spec));
  if (!d.allowed && isAdmin(user)) return { allowed: true };
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

/** ValidateSelfSubjectAccessReviewSpec / ValidateSubjectAccessReviewSpec's shared part. */
function attributeErrors(spec: Obj): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes)
    return [
      invalid("spec.nonResourceAttributes", spec.nonResourceAttributes, "cannot be specified in combination with resourceAttributes"),
    ];
  if (!spec.resourceAttributes && !spec.nonResourceAttributes)
    return [invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified")];
  return [];
}

const answer = (obj: Obj, spec: Obj, status: Obj): Obj => ({
  ...obj,
  metadata: { ...(obj.metadata ?? {}), creationTimestamp: null },
  spec,
  status,
});

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
  review(obj, user, _ctx, { policy }) {
    const spec: Obj = obj.spec ?? {};
    const errs = attributeErrors(spec);
    if (errs.length) throw invalidObject("SelfSubjectAccessReview", GROUP, "", errs);
    return answer(obj, spec, decide(policy, user, spec));
  },
};

/** The user a SubjectAccessReview asks about. */
const specUser = (spec: Obj): UserInfo => ({
  username: spec.user ?? "",
  groups: spec.groups ?? [],
  ...(spec.uid ? { uid: spec.uid } : {}),
  ...(spec.extra ? { extra: spec.extra } : {}),
});

function subjectErrors(spec: Obj): FieldError[] {
  const errs = attributeErrors(spec);
  if (!spec.user && !spec.groups?.length)
    errs.push(invalid("spec.user", spec.user ?? "", "at least one of user or group must be specified"));
  return errs;
}

const subjectAccessReview: ResourceDef = {
  ...base,
  kind: "SubjectAccessReview",
  plural: "subjectaccessreviews",
  singular: "subjectaccessreview",
  openapi: "io.k8s.api.authorization.v1.SubjectAccessReview",
  review(obj, _user, _ctx, { policy }) {
    const spec: Obj = obj.spec ?? {};
    const errs = subjectErrors(spec);
    if (errs.length) throw invalidObject("SubjectAccessReview", GROUP, "", errs);
    return answer(obj, spec, decide(policy, specUser(spec), spec));
  },
};

const localSubjectAccessReview: ResourceDef = {
  ...base,
  namespaced: true,
  kind: "LocalSubjectAccessReview",
  plural: "localsubjectaccessreviews",
  singular: "localsubjectaccessreview",
  openapi: "io.k8s.api.authorization.v1.LocalSubjectAccessReview",
  review(obj, _user, _ctx, { policy, namespace }) {
    const spec: Obj = obj.spec ?? {};
    const errs = subjectErrors(spec);
    if (spec.nonResourceAttributes)
      errs.push(invalid("spec.nonResourceAttributes", spec.nonResourceAttributes, "disallowed on this kind of request"));
    if (errs.length) throw invalidObject("LocalSubjectAccessReview", GROUP, "", errs);
    if ((spec.resourceAttributes?.namespace ?? "") !== namespace)
      throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    return answer({ ...obj, metadata: { ...(obj.metadata ?? {}), namespace } }, spec, decide(policy, specUser(spec), spec));
  },
};

const resourceRule = ({ verbs, apiGroups, resources, resourceNames }: PolicyRule) => ({
  verbs,
  ...(apiGroups ? { apiGroups } : {}),
  ...(resources ? { resources } : {}),
  ...(resourceNames ? { resourceNames } : {}),
});

const selfSubjectRulesReview: ResourceDef = {
  ...base,
  kind: "SelfSubjectRulesReview",
  plural: "selfsubjectrulesreviews",
  singular: "selfsubjectrulesreview",
  openapi: "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
  review(obj, user, _ctx, { policy }) {
    const spec: Obj = obj.spec ?? {};
    if (!spec.namespace) throw badRequest("no namespace on request");
    const { rules, errors } = rulesFor(policy, user, spec.namespace);
    return answer(obj, spec, {
      resourceRules: rules.filter((r) => r.resources?.length).map(resourceRule),
      nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
      incomplete: errors.length > 0,
      ...(errors.length ? { evaluationError: errors.join(", ") } : {}),
    });
  },
};

export default [selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview, localSubjectAccessReview];
