import { describe, expect, it } from "vitest";
import { clusterNetwork, type ClusterReader } from "../../durable/nodes/runtime/network";
import { imagePrograms, imageView, programIn } from "../../durable/nodes/runtime/images";
import { containerRun, startError } from "../../durable/nodes/runtime/container";
import { imageHas } from "../../durable/nodes/streams/exec";
import { InteractiveShell, runCommand, runProgram, type ShellContext } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";
import type { Obj } from "../../durable/resources/types";

const NOW = Date.parse("2026-11-21T22:01:02Z");

const pod = (name: string, ip: string, image: string, nodeName = "node01"): Obj => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: name } },
  spec: { nodeName, containers: [{ name: "c", image, command: ["sleep", "3600"] }] },
  status: {
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    containerStatuses: [{ name: "c", restartCount: 0, state: { running: { startedAt: "2026-11-21T22:00:00Z" } } }],
  },
});
const web = pod("web", "10.244.1.2", "nginx");
const far = pod("far", "10.244.2.7", "nginx", "node02");
const objs: Record<string, Obj[]> = {
  nodes: [
    {
      metadata: { name: "node01" },
      spec: { podCIDR: "10.244.1.0/24" },
      status: { addresses: [{ type: "InternalIP", address: "172.30.1.2" }] },
    },
    {
      metadata: { name: "node02" },
      spec: { podCIDR: "10.244.2.0/24" },
      status: { addresses: [{ type: "InternalIP", address: "172.30.2.2" }] },
    },
  ],
  pods: [web, far],
  services: [
    {
      metadata: { name: "web", namespace: "default", uid: "svc-web" },
      spec: { clusterIP: "10.96.10.1", clusterIPs: ["10.96.10.1"], ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] },
    },
    {
      metadata: { name: "empty", namespace: "default", uid: "svc-empty" },
      spec: { clusterIP: "10.96.10.3", clusterIPs: ["10.96.10.3"], ports: [{ port: 80, protocol: "TCP" }] },
    },
  ],
  endpoints: [
    {
      metadata: { name: "web", namespace: "default" },
      subsets: [
        {
          addresses: [{ ip: "10.244.1.2", targetRef: { kind: "Pod", namespace: "default", name: "web" } }],
          ports: [{ port: 80, protocol: "TCP" }],
        },
      ],
    },
    { metadata: { name: "empty", namespace: "default" } },
  ],
};
const reader: ClusterReader = {
  get: (plural, ns, name) => (objs[plural] ?? []).find((o) => o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns),
  list: (plural) => objs[plural] ?? [],
};

/** A shell context inside a container of `image` (a client pod on node01). */
function ctx(image: string): ShellContext {
  const client = pod("client", "10.244.1.20", image);
  return {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root" },
    cwd: "/",
    hostname: "client",
    fs: new MemoryFS({
      "/etc/resolv.conf": "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    }),
    net: clusterNetwork(reader, undefined, NOW),
    now: () => NOW,
    pod: client,
    container: client.spec.containers[0],
    image: imageView(image),
  };
}

function run(image: string, argv: string[]) {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) };
  const code = runCommand(argv, ctx(image), io);
  return { out, err, code };
}
const sh = (image: string, script: string) => run(image, ["sh", "-c", script]);

describe("which programs each image has", () => {
  const has = (image: string, ...programs: string[]) => programs.map((p) => imageHas(image, p));
  it("busybox and alpine: busybox applets (wget, nc, ping, nslookup, ps), no curl, no bash", () => {
    for (const image of ["busybox", "busybox:1.36", "alpine:3.21"]) {
      expect(has(image, "sh", "wget", "nc", "ping", "nslookup", "ps", "tar", "vi", "/bin/sh")).toEqual(Array(9).fill(true));
      expect(has(image, "curl", "bash", "apt-get")).toEqual([false, false, false]);
    }
    expect(has("alpine", "apk", "httpd")).toEqual([true, false]);
    expect(has("busybox", "apk", "httpd")).toEqual([false, true]);
  });
  it("Debian and Ubuntu bases: bash, dash as sh, coreutils; no curl, wget, ps, ping, nslookup", () => {
    for (const image of ["debian:bookworm", "ubuntu:24.04", "ubuntu"]) {
      expect(has(image, "bash", "sh", "ls", "cat", "grep", "tar", "hostname")).toEqual(Array(7).fill(true));
      expect(has(image, "curl", "wget", "ps", "ping", "nslookup", "nc", "vi")).toEqual(Array(7).fill(false));
      expect(programIn(imagePrograms(image), "sh")).toBe("dash");
    }
  });
  it("servers: nginx has curl (its Dockerfile installs it), httpd/redis/postgres have neither curl nor wget", () => {
    expect(has("nginx:1.27", "curl", "bash", "nginx", "wget", "ps", "ping")).toEqual([true, true, true, false, false, false]);
    for (const image of ["httpd", "redis", "postgres:17"])
      expect(has(image, "bash", "curl", "wget", "ps")).toEqual([true, false, false, false]);
    expect(has("redis", "redis-cli")).toEqual([true]);
    expect(has("postgres", "psql")).toEqual([true]);
    expect(has("mysql:9", "mysql", "bash", "curl")).toEqual([true, true, false]);
    expect(programIn(imagePrograms("mysql"), "sh")).toBe("bash"); // Oracle Linux: sh is bash
  });
  it("curl and debug images, scratch and pause images", () => {
    expect(has("curlimages/curl", "curl", "sh", "wget", "bash")).toEqual([true, true, true, false]);
    expect(has("nicolaka/netshoot", "curl", "bash", "ping", "nc", "dig", "tcpdump")).toEqual(Array(6).fill(true));
    expect(programIn(imagePrograms("nicolaka/netshoot"), "ping")).toBe("iputils");
    expect(has("traefik/whoami", "sh", "ls", "whoami", "/whoami")).toEqual([false, false, true, true]);
    expect(has("registry.k8s.io/pause:3.10", "sh", "ls")).toEqual([false, false]);
  });
  it("hello-style servers ship their own binary (the hello-node tutorial runs `/agnhost netexec`)", () => {
    expect(has("registry.k8s.io/e2e-test-images/agnhost:2.39", "/agnhost", "agnhost", "sh")).toEqual([true, true, true]);
    expect(has("gcr.io/google-samples/hello-app:1.0", "/hello-app")).toEqual([true]);
  });
  it("a learner's own image: Debian-like with bash and curl; its own programs are its own", () => {
    expect(has("username/myapp:0.0.1", "bash", "curl", "node", "/app/server", "wget", "ping", "ps")).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("a missing program, as each shell and the runtime say it", () => {
  it("busybox/alpine ash: sh: curl: not found, 127", () => {
    for (const image of ["busybox", "alpine"]) {
      expect(sh(image, "curl -s web")).toEqual({ out: "", err: "sh: curl: not found\n", code: 127 });
      expect(sh(image, "bash -c 'echo hi'")).toEqual({ out: "", err: "sh: bash: not found\n", code: 127 });
      expect(sh(image, "curl web || echo $?")).toEqual({ out: "127\n", err: "sh: curl: not found\n", code: 0 });
    }
  });
  it("Debian's sh is dash (sh: 1: …), bash -c says line 1, an interactive bash does not", () => {
    expect(sh("debian", "ps aux")).toEqual({ out: "", err: "sh: 1: ps: not found\n", code: 127 });
    expect(run("ubuntu", ["bash", "-c", "wget -qO- web"])).toEqual({ out: "", err: "bash: line 1: wget: command not found\n", code: 127 });
    expect(run("mysql", ["sh", "-c", "curl web"])).toEqual({ out: "", err: "sh: line 1: curl: command not found\n", code: 127 });
    let out = "";
    const shell = new InteractiveShell(ctx("nginx"), { shell: "bash" });
    shell.feed("ping web\r", { stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
    expect(out).toContain("\r\nbash: ping: command not found\r\n");
  });
  it("builtins are there in every shell; curl is there where the image has it", () => {
    expect(sh("debian", "echo hi; pwd; cd /etc; pwd; export A=1; test -n x && true")).toEqual({ out: "hi\n/\n/etc\n", err: "", code: 0 });
    expect(sh("nginx", "curl -s web")).toMatchObject({ code: 0, out: expect.stringContaining("Welcome to nginx!") });
    expect(sh("username/myapp:0.0.1", "curl -s web | grep -c nginx")).toMatchObject({ code: 0, out: "6\n" });
  });
  it("a program in the image that kubeplay does not simulate says so, without pretending", () => {
    expect(sh("busybox", "vi /etc/hosts")).toEqual({
      out: "",
      err: "kubeplay: vi: this program is in the image, but kubeplay does not simulate it\n",
      code: 126,
    });
  });
  it("env runs only the image's programs", () => {
    expect(sh("busybox", "env curl web")).toEqual({ out: "", err: "env: can't execute 'curl': No such file or directory\n", code: 127 });
  });
  it("a container whose command the image lacks fails to start: StartError 128 with the runtime's message", () => {
    const p = pod("bad", "10.244.1.30", "busybox");
    p.spec.containers[0] = { name: "c", image: "busybox", args: ["curl", "-s", "web"] };
    const r = containerRun(p, p.spec.containers[0], NOW, reader);
    expect(r.exit).toEqual({ code: 128, at: NOW, reason: "StartError", message: startError("curl") });
    expect(startError("curl")).toBe(
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "curl": executable file not found in $PATH: unknown',
    );
    const ok = { name: "c", image: "busybox", args: ["wget", "-qO-", "web"] };
    const fine = containerRun({ ...p, spec: { ...p.spec, containers: [ok] } }, ok, NOW + 1, reader);
    expect(fine.exit).toMatchObject({ code: 0 });
    expect(fine.lines.map((l) => l.text).join("\n")).toContain("Welcome to nginx!");
    // A learner's image runs its own programs (not simulated: it runs on, quietly).
    const own = { name: "c", image: "username/myapp:0.0.1", command: ["node", "server.js"] };
    expect(containerRun({ ...p, spec: { ...p.spec, containers: [own] } }, own, NOW + 2, reader).exit).toBeUndefined();
  });
});

describe("ping", () => {
  it("busybox: a pod IP answers, with its statistics", () => {
    const r = sh("busybox", "ping -c 3 10.244.1.2");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(
      /^PING 10\.244\.1\.2 \(10\.244\.1\.2\): 56 data bytes\n(64 bytes from 10\.244\.1\.2: seq=[012] ttl=64 time=0\.\d{3} ms\n){3}\n--- 10\.244\.1\.2 ping statistics ---\n3 packets transmitted, 3 packets received, 0% packet loss\nround-trip min\/avg\/max = 0\.\d{3}\/0\.\d{3}\/0\.\d{3} ms\n$/,
    );
    expect(r.out.match(/seq=(\d)/g)).toEqual(["seq=0", "seq=1", "seq=2"]);
  });
  it("busybox: a ClusterIP does not answer (no interface holds it): 100% loss, exit 1", () => {
    expect(sh("busybox", "ping -c 2 web")).toEqual({
      out: "PING web (10.96.10.1): 56 data bytes\n\n--- web ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n",
      err: "",
      code: 1,
    });
  });
  it("unknown hosts, a pod on another node (ttl 62), the virtual time it takes", () => {
    expect(sh("alpine", "ping -c 1 nope")).toEqual({ out: "", err: "ping: bad address 'nope'\n", code: 1 });
    expect(sh("busybox", "ping -c 1 10.244.2.7").out).toMatch(/ttl=62 time=0\.\d{3} ms/);
    expect(sh("busybox", "ping -c 3 -q 10.244.1.2; date +%T").out).toMatch(/packet loss\n.*\n22:01:04\n$/);
    const cut = sh("busybox", "ping 10.244.1.2");
    expect(cut.out.match(/^64 bytes/gm)).toHaveLength(4);
    expect(cut.err).toBe("kubeplay: ping stopped after 4 packets (without -c a real ping runs until interrupted)\n");
  });
  it("iputils (netshoot): its own format and errors", () => {
    const r = sh("nicolaka/netshoot", "ping -c 2 10.244.1.2");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^PING 10\.244\.1\.2 \(10\.244\.1\.2\) 56\(84\) bytes of data\.\n64 bytes from 10\.244\.1\.2: icmp_seq=1 ttl=64 time=0\.\d+ ms\n64 bytes from 10\.244\.1\.2: icmp_seq=2 ttl=64 time=0\.\d+ ms\n\n--- 10\.244\.1\.2 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 1001ms\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/,
    );
    expect(sh("nicolaka/netshoot", "ping -c 3 web")).toEqual({
      out: "PING web (10.96.10.1) 56(84) bytes of data.\n\n--- web ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n",
      err: "",
      code: 1,
    });
    expect(sh("nicolaka/netshoot", "ping -c 1 nope")).toEqual({ out: "", err: "ping: nope: Name does not resolve\n", code: 2 });
  });
  it("a container's ping without -c runs on, a packet a second, into its logs", () => {
    const r = runProgram(["ping", "10.244.1.2"], ctx("busybox"), { until: NOW + 10_500 });
    expect(r.exit).toBeUndefined();
    expect(r.lines.filter((l) => l.text.startsWith("64 bytes")).map((l) => l.at - NOW)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
    ]);
  });
});

describe("nc", () => {
  it("-zv: open, refused (quiet with one -v, said with -vv), timed out, bad address", () => {
    expect(sh("busybox", "nc -zv web 80")).toEqual({ out: "", err: "web (10.96.10.1:80) open\n", code: 0 });
    expect(sh("busybox", "nc -z web 80")).toEqual({ out: "", err: "", code: 0 });
    expect(sh("busybox", "nc -zv empty 80")).toEqual({ out: "", err: "", code: 1 });
    expect(sh("busybox", "nc -zvv empty 80")).toEqual({ out: "", err: "nc: empty (10.96.10.3:80): Connection refused\n", code: 1 });
    expect(sh("busybox", "nc -zv -w 2 web 81; date +%T")).toEqual({
      out: "22:01:04\n",
      err: "nc: web (10.96.10.1:81): Connection timed out\n",
      code: 0,
    });
    expect(sh("busybox", "nc -zv nope 80")).toEqual({ out: "", err: "nc: bad address 'nope'\n", code: 1 });
    expect(sh("busybox", "nc -zv 10.244.1.2 8080")).toEqual({ out: "", err: "", code: 1 });
  });
  it("sends stdin and prints the server's answer as it comes on the wire", () => {
    const r = sh("busybox", "printf 'GET / HTTP/1.0\\r\\nHost: web\\r\\n\\r\\n' | nc web 80");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\r\n(?:[A-Z][A-Za-z-]*: .*\r\n)+\r\n<!DOCTYPE html>/);
    expect(r.out).toContain("\r\nServer: nginx/1.27.5\r\n");
    expect(r.out).toContain("\r\nContent-Length: 615\r\n");
    const missing = sh("alpine", "printf 'GET /nope HTTP/1.1\\nHost: web\\n\\n' | nc 10.244.1.2 80");
    expect(missing.out).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });
  it("listening and UDP are not simulated: said, not faked", () => {
    expect(sh("busybox", "nc -l -p 8080")).toMatchObject({ code: 1, err: expect.stringContaining("kubeplay: nc -l") });
  });
});
