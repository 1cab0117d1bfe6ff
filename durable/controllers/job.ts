// The Job controller (pkg/controller/job/job_controller.go), level-triggered: claim the Job's pods,
// count the finished ones, decide whether the Job failed (backoffLimit, activeDeadlineSeconds),
// succeeded (completions) or is suspended, otherwise keep `parallelism` pods running, replacing
// failed ones after an exponential back-off. Finishing is two steps as in v1.33: FailureTarget /
// SuccessCriteriaMet first, Failed / Complete once no pod of the Job is still running.
//
// Counting: each pod carries the job-tracking finalizer until the controller has counted it as
// succeeded or failed (a pod deleted before it succeeded counts as failed), so deleted pods stay
// counted. The real controller goes through status.uncountedTerminatedPods to survive a crash
// between the two writes; here one reconcile is one transaction, so that list stays empty.
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { rfc3339 } from "../api/registry";
import { selectorMatches, stableStringify } from "../resources/podtemplate";
import { COMPLETION_INDEX, JOB_NAME, JOB_TRACKING_FINALIZER, hasJobCondition, isJobFinished } from "../resources/job";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { controllerRef, isPodActive, isPodReady, isTerminating } from "./util";
import { claim, podFromTemplate, slowStartBatch } from "./replicaset";

const SOURCE = { component: "job-controller" };
/** DefaultJobPodFailureBackOff and its cap. */
const BACKOFF_S = 10;
const MAX_BACKOFF_S = 360;
const BURST = 500;

export const MSG_BACKOFF = "Job has reached the specified backoff limit";
export const MSG_DEADLINE = "Job was active longer than specified deadline";
export const MSG_COMPLETIONS = "Reached expected number of succeeded pods";

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isFinishedPod = (p: Obj) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** When a finished pod finished: its last container exit, else its last condition change. */
export function finishTime(pod: Obj): number {
  const times: number[] = [];
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])] as Obj[]) {
    const t = s.state?.terminated?.finishedAt;
    if (t) times.push(Date.parse(t));
  }
  if (!times.length)
    for (const c of (pod.status?.conditions ?? []) as Obj[]) if (c.lastTransitionTime) times.push(Date.parse(c.lastTransitionTime));
  return times.length ? Math.max(...times) : Date.parse(pod.metadata.creationTimestamp);
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
export function pastBackoffLimitOnFailure(job: Obj, pods: Obj[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== "Running" && p.status?.phase !== "Pending") continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])] as Obj[])
      restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The back-off before the next pod after `failures` consecutive failures (10 s × 2^(n-1), capped). */
export const backoffSeconds = (failures: number) => (failures <= 0 ? 0 : Math.min(BACKOFF_S * 2 ** (failures - 1), MAX_BACKOFF_S));

// ---- completion indexes (Indexed mode) ------------------------------------------------------------

const podIndex = (p: Obj): number | undefined => {
  const v = p.metadata?.annotations?.[COMPLETION_INDEX] ?? p.metadata?.labels?.[COMPLETION_INDEX];
  return v != null && /^\d+$/.test(v) ? Number(v) : undefined;
};

/** "1,3-5,7" → {1,3,4,5,7}. */
export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",").filter(Boolean)) {
    const [a, b] = part.split("-").map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

/** {1,3,4,5,7} → "1,3-5,7" (status.completedIndexes). */
export function formatIndexes(set: Set<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The pod for a new Job pod; Indexed pods carry their index (annotation, label, env, hostname). */
export function jobPod(job: Obj, index?: number): Obj {
  const pod = podFromTemplate(job.spec?.template ?? {}, job);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index === undefined) return pod;
  const i = String(index);
  pod.metadata.generateName = `${job.metadata.name}-${i}-`;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: i };
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX]: i };
  pod.spec.hostname ??= `${job.metadata.name}-${i}`;
  const env = {
    name: "JOB_COMPLETION_INDEX",
    valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } },
  };
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as Obj[])
    if (!(c.env ?? []).some((e: Obj) => e.name === env.name)) c.env = [...(c.env ?? []), structuredClone(env)];
  return pod;
}

// ---- the reconcile ------------------------------------------------------------------------------

function condition(type: string, reason: string, message: string, now: number): Obj {
  const ts = rfc3339(now);
  return { type, status: "True", lastProbeTime: ts, lastTransitionTime: ts, reason, message };
}

/** Add or flip a condition; returns whether it changed. */
function setJobCondition(status: Obj, cond: Obj): boolean {
  const list: Obj[] = (status.conditions ??= []);
  const cur = list.find((c) => c.type === cond.type);
  if (cur && cur.status === cond.status) return false;
  if (cur) Object.assign(cur, cond);
  else list.push(cond);
  return true;
}

function deletePods(c: ControllerContext, job: Obj, pods: Obj[]): void {
  for (const p of pods) {
    try {
      if (c.client.delete("pods", p.metadata.namespace, p.metadata.name))
        c.events.record(job, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, SOURCE);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      c.events.record(job, "Warning", "FailedDelete", `Error deleting: ${errorMessage(e)}`, SOURCE);
    }
  }
}

function createPods(c: ControllerContext, job: Obj, indexes: (number | undefined)[]): number {
  let next = 0;
  const { successes } = slowStartBatch(Math.min(indexes.length, BURST), 1, () => {
    try {
      const pod = c.client.create("pods", jobPod(job, indexes[next++]));
      c.events.record(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, SOURCE);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      c.events.record(job, "Warning", "FailedCreate", `Error creating: ${errorMessage(e)}`, SOURCE);
      throw e;
    }
  });
  return successes;
}

const tracked = (p: Obj) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

function untrack(c: ControllerContext, pod: Obj): void {
  c.client.patch("pods", pod.metadata.namespace, pod.metadata.name, (cur) => {
    const rest = (cur.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER);
    if (rest.length) cur.metadata.finalizers = rest;
    else delete cur.metadata.finalizers;
  });
}

/** Pods of a Job named `name` that no live Job counts any more (the Job was deleted, or orphaned them). */
function releaseOrphans(c: ControllerContext, namespace: string | undefined, name: string, live: Obj | undefined): void {
  for (const p of c.client.list("pods", namespace, tracked)) {
    const ref = controllerRef(p);
    const ours = ref ? ref.kind === "Job" && ref.name === name : p.metadata.labels?.[JOB_NAME] === name;
    if (ours && (!live || isTerminating(live) || ref?.uid !== live.metadata.uid)) untrack(c, p);
  }
}

function syncJob(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const job = c.client.get("jobs", namespace, name);
  releaseOrphans(c, namespace, name, job);
  if (!job || isTerminating(job)) return;
  const spec = job.spec ?? {};
  const pods = claim(c, job, "pods", c.client.list("pods", namespace), (p) => selectorMatches(spec.selector, p.metadata.labels));
  if (isJobFinished(job)) {
    for (const p of pods.filter(tracked)) untrack(c, p);
    return;
  }
  const now = c.now();
  const status: Obj = structuredClone(job.status ?? {});
  const indexed = spec.completionMode === "Indexed";
  let active = pods.filter(isPodActive);
  const succeededPods = pods.filter((p) => p.status?.phase === "Succeeded");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  // Count each finished (or deleted) pod once, then let it go.
  status.succeeded ??= 0;
  status.failed ??= 0;
  for (const p of pods.filter(tracked)) {
    if (p.status?.phase === "Succeeded") status.succeeded++;
    else if (p.status?.phase === "Failed" || isTerminating(p)) status.failed++;
    else continue;
    untrack(c, p);
  }
  const completed = parseIndexes(status.completedIndexes);
  if (indexed) for (const p of succeededPods) if (podIndex(p)! < spec.completions) completed.add(podIndex(p)!);

  let requeue: number | undefined;
  const wake = (ms: number) => (requeue = Math.min(requeue ?? Infinity, Math.max(0, ms)));

  // Suspension: no pods, no clock; resuming starts the clock again.
  const wasSuspended = hasJobCondition(job, "Suspended");
  if (spec.suspend && !hasJobCondition(job, "FailureTarget") && !hasJobCondition(job, "SuccessCriteriaMet")) {
    deletePods(c, job, active);
    active = [];
    if (setJobCondition(status, condition("Suspended", "JobSuspended", "Job suspended", now))) {
      c.events.record(job, "Normal", "Suspended", "Job suspended", SOURCE);
      delete status.startTime;
    }
  } else {
    if (wasSuspended) {
      setJobCondition(status, { ...condition("Suspended", "JobResumed", "Job resumed", now), status: "False" });
      c.events.record(job, "Normal", "Resumed", "Job resumed", SOURCE);
      status.startTime = rfc3339(now);
    }
    status.startTime ??= rfc3339(now);
    const start = Date.parse(status.startTime);

    // Failure: too many failed pods (or restarts), or past the deadline.
    const done = indexed
      ? completed.size >= spec.completions
      : spec.completions != null
        ? status.succeeded >= spec.completions
        : status.succeeded > 0 && !active.length;
    if (!hasJobCondition(job, "FailureTarget") && !hasJobCondition(job, "SuccessCriteriaMet") && !done) {
      const limit = spec.backoffLimit ?? 6;
      if (status.failed > limit || pastBackoffLimitOnFailure(job, active))
        setJobCondition(status, condition("FailureTarget", "BackoffLimitExceeded", MSG_BACKOFF, now));
      else if (spec.activeDeadlineSeconds != null) {
        const left = start + spec.activeDeadlineSeconds * 1000 - now;
        if (left <= 0) setJobCondition(status, condition("FailureTarget", "DeadlineExceeded", MSG_DEADLINE, now));
        else wake(left);
      }
    }
    if (done && !hasJobCondition(job, "FailureTarget"))
      setJobCondition(status, condition("SuccessCriteriaMet", "CompletionsReached", MSG_COMPLETIONS, now));

    const target = (status.conditions ?? []).find(
      (x: Obj) => (x.type === "FailureTarget" || x.type === "SuccessCriteriaMet") && x.status === "True",
    );
    if (target) {
      deletePods(
        c,
        job,
        active.filter((p) => !isTerminating(p)),
      );
      const running = pods.some((p) => !isFinishedPod(p) && c.client.get("pods", namespace, p.metadata.name));
      if (!running) {
        const failed = target.type === "FailureTarget";
        setJobCondition(status, condition(failed ? "Failed" : "Complete", target.reason, target.message, now));
        if (!failed) status.completionTime = rfc3339(now);
        if (failed) c.events.record(job, "Warning", target.reason, target.message, SOURCE);
        else c.events.record(job, "Normal", "Completed", "Job completed", SOURCE);
      }
      active = [];
    } else {
      // Keep parallelism pods running, after the back-off of consecutive failures.
      const lastSuccess = Math.max(0, ...succeededPods.map(finishTime));
      const recentFailures = failedPods.map(finishTime).filter((t) => t > lastSuccess);
      let want: (number | undefined)[] = [];
      if (indexed) {
        const busy = new Set(active.map(podIndex));
        const missing = [...Array(spec.completions).keys()].filter((i) => !completed.has(i) && !busy.has(i));
        want = missing.slice(0, Math.max(0, spec.parallelism - active.length));
      } else {
        const target =
          spec.completions == null
            ? status.succeeded > 0
              ? 0
              : spec.parallelism
            : Math.min(spec.parallelism, spec.completions - status.succeeded);
        want = Array(Math.max(0, target - active.length)).fill(undefined);
        // A work queue with a success lets its remaining pods finish; otherwise surplus pods go.
        if (active.length > target && !(spec.completions == null && status.succeeded > 0)) deletePods(c, job, active.slice(target));
      }
      if (want.length && recentFailures.length) {
        const wait = Math.max(...recentFailures) + c.clock.seconds(backoffSeconds(recentFailures.length)) - now;
        if (wait > 0) {
          wake(wait);
          want = [];
        }
      }
      if (want.length) createPods(c, job, want);
      active = c.client.list("pods", namespace, (p) => isPodActive(p) && controllerRef(p)?.uid === job.metadata.uid);
    }
  }

  const pending = c.client.list("pods", namespace, (p) => controllerRef(p)?.uid === job.metadata.uid);
  const next: Obj = {
    ...status,
    active: active.length,
    ready: active.filter(isPodReady).length,
    terminating: pending.filter((p) => isTerminating(p) && !isFinishedPod(p)).length,
    uncountedTerminatedPods: {},
    ...(indexed && completed.size ? { completedIndexes: formatIndexes(completed) } : {}),
  };
  for (const k of ["active", "succeeded", "failed"]) if (!next[k]) delete next[k]; // omitempty
  if (stableStringify(next) !== stableStringify(job.status ?? {}))
    c.client.patch(
      "jobs",
      namespace,
      name,
      (cur) => {
        cur.status = next;
      },
      { status: true },
    );
  return requeue !== undefined ? { requeueAfter: requeue } : undefined;
}

/** The Jobs a pod change concerns: its controller, or for orphans the Jobs selecting it. */
function podKeys(pod: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  const ns = pod.metadata.namespace;
  for (const p of prev ? [pod, prev] : [pod]) {
    const ref = controllerRef(p);
    if (ref?.kind === "Job") keys.add(`${ns}/${ref.name}`);
    else if (!ref) {
      for (const j of c.client.list("jobs", ns)) if (selectorMatches(j.spec?.selector, pod.metadata.labels)) keys.add(keyOf(j));
      if (tracked(p) && p.metadata.labels?.[JOB_NAME]) keys.add(`${ns}/${p.metadata.labels[JOB_NAME]}`); // to let it go
    }
  }
  return [...keys];
}

export const jobController: Controller = {
  name: "job-controller",
  primary: "jobs",
  watches: [{ plural: "jobs" }, { plural: "pods", map: podKeys }],
  reconcile: syncJob,
};
