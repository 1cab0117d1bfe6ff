#!/usr/bin/env node
// API latency: single-object calls against one session through `wrangler dev`, one at a time over a
// keep-alive connection (Node's global agent keeps connections alive). Prints p50/p90/p99/mean per
// operation against the target (single-object p99 ≤ 20 ms). Not a pass/fail test.
//   node test/bench/api-latency.mjs [N]
import { Server, request, stats, timed, fmt, ratio, printTable, isMain } from "./lib.mjs";

export const TARGET_P99_MS = 20;
const LIST_NS = "bench-list";
const NS = "bench";
const LIST_SIZE = 50;

const configMap = (name, value = "1") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { app: "bench" } },
  data: { key: value },
});
const nameOf = (prefix, i) => `${prefix}-${String(i).padStart(5, "0")}`;

/** Measure the calls against a running server; returns { rows: [{op, single, ...stats}] }. */
export async function measure(server, { n = 500, warmup = 50 } = {}) {
  const s = await server.createSession({ clock: "instant" });
  const must = async (res, want, what) => {
    const r = await res;
    if (r.status !== want) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };
  const json = { "content-type": "application/json" };
  for (const ns of [NS, LIST_NS]) {
    await must(
      s.api("/api/v1/namespaces", { method: "POST", headers: json, body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } } }),
      201,
      `create namespace ${ns}`,
    );
  }
  for (let i = 0; i < LIST_SIZE; i++) {
    await must(
      s.api(`/api/v1/namespaces/${LIST_NS}/configmaps`, { method: "POST", headers: json, body: configMap(nameOf("l", i)) }),
      201,
      "seed list",
    );
  }

  const cm = (name = "") => `/api/v1/namespaces/${NS}/configmaps${name ? `/${name}` : ""}`;
  const ops = [
    {
      op: "POST create ConfigMap",
      single: true,
      want: 201,
      call: (p, i) => s.api(cm(), { method: "POST", headers: json, body: configMap(nameOf(p, i)) }),
    },
    { op: "GET ConfigMap", single: true, want: 200, call: (p, i) => s.api(cm(nameOf(p, i))) },
    {
      op: "PATCH ConfigMap (strategic merge)",
      single: true,
      want: 200,
      call: (p, i) =>
        s.api(cm(nameOf(p, i)), {
          method: "PATCH",
          headers: { "content-type": "application/strategic-merge-patch+json" },
          body: { data: { key: `v${i}`, extra: "x" } },
        }),
    },
    { op: "DELETE ConfigMap", single: true, want: 200, call: (p, i) => s.api(cm(nameOf(p, i)), { method: "DELETE" }) },
    { op: `LIST ConfigMaps (${LIST_SIZE} items)`, single: false, want: 200, call: () => s.api(`/api/v1/namespaces/${LIST_NS}/configmaps`) },
    // References: the Worker alone (no Durable Object) and the cheapest Durable Object call.
    { op: "ref: GET /healthz (Worker only)", single: false, want: 200, call: () => request(`${server.origin}/healthz`) },
    { op: "ref: GET /version (Worker → DO)", single: false, want: 200, call: () => s.api("/version") },
  ];
  // Phases in order so each op has objects to act on: create all, get all, patch all, delete all.
  const samples = new Map(ops.map((o) => [o.op, []]));
  for (const [prefix, count, record] of [
    ["w", warmup, false],
    ["m", n, true],
  ]) {
    for (const o of ops) {
      for (let i = 0; i < count; i++) {
        const { ms, result } = await timed(() => o.call(prefix, i));
        if (result.status !== o.want) throw new Error(`${o.op}: ${result.status} ${result.text.slice(0, 300)}`);
        if (record) samples.get(o.op).push(ms);
      }
    }
  }
  return { n, warmup, rows: ops.map((o) => ({ op: o.op, single: o.single, ...stats(samples.get(o.op)) })) };
}

export function print(result) {
  printTable(
    `API latency through wrangler dev, keep-alive, sequential (N = ${result.n} per op after ${result.warmup} warm-up), ms; target single-object p99 ≤ ${TARGET_P99_MS} ms`,
    ["operation", "p50", "p90", "p99", "mean", "max", "p99/target"],
    result.rows.map((r) => [
      r.op,
      fmt(r.p50, 2),
      fmt(r.p90, 2),
      fmt(r.p99, 2),
      fmt(r.mean, 2),
      fmt(r.max, 2),
      r.single ? ratio(r.p99, TARGET_P99_MS) : "—",
    ]),
  );
}

export async function main({ n = 500 } = {}) {
  const server = await Server.start();
  try {
    const result = await measure(server, { n });
    print(result);
    return result;
  } finally {
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main({ n: Number(process.argv[2] ?? 500) });
