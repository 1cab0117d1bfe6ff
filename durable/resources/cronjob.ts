// batch/v1 CronJob: SetDefaults_CronJob, the strategy (pkg/registry/batch/cronjob/strategy.go),
// ValidateCronJobCreate / ValidateCronJobUpdate and printCronJob.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { invalid, notSupported, required } from "./validation";
import {
  containersColumn,
  defaultPodTemplate,
  formatLabelSelector,
  goLabelSelector,
  imagesColumn,
  invalidRaw,
  keepStatusBumpGeneration,
  layoutContainerCells,
  nonNegativeFields,
} from "./podtemplate";
import { fieldDoc, selectorColumn, validateJobSpec } from "./job";
import { loadLocation, parseStandard } from "./cron";

const CJ_SPEC = "io.k8s.api.batch.v1.CronJobSpec";
const CJ_STATUS = "io.k8s.api.batch.v1.CronJobStatus";
const validTimeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateScheduleFormat: robfig's parse error, and no TZ= in new schedules (use spec.timeZone). */
function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseStandard(schedule);
  } catch (e) {
    errs.push(invalid("spec.schedule", schedule, (e as Error).message));
  }
  if (allowTZ && schedule.includes("TZ") && timeZone != null)
    errs.push(invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  else if (!allowTZ && schedule.includes("TZ"))
    errs.push(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  return errs;
}

/** validateTimeZone. */
function validateTimeZone(tz: string | undefined): FieldError[] {
  if (tz == null) return [];
  const path = "spec.timeZone";
  if (tz === "") return [invalid(path, tz, "timeZone must be nil or non-empty string")];
  for (const part of tz.split("/"))
    if (part === "." || part === ".." || part.startsWith("-") || !validTimeZonePart.test(part))
      return [invalid(path, tz, `unknown time zone ${tz}`)];
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === "local")
    errs.push(invalid(path, tz, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  try {
    loadLocation(tz);
  } catch (e) {
    errs.push(invalid(path, tz, (e as Error).message));
  }
  return errs;
}

function validateSpec(cj: Obj, allowTZ: boolean): FieldError[] {
  const s = cj.spec ?? {};
  const errs: FieldError[] = [];
  if (!s.schedule) errs.push(required("spec.schedule", ""));
  else errs.push(...validateSchedule(s.schedule, allowTZ, s.timeZone));
  errs.push(...nonNegativeFields(s, "spec", ["startingDeadlineSeconds"]));
  if (!s.concurrencyPolicy) errs.push(required("spec.concurrencyPolicy", ""));
  else if (!["Allow", "Forbid", "Replace"].includes(s.concurrencyPolicy))
    errs.push(notSupported("spec.concurrencyPolicy", s.concurrencyPolicy, ["Allow", "Forbid", "Replace"]));
  // ValidateJobTemplateSpec: the Job's selector is generated when each Job is created.
  const jt = s.jobTemplate?.spec ?? {};
  errs.push(...validateJobSpec(jt, "spec.jobTemplate.spec", false));
  if (jt.selector != null)
    errs.push(invalidRaw("spec.jobTemplate.spec.selector", goLabelSelector(jt.selector), "`selector` will be auto-generated"));
  if (jt.manualSelector === true) errs.push(notSupported("spec.jobTemplate.spec.manualSelector", true, ["nil", "false"]));
  errs.push(...nonNegativeFields(s, "spec", ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"]));
  errs.push(...validateTimeZone(s.timeZone));
  return errs;
}

/** Job names add 11 characters ("-" and the minutes since the epoch) to a DNS-1035 label. */
function validateName(cj: Obj): FieldError[] {
  const name = cj.metadata?.name ?? "";
  return name.length > 52 ? [invalid("metadata.name", name, "must be no more than 52 characters")] : [];
}

const cronjobs: ResourceDef = {
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  singular: "cronjob",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  subresources: { status: true },
  openapi: "io.k8s.api.batch.v1.CronJob",

  columns: [
    nameColumn,
    { name: "Schedule", type: "string", description: fieldDoc(CJ_SPEC, "schedule"), priority: 0 },
    { name: "Timezone", type: "string", description: fieldDoc(CJ_SPEC, "timeZone"), priority: 0 },
    { name: "Suspend", type: "boolean", description: fieldDoc(CJ_SPEC, "suspend"), priority: 0 },
    { name: "Active", type: "integer", description: fieldDoc(CJ_STATUS, "active"), priority: 0 },
    { name: "Last Schedule", type: "date", description: fieldDoc(CJ_STATUS, "lastScheduleTime"), priority: 0 },
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn(),
  ],
  row(cj, ctx) {
    const [names, images] = layoutContainerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers);
    const suspend = cj.spec?.suspend;
    return [
      cj.metadata?.name,
      cj.spec?.schedule,
      cj.spec?.timeZone ?? "<none>",
      suspend == null ? "<unset>" : suspend ? "True" : "False",
      (cj.status?.active ?? []).length,
      cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, ctx.now) : "<none>",
      age(cj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
    ];
  },

  // SetDefaults_CronJob; the Job template gets only the pod template defaults.
  defaults(cj) {
    cj.spec ??= {};
    const s = cj.spec;
    s.concurrencyPolicy ||= "Allow";
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    s.jobTemplate ??= {};
    s.jobTemplate.spec ??= {};
    s.jobTemplate.spec.template ??= {};
    defaultPodTemplate(s.jobTemplate.spec.template);
  },

  prepareForCreate(cj) {
    cj.status = {};
    cj.metadata.generation = 1;
  },

  prepareForUpdate: (cj, old) => keepStatusBumpGeneration(cj, old),

  validate: (cj) => [...validateName(cj), ...validateSpec(cj, false)],
  // A schedule stored with TZ= (from before the timeZone field) may stay.
  validateUpdate: (cj, old) => validateSpec(cj, (old.spec?.schedule ?? "").includes("TZ")),
};

export default cronjobs;
