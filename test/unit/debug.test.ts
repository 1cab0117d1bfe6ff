import { describe, expect, it } from "vitest";
import pods, { validatePodEphemeralContainersUpdate, validatePodUpdate } from "../../durable/resources/pod";
import { advance, stages, type StageContext } from "../../durable/nodes/stages";
import { ephemeralStages } from "../../durable/nodes/ephemeral";
import { Clock } from "../../durable/nodes/clock";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { processTable } from "../../durable/nodes/runtime/processes";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const node = { ...nodeObject("node01", "worker", 1), status: nodeStatus("node01", 1, "2025-01-01T00:00:00Z") };
const table = [...stages, ...ephemeralStages];
const sub = pods.updateSubresources!.ephemeralcontainers;

/** A running pod whose app container is `who` (traefik/whoami). */
const runningPod = (): Obj => ({
  metadata: { name: "who", namespace: "default", uid: "uid-1", resourceVersion: "7" },
  spec: {
    nodeName: "node01",
    restartPolicy: "Always",
    dnsPolicy: "ClusterFirst",
    containers: [
      {
        name: "who",
        image: "traefik/whoami",
        imagePullPolicy: "Always",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
        resources: {},
      },
    ],
  },
  status: {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" }],
  },
});

const debugger1 = {
  name: "debugger-abcde",
  image: "busybox",
  stdin: true,
  tty: true,
  targetContainerName: "who",
  terminationMessagePolicy: "File",
};

/** What the subresource stores for a body (the strategy), and what validation says about it. */
function update(old: Obj, body: Obj): { next: Obj; errs: string[] } {
  const next = sub.prepare(structuredClone(body), old);
  return { next, errs: (sub.validate?.(next, old) ?? []).map((e) => `${e.field}: ${e.message}`) };
}

const withEphemeral = (pod: Obj, ...ecs: Obj[]): Obj => ({
  ...structuredClone(pod),
  spec: { ...structuredClone(pod.spec), ephemeralContainers: ecs },
});

function ctx(now: number, exitOf?: StageContext["exitOf"]): StageContext {
  return {
    now,
    node,
    clock: new Clock(() => "instant"),
    allocateIP: () => "10.244.1.5",
    imagePresent: (i) => i.includes("whoami"),
    exitOf,
  };
}

describe("pods/ephemeralcontainers strategy and validation", () => {
  it("keeps everything but spec.ephemeralContainers from the stored pod and defaults the new container", () => {
    const old = runningPod();
    const body = withEphemeral(old, debugger1);
    body.metadata.labels = { sneaky: "yes" };
    body.spec.containers[0].image = "nginx";
    body.status = { phase: "Failed" };
    const { next, errs } = update(old, body);
    expect(errs).toEqual([]);
    expect(next.metadata.labels).toBeUndefined();
    expect(next.spec.containers[0].image).toBe("traefik/whoami");
    expect(next.status.phase).toBe("Pending");
    expect(next.spec.ephemeralContainers[0]).toMatchObject({
      name: "debugger-abcde",
      imagePullPolicy: "Always",
      terminationMessagePath: "/dev/termination-log",
      resources: {},
    });
  });

  it("refuses the fields ephemeral containers may not have, duplicate names and unknown targets", () => {
    const old = runningPod();
    const bad = {
      name: "who",
      image: "busybox",
      terminationMessagePolicy: "File",
      ports: [{ containerPort: 80 }],
      resources: { limits: { cpu: "1" } },
      readinessProbe: { tcpSocket: { port: 80 } },
      lifecycle: { preStop: { exec: { command: ["true"] } } },
      targetContainerName: "nope",
    };
    expect(update(old, withEphemeral(old, bad)).errs).toEqual([
      'spec.ephemeralContainers[0].name: Duplicate value: "who"',
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
      "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container",
    ]);
    const twice = update(old, withEphemeral(old, debugger1, { ...debugger1 })).errs;
    expect(twice).toEqual(['spec.ephemeralContainers[1].name: Duplicate value: "debugger-abcde"']);
  });

  it("only adds: an existing ephemeral container may be neither removed nor changed", () => {
    const old = update(runningPod(), withEphemeral(runningPod(), debugger1)).next;
    const second = { name: "debugger-fghij", image: "busybox", terminationMessagePolicy: "File" };
    expect(update(old, withEphemeral(old, ...old.spec.ephemeralContainers, second)).errs).toEqual([]);
    // Order does not matter (a patch may reorder).
    expect(update(old, withEphemeral(old, second, ...old.spec.ephemeralContainers)).errs).toEqual([]);
    expect(update(old, withEphemeral(old, second)).errs).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-abcde" may not be removed\n',
    ]);
    const changed = update(old, withEphemeral(old, { ...old.spec.ephemeralContainers[0], image: "alpine" })).errs;
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(
      /^spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-abcde" may not be changed\n/,
    );
    expect(changed[0]).toContain('- \t\tImage: "busybox",\n+ \t\tImage: "alpine",');
  });

  it("refuses static pods, and a plain pod update still may not touch ephemeral containers", () => {
    const mirror = runningPod();
    mirror.metadata.annotations = { "kubernetes.io/config.mirror": "abc" };
    expect(update(mirror, withEphemeral(mirror, debugger1)).errs).toEqual([": Forbidden: static pods do not support ephemeral containers"]);
    const old = runningPod();
    const errs = validatePodUpdate(withEphemeral(old, debugger1), old);
    expect(errs[0].message).toMatch(/^Forbidden: pod updates may not change fields other than/);
    expect(
      validatePodEphemeralContainersUpdate(
        withEphemeral(old, { ...debugger1, terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" }),
        old,
      ),
    ).toEqual([]);
  });
});

describe("the kubelet and ephemeral containers", () => {
  it("starts a new ephemeral container once the pod runs, with its events, and never restarts it", () => {
    const pod = runningPod();
    advance(pod, ctx(T0), table);
    expect(pod.status.phase).toBe("Running");
    pod.spec.ephemeralContainers = [{ ...debugger1, imagePullPolicy: "IfNotPresent" }];
    const r = advance(pod, ctx(T0 + 5_000), table);
    expect(r.events.map((e) => `${e.reason} ${e.fieldPath}`)).toEqual([
      "Pulling spec.ephemeralContainers{debugger-abcde}",
      "Pulled spec.ephemeralContainers{debugger-abcde}",
      "Created spec.ephemeralContainers{debugger-abcde}",
      "Started spec.ephemeralContainers{debugger-abcde}",
    ]);
    expect(r.events[3].message).toBe("Started container debugger-abcde");
    const s = pod.status.ephemeralContainerStatuses[0];
    expect(s).toMatchObject({
      name: "debugger-abcde",
      image: "docker.io/library/busybox:latest",
      ready: false,
      restartCount: 0,
      state: { running: { startedAt: "2025-01-01T00:00:05Z" } },
    });
    // The shell waits for its input: nothing more to do, the pod's readiness untouched.
    expect(advance(pod, ctx(T0 + 60_000), table)).toEqual({ events: [], changed: false, remove: false });
    expect(pod.status.conditions.find((c: Obj) => c.type === "Ready").status).toBe("True");

    // `exit` through attach: terminated, Completed, and it stays so.
    const exited = (p: Obj, c: Obj) => (c.name === "debugger-abcde" ? { code: 0, at: T0 + 70_000 } : undefined);
    const end = advance(pod, ctx(T0 + 80_000, exited), table);
    expect(end.changed).toBe(true);
    expect(pod.status.ephemeralContainerStatuses[0].state).toEqual({
      terminated: {
        containerID: s.containerID,
        exitCode: 0,
        finishedAt: "2025-01-01T00:01:10Z",
        reason: "Completed",
        startedAt: "2025-01-01T00:00:05Z",
      },
    });
    expect(advance(pod, ctx(T0 + 900_000, exited), table)).toEqual({ events: [], changed: false, remove: false });
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
  });

  it("does not start ephemeral containers in a pod that has finished", () => {
    const pod = runningPod();
    advance(pod, ctx(T0), table);
    pod.status.phase = "Succeeded";
    pod.spec.ephemeralContainers = [debugger1];
    expect(advance(pod, ctx(T0 + 1_000), table).events).toEqual([]);
    expect(pod.status.ephemeralContainerStatuses).toBeUndefined();
  });
});

describe("ps: process namespaces", () => {
  const pod = withEphemeral(runningPod(), debugger1);
  const rows = (p: Obj, c: Obj) => processTable(p, c).map((x) => `${x.pid} ${x.user} ${x.command}`);

  it("a container alone sees itself as PID 1", () => {
    expect(rows(pod, { name: "sh", image: "busybox", command: ["sleep", "3600"] })).toEqual(["1 root sleep 3600", "7 root ps"]);
  });

  it("--target joins the target's namespace: its process is PID 1", () => {
    expect(rows(pod, debugger1)).toEqual(["1 root /whoami", "8 root sh", "14 root ps"]);
  });

  it("shareProcessNamespace shows every container behind /pause; hostPID the node's processes", () => {
    const shared = { ...pod, spec: { ...pod.spec, shareProcessNamespace: true, ephemeralContainers: [] } };
    expect(rows(shared, pod.spec.containers[0])).toEqual(["1 65535 /pause", "8 root /whoami", "14 root ps"]);
    const host = rows({ ...pod, spec: { ...pod.spec, hostPID: true } }, { name: "debugger", image: "busybox" });
    expect(host[0]).toBe("1 root /sbin/init");
    expect(host.some((r) => r.includes("/usr/bin/kubelet"))).toBe(true);
  });
});
