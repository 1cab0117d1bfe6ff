// scheduling.k8s.io/v1 PriorityClass: SetDefaults_PriorityClass, ValidatePriorityClass(Update),
// printPriorityClass, the two system classes every cluster has (pkg/apis/scheduling
// SystemPriorityClasses, created by the API server at start), and the Priority admission plugin
// (plugin/pkg/admission/priority): at most one global default, and a new pod's priorityClassName
// resolved into spec.priority and spec.preemptionPolicy.
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden, immutable, notSupported, required } from "./validation";
import { fieldDoc } from "./job";
import { forbidden as forbiddenError } from "../api/status";

const PC = "io.k8s.api.scheduling.v1.PriorityClass";
/** HighestUserDefinablePriority: above it only the system classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
const SYSTEM_PREFIX = "system-";
const POLICIES = ["Never", "PreemptLowerPriority"];

/** SystemPriorityClasses(): what the API server keeps in every cluster. */
export function systemPriorityClasses(): PriorityClass[] {
  return [
    {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "system-node-critical" },
      value: 2000001000,
      description: "Used for system critical pods that must not be moved from their current node.",
    },
    {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "system-cluster-critical" },
      value: 2000000000,
      description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    },
  ];
}

/** IsKnownSystemPriorityClass: the error it gives, or undefined for a system class as it must be. */
function systemClassError(pc: PriorityClass): string | undefined {
  const known = systemPriorityClasses().find((s) => s.metadata?.name === pc.metadata?.name);
  if (!known) return `${pc.metadata?.name} is not a known system priority class`;
  if (known.value !== pc.value) return `value of ${known.metadata?.name} PriorityClass must be ${known.value}`;
  if ((pc.globalDefault ?? false) !== (known.globalDefault ?? false))
    return `globalDefault of ${known.metadata?.name} PriorityClass must be ${known.globalDefault ?? false}`;
  return undefined;
}

function validate(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? "";
  if (name.startsWith(SYSTEM_PREFIX)) {
    const why = systemClassError(pc);
    if (why)
      errs.push(
        forbidden("metadata.name", `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${why}`),
      );
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY)
    errs.push(forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  if (pc.preemptionPolicy == null) errs.push(required("preemptionPolicy", ""));
  else if (!POLICIES.includes(pc.preemptionPolicy)) errs.push(notSupported("preemptionPolicy", pc.preemptionPolicy, POLICIES));
  return errs;
}

/** The Priority plugin's check of a PriorityClass write: only one class may be the global default. */
function admitDefault(pc: PriorityClass, old: PriorityClass | undefined, ctx: Ctx): void {
  if (!pc.globalDefault) return;
  const current = (ctx.list("priorityclasses") as PriorityClass[]).find((p) => p.globalDefault && p.metadata?.name !== old?.metadata?.name);
  if (current)
    throw forbiddenError(
      "priorityclasses",
      "scheduling.k8s.io",
      pc.metadata?.name ?? "",
      `PriorityClass ${current.metadata?.name} is already marked as default. Only one default can exist`,
    );
}

/** The Priority plugin on a new pod: its class's value and preemption policy, or the class's default. */
export function admitPodPriority(pod: Obj, ctx: Ctx): void {
  const spec = pod.spec;
  let priority = 0;
  let policy: string | undefined = "PreemptLowerPriority";
  if (!spec.priorityClassName) {
    const dflt = (ctx.list("priorityclasses") as PriorityClass[])
      .filter((p) => p.globalDefault)
      // getDefaultPriorityClass: the lowest valued of several defaults (possible only through races).
      .sort((a, b) => a.value - b.value)[0];
    if (dflt) {
      spec.priorityClassName = dflt.metadata?.name;
      priority = dflt.value;
      policy = dflt.preemptionPolicy;
    }
  } else {
    const pc = ctx.get("priorityclasses", undefined, spec.priorityClassName) as PriorityClass | undefined;
    if (!pc) throw forbiddenError("pods", "", pod.metadata?.name ?? "", `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority != null && spec.priority !== priority)
    throw forbiddenError(
      "pods",
      "",
      pod.metadata?.name ?? "",
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy != null && spec.preemptionPolicy !== policy)
      throw forbiddenError(
        "pods",
        "",
        pod.metadata?.name ?? "",
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    spec.preemptionPolicy = policy;
  }
}

const priorityclasses: ResourceDef = {
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  singular: "priorityclass",
  namespaced: false,
  shortNames: ["pc"],
  openapi: PC,
  columns: [
    nameColumn,
    { name: "Value", type: "integer", description: fieldDoc(PC, "value"), priority: 0 },
    { name: "Global-Default", type: "boolean", description: fieldDoc(PC, "globalDefault"), priority: 0 },
    ageColumn,
    { name: "PreemptionPolicy", type: "string", description: fieldDoc(PC, "preemptionPolicy"), priority: 0 },
  ],
  row: (pc, ctx) => [
    pc.metadata?.name,
    pc.value ?? 0,
    pc.globalDefault ?? false,
    age(pc.metadata?.creationTimestamp, ctx.now),
    pc.preemptionPolicy ?? "",
  ],
  defaults(pc) {
    pc.preemptionPolicy ??= "PreemptLowerPriority";
  },
  // The Priority plugin's check of a class runs after the kind's validation, as admission does.
  validate(pc, ctx) {
    const errs = validate(pc as PriorityClass);
    if (!errs.length) admitDefault(pc as PriorityClass, undefined, ctx);
    return errs;
  },
  validateUpdate(pc, old, ctx) {
    const errs = validate(pc as PriorityClass);
    if (pc.value !== old.value) errs.push(forbidden("value", "may not be changed in an update."));
    if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(immutable("preemptionPolicy", pc.preemptionPolicy));
    if (!errs.length) admitDefault(pc as PriorityClass, old as PriorityClass, ctx);
    return errs;
  },
};

export default priorityclasses;
