import { describe, expect, it } from "vitest";
import { clusterNetwork, type ClusterReader } from "../../durable/nodes/runtime/network";
import { NGINX_WELCOME, nginxAccessLine, serve } from "../../durable/nodes/runtime/servers";
import { checkLogStatus, chooseContainer, parseLogOptions, rfc3339Nano } from "../../durable/nodes/podlog";
import { proxiedPath, splitSchemeNamePort } from "../../durable/nodes/proxy";
import type { Obj } from "../../durable/resources/types";
import { runCommand } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";

const NOW = Date.parse("2026-11-21T22:01:02Z");

const node = (name: string, ip: string, cidr: string): Obj => ({
  metadata: { name },
  spec: { podCIDR: cidr },
  status: { addresses: [{ type: "InternalIP", address: ip }] },
});
const pod = (name: string, ip: string, image: string, extra: Obj = {}): Obj => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: "web" } },
  spec: { nodeName: "node01", containers: [{ name: "c", image, ...extra }] },
  status: {
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    containerStatuses: [{ name: "c", restartCount: 0, state: { running: { startedAt: "2026-11-21T22:00:00Z" } } }],
  },
});
const service = (name: string, ip: string, extra: Obj = {}): Obj => ({
  metadata: { name, namespace: "default", uid: `svc-${name}` },
  spec: { clusterIP: ip, clusterIPs: [ip], type: "ClusterIP", ports: [{ port: 80, targetPort: 80, protocol: "TCP" }], ...extra },
});
const endpoints = (name: string, ready: Obj[], port = 80): Obj => ({
  metadata: { name, namespace: "default" },
  subsets: ready.length
    ? [
        {
          addresses: ready.map((p) => ({ ip: p.status.podIP, targetRef: { kind: "Pod", namespace: "default", name: p.metadata.name } })),
          ports: [{ port, protocol: "TCP" }],
        },
      ]
    : undefined,
});

function world(objs: Record<string, Obj[]>): ClusterReader {
  return {
    get: (plural, ns, name) => (objs[plural] ?? []).find((o) => o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns),
    list: (plural) => objs[plural] ?? [],
  };
}

const appended: { uid: string; line: string }[] = [];
const logs = { append: (uid: string, _c: string, _r: number, line: string) => void appended.push({ uid, line }) };

const pods = [pod("web-1", "10.244.1.2", "nginx"), pod("web-2", "10.244.1.3", "nginx"), pod("web-3", "10.244.1.4", "nginx")];
const echo = [
  pod("echo-1", "10.244.1.5", "registry.k8s.io/echoserver:1.10"),
  pod("echo-2", "10.244.1.6", "registry.k8s.io/echoserver:1.10"),
];
const cluster = () =>
  world({
    nodes: [node("node01", "172.30.1.2", "10.244.1.0/24")],
    pods: [...pods, ...echo, pod("cache", "10.244.1.9", "redis")],
    services: [
      service("web", "10.96.10.1"),
      service("echo", "10.96.10.2", { ports: [{ port: 8080, protocol: "TCP", nodePort: 30080 }], type: "NodePort" }),
      service("empty", "10.96.10.3"),
      service("sticky", "10.96.10.4", { sessionAffinity: "ClientIP" }),
      service("db", "None", { clusterIPs: ["None"] }),
    ],
    endpoints: [
      endpoints("web", pods),
      endpoints("echo", echo, 8080),
      endpoints("empty", []),
      endpoints("sticky", pods),
      endpoints("db", pods.slice(0, 2)),
    ],
  });

describe("DNS", () => {
  const net = clusterNetwork(cluster(), logs, NOW);
  it("resolves Services by short and qualified names through the search path", () => {
    for (const n of ["web", "web.default", "web.default.svc", "web.default.svc.cluster.local", "web.default.svc.cluster.local."])
      expect(net.resolve(n, "default")).toEqual(["10.96.10.1"]);
    expect(net.resolve("web", "kube-system")).toEqual([]);
    expect(net.resolve("web.default", "kube-system")).toEqual(["10.96.10.1"]);
  });
  it("resolves headless Services to ready pod IPs, pod DNS names and node names", () => {
    expect(net.resolve("db", "default")).toEqual(["10.244.1.2", "10.244.1.3"]);
    expect(net.resolve("10-244-1-4.default.pod.cluster.local", "default")).toEqual(["10.244.1.4"]);
    expect(net.resolve("node01", "default")).toEqual(["172.30.1.2"]);
    expect(net.resolve("nope", "default")).toEqual([]);
  });
  it("takes a name with a trailing dot as absolute, and answers PTR queries for Services and endpoints", () => {
    expect(net.resolve("web.default.svc.cluster.local.", "kube-system")).toEqual(["10.96.10.1"]);
    expect(net.resolve("web.", "default")).toEqual([]);
    expect(net.reverse!("10.96.10.1")).toBe("web.default.svc.cluster.local");
    expect(net.reverse!("10.244.1.3")).toBe("10-244-1-3.web.default.svc.cluster.local");
    expect(net.reverse!("10.1.2.3")).toBeUndefined();
  });
});

describe("kube-proxy", () => {
  it("round-robins a ClusterIP across the ready endpoints", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    const hits = [0, 1, 2, 3, 4, 5].map(() => (net.connect("web", 80) as Obj).pod.metadata.name);
    expect(new Set(hits.slice(0, 3)).size).toBe(3);
    expect(hits.slice(3)).toEqual(hits.slice(0, 3));
  });
  it("keeps a client on one endpoint with sessionAffinity ClientIP", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    const from = pods[0];
    const hits = [0, 1, 2, 3].map(() => (net.connect("sticky", 80, from) as Obj).pod.metadata.name);
    expect(new Set(hits).size).toBe(1);
  });
  it("refuses connections to a Service without ready endpoints, and to ports nobody listens on", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    // curl names the host as typed; wget names the address (ip).
    expect(net.connect("empty", 80)).toEqual({
      error: "Failed to connect to empty port 80 after 0 ms: Couldn't connect to server",
      code: 7,
      ip: "10.96.10.3",
    });
    // No kube-proxy rule for a port the Service lacks: the SYN is dropped and the kernel gives up.
    expect(net.connect("web", 81)).toEqual({
      error: "Failed to connect to web port 81 after 134012 ms: Couldn't connect to server",
      code: 28,
      ip: "10.96.10.1",
    });
    expect(net.connect("10.244.1.2", 8080)).toMatchObject({
      error: "Failed to connect to 10.244.1.2 port 8080 after 0 ms: Couldn't connect to server",
    });
    expect(net.http({ method: "GET", url: "http://nope/" })).toEqual({ error: "Could not resolve host: nope", code: 6 });
  });
  it("keeps internalTrafficPolicy: Local to endpoints on the client's node, dropping the rest", () => {
    const base = cluster();
    const local = service("local", "10.96.10.9", { internalTrafficPolicy: "Local" });
    const c: ClusterReader = {
      get: (plural, ns, name) => (plural === "endpoints" && name === "local" ? endpoints("local", pods) : base.get(plural, ns, name)),
      list: (plural) => (plural === "services" ? [...base.list("services"), local] : base.list(plural)),
    };
    const net = clusterNetwork(c, logs, NOW);
    const here = pod("here", "10.244.1.40", "busybox");
    const there = { ...pod("there", "10.244.2.40", "busybox"), spec: { ...pod("x", "", "busybox").spec, nodeName: "node02" } };
    expect((net.connect("local", 80, here) as Obj).pod.spec.nodeName).toBe("node01");
    expect(net.connect("local", 80, there)).toEqual({
      error: "Failed to connect to local port 80 after 134012 ms: Couldn't connect to server",
      code: 28,
      ip: "10.96.10.9",
    });
  });
  it("serves NodePorts on node IPs and pods on their IPs", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    expect((net.connect("172.30.1.2", 30080) as Obj).pod.metadata.name).toMatch(/^echo-/);
    expect((net.connect("10.244.1.3", 80) as Obj).pod.metadata.name).toBe("web-2");
  });
  it("echo servers answer with their hostname, so repeated curls show different pods", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    const bodies = [0, 1].map(
      () => (net.http({ method: "GET", url: "http://echo.default.svc.cluster.local:8080/" }) as Obj).body as string,
    );
    expect(bodies.map((b) => /Hostname: (\S+)/.exec(b)![1]).sort()).toEqual(["echo-1", "echo-2"]);
  });
  it("non-HTTP servers fail an HTTP client as curl reports it", () => {
    const net = clusterNetwork(cluster(), logs, NOW);
    expect(net.http({ method: "GET", url: "10.244.1.9:6379" })).toEqual({ error: "Received HTTP/0.9 when not allowed", code: 1 });
  });
});

describe("nginx", () => {
  it("serves its welcome page byte-exact and logs the access line", () => {
    appended.length = 0;
    const net = clusterNetwork(cluster(), logs, NOW);
    const curl = { "user-agent": "curl/8.5.0", accept: "*/*" };
    const res = net.http({ method: "GET", url: "http://10.244.1.2/", headers: curl }) as Obj;
    expect(res.status).toBe(200);
    expect(res.body).toBe(NGINX_WELCOME);
    expect(new TextEncoder().encode(res.body).length).toBe(615);
    expect(appended).toEqual([
      { uid: "uid-web-1", line: '10.244.1.1 - - [21/Nov/2026:22:01:02 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"' },
    ]);
    const from = pods[1];
    net.http({ method: "GET", url: "http://10.244.1.2/missing", headers: curl }, from) as Obj;
    expect(appended[1].line).toBe('10.244.1.3 - - [21/Nov/2026:22:01:02 +0000] "GET /missing HTTP/1.1" 404 153 "-" "curl/8.5.0" "-"');
  });
  it("serves its document root from the container's files (a ConfigMap mounted over html)", () => {
    const custom = pod("custom", "10.244.1.10", "nginx", { volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }] });
    custom.spec.volumes = [{ name: "html", configMap: { name: "site" } }];
    const net = clusterNetwork(
      world({
        nodes: [],
        services: [],
        pods: [custom],
        configmaps: [{ metadata: { name: "site", namespace: "default" }, data: { "index.html": "<h1>mine</h1>\n", "a.css": "b{}" } }],
      }),
      logs,
      NOW,
    );
    expect(net.http({ method: "GET", url: "10.244.1.10" })).toMatchObject({ status: 200, body: "<h1>mine</h1>\n" });
    expect(net.http({ method: "GET", url: "10.244.1.10/a.css" })).toMatchObject({ status: 200, headers: { "content-type": "text/css" } });
    expect(net.http({ method: "GET", url: "10.244.1.10/missing.html" })).toMatchObject({ status: 404 });
  });
  it("formats the combined log line", () => {
    const line = nginxAccessLine(
      "10.244.1.1",
      { method: "GET", path: "/", headers: { "user-agent": "kubectl/v1.33.1", "x-forwarded-for": "127.0.0.1" } },
      200,
      615,
      NOW,
    );
    expect(line).toBe('10.244.1.1 - - [21/Nov/2026:22:01:02 +0000] "GET / HTTP/1.1" 200 615 "-" "kubectl/v1.33.1" "127.0.0.1"');
  });
  it("hello-node answers Hello World! and logs the URL", () => {
    appended.length = 0;
    const p = pod("hello", "10.244.1.7", "hello-node:v1");
    const r = serve({ method: "GET", path: "/", headers: {} }, 8080, {
      pod: p,
      container: p.spec.containers[0],
      remoteAddr: "10.244.1.1",
      now: NOW,
      logs,
    });
    expect(r).toMatchObject({ kind: "http", status: 200, body: "Hello World!" });
    expect(appended[0].line).toBe("Received request for URL: /");
  });
});

describe("pods/log rules", () => {
  const p = pod("two", "10.244.1.8", "nginx");
  p.spec.containers.push({ name: "side", image: "busybox" });
  it("chooses the container as the API server does", () => {
    expect(() => chooseContainer(p, undefined)).toThrow("a container name must be specified for pod two, choose one of: [c side]");
    expect(() => chooseContainer(p, "x")).toThrow("container x is not valid for pod two");
    expect(chooseContainer(p, "side")).toBe("side");
  });
  it("reports waiting and missing previous containers as the kubelet does", () => {
    const w = pod("w", "", "nginx");
    w.status.containerStatuses[0].state = { waiting: { reason: "ContainerCreating" } };
    expect(() => checkLogStatus(w, "c", false)).toThrow('container "c" in pod "w" is waiting to start: ContainerCreating');
    w.status.containerStatuses[0].state = { waiting: { reason: "ImagePullBackOff" } };
    expect(() => checkLogStatus(w, "c", false)).toThrow('container "c" in pod "w" is waiting to start: trying and failing to pull image');
    expect(() => checkLogStatus(pods[0], "c", true)).toThrow('previous terminated container "c" in pod "web-1" not found');
  });
  it("validates options and prints RFC3339Nano timestamps", () => {
    expect(() => parseLogOptions(new URLSearchParams("tailLines=-1"), "x")).toThrow(
      'PodLogOptions "x" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(parseLogOptions(new URLSearchParams("follow=true&tailLines=2&timestamps=true"), "x")).toMatchObject({
      follow: true,
      tailLines: 2,
      timestamps: true,
    });
    expect(rfc3339Nano(NOW + 123, "a line")).toMatch(/^2026-11-21T22:01:02\.123\d{6}Z$/);
    // Fixed width, as RFC3339NanoFixed: trailing zeros stay ("line 108" derives the digits 498100).
    expect(rfc3339Nano(NOW + 120, "line 108")).toBe("2026-11-21T22:01:02.120498100Z");
  });
  it("parses proxy names and paths", () => {
    expect(splitSchemeNamePort("web:80")).toEqual({ scheme: "http", name: "web", port: "80" });
    expect(splitSchemeNamePort("https:web:")).toEqual({ scheme: "https", name: "web", port: "" });
    expect(splitSchemeNamePort("kube-dns:dns")).toEqual({ scheme: "http", name: "kube-dns", port: "dns" });
    expect(proxiedPath("/clusters/x/api/v1/namespaces/default/services/web:80/proxy/a/b", "services")).toBe("/a/b");
    expect(proxiedPath("/api/v1/namespaces/default/services/web/proxy/", "services")).toBe("/");
    expect(proxiedPath("/api/v1/namespaces/default/services/web/proxy", "services")).toBeUndefined();
  });
});

describe("the network tools a learner types in a pod (busybox/curl)", () => {
  const client = pod("bb", "10.244.1.20", "busybox", { command: ["sleep", "3600"] });
  const run = (script: string) => {
    let out = "";
    let err = "";
    const ctx = {
      env: { PATH: "/bin" },
      cwd: "/",
      hostname: "bb",
      pod: client,
      now: () => NOW,
      fs: new MemoryFS({
        "/etc/resolv.conf": "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
      }),
      net: clusterNetwork(cluster(), logs, NOW),
    };
    const code = runCommand(["sh", "-c", script], ctx, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
    return { out, err, code };
  };
  const head = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n";

  it("nslookup asks A then AAAA in each search domain for a bare name, a dotted name only as given", () => {
    const nx = (...names: string[]) => names.map((n) => `** server can't find ${n}: NXDOMAIN\n\n`).join("");
    const misses = nx("web.svc.cluster.local", "web.cluster.local");
    expect(run("nslookup web")).toEqual({
      out: `${head}Name:\tweb.default.svc.cluster.local\nAddress: 10.96.10.1\n\n${misses}\n${misses}`,
      err: "",
      code: 1,
    });
    expect(run("nslookup web.default")).toEqual({ out: `${head}${nx("web.default", "web.default")}`, err: "", code: 1 });
    expect(run("nslookup db.default.svc.cluster.local")).toMatchObject({
      out: `${head}Name:\tdb.default.svc.cluster.local\nAddress: 10.244.1.2\nName:\tdb.default.svc.cluster.local\nAddress: 10.244.1.3\n\n\n`,
      code: 0,
    });
    expect(run("nslookup node01.")).toMatchObject({
      out: `${head}Non-authoritative answer:\nName:\tnode01\nAddress: 172.30.1.2\n\nNon-authoritative answer:\n\n`,
      code: 0,
    });
    expect(run("nslookup 10.96.10.1")).toMatchObject({
      out: `${head}1.10.96.10.in-addr.arpa\tname = web.default.svc.cluster.local\n\n`,
      code: 0,
    });
  });

  it("busybox 1.28's nslookup resolves through the search list and numbers the addresses with their reverse names", () => {
    const old = (script: string) => {
      let out = "";
      let err = "";
      const ctx = {
        env: { PATH: "/bin" },
        cwd: "/",
        hostname: "bb",
        pod: client,
        container: { name: "bb", image: "busybox:1.28" },
        now: () => NOW,
        fs: new MemoryFS({
          "/etc/resolv.conf": "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n",
        }),
        net: clusterNetwork(cluster(), logs, NOW),
      };
      const code = runCommand(["sh", "-c", script], ctx, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
      return { out, err, code };
    };
    const server = "Server:    10.96.0.10\nAddress 1: 10.96.0.10\n\n";
    expect(old("nslookup web.default")).toEqual({
      out: `${server}Name:      web.default\nAddress 1: 10.96.10.1 web.default.svc.cluster.local\n`,
      err: "",
      code: 0,
    });
    expect(old("nslookup nosuch")).toEqual({ out: server, err: "nslookup: can't resolve 'nosuch'\n", code: 1 });
  });

  it("busybox wget: its request, its progress lines and its errors", () => {
    const ok = run("wget -O- http://echo:8080/x");
    expect(ok.code).toBe(0);
    expect(ok.err).toBe(
      `Connecting to echo:8080 (10.96.10.2:8080)\nwriting to stdout\n-                    100% |${"*".repeat(32)}| ${String(ok.out.length).padStart(5)}  0:00:00 ETA\nwritten to stdout\n`,
    );
    expect(ok.out).toContain("\tuser-agent=Wget\n");
    expect(run("wget -qO- nope")).toEqual({ out: "", err: "wget: bad address 'nope'\n", code: 1 });
    expect(run("wget -qO- empty")).toEqual({
      out: "",
      err: "wget: can't connect to remote host (10.96.10.3): Connection refused\n",
      code: 1,
    });
    expect(run("wget -qO- web:81")).toEqual({
      out: "",
      err: "wget: can't connect to remote host (10.96.10.1): Connection timed out\n",
      code: 1,
    });
    expect(run("wget -qO- web/missing")).toEqual({ out: "", err: "wget: server returned error: HTTP/1.1 404 Not Found\n", code: 1 });
  });

  it("curl: exit codes and messages name the host as typed", () => {
    expect(run("curl -sS empty")).toEqual({
      out: "",
      err: "curl: (7) Failed to connect to empty port 80 after 0 ms: Couldn't connect to server\n",
      code: 7,
    });
    expect(run("curl -s empty")).toEqual({ out: "", err: "", code: 7 });
    expect(run("curl -sS nope.other")).toMatchObject({ err: "curl: (6) Could not resolve host: nope.other\n", code: 6 });
    expect(run("curl -s -H 'X-Trace: 1' echo:8080")).toMatchObject({
      code: 0,
      out: expect.stringContaining("\taccept=*/*\n\thost=echo:8080\n\tuser-agent=curl/8.5.0\n\tx-trace=1\n"),
    });
  });

  it("whoami echoes the request as Go writes it: CRLF, Host and User-Agent first, the rest sorted", () => {
    const who = pod("who", "10.244.1.30", "traefik/whoami");
    const r = serve(
      {
        method: "GET",
        path: "/a?b=1",
        headers: { host: "who", "user-agent": "curl/8.5.0", accept: "*/*", "x-b": "2", "content-type": "t" },
      },
      80,
      { pod: who, container: who.spec.containers[0], remoteAddr: "10.244.1.20", now: NOW },
    ) as Obj;
    expect(r.body).toMatch(
      /^Hostname: who\nIP: 127\.0\.0\.1\nIP: ::1\nIP: 10\.244\.1\.30\nRemoteAddr: 10\.244\.1\.20:\d+\nGET \/a\?b=1 HTTP\/1\.1\r\nHost: who\r\nUser-Agent: curl\/8\.5\.0\r\nAccept: \*\/\*\r\nContent-Type: t\r\nX-B: 2\r\n\r\n$/,
    );
  });
});

describe("curl's progress meter", () => {
  const ctx = () => ({
    env: {},
    cwd: "/",
    hostname: "c",
    now: () => NOW,
    fs: new MemoryFS({}),
    net: clusterNetwork(cluster(), undefined, NOW),
  });
  const run = (script: string, tty: boolean) => {
    let out = "";
    let err = "";
    const code = runCommand(["sh", "-c", script], ctx(), { stdout: (s) => void (out += s), stderr: (s) => void (err += s), tty });
    return { out, err, code };
  };
  const HEAD =
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n";
  const ZERO = "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0";
  it("is on stderr when stdout is not a terminal, with the bytes received", () => {
    const r = run("curl web", false);
    expect(r.out).toBe(NGINX_WELCOME);
    expect(r.err).toBe(`${HEAD}${ZERO}\r100   615  100   615    0     0   253k      0 --:--:-- --:--:-- --:--:--  253k\n`);
    expect(run("curl empty", false)).toMatchObject({
      err: `${HEAD}${ZERO}\ncurl: (7) Failed to connect to empty port 80 after 0 ms: Couldn't connect to server\n`,
      code: 7,
    });
  });
  it("is not shown on a terminal, nor with -s", () => {
    expect(run("curl web", true).err).toBe("");
    expect(run("curl -s web", false).err).toBe("");
    expect(run("curl -o /tmp/x web", true).err).toContain("100   615");
  });
});
