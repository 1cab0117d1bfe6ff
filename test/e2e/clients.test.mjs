// Real client libraries against a kubeplay cluster, through the kubeconfig the harness issues:
// Debian's python3-kubernetes (watch during a rollout, exec, port-forward) and
// @kubernetes/client-node (list, create, watch, log, exec). The client scripts are in clients/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";

// The project's installer (idempotent); python3-kubernetes missing afterwards means no apt here.
spawnSync("bash", [join(here, "..", "..", "scripts", "install-test-clients.sh")], { stdio: "inherit" });
const havePython = spawnSync(PYTHON, ["-c", "import kubernetes"]).status === 0;
if (!havePython)
  console.error(
    "\n*** python3-kubernetes is not installed (scripts/install-test-clients.sh could not install it): its tests are SKIPPED ***\n",
  );

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

/** Run a client script to its end; resolves with its exit code and output. */
function run(cmd, args, { timeout = 90_000, onLine } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, HOME: s.dir } });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const l of lines) onLine?.(l);
    });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const python = (...args) => run(PYTHON, [join(here, "clients", "python_client.py"), s.kubeconfigPath, ...args]);

test("python3-kubernetes: a watch during a Deployment's rollout yields its pods Running", {
  skip: !havePython && "python3-kubernetes is not installed",
}, async () => {
  s.k("run sentinel --image=nginx --labels=app=rollout");
  s.k("wait --for=condition=Ready pod/sentinel --timeout=60s");
  let rollout;
  const watched = run(PYTHON, [join(here, "clients", "python_client.py"), s.kubeconfigPath, "watch", "default", "app=rollout", "4"], {
    // The watch is open once it reports the sentinel; only then does the rollout start.
    onLine: (line) => {
      if (!rollout && line.startsWith("ADDED sentinel")) rollout = s.kubectl("create deployment rollout --image=nginx --replicas=3");
    },
  });
  const r = await watched;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(rollout?.code, 0, rollout?.out);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.at(-1), "running 4");
  for (const l of lines.slice(0, -1)) assert.match(l, /^(ADDED|MODIFIED|DELETED) \S+ (Pending|Running|Succeeded|Failed|Unknown|None)$/);
  const replicas = new Set(lines.filter((l) => /^\S+ rollout-/.test(l)).map((l) => l.split(" ")[1]));
  assert.equal(replicas.size, 3, r.stdout);
  // Seen from before they ran: each replica first appears Pending, then is modified to Running.
  for (const name of replicas) {
    const events = lines.filter((l) => l.split(" ")[1] === name);
    assert.match(events[0], /^ADDED \S+ Pending$/, r.stdout);
    assert.match(events.at(-1), /^MODIFIED \S+ Running$/, r.stdout);
  }
});

test("python3-kubernetes: stream() of connect_get_namespaced_pod_exec returns the command's output", {
  skip: !havePython && "python3-kubernetes is not installed",
}, async () => {
  s.k("run pyexec --image=nginx");
  s.k("wait --for=condition=Ready pod/pyexec --timeout=60s");
  const r = await python("exec", "default", "pyexec", "sh", "-c", "echo out; echo err >&2; hostname");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "out\nerr\npyexec\n");
});

test("python3-kubernetes: portforward() reaches nginx in the pod", {
  skip: !havePython && "python3-kubernetes is not installed",
}, async () => {
  s.k("run pyforward --image=nginx --port=80");
  s.k("wait --for=condition=Ready pod/pyforward --timeout=60s");
  const r = await python("portforward", "default", "pyforward", "80");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/);
  // nginx logged the request as coming from inside the pod.
  assert.match(s.k("logs pyforward"), /^127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 615 "-" "python"/m);
});

test("@kubernetes/client-node: list, create, watch, log and exec", async () => {
  const r = await run(process.execPath, [join(here, "clients", "node_client.mjs"), s.kubeconfigPath, "default"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const steps = Object.fromEntries(
    r.stdout
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
  );
  assert.match(steps.namespaces, /^default,ingress-nginx,kube-node-lease,kube-public,kube-system,local-path-storage$/);
  assert.equal(steps.created, "journey 250m"); // the quantity as the API server canonicalised it
  assert.match(steps.watched, /^(ADDED|MODIFIED) Running$/);
  assert.equal(steps.log, "started");
  assert.equal(steps.exec, "from exec | journey (Success)");
  assert.equal(steps.listed, "journey=Running");
});

test("kubectl: /readyz?verbose lists the checks and /metrics counts the requests made", () => {
  const ready = s.k(["get", "--raw", "/readyz?verbose"]).split("\n");
  assert.deepEqual(ready.slice(0, 3), ["[+]ping ok", "[+]log ok", "[+]etcd ok"]);
  assert.equal(ready.at(-2), "readyz check passed");
  const sample = () => {
    const line = s
      .k(["get", "--raw", "/metrics"])
      .split("\n")
      .find((l) =>
        l.startsWith(
          'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"}',
        ),
      );
    return line ? Number(line.split(" ").pop()) : 0;
  };
  const before = sample();
  s.k("get configmaps");
  s.k("get configmaps");
  assert.equal(sample(), before + 2);
});

test("kubectl: describe shows a pod with a gRPC probe, its resources canonical", () => {
  s.k("apply -f -", {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "grpc" },
      spec: {
        containers: [
          {
            name: "app",
            image: "nginx",
            resources: { requests: { cpu: "0.5", memory: "1.5Gi" } },
            livenessProbe: { grpc: { port: 9000 } },
          },
        ],
      },
    }),
  });
  const pod = JSON.parse(s.k("get pod grpc -o json"));
  assert.deepEqual(pod.spec.containers[0].resources.requests, { cpu: "500m", memory: "1536Mi" });
  assert.equal(pod.spec.containers[0].livenessProbe.grpc.service, "");
  const r = s.kubectl("describe pod grpc");
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /Liveness:\s+grpc <pod>:9000  delay=0s timeout=1s period=10s #success=1 #failure=3/);
});

test("a pod's service-account token reaches the API server; the same token tampered is 401", () => {
  s.k("run tokens --image=nginx");
  s.k("wait --for=condition=Ready pod/tokens --timeout=60s");
  // What the API server answers: the kind of a success, the reason of a Status.
  const curl = (token) => {
    const body = JSON.parse(
      s.k(["exec", "tokens", "--", "sh", "-c", `curl -sk -H "Authorization: Bearer ${token}" https://kubernetes.default.svc/api`]),
    );
    return body.kind === "Status" ? `${body.code} ${body.reason}` : body.kind;
  };
  const file = s.k(["exec", "tokens", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"]);
  assert.equal(curl(file), "APIVersions");
  const [header, payload, signature] = file.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  claims.sub = "system:serviceaccount:kube-system:default";
  claims["kubernetes.io"] = { namespace: "kube-system", serviceaccount: { name: "default" } };
  assert.equal(curl(`${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`), "401 Unauthorized");
  assert.equal(curl(`${header}.${payload}.${signature.slice(0, -4)}AAAA`), "401 Unauthorized");
  const minted = s.k("create token default").trim();
  assert.equal(curl(minted), "APIVersions");
});
