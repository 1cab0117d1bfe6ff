// exec, attach and port-forward with the real kubectl: WebSocket channels (v5.channel.k8s.io) and
// SPDY/3.1 tunnelled in WebSocket for port-forward.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { Server, KUBECTL, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("run myapp --image=nginx");
  s.k("run bb --image=busybox -- sleep 3600");
  await eventually(() => {
    const phases = s.k("get pods -o jsonpath={.items[*].status.phase}");
    assert.equal(phases, "Running Running");
    return true;
  });
});

after(async () => {
  await server?.stop();
});

test("exec runs one-shot commands and reports their exit code", () => {
  assert.equal(s.k("exec myapp -- hostname"), "myapp\n");
  assert.match(s.k("exec myapp -- env"), /^HOSTNAME=myapp$/m);
  assert.match(s.k("exec myapp -- env"), /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  assert.match(s.k("exec myapp -- cat /etc/hosts"), /# Kubernetes-managed hosts file\./);
  const r = s.kubectl(["exec", "myapp", "--", "sh", "-c", "exit 3"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /command terminated with exit code 3/);
  const e = s.kubectl(["exec", "myapp", "--", "sh", "-c", "echo out; echo err >&2"]);
  assert.equal(e.stdout, "out\n");
  assert.equal(e.stderr, "err\n");
});

test("exec of a program the image lacks fails like the runtime", () => {
  const r = s.kubectl("exec bb -- bash");
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown/,
  );
});

test("exec errors before the upgrade", () => {
  const r = s.kubectl("exec myapp -c nope -- hostname");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /container nope is not valid for pod myapp/);
  const n = s.kubectl("exec ghost -- hostname");
  assert.match(n.stderr, /pods "ghost" not found/);
});

test("exec -i feeds a shell line by line from a pipe", () => {
  const r = s.kubectl("exec -i myapp -- sh", { input: "hostname\ncd /etc\npwd\nexit 4\n" });
  assert.equal(r.stdout, "myapp\n/etc\n");
  assert.equal(r.code, 4);
  const ok = s.kubectl("exec -i myapp -- sh", { input: "echo hi\n" });
  assert.equal(ok.stdout, "hi\n");
  assert.equal(ok.code, 0);
});

test("exec -it through a pty", async () => {
  const { out } = await s.terminal(`${KUBECTL.default} exec -it myapp -- bash`, ["hostname\rexit\r"], { timeout: 15_000 });
  assert.match(out, /root@myapp:\/# /);
  assert.match(out, /hostname\r\nmyapp\r\n/);
});

function get(port, path = "/") {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      })
      .on("error", reject);
  });
}

async function portForward(args, version = "default") {
  const child = spawn(KUBECTL[version], ["port-forward", ...args], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
    detached: true,
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  await eventually(() => /Forwarding from 127\.0\.0\.1:\d+ -> \d+/.test(out), { timeout: 15000 });
  return { child, out: () => out, stop: () => process.kill(-child.pid, "SIGKILL") };
}

for (const version of ["default", "1.31"]) {
  test(`port-forward pod/myapp serves the nginx page (kubectl ${version})`, async () => {
    const port = 18000 + Math.floor(Math.random() * 2000);
    const pf = await portForward(["pod/myapp", `${port}:80`], version);
    try {
      const r1 = await get(port);
      assert.equal(r1.status, 200);
      assert.match(r1.body, /<title>Welcome to nginx!<\/title>/);
      const r2 = await get(port, "/nope");
      assert.equal(r2.status, 404);
      assert.match(pf.out(), /Handling connection for \d+/);
    } finally {
      pf.stop();
    }
  });
}

test("port-forward to a port nobody listens on reports the kubelet's error", async () => {
  const port = 20000 + Math.floor(Math.random() * 2000);
  const pf = await portForward(["pod/myapp", `${port}:81`]);
  try {
    await get(port).catch(() => {});
    await eventually(() => /error forwarding port 81 to pod .*connection refused/.test(pf.out()), { timeout: 10000 });
  } finally {
    pf.stop();
  }
});

test("kubectl 1.29 needs KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true, older ones get a clear error", () => {
  const r = s.kubectl("exec myapp -- hostname", { version: "1.29" });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /kubeplay serves pods\/exec over WebSocket only/);
  assert.equal(s.k("exec myapp -- hostname", { version: "1.29", env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "true" } }), "myapp\n");
  assert.equal(s.k("exec myapp -- hostname", { version: "1.30" }), "myapp\n");
});

test("kubectl 1.30 port-forward needs KUBECTL_PORT_FORWARD_WEBSOCKETS=true", () => {
  const r = s.kubectl("port-forward pod/myapp 18999:80", { version: "1.30", timeout: 10000 });
  assert.match(r.stderr, /use kubectl 1\.31 or newer, or set KUBECTL_PORT_FORWARD_WEBSOCKETS=true/);
});

test("port-forward svc/x and deploy/x reach a pod behind them", async () => {
  s.k("create deployment web --image=nginx");
  s.k("expose deployment web --port=8080 --target-port=80");
  await eventually(() => s.k("get pods -l app=web -o jsonpath={.items[*].status.phase}") === "Running");
  for (const [target, remote] of [
    ["svc/web", 8080],
    ["deploy/web", 80],
  ]) {
    const port = 22000 + Math.floor(Math.random() * 2000);
    const pf = await portForward([target, `${port}:${remote}`]);
    try {
      const r = await get(port);
      assert.equal(r.status, 200);
      assert.match(r.body, /Welcome to nginx!/);
      assert.match(pf.out(), new RegExp(`Forwarding from 127\\.0\\.0\\.1:${port} -> 80`));
    } finally {
      pf.stop();
    }
  }
});
