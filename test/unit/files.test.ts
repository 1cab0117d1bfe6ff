import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FileStore, containerFS } from "../../durable/nodes/runtime/files";
import { FSError } from "../../durable/fs";
import { packTar, unpackTar } from "../../durable/shell/tar";
import { containerContext } from "../../durable/nodes/runtime/container";
import { runCommand } from "../../durable/shell";
import { command, newState } from "../../durable/shell/interp";
import { serve } from "../../durable/nodes/runtime/servers";
import type { Obj } from "../../durable/resources/types";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

async function withFiles<T>(fn: (files: FileStore) => T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, (_i, state) => fn(new FileStore(state.storage.sql)));
}

/** A reader over a few objects, with the store attached as a cluster's Client has it. */
const reader = (files: FileStore | undefined, objs: Obj[] = []) => ({
  files,
  get: (plural: string, ns: string | undefined, name: string) =>
    objs.find((o) => o.kind.toLowerCase() + "s" === plural && o.metadata.name === name),
  list: () => [],
});

function pod(containers: Obj[], opts: { volumes?: Obj[]; restarts?: number; uid?: string; startedAt?: number } = {}): Obj {
  return {
    metadata: { name: "p", namespace: "default", uid: opts.uid ?? `uid-${Math.random()}` },
    spec: { nodeName: "node01", containers, volumes: opts.volumes ?? [] },
    status: {
      phase: "Running",
      podIP: "10.244.1.5",
      containerStatuses: containers.map((c) => ({
        name: c.name,
        restartCount: opts.restarts ?? 0,
        state: { running: { startedAt: iso(opts.startedAt ?? T0) } },
      })),
    },
  };
}

/** Run a shell command line in a container at `at` (as exec does); returns [code, output]. */
function sh(p: Obj, c: Obj, files: FileStore | undefined, at: number, script: string, objs: Obj[] = []): [number, string] {
  let out = "";
  const r = reader(files, objs);
  const ctx = containerContext(p, c, r, at, undefined, containerFS(p, c, at, { reader: r }));
  const code = runCommand(["sh", "-c", script], ctx, { stdout: (x) => void (out += x), stderr: (x) => void (out += x) });
  return [code, out];
}

describe("tar format", () => {
  it("round-trips files, directories, binary data and long names with valid checksums", () => {
    const bin = Uint8Array.from({ length: 1500 }, (_, i) => (i * 37) & 255);
    const long = `${"d".repeat(60)}/${"f".repeat(80)}.txt`;
    const archive = packTar([
      { name: "dir", type: "dir" },
      { name: "dir/bin", type: "file", data: bin, mtime: 1700000000 },
      { name: long, type: "file", data: new TextEncoder().encode("x") },
    ]);
    expect(archive.length % 10240).toBe(0);
    // The first header's checksum: the sum of its bytes with the field as spaces, in octal.
    const h = archive.subarray(0, 512);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    expect(new TextDecoder().decode(h.subarray(148, 154))).toBe(sum.toString(8).padStart(6, "0"));
    expect(new TextDecoder().decode(h.subarray(0, 4))).toBe("dir/");
    const back = unpackTar(archive);
    expect(back.map((e) => [e.name, e.type])).toEqual([
      ["dir/", "dir"],
      ["dir/bin", "file"],
      [long, "file"],
    ]);
    expect([...back[1].data!]).toEqual([...bin]);
    expect(back[1].mtime).toBe(1700000000);
  });

  it("reads pax path records (Go's writer for long names) and rejects a bad checksum", () => {
    const name = "p/".repeat(70) + "file";
    const rec = ` path=${name}\n`;
    let len = rec.length + 3;
    if (String(len).length !== 3) len = rec.length + String(len).length;
    const pax = new TextEncoder().encode(`${len}${rec}`);
    const a = packTar([
      { name: "PaxHeaders/x", type: "file", data: pax },
      { name: "short", type: "file", data: new TextEncoder().encode("hi") },
    ]);
    a[156] = "x".charCodeAt(0); // make the first entry a pax header (fix its checksum)
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : a[i];
    a.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    const e = unpackTar(a);
    expect(e).toHaveLength(1);
    expect(e[0].name).toBe(name);
    a[1024 + 10] ^= 1; // corrupt the second header (after the pax header and its block)
    expect(() => unpackTar(a)).toThrow();
  });
});

describe("the container filesystem", () => {
  const busybox = { name: "c", image: "busybox:1.36", command: ["sleep", "3600"] };

  it("keeps exec writes across sessions, and a restart starts from the image", async () => {
    await withFiles((files) => {
      const p = pod([busybox], { uid: "u1" });
      expect(sh(p, busybox, files, T0 + 1000, "echo hi > /tmp/x; mkdir -p /data/d; echo bye > /data/d/f")[0]).toBe(0);
      expect(sh(p, busybox, files, T0 + 2000, "cat /tmp/x /data/d/f")).toEqual([0, "hi\nbye\n"]);
      expect(sh(p, busybox, files, T0 + 3000, "rm /tmp/x; cat /tmp/x")[1]).toContain("No such file");
      expect(sh(p, busybox, files, T0 + 3500, "cat /tmp/x")[0]).toBe(1);
      expect(sh(pod([busybox], { uid: "u1" }), busybox, files, T0 + 4000, "rm /etc/os-release; test -e /etc/os-release")[0]).toBe(1);
      // A restart is a new container instance: its root filesystem is the image's again.
      const restarted = pod([busybox], { uid: "u1", restarts: 1, startedAt: T0 + 5000 });
      expect(sh(restarted, busybox, files, T0 + 6000, "cat /data/d/f; cat /etc/os-release")).toEqual([
        0,
        "cat: can't open '/data/d/f': No such file or directory\nNAME=\"BusyBox\"\n",
      ]);
    });
  });

  it("shares an emptyDir between containers, across restarts, and serves it from nginx", async () => {
    await withFiles((files) => {
      const writer = {
        name: "writer",
        image: "busybox",
        command: ["sh", "-c", "sleep 5; echo from-program > /shared/prog.html; sleep 3600"],
        volumeMounts: [{ name: "html", mountPath: "/shared" }],
      };
      const web = { name: "web", image: "nginx:1.27", volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }] };
      const p = pod([writer, web], { uid: "u2", volumes: [{ name: "html", emptyDir: {} }] });
      // The program's write appears when it happens, in both containers.
      expect(sh(p, web, files, T0 + 1000, "cat /usr/share/nginx/html/prog.html")[0]).toBe(1);
      expect(sh(p, web, files, T0 + 6000, "cat /usr/share/nginx/html/prog.html")).toEqual([0, "from-program\n"]);
      expect(sh(p, writer, files, T0 + 7000, "echo hello > /shared/index.html")[0]).toBe(0);
      const get = (path: string, at: number, q = p) =>
        serve({ method: "GET", path, headers: {} }, 80, {
          pod: q,
          container: web,
          remoteAddr: "10.244.1.1",
          now: at,
          reader: reader(files),
        });
      const r = get("/", T0 + 8000);
      expect(r.kind === "http" && [r.status, r.body]).toEqual([200, "hello\n"]);
      // A restart of the web container keeps the volume.
      const restarted = pod([writer, web], { uid: "u2", restarts: 2, startedAt: T0 + 9000, volumes: [{ name: "html", emptyDir: {} }] });
      expect(sh(restarted, web, files, T0 + 10_000, "cat /usr/share/nginx/html/index.html")).toEqual([0, "hello\n"]);
      expect(sh(p, web, files, T0 + 11_000, "rm /usr/share/nginx/html/index.html")[0]).toBe(0);
      const gone = get("/index.html", T0 + 12_000);
      expect(gone.kind === "http" && gone.status).toBe(404);
      expect(gone.kind === "http" && gone.body).toContain("<center><h1>404 Not Found</h1></center>");
    });
  });

  it("serves what exec wrote over nginx's own index.html", async () => {
    await withFiles((files) => {
      const web = { name: "web", image: "nginx" };
      const p = pod([web], { uid: "u3" });
      const get = (at: number) =>
        serve({ method: "GET", path: "/", headers: {} }, 80, {
          pod: p,
          container: web,
          remoteAddr: "10.244.1.1",
          now: at,
          reader: reader(files),
        });
      const before = get(T0 + 500);
      expect(before.kind === "http" && before.body).toContain("Welcome to nginx!");
      sh(p, web, files, T0 + 1000, "echo hello > /usr/share/nginx/html/index.html");
      const after = get(T0 + 2000);
      expect(after.kind === "http" && after.body).toBe("hello\n");
    });
  });

  it("mounts ConfigMaps read-only", async () => {
    await withFiles((files) => {
      const cm = { kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { "app.conf": "x=1\n" } };
      const c = { ...busybox, volumeMounts: [{ name: "cfg", mountPath: "/etc/config" }] };
      const p = pod([c], { uid: "u4", volumes: [{ name: "cfg", configMap: { name: "cfg" } }] });
      expect(sh(p, c, files, T0 + 1000, "cat /etc/config/app.conf", [cm])).toEqual([0, "x=1\n"]);
      expect(sh(p, c, files, T0 + 1000, "echo y > /etc/config/app.conf", [cm])).toEqual([
        1,
        "sh: can't create /etc/config/app.conf: Read-only file system\n",
      ]);
      expect(sh(p, c, files, T0 + 1000, "rm /etc/config/app.conf", [cm])).toEqual([
        1,
        "rm: can't remove '/etc/config/app.conf': Read-only file system\n",
      ]);
      const fs = containerFS(p, c, T0, { reader: reader(files, [cm]) });
      expect(() => fs.writeBytes!("/etc/config/new", new Uint8Array([1]))).toThrow(FSError);
    });
  });

  it("extracts and creates tar archives in a container (kubectl cp's commands)", async () => {
    await withFiles((files) => {
      const p = pod([busybox], { uid: "u5" });
      const r = reader(files);
      const bin = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 255);
      const run = (argv: string[], stdinBytes?: Uint8Array) => {
        const chunks: Uint8Array[] = [];
        let err = "";
        const s = newState(containerContext(p, busybox, r, T0 + 1000, undefined, containerFS(p, busybox, T0 + 1000, { reader: r })));
        const io = {
          stdout: (x: string) => void chunks.push(new TextEncoder().encode(x)),
          stderr: (x: string) => void (err += x),
          stdoutBytes: (b: Uint8Array) => void chunks.push(b),
        };
        const code = command(argv, s, io, stdinBytes ? new TextDecoder().decode(stdinBytes) : "", stdinBytes);
        return { code, out: concat(chunks), err };
      };
      const x = run(
        ["tar", "-xmf", "-", "-C", "/tmp"],
        packTar([
          { name: "bin.dat", type: "file", data: bin },
          { name: "d/e/f.txt", type: "file", data: new TextEncoder().encode("deep") },
        ]),
      );
      expect([x.code, x.err]).toEqual([0, ""]);
      expect(sh(p, busybox, files, T0 + 2000, "cat /tmp/d/e/f.txt")).toEqual([0, "deep"]);
      const c = run(["tar", "cf", "-", "/tmp/bin.dat"]);
      expect(c.err).toBe("tar: removing leading '/' from member names\n");
      const back = unpackTar(c.out);
      expect(back.map((e) => e.name)).toEqual(["tmp/bin.dat"]);
      expect([...back[0].data!]).toEqual([...bin]);
      const d = run(["tar", "cf", "-", "/tmp/d"]);
      expect(unpackTar(d.out).map((e) => e.name)).toEqual(["tmp/d/", "tmp/d/e/", "tmp/d/e/f.txt"]);
      expect(run(["tar", "xf", "-", "-C", "/tmp"], new TextEncoder().encode("not a tar archive at all".repeat(30))).err).toBe(
        "tar: invalid tar magic\n",
      );
    });
  });

  it("forgets a deleted pod's files", async () => {
    await withFiles((files) => {
      const p = pod([busybox], { uid: "u6" });
      sh(p, busybox, files, T0 + 1000, "echo kept > /root/f");
      expect(sh(p, busybox, files, T0 + 2000, "cat /root/f")[1]).toBe("kept\n");
      files.forget("u6");
      expect(sh(p, busybox, files, T0 + 3000, "cat /root/f")[0]).toBe(1);
    });
  });

  it("shows the liveness tutorial's /tmp/healthy while the program keeps it", () => {
    const c = {
      name: "liveness",
      image: "registry.k8s.io/busybox",
      args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
    };
    const p = pod([c]);
    expect(sh(p, c, undefined, T0 + 10_000, "cat /tmp/healthy")[0]).toBe(0);
    expect(sh(p, c, undefined, T0 + 40_000, "cat /tmp/healthy")[0]).toBe(1);
  });
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) out.set(c, (off += c.length) - c.length);
  return out;
}
