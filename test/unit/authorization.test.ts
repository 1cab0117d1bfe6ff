import { describe, expect, it } from "vitest";
import { authorize } from "../../durable/resources/authorization";
import { ADMIN, requestUser } from "../../durable/api/identity";

const res = (verb: string, resource: string, extra: Record<string, string> = {}) => ({
  resourceAttributes: { verb, resource, namespace: "default", ...extra },
});

describe("requestUser", () => {
  it("is the kubeadm admin unless Impersonate-* headers name someone else", () => {
    expect(requestUser(new Headers())).toEqual(ADMIN);
    expect(requestUser(new Headers({ "impersonate-user": "bob" }))).toEqual({ username: "bob", groups: ["system:authenticated"] });
    expect(requestUser(new Headers({ "impersonate-user": "system:serviceaccount:dev:x" })).groups).toEqual([
      "system:serviceaccounts",
      "system:serviceaccounts:dev",
      "system:authenticated",
    ]);
    const h = new Headers({ "impersonate-user": "bob" });
    h.append("impersonate-group", "system:masters");
    h.append("impersonate-group", "dev");
    expect(requestUser(h).groups).toEqual(["system:masters", "dev", "system:authenticated"]);
  });
});

describe("authorize (RBAC over the bootstrap bindings)", () => {
  it("allows the admin everything, with the binding as the reason", () => {
    expect(authorize(ADMIN, res("delete", "pods"))).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"',
    });
    expect(authorize(ADMIN, { nonResourceAttributes: { verb: "post", path: "/logs" } }).allowed).toBe(true);
  });

  it("gives any other user only the basic-user and discovery rules", () => {
    const bob = { username: "bob", groups: ["system:authenticated"] };
    expect(authorize(bob, res("list", "pods"))).toEqual({ allowed: false });
    expect(authorize(bob, res("get", "pods", { subresource: "log" })).allowed).toBe(false);
    expect(authorize(bob, res("create", "selfsubjectaccessreviews", { group: "authorization.k8s.io" })).allowed).toBe(true);
    expect(authorize(bob, res("create", "selfsubjectaccessreviews")).allowed).toBe(false); // wrong group
    expect(authorize(bob, { nonResourceAttributes: { verb: "get", path: "/apis/apps/v1" } }).allowed).toBe(true);
    expect(authorize(bob, { nonResourceAttributes: { verb: "get", path: "/metrics" } }).allowed).toBe(false);
    expect(authorize(bob, { nonResourceAttributes: { verb: "post", path: "/healthz" } }).allowed).toBe(false);
    expect(authorize({ username: "x", groups: ["system:masters"] }, res("*", "*")).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    );
  });
});
