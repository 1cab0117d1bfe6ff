import { describe, expect, it } from "vitest";
import { advance, type StageContext } from "../../durable/nodes/stages";
import { Clock } from "../../durable/nodes/clock";
import { nextPodIP } from "../../durable/nodes/kubelet";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { containerRun } from "../../durable/nodes/runtime/container";
import { probeTimeline } from "../../durable/nodes/runtime/probes";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const node = { ...nodeObject("node01", "worker", 1), status: nodeStatus("node01", 1, "2025-01-01T00:00:00Z") };

function ctx(now: number): StageContext {
  const used = new Set<string>();
  return {
    now,
    node,
    clock: new Clock(() => "realistic"),
    allocateIP: () => {
      const ip = nextPodIP("10.244.1.0/24", used);
      used.add(ip);
      return ip;
    },
    imagePresent: () => true,
    exitOf: (pod, c, startedAt) => containerRun(pod, c, startedAt).exit,
    probes: (pod, c, startedAt) => probeTimeline(pod, c, startedAt, (s) => s * 1000),
  };
}

const pod = (container: Obj): Obj => ({
  metadata: { name: "probed", namespace: "default", uid: `uid-${Math.random()}` },
  spec: { nodeName: "node01", restartPolicy: "Always", containers: [{ name: "app", imagePullPolicy: "IfNotPresent", ...container }] },
  status: {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" }],
  },
});

function run(p: Obj, until: number): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (let now = T0; now <= until; ) {
    const r = advance(p, ctx(now));
    out.push(...r.events.map((e) => [now - T0, e.reason, e.message] as [number, string, string]));
    if (r.wakeIn === undefined || r.remove) break;
    now += Math.max(r.wakeIn, 1);
  }
  return out;
}

describe("probes", () => {
  it("a startup probe failing failureThreshold times kills the container: Startup probe failed, then the restart", () => {
    const p = pod({ image: "nginx", startupProbe: { tcpSocket: { port: 8080 }, failureThreshold: 4, periodSeconds: 10 } });
    const events = run(p, T0 + 45_000);
    const unhealthy = events.filter((e) => e[1] === "Unhealthy");
    expect(unhealthy.length).toBe(4);
    expect(unhealthy[0][2]).toMatch(/^Startup probe failed: dial tcp [0-9.]+:8080: connect: connection refused$/);
    const killing = events.find((e) => e[1] === "Killing")!;
    expect(killing[2]).toBe("Container app failed startup probe, will be restarted");
    expect(p.status.containerStatuses[0].restartCount).toBe(1);
  });

  it("a startup probe holds liveness back until it succeeds (failureThreshold * periodSeconds to start)", () => {
    const slow = {
      image: "registry.k8s.io/busybox",
      args: ["/bin/sh", "-c", "sleep 20; touch /tmp/up; sleep 600"],
      livenessProbe: { exec: { command: ["cat", "/tmp/up"] }, periodSeconds: 1, failureThreshold: 3 },
    };
    const unguarded = pod(slow);
    expect(run(unguarded, T0 + 30_000).some((e) => e[1] === "Killing")).toBe(true);
    const guarded = pod({ ...slow, startupProbe: { exec: { command: ["cat", "/tmp/up"] }, periodSeconds: 1, failureThreshold: 30 } });
    const early = structuredClone(guarded);
    run(early, T0 + 10_000);
    expect(early.status.containerStatuses[0]).toMatchObject({ started: false, ready: false });
    const events = run(guarded, T0 + 60_000);
    expect(guarded.status.containerStatuses[0]).toMatchObject({ started: true, ready: true });
    expect(events.some((e) => e[1] === "Killing")).toBe(false);
    expect(guarded.status.containerStatuses[0].restartCount).toBe(0);
  });

  it("the docs' exec liveness example restarts the container after the file is gone", () => {
    const p = pod({
      image: "registry.k8s.io/busybox",
      args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
      livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5 },
    });
    const events = run(p, T0 + 50_000);
    const unhealthy = events.filter((e) => e[1] === "Unhealthy");
    expect(unhealthy[0][2]).toBe("Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    expect(events.find((e) => e[1] === "Killing")![2]).toBe("Container app failed liveness probe, will be restarted");
    const s = p.status.containerStatuses[0];
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated.exitCode).toBe(137);
    expect(s.state.running).toBeDefined();
  });

  it("readiness gates Ready: a failing httpGet keeps nginx unready, a passing one makes it ready", () => {
    const bad = pod({ image: "nginx", readinessProbe: { httpGet: { path: "/nonexistent", port: 80 }, periodSeconds: 5 } });
    run(bad, T0 + 30_000);
    expect(bad.status.containerStatuses[0].ready).toBe(false);
    expect(bad.status.conditions.find((c: Obj) => c.type === "Ready").status).toBe("False");
    const good = pod({ image: "nginx", readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 } });
    run(good, T0 + 30_000);
    expect(good.status.containerStatuses[0].ready).toBe(true);
    const tcp = pod({ image: "redis", readinessProbe: { tcpSocket: { port: 6380 } } });
    run(tcp, T0 + 30_000);
    expect(tcp.status.containerStatuses[0].ready).toBe(false);
  });

  it("readiness that flips with the program's files", () => {
    const p = pod({
      image: "busybox",
      command: ["sh", "-c", "touch /tmp/ready; sleep 20; rm /tmp/ready; sleep 3600"],
      readinessProbe: { exec: { command: ["test", "-f", "/tmp/ready"] }, periodSeconds: 5, failureThreshold: 1 },
    });
    run(p, T0 + 10_000);
    expect(p.status.containerStatuses[0].ready).toBe(true);
    const events = run(p, T0 + 40_000);
    expect(p.status.containerStatuses[0].ready).toBe(false);
    expect(events.some((e) => e[1] === "Unhealthy" && e[2].startsWith("Readiness probe failed"))).toBe(true);
  });
});
