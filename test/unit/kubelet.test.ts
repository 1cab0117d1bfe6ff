import { describe, expect, it } from "vitest";
import { advance, matchStage, type StageContext } from "../../durable/nodes/stages";
import { Clock } from "../../durable/nodes/clock";
import { nextPodIP } from "../../durable/nodes/kubelet";
import { goDuration, normalizeImage } from "../../durable/nodes/runtime/images";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { printPodSummary } from "../../durable/resources/pod";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const node = { ...nodeObject("node01", "worker", 1), status: nodeStatus("node01", 1, "2025-01-01T00:00:00Z") };

function ctx(now: number, mode: "instant" | "realistic" = "instant"): StageContext {
  const used = new Set<string>();
  return {
    now,
    node,
    clock: new Clock(() => mode),
    allocateIP: () => {
      const ip = nextPodIP("10.244.1.0/24", used);
      used.add(ip);
      return ip;
    },
    imagePresent: () => false,
  };
}

/** Run the kubelet the way its timers would: at each due time, until `until`. */
function runUntil(pod: Obj, from: number, until: number): string[] {
  const reasons: string[] = [];
  for (let now = from; now <= until; ) {
    const r = advance(pod, ctx(now, "realistic"));
    reasons.push(...r.events.map((e) => e.reason));
    if (r.wakeIn === undefined || r.remove) break;
    now += r.wakeIn;
  }
  return reasons;
}

const boundPod = (spec: Obj = {}): Obj => ({
  metadata: { name: "myapp", namespace: "default", uid: "uid-1" },
  spec: { nodeName: "node01", containers: [{ name: "nginx", image: "nginx", imagePullPolicy: "Always" }], ...spec },
  status: {
    phase: "Pending",
    qosClass: "BestEffort",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" }],
  },
});

describe("stage table", () => {
  it("takes a pod from Pending to Running and Ready with the kubelet's events (instant clock)", () => {
    const pod = boundPod();
    const r = advance(pod, ctx(T0));
    expect(r.remove).toBe(false);
    expect(r.events.map((e) => e.reason)).toEqual(["Pulling", "Pulled", "Created", "Started"]);
    expect(r.events[0]).toMatchObject({ message: 'Pulling image "nginx"', fieldPath: "spec.containers{nginx}" });
    expect(r.events[1].message).toMatch(
      /^Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 72195292 bytes\.$/,
    );
    expect(r.events[2].message).toBe("Created container: nginx");
    expect(r.events[3].message).toBe("Started container nginx");
    const st = pod.status;
    expect(st.phase).toBe("Running");
    expect(st.podIP).toBe("10.244.1.2");
    expect(st.hostIP).toBe("172.30.2.2");
    expect(st.containerStatuses[0]).toMatchObject({ image: "docker.io/library/nginx:latest", ready: true, started: true, restartCount: 0 });
    expect(st.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(st.conditions.map((c: Obj) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    expect(printPodSummary(pod, T0).status).toBe("Running");
    expect(matchStage(pod)).toBeUndefined(); // nothing left to do: no timers
  });

  it("waits for realistic delays, measured from timestamps in the pod", () => {
    const pod = boundPod();
    const r = advance(pod, ctx(T0, "realistic"));
    expect(printPodSummary(pod, T0).status).toBe("ContainerCreating");
    expect(r.wakeIn).toBeGreaterThan(0);
    const again = advance(structuredClone(pod), ctx(T0 + 1, "realistic"));
    expect(again.wakeIn).toBe(r.wakeIn! - 1); // level-triggered: the same due time
    expect(runUntil(pod, T0 + r.wakeIn!, T0 + 60_000)).toEqual(["Pulling", "Pulled", "Created", "Started"]);
    expect(pod.status.phase).toBe("Running");
  });

  it("runs init containers first and honours readiness probes", () => {
    const pod = boundPod({
      initContainers: [{ name: "init", image: "busybox", imagePullPolicy: "Always" }],
      containers: [{ name: "nginx", image: "nginx", imagePullPolicy: "Always", readinessProbe: { initialDelaySeconds: 5 } }],
    });
    runUntil(pod, T0, T0 + 1_000);
    expect(printPodSummary(pod, T0).status).toBe("Init:0/1");
    runUntil(pod, T0 + 1_000, T0 + 9_000);
    expect(pod.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    runUntil(pod, T0 + 9_000, T0 + 40_000);
    expect(pod.status.containerStatuses[0].ready).toBe(true);
    expect(printPodSummary(pod, T0).ready).toBe("1/1");
    const started = Date.parse(pod.status.containerStatuses[0].state.running.startedAt);
    const ready = Date.parse(pod.status.conditions.find((c: Obj) => c.type === "Ready").lastTransitionTime);
    expect(ready - started).toBeGreaterThanOrEqual(4_000); // initialDelaySeconds (second precision)
  });

  it("kills, then removes a terminating nginx pod once nginx has stopped on SIGTERM", () => {
    const pod = boundPod();
    advance(pod, ctx(T0));
    pod.metadata.deletionTimestamp = "2025-01-01T00:00:40Z";
    pod.metadata.deletionGracePeriodSeconds = 30;
    const kill = advance(pod, ctx(T0 + 10_000, "realistic"));
    expect(kill.events).toEqual([
      { type: "Normal", reason: "Killing", message: "Stopping container nginx", fieldPath: "spec.containers{nginx}" },
    ]);
    expect(kill.wakeIn).toBe(300); // nginx's fast shutdown
    expect(printPodSummary(pod, T0).status).toBe("Terminating");
    expect(advance(pod, ctx(T0 + 10_100, "realistic")).events).toEqual([]); // Killing only once
    expect(advance(pod, ctx(T0 + 10_300, "realistic")).remove).toBe(true);
  });
});

describe("kubelet helpers", () => {
  it("allocates pod IPs sequentially without reusing live ones", () => {
    expect(nextPodIP("10.244.1.0/24", new Set())).toBe("10.244.1.2");
    expect(nextPodIP("10.244.1.0/24", new Set(["10.244.1.2", "10.244.1.5"]))).toBe("10.244.1.6");
  });
  it("normalizes images and formats durations like Go", () => {
    expect(normalizeImage("nginx")).toBe("docker.io/library/nginx:latest");
    expect(normalizeImage("username/myapp:0.0.1")).toBe("docker.io/username/myapp:0.0.1");
    expect(normalizeImage("registry.k8s.io/pause:3.10")).toBe("registry.k8s.io/pause:3.10");
    expect(goDuration(1201)).toBe("1.201s");
    expect(goDuration(812)).toBe("812ms");
    expect(goDuration(61_500)).toBe("1m1.5s");
  });
});
