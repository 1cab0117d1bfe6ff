// DaemonSetDescriber.
import type { DaemonSet } from "kubernetes-types/apps/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabels,
  LEVEL_0,
  labelSelectorString,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  tabbedString,
} from "./format";
import { describePodTemplate, podStatusForController } from "./pod";

export async function describeDaemonSet(ds: DaemonSet, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const selector = labelSelectorString(ds.spec?.selector);
  if (selector === undefined) throw new Error("invalid label selector");
  const counts = await podStatusForController(reader, ds.metadata?.namespace, selector, ds.metadata?.uid);
  const events = await eventsFor(reader, refOf({ ...ds, kind: "DaemonSet" }), opts);
  const status = ds.status;
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${ds.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${ds.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `Selector:\t${selector}\n`);
    w.write(LEVEL_0, `Node-Selector:\t${formatLabels(ds.spec?.template?.spec?.nodeSelector)}\n`);
    printLabelsMultiline(w, "Labels", ds.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", ds.metadata?.annotations);
    w.write(LEVEL_0, `Desired Number of Nodes Scheduled: ${status?.desiredNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Current Number of Nodes Scheduled: ${status?.currentNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Scheduled with Up-to-date Pods: ${status?.updatedNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Scheduled with Available Pods: ${status?.numberAvailable ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Misscheduled: ${status?.numberMisscheduled ?? 0}\n`);
    w.write(
      LEVEL_0,
      `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`,
    );
    describePodTemplate(ds.spec?.template ?? {}, w);
    if (events) describeEvents(events, w, opts.now);
  });
}
