import { describe, expect, it } from "vitest";
import { advance, type StageContext } from "../../durable/nodes/stages";
import { Clock } from "../../durable/nodes/clock";
import { nextPodIP } from "../../durable/nodes/kubelet";
import { nodeObject, nodeStatus } from "../../durable/bootstrap";
import { printPodSummary } from "../../durable/resources/pod";
import { containerContext, containerRun, readsStdin } from "../../durable/nodes/runtime/container";
import { StdinProcess } from "../../durable/nodes/stdio";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const node = { ...nodeObject("node01", "worker", 1), status: nodeStatus("node01", 1, "2025-01-01T00:00:00Z") };

/** The kubelet's context; `exits` stands for the exits attach recorded (nodes/stdio.ts). */
function ctx(now: number, exits = new Map<string, { code: number; at: number }>()): StageContext {
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
    exitOf: (pod, c, startedAt) => exits.get(`${c.name}/${startedAt}`) ?? containerRun(pod, c, startedAt).exit,
    memoryOf: (pod, c, startedAt) => containerRun(pod, c, startedAt).memory,
  };
}

const pod = (container: Obj, restartPolicy = "Always"): Obj => ({
  metadata: { name: "p", namespace: "default", uid: `uid-${Math.random()}` },
  spec: { nodeName: "node01", restartPolicy, containers: [{ name: "c", imagePullPolicy: "IfNotPresent", ...container }] },
  status: {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" }],
  },
});

/** Drive the kubelet at each due time until `until` (or `stop` says so). */
function run(p: Obj, until: number, exits?: Map<string, { code: number; at: number }>, stop?: (p: Obj) => boolean): number {
  let now = T0;
  while (now <= until) {
    const r = advance(p, ctx(now, exits));
    if (stop?.(p) || r.wakeIn === undefined || r.remove) break;
    now += Math.max(r.wakeIn, 1);
  }
  return now;
}

const stress = (bytes: string, limit: string) => ({
  image: "polinux/stress",
  command: ["stress"],
  args: ["--vm", "1", "--vm-bytes", bytes, "--vm-hang", "1"],
  resources: { requests: { memory: "50Mi" }, limits: { memory: limit } },
});

describe("a shell reading its stdin", () => {
  it("waits for input with stdin: true, and ends when attach makes it exit", () => {
    const c = { image: "busybox", command: ["sh"], stdin: true, stdinOnce: true, tty: true };
    expect(readsStdin(c)).toBe(true);
    expect(readsStdin({ image: "busybox", stdin: true })).toBe(true); // the image's CMD is sh
    expect(readsStdin({ image: "busybox", command: ["sh", "-c", "exit 3"], stdin: true })).toBe(false);
    expect(readsStdin({ image: "busybox", command: ["sh"] })).toBe(false);
    const p = pod(c, "Never");
    run(p, T0 + 600_000);
    const s = p.status.containerStatuses[0];
    expect(s.state.running).toBeDefined();
    expect(printPodSummary(p, T0 + 600_000).status).toBe("Running");
    // `exit 4` typed through attach at T0+10m: the container terminates with it.
    const startedAt = Date.parse(s.state.running.startedAt);
    const exits = new Map([[`c/${startedAt}`, { code: 4, at: T0 + 600_000 }]]);
    run(p, T0 + 700_000, exits);
    expect(p.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 4, reason: "Error" });
    expect(p.status.phase).toBe("Failed");
  });

  it("without stdin, sh reads EOF and exits at once (CrashLoopBackOff under Always)", () => {
    const p = pod({ image: "busybox" });
    run(p, T0 + 120_000);
    expect(p.status.containerStatuses[0].restartCount).toBeGreaterThan(2);
    expect(printPodSummary(p, T0 + 120_000).status).toMatch(/^(CrashLoopBackOff|Completed)$/);
  });

  it("runs lines as they come without a tty, and exits with its last status on EOF", () => {
    const p = pod({ image: "busybox", command: ["sh"], stdin: true });
    p.status.podIP = "10.244.1.9";
    const out: string[] = [];
    let code: number | undefined;
    const proc = new StdinProcess(containerContext(p, p.spec.containers[0], undefined, T0), "sh", false, (c) => (code = c));
    proc.attach({ out: (stream, text) => out.push(`${stream}:${text}`), exit: () => {} });
    proc.write("echo one\nhostname\nls /nope");
    expect(out).toEqual(["stdout:one\n", "stdout:p\n"]);
    proc.close();
    expect(out[2]).toMatch(/^stderr:ls: \/nope: No such file or directory/);
    expect(code).toBe(1);
  });

  it("is a terminal with a tty: echo, CRLF, exit ends it", () => {
    const p = pod({ image: "busybox", command: ["sh"], stdin: true, tty: true });
    let out = "";
    const exits: number[] = [];
    const proc = new StdinProcess(containerContext(p, p.spec.containers[0], undefined, T0), "sh", true, (c) => exits.push(c));
    proc.attach({ out: (_s, text) => (out += text), exit: (c) => exits.push(c) });
    proc.write("\r");
    expect(out).toBe("\r\n/ # ");
    proc.write("echo $((6*7))\r");
    expect(out).toBe("\r\n/ # echo $((6*7))\r\n42\r\n/ # ");
    proc.write("exit 2\r");
    expect(exits).toEqual([2, 2]); // the runtime is told, then the attached client
    proc.write("echo late\r");
    expect(out.endsWith("exit 2\r\n")).toBe(true);
  });
});

describe("OOMKilled", () => {
  it("stress holds --vm × --vm-bytes and says what it dispatches", () => {
    const p = pod(stress("250M", "100Mi"));
    const r = containerRun(p, p.spec.containers[0], T0);
    expect(r.lines.map((l) => l.text)).toEqual(["stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"]);
    expect(r.memory).toEqual({ bytes: 250 * 1024 * 1024, at: T0 + 120 });
    expect(r.exit).toBeUndefined();
    const timed = containerRun(
      pod({ image: "polinux/stress", command: ["stress"], args: ["--vm", "2", "--vm-bytes", "64m", "--timeout", "10s"] }),
      { name: "c", image: "polinux/stress", command: ["stress"], args: ["--vm", "2", "--vm-bytes", "64m", "--timeout", "10s"] },
      T0,
    );
    expect(timed.memory?.bytes).toBe(128 * 1024 * 1024);
    expect(timed.exit).toEqual({ code: 0, at: T0 + 10_000 });
    expect(timed.lines.at(-1)?.text).toBe("stress: info: [1] successful run completed in 10s");
  });

  it("over its limit the container is killed: 137 OOMKilled, then restarts and CrashLoopBackOff", () => {
    const p = pod(stress("250M", "100Mi"));
    const killedAt = run(p, T0 + 60_000, undefined, (x) => !!x.status.containerStatuses?.[0]?.state?.terminated);
    const s = p.status.containerStatuses[0];
    expect(s.state.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    expect(printPodSummary(p, killedAt)).toMatchObject({ status: "OOMKilled", ready: "0/1" });
    run(p, T0 + 120_000);
    const later = p.status.containerStatuses[0];
    expect(later.restartCount).toBeGreaterThanOrEqual(3);
    expect(later.lastState.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    expect(later.state.waiting?.reason ?? (later.state.running && "Running")).toMatch(/^(CrashLoopBackOff|Running)$/);
  });

  it("within its limit it runs on (150M under 200Mi)", () => {
    const p = pod(stress("150M", "200Mi"));
    run(p, T0 + 600_000);
    const s = p.status.containerStatuses[0];
    expect(s.state.running).toBeDefined();
    expect(s.restartCount).toBe(0);
    // Without a limit nothing kills it either.
    const free = pod({ ...stress("250M", "100Mi"), resources: {} });
    run(free, T0 + 600_000);
    expect(free.status.containerStatuses[0].state.running).toBeDefined();
  });
});

describe("StartError", () => {
  it("a command the image lacks never runs: terminated StartError at once, Failed instead of Started, then back-off", () => {
    const p = pod({ image: "busybox", command: ["curl", "-s", "web"] });
    const events: string[] = [];
    let now = T0;
    for (let i = 0; i < 40 && now <= T0 + 60_000; i++) {
      const r = advance(p, ctx(now));
      events.push(...r.events.map((e) => `${e.reason}: ${e.message}`));
      const s = p.status.containerStatuses?.[0];
      expect(s?.state?.running).toBeUndefined(); // never seen running
      if (r.wakeIn === undefined) break;
      now += Math.max(r.wakeIn, 1);
    }
    const s = p.status.containerStatuses[0];
    expect(s.restartCount).toBeGreaterThanOrEqual(2);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 128, reason: "StartError", startedAt: "1970-01-01T00:00:00Z" });
    expect(s.lastState.terminated.message).toContain('exec: "curl": executable file not found in $PATH');
    expect(events.some((e) => e.startsWith("Started"))).toBe(false);
    expect(events.filter((e) => e.startsWith("Failed: Error: failed to create containerd task")).length).toBeGreaterThanOrEqual(2);
    expect(events).toContain("BackOff: Back-off restarting failed container c in pod p_default(" + p.metadata.uid + ")");
  });
});
