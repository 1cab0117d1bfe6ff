import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { ApiError } from "../../durable/api/status";
import { byPlural } from "../../durable/resources";
import { Client } from "../../durable/controllers/client";
import { EventRecorder } from "../../durable/controllers/events";
import { Clock } from "../../durable/nodes/clock";
import type { ControllerContext, ReconcileResult } from "../../durable/controllers/types";
import type { Obj } from "../../durable/resources/types";
import jobs, { jobCompletionsCell, jobStatusCell } from "../../durable/resources/job";
import { backoffSeconds, formatIndexes, jobController, parseIndexes } from "../../durable/controllers/job";
import { ttlAfterFinishedController } from "../../durable/controllers/ttlafterfinished";
import { parseGoDuration, parseStandard, rfc3339In, scheduleIn } from "../../durable/resources/cron";
import cronjobs from "../../durable/resources/cronjob";
import { cronJobController, jobFromTemplate, mostRecentScheduleTime } from "../../durable/controllers/cronjob";

const NOW = Date.parse("2025-01-01T00:10:00Z");

interface World {
  c: ControllerContext;
  advance(ms: number): void;
  sync(key?: string): ReconcileResult | void;
  finish(phase: "Succeeded" | "Failed", name?: string): void;
  pods(): Obj[];
  job(name?: string): Obj;
}

function withCluster<T>(fn: (w: World) => T): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  const stub = ns.get(ns.newUniqueId());
  return runInDurableObject(stub, (_i, state) => {
    let now = NOW;
    const registry = new Registry({ store: new Store(state.storage.sql), now: () => now, maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    const client = new Client(registry);
    const c: ControllerContext = {
      now: () => now,
      client,
      events: new EventRecorder(client, () => now),
      clock: new Clock(() => "realistic"),
      enqueue: () => {},
    };
    const w: World = {
      c,
      advance: (ms) => void (now += ms),
      sync: (key = "default/pi") => jobController.reconcile(key, c),
      pods: () => client.list("pods", "default"),
      job: (name = "pi") => client.get("jobs", "default", name)!,
      finish(phase, name) {
        const p = name
          ? client.get("pods", "default", name)!
          : client.list("pods", "default", (x) => !x.status?.phase || x.status.phase === "Pending")[0];
        const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
        client.patch(
          "pods",
          "default",
          p.metadata.name,
          (o) => {
            o.status = {
              phase,
              containerStatuses: [
                {
                  name: "c",
                  restartCount: 0,
                  state: { terminated: { exitCode: phase === "Succeeded" ? 0 : 1, finishedAt: at, startedAt: at } },
                },
              ],
            };
          },
          { status: true },
        );
      },
    };
    return fn(w);
  });
}

const jobObj = (spec: Obj = {}, restartPolicy = "Never"): Obj => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "pi", namespace: "default" },
  spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: "c", image: "perl" }] } } },
});

const createError = (c: ControllerContext, obj: Obj): string[] => {
  try {
    c.client.create("jobs", obj);
  } catch (e) {
    if (e instanceof ApiError) return (e.details?.causes ?? []).map((x: Obj) => `${x.field}: ${x.message}`);
    throw e;
  }
  return [];
};

describe("Job defaults and validation", () => {
  it("defaults the spec and generates the selector and labels from the uid", () =>
    withCluster(({ c }) => {
      const job = c.client.create("jobs", jobObj());
      const uid = job.metadata.uid;
      expect(job.spec).toMatchObject({
        parallelism: 1,
        completions: 1,
        backoffLimit: 6,
        completionMode: "NonIndexed",
        suspend: false,
        podReplacementPolicy: "TerminatingOrFailed",
      });
      expect(job.spec.manualSelector).toBeUndefined();
      expect(job.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
      const labels = {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi",
      };
      expect(job.spec.template.metadata.labels).toEqual(labels);
      expect(job.metadata.labels).toEqual(labels);
      expect(job.status).toEqual({});
      // A work queue: completions null stays null.
      const wq = c.client.create("jobs", { ...jobObj({ parallelism: 3 }), metadata: { name: "wq", namespace: "default" } });
      expect(wq.spec.completions).toBeUndefined();
      expect(jobCompletionsCell(wq)).toBe("0/1 of 3");
    }));

  it("rejects restartPolicy Always, Indexed without completions, negative counts", () =>
    withCluster(({ c }) => {
      expect(createError(c, jobObj({}, "Always"))).toEqual([
        'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
      ]);
      expect(createError(c, jobObj({ completionMode: "Indexed", parallelism: 2 }))).toEqual([
        "spec.completions: Required value: when completion mode is Indexed",
      ]);
      expect(createError(c, jobObj({ backoffLimit: -1 }))).toEqual([
        "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
      ]);
      const spoofed = jobObj();
      spoofed.spec.template.metadata = { labels: { "controller-uid": "x" } };
      expect(createError(c, spoofed)).toEqual([
        expect.stringMatching(/^spec.template.metadata.labels\[controller-uid\]: Invalid value: "x": must be '[0-9a-f-]{36}'$/),
      ]);
      expect(createError(c, jobObj({ completionMode: "Sometimes" }))).toEqual([
        'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
      ]);
    }));

  it("keeps the template immutable", () =>
    withCluster(({ c }) => {
      c.client.create("jobs", jobObj());
      expect(() => c.client.patch("jobs", "default", "pi", (j) => void (j.spec.template.spec.containers[0].image = "perl:5"))).toThrow(
        /spec.template: Invalid value: .*field is immutable/,
      );
      expect(() => c.client.patch("jobs", "default", "pi", (j) => void (j.spec.completions = 4))).toThrow(
        /spec.completions: Invalid value: 4: field is immutable/,
      );
      expect(c.client.patch("jobs", "default", "pi", (j) => void (j.spec.parallelism = 4))!.spec.parallelism).toBe(4);
    }));

  it("prints STATUS from the conditions in printJob's order", () => {
    const cond = (type: string) => ({ type, status: "True" });
    expect(jobStatusCell({ status: {} })).toBe("Running");
    expect(jobStatusCell({ status: { conditions: [cond("SuccessCriteriaMet")] } })).toBe("SuccessCriteriaMet");
    expect(jobStatusCell({ status: { conditions: [cond("FailureTarget")] } })).toBe("FailureTarget");
    expect(jobStatusCell({ status: { conditions: [cond("FailureTarget"), cond("Failed")] } })).toBe("Failed");
    expect(jobStatusCell({ metadata: { deletionTimestamp: "x" }, status: { conditions: [cond("Suspended")] } })).toBe("Terminating");
    expect(jobStatusCell({ status: { conditions: [cond("Suspended")] } })).toBe("Suspended");
    expect(jobs.columns.map((x) => x.name)).toEqual([
      "Name",
      "Status",
      "Completions",
      "Duration",
      "Age",
      "Containers",
      "Images",
      "Selector",
    ]);
  });
});

describe("Job controller", () => {
  it("runs parallelism pods up to completions, then SuccessCriteriaMet and Complete", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ completions: 3, parallelism: 2 }));
      w.sync();
      expect(w.pods().map((p) => p.metadata.generateName)).toEqual(["pi-", "pi-"]);
      expect(w.job().status).toMatchObject({
        active: 2,
        ready: 0,
        terminating: 0,
        startTime: "2025-01-01T00:10:00Z",
        uncountedTerminatedPods: {},
      });
      w.finish("Succeeded");
      w.sync();
      expect(w.pods()).toHaveLength(3);
      expect(w.job().status).toMatchObject({ active: 2, succeeded: 1 });
      w.finish("Succeeded");
      w.sync();
      expect(w.pods()).toHaveLength(3); // only one completion missing, and it is running
      w.advance(5000);
      w.finish("Succeeded");
      w.sync();
      const job = w.job();
      expect(job.status.succeeded).toBe(3);
      expect(job.status.active).toBeUndefined();
      expect(job.status.completionTime).toBe("2025-01-01T00:10:05Z");
      expect(job.status.conditions.map((x: Obj) => `${x.type}=${x.status}/${x.reason}/${x.message}`)).toEqual([
        "SuccessCriteriaMet=True/CompletionsReached/Reached expected number of succeeded pods",
        "Complete=True/CompletionsReached/Reached expected number of succeeded pods",
      ]);
      const events = w.c.client.list("events", "default").map((e) => `${e.reason}: ${e.message}`);
      expect(events.filter((e) => e.startsWith("SuccessfulCreate: Created pod: pi-"))).toHaveLength(3);
      expect(events).toContain("Completed: Job completed");
    }));

  it("backs off after failures (10 s, 20 s, …) and fails past backoffLimit", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ backoffLimit: 1 }));
      w.sync();
      w.finish("Failed");
      expect(w.sync()).toEqual({ requeueAfter: 10_000 });
      expect(w.pods()).toHaveLength(1);
      w.advance(10_000);
      w.sync();
      expect(w.pods()).toHaveLength(2);
      expect(w.job().status).toMatchObject({ active: 1, failed: 1 });
      w.finish("Failed");
      w.sync();
      const job = w.job();
      expect(job.status.failed).toBe(2);
      expect(job.status.completionTime).toBeUndefined();
      expect(job.status.conditions.map((x: Obj) => `${x.type}/${x.reason}`)).toEqual([
        "FailureTarget/BackoffLimitExceeded",
        "Failed/BackoffLimitExceeded",
      ]);
      expect(
        w.c.client
          .list("events", "default")
          .some(
            (e) =>
              e.type === "Warning" && e.reason === "BackoffLimitExceeded" && e.message === "Job has reached the specified backoff limit",
          ),
      ).toBe(true);
      expect([1, 2, 3, 6, 7, 10].map(backoffSeconds)).toEqual([10, 20, 40, 320, 360, 360]);
    }));

  it("counts container restarts with restartPolicy OnFailure", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ backoffLimit: 2 }, "OnFailure"));
      w.sync();
      const [p] = w.pods();
      w.c.client.patch(
        "pods",
        "default",
        p.metadata.name,
        (o) => void (o.status = { phase: "Running", containerStatuses: [{ name: "c", restartCount: 2 }] }),
        { status: true },
      );
      w.sync();
      expect(w.job().status.conditions[0]).toMatchObject({ type: "FailureTarget", reason: "BackoffLimitExceeded" });
      expect(w.c.client.get("pods", "default", p.metadata.name)?.metadata.deletionTimestamp ?? "gone").toBeTruthy();
    }));

  it("fails with DeadlineExceeded after activeDeadlineSeconds, waking itself at the deadline", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ activeDeadlineSeconds: 30 }));
      expect(w.sync()).toEqual({ requeueAfter: 30_000 });
      w.advance(30_000);
      w.sync();
      expect(w.job().status.conditions.map((x: Obj) => `${x.type}/${x.reason}/${x.message}`)).toContain(
        "FailureTarget/DeadlineExceeded/Job was active longer than specified deadline",
      );
    }));

  it("suspends (deleting its pods) and resumes", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ suspend: true }));
      w.sync();
      expect(w.pods()).toHaveLength(0);
      expect(w.job().status.conditions).toMatchObject([
        { type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended" },
      ]);
      expect(w.job().status.startTime).toBeUndefined();
      expect(jobStatusCell(w.job())).toBe("Suspended");
      w.c.client.patch("jobs", "default", "pi", (j) => void (j.spec.suspend = false));
      w.sync();
      expect(w.pods()).toHaveLength(1);
      expect(w.job().status.conditions).toMatchObject([
        { type: "Suspended", status: "False", reason: "JobResumed", message: "Job resumed" },
      ]);
    }));

  it("Indexed: one pod per index with JOB_COMPLETION_INDEX, completedIndexes", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ completions: 3, parallelism: 3, completionMode: "Indexed" }));
      w.sync();
      const pods = w.pods().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      expect(pods.map((p) => p.metadata.annotations["batch.kubernetes.io/job-completion-index"])).toEqual(["0", "1", "2"]);
      expect(pods[1].metadata.name).toMatch(/^pi-1-[a-z0-9]{5}$/);
      expect(pods[1].metadata.labels["batch.kubernetes.io/job-completion-index"]).toBe("1");
      expect(pods[1].spec.hostname).toBe("pi-1");
      expect(pods[1].spec.containers[0].env).toEqual([
        {
          name: "JOB_COMPLETION_INDEX",
          valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
        },
      ]);
      w.finish("Succeeded", pods[2].metadata.name);
      w.finish("Succeeded", pods[0].metadata.name);
      w.sync();
      expect(w.job().status.completedIndexes).toBe("0,2");
      expect(parseIndexes("1,3-5,7")).toEqual(new Set([1, 3, 4, 5, 7]));
      expect(formatIndexes(new Set([7, 1, 3, 4, 5]))).toBe("1,3-5,7");
    }));

  it("tracks pods with a finalizer: counted once, deleted pods count as failed, released when the Job goes", () =>
    withCluster((w) => {
      const fin = "batch.kubernetes.io/job-tracking";
      w.c.client.create("jobs", jobObj({ completions: 2, parallelism: 2 }));
      w.sync();
      const [a, b] = w.pods();
      expect(a.metadata.finalizers).toEqual([fin]);
      w.finish("Succeeded", a.metadata.name);
      w.sync();
      expect(w.c.client.get("pods", "default", a.metadata.name)!.metadata.finalizers).toBeUndefined();
      w.c.client.delete("pods", "default", a.metadata.name); // a counted pod may go
      w.sync();
      expect(w.job().status.succeeded).toBe(1);
      w.c.client.delete("pods", "default", b.metadata.name); // still running: it stays until counted
      expect(w.c.client.get("pods", "default", b.metadata.name)!.metadata.deletionTimestamp).toBeTruthy();
      w.sync();
      expect(w.job().status).toMatchObject({ succeeded: 1, failed: 1, active: 1 });
      expect(w.c.client.get("pods", "default", b.metadata.name)?.metadata.finalizers).toBeUndefined();
      // The Job is deleted with its pods orphaned: the controller lets go of them.
      const [c] = w.pods().filter((p) => p.metadata.name !== b.metadata.name && !p.metadata.deletionTimestamp);
      w.c.client.delete("jobs", "default", "pi", { propagationPolicy: "Background" });
      w.sync();
      expect(w.c.client.get("pods", "default", c.metadata.name)!.metadata.finalizers).toBeUndefined();
    }));

  it("the TTL-after-finished controller deletes a finished Job when its TTL is over", () =>
    withCluster((w) => {
      w.c.client.create("jobs", jobObj({ ttlSecondsAfterFinished: 60 }));
      w.sync();
      expect(ttlAfterFinishedController.reconcile("default/pi", w.c)).toBeUndefined(); // not finished
      w.finish("Succeeded");
      w.sync();
      w.advance(20_000);
      expect(ttlAfterFinishedController.reconcile("default/pi", w.c)).toEqual({ requeueAfter: 40_000 });
      w.advance(40_000);
      ttlAfterFinishedController.reconcile("default/pi", w.c);
      const job = w.c.client.get("jobs", "default", "pi");
      expect(job === undefined || !!job.metadata.deletionTimestamp).toBe(true);
    }));
});

// ---- CronJob ------------------------------------------------------------------------------------

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const nextN = (spec: string, from: string, n: number, tz?: string) => {
  const sched = scheduleIn(spec, tz);
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) out.push(iso((t = sched.next(t)!))!);
  return out;
};
const parseError = (spec: string) => {
  try {
    parseStandard(spec);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("cron schedules (robfig/cron ParseStandard)", () => {
  it("steps, ranges, lists and names", () => {
    expect(nextN("*/15 * * * *", "2025-01-01T00:07:30Z", 3)).toEqual([
      "2025-01-01T00:15:00.000Z",
      "2025-01-01T00:30:00.000Z",
      "2025-01-01T00:45:00.000Z",
    ]);
    expect(nextN("0 9-17/4 * * mon-fri", "2025-01-03T16:00:00Z", 3)).toEqual([
      "2025-01-03T17:00:00.000Z",
      "2025-01-06T09:00:00.000Z",
      "2025-01-06T13:00:00.000Z",
    ]);
    expect(nextN("30 2 1,15 jan,JUL *", "2025-01-10T00:00:00Z", 3)).toEqual([
      "2025-01-15T02:30:00.000Z",
      "2025-07-01T02:30:00.000Z",
      "2025-07-15T02:30:00.000Z",
    ]);
    expect(nextN("0 0 29 2 *", "2025-01-01T00:00:00Z", 1)).toEqual(["2028-02-29T00:00:00.000Z"]);
    // Day of month OR day of week when both are restricted, AND when one is a star.
    expect(nextN("0 0 13 * fri", "2025-06-01T00:00:00Z", 3)).toEqual([
      "2025-06-06T00:00:00.000Z",
      "2025-06-13T00:00:00.000Z",
      "2025-06-20T00:00:00.000Z",
    ]);
    expect(nextN("* * * * *", "2025-01-01T00:00:59.500Z", 1)).toEqual(["2025-01-01T00:01:00.000Z"]);
  });

  it("descriptors and @every", () => {
    expect(nextN("@hourly", "2025-01-01T00:00:00Z", 2)).toEqual(["2025-01-01T01:00:00.000Z", "2025-01-01T02:00:00.000Z"]);
    expect(nextN("@weekly", "2025-01-01T00:00:00Z", 1)).toEqual(["2025-01-05T00:00:00.000Z"]);
    expect(nextN("@yearly", "2025-03-01T00:00:00Z", 1)).toEqual(["2026-01-01T00:00:00.000Z"]);
    expect(nextN("@every 1h30m", "2025-01-01T00:00:00.250Z", 2)).toEqual(["2025-01-01T01:30:00.000Z", "2025-01-01T03:00:00.000Z"]);
    expect(parseGoDuration("1.5s")).toBe(1500);
  });

  it("time zones: fixed offsets and zones without DST", () => {
    expect(nextN("0 9 * * *", "2025-01-01T00:00:00Z", 1, "Asia/Tokyo")).toEqual(["2025-01-02T00:00:00.000Z"]); // strictly after 09:00 JST
    expect(nextN("0 9 * * *", "2024-12-31T23:00:00Z", 1, "Asia/Tokyo")).toEqual(["2025-01-01T00:00:00.000Z"]);
    expect(nextN("30 0 * * *", "2025-01-01T00:00:00Z", 1, "Asia/Kolkata")).toEqual(["2025-01-01T19:00:00.000Z"]);
    expect(nextN("0 12 * * *", "2025-01-01T00:00:00Z", 1, "Etc/GMT+5")).toEqual(["2025-01-01T17:00:00.000Z"]);
    expect(nextN("0 0 * * *", "2025-01-01T00:00:00Z", 1, "UTC")).toEqual(["2025-01-02T00:00:00.000Z"]);
    expect(rfc3339In("Asia/Tokyo", Date.parse("2025-01-01T00:00:00Z"))).toBe("2025-01-01T09:00:00+09:00");
    expect(rfc3339In("UTC", Date.parse("2025-01-01T00:00:00Z"))).toBe("2025-01-01T00:00:00Z");
  });

  it("the parser's messages", () => {
    expect(parseError("")).toBe("empty spec string");
    expect(parseError("* * * *")).toBe("expected exactly 5 fields, found 4: [* * * *]");
    expect(parseError("60 * * * *")).toBe("end of range (60) above maximum (59): 60");
    expect(parseError("* * 0 * *")).toBe("beginning of range (0) below minimum (1): 0");
    expect(parseError("5-2 * * * *")).toBe("beginning of range (5) beyond end of range (2): 5-2");
    expect(parseError("*/0 * * * *")).toBe("step of range should be a positive number: */0");
    expect(parseError("x * * * *")).toBe('failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
    expect(parseError("@fortnightly")).toBe("unrecognized descriptor: @fortnightly");
    expect(parseError("@every soon")).toBe('failed to parse duration @every soon: time: invalid duration "soon"');
    expect(parseError("CRON_TZ=Nowhere/Land 0 * * * *")).toBe("provided bad location Nowhere/Land: unknown time zone Nowhere/Land");
  });
});

const cjObj = (spec: Obj = {}): Obj => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "hello", namespace: "default" },
  spec: {
    schedule: "*/5 * * * *",
    ...spec,
    jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } } },
  },
});

const cjErrors = (c: ControllerContext, obj: Obj): string[] => {
  try {
    c.client.create("cronjobs", obj);
  } catch (e) {
    if (e instanceof ApiError) return (e.details?.causes ?? []).map((x: Obj) => `${x.field}: ${x.message}`);
    throw e;
  }
  return [];
};

describe("CronJob", () => {
  it("defaults, validation messages and the table row", () =>
    withCluster(({ c }) => {
      const cj = c.client.create("cronjobs", cjObj());
      expect(cj.spec).toMatchObject({
        concurrencyPolicy: "Allow",
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      });
      expect(cj.spec.jobTemplate.spec.backoffLimit).toBeUndefined(); // only the pod template is defaulted
      expect(cronjobs.row(cj, { now: NOW, get: () => undefined, list: () => [] }).slice(0, 6)).toEqual([
        "hello",
        "*/5 * * * *",
        "<none>",
        "False",
        0,
        "<none>",
      ]);
      expect(cjErrors(c, { ...cjObj({ schedule: "TZ=UTC */5 * * * *" }), metadata: { name: "a", namespace: "default" } })).toEqual([
        'spec.schedule: Invalid value: "TZ=UTC */5 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ]);
      expect(cjErrors(c, { ...cjObj({ timeZone: "Local" }), metadata: { name: "b", namespace: "default" } })[0]).toBe(
        'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      );
      expect(cjErrors(c, { ...cjObj({ concurrencyPolicy: "Sometimes" }), metadata: { name: "d", namespace: "default" } })).toEqual([
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      ]);
      expect(cjErrors(c, { ...cjObj(), metadata: { name: "x".repeat(53), namespace: "default" } })).toEqual([
        `metadata.name: Invalid value: "${"x".repeat(53)}": must be no more than 52 characters`,
      ]);
    }));

  it("creates <name>-<minutes> at the schedule, sleeps until the next one, trims history", () =>
    withCluster((w) => {
      const { c } = w;
      c.client.create("cronjobs", cjObj({ successfulJobsHistoryLimit: 1 })); // created at 00:10:00
      const sync = () => cronJobController.reconcile("default/hello", c);
      expect(sync()).toEqual({ requeueAfter: 5 * 60_000 + 100 });
      expect(c.client.list("jobs", "default")).toHaveLength(0);
      w.advance(5 * 60_000 + 100);
      expect(sync()).toEqual({ requeueAfter: 5 * 60_000 });
      const [job] = c.client.list("jobs", "default");
      const at = Date.parse("2025-01-01T00:15:00Z");
      expect(job.metadata.name).toBe(`hello-${at / 60_000}`);
      expect(job.metadata.annotations).toEqual({ "batch.kubernetes.io/cronjob-scheduled-timestamp": "2025-01-01T00:15:00Z" });
      expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: "CronJob", name: "hello", controller: true });
      const cj = c.client.get("cronjobs", "default", "hello")!;
      expect(cj.status.lastScheduleTime).toBe("2025-01-01T00:15:00Z");
      expect(cj.status.active).toEqual([
        {
          apiVersion: "batch/v1",
          kind: "Job",
          name: job.metadata.name,
          namespace: "default",
          resourceVersion: job.metadata.resourceVersion,
          uid: job.metadata.uid,
        },
      ]);
      // The Job finishes: SawCompletedJob, lastSuccessfulTime, out of active.
      c.client.patch(
        "jobs",
        "default",
        job.metadata.name,
        (j) => {
          j.status = {
            startTime: "2025-01-01T00:15:00Z",
            completionTime: "2025-01-01T00:15:05Z",
            succeeded: 1,
            conditions: [{ type: "Complete", status: "True" }],
          };
        },
        { status: true },
      );
      sync();
      const done = c.client.get("cronjobs", "default", "hello")!;
      expect(done.status.active).toBeUndefined();
      expect(done.status.lastSuccessfulTime).toBe("2025-01-01T00:15:05Z");
      expect(c.client.list("events", "default").map((e) => e.message)).toContain(
        `Saw completed job: ${job.metadata.name}, status: Complete`,
      );
      // The next one; the history keeps one successful Job.
      w.advance(5 * 60_000);
      sync();
      const second = c.client.list("jobs", "default").find((j) => j.metadata.name !== job.metadata.name)!;
      c.client.patch(
        "jobs",
        "default",
        second.metadata.name,
        (j) => {
          j.status = {
            startTime: "2025-01-01T00:20:00Z",
            completionTime: "2025-01-01T00:20:05Z",
            succeeded: 1,
            conditions: [{ type: "Complete", status: "True" }],
          };
        },
        { status: true },
      );
      sync();
      expect(c.client.list("jobs", "default", (j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name)).toEqual([
        second.metadata.name,
      ]);
      expect(c.client.list("events", "default").map((e) => e.message)).toContain(`Deleted job ${job.metadata.name}`);
    }));

  it("Forbid skips while a Job runs; Replace replaces it; suspend stops; startingDeadlineSeconds misses", () =>
    withCluster((w) => {
      const { c } = w;
      c.client.create("cronjobs", cjObj({ concurrencyPolicy: "Forbid" }));
      const sync = () => cronJobController.reconcile("default/hello", c);
      w.advance(5 * 60_000);
      sync();
      w.advance(5 * 60_000);
      sync();
      expect(c.client.list("jobs", "default")).toHaveLength(1);
      expect(c.client.list("events", "default").some((e) => e.reason === "JobAlreadyActive")).toBe(true);
      c.client.patch("cronjobs", "default", "hello", (cj) => void (cj.spec.concurrencyPolicy = "Replace"));
      w.advance(5 * 60_000);
      sync();
      expect(c.client.list("jobs", "default", (j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name)).toEqual([
        `hello-${Date.parse("2025-01-01T00:25:00Z") / 60_000}`,
      ]);
      c.client.patch("cronjobs", "default", "hello", (cj) => void (cj.spec.suspend = true));
      w.advance(5 * 60_000);
      expect(sync()).toBeUndefined();
      expect(c.client.list("jobs", "default", (j) => !j.metadata.deletionTimestamp)).toHaveLength(1);
      const late = { ...cjObj({ startingDeadlineSeconds: 10 }), metadata: { name: "late", namespace: "default" } };
      const created = c.client.create("cronjobs", late);
      const sched = scheduleIn("*/5 * * * *", undefined);
      expect(mostRecentScheduleTime(created, Date.parse("2025-01-01T00:35:30Z"), sched)).toEqual({ missed: 0 });
      expect(mostRecentScheduleTime(created, Date.parse("2025-01-01T00:40:05Z"), sched)).toEqual({
        time: Date.parse("2025-01-01T00:40:00Z"),
        missed: 1,
      });
      expect(
        jobFromTemplate({ ...created, spec: { ...created.spec, timeZone: "Asia/Tokyo" } }, Date.parse("2025-01-01T00:40:00Z")).metadata
          .annotations,
      ).toEqual({
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2025-01-01T09:40:00+09:00",
      });
    }));
});
