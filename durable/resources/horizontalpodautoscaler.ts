// autoscaling/v2 HorizontalPodAutoscaler (the stored form) and autoscaling/v1 over the same storage
// (pkg/apis/autoscaling/v1/conversion.go: one CPU target; what v1 cannot hold rides in the
// autoscaling.alpha.kubernetes.io annotations). Defaults (pkg/apis/autoscaling/v2/defaults.go),
// ValidateHorizontalPodAutoscaler and printHorizontalPodAutoscaler as upstream.
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget } from "kubernetes-types/autoscaling/v2";
import type { FieldError, Obj, PrinterColumn, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden, invalid, notSupported, required, validatePathSegmentName } from "./validation";
import { canonicalQuantity, compareQuantities } from "./quantity";
import { clone, keepStatusBumpGeneration } from "./podtemplate";
import { fieldDoc } from "./job";

const SPEC = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec";
const STATUS = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus";

/** autoscaling.DefaultCPUUtilization: the target when none is given. */
export const DEFAULT_CPU_UTILIZATION = 80;

const columns: PrinterColumn[] = [
  nameColumn,
  { name: "Reference", type: "string", description: fieldDoc(SPEC, "scaleTargetRef"), priority: 0 },
  { name: "Targets", type: "string", description: fieldDoc(SPEC, "metrics"), priority: 0 },
  { name: "MinPods", type: "string", description: fieldDoc(SPEC, "minReplicas"), priority: 0 },
  { name: "MaxPods", type: "integer", description: fieldDoc(SPEC, "maxReplicas"), priority: 0 },
  { name: "Replicas", type: "integer", description: fieldDoc(STATUS, "currentReplicas"), priority: 0 },
  ageColumn,
];

const q = (v: unknown) => String(canonicalQuantity(v));

/** formatHPAMetrics: at most two targets, then "+ N more...". */
export function formatHPAMetrics(specs: MetricSpec[] = [], statuses: MetricStatus[] = []): string {
  if (!specs.length) return "<none>";
  const list = specs.map((spec, i): string => {
    const st = statuses[i];
    switch (spec.type) {
      case "External":
        return spec.external?.target?.averageValue !== undefined
          ? `${st?.external?.current?.averageValue !== undefined ? q(st.external.current.averageValue) : "<unknown>"}/${q(spec.external.target.averageValue)} (avg)`
          : `${st?.external ? q(st.external.current?.value ?? "0") : "<unknown>"}/${q(spec.external?.target?.value ?? "0")}`;
      case "Pods":
        return `${st?.pods ? q(st.pods.current?.averageValue ?? "0") : "<unknown>"}/${q(spec.pods?.target?.averageValue ?? "0")}`;
      case "Object":
        return spec.object?.target?.averageValue !== undefined
          ? `${st?.object?.current?.averageValue !== undefined ? q(st.object.current.averageValue) : "<unknown>"}/${q(spec.object.target.averageValue)} (avg)`
          : `${st?.object ? q(st.object.current?.value ?? "0") : "<unknown>"}/${q(spec.object?.target?.value ?? "0")}`;
      case "Resource":
      case "ContainerResource": {
        const src = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const cur = spec.type === "Resource" ? st?.resource : st?.containerResource;
        if (src?.target?.averageValue !== undefined)
          return `${src.name}: ${cur ? q(cur.current?.averageValue ?? "0") : "<unknown>"}/${q(src.target.averageValue)}`;
        const current = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : "<unknown>";
        const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : "<auto>";
        return `${src?.name}: ${current}/${target}`;
      }
      default:
        return "<unknown type>";
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(", ")} + ${list.length - 2} more...` : list.join(", ");
}

const row = (obj: Obj, ctx: { now: number }) => {
  const hpa = obj as HorizontalPodAutoscaler;
  return [
    hpa.metadata?.name,
    `${hpa.spec?.scaleTargetRef?.kind}/${hpa.spec?.scaleTargetRef?.name}`,
    formatHPAMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
    hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : "<unset>",
    hpa.spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    age(hpa.metadata?.creationTimestamp, ctx.now),
  ];
};

// ---- defaults -------------------------------------------------------------------------------

/** GenerateHPAScaleUpRules: the nil fields of scaleUp from the defaults. */
export function scaleUpRules(rules: Obj | undefined): Obj {
  const r = rules ?? {};
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 0,
    selectPolicy: r.selectPolicy ?? "Max",
    policies: r.policies ?? [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
    ...(r.tolerance !== undefined ? { tolerance: r.tolerance } : {}),
  };
}

/** GenerateHPAScaleDownRules. */
export function scaleDownRules(rules: Obj | undefined): Obj {
  const r = rules ?? {};
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 300,
    selectPolicy: r.selectPolicy ?? "Max",
    policies: r.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
    ...(r.tolerance !== undefined ? { tolerance: r.tolerance } : {}),
  };
}

function defaultsV2(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length)
    spec.metrics = [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } },
    ];
  // Only a behavior the user gave gets its gaps filled; none stays none (the controller's defaults).
  if (spec.behavior) {
    spec.behavior.scaleUp = scaleUpRules(spec.behavior.scaleUp);
    spec.behavior.scaleDown = scaleDownRules(spec.behavior.scaleDown);
  }
  for (const m of spec.metrics as Obj[])
    for (const t of [m.resource?.target, m.containerResource?.target, m.pods?.target, m.object?.target, m.external?.target])
      if (t) for (const k of ["value", "averageValue"]) if (t[k] !== undefined) t[k] = canonicalQuantity(t[k]);
}

// ---- validation -----------------------------------------------------------------------------

const SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const FIELD_OF: Record<string, string> = {
  Resource: "resource",
  ContainerResource: "containerResource",
  Pods: "pods",
  Object: "object",
  External: "external",
};

function validateTarget(t: MetricTarget | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mt = t ?? ({} as MetricTarget);
  if (!mt.type) errs.push(required(`${path}.type`, "must specify a metric target type"));
  else if (!["Utilization", "Value", "AverageValue"].includes(mt.type))
    errs.push(invalid(`${path}.type`, mt.type, "must be either Utilization, Value, or AverageValue"));
  if (mt.value !== undefined && compareQuantities(mt.value, "0") <= 0) errs.push(invalid(`${path}.value`, mt.value, "must be positive"));
  if (mt.averageValue !== undefined && compareQuantities(mt.averageValue, "0") <= 0)
    errs.push(invalid(`${path}.averageValue`, mt.averageValue, "must be positive"));
  if (mt.averageUtilization !== undefined && mt.averageUtilization < 1)
    errs.push(invalid(`${path}.averageUtilization`, mt.averageUtilization, "must be greater than 0"));
  return errs;
}

function validateMetric(m: MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.type) errs.push(required(`${path}.type`, "must specify a metric source type"));
  if (!SOURCE_TYPES.includes(m.type)) errs.push(notSupported(`${path}.type`, m.type ?? "", SOURCE_TYPES));
  const present = Object.values(FIELD_OF).filter((f) => (m as Obj)[f] != null);
  const expected = FIELD_OF[m.type];
  if (expected && (m as Obj)[expected] == null)
    errs.push(required(`${path}.${expected}`, "must populate information for the given metric source"));
  if (present.length !== 1)
    for (const f of present.filter((f) => f !== expected))
      errs.push(forbidden(`${path}.${f}`, "must populate the given metric source only"));
  for (const [src, p] of [
    [m.resource, `${path}.resource`],
    [m.containerResource, `${path}.containerResource`],
  ] as const) {
    if (!src) continue;
    if (!src.name) errs.push(required(`${p}.name`, "must specify a resource name"));
    if (m.containerResource === src && !(src as Obj).container) errs.push(required(`${p}.container`, "must specify a container"));
    if (src.target?.averageUtilization === undefined && src.target?.averageValue === undefined)
      errs.push(required(`${p}.target.averageUtilization`, "must set either a target raw value or a target utilization"));
    if (src.target?.averageUtilization !== undefined && src.target?.averageValue !== undefined)
      errs.push(forbidden(`${p}.target.averageValue`, "may not set both a target raw value and a target utilization"));
    errs.push(...validateTarget(src.target, `${p}.target`));
  }
  for (const [src, p] of [
    [m.pods, `${path}.pods`],
    [m.object, `${path}.object`],
    [m.external, `${path}.external`],
  ] as const) {
    if (!src) continue;
    if (!src.metric?.name) errs.push(required(`${p}.metric.name`, "must specify a metric name"));
    errs.push(...validateTarget(src.target, `${p}.target`));
  }
  return errs;
}

function validateRules(rules: Obj | undefined, path: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(invalid(`${path}.stabilizationWindowSeconds`, w, "must be greater than or equal to zero"));
  if (w !== undefined && w > 3600) errs.push(invalid(`${path}.stabilizationWindowSeconds`, w, "must be less than or equal to 3600"));
  if (rules.selectPolicy !== undefined && !["Max", "Min", "Disabled"].includes(rules.selectPolicy))
    errs.push(notSupported(`${path}.selectPolicy`, rules.selectPolicy, ["Disabled", "Max", "Min"]));
  if (!rules.policies?.length) errs.push(required(`${path}.policies`, "must specify at least one Policy"));
  (rules.policies ?? []).forEach((p: Obj, i: number) => {
    const pp = `${path}.policies[${i}]`;
    if (p.type !== "Pods" && p.type !== "Percent") errs.push(notSupported(`${pp}.type`, p.type ?? "", ["Percent", "Pods"]));
    if (!(p.value > 0)) errs.push(invalid(`${pp}.value`, p.value ?? 0, "must be greater than zero"));
    if (!(p.periodSeconds > 0)) errs.push(invalid(`${pp}.periodSeconds`, p.periodSeconds ?? 0, "must be greater than zero"));
    else if (p.periodSeconds > 1800) errs.push(invalid(`${pp}.periodSeconds`, p.periodSeconds, "must be less than or equal to 1800"));
  });
  return errs;
}

/** validateHorizontalPodAutoscalerSpec (HPAScaleToZero off: minReplicas at least 1). */
export function validateHPA(obj: Obj): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < 1)
    errs.push(invalid("spec.minReplicas", spec.minReplicas, "must be greater than or equal to 1"));
  if (!((spec.maxReplicas ?? 0) >= 1)) errs.push(invalid("spec.maxReplicas", spec.maxReplicas ?? 0, "must be greater than 0"));
  if (spec.minReplicas !== undefined && (spec.maxReplicas ?? 0) < spec.minReplicas)
    errs.push(invalid("spec.maxReplicas", spec.maxReplicas ?? 0, "must be greater than or equal to `minReplicas`"));
  const ref = spec.scaleTargetRef ?? {};
  const refErrs: FieldError[] = [];
  for (const f of ["kind", "name"]) {
    if (!ref[f]) refErrs.push(required(`spec.scaleTargetRef.${f}`, ""));
    else for (const msg of validatePathSegmentName(ref[f])) refErrs.push(invalid(`spec.scaleTargetRef.${f}`, ref[f], msg));
  }
  if (refErrs.length) return [...errs, ...refErrs];
  const metricErrs = ((spec.metrics ?? []) as MetricSpec[]).flatMap((m, i) => validateMetric(m, `spec.metrics[${i}]`));
  if (metricErrs.length) return [...errs, ...metricErrs];
  return [
    ...errs,
    ...validateRules(spec.behavior?.scaleUp, "spec.behavior.scaleUp"),
    ...validateRules(spec.behavior?.scaleDown, "spec.behavior.scaleDown"),
  ];
}

// ---- autoscaling/v1 over v2 storage ---------------------------------------------------------

const ANN_METRICS = "autoscaling.alpha.kubernetes.io/metrics";
const ANN_CURRENT = "autoscaling.alpha.kubernetes.io/current-metrics";
const ANN_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
const ANN_BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";

const isCPUUtilization = (m: Obj) =>
  m.type === "Resource" && m.resource?.name === "cpu" && m.resource?.target?.averageUtilization !== undefined;

/** Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler. */
export function toV1(stored: Obj): Obj {
  const hpa = clone(stored);
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const metrics: Obj[] = spec.metrics ?? [];
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[ANN_METRICS] = JSON.stringify(others);
  if (spec.behavior) annotations[ANN_BEHAVIOR] = JSON.stringify(spec.behavior);
  const currentCPU = ((status.currentMetrics ?? []) as Obj[]).find((m) => m.type === "Resource" && m.resource?.name === "cpu");
  const otherCurrent = ((status.currentMetrics ?? []) as Obj[]).filter((m) => m !== currentCPU);
  if (otherCurrent.length) annotations[ANN_CURRENT] = JSON.stringify(otherCurrent);
  if (status.conditions?.length) annotations[ANN_CONDITIONS] = JSON.stringify(status.conditions);
  return {
    ...hpa,
    apiVersion: "autoscaling/v1",
    metadata: { ...hpa.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
    },
    status: {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(currentCPU?.resource?.current?.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: currentCPU.resource.current.averageUtilization }
        : {}),
    },
  };
}

const parseAnnotation = (a: Record<string, string>, key: string): Obj[] | Obj | undefined => {
  try {
    return a[key] ? JSON.parse(a[key]) : undefined;
  } catch {
    return undefined;
  }
};

/** Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler. */
export function fromV1(v1: Obj): Obj {
  const hpa = clone(v1);
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const others = (parseAnnotation(annotations, ANN_METRICS) as Obj[] | undefined) ?? [];
  const behavior = parseAnnotation(annotations, ANN_BEHAVIOR);
  const current = (parseAnnotation(annotations, ANN_CURRENT) as Obj[] | undefined) ?? [];
  const conditions = parseAnnotation(annotations, ANN_CONDITIONS) as Obj[] | undefined;
  for (const k of [ANN_METRICS, ANN_BEHAVIOR, ANN_CURRENT, ANN_CONDITIONS]) delete annotations[k];
  const metrics =
    spec.targetCPUUtilizationPercentage !== undefined
      ? [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage } },
          },
          ...others,
        ]
      : others;
  const currentMetrics =
    status.currentCPUUtilizationPercentage !== undefined
      ? [
          { type: "Resource", resource: { name: "cpu", current: { averageUtilization: status.currentCPUUtilizationPercentage } } },
          ...current,
        ]
      : current;
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    ...hpa,
    apiVersion: "autoscaling/v2",
    metadata,
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
    status: {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(currentMetrics.length ? { currentMetrics } : {}),
      ...(conditions ? { conditions } : {}),
    },
  };
}

const base = {
  group: "autoscaling",
  kind: "HorizontalPodAutoscaler",
  plural: "horizontalpodautoscalers",
  singular: "horizontalpodautoscaler",
  namespaced: true,
  shortNames: ["hpa"],
  categories: ["all"],
  subresources: { status: true },
  columns,
  row,
  prepareForCreate(obj: Obj) {
    obj.status = { currentReplicas: 0, desiredReplicas: 0 };
    obj.metadata.generation = 1;
  },
  prepareForUpdate: (obj: Obj, old: Obj) => keepStatusBumpGeneration(obj, old),
};

export const hpaV2: ResourceDef = {
  ...base,
  version: "v2",
  openapi: "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
  defaults: defaultsV2,
  validate: validateHPA,
};

export const hpaV1: ResourceDef = {
  ...base,
  version: "v1",
  openapi: "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
  storage: { plural: "horizontalpodautoscalers", group: "autoscaling" },
  convert: {
    // Stored at v2 with v2's defaults, as the API server decodes its storage version.
    toStorage: (obj) => {
      const v2 = fromV1(obj);
      defaultsV2(v2);
      return v2;
    },
    fromStorage: toV1,
  },
  defaults: (obj) => {
    obj.spec ??= {};
    obj.spec.minReplicas ??= 1;
  },
  row: (obj, ctx) => row(fromV1(obj), ctx),
  validate: (obj) => validateHPA(fromV1(obj)),
};

export default [hpaV2, hpaV1];
