import { describe, expect, it } from "vitest";
import { advance, type StageContext } from "../../durable/nodes/stages";
import { Clock } from "../../durable/nodes/clock";
import { nextPodIP } from "../../durable/nodes/kubelet";
import { imageBehaviour, pullFailure } from "../../durable/nodes/runtime/images";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { printPodSummary } from "../../durable/resources/pod";
import { containerEnv, containerRun, serviceEnv } from "../../durable/nodes/runtime/container";
import { podFS } from "../../durable/nodes/runtime/fs";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const node = { ...nodeObject("node01", "worker", 1), status: nodeStatus("node01", 1, "2025-01-01T00:00:00Z") };

function ctx(now: number, mode: "instant" | "realistic" = "realistic"): StageContext {
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
    imagePresent: () => true,
    exitOf: (pod, c, startedAt) => containerRun(pod, c, startedAt).exit,
  };
}

const pod = (container: Obj, restartPolicy = "Always", uid = "uid-" + Math.random()): Obj => ({
  metadata: { name: "busybox", namespace: "default", uid },
  spec: { nodeName: "node01", restartPolicy, containers: [{ name: "busybox", imagePullPolicy: "IfNotPresent", ...container }] },
  status: {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" }],
  },
});

/** Drive the kubelet at each due time until `until`; returns [time offset, reason] of events. */
function run(p: Obj, until: number, mode: "instant" | "realistic" = "realistic"): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (let now = T0; now <= until; ) {
    const r = advance(p, ctx(now, mode));
    out.push(...r.events.map((e) => [now - T0, e.reason, e.message] as [number, string, string]));
    if (r.wakeIn === undefined || r.remove) break;
    now += Math.max(r.wakeIn, 1);
  }
  return out;
}

describe("container exits", () => {
  it("a Job-like pod shows Error with exit code 3 (restartPolicy Never)", () => {
    const p = pod({ image: "busybox", command: ["sh", "-c", "echo hi; exit 3"] }, "Never");
    run(p, T0 + 60_000);
    const s = p.status.containerStatuses[0];
    expect(s.state.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(p.status.phase).toBe("Failed");
    expect(printPodSummary(p, T0 + 60_000).status).toBe("Error");
    expect(p.status.conditions.find((c: Obj) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
  });

  it("exit 0 under Never is Completed", () => {
    const p = pod({ image: "busybox", command: ["sh", "-c", "echo done"] }, "Never");
    run(p, T0 + 60_000);
    expect(p.status.phase).toBe("Succeeded");
    expect(printPodSummary(p, T0 + 60_000).status).toBe("Completed");
  });

  it("a crashing container loops with the real back-off and RESTARTS", () => {
    const p = pod({ image: "busybox", command: ["sh", "-c", "echo crash; exit 1"] });
    const events = run(p, T0 + 180_000);
    const s = p.status.containerStatuses[0];
    // Restarts at ~0s, then after 10s, 20s, 40s, 80s back-offs: 5 restarts within 3 minutes.
    expect(s.restartCount).toBe(5);
    expect(s.state.waiting).toMatchObject({ reason: "CrashLoopBackOff" });
    expect(s.state.waiting.message).toMatch(/^back-off 2m40s restarting failed container=busybox pod=busybox_default\(uid-/);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(printPodSummary(p, T0 + 180_000)).toMatchObject({ status: "CrashLoopBackOff", ready: "0/1" });
    expect(printPodSummary(p, T0 + 180_000).restarts).toMatch(/^5 \(\d+s ago\)$/);
    const backoffs = events.filter((e) => e[1] === "BackOff");
    expect(backoffs[0][2]).toMatch(/^Back-off restarting failed container busybox in pod busybox_default\(uid-[^)]*\)$/);
    expect(p.status.phase).toBe("Running");
  });

  it("instant clock shortens the back-off but still shows it", () => {
    const p = pod({ image: "busybox" });
    run(p, T0 + 7_000, "instant");
    const s = p.status.containerStatuses[0];
    expect(s.restartCount).toBeGreaterThanOrEqual(3);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
  });

  it("a looping container keeps running", () => {
    const p = pod({ image: "busybox", command: ["sh", "-c", "while true; do echo hi; sleep 5; done"] });
    const events = run(p, T0 + 60_000);
    expect(p.status.containerStatuses[0].state.running).toBeDefined();
    expect(events.map((e) => e[1])).toEqual(["Pulled", "Created", "Started"]);
  });
});

describe("image pulls", () => {
  it("knows missing tags and invalid names", () => {
    expect(pullFailure("nginx")).toBeUndefined();
    expect(pullFailure("nginx:1.27-alpine")).toBeUndefined();
    expect(pullFailure("username/myapp:0.0.1")).toBeUndefined();
    expect(pullFailure("nginx:doesnotexist")?.message).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found',
    );
    expect(pullFailure("nginxx")?.message).toContain("pull access denied, repository does not exist or may require authorization");
    expect(pullFailure("NGINX")).toMatchObject({ reason: "InvalidImageName" });
    expect(imageBehaviour("registry.k8s.io/echoserver:1.4").kind).toBe("hello");
  });

  it("ErrImagePull then ImagePullBackOff with growing back-off", () => {
    const p = pod({ image: "nginx:doesnotexist", imagePullPolicy: "Always" });
    const events = run(p, T0 + 100_000);
    const s = p.status.containerStatuses[0];
    expect(s.state.waiting.reason).toBe("ImagePullBackOff");
    expect(s.state.waiting.message).toBe(
      `Back-off pulling image "nginx:doesnotexist": ErrImagePull: ${pullFailure("nginx:doesnotexist")!.message}`,
    );
    expect(events.filter((e) => e[2] === "Error: ErrImagePull").length).toBeGreaterThanOrEqual(3);
    expect(events.find((e) => e[1] === "Failed")![2]).toBe(
      `Failed to pull image "nginx:doesnotexist": ${pullFailure("nginx:doesnotexist")!.message}`,
    );
    expect(printPodSummary(p, T0 + 100_000).status).toBe("ImagePullBackOff");
  });
});

describe("environment and files", () => {
  const reader = {
    get: (plural: string, _ns: string | undefined, name: string): Obj | undefined =>
      plural === "configmaps"
        ? { data: { COLOR: "blue", "app.conf": "x=1\n" } }
        : plural === "secrets"
          ? { data: { PASSWORD: btoa("s3cret") } }
          : plural === "services" && name === "kubernetes"
            ? { metadata: { name: "kubernetes" }, spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] } }
            : undefined,
    list: (plural: string): Obj[] =>
      plural === "services" ? [{ metadata: { name: "my-web" }, spec: { clusterIP: "10.96.3.4", ports: [{ port: 80 }] } }] : [],
  };
  it("builds env like the kubelet", () => {
    const p = pod({
      image: "busybox",
      envFrom: [{ configMapRef: { name: "cm" } }],
      env: [
        { name: "PW", valueFrom: { secretKeyRef: { name: "s", key: "PASSWORD" } } },
        { name: "ME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "C2", value: "$(COLOR)-x" },
      ],
    });
    const env = containerEnv(p, p.spec.containers[0], reader);
    expect(env).toMatchObject({
      COLOR: "blue",
      PW: "s3cret",
      ME: "busybox",
      C2: "blue-x",
      MY_WEB_SERVICE_HOST: "10.96.3.4",
      MY_WEB_SERVICE_PORT: "80",
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      KUBERNETES_SERVICE_PORT_HTTPS: "443",
      HOME: "/root",
    });
    expect(
      serviceEnv([{ metadata: { name: "redis" }, spec: { clusterIP: "10.96.0.9", ports: [{ port: 6379 }] } }]).REDIS_PORT_6379_TCP_ADDR,
    ).toBe("10.96.0.9");
  });
  it("mounts volumes and kubelet files", () => {
    const p = pod({ image: "nginx", volumeMounts: [{ name: "cfg", mountPath: "/etc/app" }] });
    p.spec.volumes = [{ name: "cfg", configMap: { name: "cm" } }];
    const fs = podFS(p, p.spec.containers[0], reader, imageBehaviour("nginx").files);
    expect(fs.read("/etc/app/app.conf")).toBe("x=1\n");
    expect(fs.read("/etc/resolv.conf")).toBe(
      "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    );
    expect(fs.read("/usr/share/nginx/html/index.html")).toContain("<h1>Welcome to nginx!</h1>");
    expect(fs.list("/etc/app")).toEqual(["COLOR", "app.conf"]);
  });
  it("logs of nginx and of a loop", () => {
    const p = pod({ image: "nginx" });
    const r = containerRun(p, p.spec.containers[0], T0);
    expect(r.exit).toBeUndefined();
    expect(r.lines[0].text).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
    const pg = pod({ image: "postgres" });
    expect(containerRun(pg, pg.spec.containers[0], T0).exit?.code).toBe(1);
  });
});

describe("init containers", () => {
  it("run their command to completion before the app starts", () => {
    const p = pod({ image: "nginx" });
    p.spec.initContainers = [
      { name: "init", image: "busybox", imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "echo init; sleep 3"] },
    ];
    run(p, T0 + 60_000);
    expect(p.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(p.status.containerStatuses[0].state.running).toBeDefined();
    expect(printPodSummary(p, T0 + 60_000).status).toBe("Running");
  });

  it("a failing init container shows Init:Error, then Init:CrashLoopBackOff", () => {
    const p = pod({ image: "nginx" }, "Never");
    p.spec.initContainers = [{ name: "init", image: "busybox", imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exit 2"] }];
    run(p, T0 + 60_000);
    expect(printPodSummary(p, T0 + 60_000).status).toBe("Init:Error");
    expect(p.status.phase).toBe("Failed");
    const q = pod({ image: "nginx" });
    q.spec.initContainers = [{ name: "init", image: "busybox", imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exit 2"] }];
    run(q, T0 + 60_000);
    expect(printPodSummary(q, T0 + 60_000).status).toBe("Init:CrashLoopBackOff");
  });
});
