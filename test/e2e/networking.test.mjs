// Ingress and NetworkPolicy with the real kubectl: the ingress-nginx add-on a fresh cluster ships
// with, the docs' "Set up Ingress on Minikube with the NGINX Ingress Controller" (web and web2 behind
// example-ingress, reached through the controller's NodePort from a node and from a pod), `kubectl
// create ingress` and `describe ingress`, the API server's and ingress-nginx's webhook's refusals, the docs' "Declare Network
// Policy" (access-nginx: only pods labelled access=true get the page, the others time out) and a
// default-deny egress policy that takes DNS away until kube-dns is allowed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { KUBECTL, Server, eventually as poll, request } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }] });
});

after(async () => {
  await server?.stop();
});

/** Retry a block of assertions until they all hold. */
const eventually = (fn, opts) =>
  poll(async () => {
    await fn();
    return true;
  }, opts);
const aged = (text) => text.replace(/(?<=\s)\d+(?:s|m|h)(?:\d+s)?(?=\s*$|\s)/gm, "<age>");
const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });
const json = (out) => JSON.parse(out);

/** A script in the control-plane node's root shell. */
async function onNode(script) {
  const r = await request(`${server.origin}/api/sessions/${s.id}/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "text/plain" },
    body: script,
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A one-off pod's output (`kubectl run --rm -i`), as a learner runs a client pod. */
const inPod = (name, image, command, extra = []) =>
  kubectl(["run", name, "--rm", "-i", "--restart=Never", `--image=${image}`, ...extra, "--", ...command], { timeout: 60_000 });

const nodeIP = (name) => json(k(["get", "node", name, "-o", "json"])).status.addresses.find((a) => a.type === "InternalIP").address;
const nodePort = (port) =>
  json(k("get svc -n ingress-nginx ingress-nginx-controller -o json")).spec.ports.find((p) => p.port === port).nodePort;

const EXAMPLE_INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: example-ingress
spec:
  ingressClassName: nginx
  rules:
    - host: hello-world.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 8080
          - path: /v2
            pathType: Prefix
            backend:
              service:
                name: web2
                port:
                  number: 8080
`;

test("the cluster ships ingress-nginx: its controller runs beside the Completed admission Jobs, its Service is a NodePort on 80 and 443, and nginx is the default IngressClass", async () => {
  // The docs' `kubectl get pods -n ingress-nginx`: the two admission Jobs' pods Completed, the controller Running.
  await eventually(() =>
    assert.match(
      aged(k("get pods -n ingress-nginx")),
      /^NAME +READY +STATUS +RESTARTS +AGE\ningress-nginx-admission-create-[a-z0-9]{5} +0\/1 +Completed +0 +<age>\ningress-nginx-admission-patch-[a-z0-9]{5} +0\/1 +Completed +0 +<age>\ningress-nginx-controller-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running +0 +<age>\n$/,
    ),
  );
  const patched = k("logs -n ingress-nginx job/ingress-nginx-admission-patch");
  assert.match(patched, /"msg":"Patched hook\(s\)"/);
  const svc = k("get svc -n ingress-nginx ingress-nginx-controller");
  assert.match(svc, /^ingress-nginx-controller\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP,443:3\d{4}\/TCP\s/m);
  assert.equal(
    aged(k("get ingressclass")),
    "NAME    CONTROLLER             PARAMETERS   AGE\nnginx   k8s.io/ingress-nginx   <none>       <age>\n",
  );
  const ic = json(k("get ingressclass nginx -o json"));
  assert.equal(ic.metadata.annotations["ingressclass.kubernetes.io/is-default-class"], "true");
});

test("the docs' example-ingress: the controller's node IP is its address, and / and /v2 answer web and web2 through the NodePort", async () => {
  k("create deployment web --image=gcr.io/google-samples/hello-app:1.0");
  k("expose deployment web --type=NodePort --port=8080");
  k("create deployment web2 --image=gcr.io/google-samples/hello-app:2.0");
  k("expose deployment web2 --port=8080");
  assert.equal(apply(EXAMPLE_INGRESS), "ingress.networking.k8s.io/example-ingress created\n");
  await eventually(() => assert.equal(k("rollout status deployment web2 --timeout=5s").includes("successfully rolled out"), true));
  const controller = json(k("get pods -n ingress-nginx -l app.kubernetes.io/component=controller -o json")).items[0];
  const address = nodeIP(controller.spec.nodeName);
  await eventually(() =>
    assert.equal(
      aged(k("get ingress")),
      `NAME              CLASS   HOSTS                 ADDRESS      PORTS   AGE\nexample-ingress   nginx   hello-world.example   ${address}   80      <age>\n`,
    ),
  );
  const http = nodePort(80);
  // From a node shell, through the NodePort of the worker's IP, as the docs' curl --resolve does.
  const worker = nodeIP("node01");
  const root = await onNode(`curl -s --resolve "hello-world.example:${http}:${worker}" -i http://hello-world.example:${http}`);
  assert.equal(root.exitCode, 0, root.stderr);
  assert.match(
    root.stdout,
    /^HTTP\/1\.1 200 OK\r?\nDate: .*\r?\nContent-Type: text\/plain; charset=utf-8\r?\nContent-Length: \d+\r?\nConnection: keep-alive\r?\n/,
  );
  assert.match(root.stdout, /Hello, world!\nVersion: 1\.0\.0\nHostname: web-[a-z0-9]+-[a-z0-9]{5}\n$/);
  const v2 = await onNode(`curl -s --resolve "hello-world.example:${http}:${worker}" http://hello-world.example:${http}/v2`);
  assert.match(v2.stdout, /^Hello, world!\nVersion: 2\.0\.0\nHostname: web2-/);
  // localhost:<nodeport> on the node, and another Host: the controller's own 404.
  const other = await onNode(`curl -s -i -H "Host: nowhere.example" http://localhost:${http}/`);
  assert.match(other.stdout, /^HTTP\/1\.1 404 Not Found\r?\n/);
  assert.match(
    other.stdout,
    /<head><title>404 Not Found<\/title><\/head>\r?\n<body>\r?\n<center><h1>404 Not Found<\/h1><\/center>\r?\n<hr><center>nginx<\/center>/,
  );
  // The controller's hostPort 80 on its own node, as minikube's addon maps it.
  const hostPort = await onNode(`curl -s -H "Host: hello-world.example" http://${address}/v2`);
  assert.match(hostPort.stdout, /Version: 2\.0\.0/);
  // From a pod, through the controller's Service by its DNS name.
  const fromPod = inPod("client", "curlimages/curl", [
    "curl",
    "-s",
    "-H",
    "Host: hello-world.example",
    "http://ingress-nginx-controller.ingress-nginx/v2",
  ]);
  assert.match(fromPod.out, /Version: 2\.0\.0/);
  // The controller logged each request with its upstream.
  const logs = k("logs -n ingress-nginx deploy/ingress-nginx-controller");
  assert.match(logs, /"GET \/v2 HTTP\/1\.1" 200 \d+ "-" "curl\/[\d.]+" \d+ [\d.]+ \[default-web2-8080\] \[\] 10\.244\.\d+\.\d+:8080 /);
  assert.match(logs, /"GET \/ HTTP\/1\.1" 404 \d+ .*\[upstream-default-backend\]/);
});

/** A plain HTTP GET to the local end of a port-forward, with the Host header given. */
const get = (port, path, host) =>
  new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      })
      .on("error", reject);
  });

test("kubectl port-forward to the controller's Service, as ingress-nginx's quick start does, routes by the Host header", async () => {
  const port = 20000 + Math.floor(Math.random() * 2000);
  const child = spawn(KUBECTL["1.33"], ["port-forward", "-n", "ingress-nginx", "service/ingress-nginx-controller", `${port}:80`], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
    detached: true,
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await eventually(() => assert.match(out, /Forwarding from 127\.0\.0\.1:\d+ -> 80/), { timeout: 15_000 });
    const v2 = await get(port, "/v2", "hello-world.example");
    assert.equal(v2.status, 200);
    assert.match(v2.body, /^Hello, world!\nVersion: 2\.0\.0\n/);
    const none = await get(port, "/v2", `127.0.0.1:${port}`);
    assert.equal(none.status, 404);
  } finally {
    process.kill(-child.pid, "SIGKILL");
  }
});

test("the backends load-balance over their endpoints, and a Service without endpoints is a 503", async () => {
  k("scale deployment web --replicas=2");
  await eventually(() => assert.equal(json(k("get deploy web -o json")).status.readyReplicas, 2));
  const http = nodePort(80);
  const out = await onNode(`for i in 1 2 3 4; do curl -s -H "Host: hello-world.example" http://localhost:${http}/ | grep Hostname; done`);
  const hosts = new Set(out.stdout.trim().split("\n"));
  assert.equal(hosts.size, 2, out.stdout);
  k("scale deployment web2 --replicas=0");
  await eventually(async () => {
    const r = await onNode(`curl -s -i -H "Host: hello-world.example" http://localhost:${http}/v2`);
    assert.match(
      r.stdout,
      /^HTTP\/1\.1 503 Service Temporarily Unavailable\r?\n[\s\S]*<center><h1>503 Service Temporarily Unavailable<\/h1><\/center>/,
    );
  });
  k("scale deployment web2 --replicas=1");
});

test("kubectl create ingress with a TLS rule and describe ingress print what the real ones do", async () => {
  assert.equal(
    k(["create", "ingress", "simple", "--class=nginx", "--rule=foo.com/bar=web:8080,tls=my-cert"]),
    "ingress.networking.k8s.io/simple created\n",
  );
  const r = kubectl(["create", "ingress", "bad", "--rule=foo.com/bar"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: rule foo.com/bar is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n");
  await eventually(() => assert.ok(json(k("get ingress simple -o json")).status.loadBalancer.ingress?.length));
  const address = json(k("get ingress simple -o json")).status.loadBalancer.ingress[0].ip;
  const eps = json(k("get endpoints web -o json"))
    .subsets.flatMap((ss) => ss.addresses.map((a) => `${a.ip}:8080`))
    .join(",");
  await eventually(() => {
    // The events table's widths follow its ages: the rows are compared without them.
    const text = k("describe ingress simple").replace(
      /\n  Type .*\n  ---.*\n  Normal\s+Sync\s+\d+s \(x2 over \d+s\)\s+/,
      "\n  Normal  Sync <age> (x2 over <age>) ",
    );
    assert.equal(
      text,
      `Name:             simple
Labels:           <none>
Namespace:        default
Address:          ${address}
Ingress Class:    nginx
Default backend:  <default>
TLS:
  my-cert terminates foo.com
Rules:
  Host        Path  Backends
  ----        ----  --------
  foo.com     
              /bar   web:8080 (${eps})
Annotations:  <none>
Events:
  Normal  Sync <age> (x2 over <age>) nginx-ingress-controller  Scheduled for sync
`,
    );
  });
});

/** A self-signed P-256 certificate (CN ec) and its key, for the TLS secret an Ingress names. */
const TLS_CRT =
  "-----BEGIN CERTIFICATE-----\nMIIBbzCCARWgAwIBAgIUH9HQtW7Qv4GW8kFKHWdSli1eu/AwCgYIKoZIzj0EAwIw\nDTELMAkGA1UEAwwCZWMwHhcNMjYxMjA0MjE0NDA2WhcNMjcwMTAzMjE0NDA2WjAN\nMQswCQYDVQQDDAJlYzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHV/ZzjIl07c\nAFiS5WgEHQvBB5ibf0uuuuBrCTbPKyQxC+eoV5ecZEc4jVx4pC5a5pK3I903iyls\nR0MXyVL+jOujUzBRMB0GA1UdDgQWBBTxTa17JBPjRl5z0xAGE7ruOP0e/jAfBgNV\nHSMEGDAWgBTxTa17JBPjRl5z0xAGE7ruOP0e/jAPBgNVHRMBAf8EBTADAQH/MAoG\nCCqGSM49BAMCA0gAMEUCIDCYYGfritcAmTLhGqxWn25WLOClUzLPJ/uo5kyljC0W\nAiEAmjYxiVRB8hTdAumIj2vAo9I0nfoHkVpkouUmlviB/9U=\n-----END CERTIFICATE-----\n";
const TLS_KEY =
  "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFY/z4lZj9sVDcgmUBErRO6p2pQXm9YAvUl9h68LP0ynoAoGCCqGSM49\nAwEHoUQDQgAEdX9nOMiXTtwAWJLlaAQdC8EHmJt/S6664GsJNs8rJDEL56hXl5xk\nRziNXHikLlrmkrcj3TeLKWxHQxfJUv6M6w==\n-----END EC PRIVATE KEY-----\n";

test("HTTPS on the controller: the Ingress's TLS secret for its host, the fake certificate for others, and plain HTTP redirected", async () => {
  s.file("tls.crt", TLS_CRT);
  s.file("tls.key", TLS_KEY);
  k(["create", "secret", "tls", "my-cert", `--cert=${s.dir}/tls.crt`, `--key=${s.dir}/tls.key`]);
  const https = nodePort(443);
  const http = nodePort(80);
  const ip = nodeIP("node01");
  const pin = (port) => `--resolve foo.com:${port}:${ip}`;
  const trusted = await onNode(
    `cat > tls.crt <<'EOF'\n${TLS_CRT}EOF\ncurl -s -i --cacert tls.crt ${pin(https)} https://foo.com:${https}/bar`,
  );
  assert.equal(trusted.exitCode, 0, trusted.stderr);
  assert.match(
    trusted.stdout,
    /^HTTP\/2 200 \r?\n[\s\S]*strict-transport-security: max-age=31536000; includeSubDomains\r?\n[\s\S]*Version: 1\.0\.0/,
  );
  // Another host gets ingress-nginx's fake certificate, which nothing trusts.
  const fake = await onNode(`curl -sS https://localhost:${https}/`);
  assert.equal(fake.exitCode, 60);
  assert.equal(
    fake.stderr,
    "curl: (60) SSL certificate problem: self-signed certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n",
  );
  // A host with TLS is only served over HTTPS: plain HTTP gets ingress-nginx's 308.
  const redirect = await onNode(`curl -s -i ${pin(http)} http://foo.com:${http}/bar`);
  assert.match(redirect.stdout, /^HTTP\/1\.1 308 Permanent Redirect\r?\n[\s\S]*Location: https:\/\/foo\.com\/bar\r?\n/);
});

test("the API server refuses invalid Ingresses with the real messages", () => {
  const r = kubectl(["apply", "-f", "-"], {
    input: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: broken
spec:
  rules:
  - host: "*.*.example.com"
    http:
      paths:
      - path: relative
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
      - path: /x
        backend:
          service:
            name: web
`,
  });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `The Ingress "broken" is invalid: \n* spec.rules[0].host: Invalid value: "*.*.example.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n* spec.rules[0].http.paths[0].path: Invalid value: "relative": must be an absolute path\n* spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified\n`,
  );
  // ingress-nginx's webhook: a host and path another Ingress has are refused.
  const taken = kubectl(["create", "ingress", "again", "--rule=hello-world.example/=web2:8080"]);
  assert.equal(taken.code, 1);
  assert.equal(
    taken.stderr,
    'error: failed to create ingress: admission webhook "validate.nginx.ingress.kubernetes.io" denied the request: host "hello-world.example" and path "/" is already defined in ingress default/example-ingress\n',
  );
  const other = kubectl(["create", "ingress", "again", "--rule=hello-world.example/other=web2:8080"]);
  assert.equal(other.stdout, "ingress.networking.k8s.io/again created\n");
  k("delete ingress again");
  const empty = kubectl(["create", "-f", "-"], {
    input: `{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"empty"},"spec":{}}`,
  });
  assert.equal(
    empty.stderr,
    'The Ingress "empty" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified\n',
  );
});

test("the docs' access-nginx NetworkPolicy: a pod without access=true times out, one with it gets the page", async () => {
  k("create deployment nginx --image=nginx");
  k("expose deployment nginx --port=80");
  await eventually(() => assert.equal(json(k("get deploy nginx -o json")).status.readyReplicas, 1));
  const before = inPod("probe", "busybox:1.28", ["wget", "--spider", "--timeout=1", "nginx"]);
  assert.match(before.out, /remote file exists/);
  assert.equal(
    apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: access-nginx
spec:
  podSelector:
    matchLabels:
      app: nginx
  ingress:
  - from:
    - podSelector:
        matchLabels:
          access: "true"
`),
    "networkpolicy.networking.k8s.io/access-nginx created\n",
  );
  assert.equal(aged(k("get netpol")), "NAME           POD-SELECTOR   AGE\naccess-nginx   app=nginx      <age>\n");
  const denied = inPod("busybox", "busybox:1.28", ["wget", "--spider", "--timeout=1", "nginx"]);
  assert.match(denied.out, /wget: download timed out/);
  const allowed = inPod("busybox", "busybox:1.28", ["wget", "--spider", "--timeout=1", "nginx"], ["--labels=access=true"]);
  assert.match(allowed.out, /remote file exists/);
  const curl = inPod("curler", "curlimages/curl", ["curl", "-sS", "--connect-timeout", "2", "http://nginx"]);
  assert.match(curl.out, /^curl: \(28\) Failed to connect to nginx port 80 after 2000 ms: Timeout was reached\n/m);
  const describe = k("describe netpol access-nginx").replace(/Created on:\s+.*\n/, "Created on: <time>\n");
  assert.equal(
    describe,
    `Name:         access-nginx
Namespace:    default
Created on: <time>
Labels:       <none>
Annotations:  <none>
Spec:
  PodSelector:     app=nginx
  Allowing ingress traffic:
    To Port: <any> (traffic allowed to all ports)
    From:
      PodSelector: access=true
  Not affecting egress traffic
  Policy Types: Ingress
`,
  );
});

test("a default-deny egress policy takes DNS away until kube-dns is allowed; the pod IP still times out", async () => {
  k("create namespace locked");
  apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: locked
spec:
  podSelector: {}
  policyTypes:
  - Egress
`);
  const lookup = inPod("lookup", "busybox", ["nslookup", "kubernetes.default"], ["-n", "locked"]);
  assert.match(lookup.out, /^;; connection timed out; no servers could be reached\n/);
  const curl = inPod("curl", "curlimages/curl", ["curl", "-sS", "-m", "2", "http://nginx.default"], ["-n", "locked"]);
  assert.match(curl.out, /^curl: \(6\) Could not resolve host: nginx\.default\n/m);
  apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: locked
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
`);
  const resolved = inPod("lookup2", "busybox", ["nslookup", "nginx.default.svc.cluster.local"], ["-n", "locked"]);
  assert.match(resolved.out, /Name:\tnginx\.default\.svc\.cluster\.local\nAddress: 10\.\d+\.\d+\.\d+\n/);
  const blocked = inPod("curl2", "curlimages/curl", ["curl", "-sS", "-m", "2", "http://nginx.default"], ["-n", "locked"]);
  assert.match(blocked.out, /curl: \(28\) Failed to connect to nginx\.default port 80 after 2000 ms: Timeout was reached/);
});
