// The API server as a pod sees it (https://kubernetes.default.svc from curl in a container): the
// request is authenticated by its bearer token — a service-account token from the pod's projected
// volume or `kubectl create token`, else anonymous — and authorized by RBAC over the cluster's Roles
// and bindings (api/rbac.ts), as every request is. What a pod may then read (get and list) is served
// from the store; writes from inside pods are not served.
import type { UserInfo } from "./identity";
import { authorize, type PolicySource } from "./rbac";
import { attributesFor, forbiddenError, impersonate, requestInfo } from "./authz";
import { ApiError } from "./status";
import { apiVersionOf } from "../resources/types";
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery";
import { KUBE_VERSION } from "./server";
import type { Obj } from "../resources/types";
import { builtins, resourceName, type ResourceTable } from "../resources";
import type { ServiceAccountTokens } from "./tokens";

type TokenVerifier = Pick<ServiceAccountTokens, "verify">;

export { requestInfo };

/** What serving a read needs: the objects as the API server serves them. */
export interface InClusterReader {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
  list(plural: string, namespace?: string): Obj[];
  /** The kinds the cluster serves, custom resources included (built-in ones without it). */
  readonly table?: ResourceTable;
}

const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

export interface InClusterReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The service account a token speaks for when this cluster's key signed it (tokens.ts), else
 *  undefined (the authenticator then answers 401). */
function tokenUser(token: string, tokens: TokenVerifier | undefined): UserInfo | undefined {
  const sa = tokens?.verify(token, Date.now());
  if (!sa) return undefined;
  return { username: sa.sub, groups: ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`, "system:authenticated"] };
}

/** The headers kube-apiserver's filters put on every answer (audit, no caching, nosniff). */
const apiHeaders = (contentType: string, body: string): Record<string, string> => ({
  "audit-id": crypto.randomUUID(),
  "cache-control": "no-cache, private",
  "content-type": contentType,
  "x-content-type-options": "nosniff",
  "content-length": String(new TextEncoder().encode(body).length),
});

const status = (code: number, reason: string, message: string, details: Obj = {}): InClusterReply => {
  // curl is a "human" client: the answer is pretty-printed (negotiation.isPrettyPrint).
  const body = JSON.stringify(
    { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details, code },
    null,
    2,
  );
  return { status: code, headers: apiHeaders("application/json", body), body };
};

/** What the non-resource paths a pod may read answer. */
function nonResource(path: string, serverAddress: string | undefined): InClusterReply | undefined {
  const ok = (body: Obj | string): InClusterReply => {
    const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    return {
      status: 200,
      headers: apiHeaders(typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", text),
      body: text,
    };
  };
  if (path === "/version" || path === "/version/") return ok(KUBE_VERSION);
  if (["/healthz", "/livez", "/readyz"].includes(path)) return ok("ok");
  const segs = path.split("/").filter(Boolean);
  // The API server names itself by its advertise address (where this request arrived).
  if (path === "/api" || path === "/api/")
    return ok({ ...apiVersions(), ...(serverAddress ? { serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] } : {}) });
  if (path === "/apis" || path === "/apis/") return ok(apiGroupList());
  if (segs[0] === "apis" && segs.length === 2) return apiGroup(segs[1]) && ok(apiGroup(segs[1])!);
  if ((segs[0] === "api" && segs.length === 2) || (segs[0] === "apis" && segs.length === 3)) {
    const list = apiResourceList(segs.slice(1).join("/"));
    return list && ok(list);
  }
  return undefined;
}

/** Serve one in-cluster HTTPS request to the API server. */
export function serveInCluster(
  req: { method: string; path: string; headers: Record<string, string> },
  {
    serverAddress,
    tokens,
    policy,
    reader,
  }: { serverAddress?: string; tokens?: TokenVerifier; policy?: PolicySource; reader?: InClusterReader } = {},
): InClusterReply {
  const url = new URL(req.path, "https://kubernetes.default.svc");
  const auth = req.headers["authorization"] ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  const user = bearer ? tokenUser(bearer, tokens) : ANONYMOUS;
  if (!user) return status(401, "Unauthorized", "Unauthorized");
  let actor: UserInfo;
  try {
    actor = impersonate(user, new Headers(req.headers), policy ?? NO_POLICY);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return status(e.code, e.reason, e.message, (e.details ?? {}) as Obj);
  }
  const a = attributesFor(actor, req.method, url.pathname, url.searchParams);
  const decision = authorize(policy ?? NO_POLICY, a);
  if (!decision.allowed) {
    const e = forbiddenError(a, decision.reason);
    return status(403, "Forbidden", e.message, e.details as Obj);
  }
  if (!a.resourceRequest)
    return nonResource(url.pathname, serverAddress) ?? status(404, "NotFound", "the server could not find the requested resource");
  const def = (reader?.table ?? builtins).lookup(a.apiGroup ?? "", a.apiVersion ?? "", a.resource ?? "");
  if (!def || (a.namespace && !def.namespaced && a.resource !== "namespaces"))
    return status(404, "NotFound", "the server could not find the requested resource");
  const qualified = def.group ? `${def.plural}.${def.group}` : def.plural;
  if (!reader || a.subresource || (a.verb !== "get" && a.verb !== "list"))
    return status(405, "MethodNotAllowed", `${qualified} is served to pods for get and list only in kubeplay`);
  if (a.verb === "get") {
    const obj = reader.get(resourceName(def), def.namespaced ? a.namespace : undefined, a.name ?? "");
    if (!obj)
      return status(404, "NotFound", `${qualified} ${JSON.stringify(a.name)} not found`, {
        name: a.name,
        ...(def.group ? { group: def.group } : {}),
        kind: def.plural,
      });
    return okJson(obj);
  }
  const items = reader.list(resourceName(def), def.namespaced ? a.namespace || undefined : undefined);
  const rv = items.reduce((m, o) => Math.max(m, Number(o.metadata?.resourceVersion ?? 0)), 0);
  return okJson({
    kind: def.listKind ?? `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: { resourceVersion: String(rv) },
    items: items.map(({ kind: _k, apiVersion: _v, ...rest }) => rest),
  });
}

const okJson = (body: Obj): InClusterReply => {
  const text = JSON.stringify(body, null, 2);
  return { status: 200, headers: apiHeaders("application/json", text), body: text };
};

/** The bootstrap policy's public part, for a caller that passes no policy (anonymous reads of /version). */
const NO_POLICY: PolicySource = {
  clusterRoleBindings: () => [],
  roleBindings: () => [],
  clusterRole: () => undefined,
  role: () => undefined,
};
