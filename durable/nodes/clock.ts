// The per-cluster clock: how long simulated things take. "realistic" by default (an image pull takes
// a second or few, with jitter), "instant" for tests and labs that want results at once.
export type ClockMode = "realistic" | "instant";

/** Named durations in milliseconds: [minimum, maximum] for realistic mode. */
const REALISTIC: Record<string, [number, number]> = {
  schedule: [5, 30],
  imagePull: [800, 2500],
  containerCreate: [200, 600],
  containerStart: [200, 800],
  podInitialize: [100, 300],
  readiness: [500, 1500],
  containerKill: [300, 900],
  nodeBoot: [2000, 4000],
  /** A LoadBalancer Service waiting for its external address (MetalLB / minikube tunnel). */
  loadBalancer: [1500, 4000],
  podSandbox: [300, 900],
  initContainerRun: [1000, 3000],
  /** The kubelet noticing a container's exit (PLEG relists every second) and syncing its pod. */
  podSync: [1000, 2000],
  /** The local-path provisioner's helper pod making a volume's directory on its node. */
  volumeProvision: [1500, 3500],
};

/** Timeouts of the real components; instant mode shortens them to keep labs fast. */
const TIMEOUTS: Record<string, { realistic: number; instant: number }> = {
  /** node-monitor-grace-period: a silent node goes NotReady/Unknown after this. */
  nodeMonitorGrace: { realistic: 40_000, instant: 1_000 },
  /** The default not-ready/unreachable toleration (300 s): pods are evicted after it. */
  podEviction: { realistic: 300_000, instant: 2_000 },
};

export class Clock {
  /** `mode` is read on every use: a cluster's setting can change at runtime. */
  constructor(private readonly modeOf: () => ClockMode) {}

  get mode(): ClockMode {
    return this.modeOf();
  }

  /** A duration for a named simulated step, with jitter (0 in instant mode). */
  delay(step: keyof typeof REALISTIC | string): number {
    if (this.mode === "instant") return 0;
    const [min, max] = REALISTIC[step] ?? [100, 300];
    return Math.round(min + Math.random() * (max - min));
  }

  /**
   * A delay with jitter derived from `seed` (e.g. a pod uid and a step) rather than Math.random, so a
   * level-triggered reconcile that recomputes a due time gets the same answer every time.
   */
  seededDelay(step: keyof typeof REALISTIC | string, seed: string): number {
    return this.mode === "instant" ? 0 : realisticDelay(step, seed);
  }

  /** A timeout of a real component, possibly shortened in instant mode. */
  timeout(name: keyof typeof TIMEOUTS | string): number {
    const t = TIMEOUTS[name];
    if (!t) throw new Error(`unknown timeout ${name}`);
    return t[this.mode];
  }

  /** Scale a real duration given in seconds (e.g. a toleration's tolerationSeconds). */
  seconds(s: number): number {
    return this.mode === "instant" ? Math.min(s * 1000, 2_000) : s * 1000;
  }
}

/** The realistic duration of a step for a seed, whatever the mode (e.g. for "pulled in 1.2s" texts). */
export function realisticDelay(step: string, seed: string): number {
  const [min, max] = REALISTIC[step] ?? [100, 300];
  let h = 0x811c9dc5;
  for (const ch of `${step}|${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return Math.round(min + (h / 0xffffffff) * (max - min));
}

/** How long pulling `image` takes (for the Pulled message and, in realistic mode, the stage delay). */
export const pullDuration = (image: string, seed: string) => realisticDelay("imagePull", `${image}|${seed}`);
