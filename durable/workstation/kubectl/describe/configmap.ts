// ConfigMapDescriber.
import type { ConfigMap } from "kubernetes-types/core/v1";
import {
  base64Length,
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventFieldSelector,
  LEVEL_0,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  sortStrings,
  tabbedString,
} from "./format";

// kubectl walks the data maps of a ConfigMap in Go's map order, which changes from run
// to run; these print the keys sorted (one of the orders kubectl prints).

export async function describeConfigMap(cm: ConfigMap, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  // Unlike the other describers, a failure to list the events fails the describe.
  const events = opts.showEvents
    ? await reader.list("events", cm.metadata?.namespace || undefined, {
        fieldSelector: eventFieldSelector(refOf({ ...cm, kind: "ConfigMap" })),
      })
    : undefined;
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${cm.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${cm.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", cm.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", cm.metadata?.annotations);
    w.write(LEVEL_0, "\nData\n====\n");
    for (const k of sortStrings(Object.keys(cm.data ?? {}))) {
      w.write(LEVEL_0, `${k}:\n----\n`);
      w.write(LEVEL_0, `${cm.data?.[k]}\n`);
      w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (const k of sortStrings(Object.keys(cm.binaryData ?? {}))) w.write(LEVEL_0, `${k}: ${base64Length(cm.binaryData?.[k])} bytes\n`);
    w.write(LEVEL_0, "\n");
    if (events) describeEvents(events, w, opts.now);
  });
}
