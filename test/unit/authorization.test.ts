import { describe, expect, it } from "vitest";
import resources from "../../durable/resources/authorization";
import { ctxPolicy } from "../../durable/api/authz";
import { ADMIN } from "../../durable/api/identity";
import { bootstrapPolicy } from "../../durable/rbacpolicy";
import type { Ctx, Obj } from "../../durable/resources/types";

const objects = bootstrapPolicy();
const ctx: Ctx = { now: Date.now(), get: () => undefined, list: (plural) => objects.filter((o) => o.plural === plural).map((o) => o.obj) };
const policy = ctxPolicy(ctx);
const kind = (k: string) => resources.find((d) => d.kind === k)!;
const review = (k: string, body: Obj, user = ADMIN, namespace?: string) => kind(k).review!(body, user, ctx, { policy, namespace });
const bob = { username: "bob", groups: ["system:authenticated"] };

describe("SelfSubjectAccessReview (kubectl auth can-i)", () => {
  it("answers from the stored bindings, with the binding as the reason", () => {
    expect(review("SelfSubjectAccessReview", { spec: { resourceAttributes: { verb: "delete", resource: "pods" } } }).status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"',
    });
    expect(review("SelfSubjectAccessReview", { spec: { resourceAttributes: { verb: "list", resource: "pods" } } }, bob).status).toEqual({
      allowed: false,
    });
    expect(
      review("SelfSubjectAccessReview", { spec: { nonResourceAttributes: { verb: "get", path: "/apis/apps" } } }, bob).status.allowed,
    ).toBe(true);
  });

  it("refuses a spec with both or neither kind of attributes (422)", () => {
    expect(() => review("SelfSubjectAccessReview", { spec: {} })).toThrow(/exactly one of nonResourceAttributes or resourceAttributes/);
  });
});

describe("SubjectAccessReview and LocalSubjectAccessReview", () => {
  it("answer for the user and groups of the spec", () => {
    const masters = review("SubjectAccessReview", {
      spec: { user: "x", groups: ["system:masters"], resourceAttributes: { verb: "get", resource: "secrets" } },
    });
    expect(masters.status.allowed).toBe(true);
    expect(
      review("SubjectAccessReview", { spec: { user: "x", resourceAttributes: { verb: "get", resource: "secrets" } } }).status.allowed,
    ).toBe(false);
    expect(() => review("SubjectAccessReview", { spec: { resourceAttributes: { verb: "get" } } })).toThrow(
      /at least one of user or group must be specified/,
    );
  });

  it("requires the spec's namespace to be the request's", () => {
    const spec = { user: "x", resourceAttributes: { verb: "get", resource: "pods", namespace: "a" } };
    expect(() => review("LocalSubjectAccessReview", { spec }, ADMIN, "b")).toThrow(
      "spec.resourceAttributes.namespace must match namespace: b",
    );
    expect(review("LocalSubjectAccessReview", { spec }, ADMIN, "a").metadata.namespace).toBe("a");
  });
});

describe("SelfSubjectRulesReview (kubectl auth can-i --list)", () => {
  it("lists the rules of the user's bindings", () => {
    const status = review("SelfSubjectRulesReview", { spec: { namespace: "default" } }, bob).status;
    expect(status.resourceRules).toContainEqual({
      verbs: ["create"],
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    });
    expect(status.resourceRules.some((r: Obj) => r.resources.includes("pods"))).toBe(false);
    expect(status.nonResourceRules).toContainEqual(expect.objectContaining({ nonResourceURLs: expect.arrayContaining(["/api/*"]) }));
    expect(status.incomplete).toBe(false);
  });
});
