// The securityContext in the simulated container: identity (runAsUser/runAsGroup/fsGroup/
// supplementalGroups against the image's USER), the kubelet's verifyRunAsNonRoot, containerd's
// capability sets, and what id/whoami/ps/ls -l and writes show from inside.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Container, Pod, Volume } from "kubernetes-types/core/v1";
import { FileStore, containerFS } from "../../durable/nodes/runtime/files";
import { containerContext } from "../../durable/nodes/runtime/container";
import { runCommand } from "../../durable/shell";
import { boundingSet, containerIdentity, processSecurity, runAsNonRootError } from "../../durable/nodes/runtime/security";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

async function withFiles<T>(fn: (files: FileStore) => T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, (_i, state) => fn(new FileStore(state.storage.sql)));
}

function pod(c: Container, podSC: Obj = {}, volumes: Volume[] = []): Pod {
  return {
    metadata: { name: "x", namespace: "default", uid: "0b6ad1d6-1c2f-4d3e-9a8b-7c6d5e4f3a2b" },
    spec: { nodeName: "node01", securityContext: podSC, containers: [c], volumes },
    status: {
      phase: "Running",
      podIP: "10.244.1.5",
      containerStatuses: [{ name: c.name, restartCount: 0, state: { running: { startedAt: iso(T0) } } } as never],
    },
  };
}

function sh(p: Pod, files: FileStore, script: string): [number, string] {
  let out = "";
  const c = p.spec!.containers[0] as Obj;
  const r = { files, get: () => undefined, list: () => [] };
  const ctx = containerContext(p as Obj, c, r, T0 + 1000, undefined, containerFS(p as Obj, c, T0 + 1000, { reader: r }));
  const code = runCommand(["sh", "-c", script], ctx, { stdout: (x) => void (out += x), stderr: (x) => void (out += x) });
  return [code, out];
}

/** The docs' "Configure a Security Context for a Pod or Container" demo pod. */
const DEMO = pod(
  {
    name: "sec-ctx-demo",
    image: "busybox:1.28",
    command: ["sh", "-c", "sleep 1h"],
    volumeMounts: [{ name: "sec-ctx-vol", mountPath: "/data/demo" }],
    securityContext: { allowPrivilegeEscalation: false },
  },
  { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] },
  [{ name: "sec-ctx-vol", emptyDir: {} }],
);

describe("identity", () => {
  it("takes runAsUser/runAsGroup from the pod, adds fsGroup and supplementalGroups, sorted", () => {
    expect(containerIdentity(DEMO, DEMO.spec!.containers[0])).toEqual({ uid: 1000, gid: 3000, groups: [2000, 3000, 4000] });
  });
  it("lets the container's runAsUser override the pod's", () => {
    const p = pod({ name: "c", image: "busybox", securityContext: { runAsUser: 2000 } }, { runAsUser: 1000 });
    expect(containerIdentity(p, p.spec!.containers[0]).uid).toBe(2000);
  });
  it("runs a bitnami image as its bare USER 1001 (gid 0) and busybox as root with wheel", () => {
    const b = pod({ name: "c", image: "bitnami/nginx" });
    expect(containerIdentity(b, b.spec!.containers[0])).toEqual({ uid: 1001, gid: 0, groups: [0] });
    const r = pod({ name: "c", image: "busybox" });
    expect(containerIdentity(r, r.spec!.containers[0])).toEqual({ uid: 0, gid: 0, groups: [0, 10] });
  });
});

describe("runAsNonRoot (the kubelet's verifyRunAsNonRoot)", () => {
  it("refuses an image running as root with the kubelet's wording", () => {
    const p = pod({ name: "web", image: "nginx" }, { runAsNonRoot: true });
    expect(runAsNonRootError(p, p.spec!.containers[0])).toBe(
      'container has runAsNonRoot and image will run as root (pod: "x_default(0b6ad1d6-1c2f-4d3e-9a8b-7c6d5e4f3a2b)", container: web)',
    );
  });
  it("refuses runAsUser 0, names a non-numeric image user, accepts a numeric non-root one", () => {
    const zero = pod({ name: "c", image: "busybox", securityContext: { runAsUser: 0 } }, { runAsNonRoot: true });
    expect(runAsNonRootError(zero, zero.spec!.containers[0])).toMatch(/^container's runAsUser breaks non-root policy \(pod: /);
    const named = pod({ name: "c", image: "registry.k8s.io/ingress-nginx/controller:v1.12.1" }, { runAsNonRoot: true });
    expect(runAsNonRootError(named, named.spec!.containers[0])).toMatch(
      /^container has runAsNonRoot and image has non-numeric user \(www-data\), cannot verify user is non-root \(pod: /,
    );
    const ok = pod({ name: "c", image: "bitnami/redis" }, { runAsNonRoot: true });
    expect(runAsNonRootError(ok, ok.spec!.containers[0])).toBeUndefined();
  });
});

describe("capabilities", () => {
  it("gives containerd's default set, a80425fb as the docs show, plus add minus drop", () => {
    expect(boundingSet(undefined, false).toString(16)).toBe("a80425fb");
    expect(boundingSet({ add: ["NET_ADMIN", "SYS_TIME"] }, false).toString(16)).toBe("aa0435fb");
    expect(boundingSet({ drop: ["ALL"], add: ["NET_BIND_SERVICE"] }, false).toString(16)).toBe("400");
    expect(boundingSet({ drop: ["NET_RAW"] }, false).toString(16)).toBe("a80405fb");
    expect(boundingSet(undefined, true).toString(16)).toBe("1ffffffffff");
  });
  it("leaves a non-root process no effective capabilities and sets NoNewPrivs when escalation is off", () => {
    const sec = processSecurity(DEMO, DEMO.spec!.containers[0]);
    expect(sec.effective).toBe(0n);
    expect(sec.noNewPrivs).toBe(true);
  });
});

describe("inside the container", () => {
  it("prints the docs' id, ps and ls -l owners for the demo pod", async () => {
    await withFiles((files) => {
      expect(sh(DEMO, files, "id")).toEqual([0, "uid=1000 gid=3000 groups=2000,3000,4000\n"]);
      expect(sh(DEMO, files, "whoami")).toEqual([1, "whoami: unknown uid 1000\n"]);
      expect(sh(DEMO, files, "ps")[1]).toMatch(/^ {4}1 1000 {6}0:00 sh -c sleep 1h$/m);
      const [code, out] = sh(DEMO, files, "cd /data/demo && echo hello > testfile && ls -l && ls -l /data");
      expect(code).toBe(0);
      expect(out).toMatch(/^-rw-r--r-- {4}1 1000 {5}2000 {12}6 .* testfile$/m);
      expect(out).toMatch(/^drwxrwsrwx {4}2 root {5}2000 {9}4096 .* demo$/m);
    });
  });
  it("prints GNU id's primary-group-first list and whoami's message on a Debian image", async () => {
    await withFiles((files) => {
      const p = pod({ name: "web", image: "nginx:1.27", securityContext: { runAsUser: 1000 } }, { fsGroup: 2000 });
      expect(sh(p, files, "id")).toEqual([0, "uid=1000 gid=0(root) groups=0(root),2000\n"]);
      expect(sh(p, files, "whoami")).toEqual([1, "whoami: cannot find name for user ID 1000\n"]);
    });
  });
  it("refuses a non-root write to a root-owned directory with EACCES", async () => {
    await withFiles((files) => {
      expect(sh(DEMO, files, "echo x > /etc/x; touch /usr/y")).toEqual([
        1,
        "sh: can't create /etc/x: Permission denied\ntouch: /usr/y: Permission denied\n",
      ]);
      expect(sh(DEMO, files, "echo x > /tmp/x && cat /tmp/x")).toEqual([0, "x\n"]);
      expect(sh(DEMO, files, "chmod 777 /etc/hosts")).toEqual([1, "chmod: /etc/hosts: Operation not permitted\n"]);
    });
  });
  it("fails writes outside volumes on a read-only root filesystem, not on a volume", async () => {
    await withFiles((files) => {
      const p = pod(
        { name: "c", image: "busybox", securityContext: { readOnlyRootFilesystem: true }, volumeMounts: [{ name: "v", mountPath: "/v" }] },
        {},
        [{ name: "v", emptyDir: {} }],
      );
      expect(sh(p, files, "echo x > /x; touch /y; echo ok > /v/f && cat /v/f")).toEqual([
        0,
        "sh: can't create /x: Read-only file system\ntouch: /y: Read-only file system\nok\n",
      ]);
    });
  });
  it("shows the process's credentials and capability masks in /proc/1/status", async () => {
    await withFiles((files) => {
      const [, out] = sh(DEMO, files, "grep -E '^(Uid|Gid|Groups|Cap|NoNewPrivs)' /proc/1/status");
      expect(out).toBe(
        "Uid:\t1000\t1000\t1000\t1000\nGid:\t3000\t3000\t3000\t3000\nGroups:\t2000 3000 4000 \nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n",
      );
      const root = pod({ name: "c", image: "busybox", securityContext: { capabilities: { add: ["NET_ADMIN", "SYS_TIME"] } } });
      expect(sh(root, files, "grep CapEff /proc/1/status")[1]).toBe("CapEff:\t00000000aa0435fb\n");
    });
  });
});
