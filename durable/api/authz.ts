// Authorization of every request, as kube-apiserver's filter chain does it: WithImpersonation (the
// Impersonate-* headers, each checked with the `impersonate` verb), then WithAuthorization (RBAC over
// the stored Roles and bindings, read from a cache that changes only after commits).
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1";
import type { Ctx, Obj } from "../resources/types";
import type { Store } from "../store/store";
import { ADMIN, type UserInfo } from "./identity";
import { authorize, forbiddenStatus, type Attributes, type PolicySource } from "./rbac";
import { ApiError, badRequest } from "./status";
import { queryBool } from "./query";

const RBAC_PREFIX = "/rbac.authorization.k8s.io/";

interface Index {
  clusterRoleBindings: ClusterRoleBinding[];
  roleBindings: Map<string, RoleBinding[]>;
  clusterRoles: Map<string, ClusterRole>;
  roles: Map<string, Role>;
}

function index(list: (plural: string) => readonly Obj[]): Index {
  const roleBindings = new Map<string, RoleBinding[]>();
  for (const b of list("rolebindings") as RoleBinding[]) {
    const ns = b.metadata?.namespace ?? "";
    if (!roleBindings.has(ns)) roleBindings.set(ns, []);
    roleBindings.get(ns)!.push(b);
  }
  return {
    clusterRoleBindings: list("clusterrolebindings") as ClusterRoleBinding[],
    roleBindings,
    clusterRoles: new Map((list("clusterroles") as ClusterRole[]).map((r) => [r.metadata!.name!, r])),
    roles: new Map((list("roles") as Role[]).map((r) => [`${r.metadata!.namespace}/${r.metadata!.name}`, r])),
  };
}

function sourceOf(get: () => Index): PolicySource {
  return {
    clusterRoleBindings: () => get().clusterRoleBindings,
    roleBindings: (ns) => get().roleBindings.get(ns) ?? [],
    clusterRole: (name) => get().clusterRoles.get(name),
    role: (ns, name) => get().roles.get(`${ns}/${name}`),
  };
}

/** The policy as of the last commit: indexed once, dropped when a commit touches an RBAC object. */
export function storePolicy(store: Store): PolicySource {
  let cached: Index | undefined;
  store.subscribe((changes) => {
    if (changes.some((c) => c.key.startsWith(RBAC_PREFIX))) cached = undefined;
  });
  return sourceOf(() => (cached ??= index((plural) => store.current(`${RBAC_PREFIX}${plural}/`))));
}

/** The policy as a kind's hooks see it (uncached: reviews are rare). */
export function ctxPolicy(ctx: Pick<Ctx, "list">): PolicySource {
  let cached: Index | undefined;
  return sourceOf(() => (cached ??= index((plural) => ctx.list(plural))));
}

/** The attributes RequestInfoFactory.NewRequestInfo finds in a request to /api or /apis; undefined
 *  for a non-resource path (discovery of a group version included). */
export function requestInfo(method: string, path: string, query: URLSearchParams): Obj | undefined {
  const segs = path.split("/").filter(Boolean);
  let group = "",
    version: string,
    rest: string[];
  if (segs[0] === "api" && segs.length >= 2) [version, rest] = [segs[1], segs.slice(2)];
  else if (segs[0] === "apis" && segs.length >= 3) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  if (!rest.length) return undefined;
  let watch = false;
  if (rest[0] === "watch") (watch = true), (rest = rest.slice(1));
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    // namespaces/<name>/status and /finalize are the namespace's own subresources.
    if (rest.length > 2 && !["status", "finalize"].includes(rest[2])) rest = rest.slice(2);
  }
  let [resource, name, subresource] = rest;
  const verbs: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: name ? "delete" : "deletecollection" };
  let verb = verbs[method] ?? (name ? "get" : "list");
  if (watch || (!name && (method === "GET" || method === "HEAD") && queryBool(query, "watch"))) verb = "watch";
  // A list or watch of one name (kubectl get pod x -w) is authorized as that name.
  if (!name && (verb === "list" || verb === "watch")) {
    const exact = /(?:^|,)metadata\.name==?([^,]+)/.exec(query.get("fieldSelector") ?? "")?.[1];
    if (exact && !/[/%]/.test(exact) && exact !== "." && exact !== "..") name = exact;
  }
  return { verb, group, version, resource, name, subresource, namespace };
}

/** The authorizer.Attributes of a request by `user`. */
export function attributesFor(user: UserInfo, method: string, path: string, query: URLSearchParams): Attributes {
  const info = requestInfo(method, path, query);
  if (!info) {
    const verbs: Record<string, string> = { GET: "get", HEAD: "head", POST: "post", PUT: "put", PATCH: "patch", DELETE: "delete" };
    return { user, resourceRequest: false, verb: verbs[method] ?? method.toLowerCase(), path };
  }
  return {
    user,
    resourceRequest: true,
    verb: info.verb,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    namespace: info.namespace,
  };
}

/** responsewriters.Forbidden as an ApiError. */
export function forbiddenError(a: Attributes, reason: string): ApiError {
  const { message, details } = forbiddenStatus(a, reason);
  return new ApiError(403, "Forbidden", message, details);
}

/** Whether the session's own admin asks (it stays a cluster-admin whatever the bindings say, as
 *  system:masters would). */
export const isAdmin = (user: UserInfo) => user === ADMIN;

/** WithAuthorization: throws the 403 when the policy does not allow the request. */
export function authorizeRequest(policy: PolicySource, a: Attributes): void {
  if (isAdmin(a.user)) return;
  const d = authorize(policy, a);
  if (!d.allowed) throw forbiddenError(a, d.reason);
}

/** Whether `user` may do `a` (the admin may do anything). */
export function allowed(policy: PolicySource, a: Attributes): boolean {
  return isAdmin(a.user) || authorize(policy, a).allowed;
}

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** WithImpersonation: the user the request acts as. Each thing impersonated is checked with the
 *  `impersonate` verb for the requester; the first refused one is the 403. */
export function impersonate(requester: UserInfo, headers: Headers, policy: PolicySource): UserInfo {
  const username = headers.get("impersonate-user");
  const groupHeader = headers.get("impersonate-group");
  const groups = (groupHeader ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  const uid = headers.get("impersonate-uid");
  const extra: Record<string, string[]> = {};
  headers.forEach((value, key) => {
    if (!key.startsWith("impersonate-extra-")) return;
    const k = decodeURIComponent(key.slice("impersonate-extra-".length));
    extra[k] = value.split(",").map((v) => v.trim());
  });
  if (!username) {
    if (groups.length || uid || Object.keys(extra).length)
      throw badRequest(`requested impersonation of groups, extra or uid without impersonating a user`);
    return requester;
  }
  const check = (a: Omit<Attributes, "user" | "verb" | "resourceRequest">) => {
    const attrs: Attributes = { user: requester, verb: "impersonate", resourceRequest: true, ...a };
    authorizeRequest(policy, attrs);
  };
  const sa = SA_USER.exec(username);
  const out: string[] = [];
  if (sa) {
    check({ apiGroup: "", apiVersion: "v1", resource: "serviceaccounts", namespace: sa[1], name: sa[2] });
    if (!groups.length) out.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]}`);
  } else check({ apiGroup: "", apiVersion: "v1", resource: "users", name: username });
  for (const g of groups) {
    check({ apiGroup: "", apiVersion: "v1", resource: "groups", name: g });
    out.push(g);
  }
  for (const [k, values] of Object.entries(extra))
    for (const v of values) check({ apiGroup: "authentication.k8s.io", apiVersion: "v1", resource: "userextras", subresource: k, name: v });
  if (uid) check({ apiGroup: "authentication.k8s.io", apiVersion: "v1", resource: "uids", name: uid });
  if (username !== "system:anonymous") {
    if (!out.includes("system:authenticated") && !out.includes("system:unauthenticated")) out.push("system:authenticated");
  } else if (!out.includes("system:unauthenticated")) out.push("system:unauthenticated");
  return {
    username,
    ...(uid ? { uid } : {}),
    groups: out,
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
