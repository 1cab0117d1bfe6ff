#!/usr/bin/env node
// HPA reaction time, instant clock: the docs' php-apache walkthrough (a Deployment with a 200m CPU
// request, `kubectl autoscale --cpu-percent=50 --min=1 --max=10`) and its load generator pod. Times,
// from `kubectl run load-generator` to the HPA's first rescale, and from deleting the generator to
// the Deployment being scaled back to 1 (the downscale stabilisation window, shortened by the instant
// clock). Each figure is also given as a share of the realistic clock's upstream timing: a 15 s sync
// period plus a 15 s scrape to react, and the 300 s window plus a sync to scale down.
// Not a pass/fail test.
//   node test/bench/hpa.mjs
import { performance } from "node:perf_hooks";
import { Server, fmt, isMain, printTable, ratio, stats } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REALISTIC_REACT_S = 30;
const REALISTIC_DOWN_S = 315;

const PHP_APACHE = `apiVersion: apps/v1
kind: Deployment
metadata: {name: php-apache}
spec:
  selector: {matchLabels: {run: php-apache}}
  template:
    metadata: {labels: {run: php-apache}}
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports: [{containerPort: 80}]
        resources: {limits: {cpu: 500m}, requests: {cpu: 200m}}
---
apiVersion: v1
kind: Service
metadata: {name: php-apache, labels: {run: php-apache}}
spec:
  ports: [{port: 80}]
  selector: {run: php-apache}
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(s, what, test, timeoutMs = 120_000) {
  const t0 = performance.now();
  for (;;) {
    const v = s.k(["get", "hpa", "php-apache", "-o", "jsonpath={.status.currentReplicas} {.status.lastScaleTime}"]);
    if (test(v)) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s (${v})`);
    await sleep(20);
  }
}

export async function main() {
  const server = await Server.start();
  const up = [];
  const down = [];
  try {
    const s = await server.createSession({ clock: "instant" });
    s.k(["apply", "-f", "-"], { input: PHP_APACHE });
    s.k("rollout status deployment/php-apache --timeout=60s");
    s.k("autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10");
    await until(s, "first metrics", (v) => v.startsWith("1"));
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      s.k([
        "run",
        "load-generator",
        "--image=busybox:1.28",
        "--restart=Never",
        "--",
        "/bin/sh",
        "-c",
        "while sleep 0.01; do wget -q -O- http://php-apache; done",
      ]);
      await until(s, "scale-up", (v) => Number(v.split(" ")[0]) > 1);
      up.push((performance.now() - t0) / 1000);
      // Let it settle at its size before the load stops.
      await sleep(1000);
      const scaledUp = s.k(["get", "hpa", "php-apache", "-o", "jsonpath={.status.lastScaleTime}"]);
      const t1 = performance.now();
      s.k("delete pod load-generator --wait=false");
      await until(s, "scale-down", (v) => v.split(" ")[0] === "1" && !v.endsWith(scaledUp));
      down.push((performance.now() - t1) / 1000);
      await sleep(500);
    }
  } finally {
    await server.stop();
  }
  const u = stats(up);
  const d = stats(down);
  const rows = [
    ["load starts → first rescale", `${fmt(u.p50, 2)} s`, `${fmt(u.max, 2)} s`, ratio(u.p50, REALISTIC_REACT_S)],
    ["load stops → back to 1 replica", `${fmt(d.p50, 2)} s`, `${fmt(d.max, 2)} s`, ratio(d.p50, REALISTIC_DOWN_S)],
  ];
  printTable(`HPA reaction, php-apache walkthrough (instant clock, ${ROUNDS} rounds)`, ["measure", "median", "max", "of realistic"], rows);
  return { rows, up, down };
}

if (isMain(import.meta.url)) await main();
