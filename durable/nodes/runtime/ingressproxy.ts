// ingress-nginx's nginx on a request that reached the controller (its pod IP, its Service, a
// NodePort): the servers built from the Ingresses of its class (ingressrouting.ts) pick the backend,
// the backend Service's ready endpoints are tried in turn (nginx's round robin over the upstream,
// not kube-proxy), and the request goes on with the headers ingress-nginx sets (X-Request-ID,
// X-Real-IP, X-Forwarded-*). No match is the controller's default backend (404), a Service without
// endpoints 503, a refused endpoint 502, one that does not answer (a NetworkPolicy dropping the
// controller's SYN) 504 after proxy-connect-timeout. The response keeps the backend's headers but
// Server and Date, which are nginx's; every request is an access-log line of the controller.
import type { Ingress, IngressBackend } from "kubernetes-types/networking/v1";
import type { Obj } from "../../resources/types";
import { route, type Server } from "./ingressrouting";
import { httpDate, timeLocal, type HttpRequest, type LogAppender, type ServerReply } from "./servers";
import type { NetError, ServerCertificate } from "../../shell/types";

/** An endpoint of an upstream: where nginx connects (pod IP and target port). */
export interface Upstream {
  ip: string;
  port: number;
}

export interface ProxyContext {
  servers: Map<string, Server>;
  https: boolean;
  /** The client address nginx sees ($remote_addr). */
  remoteAddr: string;
  /** The port the request arrived on inside the pod (80 or 443). */
  port: number;
  now: number;
  controller: { pod: Obj; container: Obj };
  logs?: LogAppender;
  /** The Service's ready endpoints for a backend, or undefined when the Service or its port does not exist. */
  endpoints(ingress: Ingress, backend: IngressBackend): Upstream[] | undefined;
  /** Send the request from the controller pod to one endpoint. */
  send(upstream: Upstream, req: HttpRequest): ServerReply | NetError;
}

/** nginx's error pages as ingress-nginx serves them (server_tokens off: the footer says only "nginx"). */
export const nginxPage = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

const REASONS: Record<number, string> = {
  308: "Permanent Redirect",
  404: "Not Found",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

/** The upstream's name in nginx.conf and the logs: <namespace>-<service>-<port>. */
export function upstreamName(ingress: Ingress, backend: IngressBackend): string {
  const port = backend.service?.port?.number ?? backend.service?.port?.name ?? "";
  return `${ingress.metadata?.namespace}-${backend.service?.name ?? backend.resource?.name}-${port}`;
}

/** nginx's upstream round robin: one counter per upstream. */
const turns = new Map<string, number>();
let requests = 0;

/** $req_id: 16 random bytes in hex; derived from the time and a counter so a run is reproducible. */
function requestId(now: number): string {
  let h = 0x811c9dc5;
  let out = "";
  const seed = `${now}/${requests++}`;
  for (let i = 0; i < 4; i++) {
    for (const ch of `${seed}/${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

function page(status: number, https: boolean, extra: Record<string, string> = {}): ServerReply & { reason?: string } {
  const body = nginxPage(status, REASONS[status]);
  return { kind: "http", status, reason: REASONS[status], headers: nginxHeaders(body, "text/html", https, extra), body };
}

function nginxHeaders(body: string, type: string | undefined, https: boolean, extra: Record<string, string>): Record<string, string> {
  return {
    date: "",
    ...(type ? { "content-type": type } : {}),
    "content-length": String(byteLength(body)),
    // HTTP/2 (what curl negotiates over TLS) has no Connection header.
    ...(https ? {} : { connection: "keep-alive" }),
    ...extra,
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** The controller's log format (upstreaminfo). */
function accessLine(k: ProxyContext, req: HttpRequest, status: number, bytes: number, upstream: string, addr: string, id: string): string {
  const h = (name: string) => req.headers[name] || "-";
  const length =
    byteLength(`${req.method} ${req.path} HTTP/1.1\r\n`) +
    Object.entries(req.headers).reduce((n, [a, b]) => n + a.length + b.length + 4, 2);
  const upstreamStatus = addr === "-" ? "-" : String(status);
  return `${k.remoteAddr} - - [${timeLocal(k.now)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes} "${h("referer")}" "${h("user-agent")}" ${length} 0.002 [${upstream}] [] ${addr} ${addr === "-" ? "-" : bytes} ${addr === "-" ? "-" : "0.002"} ${upstreamStatus} ${id}`;
}

/** Answer one request the way ingress-nginx would; `reason` is nginx's own phrase for its error pages. */
export function proxyIngress(req: HttpRequest, k: ProxyContext): ServerReply & { reason?: string } {
  const host = req.headers.host ?? "";
  const r = route(k.servers, host, req.path, k.https);
  const id = requestId(k.now);
  const log = (status: number, bytes: number, upstream: string, addr: string) =>
    k.logs?.append(
      k.controller.pod.metadata.uid,
      k.controller.container.name,
      0,
      accessLine(k, req, status, bytes, upstream, addr, id),
      k.now,
    );
  const finish = (reply: ServerReply & { reason?: string }, upstream: string, addr: string) => {
    if (reply.kind === "http") {
      reply.headers.date = httpDate(k.now);
      log(reply.status, byteLength(reply.body), upstream, addr);
    }
    return reply;
  };
  if (r.kind === "redirect") return finish(page(308, false, { location: r.location }), "-", "-");
  if (r.kind === "not-found") return finish(page(404, k.https), "upstream-default-backend", "-");
  const name = upstreamName(r.ingress, r.backend);
  const eps = k.endpoints(r.ingress, r.backend);
  if (!eps?.length) return finish(page(503, k.https), name, "-");
  const n = turns.get(name) ?? 0;
  turns.set(name, n + 1);
  const up = eps[n % eps.length];
  const headers: Record<string, string> = {
    ...req.headers,
    host,
    "x-request-id": id,
    "x-real-ip": k.remoteAddr,
    "x-forwarded-for": req.headers["x-forwarded-for"] ? `${req.headers["x-forwarded-for"]}, ${k.remoteAddr}` : k.remoteAddr,
    "x-forwarded-host": host.replace(/:\d+$/, ""),
    "x-forwarded-port": String(k.port),
    "x-forwarded-proto": k.https ? "https" : "http",
    "x-forwarded-scheme": k.https ? "https" : "http",
    "x-scheme": k.https ? "https" : "http",
  };
  const answer = k.send(up, { method: req.method, path: r.uri, headers, body: req.body });
  const addr = `${up.ip}:${up.port}`;
  if ("error" in answer) return finish(page(answer.code === 28 ? 504 : 502, k.https), name, addr);
  if (answer.kind !== "http") return finish(page(502, k.https), name, addr);
  const kept = Object.fromEntries(
    Object.entries(answer.headers).filter(
      ([h]) => !["server", "date", "connection", "content-length", "transfer-encoding", "keep-alive"].includes(h),
    ),
  );
  const type = kept["content-type"];
  delete kept["content-type"];
  return finish(
    { kind: "http", status: answer.status, headers: nginxHeaders(answer.body, type, k.https, kept), body: answer.body },
    name,
    addr,
  );
}

/** ingress-nginx's own certificate for hosts without a TLS secret. */
export function fakeCertificate(created: number, certDate: (ms: number) => string): ServerCertificate {
  return {
    subject: "O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate",
    issuer: "O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate",
    issuerPEM: undefined,
    names: ["ingress.local"],
    notBefore: certDate(created),
    notAfter: certDate(created + 365 * 86_400_000),
    untrusted: "self-signed certificate",
  };
}
