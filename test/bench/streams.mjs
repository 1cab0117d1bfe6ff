#!/usr/bin/env node
// Streaming benchmarks (issue 4) against `wrangler dev`:
// - exec round trip: a one-shot `exec … -- echo hi` over WebSocket (v5.channel.k8s.io), from the
//   upgrade to the exit Status; and, in one interactive `sh`, a command line in → its output back;
// - port-forward: HTTP requests per second and bytes per second through the real
//   `kubectl port-forward` to a simulated nginx.
// Not a pass/fail test. BENCH_N sets the number of round trips (default 200).
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { KUBECTL } from "../e2e/lib/harness.mjs";
import { Server, fmt, freePort, isMain, printTable, stats } from "./lib.mjs";

const WebSocket = createRequire(import.meta.url)("ws"); // wrangler's own dependency, already installed

const PROTOCOL = "v5.channel.k8s.io";

/** kubectl 1.34+ registers its streams before reading, so the server sends at once; older clients
 *  get their first output held back (durable/nodes/streams/channel.ts ChannelSocket). */
const NEW_KUBECTL = "kubectl/v1.34.0 (linux/amd64) kubernetes/bench";
const OLD_KUBECTL = "kubectl/v1.33.1 (linux/amd64) kubernetes/bench";

function execSocket(s, pod, argv, { stdin = false, userAgent = NEW_KUBECTL } = {}) {
  const q = new URLSearchParams();
  for (const a of argv) q.append("command", a);
  q.set("stdout", "true");
  q.set("stderr", "true");
  if (stdin) q.set("stdin", "true");
  const url = `${s.server.replace(/^https/, "wss")}/api/v1/namespaces/default/pods/${pod}/exec?${q}`;
  return new WebSocket(url, [PROTOCOL], {
    headers: { authorization: `Bearer ${s.token}`, "user-agent": userAgent },
    rejectUnauthorized: false,
  });
}

/** One-shot exec: resolves with ms from connect to the close after the Status. */
function oneShot(s, pod, userAgent) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = execSocket(s, pod, ["echo", "hi"], { userAgent });
    let out = "";
    ws.on("message", (data) => {
      const buf = Buffer.from(data);
      if (buf[0] === 1) out += buf.subarray(1).toString();
    });
    ws.on("close", () =>
      out.trim() === "hi" ? resolve(performance.now() - t0) : reject(new Error(`unexpected output ${JSON.stringify(out)}`)),
    );
    ws.on("error", reject);
  });
}

/** Interactive: one `sh`, n command lines; returns the per-line round trips. */
function interactive(s, pod, n) {
  return new Promise((resolve, reject) => {
    const ws = execSocket(s, pod, ["sh"], { stdin: true });
    const samples = [];
    let i = 0;
    let out = "";
    let t0 = 0;
    const next = () => {
      if (i === n) {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("exit\n")]));
        return resolve(samples);
      }
      out = "";
      t0 = performance.now();
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(`echo line-${i}\n`)]));
    };
    ws.on("open", next);
    ws.on("message", (data) => {
      const buf = Buffer.from(data);
      if (buf[0] !== 1) return;
      out += buf.subarray(1).toString();
      if (out.includes(`line-${i}\n`)) {
        samples.push(performance.now() - t0);
        i++;
        next();
      }
    });
    ws.on("error", reject);
  });
}

function get(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/", agent: keepAlive }, (res) => {
        let bytes = 0;
        res.on("data", (c) => (bytes += c.length));
        res.on("end", () => resolve(bytes));
      })
      .on("error", reject);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });

export async function main({ n = Number(process.env.BENCH_N ?? 200) } = {}) {
  const server = await Server.start();
  const rows = [];
  let forward;
  try {
    const s = await server.createSession({ clock: "instant" });
    s.k(["run", "web", "--image=nginx:1.27", "--port=80"]);
    s.k(["wait", "--for=condition=Ready", "pod/web", "--timeout=60s"]);

    for (let i = 0; i < 10; i++) await oneShot(s, "web"); // warm-up
    const shots = [];
    for (let i = 0; i < n; i++) shots.push(await oneShot(s, "web"));
    const st = stats(shots);
    rows.push(["exec one-shot (`echo hi`), upgrade → exit status", `p50 ${fmt(st.p50)} ms, p99 ${fmt(st.p99)} ms`]);
    const held = [];
    for (let i = 0; i < Math.min(n, 50); i++) held.push(await oneShot(s, "web", OLD_KUBECTL));
    const hs = stats(held);
    rows.push(["the same for kubectl ≤ 1.33 (output held back 20 ms)", `p50 ${fmt(hs.p50)} ms, p99 ${fmt(hs.p99)} ms`]);
    const lines = stats(await interactive(s, "web", n));
    rows.push(["exec -i sh: command line in → output back", `p50 ${fmt(lines.p50)} ms, p99 ${fmt(lines.p99)} ms`]);

    const port = await freePort();
    forward = spawn(KUBECTL.default, ["port-forward", "pod/web", `${port}:80`], { env: { ...process.env, KUBECONFIG: s.kubeconfigPath } });
    await new Promise((resolve, reject) => {
      forward.stdout.on("data", (d) => String(d).includes("Forwarding from") && resolve());
      forward.on("exit", () => reject(new Error("kubectl port-forward exited")));
    });
    for (let i = 0; i < 10; i++) await get(port);
    const t0 = performance.now();
    let bytes = 0;
    const requests = n * 2;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < requests / 4; i++) {
          const b = await get(port); // (`bytes += await …` would read `bytes` before the await)
          bytes += b;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    rows.push([
      `port-forward: ${requests} GETs of nginx's page, 4 at a time`,
      `${fmt(requests / secs, 0)} req/s, ${fmt(bytes / secs / 1024, 1)} KiB/s`,
    ]);
  } finally {
    forward?.kill();
    keepAlive.destroy();
    await server.stop();
  }
  printTable("Streams (wrangler dev)", ["measure", "figure"], rows);
  return { rows };
}

if (isMain(import.meta.url)) await main();
