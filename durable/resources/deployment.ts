// apps/v1 Deployment: SetDefaults_Deployment, the strategy (pkg/registry/apps/deployment/strategy.go),
// ValidateDeployment and printDeployment.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden, invalid, notSupported, required, validateLabelSelector } from "./validation";
import {
  containersColumn,
  deepEqual,
  defaultPodTemplate,
  goIntOrString,
  imagesColumn,
  immutableSelector,
  invalidRaw,
  labelSelectorString,
  layoutContainerCells,
  nonNegativeFields,
  validateSelectorAndTemplate,
  keepStatusBumpGeneration,
} from "./podtemplate";

/** getIntOrPercentValue: 25 for "25%", the number itself for an int. */
const intOrPercentValue = (v: unknown): number =>
  typeof v === "string" && /^[0-9]+%$/.test(v) ? parseInt(v, 10) : typeof v === "number" ? v : 0;

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v == null) return [];
  if (typeof v === "string")
    return /^[0-9]+%$/.test(v)
      ? []
      : [
          invalidRaw(
            path,
            goIntOrString(v),
            "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
          ),
        ];
  if (typeof v === "number") return v < 0 ? [invalid(path, v, "must be greater than or equal to 0")] : [];
  return [invalidRaw(path, goIntOrString(String(v)), "must be an integer or percentage (e.g '5%')")];
}

function validateStrategy(strategy: Obj | undefined): FieldError[] {
  const s = strategy ?? {};
  const path = "spec.strategy";
  switch (s.type) {
    case "Recreate":
      return s.rollingUpdate != null ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case "RollingUpdate": {
      const ru = s.rollingUpdate;
      if (ru == null) return [required(`${path}.rollingUpdate`, "this should be defaulted and never be nil")];
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(
          invalidRaw(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"),
        );
      if (typeof ru.maxUnavailable === "string" && intOrPercentValue(ru.maxUnavailable) > 100)
        errs.push(invalidRaw(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), "must not be greater than 100%"));
      return errs;
    }
    default:
      return [notSupported(`${path}.type`, s.type ?? "", ["Recreate", "RollingUpdate"])];
  }
}

function validateSpec(d: Obj): FieldError[] {
  const spec = d.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegativeFields(spec, "spec", ["replicas"]));
  errs.push(...validateSelectorAndTemplate(spec));
  errs.push(...validateStrategy(spec.strategy));
  errs.push(...nonNegativeFields(spec, "spec", ["minReadySeconds", "revisionHistoryLimit"]));
  if (spec.rollbackTo != null) errs.push(...nonNegativeFields(spec.rollbackTo, "spec.rollbackTo", ["revision"]));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...nonNegativeFields(spec, "spec", ["progressDeadlineSeconds"]));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0))
      errs.push(invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
  }
  return errs;
}

function validateStatus(d: Obj, old: Obj): FieldError[] {
  const s = d.status ?? {};
  const errs = nonNegativeFields(s, "status", [
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
    "collisionCount",
  ]);
  const replicas = s.replicas ?? 0;
  for (const k of ["updatedReplicas", "readyReplicas", "availableReplicas"])
    if ((s[k] ?? 0) > replicas) errs.push(invalid(`status.${k}`, s[k], "cannot be greater than status.replicas"));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0))
    errs.push(invalid("status.availableReplicas", s.availableReplicas, "cannot be greater than readyReplicas"));
  const oldCount = old.status?.collisionCount;
  if (oldCount != null && (s.collisionCount == null || s.collisionCount < oldCount))
    errs.push(invalid("status.collisionCount", s.collisionCount ?? null, "cannot be decremented"));
  return errs;
}

const deployments: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  },
  openapi: "io.k8s.api.apps.v1.Deployment",

  columns: [
    nameColumn,
    { name: "Ready", type: "string", description: "Number of the pod with ready state", priority: 0 },
    {
      name: "Up-to-date",
      type: "string",
      description: "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
      priority: 0,
    },
    {
      name: "Available",
      type: "string",
      description: "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
      priority: 0,
    },
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      name: "Selector",
      type: "string",
      description:
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
      priority: 1,
    },
  ],
  row(d, ctx) {
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    const selector = validateLabelSelector(d.spec?.selector, "spec.selector").length ? "<invalid>" : labelSelectorString(d.spec?.selector);
    return [
      d.metadata?.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      selector,
    ];
  },

  // SetDefaults_Deployment (apps/v1).
  defaults(d) {
    d.spec ??= {};
    const spec = d.spec;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ||= "RollingUpdate";
    if (spec.strategy.type === "RollingUpdate") {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
      spec.strategy.rollingUpdate.maxSurge ??= "25%";
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.template ??= {};
    defaultPodTemplate(spec.template);
  },

  prepareForCreate(d) {
    d.status = {};
    d.metadata.generation = 1;
  },

  // Spec and annotation changes bump the generation (annotations are copied to the ReplicaSets).
  // Deployments also move generation on annotation changes (the deprecated rollback annotation).
  prepareForUpdate: (d, old) =>
    keepStatusBumpGeneration(
      d,
      old,
      !deepEqual(d.spec, old.spec) || !deepEqual(d.metadata?.annotations ?? {}, old.metadata?.annotations ?? {}),
    ),

  validate: validateSpec,
  validateUpdate: (d, old) => [...validateSpec(d), ...immutableSelector(d, old)],
  validateStatusUpdate: validateStatus,
};

export default deployments;
