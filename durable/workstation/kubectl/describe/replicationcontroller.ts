// ReplicationControllerDescriber.
import type { ReplicationController } from "kubernetes-types/core/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabels,
  LEVEL_0,
  LEVEL_1,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  selectorFromSet,
  tabbedString,
} from "./format";
import { describePodTemplate, podStatusForController } from "./pod";

export async function describeReplicationController(
  rc: ReplicationController,
  reader: DescribeReader,
  opts: DescribeOptions,
): Promise<string> {
  const counts = await podStatusForController(reader, rc.metadata?.namespace, selectorFromSet(rc.spec?.selector), rc.metadata?.uid);
  const events = await eventsFor(reader, refOf({ ...rc, kind: "ReplicationController" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${rc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${rc.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `Selector:\t${formatLabels(rc.spec?.selector)}\n`);
    printLabelsMultiline(w, "Labels", rc.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", rc.metadata?.annotations);
    w.write(LEVEL_0, `Replicas:\t${rc.status?.replicas ?? 0} current / ${rc.spec?.replicas ?? 0} desired\n`);
    w.write(
      LEVEL_0,
      `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`,
    );
    describePodTemplate(rc.spec?.template, w);
    if (rc.status?.conditions?.length) {
      w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
      w.write(LEVEL_1, "----\t------\t------\n");
      for (const c of rc.status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ""}\n`);
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
