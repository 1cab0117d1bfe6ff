// ResourceQuotaDescriber (describeQuota), LimitRangeDescriber (describeLimitRange),
// PodDisruptionBudgetDescriber and PriorityClassDescriber of k8s.io/kubectl/pkg/describe v0.33.1.
import type { LimitRange, ResourceQuota } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabelSelector,
  formatLabels,
  LEVEL_0,
  LEVEL_2,
  Quantity,
  refOf,
  sortStrings,
  tabbedString,
} from "./format";
import { describeLimitRangeSpec, SCOPE_HELP } from "./namespace";

export async function describeResourceQuota(rq: ResourceQuota): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${rq.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${rq.metadata?.namespace ?? ""}\n`);
    const scopes = sortStrings([...(rq.spec?.scopes ?? [])]);
    if (scopes.length > 0) {
      w.write(LEVEL_0, `Scopes:\t${scopes.join(", ")}\n`);
      for (const s of scopes) if (SCOPE_HELP[s]) w.write(LEVEL_0, ` * ${SCOPE_HELP[s]}\n`);
    }
    w.write(LEVEL_0, "Resource\tUsed\tHard\n");
    w.write(LEVEL_0, "--------\t----\t----\n");
    const hard = rq.status?.hard ?? {};
    for (const r of sortStrings(Object.keys(hard))) {
      const h = Quantity.parse(hard[r]);
      let used = Quantity.parse(rq.status?.used?.[r]);
      // A used figure in another format than the hard one is printed as a whole number in the hard one's.
      if (used.format !== h.format) used = new Quantity(BigInt(used.value()), 0, h.format);
      w.write(LEVEL_0, `${r}\t${used}\t${h}\n`);
    }
  });
}

export async function describeLimitRange(lr: LimitRange): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${lr.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${lr.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.write(LEVEL_0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    describeLimitRangeSpec(lr.spec?.limits ?? [], "", w);
  });
}

/** describePodDisruptionBudgetV1. */
export async function describePodDisruptionBudget(
  pdb: PodDisruptionBudget,
  reader: DescribeReader,
  opts: DescribeOptions,
): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...pdb, kind: "PodDisruptionBudget" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${pdb.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${pdb.metadata?.namespace ?? ""}\n`);
    if (pdb.spec?.minAvailable != null) w.write(LEVEL_0, `Min available:\t${pdb.spec.minAvailable}\n`);
    else if (pdb.spec?.maxUnavailable != null) w.write(LEVEL_0, `Max unavailable:\t${pdb.spec.maxUnavailable}\n`);
    w.write(LEVEL_0, `Selector:\t${pdb.spec?.selector ? formatLabelSelector(pdb.spec.selector) : "<unset>"}\n`);
    w.write(LEVEL_0, "Status:\n");
    w.write(LEVEL_2, `Allowed disruptions:\t${pdb.status?.disruptionsAllowed ?? 0}\n`);
    w.write(LEVEL_2, `Current:\t${pdb.status?.currentHealthy ?? 0}\n`);
    w.write(LEVEL_2, `Desired:\t${pdb.status?.desiredHealthy ?? 0}\n`);
    w.write(LEVEL_2, `Total:\t${pdb.status?.expectedPods ?? 0}\n`);
    if (events) describeEvents(events, w, opts.now);
  });
}

/** describePriorityClass. */
export async function describePriorityClass(pc: PriorityClass, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...pc, kind: "PriorityClass" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${pc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Value:\t${pc.value}\n`);
    w.write(LEVEL_0, `GlobalDefault:\t${pc.globalDefault ?? false}\n`);
    w.write(LEVEL_0, `PreemptionPolicy:\t${pc.preemptionPolicy ?? ""}\n`);
    w.write(LEVEL_0, `Description:\t${pc.description ?? ""}\n`);
    w.write(LEVEL_0, `Annotations:\t${formatLabels(pc.metadata?.annotations)}\n`);
    if (events) describeEvents(events, w, opts.now);
  });
}
