// kubectl debug with the real kubectl 1.33: ephemeral containers next to a shell-less container
// (--target shares its process namespace), the ephemeralcontainers subresource's validation, copies
// of a pod, and node debugging.
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
  s.k("run who --image=traefik/whoami", { version: "1.33" });
  await eventually(() => s.k("get pod who -o jsonpath={.status.phase}") === "Running");
});

after(async () => {
  await server?.stop();
});

/** Run a command in a pty (script), typing `keys` after a pause; resolves with the transcript. */
function inPty(cmd, keys) {
  return new Promise((resolve) => {
    const child = spawn("script", ["-qfec", cmd, "/dev/null"], { env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let i = 0;
    const type = () => {
      if (i < keys.length) child.stdin.write(keys[i++]);
      if (i < keys.length) setTimeout(type, 700);
    };
    setTimeout(type, 3000);
    const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ out, code });
    });
  });
}

const ephemeral = (pod) => JSON.parse(s.k(`get pod ${pod} -o json`)).status.ephemeralContainerStatuses ?? [];

test("debug -it --target: a shell next to a container that has none", async () => {
  const exec = s.kubectl("exec who -- sh", { version: "1.33" });
  assert.notEqual(exec.code, 0);
  const { out, code } = await inPty(`${K} debug -it who --image=busybox --target=who`, ["\r", "wget -qO- localhost:80 | head -1\r", "ps\r", "exit\r"]);
  assert.equal(code, 0, out);
  const name = /Defaulting debug container name to (debugger-[a-z0-9]{5})\.\r\n/.exec(out)?.[1];
  assert.ok(name, out);
  assert.match(out, /Targeting container "who"\. If you don't see processes from this container it may be because the container runtime doesn't support this feature\.\r\n/);
  assert.match(out, /If you don't see a command prompt, try pressing enter\.\r\n/);
  assert.match(out, /\/ # wget -qO- localhost:80 \| head -1\r\nHostname: who\r\n/);
  assert.match(out, /PID {3}USER {5}TIME {2}COMMAND\r\n {4}1 root {6}0:00 \/whoami\r\n/);
  assert.match(out, / root {6}0:00 sh\r\n/);
  await eventually(() => ephemeral("who").find((c) => c.name === name)?.state?.terminated?.reason === "Completed");
  const st = JSON.parse(s.k("get pod who -o jsonpath={.status.ephemeralContainerStatuses}"));
  assert.equal(st[0].name, name);
  assert.equal(st[0].restartCount, 0);
  assert.equal(st[0].state.terminated.exitCode, 0);
  const describe = s.k("describe pod who");
  assert.match(describe, new RegExp(`Ephemeral Containers:\\n  ${name}:\\n`));
  assert.match(describe, /    State:          Terminated\n      Reason:       Completed\n      Exit Code:    0\n/);
  assert.match(describe, new RegExp(`Normal  Started .* kubelet +Started container ${name}`));
  // The app container is untouched and the pod still Running and ready.
  assert.match(s.k("get pod who"), /who +1\/1 +Running +0 /);
});
