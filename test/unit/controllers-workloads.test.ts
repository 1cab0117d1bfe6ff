import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { byPlural } from "../../durable/resources";
import { Client } from "../../durable/controllers/client";
import { EventRecorder } from "../../durable/controllers/events";
import { Clock } from "../../durable/nodes/clock";
import { controllerRef, isPodReady } from "../../durable/controllers/util";
import type { Controller, ControllerContext } from "../../durable/controllers/types";
import type { Obj } from "../../durable/resources/types";
import {
  comparePodsForDeletion,
  podsToDelete,
  REPLICAS_PER_RECONCILE,
  replicaSetController,
  slowStartBatch,
} from "../../durable/controllers/replicaset";
import {
  deploymentController,
  maxSurge,
  maxUnavailable,
  replicaSetName,
  resolveFenceposts,
  scaledValue,
} from "../../durable/controllers/deployment";
import { daemonTolerations, nodeShouldRunDaemonPod, pinToNode, targetNode } from "../../durable/controllers/daemonset";
import { garbageCollector } from "../../durable/controllers/garbagecollector";
import { controllers } from "../../durable/controllers";
import { ControllerRuntime } from "../../durable/controllers/runtime";
import { registerNode } from "../../durable/nodes/lifecycle";

const NOW = Date.parse("2025-01-01T00:10:00Z");
const ts = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function pod(
  name: string,
  o: { node?: string; phase?: string; ready?: number; restarts?: number; created?: number; cost?: string } = {},
): Obj {
  return {
    metadata: {
      name,
      creationTimestamp: ts(o.created ?? NOW - 60_000),
      ...(o.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": o.cost } } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready !== undefined ? [{ type: "Ready", status: "True", lastTransitionTime: ts(o.ready) }] : [],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

describe("pod deletion ranking (ActivePodsWithRanks)", () => {
  const order = (pods: Obj[]) => [...pods].sort((a, b) => comparePodsForDeletion(a, b, 0, 0, NOW)).map((p) => p.metadata.name);

  it("deletes unassigned before assigned, pending before running, not ready before ready", () => {
    expect(order([pod("assigned", { node: "n1" }), pod("unassigned")])).toEqual(["unassigned", "assigned"]);
    expect(
      order([
        pod("running", { node: "n1" }),
        pod("pending", { node: "n1", phase: "Pending" }),
        pod("unknown", { node: "n1", phase: "Unknown" }),
      ]),
    ).toEqual(["pending", "unknown", "running"]);
    expect(order([pod("ready", { node: "n1", ready: NOW - 1000 }), pod("notready", { node: "n1" })])).toEqual(["notready", "ready"]);
  });

  it("then lower deletion cost, ready for less time, more restarts, newer", () => {
    expect(order([pod("cheap", { node: "n", cost: "-5" }), pod("dear", { node: "n", cost: "10" })])).toEqual(["cheap", "dear"]);
    expect(order([pod("old-ready", { node: "n", ready: NOW - 3_600_000 }), pod("new-ready", { node: "n", ready: NOW - 2000 })])).toEqual([
      "new-ready",
      "old-ready",
    ]);
    expect(order([pod("calm", { node: "n" }), pod("crashy", { node: "n", restarts: 7 })])).toEqual(["crashy", "calm"]);
    expect(order([pod("older", { node: "n", created: NOW - 3_600_000 }), pod("newer", { node: "n", created: NOW - 1000 })])).toEqual([
      "newer",
      "older",
    ]);
  });

  it("prefers pods doubled up on a node (getPodsToDelete ranks)", () => {
    const a = pod("alone", { node: "n1", ready: NOW - 5000 });
    const b = pod("crowded-1", { node: "n2", ready: NOW - 5000 });
    const c = pod("crowded-2", { node: "n2", ready: NOW - 5000 });
    expect(podsToDelete([a, b, c], [a, b, c], 1, NOW)[0].metadata.name).toMatch(/^crowded/);
    expect(podsToDelete([a, b], [a, b], 5, NOW)).toHaveLength(2);
  });

  it("creates in slow-start batches and stops after a failing batch", () => {
    let n = 0;
    expect(slowStartBatch(10, 1, () => void n++)).toEqual({ successes: 10 });
    let calls = 0;
    const r = slowStartBatch(10, 1, () => {
      calls++;
      if (calls === 3) throw new Error("quota");
    });
    // batches 1, 2 (one fails): 3 calls, 2 successes, the remaining 7 never tried
    expect(calls).toBe(3);
    expect(r.successes).toBe(2);
  });

  it("reads a pod's readiness and controller as they are, of a pod being changed and of a frozen (stored) one", () => {
    const p: Obj = { metadata: { name: "p" }, status: { conditions: [] } };
    expect(isPodReady(p)).toBe(false);
    expect(controllerRef(p)).toBeUndefined();
    p.status.conditions.push({ type: "Ready", status: "True" });
    p.metadata.ownerReferences = [{ uid: "u1", controller: true }];
    expect(isPodReady(p)).toBe(true);
    expect(controllerRef(p)?.uid).toBe("u1");
    const frozen = Object.freeze({ ...p, status: Object.freeze({ conditions: [] }) });
    expect(isPodReady(frozen)).toBe(false);
    expect(isPodReady(frozen)).toBe(false);
    expect(controllerRef(frozen)?.uid).toBe("u1");
  });

  it("stops a slow start when told to, after at least one success", () => {
    let n = 0;
    expect(
      slowStartBatch(
        10,
        1,
        () => void n++,
        () => n >= 3,
      ),
    ).toEqual({ successes: 3 });
    n = 0;
    expect(
      slowStartBatch(
        10,
        1,
        () => void n++,
        () => true,
      ),
    ).toEqual({ successes: 1 });
  });
});

describe("rolling update arithmetic", () => {
  it("rounds surge up and unavailable down", () => {
    expect(scaledValue("25%", 10, true)).toBe(3);
    expect(scaledValue("25%", 10, false)).toBe(2);
    expect(resolveFenceposts("25%", "25%", 4)).toEqual([1, 1]);
    expect(resolveFenceposts("25%", "25%", 1)).toEqual([1, 0]);
    expect(resolveFenceposts(0, "10%", 3)).toEqual([0, 1]); // both zero: one may be unavailable
    expect(resolveFenceposts(2, 0, 5)).toEqual([2, 0]);
  });

  it("maxSurge / maxUnavailable of a Deployment", () => {
    const d = (strategy: Obj, replicas = 10) => ({ spec: { replicas, strategy } });
    expect(maxSurge(d({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }))).toBe(3);
    expect(maxUnavailable(d({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }))).toBe(2);
    expect(maxUnavailable(d({ type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 20 } }, 3))).toBe(3);
    expect(maxSurge(d({ type: "Recreate" }))).toBe(0);
  });

  it("names ReplicaSets <deployment>-<pod-template-hash>, stable per template, changed by collisionCount", () => {
    const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };
    const a = replicaSetName({ metadata: { name: "web" }, spec: { template } });
    const b = replicaSetName({ metadata: { name: "web" }, spec: { template: structuredClone(template) } });
    const c = replicaSetName({ metadata: { name: "web" }, spec: { template }, status: { collisionCount: 1 } });
    expect(a).toEqual(b);
    expect(a.name).toBe(`web-${a.hash}`);
    expect(a.hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(c.hash).not.toBe(a.hash);
  });
});

describe("DaemonSet placement", () => {
  const node = (name: string, extra: Obj = {}) => ({ metadata: { name, labels: { "kubernetes.io/hostname": name } }, spec: extra });
  const ds = (spec: Obj = {}) => ({ spec: { template: { spec: { containers: [{ name: "c", image: "i" }], ...spec } } } });

  it("adds the default tolerations, network-unavailable only for host network", () => {
    expect(daemonTolerations({}).map((t) => t.key)).toEqual([
      "node.kubernetes.io/not-ready",
      "node.kubernetes.io/unreachable",
      "node.kubernetes.io/disk-pressure",
      "node.kubernetes.io/memory-pressure",
      "node.kubernetes.io/pid-pressure",
      "node.kubernetes.io/unschedulable",
    ]);
    expect(daemonTolerations({ hostNetwork: true }).at(-1)?.key).toBe("node.kubernetes.io/network-unavailable");
  });

  it("skips tainted control planes unless tolerated, honours node selectors, ignores unschedulable", () => {
    const cp = node("cp", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] });
    expect(nodeShouldRunDaemonPod(cp, ds())).toEqual([false, true]);
    expect(
      nodeShouldRunDaemonPod(
        cp,
        ds({ tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }),
      ),
    ).toEqual([true, true]);
    expect(nodeShouldRunDaemonPod(node("w"), ds({ nodeSelector: { disk: "ssd" } }))).toEqual([false, false]);
    expect(
      nodeShouldRunDaemonPod(
        node("w", { unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }),
        ds(),
      ),
    ).toEqual([true, true]);
    expect(nodeShouldRunDaemonPod(node("w", { taints: [{ key: "x", effect: "NoExecute" }] }), ds())).toEqual([false, false]);
  });

  it("pins pods with a metadata.name node affinity", () => {
    const affinity = pinToNode(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["old"] }] }],
          },
        },
      },
      "node01",
    );
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: "metadata.name", operator: "In", values: ["node01"] }] },
    ]);
    expect(targetNode({ spec: { affinity } })).toBe("node01");
    expect(targetNode({ spec: { nodeName: "node02", affinity } })).toBe("node02");
  });
});

// ---- controllers against a real registry in a Durable Object's storage ----------------------------

function withCluster<T>(fn: (c: ControllerContext, run: (controller: Controller, key: string) => void) => T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, (_i, state) => {
    const store = new Store(state.storage.sql);
    let now = NOW;
    const registry = new Registry({ store, now: () => now, maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const client = new Client(registry);
    const c: ControllerContext = {
      now: () => now++,
      client,
      events: new EventRecorder(client, () => now),
      clock: new Clock(() => "instant"),
      enqueue: () => {},
    };
    return fn(c, (controller, key) => void controller.reconcile(key, c));
  });
}

const rsObj = (name: string, replicas: number, labels = { app: "web" }): Obj => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name, namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
  },
});

describe("ReplicaSet controller", () => {
  it("creates pods <rs>-xxxxx with a controller ownerReference, then scales down", () =>
    withCluster((c, run) => {
      const rs = c.client.create("replicasets", rsObj("web", 3));
      run(replicaSetController, "default/web");
      const pods = c.client.list("pods", "default");
      expect(pods).toHaveLength(3);
      for (const p of pods) {
        expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        expect(p.metadata.labels).toEqual({ app: "web" });
        expect(p.metadata.ownerReferences).toEqual([
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
        ]);
      }
      expect(c.client.get("replicasets", "default", "web")!.status).toEqual({
        replicas: 3,
        fullyLabeledReplicas: 3,
        observedGeneration: 1,
      });
      const events = c.client.list("events", "default").map((e) => `${e.reason} ${e.message} ${e.source.component}`);
      expect(events.filter((e) => e.startsWith("SuccessfulCreate Created pod: web-"))).toHaveLength(3);
      expect(events[0]).toMatch(/replicaset-controller$/);
      c.client.patch("replicasets", "default", "web", (o) => void (o.spec.replicas = 1));
      run(replicaSetController, "default/web");
      expect(c.client.list("pods", "default")).toHaveLength(1);
      expect(c.client.list("events", "default").some((e) => e.reason === "SuccessfulDelete" && /^Deleted pod: web-/.test(e.message))).toBe(
        true,
      );
    }));

  it("creates and deletes at most REPLICAS_PER_RECONCILE pods a reconcile and asks to run again at once for the rest", () =>
    withCluster((c) => {
      c.client.create("replicasets", rsObj("web", 40));
      const step = () => replicaSetController.reconcile("default/web", c);
      const counts: [number, number | undefined, number | undefined][] = [];
      const record = (r: ReturnType<typeof step>) =>
        counts.push([
          c.client.list("pods", "default").length,
          c.client.get("replicasets", "default", "web")!.status?.replicas,
          r ? r.requeueAfter : undefined,
        ]);
      for (let i = 0; i < 3; i++) record(step());
      expect(REPLICAS_PER_RECONCILE).toBe(16);
      expect(counts).toEqual([
        [16, 16, 0],
        [32, 32, 0],
        [40, 40, undefined],
      ]);
      c.client.patch("replicasets", "default", "web", (o) => void (o.spec.replicas = 0));
      counts.length = 0;
      for (let i = 0; i < 3; i++) record(step());
      expect(counts).toEqual([
        [24, 24, 0],
        [8, 8, 0],
        [0, 0, undefined],
      ]);
    }));

  it("stops creating when the drain's slice is spent and asks to run again at once", () =>
    withCluster((c) => {
      c.client.create("replicasets", rsObj("web", 40));
      const spentAfterFive = { ...c, sliceSpent: () => c.client.list("pods", "default").length >= 5 };
      expect(replicaSetController.reconcile("default/web", spentAfterFive)).toEqual({ requeueAfter: 0 });
      expect(c.client.list("pods", "default")).toHaveLength(5);
      expect(c.client.get("replicasets", "default", "web")!.status?.replicas).toBe(5);
    }));

  it("adopts matching orphans and releases pods that stop matching", () =>
    withCluster((c, run) => {
      c.client.create("pods", {
        metadata: { name: "orphan", namespace: "default", labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      });
      const rs = c.client.create("replicasets", rsObj("web", 2));
      run(replicaSetController, "default/web");
      const orphan = c.client.get("pods", "default", "orphan")!;
      expect(orphan.metadata.ownerReferences[0].uid).toBe(rs.metadata.uid);
      expect(c.client.list("pods", "default")).toHaveLength(2); // the adopted one counts
      c.client.patch("pods", "default", "orphan", (p) => void (p.metadata.labels = { app: "other" }));
      run(replicaSetController, "default/web");
      expect(c.client.get("pods", "default", "orphan")!.metadata.ownerReferences).toBeUndefined();
      expect(c.client.list("pods", "default", (p) => p.metadata.labels.app === "web")).toHaveLength(2);
    }));

  it("is woken by a pod update that changes what it counts, not by a binding or a container's progress", () => {
    const concerns = replicaSetController.watches.find((w) => w.plural === "pods")!.concerns!;
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "u1", controller: true };
    const pending = {
      metadata: { name: "web-abcde", namespace: "default", labels: { app: "web" }, ownerReferences: [ref] },
      spec: {},
      status: { phase: "Pending" },
    };
    const bound = { ...pending, spec: { nodeName: "node01" } };
    const creating = {
      ...bound,
      status: { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }] },
    };
    const ready = (at: string) => ({
      ...bound,
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: at }] },
    });
    expect(concerns(bound, pending)).toBe(false);
    expect(concerns(creating, bound)).toBe(false);
    expect(concerns(ready("2026-01-01T00:00:00Z"), creating)).toBe(true);
    expect(concerns(ready("2026-01-01T00:00:05Z"), ready("2026-01-01T00:00:00Z"))).toBe(true); // minReadySeconds counts from it
    expect(concerns({ ...bound, metadata: { ...bound.metadata, labels: { app: "other" } } }, bound)).toBe(true);
    expect(concerns({ ...bound, metadata: { ...bound.metadata, ownerReferences: [] } }, bound)).toBe(true);
    expect(concerns({ ...bound, metadata: { ...bound.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } }, bound)).toBe(true);
    expect(concerns({ ...bound, status: { phase: "Failed" } }, bound)).toBe(true);
  });
});

describe("Deployment controller and garbage collector", () => {
  it("creates <deploy>-<hash> with revision 1, pod-template-hash everywhere, and the Progressing condition", () =>
    withCluster((c, run) => {
      c.client.create("deployments", { ...rsObj("web", 3), apiVersion: "apps/v1", kind: "Deployment" });
      run(deploymentController, "default/web");
      const [rs] = c.client.list("replicasets", "default");
      const hash = rs.metadata.labels["pod-template-hash"];
      expect(rs.metadata.name).toBe(`web-${hash}`);
      expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(rs.spec.template.metadata.labels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(rs.spec.replicas).toBe(3);
      expect(rs.metadata.annotations).toEqual({
        "deployment.kubernetes.io/revision": "1",
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
      });
      const d = c.client.get("deployments", "default", "web")!;
      expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
      expect(d.metadata.generation).toBe(1);
      expect(d.status.conditions.map((x: Obj) => `${x.type}/${x.reason}`)).toEqual([
        "Progressing/NewReplicaSetCreated",
        "Available/MinimumReplicasUnavailable",
      ]);
      const ev = c.client.list("events", "default").find((e) => e.reason === "ScalingReplicaSet")!;
      expect(ev.message).toBe(`Scaled up replica set web-${hash} from 0 to 3`);

      // Background deletion: the GC deletes the ReplicaSet once the Deployment is gone.
      run(replicaSetController, `default/${rs.metadata.name}`);
      const uid = d.metadata.uid;
      c.client.delete("deployments", "default", "web");
      run(garbageCollector, `deployments|default/web|${uid}`);
      expect(c.client.list("replicasets", "default")).toHaveLength(0);
      run(garbageCollector, `replicasets|default/${rs.metadata.name}|${rs.metadata.uid}`);
      expect(c.client.list("pods", "default")).toHaveLength(0); // unscheduled pods go at once
    }));

  it("orphan deletion strips ownerReferences, then drops the finalizer", () =>
    withCluster((c, run) => {
      const rs = c.client.create("replicasets", rsObj("web", 2));
      run(replicaSetController, "default/web");
      c.client.delete("replicasets", "default", "web", { propagationPolicy: "Orphan" });
      expect(c.client.get("replicasets", "default", "web")!.metadata.finalizers).toEqual(["orphan"]);
      run(garbageCollector, `replicasets|default/web|${rs.metadata.uid}`);
      expect(c.client.get("replicasets", "default", "web")).toBeUndefined();
      const pods = c.client.list("pods", "default");
      expect(pods).toHaveLength(2);
      for (const p of pods) expect(p.metadata.ownerReferences).toBeUndefined();
    }));
});

// ---- the whole control plane on simulated time ---------------------------------------------------

/** How late after its time an alarm runs (a real Durable Object's alarm is never exactly on time). */
const ALARM_LATENCY_MS = 20;
/** What one read of the clock costs: work takes time on a busy machine, as it does in a real Durable Object. */
const READ_COST_MS = 1;

/** A cluster with every controller, the scheduler and the kubelet on the instant clock, and a clock of its
 *  own that advances as work is done and jumps to the next timer (a little late) when the queue runs dry. */
function withControlPlane<T>(
  fn: (c: ControllerContext, settle: (until: () => boolean, limitMs?: number) => Promise<number>, store: Store) => Promise<T>,
): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, async (_i, state) => {
    const store = new Store(state.storage.sql);
    let now = NOW;
    const registry = new Registry({ store, now: () => now, maxObjects: 100_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const client = new Client(registry);
    const events = new EventRecorder(client, () => now);
    registerNode(client, events, "controlplane", "control-plane", 0, now);
    registerNode(client, events, "node01", "worker", 1, now);
    registerNode(client, events, "node02", "worker", 2, now);
    const c: ControllerContext = {
      now: () => (now += READ_COST_MS),
      client,
      events,
      clock: new Clock(() => "instant"),
      enqueue: (ctl, key) => runtime.enqueue(ctl, key),
    };
    const runtime = new ControllerRuntime(store, state.storage.sql, controllers, c, (f) => store.transaction(state.storage, f));
    /** Runs the cluster until `until` holds (or `limitMs` of cluster time pass); returns the time it took. */
    const settle = async (until: () => boolean, limitMs = 600_000) => {
      const start = now;
      for (;;) {
        await runtime.drain();
        if (until()) return now - start;
        const next = runtime.nextTimer();
        if (next === undefined || next - start > limitMs) return now - start;
        now = Math.max(now, next + ALARM_LATENCY_MS);
      }
    };
    return fn(c, settle, store);
  });
}

describe("Deployment progress deadline on the instant clock", () => {
  const progressing = (c: ControllerContext) =>
    c.client.get("deployments", "default", "web")?.status?.conditions?.find((x: Obj) => x.type === "Progressing");
  const complete = (c: ControllerContext) =>
    progressing(c)?.reason === "NewReplicaSetAvailable" && c.client.get("deployments", "default", "web")!.status.updatedReplicas === 200;
  const setImage = (c: ControllerContext, image: string) =>
    c.client.patch("deployments", "default", "web", (d) => void (d.spec.template.spec.containers[0].image = image));
  /** 200 replicas that fill two workers (110 pods each) with 20 other pods: a new pod fits only once an old one is gone. */
  const fillNodes = (c: ControllerContext) => {
    for (let i = 0; i < 20; i++)
      c.client.create("pods", {
        metadata: { name: `filler-${i}`, namespace: "default" },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      });
    const spec = rsObj("web", 200).spec;
    c.client.create("deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: { ...spec, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "25%" } } },
    });
  };

  it(
    "lets a 200-replica rolling update that waits on terminations complete",
    () =>
      withControlPlane(async (c, settle, store) => {
        fillNodes(c);
        await settle(() => complete(c));
        expect(progressing(c)?.reason).toBe("NewReplicaSetAvailable");
        const reasons = new Set<string>();
        store.subscribe((changes) => {
          for (const ch of changes)
            if (ch.key === "/apps/deployments/default/web")
              reasons.add(ch.value?.status?.conditions?.find((x: Obj) => x.type === "Progressing")?.reason);
        });
        setImage(c, "nginx:1.28");
        await settle(() => complete(c));
        expect(reasons).not.toContain("ProgressDeadlineExceeded");
        expect(progressing(c)).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
      }),
    120_000,
  );

  it(
    "still times out a rollout stuck on a bad image",
    () =>
      withControlPlane(async (c, settle) => {
        fillNodes(c);
        await settle(() => complete(c));
        setImage(c, "nginx:no-such-tag");
        const took = await settle(() => progressing(c)?.reason === "ProgressDeadlineExceeded");
        expect(progressing(c)).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
        expect(took).toBeLessThan(60_000);
      }),
    120_000,
  );
});

describe("garbage collector graph", () => {
  const cm = (name: string, owners: Obj[] = []) => ({
    metadata: {
      name,
      namespace: "default",
      ...(owners.length
        ? { ownerReferences: owners.map((o) => ({ apiVersion: "v1", kind: "ConfigMap", name: o.metadata.name, uid: o.metadata.uid })) }
        : {}),
    },
    data: { a: "b" },
  });
  const exists = (c: ControllerContext, name: string) => c.client.get("configmaps", "default", name) !== undefined;

  it("follows references added, removed and replaced after it was built, and collects by them", () =>
    withControlPlane(async (c, settle) => {
      const first = c.client.create("configmaps", cm("first"));
      c.client.create("configmaps", cm("early", [first]));
      await settle(() => false, 1000); // the collector has looked at everything: its graph exists
      c.client.delete("configmaps", "default", "first");
      await settle(() => !exists(c, "early"));
      expect(exists(c, "early")).toBe(false);

      const owner = c.client.create("configmaps", cm("owner"));
      const other = c.client.create("configmaps", cm("other"));
      c.client.create("configmaps", cm("adopted"));
      c.client.create("configmaps", cm("released", [owner]));
      c.client.create("configmaps", cm("moved", [owner]));
      await settle(() => false, 1000);
      c.client.patch(
        "configmaps",
        "default",
        "adopted",
        (o) => void (o.metadata.ownerReferences = cm("x", [owner]).metadata.ownerReferences),
      );
      c.client.patch("configmaps", "default", "released", (o) => void delete o.metadata.ownerReferences);
      c.client.patch(
        "configmaps",
        "default",
        "moved",
        (o) => void (o.metadata.ownerReferences = cm("x", [other]).metadata.ownerReferences),
      );
      await settle(() => false, 1000);
      c.client.delete("configmaps", "default", "owner");
      await settle(() => !exists(c, "adopted"));
      expect([exists(c, "adopted"), exists(c, "released"), exists(c, "moved")]).toEqual([false, true, true]);
      c.client.delete("configmaps", "default", "other");
      await settle(() => !exists(c, "moved"));
      expect(exists(c, "moved")).toBe(false);
    }));
});
