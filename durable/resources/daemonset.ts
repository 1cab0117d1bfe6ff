// apps/v1 DaemonSet: SetDefaults_DaemonSet, the strategy (pkg/registry/apps/daemonset/strategy.go),
// ValidateDaemonSet and printDaemonSet.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, formatLabels, nameColumn } from "./printers";
import { invalid, notSupported, required, validateLabelSelector } from "./validation";
import {
  containersColumn,
  deepEqual,
  defaultPodTemplate,
  formatLabelSelector,
  goIntOrString,
  goLabelSelector,
  imagesColumn,
  immutableSelector,
  invalidRaw,
  layoutContainerCells,
  nonNegativeFields,
  selectorMatches,
  validateReplicaTemplate,
} from "./podtemplate";

/** The template generation annotation (apps/v1's form of the internal spec.templateGeneration). */
export const TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

const DS_DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/";

const isPercent = (v: unknown) => typeof v === "string" && /^[0-9]+%$/.test(v);
const intOrPercentValue = (v: unknown): number => (isPercent(v) ? parseInt(v as string, 10) : typeof v === "number" ? v : 0);

export function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v == null) return [];
  if (typeof v === "string")
    return isPercent(v)
      ? parseInt(v, 10) > 100
        ? [invalidRaw(path, goIntOrString(v), "must not be greater than 100%")]
        : []
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

/** ValidateDaemonSetUpdateStrategy. */
function validateUpdateStrategy(s: Obj | undefined): FieldError[] {
  const path = "spec.updateStrategy";
  switch (s?.type) {
    case "OnDelete":
      return [];
    case "RollingUpdate": {
      const ru = s.rollingUpdate;
      if (ru == null) return [required(`${path}.rollingUpdate`, "")];
      const errs = [
        ...validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
        ...validateIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(
          invalidRaw(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"),
        );
      return errs;
    }
    default:
      return [notSupported(`${path}.type`, s?.type ?? "", ["OnDelete", "RollingUpdate"])];
  }
}

/** ValidateDaemonSetSpec. */
function validateSpec(ds: Obj): FieldError[] {
  const spec = ds.spec ?? {};
  const errs: FieldError[] = [];
  const sel = spec.selector;
  let selectorErrs: FieldError[] = [];
  if (sel == null) errs.push(required("spec.selector", ""));
  else {
    selectorErrs = validateLabelSelector(sel, "spec.selector");
    errs.push(...selectorErrs);
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)
      errs.push(invalidRaw("spec.selector", goLabelSelector(sel), "empty selector is invalid for daemonset"));
  }
  const matches = sel != null && !selectorErrs.length ? (l: Record<string, string> | undefined) => selectorMatches(sel, l) : () => false;
  errs.push(...validateReplicaTemplate(spec.template, matches, "spec.template", "DaemonSet"));
  errs.push(...nonNegativeFields(spec, "spec", ["minReadySeconds", "templateGeneration", "revisionHistoryLimit"]));
  errs.push(...validateUpdateStrategy(spec.updateStrategy));
  return errs;
}

function validateStatus(ds: Obj): FieldError[] {
  return nonNegativeFields(ds.status ?? {}, "status", [
    "currentNumberScheduled",
    "numberMisscheduled",
    "desiredNumberScheduled",
    "numberReady",
    "observedGeneration",
    "updatedNumberScheduled",
    "numberAvailable",
    "numberUnavailable",
    "collisionCount",
  ]);
}

const daemonsets: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  singular: "daemonset",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  subresources: { status: true },
  openapi: "io.k8s.api.apps.v1.DaemonSet",

  columns: [
    nameColumn,
    {
      name: "Desired",
      type: "integer",
      description: `The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: ${DS_DOC}`,
      priority: 0,
    },
    {
      name: "Current",
      type: "integer",
      description: `The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: ${DS_DOC}`,
      priority: 0,
    },
    {
      name: "Ready",
      type: "integer",
      description:
        "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
      priority: 0,
    },
    { name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod", priority: 0 },
    {
      name: "Available",
      type: "integer",
      description:
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
      priority: 0,
    },
    {
      name: "Node Selector",
      type: "string",
      description:
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
      priority: 0,
    },
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      name: "Selector",
      type: "string",
      description:
        "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      priority: 1,
    },
  ],
  row(ds, ctx) {
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    const s = ds.status ?? {};
    return [
      ds.metadata?.name,
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },

  // SetDefaults_DaemonSet (apps/v1).
  defaults(ds) {
    ds.spec ??= {};
    const spec = ds.spec;
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ||= "RollingUpdate";
    if (spec.updateStrategy.type === "RollingUpdate") {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    spec.template ??= {};
    defaultPodTemplate(spec.template);
  },

  // The internal spec.templateGeneration is served in apps/v1 as this annotation.
  prepareForCreate(ds) {
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    ds.metadata.generation = 1;
    ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: "1" };
  },

  // Spec changes bump the generation; template changes also the template generation.
  prepareForUpdate(ds, old) {
    ds.status = old.status;
    ds.metadata.generation = old.metadata?.generation ?? 1;
    const oldTemplateGeneration = old.metadata?.annotations?.[TEMPLATE_GENERATION] ?? "1";
    let templateGeneration = parseInt(oldTemplateGeneration, 10) || 1;
    if (!deepEqual(ds.spec?.template, old.spec?.template)) templateGeneration++;
    ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(templateGeneration) };
    if (!deepEqual(ds.spec, old.spec)) ds.metadata.generation++;
  },

  validate: validateSpec,
  validateUpdate: (ds, old) => [...validateSpec(ds), ...immutableSelector(ds, old)],
  validateStatusUpdate: validateStatus,
};

export default daemonsets;
