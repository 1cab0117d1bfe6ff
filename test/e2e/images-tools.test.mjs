// Each image has the programs it really has, with the real kubectl: curl is missing from busybox
// (the runtime's error for a one-shot exec, the shell's `not found` inside sh -c), a busybox pod
// running wget logs the page, a pod whose command the image lacks fails with StartError, and the
// classic probes: ping (a ClusterIP never answers, a pod IP does) and nc -zv.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

const WORLD = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
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
metadata: {name: deb}
spec:
  containers: [{name: deb, image: debian:bookworm, command: [sleep, "3600"]}]
`;

const jp = (what, path) => s.k(["get", ...what.split(" "), "-o", `jsonpath=${path}`]);
const ex = (pod, ...cmd) => s.kubectl(["exec", pod, "--", ...cmd]);

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("apply -f -", { input: WORLD });
  await eventually(
    () =>
      jp("endpoints web", "{.subsets[*].addresses[*].ip}") !== "" &&
      jp("pods", "{.items[*].status.phase}")
        .split(" ")
        .every((p) => p === "Running"),
    { timeout: 30_000 },
  );
});

after(async () => {
  await server?.stop();
});

test("kubectl exec bb -- curl: the runtime's error, as for any program the image lacks", () => {
  const r = ex("bb", "curl", "-s", "web");
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in \$PATH: unknown\n$/,
  );
  assert.match(ex("bb", "bash").stderr, /exec: "bash": executable file not found in \$PATH/);
  assert.match(ex("deb", "ps").stderr, /exec: "ps": executable file not found in \$PATH/);
  // What the image has runs.
  assert.equal(ex("bb", "wget", "-qO-", "web").stdout.includes("<title>Welcome to nginx!</title>"), true);
});

test("inside sh -c: the shell's not found, and kubectl's exit code 127", () => {
  const r = ex("bb", "sh", "-c", "curl web");
  assert.equal(r.code, 127);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "sh: curl: not found\ncommand terminated with exit code 127\n");
  const deb = ex("deb", "sh", "-c", "wget web");
  assert.equal(deb.stderr, "sh: 1: wget: not found\ncommand terminated with exit code 127\n");
  const bash = ex("deb", "bash", "-c", "curl web");
  assert.equal(bash.stderr, "bash: line 1: curl: command not found\ncommand terminated with exit code 127\n");
  // A piped shell session (exec -i) says the same.
  const piped = s.kubectl(["exec", "-i", "bb", "--", "sh"], { input: "curl web\necho $?\n" });
  assert.equal(piped.stdout, "127\n");
  assert.equal(piped.stderr, "sh: curl: not found\n");
});

test("kubectl run --image=busybox -- wget -qO- web: the page in its logs", async () => {
  s.k("run getter --image=busybox --restart=Never -- wget -qO- web");
  await eventually(() => jp("pod getter", "{.status.phase}") === "Succeeded", { timeout: 20_000 });
  assert.match(s.k("logs getter"), /<title>Welcome to nginx!<\/title>/);
});

test("a pod running curl in busybox never starts it: StartError 128, then back-off", async () => {
  s.k("run curler --image=busybox -- curl -s web");
  await eventually(
    () =>
      jp("pod curler", "{.status.containerStatuses[0].restartCount}") >= "1" ||
      /StartError/.test(jp("pod curler", "{.status.containerStatuses[0].lastState.terminated.reason}")),
    { timeout: 20_000 },
  );
  const term = JSON.parse(s.k("get pod curler -o json")).status.containerStatuses[0];
  const t = term.state.terminated ?? term.lastState.terminated;
  assert.equal(t.reason, "StartError");
  assert.equal(t.exitCode, 128);
  assert.equal(t.startedAt, "1970-01-01T00:00:00Z");
  assert.equal(
    t.message,
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "curl": executable file not found in $PATH: unknown',
  );
  const events = s.k([
    "get",
    "events",
    "--field-selector",
    "involvedObject.name=curler",
    "-o",
    'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}',
  ]);
  assert.match(events, /^Failed:Error: failed to create containerd task: .*exec: "curl": executable file not found in \$PATH: unknown$/m);
  await eventually(() => /CrashLoopBackOff|StartError/.test(s.k("get pod curler --no-headers")), { timeout: 20_000 });
});

test("ping: a ClusterIP never answers (100% loss, exit 1), the pod behind it does", () => {
  const svcIP = jp("svc web", "{.spec.clusterIP}");
  const podIP = jp("pod web", "{.status.podIP}");
  const svc = ex("bb", "ping", "-c", "2", "web");
  assert.equal(svc.code, 1);
  assert.equal(
    svc.stdout,
    `PING web (${svcIP}): 56 data bytes\n\n--- web ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n`,
  );
  assert.equal(svc.stderr, "command terminated with exit code 1\n");
  const pod = ex("bb", "ping", "-c", "2", podIP);
  assert.equal(pod.code, 0);
  const esc = podIP.replace(/\./g, "\\.");
  assert.match(
    pod.stdout,
    new RegExp(
      `^PING ${esc} \\(${esc}\\): 56 data bytes\\n64 bytes from ${esc}: seq=0 ttl=6[24] time=\\d\\.\\d{3} ms\\n64 bytes from ${esc}: seq=1 ttl=6[24] time=\\d\\.\\d{3} ms\\n\\n--- ${esc} ping statistics ---\\n2 packets transmitted, 2 packets received, 0% packet loss\\nround-trip min/avg/max = [\\d.]+/[\\d.]+/[\\d.]+ ms\\n$`,
    ),
  );
  const unknown = ex("bb", "ping", "-c", "1", "nowhere");
  assert.equal(unknown.stderr, "ping: bad address 'nowhere'\ncommand terminated with exit code 1\n");
});

test("nc -zv: open through the Service, quiet refusal, and an HTTP exchange over stdin", () => {
  const svcIP = jp("svc web", "{.spec.clusterIP}");
  const open = ex("bb", "nc", "-zv", "web", "80");
  assert.equal(open.code, 0);
  assert.equal(open.stderr, `web (${svcIP}:80) open\n`);
  const podIP = jp("pod web", "{.status.podIP}");
  const closed = ex("bb", "nc", "-zvv", podIP, "8080");
  assert.equal(closed.stderr, `nc: ${podIP} (${podIP}:8080): Connection refused\ncommand terminated with exit code 1\n`);
  const http = s.kubectl(["exec", "-i", "bb", "--", "nc", "web", "80"], { input: "GET / HTTP/1.0\r\nHost: web\r\n\r\n" });
  assert.equal(http.code, 0);
  assert.match(http.stdout, /^HTTP\/1\.1 200 OK\r\n(?:[A-Z][\w-]*: .*\r\n)+\r\n<!DOCTYPE html>/);
  assert.match(http.stdout, /\r\nServer: nginx\/1\.27\.5\r\n/);
});
