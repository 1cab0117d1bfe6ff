// DefaultPreemption: eligibility, the victims chosen on a node (the fewest lower-priority pods, those
// a PodDisruptionBudget protects reprieved first) and the node picked among candidates, after the
// cases of pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go.
import { describe, expect, it } from "vitest";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { notEligible, pickCandidate, preempt, selectVictimsOnNode, type NodePods } from "../../durable/scheduler/preemption";
import type { FilterStatus } from "../../durable/scheduler/framework";
import type { Obj } from "../../durable/resources/types";

/** A worker with 2 cpus allocatable (the playground's node size). */
const worker = (name: string, i: number): Obj => ({
  ...nodeObject(name, "worker", i),
  status: nodeStatus(name, i, "2025-01-01T00:00:00Z"),
});

let n = 0;
const pod = (name: string, priority: number, cpu: string, extra: Obj = {}): Obj => ({
  metadata: {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    labels: { app: name.replace(/-\d+$/, "") },
    creationTimestamp: `2025-01-01T00:00:${String(n++ % 60).padStart(2, "0")}Z`,
  },
  spec: { priority, containers: [{ name: "c", image: "nginx", resources: { requests: { cpu } } }], tolerations: [] },
  status: { phase: "Running", startTime: `2025-01-01T00:01:${String(n % 60).padStart(2, "0")}Z` },
  ...extra,
});
const names = (pods: Obj[] | undefined) => (pods ?? []).map((p) => p.metadata.name);

describe("selectVictimsOnNode", () => {
  it("takes only as many lower-priority pods as make room, the least important ones", () => {
    const np: NodePods = { node: worker("node01", 1), pods: [pod("low-1", 10, "500m"), pod("low-2", 5, "500m"), pod("mid", 100, "500m")] };
    const c = selectVictimsOnNode(pod("high", 1000, "1"), np, []);
    // 2 cpus, 1500m used: freeing 500m is enough, and the lowest priority goes.
    expect(names(c?.victims)).toEqual(["low-2"]);
    expect(c?.pdbViolations).toBe(0);
  });
  it("never takes pods of the same or higher priority", () => {
    const np: NodePods = { node: worker("node01", 1), pods: [pod("peer", 1000, "1500m")] };
    expect(selectVictimsOnNode(pod("high", 1000, "1"), np, [])).toBeUndefined();
  });
  it("reprieves a pod a budget protects before one it does not, and counts a broken budget", () => {
    const pdb = {
      metadata: { name: "guard", namespace: "default" },
      spec: { selector: { matchLabels: { app: "guarded" } } },
      status: { disruptionsAllowed: 0 },
    };
    const np: NodePods = { node: worker("node01", 1), pods: [pod("guarded", 10, "1"), pod("free", 10, "1")] };
    const c = selectVictimsOnNode(pod("high", 1000, "1"), np, [pdb]);
    expect(names(c?.victims)).toEqual(["free"]);
    expect(c?.pdbViolations).toBe(0);
    const both = selectVictimsOnNode(pod("high", 1000, "2"), np, [pdb]);
    expect(names(both?.victims).sort()).toEqual(["free", "guarded"]);
    expect(both?.pdbViolations).toBe(1);
  });
});

describe("pickOneNodeForPreemption", () => {
  it("prefers fewer budget violations, then the lowest top victim, then fewer victims", () => {
    const c = (node: string, pdbViolations: number, ...victims: Obj[]) => ({ node, pdbViolations, victims });
    expect(pickCandidate([c("a", 1, pod("x", 1, "1")), c("b", 0, pod("y", 50, "1"))])?.node).toBe("b");
    expect(pickCandidate([c("a", 0, pod("x", 50, "1")), c("b", 0, pod("y", 10, "1"))])?.node).toBe("b");
    expect(pickCandidate([c("a", 0, pod("x", 10, "1"), pod("x2", 10, "1")), c("b", 0, pod("y", 10, "1"))])?.node).toBe("b");
  });
});

describe("preempt", () => {
  it("nominates the node whose victims cost least, and skips nodes preemption cannot help", () => {
    const nodes: NodePods[] = [
      { node: worker("node01", 1), pods: [pod("a", 500, "1500m")] },
      { node: worker("node02", 2), pods: [pod("b", 10, "1500m")] },
      { node: worker("node03", 3), pods: [pod("c", 1, "1500m")] },
    ];
    const statuses = new Map<string, FilterStatus>([
      ["node01", { code: "Unschedulable", reasons: ["Insufficient cpu"] }],
      ["node02", { code: "Unschedulable", reasons: ["Insufficient cpu"] }],
      ["node03", { code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match Pod's node affinity/selector"] }],
    ]);
    const v = preempt(pod("high", 1000, "1"), nodes, statuses, []);
    expect(v.candidate?.node).toBe("node02");
    expect(names(v.candidate?.victims)).toEqual(["b"]);
  });
  it("does not preempt again while a victim on the nominated node is still terminating", () => {
    const leaving = pod("low", 10, "1", {
      metadata: { name: "low", namespace: "default", deletionTimestamp: "2025-01-01T00:02:00Z" },
      status: { phase: "Running", conditions: [{ type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler" }] },
    });
    const preemptor: Obj = { ...pod("high", 1000, "2"), status: { nominatedNodeName: "node01" } };
    expect(notEligible(preemptor, { code: "Unschedulable", reasons: [] }, [leaving])).toBe(
      "not eligible due to a terminating pod on the nominated node.",
    );
    expect(notEligible({ ...preemptor, spec: { ...preemptor.spec, preemptionPolicy: "Never" } }, undefined, [])).toBe(
      "not eligible due to preemptionPolicy=Never.",
    );
    expect(notEligible(pod("high", 1000, "2"), undefined, [leaving])).toBeUndefined();
  });
});
