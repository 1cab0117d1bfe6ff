import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { byPlural } from "../../durable/resources";
import { Client } from "../../durable/controllers/client";
import { EventRecorder } from "../../durable/controllers/events";
import { Clock } from "../../durable/nodes/clock";
import type { ControllerContext } from "../../durable/controllers/types";
import { registerNode } from "../../durable/nodes/lifecycle";
import { podCache } from "../../durable/scheduler/cache";
import { addPod, emptyNodeInfo, filter, fitErrorMessage, podRequests, selectHost, type NodeInfo } from "../../durable/scheduler/framework";
import { schedule, scheduler } from "../../durable/scheduler";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import type { Obj } from "../../durable/resources/types";

const node = (name: string, role: "control-plane" | "worker", i: number): Obj => ({
  ...nodeObject(name, role, i),
  status: nodeStatus(name, i, "2025-01-01T00:00:00Z"),
});
const cluster = (): NodeInfo[] =>
  [node("controlplane", "control-plane", 0), node("node01", "worker", 1), node("node02", "worker", 2)].map(emptyNodeInfo);
const pod = (spec: Obj = {}, meta: Obj = {}): Obj => ({
  metadata: { name: "myapp", namespace: "default", uid: "u1", ...meta },
  spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }], tolerations: [], ...spec },
});

describe("scheduler filters", () => {
  it("keeps pods off the tainted control plane and on the workers", () => {
    const infos = cluster();
    expect(filter(pod(), infos[0])?.reasons).toEqual(["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]);
    expect(filter(pod(), infos[1])).toBeUndefined();
    const tolerant = pod({ tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] });
    expect(filter(tolerant, infos[0])).toBeUndefined();
  });

  it("honours nodeSelector, node affinity, nodeName and cordon", () => {
    const [, n1, n2] = cluster();
    n2.node.metadata.labels.disk = "ssd";
    expect(filter(pod({ nodeSelector: { disk: "ssd" } }), n1)?.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    expect(filter(pod({ nodeSelector: { disk: "ssd" } }), n2)).toBeUndefined();
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }],
        },
      },
    };
    expect(filter(pod({ affinity }), n1)?.code).toBe("UnschedulableAndUnresolvable");
    expect(filter(pod({ affinity }), n2)).toBeUndefined();
    n1.node.spec.unschedulable = true;
    expect(filter(pod(), n1)?.reasons).toEqual(["node(s) were unschedulable"]);
  });

  it("counts requests of bound pods against allocatable, and host ports", () => {
    const [, n1] = cluster();
    const cpu = (q: string, extra: Obj = {}) =>
      pod({ containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: q } }, ...extra }] });
    expect(podRequests(cpu("1500m")).cpu).toBe(1500);
    addPod(n1, cpu("1500m"));
    expect(filter(cpu("600m"), n1)?.reasons).toEqual(["Insufficient cpu"]);
    expect(filter(cpu("500m"), n1)).toBeUndefined();
    const hp = (p: number) =>
      pod({ containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80, hostPort: p, protocol: "TCP" }] }] });
    addPod(n1, hp(8080));
    expect(filter(hp(8080), n1)?.reasons).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    expect(filter(hp(8081), n1)).toBeUndefined();
  });
});

describe("scheduler scoring", () => {
  it("spreads replicas of one ReplicaSet across nodes", () => {
    const infos = cluster().slice(1);
    const owner = { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs1", controller: true }] };
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = pod({}, { name: `web-${i}`, uid: `p${i}`, ...owner });
      const host = selectHost(p, infos)!;
      placed.push(host.node.metadata.name);
      addPod(host, p);
    }
    expect(placed.filter((n) => n === "node01").length).toBe(2);
    expect(placed.filter((n) => n === "node02").length).toBe(2);
  });
});

describe("FailedScheduling message", () => {
  it("is the real FitError text with the preemption part", () => {
    const big = pod({ containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "3" } } }] });
    expect(schedule(big, cluster())).toEqual({
      message:
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..",
    });
    expect(schedule(pod({ nodeSelector: { disk: "ssd" } }), cluster())).toEqual({
      message:
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
    expect(fitErrorMessage(pod(), [])).toBe("no nodes available to schedule pods");
  });
});

describe("scheduler cache and transactions", () => {
  const withCluster = <T>(fn: (c: ControllerContext, store: Store, tx: <R>(f: () => R) => R) => T | Promise<T>) => {
    const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
    return runInDurableObject(ns.get(ns.newUniqueId()), (_i, state) => {
      const store = new Store(state.storage.sql);
      const registry = new Registry({ store, now: () => Date.now(), maxObjects: 10_000 });
      registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
      const client = new Client(registry);
      const events = new EventRecorder(client, () => Date.now());
      const c: ControllerContext = { now: () => Date.now(), client, events, clock: new Clock(() => "instant"), enqueue: () => {} };
      registerNode(client, events, "node01", "worker", 1, Date.now());
      // Deliver committed changes to the scheduler's watches, as the controller runtime does.
      store.subscribe((changes) => {
        for (const ch of changes) for (const w of scheduler.watches) if (ch.key.includes(`/${w.plural}/`)) w.map!(ch.value, ch.prev, c);
      });
      return fn(c, store, (f) => store.transaction(state.storage, f));
    });
  };
  const cpuPod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "big", namespace: "default" },
    spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "1" } } }] },
  };

  it("leaves the cache as the store is when the binding's transaction rolls back", () =>
    withCluster((c, _store, tx) => {
      tx(() => c.client.create("pods", structuredClone(cpuPod)));
      const cache = podCache(c);
      expect(cache.pending.has("default/big")).toBe(true);
      const failing = {
        ...c,
        events: {
          record: () => {
            throw new Error("event write failed");
          },
        },
      } as unknown as ControllerContext;
      expect(() => tx(() => scheduler.reconcile("default/big", failing))).toThrow("event write failed");
      expect(c.client.get("pods", "default", "big")!.spec.nodeName).toBeUndefined();
      expect(cache.pending.has("default/big")).toBe(true);
      const node = c.client.get("nodes", undefined, "node01")!;
      expect(cache.nodeInfo(node).requested.cpu ?? 0).toBe(0);
      // A cycle that commits is seen by the cache through the watch.
      tx(() => scheduler.reconcile("default/big", c));
      expect(c.client.get("pods", "default", "big")!.spec.nodeName).toBe("node01");
      expect(cache.pending.has("default/big")).toBe(false);
      expect(cache.nodeInfo(node).requested.cpu).toBe(1000);
    }));

  it("knows the pods bound to each node as they are bound, updated and removed", () =>
    withCluster((c, _store, tx) => {
      registerNode(c.client, c.events, "node02", "worker", 2, Date.now());
      const bound = (name: string, node: string) => ({
        ...structuredClone(cpuPod),
        metadata: { name, namespace: "default" },
        spec: { ...cpuPod.spec, nodeName: node },
      });
      tx(() => c.client.create("pods", bound("a", "node01")));
      const cache = podCache(c);
      tx(() => c.client.create("pods", bound("b", "node02")));
      tx(() => c.client.create("pods", bound("c", "node01")));
      tx(() => c.client.patch("pods", "default", "a", (p) => void (p.metadata.labels = { x: "y" })));
      expect([cache.podsOn("node01"), cache.podsOn("node02")]).toEqual([["default/a", "default/c"], ["default/b"]]);
      tx(() => c.client.delete("pods", "default", "a", { gracePeriodSeconds: 0 }));
      tx(() => c.client.create("pods", bound("d", "node01")));
      expect(cache.podsOn("node01")).toEqual(["default/c", "default/d"]);
    }));

  it("retries the pending pods when a bound pod is removed or finishes, not on every write to a terminating one", () =>
    withCluster((c, _store, tx) => {
      const podsWatch = scheduler.watches.find((w) => w.plural === "pods")!;
      tx(() =>
        c.client.create("pods", {
          ...structuredClone(cpuPod),
          metadata: { name: "bound", namespace: "default" },
          spec: { ...cpuPod.spec, nodeName: "node01" },
        }),
      );
      tx(() =>
        c.client.create("pods", {
          ...structuredClone(cpuPod),
          metadata: { name: "done", namespace: "default" },
          spec: { ...cpuPod.spec, nodeName: "node01" },
        }),
      );
      tx(() => c.client.create("pods", structuredClone(cpuPod)));
      expect([...podCache(c).pending]).toEqual(["default/big"]);
      const retriedBy = (name: string, write: () => void) => {
        const prev = c.client.get("pods", "default", name)!;
        tx(write);
        return podsWatch.map!(c.client.get("pods", "default", name) ?? prev, prev, c);
      };
      const setPhase = (name: string, phase: string) => () =>
        void c.client.patch("pods", "default", name, (p) => void (p.status = { ...p.status, phase }), { status: true });
      // A terminating pod holds its room on the node until it is gone, as in kube-scheduler's cache.
      expect(retriedBy("bound", () => void c.client.delete("pods", "default", "bound"))).toEqual([]);
      expect(c.client.get("pods", "default", "bound")!.metadata.deletionTimestamp).toBeDefined();
      expect(retriedBy("bound", setPhase("bound", "Running"))).toEqual([]);
      expect(retriedBy("bound", () => void c.client.delete("pods", "default", "bound", { gracePeriodSeconds: 0 }))).toEqual([
        "default/big",
      ]);
      expect(retriedBy("done", setPhase("done", "Succeeded"))).toEqual(["default/big"]);
      expect(retriedBy("done", () => void c.client.patch("pods", "default", "done", (p) => void (p.metadata.labels = { a: "b" })))).toEqual(
        [],
      );
    }));
});
