// HorizontalPodAutoscalerDescriber (describeHorizontalPodAutoscalerV2): the metrics as current /
// target, the replica bounds, the behavior when given, the target's pods and the conditions.
import type { HorizontalPodAutoscaler, HPAScalingRules } from "kubernetes-types/autoscaling/v2";
import {
  type DescribeOptions,
  type DescribeReader,
  type PrefixWriter,
  describeEvents,
  eventsFor,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  LEVEL_3,
  printAnnotationsMultiline,
  printLabelsMultiline,
  quantityString as q,
  refOf,
  rfc1123z,
  tabbedString,
} from "./format";

function printDirectionBehavior(w: PrefixWriter, direction: string, rules: HPAScalingRules | undefined): void {
  if (!rules) return;
  w.write(LEVEL_1, `${direction}:\n`);
  if (rules.stabilizationWindowSeconds !== undefined)
    w.write(LEVEL_2, `Stabilization Window: ${rules.stabilizationWindowSeconds} seconds\n`);
  if (rules.policies?.length) {
    w.write(LEVEL_2, `Select Policy: ${rules.selectPolicy ?? "Max"}\n`);
    w.write(LEVEL_2, "Policies:\n");
    for (const p of rules.policies) w.write(LEVEL_3, `- Type: ${p.type}\tValue: ${p.value}\tPeriod: ${p.periodSeconds} seconds\n`);
  }
}

export async function describeHorizontalPodAutoscaler(
  hpa: HorizontalPodAutoscaler,
  reader: DescribeReader,
  opts: DescribeOptions,
): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...hpa, kind: "HorizontalPodAutoscaler" }), opts);
  const spec = hpa.spec!;
  const current = hpa.status?.currentMetrics ?? [];
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${hpa.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${hpa.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", hpa.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", hpa.metadata?.annotations);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(hpa.metadata?.creationTimestamp)}\n`);
    w.write(LEVEL_0, `Reference:\t${spec.scaleTargetRef.kind}/${spec.scaleTargetRef.name}\n`);
    w.write(LEVEL_0, "Metrics:\t( current / target )\n");
    (spec.metrics ?? []).forEach((m, i) => {
      const st = current[i];
      switch (m.type) {
        case "External": {
          const t = m.external!.target;
          if (t.averageValue !== undefined) {
            const cur = st?.external?.current?.averageValue !== undefined ? q(st.external.current.averageValue) : "<unknown>";
            w.write(LEVEL_1, `${JSON.stringify(m.external!.metric.name)} (target average value):\t${cur} / ${q(t.averageValue)}\n`);
          } else {
            const cur = st?.external ? q(st.external.current?.value) : "<unknown>";
            w.write(LEVEL_1, `${JSON.stringify(m.external!.metric.name)} (target value):\t${cur} / ${q(t.value)}\n`);
          }
          break;
        }
        case "Pods": {
          const cur = st?.pods ? q(st.pods.current?.averageValue) : "<unknown>";
          w.write(LEVEL_1, `${JSON.stringify(m.pods!.metric.name)} on pods:\t${cur} / ${q(m.pods!.target.averageValue)}\n`);
          break;
        }
        case "Object": {
          const o = m.object!;
          w.write(LEVEL_1, `"${o.metric.name}" on ${o.describedObject.kind}/${o.describedObject.name} `);
          if (o.target.type === "AverageValue")
            w.write(
              LEVEL_0,
              `(target average value):\t${st?.object ? q(st.object.current?.averageValue) : "<unknown>"} / ${q(o.target.averageValue)}\n`,
            );
          else w.write(LEVEL_0, `(target value):\t${st?.object ? q(st.object.current?.value) : "<unknown>"} / ${q(o.target.value)}\n`);
          break;
        }
        case "Resource":
        case "ContainerResource": {
          const src = m.type === "Resource" ? m.resource! : m.containerResource!;
          const cur = m.type === "Resource" ? st?.resource : st?.containerResource;
          w.write(
            LEVEL_1,
            m.type === "Resource"
              ? `resource ${src.name} on pods`
              : `resource ${src.name} of container "${m.containerResource!.container}" on pods`,
          );
          if (src.target.averageValue !== undefined) {
            w.write(LEVEL_0, `:\t${cur ? q(cur.current?.averageValue) : "<unknown>"} / ${q(src.target.averageValue)}\n`);
          } else {
            const c =
              cur?.current?.averageUtilization !== undefined
                ? `${cur.current.averageUtilization}% (${q(cur.current.averageValue)})`
                : "<unknown>";
            const t = src.target.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : "<auto>";
            w.write(LEVEL_1, `(as a percentage of request):\t${c} / ${t}\n`);
          }
          break;
        }
        default:
          w.write(LEVEL_1, `<unknown metric type ${JSON.stringify(m.type)}>\n`);
      }
    });
    w.write(LEVEL_0, `Min replicas:\t${spec.minReplicas !== undefined ? spec.minReplicas : "<unset>"}\n`);
    w.write(LEVEL_0, `Max replicas:\t${spec.maxReplicas}\n`);
    if (spec.behavior) {
      w.write(LEVEL_0, "Behavior:\n");
      printDirectionBehavior(w, "Scale Up", spec.behavior.scaleUp);
      printDirectionBehavior(w, "Scale Down", spec.behavior.scaleDown);
    }
    w.write(LEVEL_0, `${spec.scaleTargetRef.kind} pods:\t`);
    w.write(LEVEL_0, `${hpa.status?.currentReplicas ?? 0} current / ${hpa.status?.desiredReplicas ?? 0} desired\n`);
    const conds = hpa.status?.conditions ?? [];
    if (conds.length) {
      w.write(LEVEL_0, "Conditions:\n");
      w.write(LEVEL_1, "Type\tStatus\tReason\tMessage\n");
      w.write(LEVEL_1, "----\t------\t------\t-------\n");
      for (const c of conds) w.write(LEVEL_1, `${c.type}\t${c.status}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
