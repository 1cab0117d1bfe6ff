// What the simulated containers answer on the ports they listen on: nginx/httpd default pages with
// their access-log lines, hello-node, echo servers, CoreDNS health, the API server, a generic web
// server on declared containerPorts, and the non-HTTP servers (redis, postgres, mysql) that make an
// HTTP client fail the way a real one does.
import type { Obj } from "../../resources/types";
import { imageBehaviour, imageServer, NGINX_INDEX, type ServerName } from "./images";
import type { FSReader } from "./fs";
import { servedFS } from "./files";
import { containerArgv } from "./container";
import { APPS } from "./apps";
import type { ClusterReader } from "./network";

export interface HttpRequest {
  method: string;
  /** The path with query, e.g. "/index.html?x=1". */
  path: string;
  /** Header names lower-case. */
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What came back on the connection: an HTTP response, bytes that are not HTTP, or a close. */
export type ServerReply =
  | ({ kind: "http" } & HttpResponse)
  | { kind: "garbage"; text: string }
  | { kind: "eof" /** ms the server holds the connection silent first */; after?: number };

/** Where server-side log lines go (the LogStore's append). */
export interface LogAppender {
  append(podUid: string, container: string, restart: number, line: string, at: number): void;
}

export interface ServeContext {
  pod: Obj;
  container: Obj;
  /** The client's address as the server sees it (after kube-proxy). */
  remoteAddr: string;
  now: number;
  logs?: LogAppender;
  /** Lets a web server read its document root from the container's files (mounted ConfigMaps …). */
  reader?: FSReader;
}

/** The repository's last path element and the tag: "registry.k8s.io/echoserver:1.4" → ["echoserver", "1.4"]. */
function imageName(image: string): [string, string] {
  const noDigest = (image ?? "").split("@")[0];
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const tag = colon > slash ? noDigest.slice(colon + 1) : "latest";
  return [repo.slice(repo.lastIndexOf("/") + 1).toLowerCase(), tag];
}

/** Which server an image runs and the ports it listens on by itself (the image catalogue's). */
export function serverOf(image: string): { kind: ServerName; ports: number[] } {
  return { kind: imageServer(image), ports: imageBehaviour(image).ports };
}

/** The ports a container listens on: its image's, or for a generic web server its declared ports. */
export function listeningPorts(container: Obj): number[] {
  const own = imageBehaviour(container.image);
  if (own.listens) return own.listens(containerArgv(container, own).argv);
  if (own.http) return own.ports;
  const { kind, ports } = serverOf(container.image);
  const declared = ((container.ports ?? []) as Obj[]).filter((p) => (p.protocol ?? "TCP") === "TCP").map((p) => p.containerPort as number);
  if (kind === "generic") return declared.length ? declared : [80];
  return ports;
}

/** The running container of a pod that listens on `port`, if any. */
export function listener(pod: Obj, port: number): Obj | undefined {
  const statuses: Obj[] = pod.status?.containerStatuses ?? [];
  return ((pod.spec?.containers ?? []) as Obj[]).find(
    (c) => statuses.find((s) => s.name === c.name)?.state?.running && listeningPorts(c).includes(port),
  );
}

// ---- texts ------------------------------------------------------------------------------------

/** nginx's welcome page is the image's index.html (see the catalogue). */
export const NGINX_WELCOME = NGINX_INDEX;

export const HTTPD_IT_WORKS = "<html><body><h1>It works!</h1></body></html>\n";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** nginx/Apache $time_local in UTC: "21/Nov/2026:22:01:02 +0000". */
export function timeLocal(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** An HTTP Date header: "Sat, 21 Nov 2026 22:01:02 GMT". */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** nginx's "main" log format (the official image's nginx.conf). */
export function nginxAccessLine(remote: string, req: HttpRequest, status: number, bytes: number, at: number): string {
  const h = (k: string) => req.headers[k] || "-";
  return `${remote} - - [${timeLocal(at)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes} "${h("referer")}" "${h("user-agent")}" "${h("x-forwarded-for")}"`;
}

/** Apache's common log format (the httpd image's default). */
export function httpdAccessLine(remote: string, req: HttpRequest, status: number, bytes: number, at: number): string {
  return `${remote} - - [${timeLocal(at)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes === 0 ? "-" : bytes}`;
}

function nginxVersion(image: string): string {
  const [, tag] = imageName(image);
  const m = /^(\d+\.\d+\.\d+)/.exec(tag);
  return m ? m[1] : "1.27.5";
}

const nginxError = (status: number, text: string, version: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`;

const hostnameOf = (pod: Obj) => pod.spec?.hostname ?? pod.metadata?.name ?? "localhost";
const restartOf = (pod: Obj, container: string) =>
  ((pod.status?.containerStatuses ?? []) as Obj[]).find((s) => s.name === container)?.restartCount ?? 0;
const pathOnly = (path: string) => path.split("?")[0] || "/";

function reply(status: number, body: string, headers: Record<string, string> = {}): ServerReply {
  return { kind: "http", status, headers: { "content-length": String(new TextEncoder().encode(body).length), ...headers }, body };
}

// ---- servers ----------------------------------------------------------------------------------

type Server = (req: HttpRequest, k: ServeContext) => ServerReply;

const MIME: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "application/javascript",
  json: "application/json",
  txt: "text/plain",
  svg: "image/svg+xml",
  xml: "text/xml",
};

/**
 * A document under `root` for a request path, from the container's files as they are now (files.ts);
 * `forbidden` for a directory without index.html. Without a reader, the image's default page.
 */
function document(k: ServeContext, root: string, path: string, fallback: string): { body: string; type: string } | "forbidden" | undefined {
  let p = `${root}${decodeURIComponent(path)}`;
  if (!k.reader) return path === "/" || path === "/index.html" ? { body: fallback, type: "text/html" } : undefined;
  const fs = servedFS(k.pod, k.container, k.now, k.reader as ClusterReader & FSReader);
  if (fs.isDir(p)) p = `${p.replace(/\/$/, "")}/index.html`;
  const body = fs.read(p);
  if (body === undefined)
    return fs.isDir(p.slice(0, p.lastIndexOf("/")) || "/") && p.endsWith("/index.html") && path.endsWith("/") ? "forbidden" : undefined;
  return { body, type: MIME[p.slice(p.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream" };
}

const nginx: Server = (req, k) => {
  const version = nginxVersion(k.container.image);
  const path = pathOnly(req.path);
  let status = 200;
  let body: string;
  const headers: Record<string, string> = { server: `nginx/${version}`, date: httpDate(k.now), "content-type": "text/html" };
  const doc = ["GET", "HEAD", "POST"].includes(req.method) ? document(k, "/usr/share/nginx/html", path, NGINX_WELCOME) : undefined;
  if (!["GET", "HEAD", "POST"].includes(req.method) || (doc && doc !== "forbidden" && req.method === "POST"))
    [status, body] = [405, nginxError(405, "Not Allowed", version)];
  else if (doc === "forbidden") [status, body] = [403, nginxError(403, "Forbidden", version)];
  else if (!doc) [status, body] = [404, nginxError(404, "Not Found", version)];
  else {
    body = doc.body;
    const size = new TextEncoder().encode(body).length;
    Object.assign(headers, {
      "content-type": doc.type,
      "last-modified": "Tue, 13 Aug 2024 10:00:00 GMT",
      etag: `"66bb2e20-${size.toString(16)}"`,
      "accept-ranges": "bytes",
    });
  }
  const bytes = req.method === "HEAD" ? 0 : new TextEncoder().encode(body).length;
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    nginxAccessLine(k.remoteAddr, req, status, bytes, k.now),
    k.now,
  );
  const r = reply(status, body, headers) as HttpResponse;
  return { kind: "http", ...r, body: req.method === "HEAD" ? "" : body };
};

const httpd: Server = (req, k) => {
  const found = document(k, "/usr/local/apache2/htdocs", pathOnly(req.path), HTTPD_IT_WORKS);
  const doc = found === "forbidden" ? undefined : found;
  const body =
    doc?.body ??
    `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`;
  const status = doc ? 200 : 404;
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    httpdAccessLine(k.remoteAddr, req, status, new TextEncoder().encode(body).length, k.now),
    k.now,
  );
  return reply(status, body, {
    server: "Apache/2.4.65 (Unix)",
    date: httpDate(k.now),
    "content-type": doc ? doc.type : "text/html; charset=iso-8859-1",
  });
};

/** The minikube tutorial's server.js: `console.log('Received request for URL: ' + request.url)`. */
const hello: Server = (req, k) => {
  k.logs?.append(k.pod.metadata.uid, k.container.name, restartOf(k.pod, k.container.name), `Received request for URL: ${req.path}`, k.now);
  return {
    kind: "http",
    status: 200,
    headers: { date: httpDate(k.now), connection: "keep-alive", "transfer-encoding": "chunked" },
    body: "Hello World!",
  };
};

/** gcr.io/google-samples/hello-app. */
const helloApp: Server = (req, k) => {
  const d = new Date(k.now);
  const stamp = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `${stamp} Serving request: ${pathOnly(req.path)}`,
    k.now,
  );
  const [, tag] = imageName(k.container.image);
  const version = /^\d+\.\d+$/.test(tag) ? `${tag}.0` : "1.0.0";
  return reply(200, `Hello, world!\nVersion: ${version}\nHostname: ${hostnameOf(k.pod)}\n`, {
    "content-type": "text/plain; charset=utf-8",
    date: httpDate(k.now),
  });
};

const headerLines = (req: HttpRequest, sep: string) =>
  Object.entries(req.headers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${sep}${k}=${v}`)
    .join("\n");

/** registry.k8s.io/echoserver:1.10 (what hello-minikube runs). */
const echoserver: Server = (req, k) => {
  const [path, query = ""] = req.path.split("?");
  const host = req.headers.host ?? "";
  const body =
    `\n\nHostname: ${hostnameOf(k.pod)}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\n` +
    `Request Information:\n\tclient_address=${k.remoteAddr}\n\tmethod=${req.method}\n\treal path=${path}\n\tquery=${query}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://${host}${req.path}\n\n` +
    `Request Headers:\n${headerLines(req, "\t")}\n\nRequest Body:\n\t${req.body ? req.body : "-no body in request-"}\n\n`;
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `${k.remoteAddr} - - [${timeLocal(k.now)}] "${req.method} ${req.path} HTTP/1.1" 200 ${body.length} "${req.headers.referer ?? "-"}" "${req.headers["user-agent"] ?? "-"}"`,
    k.now,
  );
  return reply(200, body, { server: "echoserver", date: httpDate(k.now), "content-type": "text/plain", connection: "keep-alive" });
};

/** traefik/whoami: its addresses, then the request as Go's Request.Write puts it (CRLF; Host and
 * User-Agent first, the other headers sorted by canonical name). */
const whoami: Server = (req, k) => {
  const ips = ["127.0.0.1", "::1", ...((k.pod.status?.podIPs ?? []) as Obj[]).map((p) => p.ip)];
  const canonical = (h: string) => h.replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase());
  const bodyLen = new TextEncoder().encode(req.body ?? "").length;
  const wire = [
    `${req.method} ${req.path} HTTP/1.1`,
    `Host: ${req.headers.host ?? ""}`,
    `User-Agent: ${req.headers["user-agent"] ?? "Go-http-client/1.1"}`,
    ...(bodyLen ? [`Content-Length: ${bodyLen}`] : []),
    ...Object.entries(req.headers)
      .filter(([h]) => !["host", "user-agent", "content-length", "transfer-encoding", "trailer"].includes(h))
      .map(([h, v]) => [canonical(h), v])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([h, v]) => `${h}: ${v}`),
  ];
  const body = `Hostname: ${hostnameOf(k.pod)}\n${ips.map((ip) => `IP: ${ip}\n`).join("")}RemoteAddr: ${k.remoteAddr}:${40000 + (k.now % 20000)}\n${wire.map((l) => `${l}\r\n`).join("")}\r\n${req.body ?? ""}`;
  return reply(200, body, { date: httpDate(k.now), "content-type": "text/plain; charset=utf-8" });
};

/** hashicorp/http-echo: answers its -text argument. */
const httpEcho: Server = (req, k) => {
  const args: string[] = [...(k.container.command ?? []), ...(k.container.args ?? [])];
  const i = args.findIndex((a) => a === "-text" || a === "--text" || a.startsWith("-text=") || a.startsWith("--text="));
  const text = i < 0 ? "hello-world" : args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : (args[i + 1] ?? "");
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `${new Date(k.now).toISOString().slice(0, 19).replace("T", "/").replace(/-/g, "/")} ${req.headers.host ?? ""} ${k.remoteAddr}:${40000 + (k.now % 20000)} "${req.method} ${req.path} HTTP/1.1" 200 ${text.length + 1} "${req.headers["user-agent"] ?? ""}" 12.5µs`,
    k.now,
  );
  return reply(200, `${text}\n`, {
    "x-app-name": "http-echo",
    "x-app-version": "1.0.0",
    date: httpDate(k.now),
    "content-type": "text/plain; charset=utf-8",
  });
};

const goNotFound = (k: ServeContext) =>
  reply(404, "404 page not found\n", {
    "content-type": "text/plain; charset=utf-8",
    "x-content-type-options": "nosniff",
    date: httpDate(k.now),
  });

/** CoreDNS: DNS on 53 (an HTTP request is not a DNS message), health on 8080, ready on 8181, metrics on 9153. */
function coredns(port: number): Server {
  return (req, k) => {
    const path = pathOnly(req.path);
    // DNS over TCP: "GE" reads as a 18245-byte message length; the server waits for it, then its read timeout (2 s) closes.
    if (port === 53) return { kind: "eof", after: 2000 };
    if (port === 8080)
      return path === "/health" ? reply(200, "OK", { "content-type": "text/plain; charset=utf-8", date: httpDate(k.now) }) : goNotFound(k);
    if (port === 8181)
      return path === "/ready" ? reply(200, "OK", { "content-type": "text/plain; charset=utf-8", date: httpDate(k.now) }) : goNotFound(k);
    if (path !== "/metrics") return goNotFound(k);
    return reply(
      200,
      `# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.\n# TYPE coredns_build_info gauge\ncoredns_build_info{goversion="go1.23.3",revision="51e11f1",version="1.12.0"} 1\n`,
      {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        date: httpDate(k.now),
      },
    );
  };
}

/** The API server on 6443 speaks only TLS; a plain HTTP request gets Go's answer. */
const apiserver: Server = () => ({
  kind: "http",
  status: 400,
  headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  body: "Client sent an HTTP request to an HTTPS server.\n",
});

/** kube-proxy's healthz (HTTP) answers JSON, and its other paths Go's 404. */
const kubeProxy =
  (port: number): Server =>
  (req, k) => {
    if (port === 10256 && pathOnly(req.path) === "/healthz") {
      // Go's Time.String (fmt %q of a time.Time): fractional seconds without trailing zeros.
      const at = new Date(k.now)
        .toISOString()
        .replace("T", " ")
        .replace(/\.?0*Z$/, " +0000 UTC")
        .replace(/(\.\d*?)0+ \+/, "$1 +");
      return reply(200, `{"lastUpdated": "${at}","currentTime": "${at}", "nodeEligible": true}`, {
        "content-type": "application/json",
        "x-content-type-options": "nosniff",
        date: httpDate(k.now),
      });
    }
    return goNotFound(k);
  };

/** redis parses "GET / HTTP/1.1" as a command, then drops the connection at "Host:" (cross-protocol scripting guard). */
const redis: Server = (req, k) => {
  const d = new Date(k.now);
  const stamp = `${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `1:M ${stamp} # Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection from ${k.remoteAddr}:${40000 + (k.now % 20000)} aborted.`,
    k.now,
  );
  return {
    kind: "garbage",
    text:
      req.method === "GET"
        ? "-ERR wrong number of arguments for 'get' command"
        : `-ERR unknown command '${req.method}', with args beginning with: '${req.path}' 'HTTP/1.1' `,
  };
};

/** postgres reads a startup packet, finds nonsense and closes the connection. */
const postgres: Server = (_req, k) => {
  const d = new Date(k.now).toISOString();
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `${d.slice(0, 10)} ${d.slice(11, 23)} UTC [${100 + (k.now % 900)}] LOG:  invalid length of startup packet`,
    k.now,
  );
  return { kind: "eof" };
};

/** MySQL and MongoDB speak first, in binary: not an HTTP status line. */
const mysql: Server = () => ({ kind: "garbage", text: "J\u0000\u0000\u0000\n8.4.6" });
const mongo: Server = () => ({ kind: "garbage", text: "\u0000\u0000\u0000" });

/** An unknown image on its declared ports: a small web app. */
const generic: Server = (req, k) => {
  const [name, tag] = imageName(k.container.image);
  const path = pathOnly(req.path);
  k.logs?.append(
    k.pod.metadata.uid,
    k.container.name,
    restartOf(k.pod, k.container.name),
    `${new Date(k.now).toISOString()} ${req.method} ${req.path} 200 - ${k.remoteAddr}`,
    k.now,
  );
  if (path === "/healthz" || path === "/health")
    return reply(200, "ok\n", { "content-type": "text/plain; charset=utf-8", date: httpDate(k.now) });
  return reply(200, `Hello from ${name}:${tag} on ${hostnameOf(k.pod)}\n`, {
    "content-type": "text/plain; charset=utf-8",
    date: httpDate(k.now),
  });
};

/** Serve one request on `port` of the container (which listens there: see listener()). */
/** Requests each pod answered as they happened (a logged request is a live one, not a program's
 *  simulated run), counted per metrics window in memory: two counters a pod, never a write. */
const served = new Map<string, { window: number; count: number; previous: number }>();

function countServed(uid: string | undefined, now: number): void {
  if (!uid) return;
  const window = Math.floor(now / SERVED_WINDOW_MS);
  const s = served.get(uid);
  if (!s) {
    served.set(uid, { window, count: 1, previous: 0 });
    if (served.size > 5000) served.delete(served.keys().next().value!);
  } else if (s.window === window) s.count++;
  else Object.assign(s, { previous: s.window === window - 1 ? s.count : 0, window, count: 1 });
}

const SERVED_WINDOW_MS = 15_000;

/** Requests per second a pod answered live in the last whole window before `now`. */
export function servedRate(uid: string, now: number): number {
  const s = served.get(uid);
  const window = Math.floor(now / SERVED_WINDOW_MS);
  if (!s) return 0;
  const last = s.window === window - 1 ? s.count : s.window === window ? s.previous : 0;
  return last / (SERVED_WINDOW_MS / 1000);
}

export function serve(req: HttpRequest, port: number, k: ServeContext): ServerReply {
  if (k.logs) countServed(k.pod?.metadata?.uid, k.now);
  const own = imageBehaviour(k.container.image);
  if (own.http) return APPS[own.http](req, port, k, containerArgv(k.container, own).argv);
  const servers: Record<ServerName, Server> = {
    nginx,
    httpd,
    hello,
    "hello-app": helloApp,
    echoserver,
    whoami,
    "http-echo": httpEcho,
    coredns: coredns(port),
    apiserver,
    // The other components' ports speak only TLS.
    component: apiserver,
    "kube-proxy": kubeProxy(port),
    redis,
    postgres,
    mysql,
    mongo,
    none: () => ({ kind: "eof" }),
    generic,
  };
  return servers[imageServer(k.container.image)](req, k);
}
