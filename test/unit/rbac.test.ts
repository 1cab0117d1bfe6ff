// The RBAC authorizer and its checks against upstream's cases (pkg/registry/rbac/validation/rule_test.go,
// policy_comparator_test.go, plugin/pkg/auth/authorizer/rbac/rbac_test.go), over the bootstrap policy.
import { describe, expect, it } from "vitest";
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1";
import {
  authorize,
  compactRules,
  compactString,
  confirmNoEscalation,
  covers,
  forbiddenStatus,
  nonResourceURLMatches,
  resourceMatches,
  ruleAllows,
  type Attributes,
} from "../../durable/api/rbac";
import { attributesFor, ctxPolicy, impersonate } from "../../durable/api/authz";
import { ADMIN, type UserInfo } from "../../durable/api/identity";
import { bootstrapPolicy } from "../../durable/rbacpolicy";
import { aggregatedRules } from "../../durable/controllers/clusterroleaggregation";
import type { ApiError } from "../../durable/api/status";
import type { Obj } from "../../durable/resources/types";

/** The bootstrap policy plus `extra`, with the aggregated roles filled as the controller would. */
function policy(extra: { plural: string; obj: Obj }[] = []) {
  const all = [...bootstrapPolicy(), ...extra].map((x) => ({ plural: x.plural, obj: structuredClone(x.obj) }));
  const roles = all.filter((x) => x.plural === "clusterroles").map((x) => x.obj as ClusterRole);
  for (let pass = 0; pass < 3; pass++) for (const r of roles) if (r.aggregationRule) r.rules = aggregatedRules(r, roles);
  return ctxPolicy({ list: (plural) => all.filter((x) => x.plural === plural).map((x) => x.obj) });
}

const user = (username: string, groups = ["system:authenticated"]): UserInfo => ({ username, groups });
const res = (u: UserInfo, verb: string, resource: string, more: Partial<Attributes> = {}): Attributes => ({
  user: u,
  verb,
  resourceRequest: true,
  apiGroup: "",
  resource,
  namespace: "default",
  ...more,
});
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});

describe("rule matching (rule.go)", () => {
  it("matches subresources exactly or through */subresource, never the parent for a subresource", () => {
    expect(resourceMatches({ verbs: ["get"], resources: ["pods/log"] }, "pods/log", "log")).toBe(true);
    expect(resourceMatches({ verbs: ["get"], resources: ["*/log"] }, "pods/log", "log")).toBe(true);
    expect(resourceMatches({ verbs: ["get"], resources: ["pods"] }, "pods/log", "log")).toBe(false);
    expect(resourceMatches({ verbs: ["get"], resources: ["*"] }, "pods/log", "log")).toBe(true);
    expect(resourceMatches({ verbs: ["get"], resources: ["*/log"] }, "pods", "")).toBe(false);
  });

  it("matches non-resource URLs exactly or by a trailing * prefix", () => {
    const r = { verbs: ["get"], nonResourceURLs: ["/apis/*", "/healthz"] };
    expect(nonResourceURLMatches(r, "/apis/apps/v1")).toBe(true);
    expect(nonResourceURLMatches(r, "/apis")).toBe(false);
    expect(nonResourceURLMatches(r, "/healthz/etcd")).toBe(false);
    expect(nonResourceURLMatches(r, "/healthz")).toBe(true);
  });

  it("limits a rule with resourceNames to those names (a list has no name)", () => {
    const r = rule(["get", "list"], [""], ["configmaps"], ["a"]);
    const a = (verb: string, name?: string) => ({ verb, resourceRequest: true, apiGroup: "", resource: "configmaps", name });
    expect(ruleAllows(a("get", "a"), r)).toBe(true);
    expect(ruleAllows(a("get", "b"), r)).toBe(false);
    expect(ruleAllows(a("list"), r)).toBe(false);
  });
});

describe("the authorizer over the bootstrap policy", () => {
  const p = policy();

  it("allows the kubeadm admins by the kubeadm:cluster-admins binding, with rbac.go's reason", () => {
    expect(authorize(p, res(ADMIN, "delete", "pods"))).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"',
    });
    expect(authorize(p, res(user("x", ["system:masters"]), "*", "*")).allowed).toBe(true);
  });

  it("gives any authenticated user the basic-user, discovery and public-info rules only", () => {
    const bob = user("bob");
    expect(authorize(p, res(bob, "list", "pods"))).toEqual({ allowed: false, reason: "" });
    expect(authorize(p, res(bob, "create", "selfsubjectaccessreviews", { apiGroup: "authorization.k8s.io" })).allowed).toBe(true);
    expect(authorize(p, { user: bob, verb: "get", resourceRequest: false, path: "/apis/apps/v1" }).allowed).toBe(true);
    expect(authorize(p, { user: bob, verb: "get", resourceRequest: false, path: "/metrics" }).allowed).toBe(false);
    const anon = user("system:anonymous", ["system:unauthenticated"]);
    expect(authorize(p, { user: anon, verb: "get", resourceRequest: false, path: "/version" }).allowed).toBe(true);
    expect(authorize(p, { user: anon, verb: "get", resourceRequest: false, path: "/api" }).allowed).toBe(false);
  });

  it("follows a RoleBinding of a Role to a user, and of a ClusterRole to a namespace's service account", () => {
    const q = policy([
      { plural: "roles", obj: { metadata: { name: "pod-reader", namespace: "default" }, rules: [rule(["get", "list"], [""], ["pods"])] } },
      {
        plural: "rolebindings",
        obj: {
          metadata: { name: "read-pods", namespace: "default" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
          subjects: [{ kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" }],
        },
      },
      {
        plural: "rolebindings",
        obj: {
          metadata: { name: "sa-view", namespace: "dev" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "ServiceAccount", name: "default" }],
        },
      },
    ]);
    expect(authorize(q, res(user("jane"), "get", "pods")).reason).toBe(
      'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to User "jane"',
    );
    expect(authorize(q, res(user("jane"), "get", "pods", { namespace: "dev" })).allowed).toBe(false);
    const sa = user("system:serviceaccount:dev:default", ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"]);
    expect(authorize(q, res(sa, "list", "deployments", { apiGroup: "apps", namespace: "dev" })).reason).toBe(
      'RBAC: allowed by RoleBinding "sa-view/dev" of ClusterRole "view" to ServiceAccount "default/dev"',
    );
    expect(authorize(q, res(sa, "get", "secrets", { namespace: "dev" })).allowed).toBe(false);
  });

  it("names a missing role in the reason of a denial", () => {
    const q = policy([
      {
        plural: "clusterrolebindings",
        obj: { metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "gone" }, subjects: [{ kind: "User", name: "kim" }] },
      },
    ]);
    expect(authorize(q, res(user("kim"), "get", "pods"))).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    });
  });
});

describe("the 403 of responsewriters.Forbidden", () => {
  const bob = user("bob");
  it("words the namespaced, cluster, named, subresource and non-resource variants as the API server does", () => {
    expect(forbiddenStatus(res(bob, "list", "pods"), "").message).toBe(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect(forbiddenStatus(res(bob, "get", "nodes", { namespace: "", name: "n1" }), "").message).toBe(
      'nodes "n1" is forbidden: User "bob" cannot get resource "nodes" in API group "" at the cluster scope',
    );
    const log = forbiddenStatus(res(bob, "get", "pods", { name: "web", subresource: "log" }), "");
    expect(log.message).toBe(
      'pods "web" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "default"',
    );
    expect(log.details).toEqual({ name: "web", kind: "pods" });
    expect(forbiddenStatus(res(bob, "list", "deployments", { apiGroup: "apps" }), "").message).toMatch(/^deployments\.apps is forbidden/);
    expect(forbiddenStatus({ user: bob, verb: "get", resourceRequest: false, path: "/metrics" }, "").message).toBe(
      'forbidden: User "bob" cannot get path "/metrics"',
    );
  });

  it("finds the attributes of a request as RequestInfoFactory does", () => {
    const q = new URLSearchParams("fieldSelector=metadata.name%3Dweb&watch=true");
    expect(attributesFor(bob, "GET", "/api/v1/namespaces/d/pods", q)).toMatchObject({ verb: "watch", name: "web", namespace: "d" });
    expect(attributesFor(bob, "POST", "/api/v1/namespaces/d/pods/web/exec", new URLSearchParams())).toMatchObject({
      verb: "create",
      resource: "pods",
      subresource: "exec",
    });
    expect(attributesFor(bob, "GET", "/apis/apps/v1", new URLSearchParams())).toMatchObject({
      resourceRequest: false,
      path: "/apis/apps/v1",
    });
  });
});

describe("impersonation (filters/impersonation.go)", () => {
  const p = policy();
  const h = (o: Record<string, string>) => new Headers(o);

  it("lets the admin act as anyone, with the groups the API server adds", () => {
    expect(impersonate(ADMIN, h({}), p)).toBe(ADMIN);
    expect(impersonate(ADMIN, h({ "impersonate-user": "bob" }), p)).toEqual({ username: "bob", groups: ["system:authenticated"] });
    expect(impersonate(ADMIN, h({ "impersonate-user": "system:serviceaccount:dev:x" }), p).groups).toEqual([
      "system:serviceaccounts",
      "system:serviceaccounts:dev",
      "system:authenticated",
    ]);
    // Groups named replace a service account's own.
    expect(impersonate(ADMIN, h({ "impersonate-user": "system:serviceaccount:dev:x", "impersonate-group": "a, b" }), p).groups).toEqual([
      "a",
      "b",
      "system:authenticated",
    ]);
    expect(impersonate(ADMIN, h({ "impersonate-user": "system:anonymous" }), p).groups).toEqual(["system:unauthenticated"]);
  });

  it("refuses a user without the impersonate verb with the 403 of the thing impersonated", () => {
    const refused = (u: UserInfo, headers: Record<string, string>) => {
      try {
        impersonate(u, h(headers), p);
      } catch (e) {
        return (e as ApiError).message;
      }
      return "allowed";
    };
    expect(refused(user("jane"), { "impersonate-user": "bob" })).toBe(
      'users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    expect(refused(user("jane"), { "impersonate-user": "system:serviceaccount:dev:x" })).toBe(
      'serviceaccounts "x" is forbidden: User "jane" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "dev"',
    );
  });
});

describe("escalation (escalation_check.go, policy_comparator.go)", () => {
  it("covers a subresource through resource/* or */sub, and names only by names", () => {
    expect(covers([rule(["get"], [""], ["*/log"])], [rule(["get"], [""], ["pods/log"])]).covered).toBe(true);
    expect(covers([rule(["get"], [""], ["pods"])], [rule(["get"], [""], ["pods/log"])]).covered).toBe(false);
    expect(covers([rule(["get"], [""], ["secrets"], ["a"])], [rule(["get"], [""], ["secrets"])]).covered).toBe(false);
    expect(covers([rule(["get"], [""], ["secrets"])], [rule(["get"], [""], ["secrets"], ["a"])]).covered).toBe(true);
    expect(covers([{ verbs: ["get"], nonResourceURLs: ["/api/*"] }], [{ verbs: ["get"], nonResourceURLs: ["/api/v1"] }]).covered).toBe(
      true,
    );
  });

  it("compacts the missing atoms by verb and prints them as CompactString", () => {
    const { missing } = covers([], [rule(["get", "list"], [""], ["nodes", "pods"])]);
    expect(compactRules(missing).map(compactString)).toEqual([
      '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
    ]);
  });

  it("refuses to grant what the writer does not hold, with the real message", () => {
    const p = policy([
      {
        plural: "rolebindings",
        obj: {
          metadata: { name: "jane-admin", namespace: "dev" },
          roleRef: { kind: "ClusterRole", name: "admin" },
          subjects: [{ kind: "User", name: "jane" }],
        },
      },
    ]);
    const jane = user("jane");
    expect(confirmNoEscalation(p, jane, "dev", [rule(["get", "list"], [""], ["pods"])])).toBeUndefined();
    expect(confirmNoEscalation(p, jane, "dev", [rule(["get", "list"], [""], ["nodes", "pods"])])).toBe(
      'user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}',
    );
    expect(confirmNoEscalation(p, jane, "other", [rule(["get"], [""], ["pods"])])).toMatch(/not currently held/);
  });
});

describe("clusterrole aggregation", () => {
  it("builds admin, edit and view from the aggregate-to labels, view's rules inside edit's inside admin's", () => {
    const all = bootstrapPolicy()
      .filter((x) => x.plural === "clusterroles")
      .map((x) => structuredClone(x.obj) as ClusterRole);
    const extra: ClusterRole = {
      metadata: { name: "widgets", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [rule(["get"], ["example.com"], ["widgets"])],
    };
    all.push(extra);
    for (let pass = 0; pass < 3; pass++) for (const r of all) if (r.aggregationRule) r.rules = aggregatedRules(r, all);
    const rules = (name: string) => all.find((r) => r.metadata?.name === name)!.rules!;
    // Selector order, then name order: "widgets" after "system:aggregate-to-view".
    expect(rules("view").at(-1)).toEqual(extra.rules![0]);
    expect(rules("view").length).toBe(1 + all.find((r) => r.metadata?.name === "system:aggregate-to-view")!.rules!.length);
    for (const r of rules("view")) expect(rules("edit")).toContainEqual(r);
    for (const r of rules("edit")) expect(rules("admin")).toContainEqual(r);
    expect(rules("admin")).toContainEqual(rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]));
    expect(rules("view")).not.toContainEqual(expect.objectContaining({ resources: expect.arrayContaining(["secrets"]) }));
  });
});
