// Shared bits of the benchmarks: the e2e harness, timing, percentiles and plain-text tables.
import { performance } from "node:perf_hooks";
import { createServer } from "node:net";
import { Server, request } from "../e2e/lib/harness.mjs";
export { Server, request };

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
  return { n: s.length, mean, p50: pct(s, 50), p90: pct(s, 90), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] };
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

/** The e2e harness's server, with extra arguments for `wrangler dev` (e.g. `--inspector-port`). */
export const startServer = (wranglerArgs = [], extraEnv = {}) => Server.start(extraEnv, wranglerArgs);
