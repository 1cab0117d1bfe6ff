// Containers that do things, with the real kubectl: a crashing busybox reaching CrashLoopBackOff
// with growing RESTARTS, a bad image reaching ImagePullBackOff, a Job-like pod showing Error with
// its exit code, a completed pod, and `kubectl logs` (also --previous) of a container's program.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s; // instant clock

const json = (out) => JSON.parse(out);
const podRow = (name) => s.k(`get pod ${name} --no-headers`).trim().split(/\s+/);

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

test("a Job-like pod shows Error with exit code 3 and its output in the logs", async () => {
  s.k("apply -f -", {
    input: `apiVersion: v1
kind: Pod
metadata:
  name: job-like
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo hi; exit 3"]
`,
  });
  await eventually(() => podRow("job-like")[2] === "Error");
  assert.deepEqual(podRow("job-like").slice(0, 4), ["job-like", "0/1", "Error", "0"]);
  const pod = json(s.k("get pod job-like -o json"));
  assert.equal(pod.status.phase, "Failed");
  assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 3);
  assert.equal(pod.status.containerStatuses[0].state.terminated.reason, "Error");
  assert.equal(s.k("logs job-like"), "hi\n");
  assert.match(s.k("describe pod job-like"), /State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+3\n/);
});

test("a completed pod shows Completed", async () => {
  s.k("run done --image=busybox --restart=Never -- sh -c 'echo one; echo two'");
  await eventually(() => podRow("done")[2] === "Completed");
  assert.equal(s.k("logs done"), "one\ntwo\n");
  assert.equal(s.k("logs done --tail=1"), "two\n");
});

test("a crashing busybox reaches CrashLoopBackOff with growing restarts", async () => {
  s.k("run crash --image=busybox -- sh -c 'echo crashing; exit 1'");
  await eventually(() => podRow("crash")[2] === "CrashLoopBackOff" && Number(podRow("crash")[3]) >= 2, { timeout: 30_000 });
  const row = s.k("get pod crash");
  assert.match(row, /^crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)\s+\d+s$/m);
  const pod = json(s.k("get pod crash -o json"));
  const cs = pod.status.containerStatuses[0];
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, "Error");
  assert.match(
    cs.state.waiting.message,
    new RegExp(`^back-off \\d+s restarting failed container=crash pod=crash_default\\(${pod.metadata.uid}\\)$`),
  );
  const describe = s.k("describe pod crash");
  assert.match(
    describe,
    new RegExp(`Warning\\s+BackOff\\s+.*Back-off restarting failed container crash in pod crash_default\\(${pod.metadata.uid}\\)`),
  );
  assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1\n/);
  assert.equal(s.k("logs crash --previous"), "crashing\n");
  assert.equal(s.k("logs crash"), "crashing\n");
  const before = cs.restartCount;
  await eventually(() => json(s.k("get pod crash -o json")).status.containerStatuses[0].restartCount > before, { timeout: 30_000 });
});

test("a bad image reaches ImagePullBackOff with the real messages", async () => {
  s.k("run badimg --image=nginx:doesnotexist");
  await eventually(() => podRow("badimg")[2] === "ImagePullBackOff");
  const describe = s.k("describe pod badimg");
  assert.match(
    describe,
    /Warning\s+Failed\s+.*Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io\/library\/nginx:doesnotexist"/,
  );
  assert.match(describe, /Warning\s+Failed\s+.*Error: ErrImagePull/);
  assert.match(describe, /Normal\s+BackOff\s+.*Back-off pulling image "nginx:doesnotexist"/);
  assert.match(describe, /Warning\s+Failed\s+.*Error: ImagePullBackOff/);
  const logs = s.kubectl("logs badimg");
  assert.notEqual(logs.code, 0);
  assert.match(logs.stderr, /container "badimg" in pod "badimg" is waiting to start/);
});

test("logs of a looping container and of nginx", async () => {
  s.k("run ticker --image=busybox -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done'");
  s.k("run web --image=nginx");
  await eventually(() => podRow("ticker")[2] === "Running" && podRow("web")[2] === "Running");
  await eventually(() => /tick 1\n/.test(s.k("logs ticker")), { timeout: 10_000 });
  assert.match(s.k("logs ticker"), /^tick 0\ntick 1\n/);
  const nginx = s.k("logs web");
  assert.match(nginx, /^\/docker-entrypoint\.sh: \/docker-entrypoint\.d\/ is not empty, will attempt to perform configuration\n/);
  assert.match(nginx, /\[notice\] 1#1: start worker processes\n/);
});

test("the environment and volumes a container sees", async () => {
  s.k("create configmap app-config --from-literal=COLOR=blue --from-literal=app.conf=debug=true");
  s.k("create secret generic app-secret --from-literal=PASSWORD=s3cret");
  s.k("apply -f -", {
    input: `apiVersion: v1
kind: Pod
metadata:
  name: envdump
  labels: {app: envdump}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "env | sort; cat /etc/config/app.conf; echo; cat /etc/resolv.conf"]
    envFrom:
    - configMapRef: {name: app-config}
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: app-secret, key: PASSWORD}}
    - name: MY_POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MY_NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    volumeMounts:
    - {name: config, mountPath: /etc/config}
  volumes:
  - name: config
    configMap: {name: app-config}
`,
  });
  await eventually(() => podRow("envdump")[2] === "Completed");
  const out = s.k("logs envdump");
  const pod = json(s.k("get pod envdump -o json"));
  assert.match(out, /^COLOR=blue$/m);
  assert.match(out, /^PASSWORD=s3cret$/m);
  assert.match(out, /^MY_POD_NAME=envdump$/m);
  assert.match(out, new RegExp(`^MY_NODE=${pod.spec.nodeName}$`, "m"));
  assert.match(out, /^HOSTNAME=envdump$/m);
  assert.match(out, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  assert.match(out, /^KUBERNETES_SERVICE_PORT=443$/m);
  assert.match(out, /^debug=true\n/m);
  assert.match(
    out,
    /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\nnameserver 10\.96\.0\.10\noptions ndots:5\n$/m,
  );
});

test("readiness toggles the endpoints", async () => {
  s.k("apply -f -", {
    input: `apiVersion: v1
kind: Pod
metadata:
  name: flappy
  labels: {app: flappy}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "touch /tmp/ready; sleep 6; rm /tmp/ready; sleep 3600"]
    readinessProbe:
      exec: {command: ["cat", "/tmp/ready"]}
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: flappy
spec:
  selector: {app: flappy}
  ports:
  - port: 80
`,
  });
  await eventually(() => podRow("flappy")[1] === "1/1");
  const ip = json(s.k("get pod flappy -o json")).status.podIP;
  await eventually(() => json(s.k("get endpoints flappy -o json")).subsets?.[0]?.addresses?.[0]?.ip === ip);
  await eventually(() => podRow("flappy")[1] === "0/1", { timeout: 20_000 });
  await eventually(() => json(s.k("get endpoints flappy -o json")).subsets?.[0]?.notReadyAddresses?.[0]?.ip === ip);
  assert.match(
    s.k("describe pod flappy"),
    /Warning\s+Unhealthy\s+.*Readiness probe failed: cat: can't open '\/tmp\/ready': No such file or directory/,
  );
});
