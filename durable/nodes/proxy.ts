// The API server proxy: services/{[scheme:]name[:port]}/proxy/…, pods/…/proxy/… and nodes/…/proxy/…
// (pkg/registry/core/{service,pod,node} ResourceLocation + apimachinery's UpgradeAwareHandler). The
// request goes straight to a pod's port (the API server dials endpoints itself, no kube-proxy), and
// the simulated app answers; a failed dial is a 503 "error trying to reach service: …".
import type { SubresourceHandler } from "../api/server";
import type { Registry } from "../api/registry";
import { ApiError, badRequest } from "../api/status";
import type { Obj } from "../resources/types";
import { bridgeIP, pickEndpoint, podHTTP, readyEndpoints, type ClusterReader } from "./runtime/network";
import type { LogAppender, ServerReply } from "./runtime/servers";

const unavailable = (message: string) => new ApiError(503, "ServiceUnavailable", message);

/** net.SplitSchemeNamePort: "name", "name:port" or "scheme:name:port". */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(":");
  const [scheme, name, port] =
    parts.length === 1 ? ["", parts[0], ""] : parts.length === 2 ? ["", parts[0], parts[1]] : parts.length === 3 ? parts : [];
  if (!name || !["", "http", "https"].includes(scheme ?? "x")) return undefined;
  return { scheme: scheme || "http", name, port: port ?? "" };
}

/** The proxied path after ".../<plural>/<id>/proxy", or undefined when the URL ends at "proxy" (no slash). */
export function proxiedPath(pathname: string, plural: string): string | undefined {
  const parts = pathname.split("/");
  for (let i = 2; i < parts.length; i++) {
    if (parts[i] === "proxy" && parts[i - 2] === plural) return i === parts.length - 1 ? undefined : `/${parts.slice(i + 1).join("/")}`;
  }
  return "/";
}

/** Headers the proxy passes on (no credentials), plus X-Forwarded-For as Go's ReverseProxy adds it. */
function forwardHeaders(req: Request, host: string): Record<string, string> {
  const out: Record<string, string> = { host };
  for (const k of ["user-agent", "accept", "accept-language", "content-type", "referer", "cookie"]) {
    const v = req.headers.get(k);
    if (v) out[k] = v;
  }
  out["accept-encoding"] = "gzip";
  out["x-forwarded-for"] = req.headers.get("cf-connecting-ip") ?? req.headers.get("x-real-ip") ?? "127.0.0.1";
  return out;
}

/** Turn what the backend answered into the proxy's response (or the API server's 503). */
function relay(reply: ServerReply | { refused: true }, ip: string, port: number, scheme: string): Response {
  const dial = `${ip}:${port}`;
  if ("refused" in reply) throw unavailable(`error trying to reach service: dial tcp ${dial}: connect: connection refused`);
  if (scheme === "https" && !(reply.kind === "http" && reply.status === 400 && reply.body.startsWith("Client sent an HTTP request")))
    throw unavailable("error trying to reach service: tls: first record does not look like a TLS handshake");
  if (scheme === "https")
    throw unavailable("error trying to reach service: tls: failed to verify certificate: x509: certificate signed by unknown authority");
  if (reply.kind === "eof") throw unavailable("error trying to reach service: EOF");
  if (reply.kind === "garbage")
    throw unavailable(
      `error trying to reach service: net/http: HTTP/1.x transport connection broken: malformed HTTP response ${JSON.stringify(reply.text)}`,
    );
  const headers = new Headers();
  for (const [k, v] of Object.entries(reply.headers))
    if (!["content-length", "connection", "transfer-encoding"].includes(k)) headers.set(k, v);
  const empty = reply.status === 204 || reply.status === 304;
  return new Response(empty ? null : reply.body, { status: reply.status, headers });
}

async function bodyOf(req: Request): Promise<string | undefined> {
  return req.method === "GET" || req.method === "HEAD" ? undefined : await req.text();
}

export function proxyHandlers(
  registry: Registry,
  client: ClusterReader,
  logs: LogAppender | undefined,
  now: () => number = () => Date.now(),
): Record<string, SubresourceHandler> {
  const nodeOf = (pod: Obj) => (pod.spec?.nodeName ? client.get("nodes", undefined, pod.spec.nodeName) : undefined);

  /** Location resolved: send the request to a pod's port. */
  async function send(
    req: Request,
    url: URL,
    plural: string,
    pod: Obj | undefined,
    ip: string,
    port: number,
    scheme: string,
  ): Promise<Response> {
    const path = proxiedPath(url.pathname, plural);
    if (path === undefined) return new Response(null, { status: 301, headers: { location: `${url.pathname}/${url.search}` } });
    const host = `${ip}:${port}`;
    const request = { method: req.method, path: `${path}${url.search}`, headers: forwardHeaders(req, host), body: await bodyOf(req) };
    const reply = pod ? podHTTP(pod, port, request, bridgeIP(nodeOf(pod)), now(), logs, client) : ({ refused: true } as const);
    return relay(reply, ip, port, scheme);
  }

  const services: SubresourceHandler = async (req, def, ns, id, url) => {
    const loc = splitSchemeNamePort(id);
    if (!loc) throw badRequest(`invalid service request ${JSON.stringify(id)}`);
    const svc = registry.get(def, ns, loc.name);
    const ports: Obj[] = svc.spec?.ports ?? [];
    if (svc.spec?.type === "ExternalName")
      throw new ApiError(500, "InternalError", `Internal error occurred: unsupported service type "ExternalName"`);
    const sp = loc.port === "" ? ports[0] : ports.find((p) => p.name === loc.port || String(p.port) === loc.port);
    if (!sp) throw unavailable(`no service port ${JSON.stringify(loc.port)} found for service ${JSON.stringify(svc.metadata.name)}`);
    const eps = readyEndpoints(client, svc, sp);
    if (!eps.length) throw unavailable(`no endpoints available for service ${JSON.stringify(svc.metadata.name)}`);
    const ep = pickEndpoint(svc, sp, eps, "apiserver", now());
    const pod = ep.targetRef?.kind === "Pod" ? client.get("pods", ep.targetRef.namespace, ep.targetRef.name) : undefined;
    return send(req, url, "services", pod, ep.ip, ep.port, loc.scheme);
  };

  const pods: SubresourceHandler = async (req, def, ns, id, url) => {
    const loc = splitSchemeNamePort(id);
    if (!loc) throw badRequest(`invalid pod request ${JSON.stringify(id)}`);
    const pod = registry.get(def, ns, loc.name);
    const containers: Obj[] = pod.spec?.containers ?? [];
    let port = loc.port;
    if (port === "") port = String(containers.find((c) => c.ports?.length)?.ports[0].containerPort ?? 80);
    if (!/^\d+$/.test(port)) {
      const named = containers.flatMap((c) => (c.ports ?? []) as Obj[]).find((p) => p.name === port);
      if (!named) throw unavailable(`error trying to reach service: dial tcp: lookup tcp/${port}: unknown port`);
      port = String(named.containerPort);
    }
    if (!pod.status?.podIP) throw badRequest("address not allowed");
    return send(req, url, "pods", pod, pod.status.podIP, Number(port), loc.scheme);
  };

  /** The kubelet's own server on 10250 (what nodes/x/proxy reaches). */
  const nodes: SubresourceHandler = async (req, def, _ns, id, url) => {
    const loc = splitSchemeNamePort(id);
    if (!loc) throw badRequest(`invalid node request ${JSON.stringify(id)}`);
    const node = registry.get(def, undefined, loc.name);
    const path = proxiedPath(url.pathname, "nodes");
    if (path === undefined) return new Response(null, { status: 301, headers: { location: `${url.pathname}/${url.search}` } });
    const port = loc.port || "10250";
    const ip = ((node.status?.addresses ?? []) as Obj[]).find((a) => a.type === "InternalIP")?.address ?? "";
    if (port !== "10250") throw unavailable(`error trying to reach service: dial tcp ${ip}:${port}: connect: connection refused`);
    const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (path === "/healthz") return text(200, "ok");
    if (path === "/pods" || path === "/pods/") {
      const items = client.list("pods").filter((p) => p.spec?.nodeName === node.metadata.name);
      return new Response(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items }), {
        headers: { "content-type": "application/json" },
      });
    }
    return text(404, "404 page not found\n");
  };

  return { "services/proxy": services, "pods/proxy": pods, "nodes/proxy": nodes };
}
