// The API server as a pod sees it (https://kubernetes.default.svc from curl in a container): the
// request is authenticated by its bearer token — a service-account token from the pod's projected
// volume or `kubectl create token`, else anonymous — and authorized by RBAC over the bootstrap
// bindings (resources/authorization.ts). No Roles are served, so a service account may read
// discovery and the health and version paths, and is refused every resource with the real message.
import { authorize } from "../resources/authorization";
import type { UserInfo } from "./identity";
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery";
import { KUBE_VERSION } from "./server";
import type { Obj } from "../resources/types";
import { lookup } from "../resources";
import { queryBool } from "./query";
import type { ServiceAccountTokens } from "./tokens";

type TokenVerifier = Pick<ServiceAccountTokens, "verify">;

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

/** RequestInfoFactory.NewRequestInfo, for the paths a pod asks: resource requests under /api and /apis. */
export function requestInfo(method: string, path: string, query: URLSearchParams): Obj | undefined {
  const segs = path.split("/").filter(Boolean);
  let group = "",
    version: string,
    rest: string[];
  if (segs[0] === "api" && segs.length >= 2) [version, rest] = [segs[1], segs.slice(2)];
  else if (segs[0] === "apis" && segs.length >= 3) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  if (!rest.length) return undefined; // discovery of a group version: a non-resource path
  let watch = false;
  if (rest[0] === "watch") (watch = true), (rest = rest.slice(1));
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    // namespaces/<name>/status and /finalize are the namespace's own subresources.
    if (rest.length > 2 && !["status", "finalize"].includes(rest[2])) rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const verbs: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: name ? "delete" : "deletecollection" };
  let verb = verbs[method] ?? (name ? "get" : "list");
  if (watch || (method === "GET" && queryBool(query, "watch"))) verb = "watch";
  return { verb, group, version, resource, name, subresource, namespace };
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
  { serverAddress, tokens }: { serverAddress?: string; tokens?: TokenVerifier } = {},
): InClusterReply {
  const url = new URL(req.path, "https://kubernetes.default.svc");
  const auth = req.headers["authorization"] ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  const user = bearer ? tokenUser(bearer, tokens) : ANONYMOUS;
  if (!user) return status(401, "Unauthorized", "Unauthorized");
  const info = requestInfo(req.method, url.pathname, url.searchParams);
  if (!info) {
    const verb = req.method === "GET" || req.method === "HEAD" ? "get" : req.method.toLowerCase();
    const decision = authorize(user, { nonResourceAttributes: { verb, path: url.pathname } });
    if (!decision.allowed) return status(403, "Forbidden", `forbidden: User "${user.username}" cannot ${verb} path "${url.pathname}"`);
    return nonResource(url.pathname, serverAddress) ?? status(404, "NotFound", "the server could not find the requested resource");
  }
  const decision = authorize(user, { resourceAttributes: info });
  // Only cluster-admins could get further, and no service account is one.
  const def = lookup(info.group, info.version, info.resource);
  const qualified = info.group ? `${info.resource}.${info.group}` : info.resource;
  const what = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : "at the cluster scope";
  if (!decision.allowed || !def) {
    const subject = info.name ? `${qualified} "${info.name}"` : qualified;
    return status(
      403,
      "Forbidden",
      `${subject} is forbidden: User "${user.username}" cannot ${info.verb} resource "${what}" in API group "${info.group}" ${scope}`,
      {
        ...(info.name ? { name: info.name } : {}),
        ...(info.group ? { group: info.group } : {}),
        kind: info.resource,
      },
    );
  }
  return status(403, "Forbidden", `${qualified} is forbidden: kubeplay serves in-cluster requests to service accounts only`);
}
