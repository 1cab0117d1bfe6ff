import { beforeAll, describe, expect, it } from "vitest";
import { requestInfo, serveInCluster } from "../../durable/api/incluster";
import { ISSUER, ServiceAccountTokens, generateSigningKey } from "../../durable/api/tokens";
import type { Obj } from "../../durable/resources/types";
import { ctxPolicy } from "../../durable/api/authz";
import { bootstrapPolicy } from "../../durable/rbacpolicy";

const q = new URLSearchParams();
const sa = { metadata: { name: "robot", namespace: "dev", uid: "u" } };
const now = Math.floor(Date.now() / 1000);
/** The objects the authenticator looks up: the service account, and pods by name. */
const objects = new Map<string, Obj>([["serviceaccounts/dev/robot", sa]]);
const lookup = { get: (plural: string, ns: string | undefined, name: string) => objects.get(`${plural}/${ns}/${name}`) };
let tokens: ServiceAccountTokens;
let otherCluster: ServiceAccountTokens;
let bearer: Record<string, string>;
beforeAll(async () => {
  tokens = new ServiceAccountTokens(await generateSigningKey(), lookup, () => Date.now());
  otherCluster = new ServiceAccountTokens(await generateSigningKey(), lookup, () => Date.now());
  bearer = { authorization: `Bearer ${tokens.sign(tokens.claims(sa, [ISSUER], now, now + 3600))}` };
});
const rbac = bootstrapPolicy();
const policy = ctxPolicy({ list: (plural) => rbac.filter((o) => o.plural === plural).map((o) => o.obj) });
const get = (path: string, headers: Record<string, string> = {}) => serveInCluster({ method: "GET", path, headers }, { tokens, policy });
const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

describe("requestInfo (RequestInfoFactory)", () => {
  it("finds verb, group, resource, name and namespace", () => {
    expect(requestInfo("GET", "/api/v1/namespaces/d/pods", q)).toMatchObject({ verb: "list", group: "", resource: "pods", namespace: "d" });
    expect(requestInfo("GET", "/apis/apps/v1/namespaces/d/deployments/web/scale", q)).toMatchObject({
      verb: "get",
      group: "apps",
      resource: "deployments",
      name: "web",
      subresource: "scale",
    });
    expect(requestInfo("GET", "/api/v1/namespaces/d", q)).toMatchObject({ verb: "get", resource: "namespaces", name: "d", namespace: "d" });
    expect(requestInfo("DELETE", "/api/v1/namespaces/d/pods", q)?.verb).toBe("deletecollection");
    expect(requestInfo("GET", "/api/v1/watch/nodes", q)).toMatchObject({ verb: "watch", resource: "nodes", namespace: "" });
    expect(requestInfo("GET", "/api/v1", q)).toBeUndefined();
    expect(requestInfo("GET", "/version", q)).toBeUndefined();
  });
});

describe("the API server seen from a pod", () => {
  it("lets anyone read /version and /healthz, and only the authenticated read discovery", () => {
    expect(JSON.parse(get("/version").body).gitVersion).toBe("v1.33.1");
    expect(get("/healthz").body).toBe("ok");
    const anon = get("/api");
    expect(anon.status).toBe(403);
    expect(JSON.parse(anon.body).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
    expect(JSON.parse(get("/api", bearer).body).kind).toBe("APIVersions");
    expect(JSON.parse(get("/apis/apps/v1", bearer).body).kind).toBe("APIResourceList");
  });

  it("refuses a service account every resource, with RBAC's message", () => {
    const r = get("/api/v1/namespaces/dev/pods", bearer);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({
      reason: "Forbidden",
      message:
        'pods is forbidden: User "system:serviceaccount:dev:robot" cannot list resource "pods" in API group "" in the namespace "dev"',
      details: { kind: "pods" },
    });
    expect(JSON.parse(get("/api/v1/nodes/n1", bearer).body).message).toBe(
      'nodes "n1" is forbidden: User "system:serviceaccount:dev:robot" cannot get resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("answers 401 to a token it did not issue, or one that expired", () => {
    expect(get("/api", { authorization: "Bearer nonsense" }).status).toBe(401);
    const old = tokens.sign(tokens.claims(sa, [ISSUER], now - 7200, now - 3600));
    expect(get("/api", { authorization: `Bearer ${old}` }).status).toBe(401);
  });

  it("refuses a forged, tampered or foreign token with 401 Unauthorized", () => {
    const claims = tokens.claims(sa, [ISSUER], now, now + 3600);
    const unsigned = `${b64({ alg: "RS256", kid: tokens.kid })}.${b64(claims)}.unsigned`;
    const [header, , signature] = tokens.sign(claims).split(".");
    const admin = {
      ...claims,
      sub: "system:serviceaccount:kube-system:default",
      "kubernetes.io": { namespace: "kube-system", serviceaccount: { name: "default" } },
    };
    const tampered = `${header}.${b64(admin)}.${signature}`;
    const foreign = otherCluster.sign(claims);
    const none = `${b64({ alg: "none" })}.${b64(claims)}.`;
    for (const token of [unsigned, tampered, foreign, none]) {
      const r = get("/api", { authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({
        kind: "Status",
        status: "Failure",
        reason: "Unauthorized",
        message: "Unauthorized",
        code: 401,
      });
    }
    expect(get("/api", bearer).status).toBe(200);
  });

  it("refuses a token for another audience, or whose service account or pod is gone", () => {
    expect(get("/api", { authorization: `Bearer ${tokens.sign(tokens.claims(sa, ["vault"], now, now + 3600))}` }).status).toBe(401);
    const ghost = { metadata: { name: "ghost", namespace: "dev", uid: "g" } };
    expect(get("/api", { authorization: `Bearer ${tokens.sign(tokens.claims(ghost, [ISSUER], now, now + 3600))}` }).status).toBe(401);
    const pod = { metadata: { name: "web", namespace: "dev", uid: "p1" }, spec: { serviceAccountName: "robot" } };
    objects.set("pods/dev/web", pod);
    const podToken = tokens.projected(pod, { path: "token", expirationSeconds: 3607 });
    expect(get("/api", { authorization: `Bearer ${podToken}` }).status).toBe(200);
    objects.set("pods/dev/web", { ...pod, metadata: { ...pod.metadata, uid: "p2" } }); // deleted and recreated
    expect(get("/api", { authorization: `Bearer ${podToken}` }).status).toBe(401);
  });

  it("writes the same projected token on every read until the kubelet would renew it", () => {
    const pod = {
      metadata: { name: "web", namespace: "dev", uid: "p2", creationTimestamp: new Date(Date.now() - 60_000).toISOString() },
      spec: { serviceAccountName: "robot" },
    };
    const a = tokens.projected(pod, { path: "token", expirationSeconds: 3607 });
    expect(tokens.projected(pod, { path: "token", expirationSeconds: 3607 })).toBe(a);
    const claims = JSON.parse(atob(a.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims).toMatchObject({
      aud: [ISSUER],
      iss: ISSUER,
      sub: "system:serviceaccount:dev:robot",
      "kubernetes.io": { namespace: "dev", pod: { name: "web", uid: "p2" }, serviceaccount: { name: "robot", uid: "u" } },
    });
    expect(claims.exp - claims.iat).toBe(3607);
    expect(claims["kubernetes.io"].warnafter).toBe(claims.iat + 3600);
    expect(JSON.parse(atob(a.split(".")[0]))).toEqual({ alg: "RS256", kid: tokens.kid });
  });
});
