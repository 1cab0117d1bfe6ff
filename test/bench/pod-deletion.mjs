#!/usr/bin/env node
// Pod deletion in real time: the wall time of `kubectl delete` of 10 nginx pods (realistic clock;
// kubectl waits until they are gone) against their grace period (30 s). nginx stops on SIGTERM in
// well under a second, so the figure is a small fraction of the grace period; a `sleep infinity`
// pod, which ignores SIGTERM, is timed beside it with a short grace period for contrast.
// Not a pass/fail test.
//   node test/bench/pod-deletion.mjs
import { performance } from "node:perf_hooks";
import { Server, fmt, isMain, printTable } from "./lib.mjs";

const PODS = 10;
const GRACE_S = 30;
const SLEEP_GRACE_S = 5;

/** Wall seconds of one kubectl call that must succeed. */
function timedKubectl(s, args) {
  const t0 = performance.now();
  s.k(args);
  return (performance.now() - t0) / 1000;
}

export async function main() {
  const server = await Server.start();
  const rows = [];
  try {
    const s = await server.createSession({}); // realistic clock: stopping takes its real time
    const names = Array.from({ length: PODS }, (_, i) => `web-${i}`);
    for (const name of names) s.k(["run", name, "--image=nginx:1.27", "--labels=bench=deletion"]);
    s.k(["wait", "--for=condition=Ready", "pod", "-l", "bench=deletion", "--timeout=120s"]);
    const nginx = timedKubectl(s, ["delete", "pod", ...names]);

    s.k([
      "run",
      "sleeper",
      "--image=busybox",
      `--overrides={"spec":{"terminationGracePeriodSeconds":${SLEEP_GRACE_S}}}`,
      "--",
      "sleep",
      "infinity",
    ]);
    s.k(["wait", "--for=condition=Ready", "pod/sleeper", "--timeout=60s"]);
    const sleeper = timedKubectl(s, ["delete", "pod", "sleeper"]);

    rows.push([
      `kubectl delete of ${PODS} nginx pods (grace ${GRACE_S} s), wall time`,
      `${fmt(nginx, 2)} s`,
      `≤ ${GRACE_S} s`,
      `${fmt(nginx / GRACE_S, 3)}×`,
    ]);
    rows.push([
      `kubectl delete of a sleep infinity pod (grace ${SLEEP_GRACE_S} s), wall time`,
      `${fmt(sleeper, 2)} s`,
      `≥ ${SLEEP_GRACE_S} s`,
      `${fmt(sleeper / SLEEP_GRACE_S, 3)}×`,
    ]);
  } finally {
    await server.stop();
  }
  printTable("Pod deletion (realistic clock)", ["measure", "figure", "target", "figure/target"], rows);
  return { rows };
}

if (isMain(import.meta.url)) await main();
