import { describe, expect, it } from "vitest";
import { requestInfo, serveInCluster } from "../../durable/api/incluster";
import { serviceAccountJWT } from "../../durable/api/tokenrequest";

const q = new URLSearchParams();
const sa = { metadata: { name: "robot", namespace: "dev", uid: "u" } };
const now = Math.floor(Date.now() / 1000);
const bearer = { authorization: `Bearer ${serviceAccountJWT(sa, ["https://kubernetes.default.svc.cluster.local"], now, now + 3600)}` };
const get = (path: string, headers: Record<string, string> = {}) => serveInCluster({ method: "GET", path, headers });

describe("requestInfo (RequestInfoFactory)", () => {
  it("finds verb, group, resource, name and namespace", () => {
    expect(requestInfo("GET", "/api/v1/namespaces/d/pods", q)).toMatchObject({ verb: "list", group: "", resource: "pods", namespace: "d" });
    expect(requestInfo("GET", "/apis/apps/v1/namespaces/d/deployments/web/scale", q)).toMatchObject({ verb: "get", group: "apps", resource: "deployments", name: "web", subresource: "scale" });
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
      message: 'pods is forbidden: User "system:serviceaccount:dev:robot" cannot list resource "pods" in API group "" in the namespace "dev"',
      details: { kind: "pods" },
    });
    expect(JSON.parse(get("/api/v1/nodes/n1", bearer).body).message).toBe(
      'nodes "n1" is forbidden: User "system:serviceaccount:dev:robot" cannot get resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("answers 401 to a token it did not issue, or one that expired", () => {
    expect(get("/api", { authorization: "Bearer nonsense" }).status).toBe(401);
    const old = serviceAccountJWT(sa, [], now - 7200, now - 3600);
    expect(get("/api", { authorization: `Bearer ${old}` }).status).toBe(401);
  });
});
