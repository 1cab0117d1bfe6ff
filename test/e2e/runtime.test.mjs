// The container runtime through the real kubectl 1.33: deletion in real time per image, tutorial
// 001's hello-node on its port 3000, an image tag that does not exist, a one-node cluster's taint.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

const V = { version: "1.33" };
let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({}); // realistic clock: deletion takes its real time
});

after(async () => {
  await server?.stop();
});

const timed = (args) => {
  const t = Date.now();
  const out = s.k(args, V);
  return { out, seconds: (Date.now() - t) / 1000 };
};
const running = (name) => eventually(() => s.k(`get pod ${name} -o jsonpath={.status.phase}`, V) === "Running", { timeout: 60_000 });

test("kubectl delete pod of nginx returns within 3 s: nginx stops on SIGTERM", async () => {
  s.k("run web --image=nginx", V);
  await running("web");
  const { out, seconds } = timed("delete pod web");
  assert.equal(out, 'pod "web" deleted\n');
  assert.ok(seconds <= 3, `took ${seconds} s`);
  assert.match(s.kubectl("get pod web", V).stderr, /pods "web" not found/);
});

test("kubectl delete pod of sleep infinity waits out terminationGracePeriodSeconds (5)", async () => {
  s.k(["run", "sleeper", "--image=busybox", '--overrides={"spec":{"terminationGracePeriodSeconds":5}}', "--", "sleep", "infinity"], V);
  await running("sleeper");
  const t = Date.now();
  const del = s.kubectl("delete pod sleeper --wait=false", V);
  assert.equal(del.stdout, 'pod "sleeper" deleted\n');
  // While it terminates the container still runs and is ready: 1/1 Terminating.
  assert.match(s.k("get pod sleeper", V), /sleeper\s+1\/1\s+Terminating\s+0/);
  assert.match(s.k("describe pod sleeper", V), /Normal\s+Killing\s+\S+\s+kubelet\s+Stopping container sleeper/);
  await eventually(() => s.kubectl("get pod sleeper", V).stderr.includes('pods "sleeper" not found'), { timeout: 20_000, interval: 100 });
  const seconds = (Date.now() - t) / 1000;
  assert.ok(seconds >= 5 && seconds < 9, `gone after ${seconds} s`);
});

test("tutorial 001: hello-node:v1 on port 3000, exposed as a NodePort, through kubectl proxy too", async () => {
  s.k("create deployment hello-node --image=hello-node:v1 --port=3000", V);
  await eventually(() => s.k("get deployment hello-node -o jsonpath={.status.availableReplicas}", V) === "1", { timeout: 60_000 });
  assert.equal(s.k("expose deployment hello-node --type=NodePort", V), "service/hello-node exposed\n");
  const svc = JSON.parse(s.k("get service hello-node -o json", V));
  assert.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort], [3000, 3000]);
  await eventually(() => s.k("get endpoints hello-node -o jsonpath={.subsets[0].ports[0].port}", V) === "3000");
  const res = await s.api("/api/v1/namespaces/default/services/hello-node:3000/proxy/");
  assert.equal(res.status, 200);
  assert.equal(res.text, "Hello World!");
  const pod = s.k("get pods -l app=hello-node -o jsonpath={.items[0].metadata.name}", V);
  // server.js prints nothing when it starts, one line per request.
  assert.equal(s.k(`logs ${pod}`, V), "Received request for URL: /\n");
});

test("nginx:1.99.99 does not exist: ErrImagePull with containerd's not-found message, then ImagePullBackOff", async () => {
  s.k("run nover --image=nginx:1.99.99", V);
  await eventually(() => /ImagePullBackOff|ErrImagePull/.test(s.k("get pod nover", V)), { timeout: 60_000 });
  const described = s.k("describe pod nover", V);
  assert.match(
    described,
    /Failed to pull image "nginx:1\.99\.99": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/library\/nginx:1\.99\.99": failed to resolve reference "docker\.io\/library\/nginx:1\.99\.99": docker\.io\/library\/nginx:1\.99\.99: not found/,
  );
  assert.match(described, /Error: ErrImagePull/);
  await eventually(() => /nover\s+0\/1\s+ImagePullBackOff/.test(s.k("get pod nover", V)), { timeout: 60_000 });
});

test("a one-node cluster has no control-plane taint: a pod schedules on it", async () => {
  const one = await server.createSession({ nodes: [{ role: "control-plane" }] });
  assert.equal(one.k("get node controlplane -o jsonpath={.spec.taints}", V), "");
  one.k("run solo --image=nginx", V);
  await eventually(() => one.k("get pod solo -o jsonpath={.spec.nodeName}/{.status.phase}", V) === "controlplane/Running", {
    timeout: 60_000,
  });
});

test("args go through nginx's docker-entrypoint: run -i --rm -- curl prints the page and the pod goes", async () => {
  s.k("run page --image=nginx --port=80 --expose", V);
  await running("page");
  const r = s.kubectl(["run", "t", "--image=nginx:alpine", "-i", "--rm", "--restart=Never", "--", "curl", "-s", "http://page"], {
    ...V,
    timeout: 90_000,
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/);
  assert.match(r.stdout, /pod "t" deleted\n$/);
});

test("kubernetes-bootcamp (Learn Kubernetes Basics) answers through the API server's pod proxy", async () => {
  s.k("create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1", V);
  await eventually(() => s.k("get deployment kubernetes-bootcamp -o jsonpath={.status.availableReplicas}", V) === "1", { timeout: 60_000 });
  const pod = s.k("get pods -l app=kubernetes-bootcamp -o jsonpath={.items[0].metadata.name}", V);
  const res = await s.api(`/api/v1/namespaces/default/pods/${pod}:8080/proxy/`);
  assert.equal(res.text, `Hello Kubernetes bootcamp! | Running on: ${pod} | v=1\n`);
  assert.match(
    s.k(`logs ${pod}`, V),
    new RegExp(
      `^Kubernetes Bootcamp App Started At: \\S+Z \\| Running On:  ${pod} \\n\\nRunning On: ${pod} \\| Total Requests: 1 \\| App Uptime: [\\d.]+ seconds \\| Log Time: \\S+Z\\n$`,
    ),
  );
});

test("kill 1 from an exec'd shell: nginx stops and the kubelet restarts it (RESTARTS 1, last state Completed)", async () => {
  s.k("run victim --image=nginx", V);
  await running("victim");
  assert.equal(s.kubectl(["exec", "victim", "--", "sh", "-c", "kill 1"], V).code, 0);
  await eventually(() => s.k("get pod victim -o jsonpath={.status.containerStatuses[0].restartCount}", V) === "1", { timeout: 30_000 });
  const status = JSON.parse(s.k("get pod victim -o json", V)).status.containerStatuses[0];
  assert.deepEqual([status.lastState.terminated.exitCode, status.lastState.terminated.reason], [0, "Completed"]);
  await eventually(() => /victim\s+1\/1\s+Running\s+1 \(\d+s ago\)/.test(s.k("get pod victim", V)), { timeout: 30_000 });
});

test("ps in an exec'd shell lists the container's process, the shell and ps", async () => {
  s.k(["run", "pslist", "--image=busybox", "--", "sleep", "3600"], V);
  await running("pslist");
  assert.equal(
    s.k(["exec", "pslist", "--", "sh", "-c", "ps"], V),
    "PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    8 root      0:00 sh\n   14 root      0:00 ps\n",
  );
});
