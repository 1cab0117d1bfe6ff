// core/v1 ReplicationController: SetDefaults_ReplicationController, the RC strategy
// (pkg/registry/core/replicationcontroller/strategy.go), ValidateReplicationController and
// printReplicationController.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, formatLabels, nameColumn } from "./printers";
import { invalid, required } from "./validation";
import {
  containersColumn,
  defaultPodTemplate,
  imagesColumn,
  layoutContainerCells,
  mapSelectorMatches,
  nonNegativeFields,
  validateReplicaTemplate,
  keepStatusBumpGeneration,
} from "./podtemplate";

const RC_DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller";

function validateSpec(rc: Obj): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegativeFields(spec, "spec", ["minReadySeconds"]));
  const selector: Record<string, string> | undefined = spec.selector;
  if (selector == null || Object.keys(selector).length === 0) errs.push(required("spec.selector", ""));
  errs.push(...nonNegativeFields(spec, "spec", ["replicas"]));
  const nonEmpty = selector != null && Object.keys(selector).length > 0;
  errs.push(
    ...validateReplicaTemplate(
      spec.template,
      nonEmpty ? (l) => mapSelectorMatches(selector, l) : null,
      "spec.template",
      "ReplicationController",
    ),
  );
  return errs;
}

/** ValidateReplicationControllerStatus (and the RS one): counts are non-negative and ordered. */
export function validateReplicaStatus(status: Obj | undefined): FieldError[] {
  const s = status ?? {};
  const errs = nonNegativeFields(s, "status", [
    "replicas",
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
  ]);
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas)
    errs.push(invalid("status.fullyLabeledReplicas", s.fullyLabeledReplicas, "cannot be greater than status.replicas"));
  if ((s.readyReplicas ?? 0) > replicas)
    errs.push(invalid("status.readyReplicas", s.readyReplicas, "cannot be greater than status.replicas"));
  if ((s.availableReplicas ?? 0) > replicas)
    errs.push(invalid("status.availableReplicas", s.availableReplicas, "cannot be greater than status.replicas"));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0))
    errs.push(invalid("status.availableReplicas", s.availableReplicas, "cannot be greater than readyReplicas"));
  return errs;
}

const replicationcontrollers: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  namespaced: true,
  shortNames: ["rc"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  },
  openapi: "io.k8s.api.core.v1.ReplicationController",

  columns: [
    nameColumn,
    {
      name: "Desired",
      type: "integer",
      description: `Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: ${RC_DOC}`,
      priority: 0,
    },
    {
      name: "Current",
      type: "integer",
      description: `Replicas is the most recently observed number of replicas. More info: ${RC_DOC}`,
      priority: 0,
    },
    { name: "Ready", type: "integer", description: "The number of ready replicas for this replication controller.", priority: 0 },
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      name: "Selector",
      type: "string",
      description:
        "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      priority: 1,
    },
  ],
  row(rc, ctx) {
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata?.name,
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      age(rc.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },

  // SetDefaults_ReplicationController: selector and labels default to the template's labels.
  defaults(rc) {
    rc.spec ??= {};
    const labels = rc.spec.template?.metadata?.labels;
    if (labels != null) {
      if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
      rc.metadata ??= {};
      if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
    }
    rc.spec.replicas ??= 1;
    defaultPodTemplate(rc.spec.template);
  },

  prepareForCreate(rc) {
    rc.status = { replicas: 0 };
    rc.metadata.generation = 1;
  },

  prepareForUpdate: (obj, old) => keepStatusBumpGeneration(obj, old),

  validate: validateSpec,
  validateUpdate: validateSpec,
  validateStatusUpdate: (rc) => validateReplicaStatus(rc.status),

  fieldSelectors: {
    "status.replicas": (rc) => String(rc.status?.replicas ?? 0),
  },
};

export default replicationcontrollers;
