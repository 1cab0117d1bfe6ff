// Jobs and CronJobs (batch/v1) with the real kubectl: create job → wait → get/logs, back-off and
// backoffLimit, parallelism, ttlSecondsAfterFinished, cascade on delete, CronJobs on real time,
// `create job --from=cronjob/…` and explain.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually, KUBECTL_VERSIONS } from "./lib/harness.mjs";

let server;
let s; // instant clock

const json = (out) => JSON.parse(out);
const rows = (out) =>
  out
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s{2,}/));
const jobPods = (job) => json(s.k(`get pods -l job-name=${job} -o json`)).items;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

test("create job → wait complete → get jobs row → logs job/hello", async () => {
  assert.equal(s.k("create job hello --image=busybox -- echo hi").trim(), "job.batch/hello created");
  assert.match(s.k("wait --for=condition=complete job/hello --timeout=30s"), /job.batch\/hello condition met/);
  const [row] = rows(s.k("get jobs"));
  assert.deepEqual(row.slice(0, 3), ["hello", "Complete", "1/1"]);
  assert.match(row[3], /^\d+s$/);
  assert.match(row[4], /^\d+s$/);
  assert.equal(s.k("logs job/hello").trim(), "hi");
  const job = json(s.k("get job hello -o json"));
  const uid = job.metadata.uid;
  assert.deepEqual(job.spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
  assert.deepEqual(job.spec.template.metadata.labels, {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": "hello",
    "controller-uid": uid,
    "job-name": "hello",
  });
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, "NonIndexed");
  assert.equal(job.spec.podReplacementPolicy, "TerminatingOrFailed");
  assert.equal(job.status.succeeded, 1);
  assert.ok(job.status.completionTime && job.status.startTime);
  assert.deepEqual(
    job.status.conditions.map((c) => `${c.type}/${c.reason}`),
    ["SuccessCriteriaMet/CompletionsReached", "Complete/CompletionsReached"],
  );
  const [pod] = jobPods("hello");
  assert.match(pod.metadata.name, /^hello-[a-z0-9]{5}$/);
  assert.equal(pod.metadata.finalizers, undefined); // counted, so the job-tracking finalizer is gone
  assert.equal(pod.metadata.ownerReferences[0].kind, "Job");
  const wide = s.k("get job hello -o wide");
  assert.match(wide.split("\n")[0], /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  assert.match(wide, new RegExp(`hello\\s+busybox\\s+batch.kubernetes.io/controller-uid=${uid}`));
  const events = s.k("get events --field-selector involvedObject.kind=Job -o json");
  const reasons = json(events)
    .items.filter((e) => e.involvedObject.name === "hello")
    .map((e) => `${e.reason}: ${e.message}`);
  assert.ok(reasons.includes(`SuccessfulCreate: Created pod: ${pod.metadata.name}`), reasons.join("\n"));
  assert.ok(reasons.includes("Completed: Job completed"), reasons.join("\n"));
});

const FAILING = `apiVersion: batch/v1
kind: Job
metadata:
  name: fail
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "exit 1"]
`;

test("backoffLimit 2: three failed pods (Error), the Job Failed with BackoffLimitExceeded", async () => {
  s.k("apply -f -", { input: FAILING });
  await eventually(() => rows(s.k("get job fail"))[0][1] === "Failed", { timeout: 40_000 });
  const pods = rows(s.k("get pods -l job-name=fail"));
  assert.equal(pods.length, 3);
  for (const p of pods) assert.equal(p[2], "Error");
  const d = s.k("describe job fail");
  assert.match(d, /Warning\s+BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
  const job = json(s.k("get job fail -o json"));
  assert.equal(job.status.failed, 3);
  assert.deepEqual(
    job.status.conditions.map((c) => `${c.type}/${c.reason}`),
    ["FailureTarget/BackoffLimitExceeded", "Failed/BackoffLimitExceeded"],
  );
  assert.equal(job.status.completionTime, undefined);
});

test("restartPolicy must be Never or OnFailure; the template is immutable", () => {
  const r = s.kubectl("apply -f -", {
    input: FAILING.replace("name: fail", "name: bad").replace("restartPolicy: Never", "restartPolicy: Always"),
  });
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/,
  );
  const u = s.kubectl(["set", "image", "job/fail", "c=busybox:1.36"]);
  assert.notEqual(u.code, 0);
  assert.match(u.stderr, /spec.template: Invalid value: .*field is immutable/);
});

test("completions 3, parallelism 2: at most two pods ran at a time by their containers' start and finish times, 3/3", async () => {
  s.k("create -f -", {
    input: FAILING.replace("name: fail", "name: par")
      .replace("backoffLimit: 2", "completions: 3\n  parallelism: 2")
      .replace("exit 1", "sleep 2"),
  });
  await eventually(() => rows(s.k("get job par"))[0][1] === "Complete", { timeout: 40_000, interval: 200 });
  assert.equal(rows(s.k("get job par"))[0][2], "3/3");
  const pods = jobPods("par");
  assert.equal(pods.length, 3);
  // How many containers ran at once: a sweep over [startedAt, finishedAt) of each (second precision).
  const edges = pods.flatMap((p) => {
    const t = p.status.containerStatuses[0].state.terminated;
    assert.ok(t && t.exitCode === 0, JSON.stringify(p.status));
    return [
      [Date.parse(t.startedAt), 1],
      [Date.parse(t.finishedAt), -1],
    ];
  });
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (running += d));
  assert.equal(most, 2);
});

test("Indexed completion mode: each pod sees JOB_COMPLETION_INDEX and its hostname", async () => {
  s.k("apply -f -", {
    input: FAILING.replace("name: fail", "name: idx")
      .replace("backoffLimit: 2", "completions: 3\n  parallelism: 3\n  completionMode: Indexed")
      .replace('"exit 1"', '"echo index=$JOB_COMPLETION_INDEX host=$(hostname)"'),
  });
  await eventually(() => rows(s.k("get job idx"))[0][1] === "Complete");
  const logs = jobPods("idx")
    .map((p) => s.k(`logs ${p.metadata.name}`).trim())
    .sort();
  assert.deepEqual(logs, ["index=0 host=idx-0", "index=1 host=idx-1", "index=2 host=idx-2"]);
  assert.equal(json(s.k("get job idx -o json")).status.completedIndexes, "0-2");
});

test("ttlSecondsAfterFinished 0: the Job and its pods disappear", async () => {
  s.k("create -f -", {
    input: FAILING.replace("name: fail", "name: ttl").replace("backoffLimit: 2", "ttlSecondsAfterFinished: 0").replace("exit 1", "true"),
  });
  await eventually(() => s.kubectl("get job ttl").code !== 0 && jobPods("ttl").length === 0, { timeout: 30_000 });
});

test("kubectl delete job cascades to its pods", async () => {
  s.k("create job del --image=busybox -- sleep 3600");
  await eventually(() => jobPods("del").some((p) => p.status?.phase === "Running"));
  assert.equal(s.k("delete job del").trim(), 'job.batch "del" deleted');
  await eventually(() => jobPods("del").length === 0);
});

test("a DELETE without a propagation policy orphans the pods (batch/v1's default), with the real warning", async () => {
  s.k("create job orphaned --image=busybox -- sleep 3600");
  await eventually(() => jobPods("orphaned").some((p) => p.status?.phase === "Running"));
  const res = await s.api("/apis/batch/v1/namespaces/default/jobs/orphaned", { method: "DELETE" });
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.warning,
    '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"',
  );
  await eventually(() => s.kubectl("get job orphaned").code !== 0);
  const [pod] = await eventually(() => {
    const pods = jobPods("orphaned");
    return pods.length === 1 && !pods[0].metadata.ownerReferences && !pods[0].metadata.finalizers && pods;
  });
  assert.equal(pod.status.phase, "Running");
  s.k(`delete pod ${pod.metadata.name} --wait=false`);
});

test("deleting a namespace with Jobs in it completes (the job-tracking finalizers are let go)", async () => {
  s.k("create ns batchns");
  s.k("create job sleepy -n batchns --image=busybox -- sleep 3600");
  await eventually(() => s.k("get pods -n batchns").includes("Running"));
  s.k("delete ns batchns --wait=false");
  await eventually(() => s.kubectl("get ns batchns").code !== 0, { timeout: 60_000 });
});

test("kubectl 1.27 creates and waits for a Job", { skip: !KUBECTL_VERSIONS.includes("1.27") }, async () => {
  assert.equal(s.k("create job old --image=busybox -- echo old", { version: "1.27" }).trim(), "job.batch/old created");
  assert.match(s.k("wait --for=condition=complete job/old --timeout=30s", { version: "1.27" }), /condition met/);
  assert.equal(s.k("logs job/old", { version: "1.27" }).trim(), "old");
});

test("create cronjob */1: a Job <cj>-<minutes> within ~65 s of real time, LAST SCHEDULE filled", async () => {
  assert.equal(
    s.k(["create", "cronjob", "c", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"]).trim(),
    "cronjob.batch/c created",
  );
  const [row] = rows(s.k("get cronjobs"));
  assert.deepEqual(row.slice(0, 6), ["c", "*/1 * * * *", "<none>", "False", "0", "<none>"]);
  assert.equal(rows(s.k("get cj"))[0][0], "c");
  const job = await eventually(() => json(s.k("get jobs -o json")).items.find((j) => j.metadata.ownerReferences?.[0]?.name === "c"), {
    timeout: 70_000,
    interval: 1000,
  });
  const scheduled = job.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"];
  assert.match(scheduled, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
  assert.equal(job.metadata.name, `c-${Date.parse(scheduled) / 60_000}`);
  const cj = json(s.k("get cronjob c -o json"));
  assert.equal(cj.status.lastScheduleTime, scheduled);
  assert.match(rows(s.k("get cronjobs"))[0][5], /^\d+s$/);
  assert.match(s.k("describe cronjob c"), new RegExp(`SuccessfulCreate\\s+.*Created job ${job.metadata.name}`));
  await eventually(() => json(s.k("get cronjob c -o json")).status.lastSuccessfulTime, { timeout: 30_000 });
  assert.match(s.k("get all"), /cronjob.batch\/c\s/);
});

test("create job --from=cronjob carries the manual-instantiate annotation", async () => {
  s.k(["create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "echo", "nightly"]);
  assert.equal(s.k("create job manual --from=cronjob/nightly").trim(), "job.batch/manual created");
  const job = json(s.k("get job manual -o json"));
  assert.equal(job.metadata.annotations["cronjob.kubernetes.io/instantiate"], "manual");
  assert.equal(job.metadata.ownerReferences[0].kind, "CronJob");
  await eventually(() => rows(s.k("get job manual"))[0][1] === "Complete");
  assert.equal(s.k("logs job/manual").trim(), "nightly");
});

test("CronJob validation: TZ= in the schedule, bad fields, unknown time zones", () => {
  const cj = (schedule, tz = "") => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: v
spec:
  schedule: "${schedule}"${tz ? `\n  timeZone: "${tz}"` : ""}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox
`;
  const err = (y) => s.kubectl("apply -f -", { input: y }).stderr;
  assert.match(
    err(cj("TZ=UTC 0 * * * *")),
    /spec.schedule: Invalid value: "TZ=UTC 0 \* \* \* \*": cannot use TZ or CRON_TZ in schedule, use timeZone field instead/,
  );
  assert.match(err(cj("61 * * * *")), /spec.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
  assert.match(err(cj("* * * *")), /expected exactly 5 fields, found 4: \[\* \* \* \*\]/);
  assert.match(err(cj("0 * * * *", "Mars/Olympus")), /spec.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);
  assert.match(s.k("apply -f -", { input: cj("@daily", "Asia/Tokyo") }), /cronjob.batch\/v created/);
  assert.deepEqual(rows(s.k("get cronjob v"))[0].slice(1, 3), ["@daily", "Asia/Tokyo"]);
});

test("kubectl explain cronjob.spec.concurrencyPolicy", () => {
  const out = s.k("explain cronjob.spec.concurrencyPolicy");
  assert.match(out, /KIND:\s+CronJob/);
  assert.match(out, /GROUP:\s+batch\n/);
  assert.match(out, /VERSION:\s+v1\n/);
  assert.match(out, /FIELD: concurrencyPolicy <string>/);
  assert.match(out, /Forbid/);
});
