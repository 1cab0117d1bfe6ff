// Shared bits of the benchmarks: the e2e harness, timing, percentiles and plain-text tables.
import { performance } from "node:perf_hooks";
import { createServer } from "node:net";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Server, request } from "../e2e/lib/harness.mjs";
export { Server, request };

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Milliseconds taken by an async call, with its result. */
export async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** Nearest-rank percentile of sorted samples. */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, mean, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1] };
}

export const fmt = (x, digits = 1) => (typeof x === "number" ? x.toFixed(digits) : String(x ?? ""));
export const ratio = (figure, target) => `${(figure / target).toFixed(2)}×`;

/** Print rows (arrays of cells) under headers as an aligned text table. */
export function printTable(title, headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Run `fn(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

export async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True when the module at `url` is the script node was started with. */
export const isMain = (url) => process.argv[1] && new URL(url).pathname === process.argv[1];

/**
 * Like Server.start() of the e2e harness, but passing extra arguments to `wrangler dev` (e.g.
 * `--inspector-port`), which Server.start() has no way to do. The returned object is a harness Server.
 */
export async function startServer(wranglerArgs = [], extraEnv = {}) {
  if (!wranglerArgs.length) return Server.start(extraEnv);
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "kubeplay-bench-"));
  const child = spawn(process.execPath, [join(root, "scripts", "start.mjs"), ...wranglerArgs], {
    cwd: root,
    env: { ...process.env, PORT: String(port), KUBEPLAY_STATE_DIR: stateDir, MAX_SESSIONS_PER_CLIENT: "1000", SESSION_RATE_LIMIT: "off", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const logs = [];
  child.stdout.on("data", (d) => logs.push(d.toString()));
  child.stderr.on("data", (d) => logs.push(d.toString()));
  const server = new Server(port, child, stateDir, logs);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${logs.join("")}`);
    const res = await request(`${server.origin}/healthz`).catch(() => undefined);
    if (res?.status === 200) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`server did not start in time:\n${logs.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
