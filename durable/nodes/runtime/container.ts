// A container as its process sees it: the environment the kubelet builds, the filesystem, and its
// program (the command/args through the interpreter, or the image's own server) on a virtual clock.
import type { Obj } from "../../resources/types";
import { imageBehaviour, imagePrograms, imageView, inImage, programIn, type ImageBehaviour } from "./images";
import { clusterNetwork, type ClusterReader } from "./network";
import type { VirtualFS } from "../../fs";
import { containerFS } from "./files";
import { hasCommand, runProgram, type ProgramRun } from "../../shell";
import { HaltSignal } from "../../shell/interp";
import { processTable, sharedPidContainer } from "./processes";
import { shellUser } from "./security";
import type { Container, Pod } from "kubernetes-types/core/v1";
import type { Mounted, ShellContext } from "../../shell/types";
import { podMounts, type FSReader } from "./fs";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const b64 = (s: string) => {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
};

/** The hostname of a pod's containers (the node's with hostNetwork, else spec.hostname, else the pod name). */
export const podHostname = (pod: Obj) =>
  (pod.spec?.hostNetwork ? pod.spec?.nodeName : pod.spec?.hostname) ?? pod.metadata?.name ?? "localhost";

/** envvars.FromServices: <NAME>_SERVICE_HOST/PORT and the Docker-link variables. */
export function serviceEnv(services: Obj[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    const name = svc.metadata.name.toUpperCase().replace(/-/g, "_");
    const ports: Obj[] = svc.spec?.ports ?? [];
    if (!ports.length) continue;
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, "_")}`] = String(p.port);
    const first = ports[0];
    const proto = (first.protocol ?? "TCP").toLowerCase();
    env[`${name}_PORT`] = `${proto}://${ip}:${first.port}`;
    for (const p of ports) {
      const pr = (p.protocol ?? "TCP").toLowerCase();
      const prefix = `${name}_PORT_${p.port}_${pr.toUpperCase()}`;
      env[prefix] = `${pr}://${ip}:${p.port}`;
      env[`${prefix}_PROTO`] = pr;
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = ip;
    }
  }
  return env;
}

/** fieldpath.ExtractFieldPathAsString for the downward API. */
export function podField(pod: Obj, path: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return pod.metadata?.[m[1]]?.[m[2]];
  switch (path) {
    case "metadata.name":
      return pod.metadata?.name;
    case "metadata.namespace":
      return pod.metadata?.namespace;
    case "metadata.uid":
      return pod.metadata?.uid;
    case "metadata.labels":
      return Object.entries(pod.metadata?.labels ?? {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join("\n");
    case "metadata.annotations":
      return Object.entries(pod.metadata?.annotations ?? {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join("\n");
    case "spec.nodeName":
      return pod.spec?.nodeName;
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName;
    case "status.hostIP":
      return pod.status?.hostIP;
    case "status.hostIPs":
      return (pod.status?.hostIPs ?? []).map((i: Obj) => i.ip).join(",");
    case "status.podIP":
      return pod.status?.podIP;
    case "status.podIPs":
      return (pod.status?.podIPs ?? []).map((i: Obj) => i.ip).join(",");
  }
  return undefined;
}

/** Quantity → number (cores for cpu, bytes otherwise). */
function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return 0;
  const mult: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * (mult[m[2]] ?? 1);
}

/** resourceFieldRef: the limit (or request), defaulting to the node's allocatable; divided and rounded up. */
export function resourceField(c: Obj, ref: Obj, node?: Obj): string {
  const [kind, res] = String(ref.resource).split(".");
  const value =
    c.resources?.[kind]?.[res] ??
    (kind === "limits" ? node?.status?.allocatable?.[res] : undefined) ??
    (res === "cpu" ? (kind === "limits" ? "2" : "0") : "0");
  const divisor = quantity(ref.divisor ?? (res === "cpu" ? "1" : "1")) || 1;
  return String(Math.ceil(quantity(value) / divisor));
}

/**
 * The kubelet's $(VAR) expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value, `$$` a `$`; an unknown variable or an unclosed `$(` stays as written.
 */
export function expandVars(input: string, vars: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== "$" || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === "$") out += "$";
    else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) out += "$(";
      else {
        const name = input.slice(i + 2, close);
        out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`;
        i = close - 1;
      }
    } else out += `$${next}`;
    i++;
  }
  return out;
}

/** The container with its command and args expanded against its environment, as the runtime gets them. */
export function expandedContainer(c: Obj, env: Record<string, string>): Obj {
  if (!c.command && !c.args) return c;
  return {
    ...c,
    ...(c.command ? { command: (c.command as string[]).map((a) => expandVars(String(a), env)) } : {}),
    ...(c.args ? { args: (c.args as string[]).map((a) => expandVars(String(a), env)) } : {}),
  };
}

/** When the container's current run started (its Service variables are those of Services that existed then). */
const startedAtOf = (pod: Obj, c: Obj): number => {
  const s = (
    [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
      ...(pod.status?.ephemeralContainerStatuses ?? []),
    ] as Obj[]
  ).find((x) => x.name === c.name);
  return Date.parse(s?.state?.running?.startedAt ?? s?.state?.terminated?.startedAt ?? "");
};

/** The environment of a container, as the kubelet and the image set it (order as `env` prints it). */
export function containerEnv(
  pod: Obj,
  c: Obj,
  reader?: ClusterReader,
  behaviour: ImageBehaviour = imageBehaviour(c.image),
  startedAt = startedAtOf(pod, c),
): Record<string, string> {
  const ns = pod.metadata?.namespace ?? "default";
  const env: Record<string, string> = { PATH, HOSTNAME: podHostname(pod), ...(behaviour.env ?? {}) };
  const own: Record<string, string> = {};
  for (const from of (c.envFrom ?? []) as Obj[]) {
    const src = from.configMapRef
      ? reader?.get("configmaps", ns, from.configMapRef.name)
      : from.secretRef
        ? reader?.get("secrets", ns, from.secretRef.name)
        : undefined;
    const data: Record<string, string> = from.configMapRef
      ? (src?.data ?? {})
      : Object.fromEntries(Object.entries(src?.data ?? {}).map(([k, v]) => [k, b64(String(v))]));
    for (const [k, v] of Object.entries(data)) own[`${from.prefix ?? ""}${k}`] = v;
  }
  for (const e of (c.env ?? []) as Obj[]) {
    let v: string | undefined = e.value;
    if (v !== undefined) v = expandVars(v, own);
    const vf = e.valueFrom;
    if (vf?.fieldRef) v = podField(pod, vf.fieldRef.fieldPath);
    else if (vf?.resourceFieldRef)
      v = resourceField(c, vf.resourceFieldRef, pod.spec?.nodeName ? reader?.get("nodes", undefined, pod.spec.nodeName) : undefined);
    else if (vf?.configMapKeyRef) v = reader?.get("configmaps", ns, vf.configMapKeyRef.name)?.data?.[vf.configMapKeyRef.key];
    else if (vf?.secretKeyRef) {
      const raw = reader?.get("secrets", ns, vf.secretKeyRef.name)?.data?.[vf.secretKeyRef.key];
      v = raw === undefined ? undefined : b64(raw);
    }
    if (v !== undefined) own[e.name] = v;
  }
  Object.assign(env, own);
  if (reader) {
    // Only Services that existed when the container started: its environment was fixed then.
    const existed = (s: Obj) => Number.isNaN(startedAt) || !(Date.parse(s.metadata?.creationTimestamp ?? "") > startedAt);
    const services = pod.spec?.enableServiceLinks === false ? [] : reader.list("services", ns).filter(existed);
    const kubernetes = reader.get("services", "default", "kubernetes");
    const svcEnv = serviceEnv([
      ...services.filter((s) => !(ns === "default" && s.metadata.name === "kubernetes")),
      ...(kubernetes ? [kubernetes] : []),
    ]);
    for (const [k, v] of Object.entries(svcEnv)) if (!(k in own)) env[k] = v;
  }
  env.HOME ??= "/root";
  return env;
}

const programName = (p: string | undefined) => (p ?? "").replace(/^.*\//, "");

/** The official images' docker-entrypoint.sh: it ends in `exec "$@"`, so the process is its arguments
 *  (with the server's name put first when they begin with a flag, as redis' and postgres' do). */
const execsArgs = (b: ImageBehaviour) => /(^|\/)docker-entrypoint\.sh$/.test(b.entrypoint[0] ?? "");

/** Is `program` the image's main program (its server), which the catalogue's start-up and SIGTERM describe? */
export function isMainProgram(program: string | undefined, behaviour: ImageBehaviour, image = ""): boolean {
  const name = programName(program);
  const mains = behaviour.main ?? [programName(behaviour.cmd[0] ?? behaviour.entrypoint[0])];
  return !!name && (mains.includes(name) || (mains.includes("*") && programIn(imagePrograms(image), name) === "own"));
}

/**
 * The argv of the container's process (Docker semantics: `command` replaces ENTRYPOINT, `args`
 * replaces CMD; an entrypoint script that execs its arguments hands over to them) and whether it is
 * the image's main program.
 */
export function containerArgv(c: Obj, behaviour: ImageBehaviour = imageBehaviour(c.image)): { argv: string[]; own: boolean } {
  let argv = [...(c.command ?? behaviour.entrypoint), ...(c.args ?? (c.command ? [] : behaviour.cmd))];
  if (!c.command && execsArgs(behaviour)) {
    const args: string[] = c.args ?? behaviour.cmd;
    argv = args[0]?.startsWith("-") ? [behaviour.cmd[0], ...args] : [...args];
  }
  const own = (!c.command && !c.args) || isMainProgram(argv[0], behaviour, c.image);
  return { argv, own };
}

/** How the container's process ends on SIGTERM (the kubelet's stop): its main program's way, or
 *  none: PID 1 without a handler (a shell, sleep) ignores it until SIGKILL. */
export function sigtermExit(c: Obj, behaviour: ImageBehaviour = imageBehaviour(c.image)): { after: number; code: number } | undefined {
  return containerArgv(c, behaviour).own ? behaviour.sigterm : undefined;
}

/** Does the container's process read its stdin: a shell without a script (`sh`, `bash -l`) in a
 *  container whose stdin is open (`stdin: true`, as `kubectl run -i` sets it)? It then waits for
 *  input instead of reading EOF and exiting at once; what it does comes through attach. */
export function readsStdin(c: Obj, behaviour: ImageBehaviour = imageBehaviour(c.image)): boolean {
  const { argv } = containerArgv(c, behaviour);
  return (
    !!c.stdin &&
    !!behaviour.shell &&
    argv.length > 0 &&
    ["sh", "bash", "ash"].includes(argv[0].replace(/^.*\//, "")) &&
    argv.slice(1).every((a) => /^-[ils]+$/.test(a))
  );
}

/**
 * A ShellContext for a container of a pod (exec, probes, the container's own program). Its
 * filesystem is the container's at `now` (files.ts), unless `fs` is given.
 */
const kib = (q: string | undefined, fallback: number) => {
  const m = /^(\d+)(Ki)?$/.exec(q ?? "");
  return m ? (m[2] ? Number(m[1]) : Math.floor(Number(m[1]) / 1024)) : fallback;
};

/** What `df` shows in a container: containerd's overlay root on the node's disk, the /dev tmpfs and
 *  shm, the kubelet's bind mounts from the node's disk, the pod's volumes, and the masked /proc paths. */
export function containerMounts(pod: Obj, c: Obj, node?: Obj): Mounted[] {
  const disk = kib(node?.status?.capacity?.["ephemeral-storage"], 20134592);
  const memory = kib(node?.status?.capacity?.memory, 2030940);
  const used = Math.round(disk * 0.27);
  const available = disk - used - Math.round(disk * 0.05); // ext4 keeps 5% for root
  const onDisk = (mountpoint: string): Mounted => ({ source: "/dev/sda1", blocks: disk, used, available, mountpoint });
  const volumes = new Map<string, Obj>(((pod.spec?.volumes ?? []) as Obj[]).map((v) => [v.name, v]));
  const own = [...podMounts(pod, c)].reverse().map((m): Mounted => {
    const v = volumes.get(m.volume) ?? {};
    if (v.emptyDir?.medium === "Memory" || v.configMap || v.secret || v.projected || v.downwardAPI)
      return { source: "tmpfs", blocks: memory, used: 12, available: memory - 12, mountpoint: m.path };
    return onDisk(m.path);
  });
  return [
    { source: "overlay", blocks: disk, used, available, mountpoint: "/" },
    { source: "tmpfs", blocks: 65536, used: 0, available: 65536, mountpoint: "/dev" },
    { source: "shm", blocks: 65536, used: 0, available: 65536, mountpoint: "/dev/shm" },
    ...["/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf"].map(onDisk),
    ...own,
    ...["/proc/acpi", "/proc/scsi", "/sys/firmware"].map((mountpoint) => ({
      source: "tmpfs",
      blocks: Math.floor(memory / 2),
      used: 0,
      available: Math.floor(memory / 2),
      mountpoint,
    })),
  ];
}

/**
 * What a signal from inside the container does to its PID 1: the kernel delivers only signals the
 * process handles (a PID 1 without a handler ignores even SIGKILL sent from its own namespace), so
 * only a main program that stops on SIGTERM (and SIGINT/SIGQUIT, nginx's fast and graceful stops)
 * ends, its own way.
 */
export function pid1Signal(c: Obj, signal: number): { after: number; code: number } | undefined {
  return [2, 3, 15].includes(signal) ? sigtermExit(c) : undefined;
}

const PATH_READS = new Set<PropertyKey>(["read", "list", "isDir", "readBytes", "stat"]);

/** With a shared PID namespace, /proc/PID/root is the root of the container that process runs in
 *  (how the docs read nginx's config from the shell container); it is read-only from here. */
function withProcRoots(pod: Obj, fs: VirtualFS, now: number, reader: ClusterReader | undefined): VirtualFS {
  if (!pod.spec?.shareProcessNamespace) return fs;
  const other = (path: string) => {
    const m = /^\/proc\/(\d+)\/root(\/.*)?$/.exec(path);
    const k = m ? sharedPidContainer(pod, Number(m[1])) : undefined;
    return k && { fs: containerFS(pod, k, now, { reader, clock: () => Date.now() }), path: m![2] ?? "/" };
  };
  return new Proxy(fs, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (!PATH_READS.has(prop)) return v.bind(target);
      return (path: string, ...rest: unknown[]) => {
        const o = other(path);
        const own = o && (Reflect.get(o.fs, prop, o.fs) as ((...a: unknown[]) => unknown) | undefined);
        return o ? own?.call(o.fs, o.path, ...rest) : v.call(target, path, ...rest);
      };
    },
  });
}

export function containerContext(
  pod: Obj,
  c: Obj,
  reader: ClusterReader | undefined,
  now: number,
  logs?: Parameters<typeof clusterNetwork>[1],
  fs?: VirtualFS,
  pid1 = false,
  /** Told when a signal sent from here ends the container's PID 1 (exec'd shells; the runtime stores it). */
  pid1Exit?: (exit: { code: number; at: number; startedAt: number }) => void,
): ShellContext {
  const behaviour = imageBehaviour(c.image);
  const env = containerEnv(pod, c, reader, behaviour);
  return {
    env,
    cwd: c.workingDir ?? "/",
    hostname: podHostname(pod),
    fs: withProcRoots(pod, fs ?? containerFS(pod, c, now, { reader, clock: () => Date.now() }), now, reader),
    net: reader
      ? clusterNetwork(reader, logs, now, pod)
      : { resolve: () => [], http: () => ({ error: "Could not resolve host" }), connect: () => ({ error: "connection refused" }) },
    now: () => now,
    pod,
    container: c,
    image: imageView(c.image ?? ""),
    user: shellUser(pod as Pod, c as Container),
    // A shell exec'd into the container runs beside its PID 1; the container's own program is PID 1.
    processes: (self) => processTable(pod, c, pid1 ? undefined : self),
    mounts: () => containerMounts(pod, c, pod.spec?.nodeName ? reader?.get("nodes", undefined, pod.spec.nodeName) : undefined),
    memory() {
      const total = kib(
        (pod.spec?.nodeName ? reader?.get("nodes", undefined, pod.spec.nodeName) : undefined)?.status?.capacity?.memory,
        2030940,
      );
      const used = Math.round(total * 0.58);
      return { total, used, free: total - used, shared: 2340, buffers: 71508, cached: 812300 };
    },
    kill(pid, signal) {
      if (!processTable(pod, c, pid1 ? undefined : "sh").some((p) => p.pid === pid)) return false;
      const end = pid === 1 && !pid1 ? pid1Signal(c, signal) : undefined;
      if (end) pid1Exit?.({ code: end.code, at: now + end.after, startedAt: startedAtOf(pod, c) });
      return true;
    },
  };
}

/** containerd's (runc 1.2) error for a container whose program is not in the image, as the kubelet relays it. */
export const startError = (program: string) =>
  `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: ${JSON.stringify(program)}: executable file not found in $PATH: unknown`;

/** How far ahead a container's program is simulated: longer than any session lives. */
export const PROGRAM_HORIZON = 6 * 3600_000;

/** A container program's run, with the HTTP requests it sent by destination ("ip:port" as dialled). */
export interface ContainerRun extends ProgramRun {
  requests?: Record<string, number>;
}

/** Requests a program's run simulates before it is cut off: enough to know a loop's rate (and half an
 *  hour of a poller's once-a-second output), and a
 *  bound on the work one container start costs (each request is served through the network). */
const COUNTED_REQUESTS = 2000;

/** Counts the requests a program sends, without storing anything per request: a load generator's
 *  loop is a rate (requests over the run's virtual span), which metrics read (nodes/metrics.ts). */
function countingNetwork(ctx: ShellContext, requests: Record<string, number>): ShellContext {
  let sent = 0;
  const net = ctx.net;
  const ns = ctx.pod?.metadata?.namespace ?? "default";
  return {
    ...ctx,
    net: {
      ...net,
      http(req, from) {
        try {
          const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url) ? req.url : `http://${req.url}`);
          const ip = net.resolve(url.hostname, ns)[0];
          const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
          if (ip) requests[`${ip}:${port}`] = (requests[`${ip}:${port}`] ?? 0) + 1;
        } catch {
          // a malformed URL reaches no server; the client reports it
        }
        // It runs on from here as it ran so far (runProgram's cut-off: no exit, the rate measured).
        if (++sent > COUNTED_REQUESTS) throw new HaltSignal();
        return net.http(req, from);
      },
    },
  };
}

const cache = new Map<string, ContainerRun>();

/**
 * The run of a container's program that started at `startedAt`: its output lines and, if it ends
 * within the horizon, its exit. Computed once per start (cached in memory; recomputed after an eviction).
 */
export function containerRun(pod: Obj, c: Obj, startedAt: number, reader?: ClusterReader): ContainerRun {
  const key = `${pod.metadata?.uid}/${c.name}/${startedAt}/${c.image}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const behaviour = imageBehaviour(c.image);
  c = expandedContainer(c, containerEnv(pod, c, reader, behaviour, startedAt));
  const { argv, own } = containerArgv(c, behaviour);
  let run: ContainerRun;
  if (readsStdin(c, behaviour)) {
    run = { lines: [] }; // its input, and so its output and its end, come through attach (nodes/stdio.ts)
  } else if (own && behaviour.startup) {
    const env = containerEnv(pod, c, reader, behaviour);
    const out = behaviour.startup({ start: startedAt, argv, env, hostname: podHostname(pod), podIP: pod.status?.podIP ?? "" });
    run = {
      lines: out.lines.map((l) => ({ at: startedAt + l.after, text: l.text, stream: "stdout" as const })),
      exit: out.exit ? { code: out.exit.code, at: startedAt + out.exit.after } : undefined,
    };
  } else if (behaviour.binaries?.[argv[0]?.replace(/^.*\//, "")]) {
    const out = behaviour.binaries[argv[0].replace(/^.*\//, "")](argv.slice(1), {
      start: startedAt,
      env: containerEnv(pod, c, reader, behaviour),
      hostname: podHostname(pod),
      podIP: pod.status?.podIP ?? "",
    });
    run = {
      lines: out.lines.map((l) => ({ at: startedAt + l.after, text: l.text, stream: "stdout" as const })),
      exit: out.exit && { code: out.exit.code, at: startedAt + out.exit.after },
      memory: out.memory && { bytes: out.memory.bytes, at: startedAt + out.memory.after },
    };
  } else if (
    argv.length &&
    (c.command?.length || (!own && behaviour.kind === "busybox" && !behaviour.entrypoint.length)) &&
    !inImage(c.image ?? "", argv[0])
  ) {
    // A program the image lacks never starts: the runtime's error, exit 128, then the back-off.
    run = { lines: [], exit: { code: 128, at: startedAt, reason: "StartError", message: startError(argv[0]) } };
  } else if (argv.length && hasCommand(argv[0]) && (!own || behaviour.kind === "busybox")) {
    // The program starts from the image's filesystem and what its volumes held when it started (a
    // claim's files from an earlier pod, an emptyDir's from an earlier run); its own writes are what
    // it produces.
    const files = (reader as Partial<FSReader> | undefined)?.files;
    const start = containerFS(pod, c, startedAt, { reader, programs: "inits", files, persist: false });
    const requests: Record<string, number> = {};
    run = runProgram(argv, countingNetwork(containerContext(pod, c, reader, startedAt, undefined, start, true), requests), {
      until: startedAt + PROGRAM_HORIZON,
      maxSteps: 200_000,
    });
    if (Object.keys(requests).length) run.requests = requests;
  } else {
    run = { lines: [] }; // a server or a binary of its own: runs, says nothing
  }
  if (cache.size > 500) cache.delete(cache.keys().next().value!);
  cache.set(key, run);
  return run;
}
