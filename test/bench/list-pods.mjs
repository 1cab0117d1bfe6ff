#!/usr/bin/env node
// Listing many pods: create 1,000 then 10,000 bare Pods in one session (bounded concurrency), then time
// the list as kubectl asks for it (Table), as a plain JSON list, paged with ?limit=500 (following
// `continue`, as kubectl does) and the real `kubectl get pods` end to end. Memory: the JS heap of the
// isolate running the Cluster Durable Object, read over the V8 inspector of `wrangler dev`, before,
// during and after the 10,000-pod list, against the 128 MB Durable Object limit. Also a CPU profile of
// the 1,000-pod Table list to show where the time goes. Not a pass/fail test.
//   node test/bench/list-pods.mjs [sizes, default 1000,10000]
import { performance } from "node:perf_hooks";
import { startServer, freePort, pool, stats, timed, fmt, ratio, printTable, isMain } from "./lib.mjs";
import { Inspector, selfTimes, inclusiveTimes } from "./cdp.mjs";

export const TARGET_TABLE_1000_MS = 150;
export const DO_HEAP_LIMIT_MB = 128;
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const PODS = "/api/v1/namespaces/default/pods";
const MB = 1024 * 1024;
const PROFILED = 20;
// Functions of the Durable Object code (names as bundled) whose inclusive time is reported.
const CREATE_STAGES = ["authorize", "create", "count", "get", "validate", "commit", "stringify", "parse"];
const LIST_STAGES = ["authorize", "list", "toTable", "row", "json", "stringify", "parse"];

/** Run `fn` under the CPU profiler of the isolate (sampling every `intervalUs`); returns the profile. */
async function profiled(insp, intervalUs, fn) {
  await insp.send("Profiler.enable");
  await insp.send("Profiler.setSamplingInterval", { interval: intervalUs });
  await insp.send("Profiler.start");
  await fn();
  const { profile } = await insp.send("Profiler.stop");
  await insp.send("Profiler.disable");
  return profile;
}

const pod = (i) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `p-${String(i).padStart(5, "0")}`, labels: { app: "bench" } },
  spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
});

/** GET that must answer 200; returns the response. */
async function get(s, path, accept) {
  const res = await s.api(path, { headers: accept ? { accept } : {} });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res;
}

/** The whole list through ?limit=500 pages, as kubectl does; returns the item count and page count. */
async function pagedList(s) {
  let cont = "";
  let rows = 0;
  let pages = 0;
  do {
    const res = await get(s, `${PODS}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, TABLE_ACCEPT);
    rows += res.json.rows.length;
    pages++;
    cont = res.json.metadata?.continue ?? "";
  } while (cont);
  return { rows, pages };
}

/** Repeat an async call, returning timing stats and the last result. */
async function repeat(reps, fn) {
  const ms = [];
  let last;
  for (let i = 0; i < reps; i++) {
    const t = await timed(fn);
    ms.push(t.ms);
    last = t.result;
  }
  return { ...stats(ms), last };
}

/** Sample the heap as fast as the inspector answers until `stop()`; returns the samples. */
function sampler(insp) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      samples.push({ t, ...(await insp.heap()) });
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return samples;
    },
  };
}

/** Fills `out` as it goes, so a failure part way still leaves the figures measured so far. */
export async function measure(server, insp, { sizes = [1000, 10000], concurrency = 16, out = {} } = {}) {
  const s = await server.createSession({ clock: "instant" });
  Object.assign(out, { creates: [], lists: [], memory: [], profile: undefined, sizes });
  await insp.gc();
  const baseline = await insp.heap();
  out.memory.push({ stage: "empty session (after GC)", used: baseline.usedSize, total: baseline.totalSize });

  let created = 0;
  for (const size of sizes) {
    // Create up to `size` pods.
    // The last PROFILED pods are created one at a time under the CPU profiler (where a create's time goes).
    const from = created;
    const latencies = [];
    const create = async (i) => {
      const post = () => s.api(PODS, { method: "POST", headers: { "content-type": "application/json" }, body: pod(i) });
      const t = await timed(post);
      // wrangler dev reloads the Worker when sources change under it (answering 503); retry once.
      if (t.result.status === 503) {
        const again = await post();
        if (again.status === 201 || again.status === 409) return t.ms;
        t.result = again;
      }
      if (t.result.status !== 201) throw new Error(`create pod: ${t.result.status} ${t.result.text.slice(0, 300)}`);
      return t.ms;
    };
    const bulk = size - from - PROFILED;
    const t0 = performance.now();
    await pool(bulk, concurrency, async (k) => {
      latencies.push(await create(from + k + 1));
      if (latencies.length % 1000 === 0)
        console.log(`  … ${from + latencies.length} pods created (${fmt((performance.now() - t0) / 1000, 0)} s)`);
    });
    const secs = (performance.now() - t0) / 1000;
    const sequential = [];
    const profile = await profiled(insp, 200, async () => {
      for (let i = size - PROFILED + 1; i <= size; i++) sequential.push(await create(i));
    });
    created = size;
    const stages = inclusiveTimes(profile, CREATE_STAGES);
    out.creates.push({
      range: `${from + 1}…${size - PROFILED}`,
      count: bulk,
      secs,
      perSec: bulk / secs,
      latency: stats(latencies),
      sequential: { at: size, ...stats(sequential), stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v / PROFILED])) },
    });
    await insp.gc();
    const stored = await insp.heap();
    out.memory.push({ stage: `${size} pods stored (after GC)`, used: stored.usedSize, total: stored.totalSize });

    // Time the lists.
    const reps = size <= 1000 ? 20 : 5;
    await get(s, PODS, TABLE_ACCEPT); // warm-up
    const table = await repeat(reps, () => get(s, PODS, TABLE_ACCEPT));
    if (table.last.json.rows.length !== size) throw new Error(`Table list: ${table.last.json.rows.length} rows, want ${size}`);
    const plain = await repeat(reps, () => get(s, PODS));
    if (plain.last.json.items.length !== size) throw new Error(`plain list: ${plain.last.json.items.length} items, want ${size}`);
    const paged = await repeat(Math.max(3, reps / 2), () => pagedList(s));
    const kubectl = await repeat(3, async () => {
      const r = s.kubectl(["get", "pods"]);
      if (r.code !== 0) throw new Error(`kubectl get pods: ${r.out}`);
      return r.stdout.trimEnd().split("\n").length - 1;
    });
    if (kubectl.last !== size) throw new Error(`kubectl get pods printed ${kubectl.last} pods, want ${size}`);
    const bytes = (r) => Buffer.byteLength(r.text);
    out.lists.push(
      {
        size,
        what: "Table (kubectl Accept), one request",
        ...table,
        bytes: bytes(table.last),
        target: size === 1000 ? TARGET_TABLE_1000_MS : undefined,
      },
      { size, what: "plain JSON PodList, one request", ...plain, bytes: bytes(plain.last) },
      { size, what: `Table, ?limit=500 pages (${paged.last.pages} requests)`, ...paged },
      { size, what: "kubectl get pods (process end to end)", ...kubectl },
    );

    // Where the time goes: a CPU profile of the Table list at 1,000 pods.
    if (size === 1000) {
      const profile = await profiled(insp, 100, async () => {
        for (let i = 0; i < 10; i++) await get(s, PODS, TABLE_ACCEPT);
      });
      out.profile = { lists: 10, ...selfTimes(profile), stages: inclusiveTimes(profile, LIST_STAGES) };
    }

    // Memory while the biggest list is served: sample during a Table list and a plain list.
    if (size === Math.max(...sizes)) {
      await insp.gc();
      const before = await insp.heap();
      const smp = sampler(insp);
      await get(s, PODS, TABLE_ACCEPT);
      await get(s, PODS);
      await pagedList(s);
      const samples = await smp.stop();
      const after = await insp.heap();
      await insp.gc();
      const afterGc = await insp.heap();
      const peak = samples.reduce((m, x) => (x.usedSize > m.usedSize ? x : m), samples[0] ?? after);
      const peakTotal = Math.max(...samples.map((x) => x.totalSize), after.totalSize);
      out.memory.push(
        { stage: `before the ${size}-pod lists (after GC)`, used: before.usedSize, total: before.totalSize },
        { stage: `during the lists: peak of ${samples.length} samples`, used: peak.usedSize, total: peakTotal, peak: true },
        { stage: "right after the lists (no GC)", used: after.usedSize, total: after.totalSize },
        { stage: "after the lists (after GC)", used: afterGc.usedSize, total: afterGc.totalSize },
      );
    }
  }
  return out;
}

export function print(out) {
  printTable(
    "Pod creation (POST, bounded concurrency 16)",
    ["pods", "count", "seconds", "pods/s", "p50 ms", "p99 ms"],
    out.creates.map((c) => [c.range, c.count, fmt(c.secs, 1), fmt(c.perSec, 0), fmt(c.latency.p50, 1), fmt(c.latency.p99, 1)]),
  );
  printTable(
    `Where a create's time goes: ${PROFILED} sequential creates at the end of each phase, CPU profile, inclusive ms per create`,
    ["pods stored", "latency p50", ...CREATE_STAGES],
    out.creates.map((c) => [c.sequential.at, fmt(c.sequential.p50, 1), ...CREATE_STAGES.map((k) => fmt(c.sequential.stages[k], 2))]),
  );
  printTable(
    `List pods in default, ms (target: Table list of 1,000 pods ≤ ${TARGET_TABLE_1000_MS} ms)`,
    ["pods", "list", "n", "p50", "p90", "mean", "max", "KiB", "p50/target"],
    out.lists.map((l) => [
      l.size,
      l.what,
      l.n,
      fmt(l.p50, 1),
      fmt(l.p90, 1),
      fmt(l.mean, 1),
      fmt(l.max, 1),
      l.bytes ? fmt(l.bytes / 1024, 0) : "",
      l.target ? ratio(l.p50, l.target) : "—",
    ]),
  );
  printTable(
    `JS heap of the worker isolate (Worker + Cluster DO), MiB (limit ${DO_HEAP_LIMIT_MB} MB)`,
    ["stage", "used", "committed", "used/limit"],
    out.memory.map((m) => [m.stage, fmt(m.used / MB, 1), fmt(m.total / MB, 1), ratio(m.used / MB, DO_HEAP_LIMIT_MB)]),
  );
  if (out.profile) {
    printTable(
      `Where the time goes: CPU profile of ${out.profile.lists} Table lists of 1,000 pods (${fmt(out.profile.totalMs, 0)} ms sampled, self time)`,
      ["function", "ms", "share"],
      out.profile.rows.slice(0, 12).map((r) => [r.fn, fmt(r.ms, 1), `${fmt(r.share * 100, 1)}%`]),
    );
    printTable("… and inclusive time of the stages, ms per list", LIST_STAGES, [
      LIST_STAGES.map((k) => fmt(out.profile.stages[k] / out.profile.lists, 2)),
    ]);
  }
}

export async function main({ sizes = [1000, 10000] } = {}) {
  const inspectorPort = await freePort();
  // Each pod brings Events along (Scheduled, Pulled, …), so 10,000 pods need more than the default 20,000 objects.
  const server = await startServer(["--inspector-port", String(inspectorPort)], { MAX_OBJECTS_PER_CLUSTER: "100000" });
  let insp;
  const out = {};
  try {
    insp = await Inspector.connect(inspectorPort);
    // wrangler's inspector proxy lists one target: the isolate of the user worker, which runs the
    // Worker and, in local dev, the Cluster Durable Object class of the same script.
    console.log(`inspector targets: ${insp.targets.map((t) => `${t.title} (${t.description})`).join(", ")}`);
    await measure(server, insp, { sizes, out });
    return out;
  } finally {
    if (out.creates) print(out);
    insp?.close();
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main({ sizes: process.argv[2] ? process.argv[2].split(",").map(Number) : undefined });
