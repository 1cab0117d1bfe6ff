// How ingress-nginx turns the Ingresses of its class into nginx servers and locations, and which
// location a request lands in. One server per host (a rule without host, and every unknown Host,
// fall to the catch-all "_"); the oldest Ingress wins a path two of them define. Prefix is matched
// by path elements (ingress-nginx writes `location = /foo` and `location /foo/`), Exact exactly,
// ImplementationSpecific as nginx's own prefix location (by characters). An Ingress of a host with
// use-regex or rewrite-target turns every path of that host into a case-insensitive regex location,
// tried longest first; rewrite-target replaces the URI with its capture groups as nginx's rewrite
// does. A request that matches nothing goes to the server's root location: the defaultBackend of
// the Ingress that made the server, else the controller's default backend (404). Pure: no cluster reads.
import type { HTTPIngressPath, Ingress, IngressBackend } from "kubernetes-types/networking/v1";

export const ANN_PREFIX = "nginx.ingress.kubernetes.io/";
export const CATCH_ALL = "_";

export interface Location {
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
  ingress: Ingress;
  backend: IngressBackend;
  rewriteTarget?: string;
}

export interface Server {
  host: string;
  locations: Location[];
  /** Paths are regular expressions (use-regex or rewrite-target on an Ingress of this host). */
  regex: boolean;
  /** Where a request no location takes goes: the defaultBackend of the Ingress that made this server. */
  fallback?: { ingress: Ingress; backend: IngressBackend };
  /** The TLS secret ("namespace/name") of the host, and whether plain HTTP is redirected to HTTPS. */
  tls?: { secret?: string; namespace: string; sslRedirect: boolean };
}

export type Route =
  | { kind: "backend"; server: Server; ingress: Ingress; backend: IngressBackend; location?: Location; uri: string }
  | { kind: "redirect"; location: string }
  | { kind: "not-found"; server: Server };

const annotation = (ing: Ingress, name: string) => ing.metadata?.annotations?.[`${ANN_PREFIX}${name}`];
const created = (ing: Ingress) => Date.parse(ing.metadata?.creationTimestamp ?? "") || 0;
const oldestFirst = (a: Ingress, b: Ingress) =>
  created(a) - created(b) || `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`);

/** The servers nginx.conf would hold for these Ingresses (already those of the controller's class). */
export function buildServers(ingresses: Ingress[]): Map<string, Server> {
  const servers = new Map<string, Server>();
  const server = (host: string) => {
    let s = servers.get(host);
    if (!s) servers.set(host, (s = { host, locations: [], regex: false }));
    return s;
  };
  server(CATCH_ALL);
  for (const ing of [...ingresses].sort(oldestFirst)) {
    const regex = annotation(ing, "use-regex") === "true" || annotation(ing, "rewrite-target") !== undefined;
    const rewriteTarget = annotation(ing, "rewrite-target");
    const def = ing.spec?.defaultBackend;
    const catchAll = server(CATCH_ALL);
    // An Ingress with a backend and no rule configures the catch-all server; one with rules, the
    // servers it creates first.
    if (def && !catchAll.fallback && !ing.spec?.rules?.length) catchAll.fallback = { ingress: ing, backend: def };
    for (const rule of ing.spec?.rules ?? []) {
      const isNew = !servers.has(rule.host || CATCH_ALL);
      const s = server(rule.host || CATCH_ALL);
      if (regex) s.regex = true;
      if (def && isNew) s.fallback = { ingress: ing, backend: def };
      for (const p of (rule.http?.paths ?? []) as HTTPIngressPath[]) {
        const path = p.path || "/";
        const pathType = (p.pathType ?? "ImplementationSpecific") as Location["pathType"];
        if (s.locations.some((l) => l.path === path && (l.pathType === "Exact") === (pathType === "Exact"))) continue;
        s.locations.push({ path, pathType, ingress: ing, backend: p.backend, rewriteTarget });
      }
    }
    for (const tls of ing.spec?.tls ?? [])
      for (const host of tls.hosts ?? []) {
        const s = server(host);
        s.tls ??= {
          secret: tls.secretName ? `${ing.metadata?.namespace}/${tls.secretName}` : undefined,
          namespace: ing.metadata?.namespace ?? "default",
          sslRedirect: annotation(ing, "ssl-redirect") !== "false",
        };
      }
  }
  return servers;
}

/** nginx's server_name: an exact name, else a wildcard of one leading label, else the catch-all. */
export function serverFor(servers: Map<string, Server>, hostHeader: string): Server {
  const host = hostHeader.replace(/:\d+$/, "").toLowerCase();
  const exact = servers.get(host);
  if (exact && host !== CATCH_ALL) return exact;
  const dot = host.indexOf(".");
  const wildcard = dot > 0 ? servers.get(`*${host.slice(dot)}`) : undefined;
  return wildcard ?? servers.get(CATCH_ALL)!;
}

/** Does a non-regex location take this URI path, and how long is its match (nginx picks the longest)? */
function prefixMatch(loc: Location, path: string): boolean {
  if (loc.pathType === "Exact") return path === loc.path;
  if (loc.pathType === "Prefix") {
    if (loc.path === "/") return true;
    const base = loc.path.replace(/\/+$/, "");
    return path === base || path.startsWith(`${base}/`);
  }
  return path.startsWith(loc.path);
}

/** A case-insensitive regex location (`location ~* "^/path"`), or null when the path is no regex. */
function regexOf(path: string): RegExp | null {
  try {
    return new RegExp(`^${path}`, "i");
  } catch {
    return null;
  }
}

/** The location nginx chooses in a server for a URI path. */
export function matchLocation(server: Server, path: string): Location | undefined {
  const exact = server.locations.find((l) => l.pathType === "Exact" && l.path === path);
  if (exact) return exact;
  const others = server.locations.filter((l) => l.pathType !== "Exact").sort((a, b) => b.path.length - a.path.length);
  if (server.regex) return others.find((l) => regexOf(l.path)?.test(path));
  return others.find((l) => prefixMatch(l, path));
}

/** nginx's `rewrite "(?i)<path>" <target> break;`: the whole URI becomes the target, $n its groups. */
export function rewrite(location: Location, path: string): string {
  if (location.rewriteTarget === undefined) return path;
  let m: RegExpExecArray | null = null;
  try {
    m = new RegExp(location.path, "i").exec(path);
  } catch {
    return path;
  }
  if (!m) return path;
  return location.rewriteTarget.replace(/\$(\d)/g, (_, n: string) => m![Number(n)] ?? "");
}

/** Route one request: Host header, URI (path and query) and whether it came over TLS. */
export function route(servers: Map<string, Server>, hostHeader: string, uri: string, https: boolean): Route {
  const server = serverFor(servers, hostHeader);
  const q = uri.indexOf("?");
  const path = q < 0 ? uri : uri.slice(0, q);
  const query = q < 0 ? "" : uri.slice(q);
  if (!https && server.host !== CATCH_ALL && server.tls?.sslRedirect)
    return { kind: "redirect", location: `https://${hostHeader.replace(/:\d+$/, "")}${uri}` };
  const location = matchLocation(server, path || "/");
  if (location)
    return {
      kind: "backend",
      server,
      ingress: location.ingress,
      backend: location.backend,
      location,
      uri: `${rewrite(location, path)}${query}`,
    };
  const fallback = server.fallback;
  if (fallback) return { kind: "backend", server, ingress: fallback.ingress, backend: fallback.backend, uri };
  return { kind: "not-found", server };
}
