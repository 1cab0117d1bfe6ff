// kubectl attach and `kubectl run -i/-it` with the real kubectl 1.33, and OOMKilled containers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Server, KUBECTL, eventually } from "./lib/harness.mjs";

const K = KUBECTL["1.33"];
let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("run web --image=nginx --port=80 --expose", { version: "1.33" });
  s.k(["run", "loop", "--image=busybox", "--", "sh", "-c", "i=0; while true; do i=$((i+1)); echo line $i; sleep 1; done"], {
    version: "1.33",
  });
  await eventually(() => s.k("get pods -o jsonpath={.items[*].status.phase}") === "Running Running");
});

after(async () => {
  await server?.stop();
});

test("run -it --rm: the classic debug pod", async () => {
  const { out, code } = await s.terminal(
    `${K} run -it --rm debug --image=busybox --restart=Never -- sh`,
    ["\r", "hostname\r", "wget -qO- http://web | head -4\r", "exit\r"],
    { firstAfter: 3000 },
  );
  assert.equal(code, 0, out);
  assert.match(out, /^If you don't see a command prompt, try pressing enter\.\r\n/);
  assert.match(out, /\/ # hostname\r\ndebug\r\n/);
  assert.match(out, /<title>Welcome to nginx!<\/title>/);
  assert.match(out, /\/ # exit\r\npod "debug" deleted\r\n$/);
  await eventually(() => s.kubectl("get pod debug").stderr.includes('pods "debug" not found'));
});

test("run -it without --restart: OnFailure, kubectl tells how to reattach", async () => {
  const { out, code } = await s.terminal(`${K} run -it --rm dbg --image=busybox -- sh`, ["\r", "exit\r"], { firstAfter: 3000 });
  assert.equal(code, 0, out);
  assert.match(out, /Session ended, resume using 'kubectl attach dbg -c dbg -i -t' command when the pod is running\r\npod "dbg" deleted/);
});

test("run -i --rm prints a command's output once and deletes the pod", () => {
  const r = s.kubectl(["run", "-i", "--rm", "t", "--image=busybox", "--restart=Never", "--", "wget", "-qO-", "http://web"], {
    version: "1.33",
  });
  assert.equal(r.code, 0, r.out);
  assert.equal(r.stdout.match(/<h1>Welcome to nginx!<\/h1>/g)?.length, 1, r.stdout);
  assert.match(r.stdout, /pod "t" deleted\n$/);
});

test("run -i returns the container's exit code", () => {
  const r = s.kubectl(["run", "-i", "t3", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo bye; exit 3"], { version: "1.33" });
  assert.equal(r.code, 3, r.out);
  assert.equal(r.stdout, "bye\n");
  assert.match(r.stderr, /pod default\/t3 terminated \(Error\)/);
});

test("run -i with a shell fed from a pipe: lines run as they come, EOF ends it", () => {
  const r = s.kubectl(["run", "-i", "--rm", "piped", "--image=busybox", "--restart=Never", "--", "sh"], {
    version: "1.33",
    input: "echo hi\nhostname\nexit 5\n",
  });
  assert.equal(r.code, 5, r.out);
  assert.match(r.stdout, /^hi\npiped\n/);
  const ok = s.kubectl(["run", "-i", "--rm", "piped2", "--image=busybox", "--restart=Never", "--", "sh"], {
    version: "1.33",
    input: "echo done\n",
  });
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.stdout, /^done\npod "piped2" deleted\n$/);
});

test("a busybox without -i still reads EOF and crash-loops; with -i it stays Running", async () => {
  s.k("run bare --image=busybox", { version: "1.33" });
  s.k("run held -i=true --image=busybox --restart=Never --attach=false", { version: "1.33" });
  await eventually(() => {
    const bare = JSON.parse(s.k("get pod bare -o json"));
    return bare.status.containerStatuses?.[0]?.restartCount >= 2;
  });
  const held = JSON.parse(s.k("get pod held -o json"));
  assert.equal(held.spec.containers[0].stdin, true);
  assert.ok(held.status.containerStatuses[0].state.running, JSON.stringify(held.status));
});

test("attach to a looping program receives its new lines; attach ends when the program exits", async () => {
  const child = spawn(K, ["attach", "loop"], { env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  await eventually(() => (out.match(/^line \d+$/gm) ?? []).length >= 2, { timeout: 10_000 });
  const numbers = out.match(/\d+/g).map(Number);
  assert.equal(numbers[1], numbers[0] + 1);
  assert.ok(numbers[0] > 1, "only lines written after the attach");
  child.kill("SIGINT");
  assert.match(err, /If you don't see a command prompt, try pressing enter\./);

  s.k(["run", "short", "--image=busybox", "--restart=Never", "--", "sh", "-c", "sleep 3; echo bye; echo oops >&2; exit 2"], {
    version: "1.33",
  });
  await eventually(() => s.k("get pod short -o jsonpath={.status.phase}") === "Running");
  const r = s.kubectl("attach short", { version: "1.33" });
  assert.equal(r.code, 0, r.out); // attach ends with Success: the exit code is the pod's
  assert.equal(r.stdout, "bye\n");
  assert.match(r.stderr, /oops\n/);
  const done = s.kubectl("attach short", { version: "1.33" });
  assert.match(done.stderr, /error: cannot attach a container in a completed pod; current phase is Failed/);
});

test("OOMKilled: over its memory limit, stress is killed with 137 and crash-loops; within it, it runs", async () => {
  const pod = (name, bytes, limit) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      containers: [
        {
          name: `${name}-ctr`,
          image: "polinux/stress",
          resources: { requests: { memory: "50Mi" }, limits: { memory: limit } },
          command: ["stress"],
          args: ["--vm", "1", "--vm-bytes", bytes, "--vm-hang", "1"],
        },
      ],
    },
  });
  s.k("apply -f -", { input: JSON.stringify(pod("memory-demo-2", "250M", "100Mi")) });
  s.k("apply -f -", { input: JSON.stringify(pod("memory-demo", "150M", "200Mi")) });
  await eventually(() => {
    const p = JSON.parse(s.k("get pod memory-demo-2 -o json"));
    const st = p.status.containerStatuses?.[0];
    return st?.restartCount >= 3 && st.lastState?.terminated?.reason === "OOMKilled";
  });
  const st = JSON.parse(s.k("get pod memory-demo-2 -o json")).status.containerStatuses[0];
  assert.equal(st.lastState.terminated.exitCode, 137);
  assert.match(
    s.k("get pod memory-demo-2", { version: "1.33" }),
    /memory-demo-2\s+[01]\/1\s+(CrashLoopBackOff|OOMKilled|Running)\s+\d+ \(\d+s ago\)/,
  );
  assert.match(s.k("describe pod memory-demo-2"), /Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137/);
  const ok = JSON.parse(s.k("get pod memory-demo -o json")).status.containerStatuses[0];
  assert.ok(ok.state.running, JSON.stringify(ok));
  assert.equal(ok.restartCount, 0);
  assert.match(s.k("logs memory-demo"), /^stress: info: \[1\] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n$/);
});
