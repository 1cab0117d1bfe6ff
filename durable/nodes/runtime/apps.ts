// The HTTP servers of the images the official Kubernetes tutorials use, by the name their catalogue
// entries (images.ts) give: what each answers and logs (their argv and start-up: programs.ts).
// kubernetes-bootcamp (Node.js, 8080), agnhost's netexec / serve-hostname / liveness, the HPA
// walkthrough's php-apache, and the guestbook's PHP frontend.
import type { Obj } from "../../resources/types";
import type { HttpRequest, ServeContext, ServerReply } from "./servers";
import { agnhostCommand, klog } from "./programs";
import { runCommand } from "../../shell";
import { containerContext } from "./container";

/** An image's own HTTP server: its reply to a request on `port`, given the program's argv. */
export type AppServer = (req: HttpRequest, port: number, k: ServeContext, argv: string[]) => ServerReply;

const enc = new TextEncoder();
const reply = (status: number, body: string, headers: Record<string, string>): ServerReply => ({
  kind: "http",
  status,
  headers: { "content-length": String(enc.encode(body).length), ...headers },
  body,
});
const goDate = (ms: number) => new Date(ms).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) /, "$1, $2 $3 $4 ");
const hostnameOf = (pod: Obj) => pod.spec?.hostname ?? pod.metadata?.name ?? "localhost";
const statusOf = (pod: Obj, name: string): Obj | undefined => ((pod.status?.containerStatuses ?? []) as Obj[]).find((s) => s.name === name);
const restartOf = (pod: Obj, name: string) => statusOf(pod, name)?.restartCount ?? 0;
const startedAt = (pod: Obj, name: string) => Date.parse(statusOf(pod, name)?.state?.running?.startedAt ?? "");
const log = (k: ServeContext, line: string) =>
  k.logs?.append(k.pod.metadata.uid, k.container.name, restartOf(k.pod, k.container.name), line, k.now);
const query = (path: string) => new URLSearchParams(path.includes("?") ? path.slice(path.indexOf("?") + 1) : "");
const pathOnly = (path: string) => path.split("?")[0] || "/";

// ---- kubernetes-bootcamp ------------------------------------------------------------------------

/** The bootcamp's version: its tag (v1, v2 …) without the v. */
const bootcampVersion = (image: string) => /:v(\d+)$/.exec(image ?? "")?.[1] ?? "1";

/** Requests served per container run (the app's own counter, in memory like the app's). */
const bootcampRequests = new Map<string, number>();

export const bootcamp: AppServer = (_req, _port, k) => {
  const key = `${k.pod.metadata.uid}/${k.container.name}/${restartOf(k.pod, k.container.name)}`;
  const n = (bootcampRequests.get(key) ?? 0) + 1;
  bootcampRequests.set(key, n);
  if (bootcampRequests.size > 2000) bootcampRequests.delete(bootcampRequests.keys().next().value!);
  const host = hostnameOf(k.pod);
  const uptime = (k.now - (startedAt(k.pod, k.container.name) || k.now) - 40) / 1000;
  log(
    k,
    `Running On: ${host} | Total Requests: ${n} | App Uptime: ${Math.max(0, uptime)} seconds | Log Time: ${new Date(k.now).toISOString()}`,
  );
  return reply(200, `Hello Kubernetes bootcamp! | Running on: ${host} | v=${bootcampVersion(k.container.image)}\n`, {
    "content-type": "text/plain",
    date: goDate(k.now),
    connection: "keep-alive",
  });
};

// ---- agnhost ------------------------------------------------------------------------------------

const text = (k: ServeContext, status: number, body: string) =>
  reply(status, body, { "content-type": "text/plain; charset=utf-8", date: goDate(k.now) });

export const agnhost: AppServer = (req, _port, k, argv) => {
  const { sub } = agnhostCommand(argv);
  const path = pathOnly(req.path);
  if (sub === "serve-hostname") return text(k, 200, hostnameOf(k.pod));
  if (sub === "liveness") {
    // /healthz: 200 for the first 10 s of the process, then 500 with how long it has run.
    const ran = (k.now - (startedAt(k.pod, k.container.name) || k.now)) / 1000;
    if (path !== "/healthz") return text(k, 404, "404 page not found\n");
    return ran > 10 ? text(k, 500, `error: ${ran}`) : text(k, 200, "ok");
  }
  if (sub !== "netexec") return text(k, 404, "404 page not found\n");
  log(k, `${klog(k.now, "log.go:245")} GET ${req.path}`);
  const q = query(req.path);
  switch (path) {
    case "/":
      return text(k, 200, `NOW: ${new Date(k.now).toISOString().replace("T", " ").replace("Z", "")} +0000 UTC`);
    case "/hostname":
      return text(k, 200, hostnameOf(k.pod));
    case "/echo":
      return text(k, 200, q.get("msg") ?? "");
    case "/clientip":
      return text(k, 200, `${k.remoteAddr}:${40000 + (k.now % 20000)}`);
    case "/healthz":
    case "/readyz":
      return text(k, 200, "");
    case "/shell": {
      // exec.Command(shell, "-c", cmd).CombinedOutput(), answered as JSON (map keys sorted).
      let out = "";
      const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (out += s) };
      const code = runCommand(
        ["sh", "-c", q.get("shellCommand") ?? q.get("cmd") ?? ""],
        containerContext(k.pod, k.container, undefined, k.now),
        io,
      );
      const body: Record<string, string> = code ? { error: `exit status ${code}`, output: out } : { output: out };
      return reply(200, JSON.stringify(body), { "content-type": "text/plain; charset=utf-8", date: goDate(k.now) });
    }
  }
  return text(k, 404, "404 page not found\n");
};

// ---- php-apache (the HPA walkthrough) and the guestbook frontend -----------------------------------

const apacheLine = (k: ServeContext, req: HttpRequest, status: number, bytes: number) => {
  const d = new Date(k.now);
  const mon = d.toUTCString().split(" ")[2];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${k.remoteAddr} - - [${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes} "-" "${req.headers["user-agent"] ?? "-"}"`;
};
const apacheHeaders = (k: ServeContext, type: string) => ({
  date: goDate(k.now),
  server: "Apache/2.4.10 (Debian)",
  "x-powered-by": "PHP/5.6.40",
  "content-type": type,
});

/** registry.k8s.io/hpa-example: index.php burns CPU on a loop of sqrt and answers "OK!". */
export const phpApache: AppServer = (req, _port, k) => {
  const body = pathOnly(req.path) === "/" || pathOnly(req.path) === "/index.php" ? "OK!" : "";
  const status = body ? 200 : 404;
  log(k, apacheLine(k, req, status, body.length));
  return reply(status, body, apacheHeaders(k, "text/html; charset=UTF-8"));
};

/** The guestbook's messages (its Redis leader keeps them in the real thing), shared by the frontend's
 *  replicas: keyed by their ReplicaSet's uid (unique to a cluster; this module serves many), else the pod's. */
const guestbookMessages = new Map<string, string>();
const guestbookKey = (pod: Obj) => ((pod.metadata?.ownerReferences ?? []) as Obj[])[0]?.uid ?? pod.metadata?.uid ?? "";

const GUESTBOOK_PAGE = `<html ng-app="redis">
  <head>
    <title>Guestbook</title>
    <link rel="stylesheet" href="//netdna.bootstrapcdn.com/bootstrap/3.1.1/css/bootstrap.min.css">
    <script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.2.12/angular.min.js"></script>
    <script src="controllers.js"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/angular-ui-bootstrap/0.13.0/ui-bootstrap-tpls.js"></script>
  </head>
  <body ng-controller="RedisCtrl">
    <div style="width: 50%; margin-left: 20px">
      <h2>Guestbook</h2>
    <form>
    <fieldset>
    <input ng-model="msg" placeholder="Messages" class="form-control" type="text" name="input"><br>
    <button type="button" class="btn btn-primary" ng-click="controller.onRedis()">Submit</button>
    </fieldset>
    </form>
    <div>
      <div ng-repeat="msg in messages track by $index">
        {{msg}}
      </div>
    </div>
    </div>
  </body>
</html>
`;

/** gb-frontend: index.html, and guestbook.php?cmd=get|set&key=messages&value=… as JSON. */
export const guestbookFrontend: AppServer = (req, _port, k) => {
  const path = pathOnly(req.path);
  const q = query(req.path);
  let body: string;
  let type = "text/html";
  if (path === "/" || path === "/index.html") body = GUESTBOOK_PAGE;
  else if (path === "/guestbook.php") {
    type = "application/json";
    const key = guestbookKey(k.pod);
    if (q.get("cmd") === "set") {
      guestbookMessages.set(key, q.get("value") ?? "");
      if (guestbookMessages.size > 2000) guestbookMessages.delete(guestbookMessages.keys().next().value!);
      body = '{"message": "Updated"}';
    } else body = JSON.stringify({ data: guestbookMessages.get(key) ?? "" }).replace(":", ": ");
  } else {
    body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL ${path} was not found on this server.</p>\n</body></html>\n`;
    log(k, apacheLine(k, req, 404, enc.encode(body).length));
    return reply(404, body, apacheHeaders(k, "text/html; charset=iso-8859-1"));
  }
  log(k, apacheLine(k, req, 200, enc.encode(body).length));
  return reply(200, body, apacheHeaders(k, type));
};

/** The servers by the name a catalogue entry's `http` gives. */
export const APPS = { bootcamp, agnhost, phpApache, guestbookFrontend } satisfies Record<string, AppServer>;
export type AppName = keyof typeof APPS;
