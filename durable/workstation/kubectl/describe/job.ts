// JobDescriber and CronJobDescriber.
import type { CronJob, Job, JobTemplateSpec } from "kubernetes-types/batch/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  goBool,
  humanDuration,
  LEVEL_0,
  labelSelectorString,
  type PrefixWriter,
  parseTime,
  printAnnotationsMultiline,
  printBoolPtr,
  printController,
  printLabelsMultiline,
  refOf,
  rfc1123z,
  tabbedString,
} from "./format";
import { describePodTemplate } from "./pod";

/** capIndexesListOrNone */
function capIndexesListOrNone(indexes: string | undefined, softLimit: number): string {
  if (!indexes) return "<none>";
  let ix = softLimit;
  for (; ix < indexes.length; ix++) if (indexes[ix] === ",") break;
  if (ix >= indexes.length) return indexes;
  return `${indexes.slice(0, ix + 1)}...`;
}

const defined = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;

export async function describeJob(job: Job, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...job, kind: "Job" }), opts);
  const spec = job.spec;
  const status = job.status ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${job.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${job.metadata?.namespace ?? ""}\n`);
    const selector = labelSelectorString(spec?.selector);
    if (selector !== undefined) w.write(LEVEL_0, `Selector:\t${selector}\n`);
    else w.write(LEVEL_0, "Selector:\tFailed to get selector: invalid label selector\n");
    printLabelsMultiline(w, "Labels", job.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", job.metadata?.annotations);
    const controlledBy = printController(job.metadata);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    if (defined(spec?.parallelism)) w.write(LEVEL_0, `Parallelism:\t${spec.parallelism}\n`);
    if (defined(spec?.completions)) w.write(LEVEL_0, `Completions:\t${spec.completions}\n`);
    else w.write(LEVEL_0, "Completions:\t<unset>\n");
    if (defined(spec?.completionMode)) w.write(LEVEL_0, `Completion Mode:\t${spec.completionMode}\n`);
    if (defined(spec?.suspend)) w.write(LEVEL_0, `Suspend:\t${goBool(spec.suspend)}\n`);
    if (defined(spec?.backoffLimit)) w.write(LEVEL_0, `Backoff Limit:\t${spec.backoffLimit}\n`);
    if (defined(spec?.ttlSecondsAfterFinished)) w.write(LEVEL_0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
    if (status.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
    if (status.completionTime) w.write(LEVEL_0, `Completed At:\t${rfc1123z(status.completionTime)}\n`);
    const start = parseTime(status.startTime);
    const end = parseTime(status.completionTime);
    if (status.startTime && status.completionTime && start !== undefined && end !== undefined)
      w.write(LEVEL_0, `Duration:\t${humanDuration(end - start)}\n`);
    if (defined(spec?.activeDeadlineSeconds)) w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
    if (!defined(status.ready))
      w.write(
        LEVEL_0,
        `Pods Statuses:\t${status.active ?? 0} Active / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed\n`,
      );
    else
      w.write(
        LEVEL_0,
        `Pods Statuses:\t${status.active ?? 0} Active (${status.ready} Ready) / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed\n`,
      );
    if (spec?.completionMode === "Indexed") w.write(LEVEL_0, `Completed Indexes:\t${capIndexesListOrNone(status.completedIndexes, 50)}\n`);
    describePodTemplate(spec?.template ?? {}, w);
    if (events) describeEvents(events, w, opts.now);
  });
}

function describeJobTemplate(t: JobTemplateSpec | undefined, w: PrefixWriter) {
  const spec = t?.spec;
  if (spec?.selector) {
    const selector = labelSelectorString(spec.selector);
    if (selector !== undefined) w.write(LEVEL_0, `Selector:\t${selector}\n`);
    else w.write(LEVEL_0, "Selector:\tFailed to get selector: invalid label selector\n");
  } else {
    w.write(LEVEL_0, "Selector:\t<unset>\n");
  }
  w.write(LEVEL_0, defined(spec?.parallelism) ? `Parallelism:\t${spec.parallelism}\n` : "Parallelism:\t<unset>\n");
  w.write(LEVEL_0, defined(spec?.completions) ? `Completions:\t${spec.completions}\n` : "Completions:\t<unset>\n");
  if (defined(spec?.activeDeadlineSeconds)) w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  describePodTemplate(spec?.template ?? {}, w);
}

export async function describeCronJob(cj: CronJob, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...cj, kind: "CronJob" }), opts);
  const spec = cj.spec;
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${cj.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${cj.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", cj.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", cj.metadata?.annotations);
    w.write(LEVEL_0, `Schedule:\t${spec?.schedule ?? ""}\n`);
    w.write(LEVEL_0, `Concurrency Policy:\t${spec?.concurrencyPolicy ?? ""}\n`);
    w.write(LEVEL_0, `Suspend:\t${printBoolPtr(spec?.suspend)}\n`);
    w.write(
      LEVEL_0,
      defined(spec?.successfulJobsHistoryLimit)
        ? `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit}\n`
        : "Successful Job History Limit:\t<unset>\n",
    );
    w.write(
      LEVEL_0,
      defined(spec?.failedJobsHistoryLimit)
        ? `Failed Job History Limit:\t${spec.failedJobsHistoryLimit}\n`
        : "Failed Job History Limit:\t<unset>\n",
    );
    w.write(
      LEVEL_0,
      defined(spec?.startingDeadlineSeconds)
        ? `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds}s\n`
        : "Starting Deadline Seconds:\t<unset>\n",
    );
    describeJobTemplate(spec?.jobTemplate, w);
    const last = cj.status?.lastScheduleTime;
    w.write(LEVEL_0, last ? `Last Schedule Time:\t${rfc1123z(last)}\n` : "Last Schedule Time:\t<unset>\n");
    w.write(LEVEL_0, "Active Jobs:\t");
    const active = cj.status?.active ?? [];
    if (active.length === 0) {
      w.writeLine("<none>");
    } else {
      active.forEach((j, i) => {
        if (i !== 0) w.write(LEVEL_0, ", ");
        w.write(LEVEL_0, j.name ?? "");
      });
      w.writeLine("");
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
