#!/usr/bin/env node
// The web console's first load and its idle cost, in headless Chromium against `wrangler dev`. Not a
// pass/fail test.
// A. From the start page's "Start a cluster" click to the terminal's `controlplane $` prompt, and to
//    every node Ready on the map, each in a fresh browser context (cold cache): target ≤ 1 s to the prompt.
//    The bytes each page loads (scripts, styles) are counted as the server sent them.
// B. An open session page left idle for 10 s: the main thread's task time per second (CDP
//    Performance.getMetrics TaskDuration), which should be close to nothing.
//   node test/bench/console.mjs          BENCH_RUNS (default 5)
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { ensureChromium } from "../../scripts/ensure-chromium.mjs";
import { Server, fmt, isMain, printTable, ratio, stats } from "./lib.mjs";

export const TARGET_PROMPT_MS = 1000;

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

export async function main({ runs = Number(process.env.BENCH_RUNS ?? 5) } = {}) {
  const [server, browser] = await Promise.all([
    Server.start(),
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
    return { prompt: p, map: m, bytes, idle };
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main();
