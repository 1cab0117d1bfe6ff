// apps/v1 StatefulSet: SetDefaults_StatefulSet, the strategy (pkg/registry/apps/statefulset/strategy.go),
// ValidateStatefulSet / ValidateStatefulSetUpdate / ValidateStatefulSetStatus and printStatefulSet.
import type { StatefulSet, StatefulSetSpec, StatefulSetStatus } from "kubernetes-types/apps/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import {
  forbidden,
  invalid,
  isDNS1123Label,
  notSupported,
  required,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
} from "./validation";
import {
  containersColumn,
  deepEqual,
  defaultPodTemplate,
  goLabelSelector,
  imagesColumn,
  invalidRaw,
  keepStatusBumpGeneration,
  layoutContainerCells,
  nonNegativeFields,
  selectorMatches,
  goMap,
} from "./podtemplate";
import persistentvolumeclaims from "./persistentvolumeclaim";

const RETENTION = ["Retain", "Delete"];

/** Go's %#v of an apps.StatefulSetUpdateStrategy (how field.Invalid prints an unknown type). */
function goUpdateStrategy(s: Obj | undefined): string {
  const ru =
    s?.rollingUpdate == null ? "(*apps.RollingUpdateStatefulSetStrategy)(nil)" : "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)";
  return `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(s?.type ?? "")}, RollingUpdate:${ru}}`;
}

/** ValidatePodTemplateSpecForStatefulSet: the selector, labels and annotations only. The pod spec is
 *  not validated (its volumes would miss the claim templates' volumes): a bad one fails at pod creation. */
function validateTemplate(template: Obj | undefined, matches: ((l: Record<string, string> | undefined) => boolean) | null): FieldError[] {
  if (!template) return [required("spec.template", "")];
  const labels = template.metadata?.labels;
  const errs: FieldError[] = [];
  if (matches && !matches(labels))
    errs.push(invalidRaw("spec.template.metadata.labels", goMap(labels), "`selector` does not match template `labels`"));
  errs.push(
    ...validateLabels(labels, "spec.template.labels"),
    ...validateAnnotations(template.metadata?.annotations, "spec.template.annotations"),
  );
  return errs;
}

/** ValidateStatefulSetSpec (the pod template is validated as the replica kinds' is). */
function validateSpec(sts: StatefulSet): FieldError[] {
  const spec: StatefulSetSpec = sts.spec ?? ({} as StatefulSetSpec);
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required("spec.podManagementPolicy", ""));
  else if (policy !== "OrderedReady" && policy !== "Parallel")
    errs.push(invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"));

  const us = spec.updateStrategy;
  switch (us?.type ?? "") {
    case "":
      errs.push(required("spec.updateStrategy", ""));
      break;
    case "OnDelete":
      if (us?.rollingUpdate != null)
        errs.push(
          invalidRaw(
            "spec.updateStrategy.rollingUpdate",
            "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)",
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      break;
    case "RollingUpdate":
      if (us?.rollingUpdate != null) errs.push(...nonNegativeFields(us.rollingUpdate, "spec.updateStrategy.rollingUpdate", ["partition"]));
      break;
    default:
      errs.push(invalidRaw("spec.updateStrategy", goUpdateStrategy(us), "must be 'RollingUpdate' or 'OnDelete'"));
  }

  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention != null)
    for (const k of ["whenDeleted", "whenScaled"] as const)
      if (!RETENTION.includes(retention[k] ?? ""))
        errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, retention[k] ?? "", RETENTION));

  errs.push(...nonNegativeFields(spec, "spec", ["replicas", "minReadySeconds"]));
  if (spec.ordinals != null && typeof spec.ordinals.start === "number" && spec.ordinals.start < 0)
    errs.push(invalid("spec.ordinals.start", spec.ordinals.start, "must be greater than or equal to 0"));

  const sel = spec.selector;
  let selectorErrs: FieldError[] = [];
  if (sel == null) errs.push(required("spec.selector", ""));
  else {
    selectorErrs = validateLabelSelector(sel, "spec.selector");
    errs.push(...selectorErrs);
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)
      errs.push(invalidRaw("spec.selector", goLabelSelector(sel), "empty selector is invalid for statefulset"));
  }
  if (selectorErrs.length) errs.push(invalidRaw("spec.selector", goLabelSelector(sel), ""));
  else {
    const empty = sel == null || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length);
    const matches = empty ? null : (l: Record<string, string> | undefined) => selectorMatches(sel, l);
    errs.push(...validateTemplate(spec.template as Obj | undefined, matches));
  }
  const rp = spec.template?.spec?.restartPolicy;
  if (rp !== "Always") errs.push(notSupported("spec.template.spec.restartPolicy", rp ?? "", ["Always"]));
  if (spec.template?.spec?.activeDeadlineSeconds != null)
    errs.push(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"));
  return errs;
}

/** ValidateStatefulSetUpdate: only replicas, ordinals, template, updateStrategy, the retention
 *  policy and minReadySeconds may change. */
function validateUpdate(sts: Obj, old: Obj): FieldError[] {
  const errs = validateSpec(sts);
  const mutable = ["replicas", "template", "updateStrategy", "minReadySeconds", "ordinals", "persistentVolumeClaimRetentionPolicy"];
  const rest = (s: Obj | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)));
  if (!deepEqual(rest(sts.spec), rest(old.spec)))
    errs.push(
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  return errs;
}

/** ValidateStatefulSetStatusUpdate. */
function validateStatus(sts: Obj, old: Obj): FieldError[] {
  const s: StatefulSetStatus = sts.status ?? { replicas: 0 };
  const errs = nonNegativeFields(s, "status", [
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "availableReplicas",
    "observedGeneration",
    "collisionCount",
  ]);
  const replicas = s.replicas ?? 0;
  const msg = "cannot be greater than status.replicas";
  for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"] as const)
    if ((s[k] ?? 0) > replicas) errs.push(invalid(`status.${k}`, s[k], msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0))
    errs.push(invalid("status.availableReplicas", s.availableReplicas, "cannot be greater than status.readyReplicas"));
  const oldCount = old.status?.collisionCount;
  if (oldCount != null && (s.collisionCount == null || s.collisionCount < oldCount))
    errs.push(invalid("status.collisionCount", s.collisionCount ?? 0, "cannot be decremented"));
  return errs;
}

/** dropStatefulSetDisabledFields: maxUnavailable is behind the alpha MaxUnavailableStatefulSet gate. */
function dropDisabled(sts: Obj, old?: Obj): void {
  const ru = sts.spec?.updateStrategy?.rollingUpdate;
  if (ru && old?.spec?.updateStrategy?.rollingUpdate?.maxUnavailable == null) delete ru.maxUnavailable;
}

const statefulsets: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  plural: "statefulsets",
  singular: "statefulset",
  namespaced: true,
  shortNames: ["sts"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  },
  openapi: "io.k8s.api.apps.v1.StatefulSet",
  nameValidator: isDNS1123Label,

  columns: [
    nameColumn,
    { name: "Ready", type: "string", description: "Number of the pod with ready state", priority: 0 },
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  row(sts, ctx) {
    const [names, images] = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return [
      sts.metadata?.name,
      `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`,
      age(sts.metadata?.creationTimestamp, ctx.now),
      names,
      images,
    ];
  },

  // SetDefaults_StatefulSet (apps/v1), the pod template's and each claim template's defaults.
  defaults(sts, ctx) {
    sts.spec ??= {};
    const spec = sts.spec;
    spec.podManagementPolicy ||= "OrderedReady";
    spec.updateStrategy ??= {};
    if (!spec.updateStrategy.type) {
      spec.updateStrategy.type = "RollingUpdate";
      spec.updateStrategy.rollingUpdate ??= {};
    }
    if (spec.updateStrategy.type === "RollingUpdate" && spec.updateStrategy.rollingUpdate != null)
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= "Retain";
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= "Retain";
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.template ??= {};
    defaultPodTemplate(spec.template);
    for (const claim of (spec.volumeClaimTemplates ?? []) as Obj[]) {
      claim.apiVersion ??= "v1";
      claim.kind ??= "PersistentVolumeClaim";
      // An embedded ObjectMeta: v1.33 serializes its zero creationTimestamp as null.
      claim.metadata ??= {};
      if (!("creationTimestamp" in claim.metadata)) claim.metadata.creationTimestamp = null;
      persistentvolumeclaims.defaults!(claim, ctx);
    }
  },

  prepareForCreate(sts) {
    sts.status = { replicas: 0, availableReplicas: 0 };
    sts.metadata.generation = 1;
    dropDisabled(sts);
  },
  prepareForUpdate(sts, old) {
    dropDisabled(sts, old);
    keepStatusBumpGeneration(sts, old);
  },

  validate: (sts) => validateSpec(sts as StatefulSet),
  validateUpdate,
  validateStatusUpdate: validateStatus,
};

export default statefulsets;
