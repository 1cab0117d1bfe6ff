#!/usr/bin/env node
// Session start-up cost, instant clock, against `wrangler dev`: how long POST /api/sessions takes
// and how long until every pod of the fresh cluster (kube-system, local-path-storage, ingress-nginx)
// is Ready, median of 7. Compare a run on the branch with one on its parent to see what an add-on
// costs. Not a pass/fail test.
import { performance } from "node:perf_hooks";
import { Server, fmt, isMain, printTable, ratio } from "./lib.mjs";

const ready = (pod) => (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export async function main({ n = 7 } = {}) {
  const server = await Server.start();
  const created = [];
  const settled = [];
  let pods = 0;
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const s = await server.createSession({ clock: "instant" });
      created.push(performance.now() - t0);
      for (;;) {
        const r = await s.api("/api/v1/pods", { headers: { accept: "application/json" } });
        const items = r.json?.items ?? [];
        if (items.length && items.every((p) => ready(p) || p.status?.phase === "Succeeded")) {
          pods = items.length;
          break;
        }
        if (performance.now() - t0 > 60_000) throw new Error("pods not Ready after 60 s");
        await new Promise((res) => setTimeout(res, 10));
      }
      settled.push(performance.now() - t0);
    }
  } finally {
    await server.stop();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [
    [`POST /api/sessions (median of ${n})`, `${fmt(median(created), 0)} ms`, "≤ 300 ms", ratio(median(created), 300)],
    [`session created → all ${pods} pods Ready (median of ${n})`, `${fmt(median(settled), 0)} ms`, "≤ 300 ms", ratio(median(settled), 300)],
  ];
  printTable("Session creation", ["what", "figure", "target", "ratio"], rows);
  return { rows };
}

if (isMain(import.meta.url)) await main();
