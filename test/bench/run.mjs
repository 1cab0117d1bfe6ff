#!/usr/bin/env node
// `npm run bench`: the API latency, pod-list, control-plane, streaming, fairness and pod-deletion benchmarks in sequence (each against its own
// `wrangler dev`), then a summary as a markdown table for the README. Not a pass/fail test.
// BENCH_N (calls per op, default 500) and BENCH_SIZES (pod counts, default 1000,10000) shorten a trial run.
import os from "node:os";
import * as latency from "./api-latency.mjs";
import * as listPods from "./list-pods.mjs";
import * as controlPlane from "./control-plane.mjs";
import * as streams from "./streams.mjs";
import * as hostileMemory from "./hostile-memory.mjs";
import * as fairness from "./fairness.mjs";
import * as podDeletion from "./pod-deletion.mjs";
import { fmt, ratio } from "./lib.mjs";

const lat = await latency.main({ n: Number(process.env.BENCH_N ?? 500) });
const lp = await listPods.main({ sizes: process.env.BENCH_SIZES?.split(",").map(Number) });
const cp = await controlPlane.main();
const st = await streams.main();
const hm = await hostileMemory.main();
const fair = await fairness.main();
const del = await podDeletion.main();

const MB = 1024 * 1024;
const rows = [];
for (const r of lat.rows.filter((r) => r.single)) {
  rows.push([
    `${r.op}, p99 (p50)`,
    `${fmt(r.p99, 1)} ms (${fmt(r.p50, 1)})`,
    `≤ ${latency.TARGET_P99_MS} ms`,
    ratio(r.p99, latency.TARGET_P99_MS),
  ]);
}
const list50 = lat.rows.find((r) => !r.single && r.op.startsWith("LIST"));
rows.push([`${list50.op}, p99 (p50)`, `${fmt(list50.p99, 1)} ms (${fmt(list50.p50, 1)})`, "—", "—"]);
for (const l of lp.lists) {
  const target = l.target ? `≤ ${l.target} ms` : "—";
  rows.push([`${l.size} pods: ${l.what}, p50`, `${fmt(l.p50, 0)} ms`, target, l.target ? ratio(l.p50, l.target) : "—"]);
}
for (const c of lp.creates) rows.push([`create pods ${c.range} (concurrency 16)`, `${fmt(c.perSec, 0)} pods/s`, "—", "—"]);
const peak = lp.memory.find((m) => m.peak);
if (peak) {
  const n = Math.max(...lp.sizes);
  rows.push([
    `DO isolate JS heap, peak while listing ${n} pods`,
    `${fmt(peak.used / MB, 1)} MiB`,
    `≤ ${listPods.DO_HEAP_LIMIT_MB} MB`,
    ratio(peak.used / MB, listPods.DO_HEAP_LIMIT_MB),
  ]);
}

rows.push(...cp.rows);
for (const [measure, figure] of st.rows) rows.push([measure, figure, "—", "—"]);
for (const r of hm.rows) {
  const figure = r.down
    ? `server down (HTTP ${r.status})`
    : r.peakUsed === undefined
      ? `HTTP ${r.status}`
      : `${fmt(r.peakUsed / MB, 1)} MiB (HTTP ${r.status})`;
  rows.push([
    `hostile ${r.id}: DO isolate JS heap, peak`,
    figure,
    `≤ ${hm.budgetMB} MB`,
    r.peakUsed === undefined || r.down ? "—" : ratio(r.peakUsed / MB, hm.budgetMB),
  ]);
}

rows.push(...fair.rows);
rows.push(...del.rows);

console.log(
  `\n## Benchmarks (\`npm run bench\`, wrangler dev on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version})\n`,
);
console.log("| measure | figure | target | figure/target |");
console.log("|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
