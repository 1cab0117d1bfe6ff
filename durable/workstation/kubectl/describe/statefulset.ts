// StatefulSetDescriber (describeStatefulSet and describeVolumeClaimTemplates).
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1";
import { claimClass } from "../../../resources/storagehelpers";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  LEVEL_0,
  LEVEL_1,
  labelSelectorString,
  type PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  printLabelsMultilineWithIndent,
  quantityString,
  refOf,
  rfc1123z,
  tabbedString,
} from "./format";
import { describePodTemplate, podStatusForController } from "./pod";

function describeVolumeClaimTemplates(templates: PersistentVolumeClaim[] | undefined, w: PrefixWriter): void {
  if (!templates?.length) {
    w.write(LEVEL_0, "Volume Claims:\t<none>\n");
    return;
  }
  w.write(LEVEL_0, "Volume Claims:\n");
  for (const pvc of templates) {
    w.write(LEVEL_1, `Name:\t${pvc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_1, `StorageClass:\t${claimClass(pvc)}\n`);
    printLabelsMultilineWithIndent(w, "  ", "Labels", "\t", pvc.metadata?.labels, new Set());
    printLabelsMultilineWithIndent(w, "  ", "Annotations", "\t", pvc.metadata?.annotations, new Set());
    const storage = pvc.spec?.resources?.requests?.storage;
    w.write(LEVEL_1, `Capacity:\t${storage === undefined ? "<default>" : quantityString(storage)}\n`);
    // Go's %s of a []PersistentVolumeAccessMode.
    w.write(LEVEL_1, `Access Modes:\t[${(pvc.spec?.accessModes ?? []).join(" ")}]\n`);
  }
}

export async function describeStatefulSet(ps: StatefulSet, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const selector = labelSelectorString(ps.spec?.selector);
  if (selector === undefined) throw new Error("invalid label selector");
  const counts = await podStatusForController(reader, ps.metadata?.namespace, selector, ps.metadata?.uid);
  const events = await eventsFor(reader, refOf({ ...ps, kind: "StatefulSet" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${ps.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${ps.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(ps.metadata?.creationTimestamp)}\n`);
    w.write(LEVEL_0, `Selector:\t${selector}\n`);
    printLabelsMultiline(w, "Labels", ps.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", ps.metadata?.annotations);
    w.write(LEVEL_0, `Replicas:\t${ps.spec?.replicas ?? 0} desired | ${ps.status?.replicas ?? 0} total\n`);
    w.write(LEVEL_0, `Update Strategy:\t${ps.spec?.updateStrategy?.type ?? ""}\n`);
    const ru = ps.spec?.updateStrategy?.rollingUpdate;
    if (ru?.partition != null) {
      w.write(LEVEL_1, `Partition:\t${ru.partition}\n`);
      if (ru.maxUnavailable != null) w.write(LEVEL_1, `MaxUnavailable:\t${ru.maxUnavailable}\n`);
    }
    w.write(
      LEVEL_0,
      `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`,
    );
    describePodTemplate(ps.spec?.template ?? {}, w);
    describeVolumeClaimTemplates(ps.spec?.volumeClaimTemplates, w);
    if (events) describeEvents(events, w, opts.now);
  });
}
