// The simulated kubelet's pod lifecycle as data, in the spirit of KWOK Stages: each stage has a
// selector over the pod, a delay measured from a timestamp in the pod (so a reconcile that runs again
// computes the same due time), and the next state (a status change plus events, or removal).
// The kubelet applies the first matching stage that is due, then looks again, and writes once.
// Issue 4 extends the table (image pull failures, exits, restarts, probes failing).
import type { Obj } from "../resources/types";
import type { Clock } from "./clock";
import { rfc3339 } from "../api/registry";
import { putPodCondition } from "./subresources";
import type { ProbeTimeline } from "./runtime/probes";
import { parseQuantity } from "../resources/podtemplate";
import { goDuration, imageInfo, pullFailure, seededHex } from "./runtime/images";
import { pullDuration } from "./clock";
import { sigtermExit } from "./runtime/container";
import { containerIdentity, runAsNonRootError } from "./runtime/security";
import type { Container, Pod } from "kubernetes-types/core/v1";

export interface StageEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  fieldPath?: string;
  /** When it happened, when that was before the stage ran (ms since epoch). */
  at?: number;
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
  /** When a container started at `startedAt` exits and with which code (its program); none: it runs on. */
  exitOf?(pod: Obj, c: Obj, startedAt: number): Exit | undefined;
  /** The memory a container's program comes to hold over its run started at `startedAt`, and from when. */
  memoryOf?(pod: Obj, c: Obj, startedAt: number): { bytes: number; at: number } | undefined;
  /** The container's probes over its run: when liveness kills it, when readiness flips. */
  probes?(pod: Obj, c: Obj, startedAt: number): ProbeTimeline;
  /** The message a run started at `startedAt` leaves when it ends so (its terminationMessagePath, or its log's tail). */
  terminationMessage?(pod: Obj, c: Obj, startedAt: number, exit: { code: number; at: number }): string;
}

/** A container's end: its exit code, or the runtime's StartError (exit 128) for a program it could not start. */
export type Exit = { code: number; at: number; reason?: "StartError"; message?: string };

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
  /** Does the stage apply (`k` given: also considering what the containers' programs do)? */
  selector(pod: Obj, k?: StageContext): boolean;
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

/** Has the container run before (a restart, not a first start, is what brings it back)? */
const hasRun = (s: Obj | undefined) => !!s && (!!s.state?.terminated || !!s.lastState?.terminated || (s.restartCount ?? 0) > 0);

/** The container the kubelet starts for the first time next (init containers in order first), if any. */
export function nextToStart(pod: Obj): { container: Obj; init: boolean } | undefined {
  for (const c of specInits(pod)) {
    const s = statusOf(pod, c.name, true);
    if (s?.state?.terminated?.exitCode === 0) continue;
    if (running(s)) {
      if (isSidecar(c)) continue;
      return undefined; // wait for it to complete
    }
    if (hasRun(s)) return undefined; // failed: restarted (or not) by the restart stages
    return { container: c, init: true };
  }
  for (const c of specContainers(pod))
    if (!running(statusOf(pod, c.name, false)) && !hasRun(statusOf(pod, c.name, false))) return { container: c, init: false };
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
  if (pullFailure(c.image)?.reason === "InvalidImageName") return [];
  if (pulls(c, k))
    return [{ type: "Normal", reason: "Pulling", message: `Pulling image ${JSON.stringify(c.image)}`, fieldPath: fieldPath(c, init) }];
  return [];
}

// ---- writing the status -----------------------------------------------------------------------

const volumeMounts = (c: Obj) =>
  ((c.volumeMounts ?? []) as Obj[]).map((m) => ({
    name: m.name,
    mountPath: m.mountPath,
    ...(m.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
  }));

/** The process's credentials as the runtime reports them (status.containerStatuses[].user). */
function userInfo(pod: Obj, c: Obj): Obj {
  const { uid, gid, groups } = containerIdentity(pod as Pod, c as Container);
  return { linux: { gid, supplementalGroups: groups, uid } };
}

/** Why the kubelet cannot make the container's config (CreateContainerConfigError), if it cannot. */
const configError = (pod: Obj, c: Obj): string | undefined => runAsNonRootError(pod as Pod, c as Container);

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

/** The terminated state of a running container's run that ends with `exit`. */
function terminatedState(pod: Obj, r: Ref, exit: { code: number; at: number }, reason: string, k: StageContext): Obj {
  const startedAt = r.s.state.running.startedAt;
  const message = k.terminationMessage?.(pod, r.c, time(startedAt), exit);
  return {
    containerID: r.s.containerID,
    exitCode: exit.code,
    finishedAt: rfc3339(exit.at),
    ...(message ? { message } : {}),
    reason,
    startedAt,
  };
}

/** A running container's process ends (its own exit, or the kernel's OOM kill). */
function terminate(pod: Obj, r: Ref, exit: { code: number; at: number }, reason: string, k: StageContext): void {
  r.s.state = { terminated: terminatedState(pod, r, exit, reason, k) };
  r.s.ready = false;
  r.s.started = false;
  phaseAfterExit(pod);
  updateConditions(pod, k.now);
}

/** A program the image lacks never starts: the runtime's StartError (exit 128, the zero start
 *  time), with no Started event — containerd fails the task before there is a process. */
function startFailure(pod: Obj, c: Obj, status: Obj, k: StageContext): Exit | undefined {
  const exit = k.exitOf?.(pod, c, time(status.state.running.startedAt));
  return exit?.reason === "StartError" ? exit : undefined;
}

/** A fresh container status as the runtime reports it: running, or terminated by a StartError. */
function startedStatus(pod: Obj, c: Obj, status: Obj, k: StageContext): Obj {
  const fail = startFailure(pod, c, status, k);
  if (!fail) return status;
  return {
    ...status,
    ready: false,
    started: false,
    state: {
      terminated: {
        containerID: status.containerID,
        exitCode: fail.code,
        finishedAt: rfc3339(k.now),
        message: fail.message,
        reason: "StartError",
        startedAt: "1970-01-01T00:00:00Z",
      },
    },
  };
}

/** "Started", or the runtime's "Failed" for a StartError. */
function startedEvent(pod: Obj, c: Obj, fp: string, k: StageContext): StageEvent {
  const fail = startFailure(pod, c, { state: { running: { startedAt: rfc3339(k.now) } } }, k);
  return fail
    ? { type: "Warning", reason: "Failed", message: `Error: ${fail.message}`, fieldPath: fp }
    : { type: "Normal", reason: "Started", message: `Started container ${c.name}`, fieldPath: fp };
}

function runningStatus(pod: Obj, c: Obj, init: boolean, k: StageContext): Obj {
  const img = imageInfo(c.image);
  return {
    containerID: `containerd://${seededHex(`${pod.metadata.uid}/${c.name}`, 64)}`,
    image: img.image,
    imageID: img.imageID,
    lastState: {},
    name: c.name,
    ready: init && !isSidecar(c) ? false : k.probes && (c.readinessProbe || c.startupProbe) ? false : probeReady(c, k.now, k),
    restartCount: 0,
    // A startup probe decides when it has started (the "startup" stage).
    started: !(k.probes && c.startupProbe && !init),
    state: { running: { startedAt: rfc3339(k.now) } },
    user: userInfo(pod, c),
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
  const unready = specContainers(pod)
    .filter((c) => !statusOf(pod, c.name, false)?.ready)
    .map((c) => c.name);
  const gates = ((pod.spec?.readinessGates ?? []) as Obj[]).filter((g) => cond(pod, g.conditionType)?.status !== "True");
  const conditions: Obj[] = [];
  const prev = { status: { conditions: st.conditions ?? [] } } as Obj;
  const put = (c: Obj) => {
    putPodCondition(prev.status, c, now);
    conditions.push(prev.status.conditions.find((x: Obj) => x.type === c.type));
  };
  put({ type: "PodReadyToStartContainers", status: st.podIP && !(st.phase === "Succeeded" || st.phase === "Failed") ? "True" : "False" });
  put(
    incomplete.length
      ? {
          type: "Initialized",
          status: "False",
          reason: "ContainersNotInitialized",
          message: `containers with incomplete status: [${incomplete.join(" ")}]`,
        }
      : { type: "Initialized", status: "True" },
  );
  const done = st.phase === "Succeeded" || st.phase === "Failed";
  const notReady = done
    ? { reason: "PodCompleted" }
    : { reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` };
  if (unready.length || done) put({ type: "Ready", status: "False", ...notReady });
  else if (gates.length)
    put({
      type: "Ready",
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: `corresponding condition of pod readiness gate ${JSON.stringify(gates[0].conditionType)} does not exist.`,
    });
  else put({ type: "Ready", status: "True" });
  put(unready.length || done ? { type: "ContainersReady", status: "False", ...notReady } : { type: "ContainersReady", status: "True" });
  put({ type: "PodScheduled", status: "True" });
  // Conditions others own (DisruptionTarget, readiness gates) stay, after the kubelet's.
  for (const c of st.conditions ?? []) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
  st.conditions = conditions;
}

// ---- exits, restarts, pull failures -----------------------------------------------------------

export type Ref = { c: Obj; init: boolean; s: Obj };

/** Every container with its status, init containers first. */
function refs(pod: Obj): Ref[] {
  const out: Ref[] = [];
  for (const c of specInits(pod)) {
    const s = statusOf(pod, c.name, true);
    if (s) out.push({ c, init: true, s });
  }
  for (const c of specContainers(pod)) {
    const s = statusOf(pod, c.name, false);
    if (s) out.push({ c, init: false, s });
  }
  return out;
}

/** The ref with the earliest due time among those `pick` gives a time for. */
function earliest(pod: Obj, pick: (r: Ref) => number | undefined): { r: Ref; at: number } | undefined {
  let best: { r: Ref; at: number } | undefined;
  for (const r of refs(pod)) {
    const at = pick(r);
    if (at !== undefined && !Number.isNaN(at) && (!best || at < best.at)) best = { r, at };
  }
  return best;
}

/** When a running container's process ends: its program (or, without one, an init container's
 *  short run); undefined while it runs on. */
function exitOf(pod: Obj, r: Ref, k: StageContext): Exit | undefined {
  if (!running(r.s)) return undefined;
  const started = time(r.s.state.running.startedAt);
  if (k.exitOf) return r.init && isSidecar(r.c) ? undefined : k.exitOf(pod, r.c, started);
  if (r.init && !isSidecar(r.c))
    return { code: 0, at: started + k.clock.seededDelay("initContainerRun", `${pod.metadata.uid}/${r.c.name}`) };
  return undefined;
}

/** Does the kubelet restart a container that exited with `code` (restartPolicy; sidecars always)? */
function restarts(pod: Obj, r: Ref, code: number): boolean {
  if (r.init && isSidecar(r.c)) return true;
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (r.init) return policy !== "Never" && code !== 0;
  return policy === "Always" || (policy === "OnFailure" && code !== 0);
}

/** The exited run a restart follows: the current terminated state, or lastState while backing off. */
const lastExit = (s: Obj): Obj | undefined =>
  s.state?.terminated ?? (s.state?.waiting?.reason === "CrashLoopBackOff" ? s.lastState?.terminated : undefined);

/** The real back-off before a restart (10s doubling to 5m; the first restart and a restart after 10
 *  minutes of running are immediate), as a duration and as the cluster clock scales it. */
function restartBackoff(s: Obj, k: StageContext): { real: number; ms: number } {
  const t = lastExit(s)!;
  const n = s.restartCount ?? 0;
  const ran = t.reason === "StartError" ? 0 : time(t.finishedAt) - time(t.startedAt); // never ran (startedAt is the zero time)
  if (n === 0 || ran >= 600_000) return { real: 0, ms: 0 };
  const real = Math.min(10_000 * 2 ** (n - 1), 300_000);
  return { real, ms: k.clock.seconds(real / 1000) };
}

/** A restart awaits: exited and restartable. */
const awaitingRestart = (pod: Obj, r: Ref) => {
  const t = lastExit(r.s);
  return !!t && restarts(pod, r, t.exitCode ?? 0);
};

/** The container the crash-backoff stage moves to CrashLoopBackOff next, and when: the one pick its
 *  due time, events and status all use (KWOK's stages pick their target once). */
const nextBackOff = (pod: Obj, k: StageContext) =>
  earliest(pod, (r) =>
    r.s.state?.terminated && awaitingRestart(pod, r) && restartBackoff(r.s, k).real > 0
      ? time(r.s.state.terminated.finishedAt) + k.clock.seededDelay("podSync", `${pod.metadata.uid}/${r.c.name}`)
      : undefined,
  );

/** The container the restart stage starts again next, and when its back-off (if any) is over: one
 *  pick for due, events and status, so a neighbour's exit never restarts a container still backing off. */
const nextRestart = (pod: Obj, k: StageContext) =>
  earliest(pod, (r) => {
    if (!awaitingRestart(pod, r)) return undefined;
    const { real, ms } = restartBackoff(r.s, k);
    if (r.s.state?.terminated && real > 0) return undefined; // shows CrashLoopBackOff first
    return time(lastExit(r.s)!.finishedAt) + ms + k.clock.seededDelay("podSync", `${pod.metadata.uid}/${r.c.name}`);
  });

const podRef = (pod: Obj) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

/** The pod's phase after a container exits (kubelet getPhase, simplified for what we simulate). */
function phaseAfterExit(pod: Obj): void {
  const st = pod.status;
  const main = specContainers(pod).map((c) => statusOf(pod, c.name, false));
  const initFailed = refs(pod).some(
    (r) =>
      r.init &&
      !isSidecar(r.c) &&
      r.s.state?.terminated &&
      r.s.state.terminated.exitCode !== 0 &&
      !restarts(pod, r, r.s.state.terminated.exitCode),
  );
  if (initFailed) {
    st.phase = "Failed";
    return;
  }
  if (main.every((s) => s?.state?.terminated && !restarts(pod, { c: {}, init: false, s }, s.state.terminated.exitCode ?? 0)))
    st.phase = main.every((s) => s!.state.terminated.exitCode === 0) ? "Succeeded" : "Failed";
}

/** In-memory image pull back-off (the kubelet keeps it in memory too: a restart forgets it). */
const pullBackoff = new Map<string, { attempts: number; last: number }>();

function pullState(pod: Obj, c: Obj, now: number) {
  const key = `${pod.metadata.uid}/${c.name}`;
  let st = pullBackoff.get(key);
  if (!st) pullBackoff.set(key, (st = { attempts: 1, last: now }));
  if (pullBackoff.size > 2000) pullBackoff.delete(pullBackoff.keys().next().value!);
  return st;
}

/** The container whose image cannot be pulled, if that is what the kubelet is doing next. */
function failingPull(pod: Obj): { c: Obj; init: boolean; failure: NonNullable<ReturnType<typeof pullFailure>> } | undefined {
  const next = nextToStart(pod);
  const failure = next && pullFailure(next.container.image);
  return next && failure ? { c: next.container, init: next.init, failure } : undefined;
}
const waitingReason = (pod: Obj, c: Obj, init: boolean): string | undefined => statusOf(pod, c.name, init)?.state?.waiting?.reason;

/** When liveness kills a running container (before it exits by itself), if it does. */
function liveKill(pod: Obj, r: Ref, k: StageContext): { at: number; message: string; failures: number; probe?: string } | undefined {
  if (r.init || !running(r.s) || !(r.c.livenessProbe || r.c.startupProbe) || !k.probes) return undefined;
  const kill = k.probes(pod, r.c, time(r.s.state.running.startedAt)).kill;
  const exit = exitOf(pod, r, k);
  return kill && (!exit || kill.at < exit.at) ? kill : undefined;
}

/** When a running container's startup probe first succeeds, while it is not yet started. */
function startupAt(pod: Obj, r: Ref, k: StageContext): number | undefined {
  if (r.init || !running(r.s) || r.s.started || !r.c.startupProbe || !k.probes) return undefined;
  return k.probes(pod, r.c, time(r.s.state.running.startedAt)).started;
}

/** When the OOM killer ends a running container: its program comes to hold more than its memory
 *  limit (the cgroup's memory.max; memory.oom.group kills the whole container) before it exits. */
function oomKill(pod: Obj, r: Ref, k: StageContext): number | undefined {
  if (!running(r.s) || !k.memoryOf) return undefined;
  const limit = parseQuantity(r.c.resources?.limits?.memory);
  if (!(limit > 0)) return undefined;
  const held = k.memoryOf(pod, r.c, time(r.s.state.running.startedAt));
  if (!held || held.bytes <= limit) return undefined;
  const exit = exitOf(pod, r, k);
  return !exit || held.at < exit.at ? held.at : undefined;
}

/** The next readiness flip of a running container away from its current `ready` (due now when overdue). */
function readyChange(pod: Obj, c: Obj, s: Obj, k: StageContext): { at: number; ready: boolean; message: string } | undefined {
  const flips = k.probes!(pod, c, time(s.state.running.startedAt)).ready;
  let desired: (typeof flips)[number] | undefined;
  for (const f of flips) if (f.at <= k.now) desired = f;
  if ((desired?.ready ?? false) !== !!s.ready) return desired ?? { at: k.now, ready: false, message: "" };
  return flips.find((f) => f.at > k.now && f.ready !== !!s.ready);
}

// ---- the stage table --------------------------------------------------------------------------

/** When the kubelet began killing a terminating pod (deletionTimestamp is when it must be gone). */
const killStart = (pod: Obj) => time(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;

/** When the kubelet told each terminating pod's containers to stop (its pod workers keep this in
 *  memory too): the Killing events are recorded once per deletion, and the grace period counts from then. */
const killing = new Map<string, number>();
const killKey = (pod: Obj) => `${pod.metadata.uid}/${pod.metadata.deletionTimestamp}`;

/** When the containers were told to stop: as remembered, else the latest the deletion can have been
 *  (deletionTimestamp is whole seconds, rounded down from the delete plus the grace period). */
const stopStart = (pod: Obj) => killing.get(killKey(pod)) ?? killStart(pod) + 999;

/** When a killed container's process ends and how: its main program's own stop on SIGTERM, its
 *  program's own end if that comes first, else SIGKILL (137) when the grace period is over. */
export function stopOf(pod: Obj, r: Ref, k: StageContext): { code: number; at: number; reason: string } {
  const start = stopStart(pod);
  const grace = start + k.clock.seconds(pod.metadata.deletionGracePeriodSeconds ?? 0);
  const term = sigtermExit(r.c);
  const stop = term ? Math.min(grace, start + k.clock.seconds(term.after / 1000)) : grace;
  const own = exitOf(pod, r, k);
  if (own && own.at >= start && own.at < stop) return { code: own.code, at: own.at, reason: own.code === 0 ? "Completed" : "Error" };
  if (term && stop < grace) return { code: term.code, at: stop, reason: term.code === 0 ? "Completed" : "Error" };
  return { code: 137, at: grace, reason: "Error" };
}

/** The running container of a terminating pod that stops next: one pick for due and status. */
const nextStop = (pod: Obj, k: StageContext) => earliest(pod, (r) => (running(r.s) ? stopOf(pod, r, k).at : undefined));

/** When the last container of a terminating pod stopped (or the kill began, if none ran). */
const lastStop = (pod: Obj) => Math.max(killStart(pod), ...refs(pod).map((r) => time(r.s.state?.terminated?.finishedAt) || 0));

export const stages: Stage[] = [
  {
    // SIGTERM to every running container ("Stopping container …"); they keep running, and ready,
    // until each has stopped.
    name: "kill",
    selector: (pod) => isTerminating(pod) && anyRunning(pod) && !killing.has(killKey(pod)),
    due: (pod) => killStart(pod),
    next: {
      events: (pod) =>
        [...specInits(pod).map((c) => [c, true] as const), ...specContainers(pod).map((c) => [c, false] as const)]
          .filter(([c, init]) => running(statusOf(pod, c.name, init)))
          .map(([c, init]) => ({
            type: "Normal",
            reason: "Killing",
            message: `Stopping container ${c.name}`,
            fieldPath: fieldPath(c, init),
          })),
      status(pod, k) {
        killing.set(killKey(pod), k.now);
        if (killing.size > 5000) killing.delete(killing.keys().next().value!);
      },
    },
  },
  {
    // A killed container exits: on SIGTERM if its program handles it, else SIGKILLed at the end of the grace period.
    name: "stop",
    selector: (pod) => isTerminating(pod) && anyRunning(pod),
    due: (pod, k) => nextStop(pod, k)?.at ?? Infinity,
    next: {
      status(pod, k) {
        const { r } = nextStop(pod, k)!;
        const stop = stopOf(pod, r, k);
        terminate(pod, r, stop, stop.reason, k);
      },
    },
  },
  {
    // The containers have exited: the kubelet removes the pod from the API (grace period 0).
    name: "remove",
    selector: (pod) => isTerminating(pod) && !anyRunning(pod),
    due: (pod) => lastStop(pod),
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
    // The next container: image pulled, container created and started.
    name: "start",
    selector: (pod) =>
      !isTerminating(pod) &&
      !!pod.status?.podIP &&
      !!nextToStart(pod) &&
      !pullFailure(nextToStart(pod)!.container.image) &&
      !configError(pod, nextToStart(pod)!.container),
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
          ? {
              type: "Normal",
              reason: "Pulled",
              message: `Successfully pulled image ${JSON.stringify(c.image)} in ${goDuration(ms)} (${goDuration(ms)} including waiting). Image size: ${img.sizeBytes} bytes.`,
              fieldPath: fp,
            }
          : {
              type: "Normal",
              reason: "Pulled",
              message: `Container image ${JSON.stringify(c.image)} already present on machine`,
              fieldPath: fp,
            };
        return [
          pulled,
          { type: "Normal", reason: "Created", message: `Created container: ${c.name}`, fieldPath: fp },
          startedEvent(pod, c, fp, k),
        ];
      },
      status(pod, k) {
        const { container: c, init } = nextToStart(pod)!;
        const status = startedStatus(pod, c, runningStatus(pod, c, init, k), k);
        setStatus(pod, status, init);
        if (status.state.terminated) phaseAfterExit(pod);
        else if (!init) pod.status.phase = "Running";
        // Once the init containers are done, the app containers wait in ContainerCreating.
        if (init && !nextToStart(pod)?.init)
          for (const s of pod.status.containerStatuses ?? []) if (s.state?.waiting) s.state.waiting.reason = "PodInitializing";
        updateConditions(pod, k.now);
      },
      after: pullingEvents,
    },
  },
  {
    // The image is there but the kubelet cannot make the container's config (runAsNonRoot with a
    // root user): the container waits in CreateContainerConfigError.
    name: "config-error",
    selector: (pod) =>
      !isTerminating(pod) &&
      !!pod.status?.podIP &&
      !!nextToStart(pod) &&
      !pullFailure(nextToStart(pod)!.container.image) &&
      !!configError(pod, nextToStart(pod)!.container) &&
      waitingReason(pod, nextToStart(pod)!.container, nextToStart(pod)!.init) !== "CreateContainerConfigError",
    due: (pod, k) => {
      const { container: c } = nextToStart(pod)!;
      const seed = `${pod.metadata.uid}/${c.name}`;
      return lastProgress(pod) + (pulls(c, k) && k.clock.mode !== "instant" ? pullDuration(c.image, seed) : 0);
    },
    next: {
      events(pod, k) {
        const { container: c, init } = nextToStart(pod)!;
        const fp = fieldPath(c, init);
        const img = imageInfo(c.image);
        const ms = pullDuration(c.image, `${pod.metadata.uid}/${c.name}`);
        const message = pulls(c, k)
          ? `Successfully pulled image ${JSON.stringify(c.image)} in ${goDuration(ms)} (${goDuration(ms)} including waiting). Image size: ${img.sizeBytes} bytes.`
          : `Container image ${JSON.stringify(c.image)} already present on machine`;
        return [
          { type: "Normal", reason: "Pulled", message, fieldPath: fp },
          { type: "Warning", reason: "Failed", message: `Error: ${configError(pod, c)}`, fieldPath: fp },
        ];
      },
      status(pod, k) {
        const { container: c, init } = nextToStart(pod)!;
        const s = statusOf(pod, c.name, init) ?? waitingStatus(c, "CreateContainerConfigError");
        s.state = { waiting: { reason: "CreateContainerConfigError", message: configError(pod, c) } };
        setStatus(pod, s, init);
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // The image cannot be pulled (or its name does not parse): ErrImagePull, then back-off.
    name: "pull-failed",
    selector: (pod) =>
      !isTerminating(pod) &&
      !!pod.status?.podIP &&
      !!failingPull(pod) &&
      !["ErrImagePull", "InvalidImageName"].includes(waitingReason(pod, failingPull(pod)!.c, failingPull(pod)!.init) ?? ""),
    due: (pod, k) => {
      const { c, init } = failingPull(pod)!;
      if (waitingReason(pod, c, init) === "ImagePullBackOff") {
        const b = pullState(pod, c, k.now);
        return b.last + k.clock.seconds(Math.min(10 * 2 ** (b.attempts - 1), 300));
      }
      const seed = `${pod.metadata.uid}/${c.name}`;
      return lastProgress(pod) + (k.clock.mode !== "instant" ? pullDuration(c.image, seed) : 0);
    },
    next: {
      events(pod) {
        const { c, init, failure } = failingPull(pod)!;
        const fp = fieldPath(c, init);
        const retry: StageEvent[] =
          waitingReason(pod, c, init) === "ImagePullBackOff"
            ? [{ type: "Normal", reason: "Pulling", message: `Pulling image ${JSON.stringify(c.image)}`, fieldPath: fp }]
            : [];
        if (failure.reason === "InvalidImageName")
          return [
            { type: "Warning", reason: "InspectFailed", message: failure.message, fieldPath: fp },
            { type: "Warning", reason: "Failed", message: "Error: InvalidImageName", fieldPath: fp },
          ];
        return [
          ...retry,
          {
            type: "Warning",
            reason: "Failed",
            message: `Failed to pull image ${JSON.stringify(c.image)}: ${failure.message}`,
            fieldPath: fp,
          },
          { type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath: fp },
        ];
      },
      status(pod, k) {
        const { c, init, failure } = failingPull(pod)!;
        const s = statusOf(pod, c.name, init) ?? waitingStatus(c, failure.reason);
        if (waitingReason(pod, c, init) === "ImagePullBackOff") {
          const b = pullState(pod, c, k.now);
          b.attempts++;
          b.last = k.now;
        } else pullBackoff.delete(`${pod.metadata.uid}/${c.name}`);
        s.state = {
          waiting: { reason: failure.reason, message: failure.reason === "InvalidImageName" ? failure.message : failure.message },
        };
        setStatus(pod, s, init);
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // The kubelet's next sync after a failed pull: ImagePullBackOff until the back-off expires.
    name: "pull-backoff",
    selector: (pod) =>
      !isTerminating(pod) && !!failingPull(pod) && waitingReason(pod, failingPull(pod)!.c, failingPull(pod)!.init) === "ErrImagePull",
    due: (pod, k) => lastProgress(pod) + k.clock.seededDelay("podSync", `${pod.metadata.uid}/pull`),
    next: {
      events(pod) {
        const { c, init } = failingPull(pod)!;
        const fp = fieldPath(c, init);
        return [
          { type: "Normal", reason: "BackOff", message: `Back-off pulling image ${JSON.stringify(c.image)}`, fieldPath: fp },
          { type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", fieldPath: fp },
        ];
      },
      status(pod, k) {
        const { c, init, failure } = failingPull(pod)!;
        const s = statusOf(pod, c.name, init)!;
        pullState(pod, c, k.now).last = k.now;
        s.state = {
          waiting: {
            reason: "ImagePullBackOff",
            message: `Back-off pulling image ${JSON.stringify(c.image)}: ErrImagePull: ${failure.message}`,
          },
        };
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // Over its memory limit: killed by the kernel (SIGKILL, 137), reported as OOMKilled; the restart
    // stages then bring it back, or CrashLoopBackOff.
    name: "oom-kill",
    selector: (pod, k) => !isTerminating(pod) && !!k?.memoryOf && refs(pod).some((r) => oomKill(pod, r, k) !== undefined),
    due: (pod, k) => earliest(pod, (r) => oomKill(pod, r, k))?.at ?? Infinity,
    next: {
      status(pod, k) {
        const { r, at } = earliest(pod, (r) => oomKill(pod, r, k))!;
        terminate(pod, r, { code: 137, at }, "OOMKilled", k);
      },
      after: pullingEvents,
    },
  },
  {
    // A container's process ends: Completed (exit 0) or Error, with its exit code.
    name: "exit",
    selector: (pod, k) =>
      !isTerminating(pod) && refs(pod).some((r) => running(r.s) && (k ? !!exitOf(pod, r, k) : r.init && !isSidecar(r.c))),
    due: (pod, k) => earliest(pod, (r) => exitOf(pod, r, k)?.at)?.at ?? Infinity,
    next: {
      status(pod, k) {
        const { r } = earliest(pod, (r) => exitOf(pod, r, k)?.at)!;
        const exit = exitOf(pod, r, k)!;
        terminate(pod, r, exit, exit.code === 0 ? "Completed" : "Error", k);
      },
      after: pullingEvents,
    },
  },
  {
    // The kubelet's next sync finds the container exited within its back-off: CrashLoopBackOff.
    name: "crash-backoff",
    selector: (pod) =>
      !isTerminating(pod) &&
      refs(pod).some(
        (r) =>
          r.s.state?.terminated &&
          awaitingRestart(pod, r) &&
          restartBackoff(r.s, { clock: { seconds: (x: number) => x * 1000 } } as StageContext).real > 0,
      ),
    due: (pod, k) => nextBackOff(pod, k)?.at ?? Infinity,
    next: {
      events(pod, k) {
        const { r } = nextBackOff(pod, k)!;
        return [
          {
            type: "Warning",
            reason: "BackOff",
            message: `Back-off restarting failed container ${r.c.name} in pod ${podRef(pod)}`,
            fieldPath: fieldPath(r.c, r.init),
          },
        ];
      },
      status(pod, k) {
        const { r } = nextBackOff(pod, k)!;
        const { real } = restartBackoff(r.s, k);
        r.s.lastState = { terminated: r.s.state.terminated };
        r.s.state = {
          waiting: {
            reason: "CrashLoopBackOff",
            message: `back-off ${goDuration(real)} restarting failed container=${r.c.name} pod=${podRef(pod)}`,
          },
        };
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // The back-off is over (or there was none): the container starts again, RESTARTS + 1.
    name: "restart",
    selector: (pod) => !isTerminating(pod) && refs(pod).some((r) => awaitingRestart(pod, r)),
    due: (pod, k) => nextRestart(pod, k)?.at ?? Infinity,
    next: {
      events(pod, k) {
        const { r } = nextRestart(pod, k)!;
        const fp = fieldPath(r.c, r.init);
        const pulled: StageEvent[] = pulls(r.c, k)
          ? [
              { type: "Normal", reason: "Pulling", message: `Pulling image ${JSON.stringify(r.c.image)}`, fieldPath: fp },
              {
                type: "Normal",
                reason: "Pulled",
                message: `Successfully pulled image ${JSON.stringify(r.c.image)} in ${goDuration(pullDuration(r.c.image, `${pod.metadata.uid}/${r.s.restartCount}`))} (${goDuration(pullDuration(r.c.image, `${pod.metadata.uid}/${r.s.restartCount}`))} including waiting). Image size: ${imageInfo(r.c.image).sizeBytes} bytes.`,
                fieldPath: fp,
              },
            ]
          : [
              {
                type: "Normal",
                reason: "Pulled",
                message: `Container image ${JSON.stringify(r.c.image)} already present on machine`,
                fieldPath: fp,
              },
            ];
        return [
          ...pulled,
          { type: "Normal", reason: "Created", message: `Created container: ${r.c.name}`, fieldPath: fp },
          startedEvent(pod, r.c, fp, k),
        ];
      },
      status(pod, k) {
        const { r } = nextRestart(pod, k)!;
        const prev = lastExit(r.s)!;
        const running = runningStatus(pod, r.c, r.init, k);
        running.restartCount = (r.s.restartCount ?? 0) + 1;
        running.containerID = `containerd://${seededHex(`${pod.metadata.uid}/${r.c.name}/${running.restartCount}`, 64)}`;
        running.lastState = { terminated: prev };
        const fresh = startedStatus(pod, r.c, running, k);
        setStatus(pod, fresh, r.init);
        if (fresh.state.terminated) phaseAfterExit(pod);
        else if (!r.init) pod.status.phase = "Running";
        updateConditions(pod, k.now);
      },
      after: pullingEvents,
    },
  },
  {
    // The startup probe succeeds: the container has started, and is ready unless a readiness probe says otherwise.
    name: "startup",
    selector: (pod, k) => !isTerminating(pod) && !!k?.probes && refs(pod).some((r) => startupAt(pod, r, k) !== undefined),
    due: (pod, k) => earliest(pod, (r) => startupAt(pod, r, k))?.at ?? Infinity,
    next: {
      status(pod, k) {
        const { r } = earliest(pod, (r) => startupAt(pod, r, k))!;
        r.s.started = true;
        if (!r.c.readinessProbe) r.s.ready = true;
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // Liveness fails failureThreshold times in a row: the kubelet kills the container (it restarts).
    name: "liveness",
    selector: (pod, k) => !isTerminating(pod) && !!k?.probes && refs(pod).some((r) => !r.init && running(r.s) && !!liveKill(pod, r, k)),
    due: (pod, k) => earliest(pod, (r) => liveKill(pod, r, k)?.at)?.at ?? Infinity,
    next: {
      events(pod, k) {
        const { r } = earliest(pod, (r) => liveKill(pod, r, k)?.at)!;
        const kill = liveKill(pod, r, k)!;
        const fp = fieldPath(r.c, r.init);
        // The failures came one period apart, the last one at the kill.
        const probe = kill.probe ?? "Liveness";
        const period = ((kill.probe ? r.c.startupProbe : r.c.livenessProbe).periodSeconds ?? 10) * 1000;
        const unhealthy = (i: number): StageEvent => ({
          type: "Warning",
          reason: "Unhealthy",
          message: `${probe} probe failed: ${kill.message}`,
          fieldPath: fp,
          at: kill.at - (kill.failures - 1 - i) * period,
        });
        return [
          ...Array.from({ length: kill.failures }, (_, i) => unhealthy(i)),
          {
            type: "Normal",
            reason: "Killing",
            message: `Container ${r.c.name} failed ${probe.toLowerCase()} probe, will be restarted`,
            fieldPath: fp,
          },
        ];
      },
      status(pod, k) {
        const { r } = earliest(pod, (r) => liveKill(pod, r, k)?.at)!;
        const kill = liveKill(pod, r, k)!;
        // A server stops on SIGTERM its own way; a shell as PID 1 ignores it and is SIGKILLed (137).
        const code = sigtermExit(r.c)?.code ?? 137;
        r.s.state = { terminated: terminatedState(pod, r, { code, at: kill.at }, code === 0 ? "Completed" : "Error", k) };
        r.s.ready = false;
        r.s.started = false;
        updateConditions(pod, k.now);
      },
    },
  },
  {
    // A readiness probe passes or fails: the container (and maybe the pod) becomes ready or not.
    name: "ready",
    selector: (pod, k) =>
      !isTerminating(pod) &&
      specContainers(pod).some((c) => {
        const s = statusOf(pod, c.name, false);
        if (!c.readinessProbe || !running(s)) return false;
        return k?.probes ? readyChange(pod, c, s!, k) !== undefined : !s!.ready;
      }),
    due: (pod, k) =>
      Math.min(
        ...specContainers(pod)
          .filter((c) => c.readinessProbe && running(statusOf(pod, c.name, false)))
          .map((c) => {
            const s = statusOf(pod, c.name, false)!;
            if (k.probes) return readyChange(pod, c, s, k)?.at ?? Infinity;
            return s.ready ? Infinity : time(s.state.running.startedAt) + k.clock.seconds(c.readinessProbe.initialDelaySeconds ?? 0);
          }),
      ),
    next: {
      events(pod, k) {
        if (!k.probes) return [];
        const out: StageEvent[] = [];
        for (const c of specContainers(pod)) {
          const s = statusOf(pod, c.name, false);
          const change = c.readinessProbe && running(s) ? readyChange(pod, c, s!, k) : undefined;
          if (change && change.at <= k.now && !change.ready)
            out.push({
              type: "Warning",
              reason: "Unhealthy",
              message: `Readiness probe failed: ${change.message}`,
              fieldPath: fieldPath(c, false),
            });
        }
        return out;
      },
      status(pod, k) {
        for (const c of specContainers(pod)) {
          const s = statusOf(pod, c.name, false);
          if (!c.readinessProbe || !running(s)) continue;
          if (k.probes) {
            const change = readyChange(pod, c, s!, k);
            if (change && change.at <= k.now) s!.ready = change.ready;
          } else if (!s!.ready) s!.ready = probeReady(c, time(s!.state.running.startedAt), k);
        }
        updateConditions(pod, k.now);
      },
    },
  },
];

/** The first stage whose selector matches the pod. */
export const matchStage = (pod: Obj, table: Stage[] = stages, k?: StageContext) => table.find((s) => s.selector(pod, k));

/**
 * Advance a pod through every stage that is due at `k.now`. Returns the events to record, whether
 * the status changed, whether the pod is to be removed, and when to look again (ms from now).
 */
export function advance(
  pod: Obj,
  k: StageContext,
  table: Stage[] = stages,
): { events: StageEvent[]; changed: boolean; remove: boolean; wakeIn?: number } {
  const events: StageEvent[] = [];
  let changed = false;
  pod.status ??= {};
  for (let i = 0; i < 50; i++) {
    // Of the stages that apply, the one due first (ties: table order).
    let stage: Stage | undefined;
    let due = Infinity;
    for (const s of table) {
      if (!s.selector(pod, k)) continue;
      const d = s.due(pod, k);
      if (!stage || d < due) [stage, due] = [s, d];
    }
    if (!stage) return { events, changed, remove: false };
    if (due === Infinity) return { events, changed, remove: false };
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
