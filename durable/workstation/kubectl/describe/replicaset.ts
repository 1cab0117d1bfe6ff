// ReplicaSetDescriber.
import type { ReplicaSet } from "kubernetes-types/apps/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  errorText,
  eventsFor,
  formatLabelSelector,
  LEVEL_0,
  LEVEL_1,
  labelSelectorString,
  printAnnotationsMultiline,
  printController,
  printLabelsMultiline,
  refOf,
  tabbedString,
} from "./format";
import { describePodTemplate, podStatusForController } from "./pod";

export async function describeReplicaSet(rs: ReplicaSet, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const selector = labelSelectorString(rs.spec?.selector);
  if (selector === undefined) throw new Error("invalid label selector");
  let counts: Awaited<ReturnType<typeof podStatusForController>> | undefined;
  let podErr: string | undefined;
  try {
    counts = await podStatusForController(reader, rs.metadata?.namespace, selector, rs.metadata?.uid);
  } catch (err) {
    podErr = errorText(err);
  }
  const events = await eventsFor(reader, refOf({ ...rs, kind: "ReplicaSet" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${rs.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${rs.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}\n`);
    printLabelsMultiline(w, "Labels", rs.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", rs.metadata?.annotations);
    const controlledBy = printController(rs.metadata);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    w.write(LEVEL_0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 0} desired\n`);
    w.write(LEVEL_0, "Pods Status:\t");
    if (!counts) w.write(LEVEL_0, `error in fetching pods: ${podErr}\n`);
    else
      w.write(LEVEL_0, `${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`);
    describePodTemplate(rs.spec?.template ?? {}, w);
    if (rs.status?.conditions?.length) {
      w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
      w.write(LEVEL_1, "----\t------\t------\n");
      for (const c of rs.status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ""}\n`);
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
