// policy/v1 PodDisruptionBudget: the strategy (pkg/registry/policy/poddisruptionbudget),
// ValidatePodDisruptionBudget and printPodDisruptionBudget; the disruption controller's arithmetic
// (pkg/controller/disruption: getExpectedPodCount, countHealthyPods, updatePdbStatus) as pure
// functions; and the eviction subresource's budget check (pkg/registry/core/pod/storage/eviction.go).
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from "kubernetes-types/policy/v1";
import type { Pod } from "kubernetes-types/core/v1";
import type { Condition } from "kubernetes-types/meta/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { invalid, notSupported, validateLabelSelector } from "./validation";
import { selectorMatches } from "./podtemplate";
import { validateIntOrPercent } from "./daemonset";
import { ApiError } from "../api/status";

/** DeletionTimeout: a pod the eviction API let go is not counted healthy for this long. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

function validateSpec(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null)
    errs.push(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  errs.push(...validateIntOrPercent(spec.minAvailable, "spec.minAvailable"));
  errs.push(...validateIntOrPercent(spec.maxUnavailable, "spec.maxUnavailable"));
  errs.push(...validateLabelSelector(spec.selector as Obj | undefined, "spec.selector"));
  if (spec.unhealthyPodEvictionPolicy != null && !EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy))
    errs.push(notSupported("spec.unhealthyPodEvictionPolicy", spec.unhealthyPodEvictionPolicy, EVICTION_POLICIES));
  return errs;
}

/** A PDB's selector over a pod: nil selects nothing, an empty one every pod of the namespace. */
export const pdbSelects = (pdb: PodDisruptionBudget, pod: Obj) =>
  pdb.metadata?.namespace === pod.metadata?.namespace && selectorMatches(pdb.spec?.selector as Obj | undefined, pod.metadata?.labels);

/** intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true). */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === "number") return v;
  return Math.ceil((parseInt(v, 10) * total) / 100);
}

/** What the disruption controller reads besides the budget: the pods it selects and their controllers' scale. */
export interface DisruptionInput {
  pods: Pod[];
  /** The desired replicas of a pod's controller (a Deployment's for its ReplicaSets' pods), keyed by
   *  that controller's uid; undefined when the pod has no controller the finders know. */
  scaleOf(pod: Pod): { uid: string; replicas: number } | undefined;
  now: number;
}

/** getExpectedScale: the sum of the scales of the pods' controllers, or the reason it cannot be had. */
function expectedScale(input: DisruptionInput): { count: number } | { error: string; reason: string } {
  const scales = new Map<string, number>();
  for (const pod of input.pods) {
    if (!pod.metadata?.ownerReferences?.some((o) => o.controller))
      return { error: `found no controller ref for pod "${pod.metadata?.name}"`, reason: "NoControllerRef" };
    const s = input.scaleOf(pod);
    if (!s) return { error: `found no controllers for pod "${pod.metadata?.name}"`, reason: "NoControllers" };
    scales.set(s.uid, s.replicas);
  }
  let count = 0;
  for (const r of scales.values()) count += r;
  return { count };
}

const isReady = (pod: Pod) => (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** The budget's next status, and a warning event when it cannot be computed (failSafe). */
export function disruptionStatus(
  pdb: PodDisruptionBudget,
  input: DisruptionInput,
): { status: PodDisruptionBudgetStatus; event?: { type: "Normal" | "Warning"; reason: string; message: string }; recheckAt?: number } {
  const generation = pdb.metadata?.generation ?? 1;
  const old = pdb.status;
  const spec = pdb.spec ?? {};
  let expected = 0;
  let desired = 0;
  let failed: { error: string; reason: string } | undefined;
  if (spec.maxUnavailable != null) {
    const e = expectedScale(input);
    if ("error" in e) failed = e;
    else {
      expected = e.count;
      desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected));
    }
  } else if (spec.minAvailable != null) {
    if (typeof spec.minAvailable === "number") {
      desired = spec.minAvailable;
      expected = input.pods.length;
    } else {
      const e = expectedScale(input);
      if ("error" in e) failed = e;
      else {
        expected = e.count;
        desired = scaledValue(spec.minAvailable, expected);
      }
    }
  }
  const condition = (c: Omit<Condition, "lastTransitionTime">): Condition[] => {
    const prev = (old?.conditions ?? []).find((x) => x.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(input.now);
    return [...(old?.conditions ?? []).filter((x) => x.type !== c.type), { ...c, lastTransitionTime }];
  };
  if (failed) {
    return {
      status: {
        ...(old ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
        disruptionsAllowed: 0,
        conditions: condition({
          type: "DisruptionAllowed",
          status: "False",
          reason: "SyncFailed",
          message: failed.error,
          observedGeneration: old?.observedGeneration,
        }),
      } as PodDisruptionBudgetStatus,
      event: { type: "Warning", reason: failed.reason, message: failed.error },
    };
  }
  // buildDisruptedPodMap: evictions still awaiting their pod's deletion, for DeletionTimeout.
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of input.pods) {
    const at = old?.disruptedPods?.[pod.metadata?.name ?? ""];
    if (!at || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires <= input.now) continue;
    disrupted[pod.metadata!.name!] = at;
    recheckAt = Math.min(recheckAt ?? expires, expires);
  }
  const healthy = input.pods.filter((p) => !p.metadata?.deletionTimestamp && !disrupted[p.metadata?.name ?? ""] && isReady(p)).length;
  let allowed = healthy - desired;
  if (expected <= 0 || allowed <= 0) allowed = 0;
  const status: PodDisruptionBudgetStatus = {
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    observedGeneration: generation,
    conditions: condition(
      allowed > 0
        ? { type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", observedGeneration: generation }
        : { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: generation },
    ),
  };
  const event =
    input.pods.length === 0 && old?.observedGeneration !== generation
      ? { type: "Normal" as const, reason: "NoPods", message: "No matching pods found" }
      : undefined;
  return { status, event, recheckAt };
}

const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

/**
 * The eviction subresource's budget check: undefined when the pod may go without consulting a
 * budget, otherwise the budget's status after charging this eviction (checkAndDecrement), or the
 * refusal. Runs in the eviction's transaction.
 */
export function chargeEviction(
  pod: Pod,
  pdbs: PodDisruptionBudget[],
  now: number,
): { pdb: PodDisruptionBudget; status: PodDisruptionBudgetStatus } | undefined {
  const phase = pod.status?.phase;
  // canIgnorePDB: a finished, pending or already deleting pod disrupts nothing more.
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending" || pod.metadata?.deletionTimestamp) return undefined;
  const mine = pdbs.filter((p) => pdbSelects(p, pod as Obj));
  if (mine.length > 1)
    throw new ApiError(
      500,
      "InternalError",
      "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      { causes: [{ message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support." }] },
    );
  if (!mine.length) return undefined;
  const pdb = mine[0];
  const st = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  // An unready pod counts for nothing: it may go while the budget is met, or always under AlwaysAllow.
  if (!isReady(pod) && st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0) return undefined;
  if (!isReady(pod) && pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") return undefined;
  if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 1))
    throw new ApiError(
      429,
      "TooManyRequests",
      EVICTION_REFUSED,
      {
        retryAfterSeconds: 10,
        causes: [
          { reason: "DisruptionBudget", message: `The disruption budget ${pdb.metadata?.name} is still being processed by the server.` },
        ],
      },
      { "Retry-After": "10" },
    );
  if (st.disruptionsAllowed < 0)
    throw new ApiError(
      403,
      "Forbidden",
      `poddisruptionbudgets.policy "${pdb.metadata?.name}" is forbidden: pdb disruptions allowed is negative`,
    );
  if (st.disruptionsAllowed === 0)
    throw new ApiError(429, "TooManyRequests", EVICTION_REFUSED, {
      causes: [
        {
          reason: "DisruptionBudget",
          message: `The disruption budget ${pdb.metadata?.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`,
        },
      ],
    });
  const allowed = st.disruptionsAllowed - 1;
  const status: PodDisruptionBudgetStatus = {
    ...st,
    disruptionsAllowed: allowed,
    disruptedPods: { ...(st.disruptedPods ?? {}), [pod.metadata?.name ?? ""]: rfc3339(now) },
  };
  if (allowed === 0)
    status.conditions = [
      ...(st.conditions ?? []).filter((c) => c.type !== "DisruptionAllowed"),
      {
        type: "DisruptionAllowed",
        status: "False",
        reason: "InsufficientPods",
        message: "",
        observedGeneration: st.observedGeneration,
        lastTransitionTime: rfc3339(now),
      },
    ];
  return { pdb, status };
}

const intOrPercent = (v: unknown) => (v == null ? "N/A" : String(v));

const poddisruptionbudgets: ResourceDef = {
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  namespaced: true,
  shortNames: ["pdb"],
  subresources: { status: true },
  openapi: "io.k8s.api.policy.v1.PodDisruptionBudget",
  columns: [
    nameColumn,
    { name: "Min Available", type: "string", description: "The minimum number of pods that must be available", priority: 0 },
    { name: "Max Unavailable", type: "string", description: "The maximum number of pods that may be unavailable", priority: 0 },
    {
      name: "Allowed Disruptions",
      type: "integer",
      description: "Calculated number of pods that may be disrupted at this time",
      priority: 0,
    },
    ageColumn,
  ],
  row: (pdb, ctx) => [
    pdb.metadata?.name,
    intOrPercent(pdb.spec?.minAvailable),
    intOrPercent(pdb.spec?.maxUnavailable),
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb.metadata?.creationTimestamp, ctx.now),
  ],
  prepareForCreate(pdb) {
    pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    pdb.metadata.generation = 1;
  },
  prepareForUpdate(pdb, old) {
    pdb.status = old.status;
    pdb.metadata.generation = old.metadata?.generation ?? 1;
    if (JSON.stringify(pdb.spec) !== JSON.stringify(old.spec)) pdb.metadata.generation++;
  },
  validate: (pdb) => validateSpec(pdb as PodDisruptionBudget),
  validateStatusUpdate(pdb) {
    const st = (pdb.status ?? {}) as PodDisruptionBudgetStatus;
    const errs: FieldError[] = [];
    for (const f of ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] as const)
      if ((st[f] ?? 0) < 0) errs.push(invalid(`status.${f}`, st[f], "must be greater than or equal to 0"));
    return errs;
  },
};

export default poddisruptionbudgets;
