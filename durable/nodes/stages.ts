// The simulated kubelet's pod lifecycle as data, in the spirit of KWOK Stages: each stage has a
// selector over the pod, a delay measured from a timestamp in the pod (so a reconcile that runs again
// computes the same due time), and the next state (a status change plus events, or removal).
// The kubelet applies the first matching stage that is due, then looks again, and writes once.
// Issue 4 extends the table (image pull failures, exits, restarts, probes failing).
import type { Obj } from "../resources/types";
import type { Clock } from "./clock";
import { rfc3339 } from "../api/registry";
import { putPodCondition } from "./subresources";
import { goDuration, imageInfo, pullDuration, seededHex } from "./images";

export interface StageEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  fieldPath?: string;
}

/** What a stage sees besides the pod. */
export interface StageContext {
  now: number;
  node: Obj;
  clock: Clock;
  /** A free IP from the node's podCIDR (sequential, never a live pod's). */
  allocateIP(): string;
  /** Is the image already on the node (node.status.images)? */
  imagePresent(image: string): boolean;
}

export interface Transition {
  /** Mutate the pod's status in place (the pod is a working copy). */
  status?(pod: Obj, k: StageContext): void;
  events?(pod: Obj, k: StageContext): StageEvent[];
  /** Events that begin the next step (Pulling), computed on the new state. */
  after?(pod: Obj, k: StageContext): StageEvent[];
  /** Remove the pod (the kubelet's final delete with grace period 0). */
  delete?: boolean;
}

export interface Stage {
  name: string;
  selector(pod: Obj): boolean;
  /** When the stage is due (ms since epoch): a timestamp in the pod plus a delay. */
  due(pod: Obj, k: StageContext): number;
  next: Transition;
}

// ---- reading the pod ------------------------------------------------------------------------

const time = (t: string | undefined) => (t ? Date.parse(t) : NaN);
const cond = (pod: Obj, type: string) => ((pod.status?.conditions ?? []) as Obj[]).find((c) => c.type === type);
export const isTerminating = (pod: Obj) => !!pod.metadata?.deletionTimestamp;
const specContainers = (pod: Obj): Obj[] => pod.spec?.containers ?? [];
const specInits = (pod: Obj): Obj[] => pod.spec?.initContainers ?? [];
const statusOf = (pod: Obj, name: string, init: boolean): Obj | undefined =>
  ((init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? []).find((s: Obj) => s.name === name);
const running = (s: Obj | undefined) => !!s?.state?.running;
const isSidecar = (c: Obj) => c.restartPolicy === "Always";
const anyRunning = (pod: Obj) => [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].some(running);

/** The container the kubelet starts next (init containers in order first), if any. */
export function nextToStart(pod: Obj): { container: Obj; init: boolean } | undefined {
  for (const c of specInits(pod)) {
    const s = statusOf(pod, c.name, true);
    if (s?.state?.terminated?.exitCode === 0) continue;
    if (running(s)) {
      if (isSidecar(c)) continue;
      return undefined; // wait for it to complete
    }
    return { container: c, init: true };
  }
  for (const c of specContainers(pod)) if (!running(statusOf(pod, c.name, false)) && !statusOf(pod, c.name, false)?.state?.terminated) return { container: c, init: false };
  return undefined;
}

/** When the kubelet last made progress on containers: the sandbox, a start, an init container's exit. */
function lastProgress(pod: Obj): number {
  let t = time(cond(pod, "PodReadyToStartContainers")?.lastTransitionTime);
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as Obj[]) {
    t = Math.max(t, time(s.state?.running?.startedAt) || 0, time(s.state?.terminated?.finishedAt) || 0);
  }
  return t;
}

/** Does pulling happen for this container on this node (policy Always, or the image is missing)? */
const pulls = (c: Obj, k: StageContext) => c.imagePullPolicy === "Always" || (c.imagePullPolicy !== "Never" && !k.imagePresent(c.image));

const fieldPath = (c: Obj, init: boolean) => `spec.${init ? "initContainers" : "containers"}{${c.name}}`;

/** The events that begin a container's start: Pulling, or Pulled "already present". */
function pullingEvents(pod: Obj, k: StageContext): StageEvent[] {
  const next = nextToStart(pod);
  if (!next) return [];
  const { container: c, init } = next;
  if (pulls(c, k)) return [{ type: "Normal", reason: "Pulling", message: `Pulling image ${JSON.stringify(c.image)}`, fieldPath: fieldPath(c, init) }];
  return [];
}

// ---- writing the status -----------------------------------------------------------------------

const volumeMounts = (c: Obj) =>
  ((c.volumeMounts ?? []) as Obj[]).map((m) => ({
    name: m.name,
    mountPath: m.mountPath,
    ...(m.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
  }));

const userInfo = { linux: { gid: 0, supplementalGroups: [0], uid: 0 } };

function waitingStatus(c: Obj, reason: string): Obj {
  return {
    image: c.image,
    imageID: "",
    lastState: {},
    name: c.name,
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason } },
    ...(c.volumeMounts?.length ? { volumeMounts: volumeMounts(c) } : {}),
  };
}

/** Readiness: no probe means ready once running; a probe passes after its initial delay (issue 4
 *  adds failing probes through this hook). */
export function probeReady(c: Obj, startedAt: number, k: StageContext): boolean {
  const probe = c.readinessProbe;
  if (!probe) return true;
  return k.now >= startedAt + k.clock.seconds(probe.initialDelaySeconds ?? 0);
}

function runningStatus(pod: Obj, c: Obj, init: boolean, k: StageContext): Obj {
  const img = imageInfo(c.image);
  return {
    containerID: `containerd://${seededHex(`${pod.metadata.uid}/${c.name}`, 64)}`,
    image: img.image,
    imageID: img.imageID,
    lastState: {},
    name: c.name,
    ready: init && !isSidecar(c) ? false : probeReady(c, k.now, k),
    restartCount: 0,
    started: true,
    state: { running: { startedAt: rfc3339(k.now) } },
    user: userInfo,
    ...(c.volumeMounts?.length ? { volumeMounts: volumeMounts(c) } : {}),
  };
}

function setStatus(pod: Obj, s: Obj, init: boolean): void {
  const field = init ? "initContainerStatuses" : "containerStatuses";
  const list: Obj[] = pod.status[field] ?? [];
  const i = list.findIndex((x) => x.name === s.name);
  if (i >= 0) list[i] = s;
  else list.push(s);
  pod.status[field] = list;
}

/** Pod conditions from the container statuses (kubelet's generateAPIPodStatus). */
export function updateConditions(pod: Obj, now: number): void {
  const st = pod.status;
  const inits = specInits(pod);
  const incomplete = inits
    .filter((c) => {
      const s = statusOf(pod, c.name, true);
      return isSidecar(c) ? !s?.started : s?.state?.terminated?.exitCode !== 0;
    })
    .map((c) => c.name);
  const unready = specContainers(pod).filter((c) => !statusOf(pod, c.name, false)?.ready).map((c) => c.name);
  const gates = ((pod.spec?.readinessGates ?? []) as Obj[]).filter((g) => cond(pod, g.conditionType)?.status !== "True");
  const conditions: Obj[] = [];
  const prev = { status: { conditions: st.conditions ?? [] } } as Obj;
  const put = (c: Obj) => {
    putPodCondition(prev.status, c, now);
    conditions.push(prev.status.conditions.find((x: Obj) => x.type === c.type));
  };
  put({ type: "PodReadyToStartContainers", status: st.podIP ? "True" : "False" });
  put(
    incomplete.length
      ? { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: [${incomplete.join(" ")}]` }
      : { type: "Initialized", status: "True" },
  );
  const notReady = { reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` };
  if (unready.length) put({ type: "Ready", status: "False", ...notReady });
  else if (gates.length)
    put({ type: "Ready", status: "False", reason: "ReadinessGatesNotReady", message: `corresponding condition of pod readiness gate ${JSON.stringify(gates[0].conditionType)} does not exist.` });
  else put({ type: "Ready", status: "True" });
  put(unready.length ? { type: "ContainersReady", status: "False", ...notReady } : { type: "ContainersReady", status: "True" });
  put({ type: "PodScheduled", status: "True" });
  // Conditions others own (DisruptionTarget, readiness gates) stay, after the kubelet's.
  for (const c of st.conditions ?? []) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
  st.conditions = conditions;
}

// ---- the stage table --------------------------------------------------------------------------

/** When the kubelet began killing a terminating pod (deletionTimestamp is when it must be gone). */
const killStart = (pod: Obj) => time(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;

/** How long a killed pod's containers take to exit: the grace period (issue 4: per image). */
export const terminationDelay = (pod: Obj, k: StageContext) => k.clock.seconds(pod.metadata.deletionGracePeriodSeconds ?? 0);

export const stages: Stage[] = [
  {
    // SIGTERM: containers are being stopped, the pod is no longer ready.
    name: "kill",
    selector: (pod) =>
      isTerminating(pod) &&
      anyRunning(pod) &&
      !(cond(pod, "Ready")?.status === "False" && time(cond(pod, "Ready")?.lastTransitionTime) >= killStart(pod)),
    due: (pod) => killStart(pod),
    next: {
      events: (pod) =>
        [...specInits(pod).map((c) => [c, true] as const), ...specContainers(pod).map((c) => [c, false] as const)]
          .filter(([c, init]) => running(statusOf(pod, c.name, init)))
          .map(([c, init]) => ({ type: "Normal", reason: "Killing", message: `Stopping container ${c.name}`, fieldPath: fieldPath(c, init) })),
      status(pod, k) {
        for (const s of pod.status.containerStatuses ?? []) s.ready = false;
        updateConditions(pod, k.now);
        const ready = cond(pod, "Ready");
        if (ready) ready.lastTransitionTime = rfc3339(k.now);
      },
    },
  },
  {
    // The containers have exited: the kubelet removes the pod from the API (grace period 0).
    name: "remove",
    selector: isTerminating,
    due: (pod, k) => killStart(pod) + (anyRunning(pod) ? terminationDelay(pod, k) : 0),
    next: { delete: true },
  },
  {
    // The kubelet admits the pod: Pending with ContainerCreating / PodInitializing containers.
    name: "accept",
    selector: (pod) => !isTerminating(pod) && !pod.status?.startTime,
    due: (pod) => time(cond(pod, "PodScheduled")?.lastTransitionTime) || 0,
    next: {
      status(pod, k) {
        const st = pod.status;
        const hostIP = (k.node.status?.addresses ?? []).find((a: Obj) => a.type === "InternalIP")?.address;
        st.phase = "Pending";
        if (hostIP) {
          st.hostIP = hostIP;
          st.hostIPs = [{ ip: hostIP }];
        }
        st.startTime = rfc3339(k.now);
        const hasInit = specInits(pod).length > 0;
        if (hasInit) st.initContainerStatuses = specInits(pod).map((c) => waitingStatus(c, "PodInitializing"));
        st.containerStatuses = specContainers(pod).map((c) => waitingStatus(c, hasInit ? "PodInitializing" : "ContainerCreating"));
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // The sandbox is up: the pod has its IP; the first image pull begins.
    name: "sandbox",
    selector: (pod) => !isTerminating(pod) && !!pod.status?.startTime && !pod.status?.podIP,
    due: (pod, k) => time(pod.status.startTime) + k.clock.seededDelay("podSandbox", pod.metadata.uid),
    next: {
      status(pod, k) {
        const ip = pod.spec?.hostNetwork ? pod.status.hostIP : k.allocateIP();
        pod.status.podIP = ip;
        pod.status.podIPs = [{ ip }];
        updateConditions(pod, k.now);
      },
      after: pullingEvents,
    },
  },
  {
    // An init container runs to completion (issue 4: its command decides how long and how it ends).
    name: "init-complete",
    selector: (pod) => !isTerminating(pod) && specInits(pod).some((c) => !isSidecar(c) && running(statusOf(pod, c.name, true))),
    due: (pod, k) => {
      const c = specInits(pod).find((c) => !isSidecar(c) && running(statusOf(pod, c.name, true)))!;
      return time(statusOf(pod, c.name, true)!.state.running.startedAt) + k.clock.seededDelay("initContainerRun", `${pod.metadata.uid}/${c.name}`);
    },
    next: {
      status(pod, k) {
        const c = specInits(pod).find((c) => !isSidecar(c) && running(statusOf(pod, c.name, true)))!;
        const s = statusOf(pod, c.name, true)!;
        s.state = { terminated: { containerID: s.containerID, exitCode: 0, finishedAt: rfc3339(k.now), reason: "Completed", startedAt: s.state.running.startedAt } };
        s.ready = false;
        s.started = false;
        updateConditions(pod, k.now);
      },
      after: pullingEvents,
    },
  },
  {
    // The next container: image pulled, container created and started.
    name: "start",
    selector: (pod) => !isTerminating(pod) && !!pod.status?.podIP && !!nextToStart(pod),
    due: (pod, k) => {
      const { container: c } = nextToStart(pod)!;
      const seed = `${pod.metadata.uid}/${c.name}`;
      const pull = pulls(c, k) && k.clock.mode !== "instant" ? pullDuration(c.image, seed) : 0;
      return lastProgress(pod) + pull + k.clock.seededDelay("containerCreate", seed) + k.clock.seededDelay("containerStart", seed);
    },
    next: {
      events(pod, k) {
        const { container: c, init } = nextToStart(pod)!;
        const fp = fieldPath(c, init);
        const img = imageInfo(c.image);
        const ms = pullDuration(c.image, `${pod.metadata.uid}/${c.name}`);
        const pulled: StageEvent = pulls(c, k)
          ? { type: "Normal", reason: "Pulled", message: `Successfully pulled image ${JSON.stringify(c.image)} in ${goDuration(ms)} (${goDuration(ms)} including waiting). Image size: ${img.sizeBytes} bytes.`, fieldPath: fp }
          : { type: "Normal", reason: "Pulled", message: `Container image ${JSON.stringify(c.image)} already present on machine`, fieldPath: fp };
        return [
          pulled,
          { type: "Normal", reason: "Created", message: `Created container: ${c.name}`, fieldPath: fp },
          { type: "Normal", reason: "Started", message: `Started container ${c.name}`, fieldPath: fp },
        ];
      },
      status(pod, k) {
        const { container: c, init } = nextToStart(pod)!;
        setStatus(pod, runningStatus(pod, c, init, k), init);
        if (!init) pod.status.phase = "Running";
        // Once the init containers are done, the app containers wait in ContainerCreating.
        if (init && !nextToStart(pod)?.init)
          for (const s of pod.status.containerStatuses ?? []) if (s.state?.waiting) s.state.waiting.reason = "PodInitializing";
        updateConditions(pod, k.now);
      },
      after: pullingEvents,
    },
  },
  {
    // A readiness probe passes: the container (and maybe the pod) becomes ready.
    name: "ready",
    selector: (pod) => !isTerminating(pod) && specContainers(pod).some((c) => c.readinessProbe && running(statusOf(pod, c.name, false)) && !statusOf(pod, c.name, false)!.ready),
    due: (pod, k) =>
      Math.min(
        ...specContainers(pod)
          .filter((c) => c.readinessProbe && running(statusOf(pod, c.name, false)) && !statusOf(pod, c.name, false)!.ready)
          .map((c) => time(statusOf(pod, c.name, false)!.state.running.startedAt) + k.clock.seconds(c.readinessProbe.initialDelaySeconds ?? 0)),
      ),
    next: {
      status(pod, k) {
        for (const c of specContainers(pod)) {
          const s = statusOf(pod, c.name, false);
          if (running(s) && !s!.ready) s!.ready = probeReady(c, time(s!.state.running.startedAt), k);
        }
        updateConditions(pod, k.now);
      },
    },
  },
];

/** The first stage whose selector matches the pod. */
export const matchStage = (pod: Obj, table: Stage[] = stages) => table.find((s) => s.selector(pod));

/**
 * Advance a pod through every stage that is due at `k.now`. Returns the events to record, whether
 * the status changed, whether the pod is to be removed, and when to look again (ms from now).
 */
export function advance(pod: Obj, k: StageContext, table: Stage[] = stages): { events: StageEvent[]; changed: boolean; remove: boolean; wakeIn?: number } {
  const events: StageEvent[] = [];
  let changed = false;
  pod.status ??= {};
  for (let i = 0; i < 50; i++) {
    const stage = matchStage(pod, table);
    if (!stage) return { events, changed, remove: false };
    const due = stage.due(pod, k);
    if (due > k.now) return { events, changed, remove: false, wakeIn: due - k.now };
    if (stage.next.delete) return { events, changed, remove: true };
    // Events describe the transition from the state before it.
    events.push(...(stage.next.events?.(pod, k) ?? []));
    stage.next.status?.(pod, k);
    events.push(...(stage.next.after?.(pod, k) ?? []));
    changed = true;
  }
  return { events, changed, remove: false, wakeIn: 0 };
}
