// batch/v1 Job: SetDefaults_Job, the strategy (pkg/registry/batch/job/strategy.go: the generated
// selector and labels), ValidateJob / ValidateJobUpdate and printJob.
import type { FieldError, Obj, PrinterColumn, ResourceDef } from "./types";
import { age, ageColumn, humanDuration, nameColumn } from "./printers";
import { forbidden, invalid, notSupported, required, validateLabelSelector } from "./validation";
import {
  containersColumn,
  deepEqual,
  defaultPodTemplate,
  formatLabelSelector,
  goLabelSelector,
  goMap,
  imagesColumn,
  invalidRaw,
  keepStatusBumpGeneration,
  layoutContainerCells,
  nonNegativeFields,
  selectorMatches,
  validatePodTemplateSpec,
} from "./podtemplate";
import { DEFINITIONS } from "../openapi/unknown-fields";

export const CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
export const LEGACY_CONTROLLER_UID = "controller-uid";
export const JOB_NAME = "batch.kubernetes.io/job-name";
export const LEGACY_JOB_NAME = "job-name";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
/** The finalizer that keeps a Job's pod until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

/** A field's upstream description, for column docs (the real server takes them from SwaggerDoc()). */
export function fieldDoc(definition: string, field: string): string {
  return DEFINITIONS[definition]?.properties?.[field]?.description ?? "";
}

/** The Job condition `type` is True. */
export const hasJobCondition = (job: Obj, type: string): boolean =>
  (job.status?.conditions ?? []).some((c: Obj) => c.type === type && c.status === "True");

/** A Job is finished when Complete or Failed is True (IsJobFinished). */
export const isJobFinished = (job: Obj): boolean => hasJobCondition(job, "Complete") || hasJobCondition(job, "Failed");

/** SetDefaults_Job (batch/v1, v1.33). `completions: null` stays null (a work queue). */
export function defaultJobSpec(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  spec.template ??= {};
  defaultPodTemplate(spec.template);
}

/** generateSelector: the job-name and controller-uid labels on the template, the selector on the uid. */
export function generateSelector(job: Obj): void {
  const spec = job.spec;
  const meta = (spec.template.metadata ??= {});
  const labels = (meta.labels ??= {});
  for (const k of [LEGACY_JOB_NAME, JOB_NAME]) labels[k] ??= job.metadata.name;
  for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) labels[k] ??= job.metadata.uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[CONTROLLER_UID] ??= job.metadata.uid;
}

const MAX_PARALLELISM_INDEXED = 100_000;

/** ValidateJobSpec (with the template checks of validateJobPodTemplateSpec). `path` is "spec".
 *  A CronJob's jobTemplate has no selector yet (`withSelector` false: validateJobSpec). */
export function validateJobSpec(spec: Obj | undefined, path: string, withSelector = true): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  errs.push(
    ...nonNegativeFields(s, path, ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"]),
  );
  if (s.completionMode != null && !["NonIndexed", "Indexed"].includes(s.completionMode))
    errs.push(notSupported(`${path}.completionMode`, s.completionMode ?? "", ["NonIndexed", "Indexed"]));
  if (s.completionMode === "Indexed") {
    if (s.completions == null) errs.push(required(`${path}.completions`, "when completion mode is Indexed"));
    if (typeof s.parallelism === "number" && s.parallelism > MAX_PARALLELISM_INDEXED)
      errs.push(
        invalid(
          `${path}.parallelism`,
          s.parallelism,
          `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
        ),
      );
  }
  if (s.podReplacementPolicy != null && !["TerminatingOrFailed", "Failed"].includes(s.podReplacementPolicy))
    errs.push(notSupported(`${path}.podReplacementPolicy`, s.podReplacementPolicy, ["Failed", "TerminatingOrFailed"]));
  const sel = s.selector;
  if (withSelector) {
    let matches = false;
    if (sel == null) errs.push(required(`${path}.selector`, ""));
    else {
      const selErrs = validateLabelSelector(sel, `${path}.selector`);
      errs.push(...selErrs);
      matches = !selErrs.length && selectorMatches(sel, s.template?.metadata?.labels);
    }
    if (sel != null && !matches)
      errs.push(
        invalidRaw(`${path}.template.metadata.labels`, goMap(s.template?.metadata?.labels), "`selector` does not match template `labels`"),
      );
  }
  errs.push(...validatePodTemplateSpec(s.template, `${path}.template`));
  const rp = s.template?.spec?.restartPolicy;
  if (s.template && rp !== "OnFailure" && rp !== "Never")
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, rp ?? "", ["OnFailure", "Never"]));
  if (s.template?.spec?.activeDeadlineSeconds != null)
    errs.push(
      invalid(
        `${path}.template.spec.activeDeadlineSeconds`,
        s.template.spec.activeDeadlineSeconds,
        "activeDeadlineSeconds in Job is not Supported",
      ),
    );
  return errs;
}

/** validateGeneratedSelector: without manualSelector, the template's uid labels must be the Job's. */
function validateGeneratedSelector(job: Obj): FieldError[] {
  if (job.spec?.manualSelector === true || !job.metadata?.uid) return [];
  const labels = job.spec?.template?.metadata?.labels ?? {};
  return [LEGACY_CONTROLLER_UID, CONTROLLER_UID]
    .filter((k) => labels[k] != null && labels[k] !== job.metadata.uid)
    .map((k) => invalid(`spec.template.metadata.labels[${k}]`, labels[k], `must be '${job.metadata.uid}'`));
}

/** ValidateJobSpecUpdate: the selector, template, completion mode and (non-indexed) completions are immutable. */
function validateUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = validateJobSpec(job.spec, "spec");
  const s = job.spec ?? {};
  const o = old.spec ?? {};
  if (!deepEqual(s.selector, o.selector)) errs.push(invalidRaw("spec.selector", goLabelSelector(s.selector), "field is immutable"));
  if (!deepEqual(s.template, o.template))
    errs.push(
      invalidRaw(
        "spec.template",
        `core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:"", Labels:${goMap(s.template?.metadata?.labels)}, ...}}`,
        "field is immutable",
      ),
    );
  if (s.completionMode !== o.completionMode) errs.push(invalid("spec.completionMode", s.completionMode, "field is immutable"));
  if (s.completions !== o.completions && !(s.completionMode === "Indexed" && s.parallelism === s.completions))
    errs.push(invalid("spec.completions", s.completions ?? null, "field is immutable"));
  if (o.manualSelector !== s.manualSelector && !(o.manualSelector == null && s.manualSelector == null))
    errs.push(forbidden("spec.manualSelector", "field is immutable"));
  return errs;
}

function validateStatus(job: Obj): FieldError[] {
  return nonNegativeFields(job.status ?? {}, "status", ["active", "succeeded", "failed", "ready", "terminating"]);
}

const JOB_STATUS = "io.k8s.api.batch.v1.JobStatus";
const JOB_SPEC = "io.k8s.api.batch.v1.JobSpec";

/** printJob's STATUS cell. */
export function jobStatusCell(job: Obj): string {
  if (hasJobCondition(job, "Complete")) return "Complete";
  if (hasJobCondition(job, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (hasJobCondition(job, "Suspended")) return "Suspended";
  if (hasJobCondition(job, "FailureTarget")) return "FailureTarget";
  if (hasJobCondition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

/** printJob's COMPLETIONS cell. */
export function jobCompletionsCell(job: Obj): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's DURATION cell. */
export function jobDurationCell(job: Obj, now: number): string {
  const start = job.status?.startTime;
  if (!start) return "";
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

export const selectorColumn = (): PrinterColumn => ({
  name: "Selector",
  type: "string",
  description: fieldDoc(JOB_SPEC, "selector"),
  priority: 1,
});

const jobs: ResourceDef = {
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  singular: "job",
  namespaced: true,
  categories: ["all"],
  subresources: { status: true },
  openapi: "io.k8s.api.batch.v1.Job",
  // batch/v1 keeps the pods of a deleted Job unless told otherwise (kubectl asks for Background).
  defaultPropagation: {
    policy: "Orphan",
    warning:
      "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning",
  },

  columns: [
    nameColumn,
    { name: "Status", type: "string", description: "Status of the job.", priority: 0 },
    { name: "Completions", type: "string", description: fieldDoc(JOB_STATUS, "succeeded"), priority: 0 },
    { name: "Duration", type: "string", description: "Time required to complete the job.", priority: 0 },
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn(),
  ],
  row(job, ctx) {
    const [names, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
    return [
      job.metadata?.name,
      jobStatusCell(job),
      jobCompletionsCell(job),
      jobDurationCell(job, ctx.now),
      age(job.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },

  defaults(job) {
    job.spec ??= {};
    defaultJobSpec(job.spec);
  },

  prepareForCreate(job) {
    job.status = {};
    job.metadata.generation = 1;
    if (job.spec.manualSelector !== true) generateSelector(job);
    // SetDefaults_Job runs again when the stored object is read: empty Job labels become the template's.
    const labels = job.spec.template.metadata?.labels;
    if (labels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
  },

  prepareForUpdate: (job, old) => keepStatusBumpGeneration(job, old),

  validate: (job) => [...validateJobSpec(job.spec, "spec"), ...validateGeneratedSelector(job)],
  validateUpdate: (job, old) => [...validateUpdate(job, old), ...validateGeneratedSelector(job)],
  validateStatusUpdate: validateStatus,

  fieldSelectors: {
    "status.successful": (job) => String(job.status?.succeeded ?? 0),
  },
};

export default jobs;
