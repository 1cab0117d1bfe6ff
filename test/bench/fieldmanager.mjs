#!/usr/bin/env node
// Field manager cost per write, in process: the managedFields computation the registry runs on
// every create/update (a controller's Deployment status write, the kubelet's Pod status write, a
// ConfigMap patch) and a server-side apply, against the JSON.stringify comparison every write
// already makes (its no-op check), and as a share of the single-object p99 target. Not a pass/fail test.
//   node test/bench/fieldmanager.mjs [N]
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { fmt, printTable, isMain, stats } from "./lib.mjs";
import { TARGET_P99_MS } from "./api-latency.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function load() {
  const out = join(mkdtempSync(join(tmpdir(), "kp-fm-bench-")), "fm.mjs");
  await build({
    entryPoints: [join(root, "durable/api/managedfields.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: out,
    logLevel: "silent",
  });
  return import(pathToFileURL(out).href);
}

const DEPLOY = { openapi: "io.k8s.api.apps.v1.Deployment", apiVersion: "apps/v1", kind: "Deployment", hasStatus: true };
const POD = { openapi: "io.k8s.api.core.v1.Pod", apiVersion: "v1", kind: "Pod", hasStatus: true };
const CM = { openapi: "io.k8s.api.core.v1.ConfigMap", apiVersion: "v1", kind: "ConfigMap", hasStatus: false };

const deployment = (replicas) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: { app: "web" }, annotations: { "deployment.kubernetes.io/revision": "1" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            resources: {},
            imagePullPolicy: "IfNotPresent",
          },
        ],
        restartPolicy: "Always",
        dnsPolicy: "ClusterFirst",
      },
    },
  },
  status: {
    observedGeneration: 1,
    replicas,
    readyReplicas: replicas,
    conditions: [
      {
        type: "Available",
        status: "True",
        reason: "MinimumReplicasAvailable",
        message: "ok",
        lastUpdateTime: "t",
        lastTransitionTime: "t",
      },
      {
        type: "Progressing",
        status: "True",
        reason: "NewReplicaSetAvailable",
        message: `ok ${replicas}`,
        lastUpdateTime: "t",
        lastTransitionTime: "t",
      },
    ],
  },
});

const pod = (restarts) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default", labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }], nodeName: "node01" },
  status: {
    phase: "Running",
    conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
      type,
      status: "True",
      lastTransitionTime: "t",
    })),
    podIP: "10.244.1.2",
    podIPs: [{ ip: "10.244.1.2" }],
    containerStatuses: [
      { name: "c", ready: true, restartCount: restarts, state: { running: { startedAt: "t" } }, image: "busybox", imageID: "x" },
    ],
  },
});

function time(n, fn) {
  for (let i = 0; i < 200; i++) fn(i); // warm-up: the JIT, the schema caches
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push((performance.now() - t0) * 1000);
  }
  return stats(samples);
}

export async function main({ n = 2000 } = {}) {
  const fm = await load();
  const w = (manager, subresource) => ({
    manager,
    apiVersion: "apps/v1",
    now: "2026-12-05T06:00:00Z",
    ...(subresource ? { subresource } : {}),
  });
  // Live objects that already carry managedFields, as stored ones do.
  const d0 = deployment(1);
  d0.metadata.managedFields = fm.updateManagedFields(DEPLOY, undefined, d0, undefined, w("kubectl-create"));
  const p0 = pod(0);
  p0.metadata.managedFields = fm.updateManagedFields(POD, undefined, p0, undefined, w("kubectl-run"));
  const c0 = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { key: "v" } };
  c0.metadata.managedFields = fm.updateManagedFields(CM, undefined, c0, undefined, w("kubectl-create"));
  const rows = [
    [
      "Deployment status write (controller)",
      time(n, (i) => fm.updateManagedFields(DEPLOY, d0, deployment(2 + (i % 5)), undefined, w("kube-controller-manager", "status"))),
    ],
    ["Pod status write (kubelet)", time(n, (i) => fm.updateManagedFields(POD, p0, pod(1 + (i % 5)), undefined, w("kubelet", "status")))],
    [
      "ConfigMap patch",
      time(n, (i) => fm.updateManagedFields(CM, c0, { ...c0, data: { key: `v${i}`, extra: "x" } }, undefined, w("kubectl-patch"))),
    ],
    [
      "Deployment server-side apply",
      time(n, (i) =>
        fm.applyConfiguration(
          DEPLOY,
          d0,
          { ...deployment(1), status: undefined, spec: { ...deployment(1).spec, replicas: 1 + (i % 4) } },
          w("kubectl"),
          true,
        ),
      ),
    ],
    [
      "ref: JSON.stringify equality of the Deployment (every write's no-op check)",
      time(n, () => JSON.stringify(d0) === JSON.stringify(deployment(2))),
    ],
  ];
  const ref = rows[rows.length - 1][1].p50;
  printTable(
    `Field manager cost per write, in process (N = ${n}), µs; share of the ${TARGET_P99_MS} ms single-object p99 target`,
    ["write", "p50", "p99", "mean", "p50 / no-op check", "p99 / target"],
    rows.map(([op, s]) => [
      op,
      fmt(s.p50, 1),
      fmt(s.p99, 1),
      fmt(s.mean, 1),
      `${(s.p50 / ref).toFixed(1)}×`,
      `${((s.p99 / 1000 / TARGET_P99_MS) * 100).toFixed(2)}%`,
    ]),
  );
  return rows;
}

if (isMain(import.meta.url)) await main({ n: Number(process.argv[2] ?? 2000) });
