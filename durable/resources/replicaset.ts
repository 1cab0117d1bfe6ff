// apps/v1 ReplicaSet: SetDefaults_ReplicaSet, the strategy (pkg/registry/apps/replicaset/strategy.go),
// ValidateReplicaSet and printReplicaSet.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import {
  containersColumn,
  defaultPodTemplate,
  formatLabelSelector,
  imagesColumn,
  immutableSelector,
  layoutContainerCells,
  nonNegativeFields,
  validateSelectorAndTemplate,
  keepStatusBumpGeneration,
} from "./podtemplate";
import { validateReplicaStatus } from "./replicationcontroller";

const RS_DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset";

function validateSpec(rs: Obj): FieldError[] {
  const spec = rs.spec ?? {};
  return [...nonNegativeFields(spec, "spec", ["replicas", "minReadySeconds"]), ...validateSelectorAndTemplate(spec)];
}

const replicasets: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  },
  openapi: "io.k8s.api.apps.v1.ReplicaSet",

  // The real server describes these columns from extensions/v1beta1 docs.
  columns: [
    nameColumn,
    {
      name: "Desired",
      type: "integer",
      description: `Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: ${RS_DOC}`,
      priority: 0,
    },
    {
      name: "Current",
      type: "integer",
      description: `Replicas is the most recently observed number of non-terminating pods. More info: ${RS_DOC}`,
      priority: 0,
    },
    {
      name: "Ready",
      type: "integer",
      description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
      priority: 0,
    },
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      name: "Selector",
      type: "string",
      description:
        "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      priority: 1,
    },
  ],
  row(rs, ctx) {
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name,
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },

  defaults(rs) {
    rs.spec ??= {};
    rs.spec.replicas ??= 1;
    rs.spec.template ??= {};
    defaultPodTemplate(rs.spec.template);
  },

  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
    rs.metadata.generation = 1;
  },

  prepareForUpdate: (obj, old) => keepStatusBumpGeneration(obj, old),

  validate: validateSpec,
  validateUpdate: (rs, old) => [...validateSpec(rs), ...immutableSelector(rs, old)],
  validateStatusUpdate: (rs) => validateReplicaStatus(rs.status),

  fieldSelectors: {
    "status.replicas": (rs) => String(rs.status?.replicas ?? 0),
  },
};

export default replicasets;
