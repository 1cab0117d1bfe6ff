// What a running container costs, as metrics-server would measure it from the kubelet's cAdvisor
// stats: CPU in cores and memory (working set) in bytes over one metrics window. Pure: the caller
// says what runs, what it served and what it is allowed; the figures follow from the image's idle
// cost, the work its requests make, busy programs, and the cgroup limits that cap them.
import { imageBehaviour, type IdleCost } from "./images";

const Mi = 1024 * 1024;

/** metrics-server's --metric-resolution: one scrape per window, and the `window` it reports. */
export const METRICS_WINDOW_MS = 15_000;

/** An image the catalogue gives no cost: a small server or program of the learner's. */
const DEFAULT_IDLE: IdleCost = { cpu: 0.001, memory: 5 * Mi, perRequest: 0.0002 };
/** A shell running the container's command (sh -c "…"): a process or two of busybox/dash. */
const SHELL_IDLE: IdleCost = { cpu: 0, memory: 0.5 * Mi, perRequest: 0 };
/** A request a container's program sends (one wget or curl process): its CPU. */
const CLIENT_REQUEST_CPU = 0.0001;

export const idleCost = (image: string): IdleCost => imageBehaviour(image).idle ?? DEFAULT_IDLE;

/** What one container does in the window. */
export interface ContainerActivity {
  image: string;
  /** Is its process the image's own program (a server), rather than a command the pod gave it? */
  own: boolean;
  /** Requests per second its server answered over the window. */
  served: number;
  /** Requests per second its own program sent (a load generator's loop). */
  sent: number;
  /** Cores its program keeps busy (stress --cpu N, a loop without sleeps, dd from /dev/zero). */
  busy: number;
  /** Memory its program holds besides the image's idle footprint (stress --vm-bytes). */
  heldBytes: number;
  /** The container's limits (cores, bytes); CPU is throttled at its limit, else at the node's cores. */
  cpuLimit?: number;
  nodeCores: number;
}

/** A deterministic factor near 1 from a seed (FNV-1a): the same within a window, different across. */
export function jitter(seed: string, spread: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return 1 + ((h / 0xffffffff) * 2 - 1) * spread;
}

/** The container's CPU (cores) and working set (bytes) over the window seeded by `seed`. */
export function containerUsage(a: ContainerActivity, seed: string): { cpu: number; memory: number } {
  const idle = a.own ? idleCost(a.image) : SHELL_IDLE;
  const work = a.served * idleCost(a.image).perRequest + a.sent * CLIENT_REQUEST_CPU;
  let cpu = (idle.cpu + work) * jitter(`cpu|${seed}`, 0.12) + a.busy;
  // The CFS quota throttles the cgroup at its limit; with none, the node's cores are the ceiling.
  const ceiling = Math.min(a.cpuLimit ?? Number.POSITIVE_INFINITY, a.nodeCores);
  if (a.busy) cpu = Math.min(cpu, ceiling) * jitter(`busy|${seed}`, 0.004);
  cpu = Math.min(cpu, ceiling);
  // Apache forks workers under load: a little more memory while it serves.
  const workers = Math.min(a.served, 50) * 0.12 * Mi * (idle.perRequest > 0.001 ? 1 : 0.05);
  const memory = (idle.memory + workers) * jitter(`mem|${seed}`, 0.015) + a.heldBytes;
  return { cpu: Math.max(0, cpu), memory: Math.round(memory) };
}

/** The node's own processes (kubelet, containerd, systemd, the kernel) on top of its pods. */
export function systemUsage(controlPlane: boolean, seed: string): { cpu: number; memory: number } {
  const cpu = (controlPlane ? 0.055 : 0.025) * jitter(`sys-cpu|${seed}`, 0.15);
  const memory = (controlPlane ? 520 : 310) * Mi * jitter(`sys-mem|${seed}`, 0.01);
  return { cpu, memory: Math.round(memory) };
}

/**
 * The cores a command keeps busy, read from its argv as the shell would run it: stress's CPU and
 * VM hogs (a vm hog spins touching its memory unless --vm-hang lets it sleep), dd or cat from
 * /dev/zero or /dev/urandom, `yes`, and a loop whose body never sleeps.
 */
export function busyCores(argv: string[]): number {
  const text = argv.join(" ");
  const prog = (argv[0] ?? "").replace(/^.*\//, "");
  if (prog === "stress" || /(^|[\s;&|])stress\s/.test(text)) {
    const words = prog === "stress" ? argv.slice(1) : text.slice(text.search(/stress\s/) + 7).split(/\s+/);
    const opt = (short: string, long: string) => {
      const i = words.findIndex((w) => w === short || w === long);
      return i >= 0 ? Number(words[i + 1]) || 0 : 0;
    };
    const hang = words.includes("--vm-hang");
    // vish/stress (the docs' "Assign CPU Resources" task) takes Go flags: -cpus N.
    const goCpus = opt("-cpus", "--cpus");
    return goCpus + opt("-c", "--cpu") + (hang ? 0 : opt("-m", "--vm")) + opt("-i", "--io") * 0.1;
  }
  if (/\b(dd|cat)\s[^;|&]*\/dev\/(zero|urandom|random)\b/.test(text) || /\bdd\s+if=\/dev\/(zero|urandom)/.test(text)) return 1;
  if (/(^|[\s;&|])yes(\s|$)/.test(text)) return 1;
  if (prog === "sha256sum" || prog === "md5sum") return argv.includes("/dev/zero") ? 1 : 0;
  return 0;
}

/** A loop the program ran without ever sleeping (cut off by the step budget in no virtual time)? */
export const spins = (run: { exit?: unknown; ran?: number }) => !run.exit && run.ran !== undefined && run.ran < 50;

/** Nanocores as metrics-server writes them ("1234567n"); memory in Ki as the kubelet reports it. */
export const nanocores = (cores: number) => `${Math.round(cores * 1e9)}n`;
export const kibibytes = (bytes: number) => `${Math.round(bytes / 1024)}Ki`;
