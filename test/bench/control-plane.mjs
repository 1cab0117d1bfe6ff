#!/usr/bin/env node
// Control-plane benchmarks (issue 3), instant clock, against `wrangler dev`:
// - session creation until every node and kube-system pod is Ready (target ≤ 300 ms);
// - `kubectl scale` of a Deployment to 100 and to 1,000 replicas until all pods are Ready
//   (targets ≤ 1 s and ≤ 10 s);
// - a rolling update of 100 replicas until the rollout is complete;
// - a scale from 1,000 to 1 and straight back, until the 1,000 are Ready and the old pods gone;
// - writes per minute of an idle cluster (target 0), from the list resourceVersion.
// Not a pass/fail test. BENCH_IDLE_SECONDS shortens the idle window (default 60).
import { performance } from "node:perf_hooks";
import { Server, fmt, isMain, printTable, ratio } from "./lib.mjs";

const READY_JSON = { accept: "application/json" };

async function getJson(s, path) {
  const r = await s.api(path, { headers: READY_JSON });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r.json;
}

/** Poll until fn() is true; returns elapsed ms. */
async function until(fn, timeoutMs = 120_000) {
  const t0 = performance.now();
  for (;;) {
    if (await fn()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ready = (pod) => (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

async function deploymentDone(s, name, replicas) {
  const d = await getJson(s, `/apis/apps/v1/namespaces/default/deployments/${name}`);
  const st = d.status ?? {};
  return (
    st.observedGeneration >= d.metadata.generation &&
    st.updatedReplicas === replicas &&
    st.readyReplicas === replicas &&
    st.replicas === replicas
  );
}

async function patchDeployment(s, name, body) {
  const r = await s.api(`/apis/apps/v1/namespaces/default/deployments/${name}`, {
    method: "PATCH",
    headers: { "content-type": "application/strategic-merge-patch+json" },
    body: JSON.stringify(body),
  });
  if (r.status !== 200) throw new Error(`PATCH: ${r.status} ${r.text}`);
}

export async function main({ idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60) } = {}) {
  // 1,000 pods need ten workers at the kubelet default of 110 pods per node.
  const server = await Server.start({ MAX_NODES: "11" });
  const rows = [];
  try {
    // 1. Session creation to everything Ready (the API answers once kube-system is up).
    const creations = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const s = await server.createSession({ clock: "instant" });
      await until(async () => {
        const pods = (await getJson(s, "/api/v1/namespaces/kube-system/pods")).items;
        const nodes = (await getJson(s, "/api/v1/nodes")).items;
        return (
          pods.length >= 9 &&
          pods.every(ready) &&
          nodes.every((n) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"))
        );
      });
      creations.push(performance.now() - t0);
    }
    creations.sort((a, b) => a - b);
    rows.push([
      "session created → nodes + kube-system Ready (median of 5)",
      `${fmt(creations[2], 0)} ms`,
      "≤ 300 ms",
      ratio(creations[2], 300),
    ]);

    // 2. Scale to 100 and 1,000, on 1 control-plane + 10 workers.
    const s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, ...Array(10).fill({ role: "worker" })] });
    const create = await s.api("/apis/apps/v1/namespaces/default/deployments", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
          },
        },
      }),
    });
    if (create.status !== 201) throw new Error(create.text);
    await until(() => deploymentDone(s, "web", 1));
    let from = 1;
    for (const [replicas, target] of [
      [100, 1000],
      [1000, 10000],
    ]) {
      const t0 = performance.now();
      await patchDeployment(s, "web", { spec: { replicas } });
      await until(() => deploymentDone(s, "web", replicas), 300_000);
      const ms = performance.now() - t0;
      rows.push([`scale deployment ${from}→${replicas} until all Ready`, `${fmt(ms, 0)} ms`, `≤ ${target} ms`, ratio(ms, target)]);
      from = replicas;
      if (replicas === 100) {
        // 3. A rolling update of 100 replicas.
        const t1 = performance.now();
        await patchDeployment(s, "web", { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.28" }] } } } });
        await until(() => deploymentDone(s, "web", 100), 300_000);
        rows.push(["rolling update of 100 replicas until complete", `${fmt(performance.now() - t1, 0)} ms`, "—", "—"]);
      }
    }
    // 4. Down to one and straight back, while the old pods still terminate on full nodes.
    const t2 = performance.now();
    await patchDeployment(s, "web", { spec: { replicas: 1 } });
    const live = async () => (await getJson(s, "/api/v1/namespaces/default/pods")).items.filter((p) => !p.metadata.deletionTimestamp);
    await until(async () => (await live()).length === 1);
    await patchDeployment(s, "web", { spec: { replicas: 1000 } });
    await until(async () => {
      const pods = (await getJson(s, "/api/v1/namespaces/default/pods")).items;
      return pods.length === 1000 && pods.every((p) => ready(p) && !p.metadata.deletionTimestamp);
    }, 300_000);
    rows.push(["scale 1000→1→1000 at once until all Ready", `${fmt(performance.now() - t2, 0)} ms`, "—", "—"]);

    await patchDeployment(s, "web", { spec: { replicas: 2 } });
    await until(() => deploymentDone(s, "web", 2), 300_000);
    const settle = await until(async () => (await getJson(s, "/api/v1/namespaces/default/pods")).items.length === 2, 300_000);
    rows.push(["scale 1000→2 until old pods are gone", `${fmt(settle, 0)} ms`, "—", "—"]);

    // 5. Idle writes: resourceVersion of a list is the store's newest revision.
    await new Promise((r) => setTimeout(r, 3000));
    const rv0 = Number((await getJson(s, "/api/v1/namespaces")).metadata.resourceVersion);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const rv1 = Number((await getJson(s, "/api/v1/namespaces")).metadata.resourceVersion);
    const perMinute = ((rv1 - rv0) * 60) / idleSeconds;
    rows.push([`writes per minute of an idle cluster (${idleSeconds} s window)`, fmt(perMinute, 1), "0", perMinute === 0 ? "0×" : "—"]);
  } finally {
    await server.stop();
  }
  printTable("Control plane (instant clock, wrangler dev)", ["measure", "figure", "target", "figure/target"], rows);
  return { rows };
}

if (isMain(import.meta.url)) await main();
