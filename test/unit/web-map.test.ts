// The web console's cluster map model: watch events in, the picture out (no DOM).
import { describe, expect, it } from "vitest";
import { ClusterModel, podLook } from "../../web/src/map/model";

const NOW = Date.parse("2026-01-01T00:10:00Z");
const node = (name: string, ready: string, controlPlane = false) => ({
  metadata: { name, labels: (controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}) as Record<string, string> },
  status: { conditions: [{ type: "Ready", status: ready }], nodeInfo: { kubeletVersion: "v1.33.1" } },
});
const pod = (name: string, nodeName: string | undefined, status: object, extra: object = {}) => ({
  metadata: {
    name,
    namespace: "default",
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "u1", controller: true }],
    ...extra,
  },
  spec: { nodeName, containers: [{ name: "c" }] },
  status,
});
const running = {
  phase: "Running",
  conditions: [{ type: "Ready", status: "True" }],
  containerStatuses: [{ name: "c", ready: true, restartCount: 0, state: { running: {} } }],
};
const crashing = {
  phase: "Running",
  containerStatuses: [{ name: "c", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }],
};

describe("cluster map model", () => {
  it("colours pods by the STATUS kubectl prints", () => {
    expect(podLook("Running", "1/1")).toBe("ready");
    expect(podLook("Running", "0/1")).toBe("unready");
    expect(podLook("ContainerCreating", "0/1")).toBe("progress");
    expect(podLook("Init:0/2", "0/1")).toBe("progress");
    expect(podLook("CrashLoopBackOff", "0/1")).toBe("failing");
    expect(podLook("ImagePullBackOff", "0/1")).toBe("failing");
    expect(podLook("OOMKilled", "0/1")).toBe("failing");
    expect(podLook("Completed", "0/1")).toBe("done");
    expect(podLook("Terminating", "1/1")).toBe("terminating");
  });

  it("puts each pod on its node with printPod's status, unscheduled ones apart, and follows DELETED", () => {
    const m = new ClusterModel();
    m.apply("nodes", "ADDED", node("node01", "True"));
    m.apply("nodes", "ADDED", node("controlplane", "False", true));
    m.apply("pods", "ADDED", pod("web-1", "node01", running));
    m.apply("pods", "ADDED", pod("web-2", "node01", crashing));
    m.apply("pods", "ADDED", pod("web-3", undefined, { phase: "Pending" }));
    const { nodes, unscheduled } = m.nodes(undefined, NOW);
    expect(nodes.map((n) => [n.name, n.role, n.ready])).toEqual([
      ["controlplane", "control-plane", "False"],
      ["node01", "worker", "True"],
    ]);
    expect(nodes[1].pods.map((p) => [p.name, p.status, p.ready, p.restarts, p.look])).toEqual([
      ["web-1", "Running", "1/1", "0", "ready"],
      ["web-2", "CrashLoopBackOff", "0/1", "3", "failing"],
    ]);
    expect(unscheduled.map((p) => [p.name, p.status])).toEqual([["web-3", "Pending"]]);
    expect(m.apply("pods", "DELETED", pod("web-2", "node01", crashing))).toBe(true);
    expect(m.nodes(undefined, NOW).nodes[1].pods.map((p) => p.name)).toEqual(["web-1"]);
    expect(m.apply("pods", "BOOKMARK", pod("x", undefined, {}))).toBe(false);
  });

  it("filters by namespace", () => {
    const m = new ClusterModel();
    m.apply("pods", "ADDED", pod("a", "node01", running));
    m.apply("pods", "ADDED", { ...pod("b", "node01", running), metadata: { name: "b", namespace: "kube-system" } });
    expect(m.namespaces()).toEqual(["default", "kube-system"]);
    expect(m.pods("kube-system", NOW).map((p) => p.name)).toEqual(["b"]);
  });
});
