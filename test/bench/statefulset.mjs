#!/usr/bin/env node
// StatefulSet scale-up, instant clock: a StatefulSet of 100 replicas with a claim template (each pod
// gets its own local-path claim, bound when the pod is scheduled) from `kubectl apply` until the set
// reports 100 ready replicas. OrderedReady creates one pod per step, waiting for each to be Running
// and Ready; Parallel creates them all at once. Prints the wall time and the time per replica.
// Not a pass/fail test.
//   node test/bench/statefulset.mjs
import { performance } from "node:perf_hooks";
import { Server, fmt, isMain, printTable } from "./lib.mjs";

const REPLICAS = 100;

const manifest = (name, policy) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  replicas: ${REPLICAS}
  podManagementPolicy: ${policy}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
`;

async function timeToReady(s, name, policy) {
  const t0 = performance.now();
  s.k(["apply", "-f", "-"], { input: manifest(name, policy) });
  for (;;) {
    const ready = Number(s.k(["get", "sts", name, "-o", "jsonpath={.status.readyReplicas}"]) || 0);
    if (ready === REPLICAS) break;
    if (performance.now() - t0 > 600_000) throw new Error(`${name}: only ${ready} ready after 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - t0) / 1000;
}

export async function main() {
  const server = await Server.start();
  const rows = [];
  try {
    const nodes = [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }, { role: "worker" }];
    for (const policy of ["OrderedReady", "Parallel"]) {
      const s = await server.createSession({ clock: "instant", nodes });
      const wall = await timeToReady(s, `web-${policy.toLowerCase()}`, policy);
      rows.push([
        `${REPLICAS} replicas, ${policy}, apply → all Ready`,
        `${fmt(wall, 2)} s`,
        `${fmt((wall * 1000) / REPLICAS, 1)} ms/replica`,
      ]);
    }
  } finally {
    await server.stop();
  }
  printTable("StatefulSet scale-up (instant clock)", ["measure", "wall time", "per replica"], rows);
  return { rows };
}

if (isMain(import.meta.url)) await main();
