// curl, wget, hostname -i, ip and ifconfig as a learner types them in a pod, over a small cluster:
// expectations from the real programs' output (curl 8.5, busybox 1.36, GNU Wget 1.21, iproute2).
import { beforeAll, describe, expect, it } from "vitest";
import { ISSUER, ServiceAccountTokens, generateSigningKey } from "../../durable/api/tokens";
import { clusterNetwork, type ClusterReader, type HttpResult } from "../../durable/nodes/runtime/network";
import { bootstrapPolicy } from "../../durable/rbacpolicy";
import type { Obj } from "../../durable/resources/types";
import { InteractiveShell, runCommand } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";
import { drive, newState } from "../../durable/shell/interp";
import { wget } from "../../durable/shell/wget";
import { parseCurlArgs } from "../../durable/shell/curl";
import { NGINX_INDEX, imageView } from "../../durable/nodes/runtime/images";

const NOW = Date.parse("2026-11-21T22:01:02Z");
const CA = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIkubeplayCA\n-----END CERTIFICATE-----\n";
const running = (name: string) => ({ name, restartCount: 0, state: { running: { startedAt: "2026-11-21T22:00:00Z" } } });

const node = (name: string, ip: string, cidr: string): Obj => ({
  metadata: { name, creationTimestamp: "2026-11-21T21:00:00Z" },
  spec: { podCIDR: cidr },
  status: { addresses: [{ type: "InternalIP", address: ip }] },
});
const pod = (name: string, ip: string, image: string, extra: Obj = {}, spec: Obj = {}): Obj => ({
  metadata: { name, namespace: spec.namespace ?? "default", uid: `uid-${name}`, labels: { app: name.replace(/-\d+$/, "") } },
  spec: { nodeName: "node01", containers: [{ name: "c", image, ...extra }], ...spec },
  status: { phase: "Running", podIP: ip, podIPs: [{ ip }], containerStatuses: [running("c")] },
});
const service = (name: string, ip: string, extra: Obj = {}, ns = "default"): Obj => ({
  metadata: { name, namespace: ns, uid: `svc-${name}` },
  spec: { clusterIP: ip, clusterIPs: [ip], type: "ClusterIP", ports: [{ port: 80, targetPort: 80, protocol: "TCP" }], ...extra },
});
const endpoints = (name: string, ready: Obj[], port = 80, ns = "default"): Obj => ({
  metadata: { name, namespace: ns },
  subsets: [
    {
      addresses: ready.map((p) => ({
        ip: p.status.podIP,
        targetRef: { kind: "Pod", namespace: p.metadata.namespace, name: p.metadata.name },
      })),
      ports: [{ port, protocol: "TCP" }],
    },
  ],
});

const web = [pod("web-1", "10.244.1.2", "nginx"), pod("web-2", "10.244.1.3", "nginx")];
const apiserver = pod(
  "kube-apiserver-cp",
  "172.30.1.2",
  "registry.k8s.io/kube-apiserver:v1.33.1",
  {},
  { namespace: "kube-system", hostNetwork: true, nodeName: "cp" },
);
const kubeProxy = pod(
  "kube-proxy-x",
  "172.30.1.3",
  "registry.k8s.io/kube-proxy:v1.33.1",
  {},
  { namespace: "kube-system", hostNetwork: true },
);
const client = pod("client", "10.244.1.20", "curlimages/curl:8.5.0", { command: ["sleep", "infinity"] });
const hostClient = pod("host-client", "172.30.1.3", "nicolaka/netshoot", {}, { hostNetwork: true });
const echo = pod("echo-1", "10.244.1.5", "registry.k8s.io/echoserver:1.10");
const coredns = pod("coredns-1", "10.244.0.5", "registry.k8s.io/coredns/coredns:v1.12.0", {}, { namespace: "kube-system", nodeName: "cp" });

function world(): ClusterReader {
  const objs: Record<string, Obj[]> = {
    nodes: [node("cp", "172.30.1.2", "10.244.0.0/24"), node("node01", "172.30.1.3", "10.244.1.0/24")],
    pods: [...web, apiserver, kubeProxy, client, hostClient, echo, coredns],
    services: [
      service("kubernetes", "10.96.0.1", { ports: [{ name: "https", port: 443, targetPort: 6443, protocol: "TCP" }] }),
      service("web", "10.96.10.1"),
      service("echo", "10.96.10.5", { ports: [{ port: 8080, protocol: "TCP" }] }),
      service("web-np", "10.96.10.2", { type: "NodePort", ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }] }),
      {
        ...service("web-lb", "10.96.10.3", {
          type: "LoadBalancer",
          ports: [{ port: 8080, targetPort: 80, protocol: "TCP", nodePort: 31080 }],
        }),
        status: { loadBalancer: { ingress: [{ ip: "172.30.255.200", ipMode: "VIP" }] } },
      },
    ],
    endpoints: [
      {
        metadata: { name: "kubernetes", namespace: "default" },
        subsets: [{ addresses: [{ ip: "172.30.1.2" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
      },
      endpoints("web", web),
      endpoints("web-np", web),
      endpoints("web-lb", web),
      endpoints("echo", [echo], 8080),
    ],
    configmaps: [{ metadata: { name: "kube-root-ca.crt", namespace: "default" }, data: { "ca.crt": CA } }],
  };
  // The RBAC a kubeadm cluster starts with: in-cluster requests are authorized by it.
  for (const { plural, obj } of bootstrapPolicy()) (objs[plural] ??= []).push(obj);
  return {
    get: (plural, ns, name) => (objs[plural] ?? []).find((o) => o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns),
    list: (plural) => objs[plural] ?? [],
    tokens,
  };
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The pods' token, signed by this cluster's key as the kubelet's projected token is. */
const serviceAccount = { metadata: { name: "default", namespace: "default", uid: "sa-uid" } };
let tokens: ServiceAccountTokens;
let token = "";
beforeAll(async () => {
  tokens = new ServiceAccountTokens(
    await generateSigningKey(),
    { get: (plural, ns, name) => (plural === "serviceaccounts" && ns === "default" && name === "default" ? serviceAccount : undefined) },
    () => Date.now(),
  );
  const iat = Math.floor(Date.now() / 1000);
  token = tokens.sign(tokens.claims(serviceAccount, [ISSUER], iat, iat + 3600));
});

function ctxOf(p: Obj) {
  const fs = new MemoryFS({
    "/etc/resolv.conf": "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    "/etc/hosts": `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n${p.status.podIP}\t${p.metadata.name}\n`,
    [`${SA}/token`]: token,
    [`${SA}/ca.crt`]: CA,
    [`${SA}/namespace`]: "default",
  });
  fs.mkdir("/tmp");
  return {
    env: { PATH: "/usr/bin:/bin" },
    cwd: "/",
    hostname: p.spec.hostNetwork ? p.spec.nodeName : p.metadata.name,
    pod: p,
    container: p.spec.containers[0],
    now: () => NOW,
    image: imageView(p.spec.containers[0].image ?? ""),
    fs,
    net: clusterNetwork(world(), undefined, NOW),
  };
}

function run(script: string, p: Obj = client, tty = false) {
  let out = "";
  let err = "";
  const code = runCommand(["sh", "-c", script], ctxOf(p), { stdout: (s) => void (out += s), stderr: (s) => void (err += s), tty });
  return { out, err, code };
}

const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";

function gnuWget(args: string[], p: Obj = client) {
  let out = "";
  let err = "";
  const s = newState(ctxOf(p));
  const code = drive(
    wget(args, { s, io: { stdout: (x) => void (out += x), stderr: (x) => void (err += x) }, stdin: "", flavour: "gnu" }),
    s,
  );
  return { out, err, code };
}

describe("curl's command line (tool_getparam)", () => {
  it("bundles short flags, takes values attached or next, and long names by unique prefix", () => {
    expect(parseCurlArgs(["-fsSL", "web"])).toEqual({
      urls: ["web"],
      flags: new Set(["fail", "silent", "show-error", "location"]),
      values: [],
    });
    expect(parseCurlArgs(["-sXPOST", "-o/dev/null", "-H", "A: 1", "--head", "web"])).toMatchObject({
      values: [
        ["request", "POST"],
        ["output", "/dev/null"],
        ["header", "A: 1"],
      ],
      flags: new Set(["silent", "head"]),
    });
    expect(parseCurlArgs(["--sil", "-s", "--no-silent", "web"])).toMatchObject({ flags: new Set() });
    expect(parseCurlArgs(["--", "-web"])).toMatchObject({ urls: ["-web"] });
  });
  it("refuses unknown, ambiguous and incomplete options with exit 2", () => {
    expect(run("curl --foo web")).toEqual({ out: "", err: `curl: option --foo: is unknown\n${TRY}`, code: 2 });
    expect(run("curl --output=/tmp/x web")).toEqual({ out: "", err: `curl: option --output=/tmp/x: is unknown\n${TRY}`, code: 2 });
    expect(run("curl --re web")).toEqual({ out: "", err: `curl: option --re: is ambiguous\n${TRY}`, code: 2 });
    expect(run("curl web -o")).toEqual({ out: "", err: `curl: option -o: requires parameter\n${TRY}`, code: 2 });
    expect(run("curl -m abc web")).toEqual({ out: "", err: `curl: option -m: expected a proper numerical parameter\n${TRY}`, code: 2 });
    expect(run("curl --max-redirs x web")).toEqual({
      out: "",
      err: `curl: option --max-redirs: expected a proper numerical parameter\n${TRY}`,
      code: 2,
    });
    expect(run("curl -s")).toEqual({ out: "", err: `curl: no URL specified\n${TRY}`, code: 2 });
  });
});

describe("curl's transfers", () => {
  it("-v shows the connection, the request and the response as sent, > and < lines CRLF-terminated", () => {
    const r = run("curl -sv web");
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      "*   Trying 10.96.10.1:80...\n* Connected to web (10.96.10.1) port 80\n> GET / HTTP/1.1\r\n> Host: web\r\n> User-Agent: curl/8.5.0\r\n> Accept: */*\r\n> \r\n" +
        "< HTTP/1.1 200 OK\r\n< Content-Length: 615\r\n< Server: nginx/1.27.5\r\n< Date: Sat, 21 Nov 2026 22:01:02 GMT\r\n< Content-Type: text/html\r\n" +
        '< Last-Modified: Tue, 13 Aug 2024 10:00:00 GMT\r\n< ETag: "66bb2e20-267"\r\n< Accept-Ranges: bytes\r\n< \r\n{ [615 bytes data]\n* Connection #0 to host web left intact\n',
    );
    expect(r.out).toContain("<title>Welcome to nginx!</title>");
    // A body goes out after the headers it sizes; -X changes the method, not the body.
    const put = run("curl -sv -X PUT --data-binary @/etc/resolv.conf -o /dev/null echo:8080");
    expect(put.err).toContain(
      "> PUT / HTTP/1.1\r\n> Host: echo:8080\r\n> User-Agent: curl/8.5.0\r\n> Accept: */*\r\n> Content-Length: 103\r\n> Content-Type: application/x-www-form-urlencoded\r\n> \r\n} [103 bytes data]\n< HTTP/1.1 200 OK\r\n",
    );
  });

  it("-v on a failure: the failed connect, curl's error and the close, before the (N) line", () => {
    // The source port is the client's ephemeral one (net.ipv4.ip_local_port_range 32768-60999).
    expect(run("curl -sv 10.244.1.2:81")).toEqual({
      out: "",
      err: expect.stringMatching(
        /^\*   Trying 10\.244\.1\.2:81\.\.\.\n\* connect to 10\.244\.1\.2 port 81 from 10\.244\.1\.20 port (3[2-9]|[45]\d|60)\d{3} failed: Connection refused\n\* Failed to connect to 10\.244\.1\.2 port 81 after 0 ms: Couldn't connect to server\n\* Closing connection\n$/,
      ),
      code: 7,
    });
    expect(run("curl -v nope")).toMatchObject({
      err: expect.stringMatching(/\* Could not resolve host: nope\n\* Closing connection\n\ncurl: \(6\) Could not resolve host: nope\n$/),
      code: 6,
    });
    expect(run("curl -sSv -m 1 web:81").err).toBe(
      "*   Trying 10.96.10.1:81...\n* Failed to connect to web port 81 after 1000 ms: Timeout was reached\n* Closing connection\ncurl: (28) Failed to connect to web port 81 after 1000 ms: Timeout was reached\n",
    );
    expect(run("curl -sv web/nope -f").err).toMatch(/< \r\n\* The requested URL returned error: 404\n\* Closing connection\n$/);
  });

  it("a server that takes the connection and says nothing: -m ends the wait (28), else its close (52)", () => {
    expect(run("curl -sS -m 1 10.244.0.5:53")).toEqual({
      out: "",
      err: "curl: (28) Operation timed out after 1000 milliseconds with 0 bytes received\n",
      code: 28,
    });
    expect(run("curl -sS 10.244.0.5:53; date +%S")).toEqual({ out: "04\n", err: "curl: (52) Empty reply from server\n", code: 0 });
    expect(run("wget -T 1 -qO- 10.244.0.5:53")).toEqual({ out: "", err: "wget: download timed out\n", code: 1 });
    expect(run("curl -s 10.244.0.5:8080/health")).toMatchObject({ out: "OK", code: 0 });
  });

  it("--retry tries a timeout again after 1 s, then 2 s (or --retry-delay), warning unless -s", () => {
    expect(run("curl --no-progress-meter --retry 2 -m 1 web:81; date +%S")).toEqual({
      out: "08\n",
      err: "Warning: Problem : timeout. Will retry in 1 seconds. 2 retries left.\nWarning: Problem : timeout. Will retry in 2 seconds. 1 retries left.\ncurl: (28) Failed to connect to web port 81 after 1000 ms: Timeout was reached\n",
      code: 0,
    });
    expect(run("curl -sS --retry 3 --retry-delay 5 -m 1 web:81; date +%S")).toEqual({
      out: "21\n",
      err: "curl: (28) Failed to connect to web port 81 after 1000 ms: Timeout was reached\n",
      code: 0,
    });
    // A refusal is not transient unless --retry-connrefused says so.
    expect(run("curl --no-progress-meter --retry 1 10.244.1.2:81").err).toBe(
      "curl: (7) Failed to connect to 10.244.1.2 port 81 after 0 ms: Couldn't connect to server\n",
    );
    expect(run("curl --no-progress-meter --retry 1 --retry-connrefused 10.244.1.2:81").err).toMatch(
      /^Warning: Problem : connection refused\. Will retry in 1 seconds\. 1 retries left\.\ncurl: \(7\)/,
    );
  });

  it("-# draws its bar even for a terminal; --stderr moves curl's messages; -o needs its directory unless --create-dirs", () => {
    expect(run("curl -# -o /tmp/p web", client, true)).toEqual({ out: "", err: `\r${"#".repeat(72)} 100.0%\n`, code: 0 });
    expect(run("curl -sS --stderr - nope")).toEqual({ out: "curl: (6) Could not resolve host: nope\n", err: "", code: 6 });
    expect(run("curl -sS --stderr /tmp/e nope; cat /tmp/e")).toEqual({ out: "curl: (6) Could not resolve host: nope\n", err: "", code: 0 });
    expect(run("curl -sS -o /nope/x web")).toEqual({ out: "", err: "curl: (23) Failure writing output to destination\n", code: 23 });
    expect(run("curl --no-progress-meter -o /nope/x web")).toMatchObject({
      err: "Warning: Failed to open the file /nope/x: No such file or directory\ncurl: (23) Failure writing output to destination\n",
    });
    expect(run("curl -s --create-dirs -o /nope/x web && grep -c nginx /nope/x")).toEqual({ out: "6\n", err: "", code: 0 });
  });

  it("-I and -i print the status line and headers as the server sent them", () => {
    expect(run("curl -sI web").out).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 615\r\nServer: nginx/1.27.5\r\nDate: Sat, 21 Nov 2026 22:01:02 GMT\r\nContent-Type: text/html\r\nLast-Modified: Tue, 13 Aug 2024 10:00:00 GMT\r\nETag: "66bb2e20-267"\r\nAccept-Ranges: bytes\r\n\r\n',
    );
    expect(run("curl -si web/nope").out).toMatch(
      /^HTTP\/1\.1 404 Not Found\r\nContent-Length: 153\r\nServer: nginx\/1\.27\.5\r\n[\s\S]*\r\n\r\n<html>\r\n<head><title>404 Not Found<\/title>/,
    );
  });

  it("-d, --data-urlencode, -G, -u and -H reach the server as curl builds them", () => {
    const post = run("curl -s -d a=1 -d b=2 -u u:p -H 'X-A: 1' -H 'Accept:' 'echo:8080/p?q=1'").out;
    expect(post).toContain("\tmethod=POST\n\treal path=/p\n\tquery=q=1\n");
    expect(post).toContain(
      "Request Headers:\n\tauthorization=Basic dTpw\n\tcontent-length=7\n\tcontent-type=application/x-www-form-urlencoded\n\thost=echo:8080\n\tuser-agent=curl/8.5.0\n\tx-a=1\n\nRequest Body:\n\ta=1&b=2\n",
    );
    const get = run("curl -s --data-urlencode 'm=a b&c' -G echo:8080").out;
    expect(get).toContain("\tmethod=GET\n\treal path=/\n\tquery=m=a%20b%26c\n");
    expect(get).toContain("-no body in request-");
  });

  it("-w prints the transfer's variables, \\n as a newline, and warns of unknown ones", () => {
    expect(
      run(
        "curl -s -o /dev/null -w '%{http_code} %{response_code} %{remote_ip}:%{remote_port} %{size_download} %{content_type} %{url_effective} %{exitcode}\\n' web",
      ),
    ).toEqual({
      out: "200 200 10.96.10.1:80 615 text/html http://web/ 0\n",
      err: "",
      code: 0,
    });
    expect(run("curl -s -o /dev/null -w '%{time_total}' web").out).toMatch(/^0\.00\d{4}$/);
    expect(run("curl -s -o /dev/null -w '%{http_code}%{nope}' web")).toEqual({
      out: "200",
      err: "curl: unknown --write-out variable: 'nope'\n",
      code: 0,
    });
    expect(run("curl -sS -w '%{http_code}|%{exitcode}|%{errormsg}\\n' nope")).toEqual({
      out: "000|6|Could not resolve host: nope\n",
      err: "curl: (6) Could not resolve host: nope\n",
      code: 6,
    });
    // Each -o belongs to one URL, in order; a URL without one writes to stdout.
    expect(run("curl -s -o /dev/null -w '%{http_code}\\n' web/nope -o /dev/null web").out).toBe("404\n200\n");
    expect(run("curl -s -o /dev/null -w '%{size_download}\\n' web/nope web").out).toBe(`153\n${NGINX_INDEX}615\n`);
  });

  it("fails with curl's exit codes: 22 for -f, 28 at -m, 3 for a bad URL, 1 for a scheme it lacks", () => {
    expect(run("curl -fsSL web/nope")).toEqual({ out: "", err: "curl: (22) The requested URL returned error: 404\n", code: 22 });
    expect(run("curl -fs web/nope; echo $?")).toEqual({ out: "22\n", err: "", code: 0 });
    expect(run("curl -sS -m 2 web:81")).toEqual({
      out: "",
      err: "curl: (28) Failed to connect to web port 81 after 2000 ms: Timeout was reached\n",
      code: 28,
    });
    expect(run("curl -sS --connect-timeout 1.5 -m 9 web:81")).toMatchObject({
      err: "curl: (28) Failed to connect to web port 81 after 1500 ms: Timeout was reached\n",
    });
    expect(run("curl -sS web:81")).toMatchObject({
      err: "curl: (28) Failed to connect to web port 81 after 134012 ms: Couldn't connect to server\n",
      code: 28,
    });
    expect(run("curl -sS http://web:99999/")).toEqual({
      out: "",
      err: "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535\n",
      code: 3,
    });
    expect(run("curl -sS gopher2://web/")).toEqual({ out: "", err: 'curl: (1) Protocol "gopher2" not supported\n', code: 1 });
    expect(run("curl -s -O web/")).toMatchObject({ code: 23 });
  });
});

describe("the curl each image ships", () => {
  const nginx = pod("web-1", "10.244.1.2", "nginx");
  it("nginx (Debian bookworm) has 7.88.1: its User-Agent, (#0) in -v, 'no URL specified!'", () => {
    const r = run("curl -sv -o /dev/null 10.244.1.3", nginx);
    expect(r.err).toMatch(
      /^\*   Trying 10\.244\.1\.3:80\.\.\.\n\* Connected to 10\.244\.1\.3 \(10\.244\.1\.3\) port 80 \(#0\)\n> GET \/ HTTP\/1\.1\r\n> Host: 10\.244\.1\.3\r\n> User-Agent: curl\/7\.88\.1\r\n/,
    );
    expect(run("curl -s", nginx)).toEqual({ out: "", err: `curl: no URL specified!\n${TRY}`, code: 2 });
    expect(run("curl", nginx)).toEqual({ out: "", err: TRY, code: 2 });
    expect(run("curl -sS gopher2://web/", nginx).err).toBe('curl: (1) Protocol "gopher2" not supported or disabled in libcurl\n');
    expect(run("curl --version", nginx).out).toMatch(/^curl 7\.88\.1 \(x86_64-pc-linux-gnu\) libcurl\/7\.88\.1 OpenSSL\/3\.0\.15 /);
  });
  it("curlimages/curl's tag is its curl; netshoot has Alpine's", () => {
    expect(
      run("curl -s -o /dev/null -w '%{http_code}' -A x web; curl --version", pod("c", "10.244.1.8", "curlimages/curl:8.11.1")).out,
    ).toMatch(/^200curl 8\.11\.1 \(x86_64-alpine-linux-musl\) /);
    expect(run("curl -sS https://10.244.1.2:80", pod("n", "10.244.1.9", "nicolaka/netshoot"))).toEqual({
      out: "",
      err: "curl: (35) OpenSSL/3.3.3: error:0A00010B:SSL routines::wrong version number\n",
      code: 35,
    });
  });
});

describe("curl -L", () => {
  // A server that redirects /old → /new (302) and /loop to itself, in front of a 200.
  const net = {
    resolve: () => ["10.0.0.9"],
    connect: () => ({ ok: true as const, ip: "10.0.0.9" }),
    http: (req: { method: string; url: string }): HttpResult => {
      const path = new URL(req.url).pathname;
      if (path === "/old") return { status: 302, headers: { location: "/new", "content-length": "0" }, body: "" };
      if (path === "/loop") return { status: 301, headers: { location: "http://site/loop", "content-length": "0" }, body: "" };
      return {
        status: 200,
        headers: { "content-type": "text/plain", "content-length": String(req.method.length + 1) },
        body: `${req.method}\n`,
      };
    },
  };
  const runOn = (script: string) => {
    let out = "";
    let err = "";
    const code = runCommand(
      ["sh", "-c", script],
      { ...ctxOf(client), net },
      { stdout: (x) => void (out += x), stderr: (x) => void (err += x) },
    );
    return { out, err, code };
  };
  it("follows Location, turns a POST into a GET after 302, counts the redirects; -D keeps every header block", () => {
    expect(runOn("curl -s -w '%{http_code} %{redirect_url}' site/old")).toEqual({ out: "302 http://site/new", err: "", code: 0 });
    expect(runOn("curl -sL -d x=1 -w '%{http_code} %{num_redirects} %{url_effective}' site/old")).toEqual({
      out: "GET\n200 1 http://site/new",
      err: "",
      code: 0,
    });
    expect(runOn("curl -sL -X POST site/old").out).toBe("POST\n");
    expect(runOn("curl -sSL --max-redirs 3 site/loop")).toEqual({ out: "", err: "curl: (47) Maximum (3) redirects followed\n", code: 47 });
    expect(runOn("curl -sL -D /tmp/h site/old; cat /tmp/h").out).toBe(
      "GET\nHTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n",
    );
    expect(runOn("curl -s -D - -o /dev/null site/new").out).toBe(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n",
    );
    expect(runOn("curl -siL site/old").out).toBe(
      "HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nGET\n",
    );
  });
});

describe("the in-cluster API recipe (https://kubernetes.default.svc)", () => {
  const recipe = `APISERVER=https://kubernetes.default.svc; SERVICEACCOUNT=${SA}; TOKEN=$(cat \${SERVICEACCOUNT}/token); CACERT=\${SERVICEACCOUNT}/ca.crt;`;
  it("with the token and the CA: the APIVersions the API server serves", () => {
    const r = run(`${recipe} curl --cacert \${CACERT} --header "Authorization: Bearer \${TOKEN}" -X GET \${APISERVER}/api`, client, true);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "172.30.1.2:6443" }],
    });
    expect(r.out.startsWith('{\n  "kind": "APIVersions",\n')).toBe(true);
  });
  it("without the token: 403 for system:anonymous, as kube-apiserver words it", () => {
    const r = run(`${recipe} curl -s --cacert \${CACERT} \${APISERVER}/api`);
    expect(JSON.parse(r.out)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'forbidden: User "system:anonymous" cannot get path "/api"',
      reason: "Forbidden",
      details: {},
      code: 403,
    });
    expect(run(`${recipe} curl -s -o /dev/null -w '%{http_code} %{http_version}' --cacert \${CACERT} \${APISERVER}/api`).out).toBe("403 2");
  });
  it("without the CA: curl cannot verify the server (60); -k skips the check; a missing CA file is 77", () => {
    expect(run(`${recipe} curl -s \${APISERVER}/version`)).toEqual({ out: "", err: "", code: 60 });
    const r = run(`${recipe} curl -sS \${APISERVER}/version`);
    expect(r.err).toBe(
      "curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n",
    );
    expect(JSON.parse(run(`${recipe} curl -sk \${APISERVER}/version`).out).gitVersion).toBe("v1.33.1");
    expect(run(`curl -sS --cacert /nope https://kubernetes.default.svc/`)).toEqual({
      out: "",
      err: "curl: (77) error setting certificate file: /nope\n",
      code: 77,
    });
  });
  it("-v: the TLS handshake, the certificate kubeadm issues, and HTTP/2", () => {
    const r = run(`${recipe} curl -sv --cacert \${CACERT} -o /dev/null \${APISERVER}/api`);
    expect(r.err).toContain("* Connected to kubernetes.default.svc (10.96.0.1) port 443\n* ALPN: curl offers h2,http/1.1\n");
    expect(r.err).toContain(
      '*  subject: CN=kube-apiserver\n*  start date: Nov 21 20:55:00 2026 GMT\n*  expire date: Nov 21 20:55:00 2027 GMT\n*  subjectAltName: host "kubernetes.default.svc" matched cert\'s "kubernetes.default.svc"\n*  issuer: CN=kubernetes\n*  SSL certificate verify ok.\n',
    );
    expect(r.err).toContain(
      "* [HTTP/2] [1] [:path: /api]\n* [HTTP/2] [1] [user-agent: curl/8.5.0]\n* [HTTP/2] [1] [accept: */*]\n> GET /api HTTP/2\r\n> Host: kubernetes.default.svc\r\n",
    );
    expect(r.err).toMatch(
      /< HTTP\/2 403 \r\n< audit-id: [0-9a-f-]{36}\r\n< cache-control: no-cache, private\r\n< content-type: application\/json\r\n< x-content-type-options: nosniff\r\n< content-length: 220\r\n< \r\n/,
    );
    // The certificate names the Service's names and address, not a pod's: by node IP it still matches.
    expect(run(`curl -s --cacert ${SA}/ca.crt https://172.30.1.2:6443/healthz`).out).toBe("ok");
  });
});

describe("node IPs, NodePorts and LoadBalancer IPs as kube-proxy routes them", () => {
  it("a node IP refuses ports nothing listens on, and answers NodePorts and host-network servers", () => {
    expect(run("curl -sS 172.30.1.3")).toEqual({
      out: "",
      err: "curl: (7) Failed to connect to 172.30.1.3 port 80 after 0 ms: Couldn't connect to server\n",
      code: 7,
    });
    expect(run("curl -sS 172.30.1.2:6443")).toMatchObject({ code: 0, out: "Client sent an HTTP request to an HTTPS server.\n" });
    expect(run("curl -sS 172.30.1.2:10259")).toMatchObject({ code: 7 }); // no scheduler runs in this cluster
    for (const ip of ["172.30.1.2", "172.30.1.3"]) expect(run(`curl -s -o /dev/null -w '%{http_code}' ${ip}:30080`).out).toBe("200");
    expect(run("curl -s 172.30.1.3:10256/healthz").out).toBe(
      '{"lastUpdated": "2026-11-21 22:01:02 +0000 UTC","currentTime": "2026-11-21 22:01:02 +0000 UTC", "nodeEligible": true}',
    );
  });
  it("every node's kubelet listens on 10250, TLS only, self-signed, and refuses the anonymous", () => {
    expect(run("curl -s -w ' %{http_code}' https://172.30.1.3:10250/pods -k")).toEqual({ out: "Unauthorized\n 401", err: "", code: 0 });
    expect(run("curl -sS https://172.30.1.3:10250/pods")).toMatchObject({
      err: expect.stringMatching(/^curl: \(60\) SSL certificate problem: self-signed certificate in certificate chain\n/),
      code: 60,
    });
    expect(run("curl -s 172.30.1.2:10250")).toEqual({ out: "Client sent an HTTP request to an HTTPS server.\n", err: "", code: 0 });
    expect(run("nc -zv 172.30.1.2 10250")).toEqual({ out: "", err: "172.30.1.2 (172.30.1.2:10250) open\n", code: 0 });
    expect(gnuWget(["-q", "https://node01:10250/"])).toEqual({ out: "", err: "", code: 5 });
    expect(gnuWget(["https://node01:10250/"])).toMatchObject({
      err: expect.stringContaining(
        "ERROR: cannot verify node01's certificate, issued by 'CN=node01-ca@1795294800':\n  Self-signed certificate encountered.\nTo connect to node01 insecurely, use `--no-check-certificate'.\n",
      ),
      code: 5,
    });
  });
  it("localhost of a host-network pod is the node's: NodePorts answer there", () => {
    expect(run("curl -s -o /dev/null -w '%{http_code}' localhost:30080", hostClient).out).toBe("200");
    expect(run("curl -sS localhost:31", hostClient)).toMatchObject({
      err: "curl: (7) Failed to connect to localhost port 31 after 0 ms: Couldn't connect to server\n",
      code: 7,
    });
    expect(run("curl -sS localhost:30080", client)).toMatchObject({ code: 7 });
  });
  it("curl --resolve pins a name to a node IP (Host stays the name); -6 finds no address", () => {
    const r = run(
      "curl -sv --resolve shop.example:30080:172.30.1.3 -o /dev/null -w '%{http_code} %{remote_ip}' http://shop.example:30080/",
    );
    expect(r.out).toBe("200 172.30.1.3");
    expect(r.err).toMatch(
      /^\* Added shop\.example:30080:172\.30\.1\.3 to DNS cache\n\* Hostname shop\.example was found in DNS cache\n\*   Trying 172\.30\.1\.3:30080\.\.\.\n\* Connected to shop\.example \(172\.30\.1\.3\) port 30080\n> GET \/ HTTP\/1\.1\r\n> Host: shop\.example:30080\r\n/,
    );
    expect(run("curl -sS --resolve shop.example:80:172.30.1.3 http://shop.example/")).toMatchObject({
      err: "curl: (7) Failed to connect to shop.example port 80 after 0 ms: Couldn't connect to server\n",
      code: 7,
    });
    expect(run("curl -sS -6 web")).toEqual({ out: "", err: "curl: (6) Could not resolve host: web\n", code: 6 });
  });
  it("curl -x sends the whole URL to the proxy; an unknown proxy is (5), a closed one (7); --noproxy bypasses it", () => {
    const v = run("curl -sv -x web:80 -o /dev/null -w '%{http_code} %{remote_ip}' http://shop.example/");
    expect(v.out).toBe("200 10.96.10.1");
    expect(v.err).toMatch(
      /^\*   Trying 10\.96\.10\.1:80\.\.\.\n\* Connected to web \(10\.96\.10\.1\) port 80\n> GET http:\/\/shop\.example\/ HTTP\/1\.1\r\n> Host: shop\.example\r\n> User-Agent: curl\/8\.5\.0\r\n> Accept: \*\/\*\r\n> Proxy-Connection: Keep-Alive\r\n> \r\n/,
    );
    expect(run("curl -sS -x http://nope:3128 web")).toEqual({ out: "", err: "curl: (5) Could not resolve proxy: nope\n", code: 5 });
    expect(run("curl -sS -x 10.244.1.2:3128 web")).toEqual({
      out: "",
      err: "curl: (7) Failed to connect to 10.244.1.2 port 3128 after 0 ms: Couldn't connect to server\n",
      code: 7,
    });
    expect(run("curl -s -x nope:3128 --noproxy '*' -o /dev/null -w '%{http_code}' web").out).toBe("200");
  });
  it("a LoadBalancer ingress IP goes to the Service on its port; other ports are dropped", () => {
    expect(run("curl -s -o /dev/null -w '%{http_code} %{remote_ip}' 172.30.255.200:8080").out).toBe("200 172.30.255.200");
    expect(run("curl -sS -m 1 172.30.255.200")).toMatchObject({
      err: "curl: (28) Failed to connect to 172.30.255.200 port 80 after 1000 ms: Timeout was reached\n",
      code: 28,
    });
  });
});

describe("wget", () => {
  it("busybox: -S prints the response, --spider checks, -T ends a dropped connection", () => {
    expect(run("wget -S -O /dev/null web").err).toBe(
      `Connecting to web (10.96.10.1:80)\n  HTTP/1.1 200 OK\n  Content-Length: 615\n  Server: nginx/1.27.5\n  Date: Sat, 21 Nov 2026 22:01:02 GMT\n  Content-Type: text/html\n  Last-Modified: Tue, 13 Aug 2024 10:00:00 GMT\n  ETag: "66bb2e20-267"\n  Accept-Ranges: bytes\nsaving to '/dev/null'\n/dev/null            100% |${"*".repeat(32)}|   615  0:00:00 ETA\n'/dev/null' saved\n`,
    );
    expect(run("wget --spider web")).toEqual({ out: "", err: "Connecting to web (10.96.10.1:80)\nremote file exists\n", code: 0 });
    expect(run("wget --spider -q web/nope")).toEqual({ out: "", err: "wget: server returned error: HTTP/1.1 404 Not Found\n", code: 1 });
    expect(run("wget -T 3 -q web:81")).toEqual({ out: "", err: "wget: download timed out\n", code: 1 });
    expect(run("wget --header 'X-A: 1' --post-data 'k=v' -qO- echo:8080")).toMatchObject({
      code: 0,
      out: expect.stringContaining(
        "\tcontent-type=application/x-www-form-urlencoded\n\thost=echo:8080\n\tuser-agent=Wget\n\tx-a=1\n\nRequest Body:\n\tk=v\n",
      ),
    });
    expect(run("wget -U probe/1 -qO- echo:8080").out).toContain("\thost=echo:8080\n\tuser-agent=probe/1\n");
    expect(gnuWget(["-qO-", "echo:8080"]).out).toContain(
      "\taccept=*/*\n\taccept-encoding=identity\n\tconnection=Keep-Alive\n\thost=echo:8080\n\tuser-agent=Wget/1.21.3\n",
    );
    expect(gnuWget(["-qO-", "--user-agent=probe/2", "echo:8080"]).out).toContain("\tuser-agent=probe/2\n");
    expect(run("wget -Z web")).toMatchObject({ err: expect.stringMatching(/^wget: invalid option -- 'Z'\nBusyBox v1\.36\.1/), code: 1 });
  });
  it("busybox over https: no certificate check, and it says so", () => {
    const r = run("wget -qO- https://kubernetes.default.svc/version");
    expect(r.err).toBe("wget: note: TLS certificate validation not implemented\n");
    expect(JSON.parse(r.out).gitVersion).toBe("v1.33.1");
    expect(run("wget --no-check-certificate -qO- https://kubernetes.default.svc/healthz")).toEqual({ out: "ok", err: "", code: 0 });
  });
  it("GNU Wget 1.21: its log, ERROR 404 with exit 8, refusals and names exit 4, TLS exit 5", () => {
    const ok = gnuWget(["web"]);
    expect(ok.err).toBe(
      "--2026-11-21 22:01:02--  http://web/\nResolving web (web)... 10.96.10.1\nConnecting to web (web)|10.96.10.1|:80... connected.\nHTTP request sent, awaiting response... 200 OK\nLength: 615 [text/html]\nSaving to: 'index.html'\n\n" +
        "     0K .                                                      100% 5.32M=0s\n\n2026-11-21 22:01:02 (5.3 MB/s) - 'index.html' saved [615/615]\n\n",
    );
    expect(ok.code).toBe(0);
    expect(gnuWget(["web/nope"])).toMatchObject({
      err: expect.stringContaining("HTTP request sent, awaiting response... 404 Not Found\n2026-11-21 22:01:02 ERROR 404: Not Found.\n\n"),
      code: 8,
    });
    expect(gnuWget(["-qO-", "web/nope"])).toEqual({ out: "", err: "", code: 8 });
    expect(gnuWget(["172.30.1.3"])).toEqual({
      out: "",
      err: "--2026-11-21 22:01:02--  http://172.30.1.3/\nConnecting to 172.30.1.3:80... failed: Connection refused.\n",
      code: 4,
    });
    expect(gnuWget(["-q", "nope"])).toEqual({ out: "", err: "", code: 4 });
    expect(gnuWget(["nope"])).toEqual({
      out: "",
      err: "--2026-11-21 22:01:02--  http://nope/\nResolving nope (nope)... failed: Name or service not known.\nwget: unable to resolve host address 'nope'\n",
      code: 4,
    });
    expect(gnuWget(["-T", "2", "-t", "2", "web:81"]).err).toBe(
      "--2026-11-21 22:01:02--  http://web:81/\nResolving web (web)... 10.96.10.1\nConnecting to web (web)|10.96.10.1|:81... failed: Connection timed out.\nRetrying.\n\n--2026-11-21 22:01:05--  (try: 2)  http://web:81/\nConnecting to web (web)|10.96.10.1|:81... failed: Connection timed out.\nGiving up.\n\n",
    );
    expect(gnuWget(["-t", "2", "-T", "1", "10.244.0.5:53"]).err).toBe(
      "--2026-11-21 22:01:02--  http://10.244.0.5:53/\nConnecting to 10.244.0.5:53... connected.\nHTTP request sent, awaiting response... Read error (Connection timed out) in headers.\nRetrying.\n\n" +
        "--2026-11-21 22:01:04--  (try: 2)  http://10.244.0.5:53/\nConnecting to 10.244.0.5:53... connected.\nHTTP request sent, awaiting response... Read error (Connection timed out) in headers.\nGiving up.\n\n",
    );
    expect(gnuWget(["-t", "1", "10.244.0.5:53"])).toMatchObject({
      err: expect.stringContaining("awaiting response... No data received.\nGiving up.\n\n"),
      code: 4,
    });
    expect(gnuWget(["https://kubernetes.default.svc/api"])).toMatchObject({
      err: expect.stringContaining(
        "|10.96.0.1|:443... connected.\nERROR: cannot verify kubernetes.default.svc's certificate, issued by 'CN=kubernetes':\n  Unable to locally verify the issuer's authority.\nTo connect to kubernetes.default.svc insecurely, use `--no-check-certificate'.\n",
      ),
      code: 5,
    });
    expect(gnuWget(["-qO-", `--ca-certificate=${SA}/ca.crt`, "https://kubernetes.default.svc/healthz"])).toEqual({
      out: "ok",
      err: "",
      code: 0,
    });
    expect(gnuWget(["--foo", "web"])).toEqual({
      out: "",
      err: "wget: unrecognized option '--foo'\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n",
      code: 2,
    });
  });
});

describe("the pod's addresses: hostname -i, ip, ifconfig", () => {
  it("hostname -i prints the pod IP from /etc/hosts; busybox has no -I", () => {
    expect(run("hostname; hostname -i; hostname -s")).toEqual({ out: "client\n10.244.1.20\nclient\n", err: "", code: 0 });
    expect(run("hostname -I")).toMatchObject({ err: expect.stringMatching(/^hostname: invalid option -- 'I'\n/), code: 1 });
    expect(run("hostname other")).toEqual({ out: "", err: "hostname: sethostname: Operation not permitted\n", code: 1 });
  });
  it("Debian's hostname (nginx): -i and -I with its trailing space, its usage on stdout and exit 255", () => {
    const nginx = pod("web-1", "10.244.1.2", "nginx");
    expect(run("hostname -i; hostname -I; hostname -f", nginx)).toEqual({ out: "10.244.1.2\n10.244.1.2 \nweb-1\n", err: "", code: 0 });
    expect(run("hostname -x", nginx)).toMatchObject({
      out: expect.stringMatching(/^Usage: hostname \[-b\] \{hostname\|-F file\}         set host name \(from file\)\n/),
      err: "hostname: invalid option -- 'x'\n",
      code: 255,
    });
    expect(run("hostname other", nginx)).toEqual({ out: "", err: "hostname: you must be root to change the host name\n", code: 1 });
  });
  it("busybox ip addr / ip route: lo and eth0@ifN with the pod's IP, a MAC from it, the gateway", () => {
    const eth0 =
      "2: eth0@if25: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n    link/ether 0a:58:0a:f4:01:14 brd ff:ff:ff:ff:ff:ff\n" +
      "    inet 10.244.1.20/24 brd 10.244.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n    inet6 fe80::858:aff:fef4:114/64 scope link \n       valid_lft forever preferred_lft forever\n";
    const lo =
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n";
    expect(run("ip a")).toEqual({ out: lo + eth0, err: "", code: 0 });
    expect(run("ip addr show eth0").out).toBe(eth0);
    expect(run("ip -4 a show dev eth0").out).toBe(
      "2: eth0@if25: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n    link/ether 0a:58:0a:f4:01:14 brd ff:ff:ff:ff:ff:ff\n    inet 10.244.1.20/24 brd 10.244.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n",
    );
    expect(run("ip route")).toEqual({
      out: "default via 10.244.1.1 dev eth0 \n10.244.0.0/16 via 10.244.1.1 dev eth0 \n10.244.1.0/24 dev eth0 scope link  src 10.244.1.20 \n",
      err: "",
      code: 0,
    });
    expect(run("ip link").out).toBe(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: eth0@if25: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n    link/ether 0a:58:0a:f4:01:14 brd ff:ff:ff:ff:ff:ff\n",
    );
    expect(run("ip addr add 10.0.0.1/24 dev eth0")).toEqual({ out: "", err: "ip: RTNETLINK answers: Operation not permitted\n", code: 2 });
    expect(run("ip addr show eth1")).toEqual({ out: "", err: "ip: can't find device 'eth1'\n", code: 1 });
    // Another pod: another address, another MAC and peer index.
    expect(run("ip a show eth0", pod("bb", "10.244.1.3", "busybox")).out).toMatch(/^2: eth0@if8: .*\n    link\/ether 0a:58:0a:f4:01:03 /);
  });
  it("busybox ifconfig: eth0 then lo in net-tools' layout", () => {
    expect(run("ifconfig eth0").out).toBe(
      "eth0      Link encap:Ethernet  HWaddr 0A:58:0A:F4:01:14  \n          inet addr:10.244.1.20  Bcast:10.244.1.255  Mask:255.255.255.0\n          inet6 addr: fe80::858:aff:fef4:114/64 Scope:Link\n          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n" +
        "          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n          collisions:0 txqueuelen:0 \n          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n",
    );
    expect(run("ifconfig").out).toMatch(
      /^eth0 [\s\S]*\n\nlo        Link encap:Local Loopback  \n          inet addr:127\.0\.0\.1  Mask:255\.0\.0\.0\n[\s\S]*UP LOOPBACK RUNNING  MTU:65536  Metric:1\n/,
    );
    expect(run("ifconfig eth9")).toEqual({
      out: "",
      err: "ifconfig: eth9: error fetching interface information: Device not found\n",
      code: 1,
    });
  });
  it("iproute2 (netshoot): state and group, link-netnsid, -brief; a host-network pod sees the node's eth0", () => {
    const onNode = run("ip a show eth0; ip route", hostClient).out;
    expect(onNode).toBe(
      "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    link/ether 02:42:ac:1e:01:03 brd ff:ff:ff:ff:ff:ff\n    inet 172.30.1.3/24 brd 172.30.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n    inet6 fe80::42:acff:fe1e:103/64 scope link \n       valid_lft forever preferred_lft forever\n" +
        "default via 172.30.1.1 dev eth0\n172.30.1.0/24 dev eth0 proto kernel scope link src 172.30.1.3\n",
    );
    const netshoot = pod("shoot", "10.244.1.7", "nicolaka/netshoot");
    expect(run("ip -br a; ip -br -4 a show eth0; ip -br link", netshoot).out).toBe(
      "lo               UNKNOWN        127.0.0.1/8 ::1/128 \neth0@if12        UP             10.244.1.7/24 fe80::858:aff:fef4:107/64 \n" +
        "eth0@if12        UP             10.244.1.7/24 \n" +
        "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \neth0@if12        UP             0a:58:0a:f4:01:07 <BROADCAST,MULTICAST,UP,LOWER_UP> \n",
    );
    expect(run("ip a show eth0; ip r", netshoot).out).toBe(
      "2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \n    link/ether 0a:58:0a:f4:01:07 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet 10.244.1.7/24 brd 10.244.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n    inet6 fe80::858:aff:fef4:107/64 scope link \n       valid_lft forever preferred_lft forever\n" +
        "default via 10.244.1.1 dev eth0\n10.244.0.0/16 via 10.244.1.1 dev eth0\n10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.7\n",
    );
  });
});

describe("ping in a terminal (real time)", () => {
  it("sends a packet a second until Ctrl-C, then prints its statistics and exits 0, as ping does on SIGINT", async () => {
    const chunks: { at: number; text: string }[] = [];
    const io = {
      stdout: (x: string) => void chunks.push({ at: Date.now(), text: x }),
      stderr: (x: string) => void chunks.push({ at: Date.now(), text: x }),
    };
    const sh = new InteractiveShell(ctxOf(client), { shell: "sh" });
    sh.feed("ping 10.244.1.2\r", io);
    await new Promise((r) => setTimeout(r, 2400));
    const replies = chunks.filter((c) => c.text.startsWith("64 bytes from 10.244.1.2: seq="));
    expect(replies.map((c) => c.text.split(" ")[4])).toEqual(["seq=0", "seq=1", "seq=2"]);
    expect(replies[2].at - replies[0].at).toBeGreaterThanOrEqual(1900);
    sh.feed("\x03", io);
    await new Promise((r) => setTimeout(r, 50));
    const text = chunks.map((c) => c.text).join("");
    expect(text).toContain("^C\r\n--- 10.244.1.2 ping statistics ---\r\n3 packets transmitted, 3 packets received, 0% packet loss\r\n");
    chunks.length = 0;
    sh.feed("echo $?\r", io);
    expect(chunks.map((c) => c.text).join("")).toContain("\r\n0\r\n");
  });
});

describe("curl and wget waits in a terminal (real time)", () => {
  function terminal() {
    const chunks: { at: number; text: string }[] = [];
    const io = {
      stdout: (x: string) => void chunks.push({ at: Date.now(), text: x }),
      stderr: (x: string) => void chunks.push({ at: Date.now(), text: x }),
    };
    const sh = new InteractiveShell(ctxOf(client), { shell: "sh" });
    return { type: (x: string) => sh.feed(x, io), text: () => chunks.map((c) => c.text).join(""), chunks };
  }

  it("curl -m 1 to a dropped connection answers after a second of wall time", async () => {
    const t = terminal();
    const start = Date.now();
    t.type("curl -sS -m 1 web:81\r");
    await new Promise((r) => setTimeout(r, 300));
    expect(t.text()).not.toContain("curl: (28)");
    await new Promise((r) => setTimeout(r, 1000));
    const error = t.chunks.find((c) => c.text.startsWith("curl: (28) Failed to connect to web port 81 after 1000 ms"));
    expect(error?.at).toBeGreaterThanOrEqual(start + 950);
  });

  it("Ctrl-C ends a curl waiting on a silent server, and $? is 130", async () => {
    const t = terminal();
    t.type("curl -sS 10.244.0.5:53\r");
    await new Promise((r) => setTimeout(r, 200));
    t.type("\x03");
    await new Promise((r) => setTimeout(r, 50));
    t.type("echo $?\r");
    expect(t.text()).not.toContain("Empty reply");
    expect(t.text()).toContain("\r\n130\r\n");
  });

  it("wget -T 1 waits its timeout in wall time before it says so", async () => {
    const t = terminal();
    const start = Date.now();
    t.type("wget -T 1 -qO- 10.244.0.5:53\r");
    await new Promise((r) => setTimeout(r, 1300));
    const said = t.chunks.find((c) => c.text.startsWith("wget: download timed out"));
    expect(said?.at).toBeGreaterThanOrEqual(start + 950);
  });
});
