// In-cluster traffic as a learner sees it from inside a pod, through `kubectl exec` with the real
// kubectl: Service round-robin and ClientIP affinity, DNS names and the search path, the tutorials'
// nginx RC behind port 8001 (access-log lines, `logs -f`), NodePorts, refusals, busybox nslookup,
// pod-to-pod by IP and `curl localhost` inside a container.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Server, KUBECTL, eventually } from "./lib/harness.mjs";
import { MYAPP_POD, NGINX_RC, NGINX_SVC } from "./lib/manifests.mjs";

let server;
let s;

const WORLD = `apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: who}
spec:
  replicas: 3
  selector: {matchLabels: {app: who}}
  template:
    metadata: {labels: {app: who}}
    spec:
      containers:
      - {name: whoami, image: traefik/whoami, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: who}
spec:
  selector: {app: who}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  selector: {app: who}
  sessionAffinity: ClientIP
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: who-np}
spec:
  type: NodePort
  selector: {app: who}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: who-headless}
spec:
  clusterIP: None
  selector: {app: who}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: nothing}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: unready, labels: {app: unready}}
spec:
  containers:
  - name: nginx
    image: nginx
    readinessProbe: {httpGet: {path: /, port: 81}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: unready}
spec:
  selector: {app: unready}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: bb}
spec:
  containers: [{name: bb, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers: [{name: curl, image: curlimages/curl, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: far, namespace: other}
spec:
  containers: [{name: bb, image: busybox, command: [sleep, "3600"]}]
`;

const jp = (what, path) => s.k(["get", ...what.split(" "), "-o", `jsonpath=${path}`]);
const ready = (svc) => jp(`endpoints ${svc}`, "{.subsets[*].addresses[*].ip}").split(" ").filter(Boolean).length;
/** Run a command in a pod; the kubectl result (code, stdout, stderr). */
const ex = (pod, ...cmd) => s.kubectl(["exec", ...pod.split(" "), "--", ...cmd]);
const hostname = (body) => /^Hostname: (\S+)$/m.exec(body)?.[1];

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("apply -f -", { input: `${WORLD}---\n${NGINX_RC}---\n${NGINX_SVC}---\n${MYAPP_POD}` });
  await eventually(
    () =>
      ready("who") === 3 &&
      ready("nginx-service-clusterip") === 2 &&
      // ingress-nginx's admission Jobs end Succeeded; everything else runs.
      jp("pods -A", "{.items[*].status.phase}")
        .split(" ")
        .every((p) => p === "Running" || p === "Succeeded"),
    { timeout: 30_000 },
  );
});

after(async () => {
  await server?.stop();
});

test("wget and curl through a Service round-robin across the 3 replicas, by every name", () => {
  const whoPods = jp("pods -l app=who", "{.items[*].metadata.name}").split(" ").sort();
  for (const name of ["who", "who.default", "who.default.svc", "who.default.svc.cluster.local"]) {
    const seen = new Set();
    for (let i = 0; i < 3; i++) {
      const r = ex("bb", "wget", "-qO-", `http://${name}`);
      assert.equal(r.code, 0, JSON.stringify(r));
      assert.ok(r.stdout.endsWith(`\nGET / HTTP/1.1\r\nHost: ${name}\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n`), r.stdout);
      seen.add(hostname(r.stdout));
    }
    assert.deepEqual([...seen].sort(), whoPods, `${name} spreads over every replica`);
  }
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const r = ex("client", "curl", "-s", "who");
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.match(r.stdout, /\nGET \/ HTTP\/1\.1\r\nHost: who\r\nUser-Agent: curl\/8\.\d+\.\d+\r\nAccept: \*\/\*\r\n\r\n$/);
    assert.match(r.stdout, new RegExp(`^RemoteAddr: ${jp("pod client", "{.status.podIP}").replace(/\./g, "\\.")}:\\d+$`, "m"));
    seen.add(hostname(r.stdout));
  }
  assert.deepEqual([...seen].sort(), whoPods);
});

test("from another namespace only the qualified names resolve", () => {
  const bare = ex("-n other far", "wget", "-qO-", "http://who");
  assert.equal(bare.code, 1);
  assert.equal(bare.stderr, "wget: bad address 'who'\ncommand terminated with exit code 1\n");
  for (const name of ["who.default", "who.default.svc", "who.default.svc.cluster.local"]) {
    const r = ex("-n other far", "wget", "-qO-", `http://${name}/`);
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.match(r.stdout, /^Hostname: who-/m);
  }
  const curl = ex("client", "curl", "-sS", "http://who.other");
  assert.equal(curl.code, 6);
  assert.equal(curl.stderr, "curl: (6) Could not resolve host: who.other\ncommand terminated with exit code 6\n");
});

test("sessionAffinity: ClientIP sends a client to the same pod every time", () => {
  const seen = new Set();
  for (let i = 0; i < 4; i++) seen.add(hostname(ex("bb", "wget", "-qO-", "sticky").stdout));
  assert.equal(seen.size, 1);
  assert.match([...seen][0], /^who-/);
});

test("003: curling the nginx Service on 8001 spreads over both pods, whose logs show the client's IP", () => {
  const ip = jp("svc nginx-service-clusterip", "{.spec.clusterIP}");
  const clientIP = jp("pod client", "{.status.podIP}");
  const nginxPods = jp("pods -l name=nginx", "{.items[*].metadata.name}").split(" ");
  assert.equal(nginxPods.length, 2);
  const before = nginxPods.map(
    (p) =>
      s
        .k(`logs ${p}`)
        .split("\n")
        .filter((l) => l.startsWith(`${clientIP} `)).length,
  );
  for (let i = 0; i < 4; i++) {
    const r = ex("client", "curl", "-s", `${ip}:8001`);
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/);
  }
  const access = new RegExp(
    `^${clientIP.replace(/\./g, "\\.")} - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "GET / HTTP/1\\.1" 200 615 "-" "curl/8\\.\\d+\\.\\d+" "-"$`,
  );
  nginxPods.forEach((p, i) => {
    const mine = s
      .k(`logs ${p}`)
      .split("\n")
      .filter((l) => l.startsWith(`${clientIP} `));
    assert.equal(mine.length - before[i], 2, `${p} served half of the requests`);
    assert.match(mine.at(-1), access);
  });
});

test("logs -f on an nginx pod receives the line while another pod curls it", async () => {
  const [pod] = jp("pods -l name=nginx", "{.items[*].metadata.name}").split(" ");
  const podIP = jp(`pod ${pod}`, "{.status.podIP}");
  const child = spawn(KUBECTL.default, ["logs", "-f", pod, "--tail=0"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const r = ex("bb", "wget", "-qO-", `http://${podIP}/followed`);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n");
    const bbIP = jp("pod bb", "{.status.podIP}");
    await eventually(() => out.includes(`${bbIP} - - [`) && /"GET \/followed HTTP\/1\.1" 404 153 "-" "Wget" "-"/.test(out), {
      timeout: 5000,
    });
    assert.equal(child.exitCode, null);
  } finally {
    child.kill();
  }
});

test("a NodePort answers on every node's IP", () => {
  const nodeIPs = jp("nodes", '{.items[*].status.addresses[?(@.type=="InternalIP")].address}').split(" ");
  assert.ok(nodeIPs.length >= 2, `nodes: ${nodeIPs}`);
  for (const ip of nodeIPs) {
    const r = ex("client", "curl", "-s", `${ip}:30080`);
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.match(r.stdout, /^Hostname: who-/m);
  }
});

test("no ready endpoints, or a port the Service lacks: the connection fails like a real one", async () => {
  await eventually(() => /0\/1/.test(s.k("get pod unready")));
  for (const svc of ["nothing", "unready"]) {
    const ip = jp(`svc ${svc}`, "{.spec.clusterIP}");
    const c = ex("client", "curl", "-sS", `http://${svc}`);
    assert.equal(c.code, 7);
    assert.match(c.stderr, new RegExp(`^curl: \\(7\\) Failed to connect to ${svc} port 80 after \\d+ ms: Couldn't connect to server\\n`));
    const w = ex("bb", "wget", "-qO-", `http://${svc}`);
    assert.equal(w.code, 1);
    assert.equal(w.stderr, `wget: can't connect to remote host (${ip}): Connection refused\ncommand terminated with exit code 1\n`);
  }
  // kube-proxy (iptables mode) has no rule for an unknown port of a ClusterIP: the SYN is dropped,
  // and curl waits (in real time) until its -m ends the attempt.
  const ip = jp("svc who", "{.spec.clusterIP}");
  const c = ex("client", "curl", "-sS", "-m", "2", `${ip}:81`);
  assert.equal(c.code, 28);
  assert.match(
    c.stderr,
    new RegExp(`^curl: \\(28\\) Failed to connect to ${ip.replace(/\./g, "\\.")} port 81 after 2000 ms: Timeout was reached\\n`),
  );
});

test("busybox nslookup: Services, headless Services, pod names and NXDOMAIN", () => {
  const head = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n";
  const nx = (...names) => names.map((n) => `** server can't find ${n}: NXDOMAIN\n\n`).join("");
  const ip = jp("svc who", "{.spec.clusterIP}");
  // busybox ≥ 1.29 asks A then AAAA in every search domain: the misses make it exit 1.
  const r = ex("bb", "nslookup", "who");
  assert.equal(r.code, 1);
  const misses = nx("who.svc.cluster.local", "who.cluster.local");
  assert.equal(r.stdout, `${head}Name:\twho.default.svc.cluster.local\nAddress: ${ip}\n\n${misses}\n${misses}`);
  // A name with a dot is asked as given: no search domains, unlike getaddrinfo (wget, curl).
  const dotted = ex("-n other far", "nslookup", "who.default");
  assert.equal(dotted.code, 1);
  assert.equal(dotted.stdout, `${head}${nx("who.default", "who.default")}`);
  const fqdn = ex("-n other far", "nslookup", "who.default.svc.cluster.local");
  assert.equal(fqdn.code, 0, fqdn.stderr);
  assert.equal(fqdn.stdout, `${head}Name:\twho.default.svc.cluster.local\nAddress: ${ip}\n\n\n`);

  const podIPs = jp("pods -l app=who", "{.items[*].status.podIP}").split(" ").sort();
  const h = ex("bb", "nslookup", "who-headless.default.svc.cluster.local");
  assert.equal(h.code, 0, h.stderr);
  assert.deepEqual(
    [...h.stdout.matchAll(/^Name:\t(.*)$/gm)].map((m) => m[1]),
    Array(3).fill("who-headless.default.svc.cluster.local"),
  );
  assert.deepEqual([...h.stdout.matchAll(/^Address: (.*)$/gm)].map((m) => m[1]).sort(), podIPs);

  const dashed = `${podIPs[0].replace(/\./g, "-")}.default.pod.cluster.local`;
  const p = ex("bb", "nslookup", dashed);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, `${head}Name:\t${dashed}\nAddress: ${podIPs[0]}\n\n\n`);

  const ptr = ex("bb", "nslookup", ip);
  assert.equal(ptr.stdout, `${head}${ip.split(".").reverse().join(".")}.in-addr.arpa\tname = who.default.svc.cluster.local\n\n`);

  const none = ex("bb", "nslookup", "nope");
  assert.equal(none.code, 1);
  const all = nx("nope.default.svc.cluster.local", "nope.svc.cluster.local", "nope.cluster.local");
  assert.equal(none.stdout, `${head}${all}${all}`);
});

test("pod to pod by IP, and kubectl 1.30 exec", () => {
  const [pod] = jp("pods -l name=nginx", "{.items[*].metadata.name}").split(" ");
  const podIP = jp(`pod ${pod}`, "{.status.podIP}");
  const r = s.kubectl(["exec", "client", "--", "curl", "-s", `${podIP}:80`], { version: "1.30" });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/);
  // Without -s and without a terminal, curl draws its progress meter on stderr.
  const meter = ex("client", "curl", `${podIP}`);
  assert.equal(meter.code, 0);
  assert.match(
    meter.stderr,
    /^  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n {33}Dload  Upload   Total   Spent    Left  Speed\n(\r.*)?\r100   615  100   615    0     0 .* --:--:-- --:--:-- --:--:-- .*\n$/,
  );
  const refused = ex("client", "curl", "-sS", `${podIP}:8080`);
  assert.equal(refused.code, 7);
  assert.match(
    refused.stderr,
    new RegExp(`^curl: \\(7\\) Failed to connect to ${podIP.replace(/\./g, "\\.")} port 8080 after \\d+ ms: Couldn't connect to server\\n`),
  );
});

test("000: kubectl exec -it into a container, then curl localhost:80 and the pod's own IP", async () => {
  const podIP = jp("pod myapp", "{.status.podIP}");
  const { out } = await s.terminal(`${KUBECTL.default} exec -it myapp -- bash`, ["curl localhost:80\r" + `curl ${podIP}:80\r` + "exit\r"], {
    timeout: 15_000,
  });
  assert.match(out, /root@myapp:\/[^#]*# /);
  const answers = out.match(/Hello from myapp:0\.0\.1 on myapp/g) ?? [];
  assert.equal(answers.length, 2, out);

  const [pod] = jp("pods -l name=nginx", "{.items[*].metadata.name}").split(" ");
  const nginx = s.kubectl(["exec", "-i", pod, "--", "bash"], {
    input: "curl -s localhost:80 | grep title\ncurl -sI localhost | head -1\n",
  });
  assert.equal(nginx.stdout, "<title>Welcome to nginx!</title>\nHTTP/1.1 200 OK\r\n");
});
