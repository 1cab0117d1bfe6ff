#!/usr/bin/env node
// Memory under hostile input (issue 8): each request of test/e2e/lib/hostile-bodies.mjs is sent
// once to one session while the JS heap of the isolate that runs the Cluster Durable Object is
// sampled over the V8 inspector of `wrangler dev` as fast as it answers. Prints, per case, the HTTP
// status, the heap's peak above the case's baseline (after a GC) and in total, and the peak's ratio
// to the 64 MB budget. Each request is bounded by a timeout; a case after which the server no longer
// answers is reported as having taken it down, and the server is started afresh for the next case.
// Not a pass/fail test.
//   node test/bench/hostile-memory.mjs [case ids, comma-separated; default all]   BENCH_LIST_MIB (default 40): the fill of the list cases
import { performance } from "node:perf_hooks";
import { startServer, freePort, fmt, ratio, printTable, isMain } from "./lib.mjs";
import { Inspector } from "./cdp.mjs";
import { CM, SEED_CONFIGMAP, hostileCases, send, sendCase } from "../e2e/lib/hostile-bodies.mjs";

/** The heap budget one request may use (the issue's bound, half the 128 MB isolate limit). */
export const HEAP_BUDGET_MB = 64;
const MB = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;
const INSPECTOR_TIMEOUT_MS = 5_000;
const MAX_RESTARTS = 5;

/** Samples Runtime.getHeapUsage back to back until stop(); a sample the inspector does not answer
 *  in INSPECTOR_TIMEOUT_MS ends the sampling (the isolate is gone or stuck). */
function sampler(insp) {
  const samples = [];
  let running = true;
  let failure;
  const done = (async () => {
    while (running) {
      try {
        const h = await insp.send("Runtime.getHeapUsage", {}, INSPECTOR_TIMEOUT_MS);
        samples.push({ t: performance.now(), ...h });
      } catch (e) {
        failure = e;
        return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { samples, failure };
    },
  };
}

/** A server with an inspector, a target session holding the seeded ConfigMap and a neighbour. */
async function bringUp() {
  const inspectorPort = await freePort();
  const server = await startServer(["--inspector-port", String(inspectorPort)]);
  try {
    const insp = await Inspector.connect(inspectorPort);
    const target = await server.createSession({ clock: "instant" });
    const neighbour = await server.createSession({ clock: "instant" });
    const seed = await target.api(CM, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SEED_CONFIGMAP }, data: { a: "1" } },
    });
    if (seed.status !== 201) throw new Error(`seed ConfigMap: ${seed.status} ${seed.text.slice(0, 200)}`);
    return { server, insp, target, neighbour };
  } catch (e) {
    await server.stop({ allowServerErrors: true });
    throw e;
  }
}

async function tearDown(env) {
  env?.insp?.close();
  await env?.server.stop({ allowServerErrors: true });
}

/** Does the server still answer: its /healthz, and the session's API? */
async function alive(env) {
  if (env.server.child.exitCode !== null) return false;
  const h = await send(`${env.server.origin}/healthz`, { timeout: 10_000 });
  if (h.status !== 200) return false;
  const l = await send(`${env.target.server}${CM}`, { headers: { authorization: `Bearer ${env.target.token}` }, timeout: 10_000 });
  return l.status === 200;
}

const statusOf = (res) => (typeof res.status === "number" ? String(res.status) : `${res.status} after ${fmt(res.ms / 1000, 0)} s`);

/** One case: GC, baseline, the request under the sampler, the figures. */
async function measureCase(env, c) {
  await env.insp.gc();
  const base = await env.insp.heap();
  const list = await env.target.api(CM);
  const ctx = { rv: Number(list.json?.metadata?.resourceVersion ?? 0), otherToken: env.neighbour.token };
  const smp = sampler(env.insp);
  const res = await sendCase(env.target, c, ctx, { timeout: REQUEST_TIMEOUT_MS });
  const { samples, failure } = await smp.stop();
  const peakUsed = Math.max(base.usedSize, ...samples.map((s) => s.usedSize));
  const peakTotal = Math.max(base.totalSize, ...samples.map((s) => s.totalSize));
  return {
    id: c.id,
    title: c.title,
    status: statusOf(res),
    ms: res.ms,
    samples: samples.length,
    inspectorLost: failure?.message,
    baseline: base.usedSize,
    peakUsed,
    peakAbove: peakUsed - base.usedSize,
    peakTotal,
  };
}

/** A LIST of everything in a cluster holding `mib` MiB of ConfigMaps (1 MiB each), as JSON and as
 *  kubectl's Table: the list is written a page at a time, so the heap holds a page, not the list. */
async function measureBigLists(env, mib = Number(process.env.BENCH_LIST_MIB ?? 40)) {
  const data = { k: "x".repeat(MB - 256) };
  for (let i = 0; i < mib; i++) {
    const res = await env.target.api(CM, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `fill-${i}` }, data },
    });
    if (res.status !== 201) throw new Error(`filling the cluster: ${res.status} ${res.text.slice(0, 200)}`);
  }
  const rows = [];
  for (const [id, accept] of [
    [`list-${mib}MiB-json`, "application/json"],
    [`list-${mib}MiB-table`, "application/json;as=Table;v=v1;g=meta.k8s.io"],
  ]) {
    await env.insp.gc();
    const base = await env.insp.heap();
    const smp = sampler(env.insp);
    const t = performance.now();
    const res = await env.target.api(CM, { headers: { accept } });
    const ms = performance.now() - t;
    const { samples, failure } = await smp.stop();
    const peakUsed = Math.max(base.usedSize, ...samples.map((x) => x.usedSize));
    rows.push({
      id,
      status: String(res.status),
      ms,
      samples: samples.length,
      inspectorLost: failure?.message,
      baseline: base.usedSize,
      peakUsed,
      peakAbove: peakUsed - base.usedSize,
      peakTotal: Math.max(base.totalSize, ...samples.map((x) => x.totalSize)),
      bytes: res.text.length,
    });
  }
  return rows;
}

export function print(rows) {
  printTable(
    `JS heap of the Worker isolate (Worker + Cluster DO) per hostile request, MiB (budget ${HEAP_BUDGET_MB} MB)`,
    ["case", "HTTP", "ms", "samples", "baseline", "peak above", "peak used", "peak committed", "peak/budget"],
    rows.map((r) => {
      const peaks =
        r.peakUsed === undefined ? ["—", "—", "—"] : [fmt(r.peakAbove / MB, 1), fmt(r.peakUsed / MB, 1), fmt(r.peakTotal / MB, 1)];
      const verdict = r.down
        ? `took the server down${r.inspectorLost ? ` (${r.inspectorLost})` : ""}`
        : r.peakUsed === undefined
          ? "not measured"
          : ratio(r.peakUsed / MB, HEAP_BUDGET_MB);
      return [r.id, r.status, fmt(r.ms, 0), r.samples ?? "", r.baseline === undefined ? "" : fmt(r.baseline / MB, 1), ...peaks, verdict];
    }),
  );
}

export async function main({ ids } = {}) {
  const cases = hostileCases().filter((c) => !ids || ids.includes(c.id));
  const rows = [];
  let env;
  let restarts = 0;
  try {
    env = await bringUp();
    console.log(`inspector targets: ${env.insp.targets.map((t) => `${t.title} (${t.description})`).join(", ")}`);
    for (const c of cases) {
      if (!env) {
        if (restarts >= MAX_RESTARTS) {
          rows.push({ id: c.id, status: "not run", ms: 0, down: true, inspectorLost: `server restarted ${restarts} times already` });
          continue;
        }
        restarts++;
        env = await bringUp();
      }
      let row;
      try {
        row = await measureCase(env, c);
      } catch (e) {
        row = { id: c.id, status: `error: ${e.message}`, ms: 0 };
      }
      if (!(await alive(env))) {
        row.down = true;
        await tearDown(env);
        env = undefined;
      }
      rows.push(row);
      console.log(
        `  ${c.id}: ${row.status}${row.down ? " (server down)" : row.peakUsed === undefined ? "" : `, peak ${fmt(row.peakUsed / MB, 1)} MiB`}`,
      );
    }
    if (!ids || ids.some((id) => id.startsWith("list-"))) {
      env ??= await bringUp();
      for (const row of await measureBigLists(env)) {
        rows.push(row);
        console.log(`  ${row.id}: ${row.status}, ${fmt(row.bytes / MB, 1)} MiB answered, peak ${fmt(row.peakUsed / MB, 1)} MiB`);
      }
    }
    return { rows, budgetMB: HEAP_BUDGET_MB };
  } finally {
    if (rows.length) print(rows);
    await tearDown(env);
  }
}

if (isMain(import.meta.url)) await main({ ids: process.argv[2]?.split(",") });
