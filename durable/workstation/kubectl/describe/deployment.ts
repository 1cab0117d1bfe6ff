// DeploymentDescriber (describeDeployment, with deploymentutil.GetAllReplicaSetsInChunks).
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  goSort,
  intOrString,
  LEVEL_0,
  LEVEL_1,
  labelSelectorString,
  parseTime,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  rfc1123z,
  tabbedString,
} from "./format";
import { describePodTemplate } from "./pod";

const POD_TEMPLATE_HASH = "pod-template-hash";

/** A zero value as encoding/json leaves it out: absent, null, "", 0, false, [] and {} are alike
 *  (apiequality.Semantic.DeepEqual treats nil and empty slices and maps as equal). */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v as object).every(isEmpty);
  return false;
}

function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    return true;
  }
  return a === b;
}

/** equalIgnoreHash */
function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {}) as PodTemplateSpec;
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return c;
  };
  return semanticEqual(strip(t1), strip(t2));
}

/** The deployment's replica sets: [all old ones (even those scaled to 0), the new one]. */
async function replicaSetsOf(d: Deployment, reader: DescribeReader): Promise<{ old: ReplicaSet[]; new?: ReplicaSet } | undefined> {
  const selector = labelSelectorString(d.spec?.selector);
  if (selector === undefined) return undefined;
  let all: ReplicaSet[];
  try {
    all = (await reader.list("replicasets.apps", d.metadata?.namespace, { labelSelector: selector })) as ReplicaSet[];
  } catch {
    return undefined;
  }
  const owned = all.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === d.metadata?.uid));
  const created = (rs: ReplicaSet) => parseTime(rs.metadata?.creationTimestamp) ?? Number.NEGATIVE_INFINITY;
  goSort(owned, (a, b) => (created(a) === created(b) ? (a.metadata?.name ?? "") < (b.metadata?.name ?? "") : created(a) < created(b)));
  const newRS = owned.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  return { old: owned.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid), new: newRS };
}

const printReplicaSetsByLabels = (rss: ReplicaSet[]) =>
  rss.map((rs) => `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(", ") || "<none>";

export async function describeDeployment(d: Deployment, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const selector = labelSelectorString(d.spec?.selector);
  if (selector === undefined) throw new Error("invalid label selector");
  const events = await eventsFor(reader, refOf({ ...d, kind: "Deployment" }), opts);
  const rss = await replicaSetsOf(d, reader);
  const spec = d.spec;
  const status = d.status ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${d.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${d.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(d.metadata?.creationTimestamp)}\n`);
    printLabelsMultiline(w, "Labels", d.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", d.metadata?.annotations);
    w.write(LEVEL_0, `Selector:\t${selector}\n`);
    w.write(
      LEVEL_0,
      `Replicas:\t${spec?.replicas ?? 0} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`,
    );
    w.write(LEVEL_0, `StrategyType:\t${spec?.strategy?.type ?? ""}\n`);
    w.write(LEVEL_0, `MinReadySeconds:\t${spec?.minReadySeconds ?? 0}\n`);
    const ru = spec?.strategy?.rollingUpdate;
    if (ru)
      w.write(
        LEVEL_0,
        `RollingUpdateStrategy:\t${intOrString(ru.maxUnavailable)} max unavailable, ${intOrString(ru.maxSurge)} max surge\n`,
      );
    describePodTemplate(spec?.template ?? {}, w);
    if (status.conditions?.length) {
      w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
      w.write(LEVEL_1, "----\t------\t------\n");
      for (const c of status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ""}\n`);
    }
    const oldRSs = rss?.old ?? [];
    const newRSs = rss?.new ? [rss.new] : [];
    if (oldRSs.length > 0 || newRSs.length > 0) {
      w.write(LEVEL_0, `OldReplicaSets:\t${printReplicaSetsByLabels(oldRSs)}\n`);
      w.write(LEVEL_0, `NewReplicaSet:\t${printReplicaSetsByLabels(newRSs)}\n`);
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
