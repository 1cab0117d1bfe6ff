#!/usr/bin/env node
// The web console's first load and its idle cost, in headless Chromium against `wrangler dev`. Not a
// pass/fail test.
// A. From the start page's "Start a cluster" click to the terminal's `controlplane $` prompt, and to
//    every node Ready on the map, each in a fresh browser context (cold cache): target ≤ 1 s to the prompt.
//    The bytes each page loads (scripts, styles) are counted as the server sent them.
// B. An open session page left idle for 10 s: the main thread's task time per second (CDP
//    Performance.getMetrics TaskDuration), which should be close to nothing.
// C. The map while a Deployment scales 0 → 1,000 pods on 10 workers: frame intervals and long tasks
//    of the page (render updates are batched per frame), and how long until all 1,000 are drawn Ready.
//    Target: the 95th-percentile frame within 50 ms (no frame a user would feel as a stall).
//   node test/bench/console.mjs          BENCH_RUNS (default 5)
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { ensureChromium } from "../../scripts/ensure-chromium.mjs";
import { Server, fmt, isMain, printTable, ratio, stats } from "./lib.mjs";

export const TARGET_PROMPT_MS = 1000;
export const TARGET_FRAME_P95_MS = 50;
const MAP_PODS = 1000;

async function firstLoad(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const bytes = { script: 0, stylesheet: 0, other: 0 };
  page.on("response", async (res) => {
    const type = res.request().resourceType();
    const body = await res.body().catch(() => Buffer.alloc(0));
    bytes[type === "script" || type === "stylesheet" ? type : "other"] += body.length;
  });
  await page.goto(`${origin}/`);
  await page.locator("#go").waitFor();
  const t0 = performance.now();
  await page.locator("#go").click();
  await page.locator(".xterm-rows", { hasText: "controlplane $" }).waitFor({ timeout: 30_000 });
  const prompt = performance.now() - t0;
  await page.locator('[data-node="controlplane"] .nstate', { hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
  const map = performance.now() - t0;
  return { prompt, map, bytes, page, context };
}

async function idleCost(page, seconds = 10) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const task = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
  await page.waitForTimeout(2000); // the first frames settle
  const before = await task();
  await page.waitForTimeout(seconds * 1000);
  return (((await task()) - before) * 1000) / seconds; // ms of task time per second
}

async function mapUnderLoad(browser, server) {
  const s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, ...Array(10).fill({ role: "worker" })] });
  const deployment = (replicas) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "many" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "many" } },
      template: {
        metadata: { labels: { app: "many" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
      },
    },
  });
  const created = await s.api("/apis/apps/v1/namespaces/default/deployments", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(deployment(0)),
  });
  if (created.status !== 201) throw new Error(created.text);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${server.origin}/s/${s.id}#token=${encodeURIComponent(s.token)}&expires=${s.expiresAt}&nodes=11`);
  await page.locator('[data-node="node10"] .nstate', { hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    const w = window;
    w.benchFrames = [];
    w.benchLong = [];
    let last = performance.now();
    const tick = (t) => {
      w.benchFrames.push(t - last);
      last = t;
      if (!w.benchStop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchLong.push(e.duration);
    }).observe({ entryTypes: ["longtask"] });
  });
  const t0 = performance.now();
  const scaled = await s.api("/apis/apps/v1/namespaces/default/deployments/many", {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json" },
    body: JSON.stringify({ spec: { replicas: MAP_PODS } }),
  });
  if (scaled.status !== 200) throw new Error(scaled.text);
  await page.waitForFunction((n) => document.querySelectorAll('[data-pod^="default/many-"].ready').length >= n, MAP_PODS, {
    timeout: 300_000,
    polling: 500,
  });
  const allReady = performance.now() - t0;
  const { frames, long } = await page.evaluate(() => {
    window.benchStop = true;
    return { frames: window.benchFrames, long: window.benchLong };
  });
  await context.close();
  return { allReady, frames: stats(frames), long };
}

export async function main({ runs = Number(process.env.BENCH_RUNS ?? 5) } = {}) {
  const [server, browser] = await Promise.all([
    Server.start({ MAX_NODES: "11" }),
    chromium.launch({ executablePath: ensureChromium(), args: ["--ignore-certificate-errors"] }),
  ]);
  try {
    const prompts = [];
    const maps = [];
    let bytes;
    let idle;
    for (let i = 0; i < runs; i++) {
      const r = await firstLoad(browser, server.origin);
      prompts.push(r.prompt);
      maps.push(r.map);
      bytes = r.bytes;
      if (i === runs - 1) idle = await idleCost(r.page);
      await r.context.close();
    }
    const load = await mapUnderLoad(browser, server);
    const p = stats(prompts);
    const m = stats(maps);
    printTable(
      `Web console, first load (${runs} fresh browser contexts)`,
      ["measure", "p50", "max", "target", "ratio (max)"],
      [
        ["click → controlplane $ prompt, ms", fmt(p.p50, 0), fmt(p.max, 0), `≤ ${TARGET_PROMPT_MS}`, ratio(p.max, TARGET_PROMPT_MS)],
        ["click → every node Ready on the map, ms", fmt(m.p50, 0), fmt(m.max, 0), "—", "—"],
      ],
    );
    printTable(
      "Bytes loaded by the start and session pages (uncompressed)",
      ["kind", "KiB"],
      [
        ["scripts", fmt(bytes.script / 1024, 0)],
        ["stylesheets", fmt(bytes.stylesheet / 1024, 0)],
        ["other (pages, API)", fmt(bytes.other / 1024, 0)],
      ],
    );
    printTable("An idle open session page", ["measure", "value"], [["main-thread task time, ms per second", fmt(idle, 1)]]);
    printTable(
      `The map while a Deployment scales 0 → ${MAP_PODS} pods on 10 workers`,
      ["measure", "value", "target", "ratio"],
      [
        ["frame interval p50, ms", fmt(load.frames.p50, 1), "—", "—"],
        ["frame interval p95, ms", fmt(load.frames.p95, 1), `≤ ${TARGET_FRAME_P95_MS}`, ratio(load.frames.p95, TARGET_FRAME_P95_MS)],
        ["longest frame, ms", fmt(load.frames.max, 0), "—", "—"],
        [
          "long tasks (> 50 ms), count / total ms",
          `${load.long.length} / ${fmt(
            load.long.reduce((a, b) => a + b, 0),
            0,
          )}`,
          "—",
          "—",
        ],
        [`scale → all ${MAP_PODS} drawn Ready, ms`, fmt(load.allReady, 0), "—", "—"],
      ],
    );
    return { prompt: p, map: m, bytes, idle, load };
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main();
