// Service traffic and logs with the real kubectl and the instant clock: the API server proxy into
// nginx and echo servers (round-robin across replicas, 503 without endpoints), and `kubectl logs`
// (access-log lines, -f while the Service is curled, --tail, --timestamps, -l, deploy/x).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Server, eventually, KUBECTL } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("create deployment web --image=nginx --port=80");
  s.k("expose deployment web --port=80");
  s.k("create deployment echo --image=registry.k8s.io/echoserver:1.10 --replicas=3 --port=8080");
  s.k("expose deployment echo --port=8080");
  const readyIPs = async (name) => (await s.api(`/api/v1/namespaces/default/endpoints/${name}`)).json?.subsets?.[0]?.addresses?.length ?? 0;
  await eventually(async () => (await readyIPs("web")) === 1 && (await readyIPs("echo")) === 3);
});

after(async () => {
  await server?.stop();
});

const ACCESS =
  /^10\.244\.\d+\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "kubectl\/v[\d.]+ \([^)]+\) kubernetes\/\w+" "[\d.:a-f]+"$/;
// kubectl get --raw takes the path from the server's root, so the session's /clusters/<id> prefix is part of it.
const raw = (path) => ["get", "--raw", `/clusters/${s.id}${path}`];
const webPod = () => s.k("get pods -l app=web -o jsonpath={.items[0].metadata.name}");

test("the services proxy answers with nginx's welcome page, and kubectl logs shows the access line", () => {
  const page = s.k(raw("/api/v1/namespaces/default/services/web:80/proxy/"));
  assert.match(page, /<title>Welcome to nginx!<\/title>/);
  assert.equal(Buffer.byteLength(page), 615);
  const lines = s.k(`logs ${webPod()}`).trim().split("\n");
  assert.match(lines.at(-1), ACCESS);
});

test("logs --tail, --timestamps, -l and deploy/x", () => {
  s.k(raw("/api/v1/namespaces/default/services/web/proxy/index.html"));
  assert.match(s.kubectl(raw(`/api/v1/namespaces/default/pods/${webPod()}/proxy/nope`)).stderr, /NotFound/);
  const tail = s.k(`logs ${webPod()} --tail=1`).trim().split("\n");
  assert.equal(tail.length, 1);
  assert.match(tail[0], /"GET \/nope HTTP\/1\.1" 404 153 /);
  const ts = s.k(`logs ${webPod()} --tail=2 --timestamps`).trim().split("\n");
  assert.equal(ts.length, 2);
  for (const l of ts) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z 10\.244\./);
  assert.equal(s.k(`logs ${webPod()} --limit-bytes=10`), "/docker-en");
  assert.match(s.k(`logs ${webPod()} --since=1h`), /Configuration complete; ready for start up/);
  assert.match(s.k("logs -l app=web --tail=1"), /"GET \/nope HTTP\/1\.1" 404/);
  assert.match(s.k("logs deploy/web --tail=1"), /"GET \/nope HTTP\/1\.1" 404/);
});

test("logs -f receives lines while the Service is curled", async () => {
  const child = spawn(KUBECTL.default, ["logs", "-f", "deploy/web", "--tail=0"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    for (const p of ["/follow-1", "/follow-2"]) {
      await new Promise((r) => setTimeout(r, 300));
      await s.api(`/api/v1/namespaces/default/services/web:80/proxy${p}`);
    }
    await eventually(() => out.includes("GET /follow-1 ") && out.includes("GET /follow-2 "), { timeout: 10_000 });
    assert.equal(child.exitCode, null, "the stream stays open while the container runs");
  } finally {
    child.kill();
  }
});

test("a Service round-robins across 3 replicas (echo server hostnames differ)", () => {
  const hosts = new Set();
  for (let i = 0; i < 3; i++) {
    const body = s.k(raw("/api/v1/namespaces/default/services/echo:8080/proxy/hello?x=1"));
    hosts.add(/Hostname: (\S+)/.exec(body)[1]);
    assert.match(body, /real path=\/hello/);
  }
  assert.equal(hosts.size, 3);
});

test("proxy errors are the API server's", async () => {
  s.k("create service clusterip nothing --tcp=80:80");
  const none = s.kubectl(raw("/api/v1/namespaces/default/services/nothing:80/proxy/"));
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /Error from server \(ServiceUnavailable\): no endpoints available for service "nothing"/);
  const res = await s.api("/api/v1/namespaces/default/services/nothing/proxy/");
  assert.equal(res.status, 503);
  assert.equal(res.json.reason, "ServiceUnavailable");
  assert.match(s.kubectl(raw("/api/v1/namespaces/default/services/missing/proxy/")).stderr, /\(NotFound\): services "missing" not found/);
  assert.match(
    s.kubectl(raw(`/api/v1/namespaces/default/pods/${webPod()}:8080/proxy/`)).stderr,
    /error trying to reach service: dial tcp 10\.244\.\d+\.\d+:8080: connect: connection refused/,
  );
  // cluster-info's CoreDNS link: DNS is not HTTP.
  const dns = await s.api("/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy");
  assert.equal(dns.status, 301);
  const dns2 = await s.api("/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy/");
  assert.equal(dns2.status, 503);
  assert.match(dns2.json.message, /^error trying to reach service: EOF$|^no endpoints available for service "kube-dns"$/);
});

test("logs errors: waiting containers, missing previous containers, container choice", async () => {
  s.k("run bad --image=nginx:does-not-exist");
  s.k([
    "run",
    "two",
    "--image=nginx",
    `--overrides={"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox","command":["sleep","3600"]}]}}`,
  ]);
  await eventually(() => /ErrImagePull|ImagePullBackOff/.test(s.k("get pod bad")));
  assert.match(
    s.kubectl("logs bad").stderr,
    /Error from server \(BadRequest\): container "bad" in pod "bad" is waiting to start: (image can't be pulled|trying and failing to pull image)/,
  );
  await eventually(() => s.k("get pod two -o jsonpath={.status.phase}") === "Running");
  const prev = s.kubectl("logs two -c a --previous");
  assert.match(prev.stderr, /Error from server \(BadRequest\): previous terminated container "a" in pod "two" not found/);
  const bad = s.kubectl("logs two -c zzz");
  assert.match(bad.stderr, /container zzz is not valid for pod two/);
  const r = await s.api("/api/v1/namespaces/default/pods/two/log");
  assert.equal(r.status, 400);
  assert.equal(r.json.message, "a container name must be specified for pod two, choose one of: [a b]");
});
