// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): keep status.active in
// step with the CronJob's Jobs, create the Job of the most recent missed schedule (honouring
// suspend, startingDeadlineSeconds and the concurrency policy), trim finished Jobs to the history
// limits, and sleep until the next schedule. Schedules run on real time: the cluster's instant
// clock shortens simulated work, never the wall clock a schedule names.
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { rfc3339 } from "../api/registry";
import { stableStringify } from "../resources/podtemplate";
import { scheduleIn, rfc3339In, loadLocation, type Schedule } from "../resources/cron";
import { isJobFinished, hasJobCondition } from "../resources/job";
import { splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { controllerRef, ownerReference } from "./util";

const SOURCE = { component: "cronjob-controller" };
export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/** nextScheduleDelta: wake a little after the schedule, so that it has passed. */
const NEXT_DELTA_MS = 100;

/** getTimeHashInMinutes: Job names are `<cronjob>-<minutes since the epoch>`. */
export const jobNameFor = (cj: Obj, scheduled: number) => `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;

/**
 * mostRecentScheduleTime: the latest activation at or before `now` since the last one (or the
 * creation, or now − startingDeadlineSeconds), and how many were missed; undefined when none is due.
 */
export function mostRecentScheduleTime(cj: Obj, now: number, sched: Schedule): { time?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp);
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds != null) earliest = Math.max(earliest, now - sds * 1000);
  let t = sched.next(earliest);
  if (t === undefined || t > now) return { missed: 0 };
  let missed = 1;
  for (let n = sched.next(t); n !== undefined && n <= now; n = sched.next(n)) {
    t = n;
    if (++missed > 100) break; // the real one stops counting here too
  }
  return { time: t, missed };
}

/** getJobFromTemplate2: the Job of one scheduled time. */
export function jobFromTemplate(cj: Obj, scheduled: number): Obj {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const zone = cj.spec?.timeZone ?? "UTC";
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata.namespace,
      ...(tmpl.metadata?.labels ? { labels: { ...tmpl.metadata.labels } } : {}),
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339In(zone, scheduled) },
      ownerReferences: [ownerReference(cj)],
    },
    spec: structuredClone(tmpl.spec ?? {}),
  };
}

const jobRef = (job: Obj): Obj => ({
  apiVersion: "batch/v1",
  kind: "Job",
  name: job.metadata.name,
  namespace: job.metadata.namespace,
  resourceVersion: job.metadata.resourceVersion,
  uid: job.metadata.uid,
});

function deleteJob(c: ControllerContext, cj: Obj, job: Obj): void {
  if (c.client.delete("jobs", job.metadata.namespace, job.metadata.name, { propagationPolicy: "Background" }))
    c.events.record(cj, "Normal", "SuccessfulDelete", `Deleted job ${job.metadata.name}`, SOURCE);
}

/** When a finished Job finished (its completionTime, else the Failed condition's time). */
const finishedAt = (job: Obj) =>
  Date.parse(
    job.status?.completionTime ??
      (job.status?.conditions ?? []).find((x: Obj) => x.type === "Failed")?.lastTransitionTime ??
      job.metadata.creationTimestamp,
  );

/** cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit / failedJobsHistoryLimit. */
function cleanupFinishedJobs(c: ControllerContext, cj: Obj, jobs: Obj[]): void {
  const trim = (list: Obj[], limit: number | undefined) => {
    if (limit == null || list.length <= limit) return;
    const byStart = [...list].sort(
      (a, b) =>
        Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp) - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp),
    );
    for (const j of byStart.slice(0, list.length - limit)) deleteJob(c, cj, j);
  };
  trim(
    jobs.filter((j) => hasJobCondition(j, "Complete")),
    cj.spec?.successfulJobsHistoryLimit,
  );
  trim(
    jobs.filter((j) => hasJobCondition(j, "Failed")),
    cj.spec?.failedJobsHistoryLimit,
  );
}

function syncCronJob(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const cj = c.client.get("cronjobs", namespace, name);
  if (!cj) return;
  const now = c.now();
  const jobs = c.client.list("jobs", namespace, (j) => controllerRef(j)?.uid === cj.metadata.uid);
  const status: Obj = structuredClone(cj.status ?? {});

  // Reconcile status.active with the Jobs: finished ones leave it, running ones we own join it.
  const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
  let active: Obj[] = [];
  for (const ref of (status.active ?? []) as Obj[]) {
    const job = byUid.get(ref.uid);
    if (!job) continue; // deleted
    if (isJobFinished(job)) {
      c.events.record(
        cj,
        "Normal",
        "SawCompletedJob",
        `Saw completed job: ${job.metadata.name}, status: ${hasJobCondition(job, "Complete") ? "Complete" : "Failed"}`,
        SOURCE,
      );
      if (hasJobCondition(job, "Complete") && job.status?.completionTime) {
        const t = Date.parse(job.status.completionTime);
        if (!status.lastSuccessfulTime || Date.parse(status.lastSuccessfulTime) < t) status.lastSuccessfulTime = job.status.completionTime;
      }
    } else active.push(ref);
  }
  for (const job of jobs)
    if (!isJobFinished(job) && !job.metadata.deletionTimestamp && !active.some((r) => r.uid === job.metadata.uid)) active.push(jobRef(job));

  let requeue: number | undefined;
  if (!cj.metadata.deletionTimestamp && !cj.spec?.suspend) {
    let sched: Schedule | undefined;
    try {
      if (cj.spec?.timeZone != null) loadLocation(cj.spec.timeZone);
      sched = scheduleIn(cj.spec.schedule, cj.spec?.timeZone);
    } catch (e) {
      c.events.record(
        cj,
        "Warning",
        "UnparseableSchedule",
        `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(e as Error).message}`,
        SOURCE,
      );
    }
    if (sched) {
      const { time, missed } = mostRecentScheduleTime(cj, now, sched);
      if (missed > 100)
        c.events.record(
          cj,
          "Warning",
          "TooManyMissedTimes",
          "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
          SOURCE,
        );
      const sds = cj.spec?.startingDeadlineSeconds;
      if (time !== undefined) {
        const name = jobNameFor(cj, time);
        if (sds != null && time + sds * 1000 < now) {
          c.events.record(
            cj,
            "Warning",
            "MissSchedule",
            `Missed scheduled time to start a job: ${new Date(time).toUTCString().replace("GMT", "+0000")}`,
            SOURCE,
          );
        } else if (active.some((r) => r.name === name) || jobs.some((j) => j.metadata.name === name)) {
          // already started
        } else if (cj.spec?.concurrencyPolicy === "Forbid" && active.length) {
          c.events.record(
            cj,
            "Normal",
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
            SOURCE,
          );
        } else {
          if (cj.spec?.concurrencyPolicy === "Replace")
            for (const ref of active) {
              const job = byUid.get(ref.uid);
              if (job) deleteJob(c, cj, job);
            }
          if (cj.spec?.concurrencyPolicy === "Replace") active = [];
          try {
            const job = c.client.create("jobs", jobFromTemplate(cj, time));
            c.events.record(cj, "Normal", "SuccessfulCreate", `Created job ${job.metadata.name}`, SOURCE);
            active.push(jobRef(job));
            status.lastScheduleTime = rfc3339(time);
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            if (e.code === 409) status.lastScheduleTime = rfc3339(time);
            else c.events.record(cj, "Warning", "FailedCreate", `Error creating job: ${e.message}`, SOURCE);
          }
        }
      }
      const next = sched.next(now);
      if (next !== undefined) requeue = next - now + NEXT_DELTA_MS;
    }
  }
  cleanupFinishedJobs(c, cj, jobs);

  const next: Obj = { ...status, ...(active.length ? { active } : {}) };
  if (!active.length) delete next.active;
  if (stableStringify(next) !== stableStringify(cj.status ?? {}))
    c.client.patch(
      "cronjobs",
      namespace,
      name,
      (cur) => {
        cur.status = next;
      },
      { status: true },
    );
  return requeue !== undefined ? { requeueAfter: requeue } : undefined;
}

/** A Job change concerns the CronJob that controls it. */
function jobKeys(job: Obj, prev: Obj | undefined): Key[] {
  const keys = new Set<Key>();
  for (const j of prev ? [job, prev] : [job]) {
    const ref = controllerRef(j);
    if (ref?.kind === "CronJob") keys.add(`${j.metadata.namespace}/${ref.name}`);
  }
  return [...keys];
}

export const cronJobController: Controller = {
  name: "cronjob-controller",
  primary: "cronjobs",
  watches: [{ plural: "cronjobs" }, { plural: "jobs", map: (job, prev) => jobKeys(job, prev) }],
  reconcile: syncCronJob,
};
