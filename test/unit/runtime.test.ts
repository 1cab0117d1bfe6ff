import { describe, expect, it } from "vitest";
import { advance, stopOf, type StageContext } from "../../durable/nodes/stages";
import { Clock } from "../../durable/nodes/clock";
import { nextPodIP } from "../../durable/nodes/kubelet";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { containerContext, containerEnv, containerRun, expandVars } from "../../durable/nodes/runtime/container";
import { runCommand } from "../../durable/shell";
import { processTable } from "../../durable/nodes/runtime/processes";
import { probeTimeline } from "../../durable/nodes/runtime/probes";
import { normalizeImage, pullFailure } from "../../durable/nodes/runtime/images";
import type { Obj } from "../../durable/resources/types";
import type { Registry } from "../../durable/api/registry";
import { podLogHandler } from "../../durable/nodes/podlog";
import { listeningPorts, serve } from "../../durable/nodes/runtime/servers";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
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
  };
}

/** Drive the kubelet at each due time until `until`; returns [ms from T0, reason, message] of events. */
function run(p: Obj, from: number, until: number): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (let now = from; now <= until; ) {
    const r = advance(p, ctx(now));
    out.push(...r.events.map((e) => [now - T0, e.reason, e.message] as [number, string, string]));
    if (r.wakeIn === undefined || r.remove) break;
    now += Math.max(r.wakeIn, 1);
  }
  return out;
}

describe("restarts of one container while another backs off", () => {
  it("a container in CrashLoopBackOff is not restarted early when its neighbour exits", () => {
    // "crash" exited at T0 after 2 restarts: 20 s of back-off, so no restart before T0+20s.
    // "once" is running and exits at T0+5s: it restarts at once (its first restart).
    const crashed = { exitCode: 1, reason: "Error", startedAt: iso(T0 - 1000), finishedAt: iso(T0), containerID: "containerd://a" };
    const p: Obj = {
      metadata: { name: "two", namespace: "default", uid: "uid-two" },
      spec: {
        nodeName: "node01",
        restartPolicy: "Always",
        containers: [
          { name: "crash", image: "busybox", imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exit 1"] },
          { name: "once", image: "busybox", imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "sleep 5; exit 2"] },
        ],
      },
      status: {
        phase: "Running",
        startTime: iso(T0 - 60_000),
        podIP: "10.244.1.9",
        podIPs: [{ ip: "10.244.1.9" }],
        conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: iso(T0 - 60_000) }],
        containerStatuses: [
          {
            name: "crash",
            image: "docker.io/library/busybox:latest",
            imageID: "",
            ready: false,
            started: false,
            restartCount: 2,
            state: {
              waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=crash pod=two_default(uid-two)" },
            },
            lastState: { terminated: crashed },
            containerID: "containerd://a",
          },
          {
            name: "once",
            image: "docker.io/library/busybox:latest",
            imageID: "",
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: iso(T0) } },
            lastState: {},
            containerID: "containerd://b",
          },
        ],
      },
    };
    const events = run(p, T0, T0 + 15_000);
    const crash = p.status.containerStatuses.find((s: Obj) => s.name === "crash");
    const once = p.status.containerStatuses.find((s: Obj) => s.name === "once");
    expect(once.restartCount).toBe(1);
    expect(crash.restartCount).toBe(2);
    expect(crash.state.waiting?.reason).toBe("CrashLoopBackOff");
    expect(events.filter((e) => e[1] === "Started").map((e) => e[2])).toEqual(["Started container once"]);
    // After its back-off (20 s from T0, plus the kubelet's sync) it restarts.
    run(p, T0 + 15_000, T0 + 25_000);
    expect(p.status.containerStatuses.find((s: Obj) => s.name === "crash").restartCount).toBe(3);
  });
});

describe("the control-plane taint", () => {
  const taints = (n: Obj) => ((n.spec?.taints ?? []) as Obj[]).map((t) => `${t.key}:${t.effect}`);
  it("a control-plane node beside workers is tainted NoSchedule; the only node of a one-node cluster is not", () => {
    expect(taints(nodeObject("controlplane", "control-plane", 0))).toEqual(["node-role.kubernetes.io/control-plane:NoSchedule"]);
    expect(taints(nodeObject("controlplane", "control-plane", 0, true))).toEqual([]);
    expect(taints(nodeObject("node01", "worker", 1, true))).toEqual([]);
  });
});

describe("deleting a pod takes as long as its image takes to exit on SIGTERM", () => {
  const podOf = (container: Obj, grace: number): Obj => ({
    metadata: { name: "p", namespace: "default", uid: `uid-${container.image}-${grace}-${Math.random()}` },
    spec: {
      nodeName: "node01",
      restartPolicy: "Always",
      terminationGracePeriodSeconds: grace,
      containers: [{ name: "c", imagePullPolicy: "IfNotPresent", ...container }],
    },
    status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: iso(T0) }] },
  });
  /** Start the pod, delete it at T0+60s (as the API server marks it), then drive the kubelet. */
  function deleteAndWatch(p: Obj, grace: number) {
    run(p, T0, T0 + 50_000);
    expect(p.status.containerStatuses[0].state.running).toBeTruthy();
    const deletedAt = T0 + 60_000;
    p.metadata.deletionTimestamp = iso(deletedAt + grace * 1000);
    p.metadata.deletionGracePeriodSeconds = grace;
    const seen: { at: number; ready: boolean; events: string[]; removed: boolean }[] = [];
    for (let now = deletedAt; now <= deletedAt + (grace + 5) * 1000; ) {
      const r = advance(p, ctx(now));
      seen.push({
        at: now - deletedAt,
        ready: !!p.status.containerStatuses[0].ready,
        events: r.events.map((e) => `${e.reason}: ${e.message}`),
        removed: r.remove,
      });
      if (r.remove || r.wakeIn === undefined) break;
      now += Math.max(r.wakeIn, 1);
    }
    return seen;
  }

  it("nginx stops within a second; the pod stays ready until then and is removed after", () => {
    const seen = deleteAndWatch(podOf({ image: "nginx" }, 30), 30);
    expect(seen[0].events).toEqual(["Killing: Stopping container c"]);
    expect(seen[0].ready).toBe(true);
    const removed = seen.find((s) => s.removed)!;
    expect(removed.at).toBeLessThanOrEqual(1000);
  });

  it("sleep infinity as PID 1 ignores SIGTERM: the pod is removed only when the grace period ends", () => {
    const seen = deleteAndWatch(podOf({ image: "busybox", command: ["sleep", "infinity"] }, 5), 5);
    expect(seen[0].events).toEqual(["Killing: Stopping container c"]);
    expect(seen.filter((s) => s.at < 5000).every((s) => s.ready && !s.removed)).toBe(true);
    expect(seen.find((s) => s.removed)!.at).toBe(5000);
  });

  it("a shell loop is SIGKILLed at the end of the grace period (137); nginx exits 0 on SIGTERM", () => {
    const stop = (container: Obj) => {
      const p = podOf(container, 5);
      run(p, T0, T0 + 50_000);
      p.metadata.deletionTimestamp = iso(T0 + 65_000);
      p.metadata.deletionGracePeriodSeconds = 5;
      advance(p, ctx(T0 + 60_000)); // Killing: the containers are told to stop now
      const r = stopOf(p, { c: p.spec.containers[0], init: false, s: p.status.containerStatuses[0] }, ctx(T0 + 60_000));
      return { ...r, at: r.at - (T0 + 60_000) };
    };
    expect(stop({ image: "busybox", command: ["sh", "-c", "while true; do sleep 1; done"] })).toEqual({
      code: 137,
      at: 5000,
      reason: "Error",
    });
    expect(stop({ image: "nginx" })).toEqual({ code: 0, at: 300, reason: "Completed" });
    expect(stop({ image: "nginx", command: ["nginx", "-g", "daemon off;"] })).toEqual({ code: 0, at: 300, reason: "Completed" });
    // A program that ends by itself before the SIGKILL ends its own way.
    expect(stop({ image: "busybox", command: ["sleep", "62"] })).toMatchObject({ code: 0, reason: "Completed" });
  });

  it("a Node.js server started by CMD's shell form (tutorial 001's hello-node) waits out the grace period too", () => {
    const seen = deleteAndWatch(podOf({ image: "hello-node:v1", ports: [{ containerPort: 3000 }] }, 30), 30);
    expect(seen.find((s) => s.removed)!.at).toBe(30_000);
  });
});

describe("pulling images as containerd does", () => {
  it("a tag past the family's newest release is not found, with containerd's message", () => {
    expect(pullFailure("nginx:1.99.99")).toEqual({
      reason: "ErrImagePull",
      message:
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99.99": failed to resolve reference "docker.io/library/nginx:1.99.99": docker.io/library/nginx:1.99.99: not found',
    });
    expect(pullFailure("nginx:2")?.reason).toBe("ErrImagePull");
    expect(pullFailure("postgres:18.2")?.reason).toBe("ErrImagePull");
  });
  it("tags that exist upstream pull", () => {
    for (const image of [
      "nginx:1.27.5",
      "nginx:1.29",
      "nginx:stable-alpine",
      "nginx:1.27-alpine-slim",
      "nginx:mainline-bookworm",
      "httpd:trixie",
      "httpd:2.4",
      "redis:7-alpine",
      "postgres:16.4",
      "busybox:1.36",
    ])
      expect([image, pullFailure(image)]).toEqual([image, undefined]);
  });
  it("docker.io/redis is docker.io/library/redis", () => {
    expect(normalizeImage("docker.io/redis")).toBe("docker.io/library/redis:latest");
    expect(normalizeImage("redis:7")).toBe("docker.io/library/redis:7");
  });
});

describe("kubectl logs -f --tail=N", () => {
  it("prints the last N lines once, then only the lines that come after", async () => {
    const pod: Obj = {
      metadata: { name: "counter", namespace: "default", uid: "uid-counter" },
      spec: { nodeName: "node01", containers: [{ name: "c", image: "busybox" }] },
      status: {
        phase: "Running",
        containerStatuses: [{ name: "c", restartCount: 0, ready: true, state: { running: { startedAt: iso(T0) } } }],
      },
    };
    // Five lines written in the same instant (a loop's echoes), then more later.
    const lines = [1, 2, 3, 4, 5].map((i) => ({ at: T0 + 1000, text: `line ${i}` }));
    let notify = () => {};
    const logs = {
      read: (_p: Obj, _c: string, o: { sinceTime?: number; tailLines?: number }) => {
        const from = lines.filter((l) => o.sinceTime === undefined || l.at >= o.sinceTime);
        return { lines: o.tailLines === undefined ? from : from.slice(-o.tailLines) };
      },
      subscribe: (_uid: string, _c: string, fn: () => void) => ((notify = fn), () => {}),
    };
    const registry = { get: () => pod } as unknown as Registry;
    const handler = podLogHandler(registry, logs, () => T0 + 2000);
    const res = await handler(
      new Request("https://x/api/v1/namespaces/default/pods/counter/log?follow=true&tailLines=2"),
      {} as never,
      "default",
      "counter",
      new URL("https://x/?follow=true&tailLines=2"),
    );
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    expect(dec.decode((await reader.read()).value)).toBe("line 4\nline 5\n");
    lines.push({ at: T0 + 3000, text: "line 6" });
    notify();
    expect(dec.decode((await reader.read()).value)).toBe("line 6\n");
    await reader.cancel();
  });
});

describe("the kubelet's $(VAR) expansion, Service variables, /dev", () => {
  const podWith = (container: Obj, startedAt = iso(T0)): Obj => ({
    metadata: { name: "p", namespace: "default", uid: `uid-${Math.random()}` },
    spec: { nodeName: "node01", containers: [{ name: "c", image: "busybox", ...container }] },
    status: { podIP: "10.244.1.5", containerStatuses: [{ name: "c", restartCount: 0, state: { running: { startedAt } } }] },
  });
  it("expands $(VAR) in command and args; $$ escapes; unknown and unclosed references stay", () => {
    expect(expandVars("$(A)-$$(A)-$(NOPE)-$$-$x-$(open", { A: "1" })).toBe("1-$(A)-$(NOPE)-$-$x-$(open");
    const p = podWith({
      env: [{ name: "GREETING", value: "hello" }],
      command: ["echo", "$(GREETING)"],
      args: ["$$(GREETING)", "$(MISSING)"],
    });
    expect(containerRun(p, p.spec.containers[0], T0).lines.map((l) => l.text)).toEqual(["hello $(GREETING) $(MISSING)"]);
  });
  it("Service variables are those of Services that existed when the container started", () => {
    const svc = (name: string, created: number) => ({
      metadata: { name, namespace: "default", creationTimestamp: iso(created) },
      spec: { clusterIP: "10.96.0.20", ports: [{ port: 80, protocol: "TCP" }] },
    });
    const reader = { get: () => undefined, list: () => [svc("before", T0 - 10_000), svc("after", T0 + 10_000)] };
    const p = podWith({});
    const env = containerEnv(p, p.spec.containers[0], reader);
    expect(env.BEFORE_SERVICE_HOST).toBe("10.96.0.20");
    expect(env.BEFORE_PORT_80_TCP_ADDR).toBe("10.96.0.20");
    expect(env.AFTER_SERVICE_HOST).toBeUndefined();
  });
  it("every container has /dev with its devices and the termination log", () => {
    const p = podWith({ command: ["sh", "-c", "ls /dev; echo gone > /dev/null; cat /dev/null; echo done"] });
    const out = containerRun(p, p.spec.containers[0], T0).lines.map((l) => l.text);
    expect(out.slice(0, -1).join("\n").split(/\s+/)).toEqual(
      expect.arrayContaining(["null", "zero", "random", "urandom", "tty", "stdout", "stderr", "fd", "termination-log"]),
    );
    expect(out.at(-1)).toBe("done");
    expect(out).not.toContain("gone");
  });
});

describe("the images the official tutorials use", () => {
  const podOf = (container: Obj): Obj => ({
    metadata: { name: "app-7d4b9c8f6-x2x9k", namespace: "default", uid: `uid-${Math.random()}` },
    spec: { nodeName: "node01", containers: [{ name: "app", ...container }] },
    status: {
      podIP: "10.244.1.7",
      containerStatuses: [{ name: "app", restartCount: 0, ready: true, state: { running: { startedAt: iso(T0) } } }],
    },
  });
  const get = (p: Obj, port: number, path: string, at = T0 + 5000) => {
    const c = p.spec.containers[0];
    expect(listeningPorts(c)).toContain(port);
    const lines: string[] = [];
    const r = serve({ method: "GET", path, headers: { "user-agent": "curl/8.5.0" } }, port, {
      pod: p,
      container: c,
      remoteAddr: "10.244.1.1",
      now: at,
      logs: { append: (_u, _c, _r, line) => void lines.push(line) },
    });
    return Object.assign({ lines }, r) as Obj;
  };

  it("kubernetes-bootcamp answers on 8080 with its pod's name and version, and logs its start and each request", () => {
    const p = podOf({ image: "gcr.io/google-samples/kubernetes-bootcamp:v1" });
    const r = get(p, 8080, "/");
    expect([r.status, r.body]).toEqual([200, "Hello Kubernetes bootcamp! | Running on: app-7d4b9c8f6-x2x9k | v=1\n"]);
    expect(r.lines[0]).toMatch(
      /^Running On: app-7d4b9c8f6-x2x9k \| Total Requests: 1 \| App Uptime: [\d.]+ seconds \| Log Time: 2025-01-01T00:00:05.000Z$/,
    );
    expect(get(podOf({ image: "gcr.io/google-samples/kubernetes-bootcamp:v2" }), 8080, "/").body).toMatch(/\| v=2\n$/);
    const start = containerRun(p, p.spec.containers[0], T0).lines.map((l) => l.text);
    expect(start).toEqual(["Kubernetes Bootcamp App Started At: 2025-01-01T00:00:00.040Z | Running On:  app-7d4b9c8f6-x2x9k ", ""]);
  });

  it("agnhost netexec serves /hostname, /echo and /shell on its --http-port", () => {
    const p = podOf({ image: "registry.k8s.io/e2e-test-images/agnhost:2.53", command: ["/agnhost", "netexec", "--http-port=8080"] });
    expect(get(p, 8080, "/hostname").body).toBe("app-7d4b9c8f6-x2x9k");
    expect(get(p, 8080, "/echo?msg=hello").body).toBe("hello");
    expect(JSON.parse(get(p, 8080, "/shell?shellCommand=echo%20hi").body)).toEqual({ output: "hi\n" });
    const args = podOf({ image: "registry.k8s.io/e2e-test-images/agnhost:2.53", args: ["netexec", "--http-port", "9000"] });
    expect(listeningPorts(args.spec.containers[0])).toEqual([9000]);
  });

  it("agnhost serve-hostname answers its hostname on 9376; liveness is healthy for 10 s, then 500", () => {
    expect(get(podOf({ image: "registry.k8s.io/e2e-test-images/agnhost:2.53", args: ["serve-hostname"] }), 9376, "/").body).toBe(
      "app-7d4b9c8f6-x2x9k",
    );
    const live = podOf({ image: "registry.k8s.io/e2e-test-images/agnhost:2.53", args: ["liveness"] });
    expect(get(live, 8080, "/healthz", T0 + 9000).status).toBe(200);
    const late = get(live, 8080, "/healthz", T0 + 12_000);
    expect([late.status, late.body]).toEqual([500, "error: 12"]);
  });

  it("php-apache (hpa-example) answers OK! with Apache's access-log line; the guestbook frontend keeps its messages", () => {
    const r = get(podOf({ image: "registry.k8s.io/hpa-example" }), 80, "/");
    expect([r.status, r.body]).toEqual([200, "OK!"]);
    expect(r.lines[0]).toBe('10.244.1.1 - - [01/Jan/2025:00:00:05 +0000] "GET / HTTP/1.1" 200 3 "-" "curl/8.5.0"');
    const gb = podOf({ image: "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5" });
    expect(get(gb, 80, "/").body).toContain("<h2>Guestbook</h2>");
    expect(get(gb, 80, "/guestbook.php?cmd=set&key=messages&value=,hi").body).toBe('{"message": "Updated"}');
    expect(get(gb, 80, "/guestbook.php?cmd=get&key=messages").body).toBe('{"data": ",hi"}');
  });

  it("hello-app answers Hello, world! with its version and hostname", () => {
    expect(get(podOf({ image: "us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0" }), 8080, "/").body).toBe(
      "Hello, world!\nVersion: 1.0.0\nHostname: app-7d4b9c8f6-x2x9k\n",
    );
  });
});

describe("ps in a container", () => {
  const podOf = (container: Obj): Obj => ({
    metadata: { name: "web", namespace: "default", uid: "uid-web" },
    spec: { nodeName: "node01", containers: [{ name: "c", ...container }] },
    status: { podIP: "10.244.1.4", containerStatuses: [{ name: "c", restartCount: 0, state: { running: { startedAt: iso(T0) } } }] },
  });
  const ps = (p: Obj, argv: string[]) => {
    let out = "";
    runCommand(argv, containerContext(p, p.spec.containers[0], undefined, T0 + 5000), {
      stdout: (s) => void (out += s),
      stderr: (s) => void (out += s),
    });
    return out
      .split("\n")
      .filter(Boolean)
      .map((l) => l.trim().replace(/\s+/g, " "));
  };
  const sleeper = podOf({ image: "busybox", command: ["sleep", "3600"] });
  it("an exec'd shell sees the container's PID 1, itself, and ps", () => {
    expect(ps(sleeper, ["sh", "-c", "ps"])).toEqual([
      "PID USER TIME COMMAND",
      "1 root 0:00 sleep 3600",
      "8 root 0:00 sh",
      "14 root 0:00 ps",
    ]);
  });
  it("ps exec'd alone has no shell beside it", () => {
    expect(ps(sleeper, ["ps"])).toEqual(["PID USER TIME COMMAND", "1 root 0:00 sleep 3600", "7 root 0:00 ps"]);
  });
  it("nginx shows its master and its workers", () => {
    const nginx = podOf({ image: "nginx" });
    expect(processTable(nginx, nginx.spec.containers[0], "bash").map((x) => `${x.pid} ${x.user} ${x.command}`)).toEqual([
      "1 root nginx: master process nginx -g daemon off;",
      "29 101 nginx: worker process",
      "30 101 nginx: worker process",
      "37 root bash",
      "43 root ps",
    ]);
  });
});

describe("kill from a shell exec'd into a container", () => {
  const podOf = (container: Obj): Obj => ({
    metadata: { name: "web", namespace: "default", uid: `uid-${Math.random()}` },
    spec: { nodeName: "node01", restartPolicy: "Always", containers: [{ name: "c", imagePullPolicy: "IfNotPresent", ...container }] },
    status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: iso(T0) }] },
  });
  const exec = (p: Obj, script: string, at: number) => {
    const exits: { code: number; at: number; startedAt: number }[] = [];
    let out = "";
    const code = runCommand(
      ["sh", "-c", script],
      containerContext(p, p.spec.containers[0], undefined, at, undefined, undefined, false, (e) => void exits.push(e)),
      { stdout: (s) => void (out += s), stderr: (s) => void (out += s) },
    );
    return { code, out, exits };
  };

  it("kill 1 stops nginx its own way; the kubelet then restarts it with the exit as lastState", () => {
    const p = podOf({ image: "nginx" });
    run(p, T0, T0 + 30_000);
    const killed = exec(p, "kill 1", T0 + 40_000);
    expect([killed.code, killed.out]).toEqual([0, ""]);
    expect(killed.exits).toHaveLength(1);
    expect(killed.exits[0]).toMatchObject({
      code: 0,
      at: T0 + 40_300,
      startedAt: Date.parse(p.status.containerStatuses[0].state.running.startedAt),
    });
    const stored = killed.exits[0];
    const k = (now: number): StageContext => ({
      ...ctx(now),
      exitOf: (_pod, _c, startedAt) => (startedAt === stored.startedAt ? stored : undefined),
    });
    for (let now = T0 + 40_000, i = 0; i < 10; i++) {
      const r = advance(p, k(now));
      if (r.wakeIn === undefined) break;
      now += Math.max(r.wakeIn, 1);
    }
    const s = p.status.containerStatuses[0];
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 0, reason: "Completed", finishedAt: iso(T0 + 40_300) });
    expect(s.state.running).toBeTruthy();
  });

  it("a PID 1 without a handler ignores kill and kill -9 from inside; an unknown pid is no such process", () => {
    const p = podOf({ image: "busybox", command: ["sleep", "3600"] });
    run(p, T0, T0 + 30_000);
    expect(exec(p, "kill -9 1; kill 1; echo $?", T0 + 40_000)).toEqual({ code: 0, out: "0\n", exits: [] });
    expect(exec(p, "kill 99", T0 + 40_000)).toMatchObject({ code: 1, out: "kill: can't kill pid 99: No such process\n" });
    expect(exec(p, "kill -FOO 1", T0 + 40_000)).toMatchObject({ code: 1, out: "kill: bad signal name 'FOO'\n" });
  });
});

describe("df and top in a container", () => {
  const node01 = { metadata: { name: "node01" }, status: { capacity: { "ephemeral-storage": "20134592Ki", memory: "2030940Ki" } } };
  const reader = { get: (plural: string) => (plural === "nodes" ? node01 : undefined), list: () => [] };
  const podOf = (image: string): Obj => ({
    metadata: { name: "p", namespace: "default", uid: "uid-df" },
    spec: {
      nodeName: "node01",
      volumes: [{ name: "data", emptyDir: {} }],
      containers: [{ name: "c", image, command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
    },
    status: { podIP: "10.244.1.4", containerStatuses: [{ name: "c", restartCount: 0, state: { running: { startedAt: iso(T0) } } }] },
  });
  const sh = (p: Obj, script: string) => {
    let out = "";
    runCommand(["sh", "-c", script], containerContext(p, p.spec.containers[0], reader, T0 + 5000), {
      stdout: (s) => void (out += s),
      stderr: (s) => void (out += s),
    });
    return out;
  };
  it("busybox df: the overlay root on the node's disk, /dev, the kubelet's files and the volume, Use% of what users can have", () => {
    const out = sh(podOf("busybox"), "df").split("\n");
    expect(out[0]).toBe("Filesystem           1K-blocks      Used Available Use% Mounted on");
    expect(out[1]).toBe("overlay               20134592   5436340  13691522  28% /");
    expect(out).toContain("tmpfs                    65536         0     65536   0% /dev");
    expect(out).toContain("/dev/sda1             20134592   5436340  13691522  28% /data");
  });
  it("coreutils df in a Debian image aligns its own columns", () => {
    const out = sh(podOf("debian"), "df").split("\n");
    expect(out[0]).toBe("Filesystem     1K-blocks    Used Available Use% Mounted on");
    expect(out[1]).toBe("overlay         20134592 5436340  13691522  29% /");
  });
  it("top -b -n1 shows the node's memory and the process table ps shows", () => {
    const out = sh(podOf("busybox"), "top -b -n1").split("\n");
    expect(out[0]).toBe("Mem: 1177945K used, 852995K free, 2340K shrd, 71508K buff, 812300K cached");
    expect(out[4]).toMatch(/^\s+1\s+0 root\s+S\s+\d+\s+0%\s+\d\s+0% sleep 3600$/);
    expect(out[5]).toMatch(/^\s+8\s+0 root\s+S .* sh$/);
    expect(out[6]).toMatch(/^\s+14\s+8 root\s+R .* top -b -n1$/);
  });
});

describe("pull events", () => {
  const events = (present: boolean) => {
    const p: Obj = {
      metadata: { name: "p", namespace: "default", uid: `uid-pull-${present}` },
      spec: { nodeName: "node01", containers: [{ name: "c", image: "docker.io/redis", imagePullPolicy: "IfNotPresent" }] },
      status: {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: iso(T0) }],
      },
    };
    const out: string[] = [];
    for (let now = T0, i = 0; i < 20; i++) {
      const r = advance(p, { ...ctx(now), imagePresent: () => present });
      out.push(...r.events.map((e) => `${e.reason}: ${e.message}`));
      if (r.wakeIn === undefined || p.status.containerStatuses?.[0]?.state?.running) break;
      now += Math.max(r.wakeIn, 1);
    }
    return { out, image: p.status.containerStatuses[0].image };
  };
  it('an image already on the node: Pulled "already present" with no Pulling before it', () => {
    const { out, image } = events(true);
    expect(out.filter((e) => /^Pull/.test(e))).toEqual(['Pulled: Container image "docker.io/redis" already present on machine']);
    expect(image).toBe("docker.io/library/redis:latest");
  });
  it("an image the node lacks: Pulling, then Pulled with the time it took", () => {
    const { out } = events(false);
    expect(out.filter((e) => /^Pull/.test(e)).map((e) => e.replace(/ in .*$/, ""))).toEqual([
      'Pulling: Pulling image "docker.io/redis"',
      'Pulled: Successfully pulled image "docker.io/redis"',
    ]);
  });
});

describe("the docs' liveness example (agnhost liveness)", () => {
  it("/healthz fails after 10 s: the third failure at 3 s periods kills the container", () => {
    const c = {
      name: "liveness",
      image: "registry.k8s.io/e2e-test-images/agnhost:2.40",
      args: ["liveness"],
      livenessProbe: {
        httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "Custom-Header", value: "Awesome" }] },
        initialDelaySeconds: 3,
        periodSeconds: 3,
      },
    };
    const pod: Obj = {
      metadata: { name: "liveness-http", namespace: "default", uid: "uid-liveness" },
      spec: { nodeName: "node01", containers: [c] },
      status: {
        podIP: "10.244.1.9",
        containerStatuses: [{ name: "liveness", restartCount: 0, state: { running: { startedAt: iso(T0) } } }],
      },
    };
    const kill = probeTimeline(pod, c, T0, (s) => s * 1000).kill!;
    // Probes at 3, 6, 9 (ok), 12, 15, 18 (500): failureThreshold 3 → killed at 18 s.
    expect(kill.at - T0).toBe(18_000);
    expect(kill.message).toBe("HTTP probe failed with statuscode: 500");
    expect(kill.failures).toBe(3);
  });
});
