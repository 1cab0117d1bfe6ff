// The horizontal pod autoscaler (pkg/controller/podautoscaler: horizontal.go and
// replica_calculator.go): every resync it reads the target's scale and its pods' usage from the
// metrics API, proposes a replica count per metric (tolerance 0.1, unready and missing pods as
// upstream treats them), stabilises and rate-limits it (the default 5-minute downscale window and
// scale-up limit, or spec.behavior's windows and policies) and writes the target's replicas.
// It resyncs only while an HPA exists; the instant clock shortens every window and period by the
// same factor, so a walkthrough plays out in seconds with the same sequence of decisions.
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from "kubernetes-types/autoscaling/v2";
import type { Pod } from "kubernetes-types/core/v1";
import type { Obj } from "../resources/types";
import { resources } from "../resources";
import { scaleDownRules, scaleUpRules } from "../resources/horizontalpodautoscaler";
import { mapSelectorMatches, selectorMatches } from "../resources/podtemplate";
import { formatCanonical, parseCanonical } from "../resources/quantity";
import { metricsSource } from "../nodes/metrics";
import { METRICS_WINDOW_MS } from "../nodes/runtime/usage";
import { ApiError } from "../api/status";
import { rfc3339 } from "../api/registry";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";

const SOURCE = { component: "horizontal-pod-autoscaler" };
const HPAS = "horizontalpodautoscalers";

/** --horizontal-pod-autoscaler-tolerance */
export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-sync-period, --…-downscale-stabilization, --…-cpu-initialization-period,
 *  --…-initial-readiness-delay (seconds). */
const SYNC_PERIOD_S = 15;
const DOWNSCALE_STABILISATION_S = 300;
const CPU_INITIALIZATION_S = 300;
const INITIAL_READINESS_DELAY_S = 30;
/** The instant clock runs the controller's clock this much faster. */
const INSTANT_SPEEDUP = 100;

// ---- replica_calculator.go -------------------------------------------------------------------

/** A pod as the calculator sees it. */
export interface CalcPod {
  name: string;
  phase?: string;
  deleting?: boolean;
  /** Ready condition: status and when it last changed (ms); undefined without one. */
  ready?: { status: string; since: number };
  startTime?: number;
  /** Request of the resource (milli-units) summed over its containers; undefined when one lacks it. */
  request?: number;
  /** The container without a request, for the error. */
  missingRequestIn?: string;
}

export interface PodMetric {
  value: number; // milli-units
  timestamp: number;
  window: number;
}

export interface CalcTiming {
  now: number;
  cpuInitializationPeriod: number;
  delayOfInitialReadinessStatus: number;
}

/** groupPods */
export function groupPods(pods: CalcPod[], metrics: Map<string, PodMetric>, resource: string, t: CalcTiming) {
  let readyPodCount = 0;
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  for (const pod of pods) {
    if (pod.deleting || pod.phase === "Failed") {
      ignored.add(pod.name);
      continue;
    }
    if (pod.phase === "Pending") {
      unready.add(pod.name);
      continue;
    }
    const metric = metrics.get(pod.name);
    if (!metric) {
      missing.add(pod.name);
      continue;
    }
    if (resource === "cpu") {
      let isUnready: boolean;
      if (!pod.ready || pod.startTime === undefined) isUnready = true;
      else if (pod.startTime + t.cpuInitializationPeriod > t.now)
        // In its initialisation period: unready, or not one whole window measured since it changed.
        isUnready = pod.ready.status === "False" || metric.timestamp < pod.ready.since + metric.window;
      // Unready and never ready since it started.
      else isUnready = pod.ready.status === "False" && pod.startTime + t.delayOfInitialReadinessStatus > pod.ready.since;
      if (isUnready) {
        unready.add(pod.name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** metricsclient.GetResourceUtilizationRatio */
export function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number) {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new Error("no metrics returned matched known pods");
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, raw: Math.trunc(metricsTotal / n) };
}

const within = (ratio: number, tolerance: number) => Math.abs(1 - ratio) <= tolerance;

/** ReplicaCalculator.GetResourceReplicas (target utilization, percent of request). */
export function resourceReplicas(
  currentReplicas: number,
  target: number,
  resource: string,
  pods: CalcPod[],
  podMetrics: Map<string, PodMetric>,
  t: CalcTiming,
  tolerance = TOLERANCE,
): { replicas: number; utilization: number; raw: number } {
  if (!pods.length) throw new Error("no pods returned by selector while calculating replica count");
  const metrics = new Map(podMetrics);
  const { readyPodCount, unready, missing, ignored } = groupPods(pods, metrics, resource, t);
  for (const n of [...ignored, ...unready]) metrics.delete(n);
  const requests = new Map<string, number>();
  for (const p of pods) {
    if (p.request === undefined) throw new Error(`missing request for ${resource} in container ${p.missingRequestIn} of Pod ${p.name}`);
    requests.set(p.name, p.request);
  }
  if (!metrics.size) throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  const { ratio, utilization, raw } = utilizationRatio(metrics, requests, target);
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && !missing.size) {
    if (within(ratio, tolerance)) return { replicas: currentReplicas, utilization, raw };
    return { replicas: Math.ceil(ratio * readyPodCount), utilization, raw };
  }
  if (missing.size) {
    // Scale-down: missing pods use their whole request (or the target above 100%); scale-up: nothing.
    if (ratio < 1)
      for (const n of missing) metrics.set(n, { value: (requests.get(n)! * Math.max(100, target)) / 100, timestamp: 0, window: 0 });
    else if (ratio > 1) for (const n of missing) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  }
  if (scaleUpWithUnready) for (const n of unready) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  const next = utilizationRatio(metrics, requests, target).ratio;
  if (within(next, tolerance) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, utilization, raw };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return { replicas: currentReplicas, utilization, raw };
  return { replicas, utilization, raw };
}

/** ReplicaCalculator.GetRawResourceReplicas → calcPlainMetricReplicas (target average value, milli-units). */
export function rawResourceReplicas(
  currentReplicas: number,
  targetUsage: number,
  resource: string,
  pods: CalcPod[],
  podMetrics: Map<string, PodMetric>,
  t: CalcTiming,
  tolerance = TOLERANCE,
): { replicas: number; usage: number } {
  if (!pods.length) throw new Error("no pods returned by selector while calculating replica count");
  const metrics = new Map(podMetrics);
  const { readyPodCount, unready, missing, ignored } = groupPods(pods, metrics, resource, t);
  for (const n of [...ignored, ...unready]) metrics.delete(n);
  if (!metrics.size) throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  const total = () => [...metrics.values()].reduce((a, m) => a + m.value, 0);
  const usage = total() / metrics.size;
  const ratio = usage / targetUsage;
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && !missing.size) {
    if (within(ratio, tolerance)) return { replicas: currentReplicas, usage: Math.trunc(usage) };
    return { replicas: Math.ceil(ratio * readyPodCount), usage: Math.trunc(usage) };
  }
  if (missing.size) {
    if (ratio < 1) for (const n of missing) metrics.set(n, { value: targetUsage, timestamp: 0, window: 0 });
    else for (const n of missing) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  }
  if (scaleUpWithUnready) for (const n of unready) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  const next = total() / metrics.size / targetUsage;
  if (within(next, tolerance) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1))
    return { replicas: currentReplicas, usage: Math.trunc(usage) };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return { replicas: currentReplicas, usage: Math.trunc(usage) };
  return { replicas, usage: Math.trunc(usage) };
}

// ---- horizontal.go: stabilisation and rate limits --------------------------------------------

export interface Recommendation {
  replicas: number;
  at: number;
}
export interface ScaleEvent {
  change: number;
  at: number;
  outdated?: boolean;
}
/** What the controller remembers per HPA (in memory, as the real one: a restart forgets it). */
export interface HPAMemory {
  recommendations: Recommendation[];
  scaleUp: ScaleEvent[];
  scaleDown: ScaleEvent[];
}

type Limit = { replicas: number; reason: string; message: string };

/** convertDesiredReplicasWithRules (no behavior): the scale-up limit max(2×current, 4) and min/max. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Limit {
  const scaleUpLimit = Math.max(2 * current, 4);
  let maximum: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = "ScaleUpLimit";
    message = "the desired replica count is increasing faster than the maximum scale rate";
  } else {
    maximum = max;
    reason = "TooManyReplicas";
    message = "the desired replica count is more than the maximum replica count";
  }
  if (desired < min)
    return { replicas: min, reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
}

/** stabilizeRecommendation (no behavior): the highest recommendation within the downscale window. */
export function stabilizeRecommendation(mem: HPAMemory, desired: number, now: number, window: number): number {
  let max = desired;
  let old = -1;
  const cutoff = now - window;
  mem.recommendations.forEach((r, i) => {
    if (r.at < cutoff) old = i;
    else if (r.replicas > max) max = r.replicas;
  });
  if (old >= 0) mem.recommendations[old] = { replicas: desired, at: now };
  else mem.recommendations.push({ replicas: desired, at: now });
  return max;
}

/** stabilizeRecommendationWithBehaviors */
export function stabilizeWithBehaviors(
  mem: HPAMemory,
  current: number,
  desired: number,
  upWindow: number,
  downWindow: number,
  now: number,
): Limit {
  let up = desired;
  let down = desired;
  let old = -1;
  const upCutoff = now - upWindow;
  const downCutoff = now - downWindow;
  mem.recommendations.forEach((r, i) => {
    if (r.at > upCutoff) up = Math.min(r.replicas, up);
    if (r.at > downCutoff) down = Math.max(r.replicas, down);
    if (r.at < upCutoff && r.at < downCutoff) old = i;
  });
  let replicas = current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  if (old >= 0) mem.recommendations[old] = { replicas: desired, at: now };
  else mem.recommendations.push({ replicas: desired, at: now });
  return desired >= current
    ? {
        replicas,
        reason: "ScaleUpStabilized",
        message: "recent recommendations were lower than current one, applying the lowest recent recommendation",
      }
    : {
        replicas,
        reason: "ScaleDownStabilized",
        message: "recent recommendations were higher than current one, applying the highest recent recommendation",
      };
}

const changeInPeriod = (events: ScaleEvent[], period: number, now: number) =>
  events.filter((e) => e.at > now - period).reduce((a, e) => a + e.change, 0);

/** calculateScaleUpLimitWithScalingRules (periods in ms). */
export function scaleUpLimit(current: number, mem: HPAMemory, rules: HPAScalingRules, now: number, ms: (s: number) => number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let result = rules.selectPolicy === "Min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(mem.scaleUp, ms(p.periodSeconds), now) + changeInPeriod(mem.scaleDown, ms(p.periodSeconds), now);
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors */
export function scaleDownLimit(current: number, mem: HPAMemory, rules: HPAScalingRules, now: number, ms: (s: number) => number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let result = rules.selectPolicy === "Min" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(mem.scaleUp, ms(p.periodSeconds), now) + changeInPeriod(mem.scaleDown, ms(p.periodSeconds), now);
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate */
export function convertWithBehaviorRate(
  current: number,
  desired: number,
  min: number,
  max: number,
  up: HPAScalingRules,
  down: HPAScalingRules,
  mem: HPAMemory,
  now: number,
  ms: (s: number) => number,
): Limit {
  if (desired > current) {
    const limit = Math.max(scaleUpLimit(current, mem, up, now, ms), current);
    const [maximum, reason, message] =
      max > limit
        ? [limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"]
        : [max, "TooManyReplicas", "the desired replica count is more than the maximum replica count"];
    if (desired > maximum) return { replicas: maximum, reason, message };
  } else if (desired < current) {
    const limit = Math.min(scaleDownLimit(current, mem, down, now, ms), current);
    const [minimum, reason, message] =
      min < limit
        ? [limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"]
        : [min, "TooFewReplicas", "the desired replica count is less than the minimum replica count"];
    if (desired < minimum) return { replicas: minimum, reason, message };
  }
  return { replicas: desired, reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
}

/** storeScaleEvent: reuse an outdated slot (older than the longest policy period) or append. */
function storeScaleEvent(
  mem: HPAMemory,
  behavior: Obj | undefined,
  current: number,
  desired: number,
  now: number,
  ms: (s: number) => number,
) {
  if (!behavior) return;
  const longest = (rules: Obj) => Math.max(0, ...((rules.policies ?? []) as Obj[]).map((p) => p.periodSeconds));
  const up = desired > current;
  const list = up ? mem.scaleUp : mem.scaleDown;
  const period = ms(longest(up ? scaleUpRules(behavior.scaleUp) : scaleDownRules(behavior.scaleDown)));
  let reused = false;
  for (const e of list) if (e.at < now - period) e.outdated = true;
  for (let i = 0; i < list.length; i++)
    if (list[i].outdated) {
      list[i] = { change: Math.abs(desired - current), at: now };
      reused = true;
      break;
    }
  if (!reused) list.push({ change: Math.abs(desired - current), at: now });
}

// ---- the controller --------------------------------------------------------------------------

const memory = new Map<string, HPAMemory>();

type Condition = { type: string; status: string; reason: string; message: string; lastTransitionTime?: string };

function setCondition(conds: Condition[], type: string, status: string, reason: string, message: string, now: number) {
  let c = conds.find((x) => x.type === type);
  if (!c) {
    c = { type, status: "", reason: "", message: "" };
    conds.push(c);
  }
  if (c.status !== status) c.lastTransitionTime = rfc3339(now);
  Object.assign(c, { status, reason, message });
}

/** The target's scale: its kind's definition (with a scale subresource), object, replicas, selector. */
function scaleOf(c: ControllerContext, hpa: HorizontalPodAutoscaler) {
  const ref = hpa.spec!.scaleTargetRef;
  const group = (ref.apiVersion ?? "").includes("/") ? ref.apiVersion!.split("/")[0] : "";
  const def = resources.find((d) => d.kind === ref.kind && d.group === group && !d.convert && d.subresources?.scale);
  if (!def) {
    if (resources.some((d) => d.kind === ref.kind && d.group === group))
      return { error: `the server could not find the requested resource` };
    return { error: `no matches for kind "${ref.kind}" in group "${group}"` };
  }
  const obj = c.client.get(def.plural, hpa.metadata!.namespace, ref.name);
  if (!obj) return { error: `${def.plural}${def.group ? `.${def.group}` : ""} "${ref.name}" not found` };
  const scale = def.subresources!.scale!;
  const at = (o: Obj, path: string) => path.split(".").reduce((v: Obj | undefined, k) => v?.[k], o);
  const selector = scale.labelSelectorPath ? at(obj, scale.labelSelectorPath) : undefined;
  return { def, obj, replicas: (at(obj, scale.specReplicasPath) as number | undefined) ?? 1, selector, path: scale.specReplicasPath };
}

const milli = (v: unknown) => {
  const p = typeof v === "string" ? parseCanonical(v) : undefined;
  if (!p) return 0;
  // Quantity.MilliValue: rounded up.
  const shift = p.scale + 3;
  const n = shift >= 0 ? p.unscaled * 10n ** BigInt(shift) : (p.unscaled + 10n ** BigInt(-shift) - 1n) / 10n ** BigInt(-shift);
  return Number(p.negative ? -n : n);
};

const milliQuantity = (m: number) =>
  formatCanonical({ negative: m < 0, unscaled: BigInt(Math.abs(Math.trunc(m))), scale: -3, format: "DecimalSI" });

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const stored = c.client.get(HPAS, namespace, name);
  if (!stored) {
    for (const k of memory.keys()) if (k.startsWith(`${key}|`)) memory.delete(k);
    return;
  }
  const hpa = JSON.parse(JSON.stringify(stored)) as HorizontalPodAutoscaler & Obj;
  const now = c.now();
  const instant = c.clock.mode === "instant";
  const ms = (s: number) => (instant ? (s * 1000) / INSTANT_SPEEDUP : s * 1000);
  const memKey = `${key}|${hpa.metadata!.uid}`;
  const resync = { requeueAfter: Math.max(ms(SYNC_PERIOD_S), 100) };
  const spec = hpa.spec!;
  const conds = ((hpa.status?.conditions ?? []) as Condition[]).map((x) => ({ ...x }));
  const record = (type: "Normal" | "Warning", reason: string, message: string) => c.events.record(stored, type, reason, message, SOURCE);
  const writeStatus = (status: Obj) => {
    const next = { ...status, conditions: conds };
    if (JSON.stringify(next) === JSON.stringify(stored.status ?? {})) return;
    c.client.patch(HPAS, namespace, name, (o) => void (o.status = next), { status: true });
  };

  const target = scaleOf(c, hpa);
  if (!("def" in target) || !target.def) {
    const err = target.error!;
    record("Warning", "FailedGetScale", err);
    setCondition(
      conds,
      "AbleToScale",
      "False",
      "FailedGetScale",
      `the HPA controller was unable to get the target's current scale: ${err}`,
      now,
    );
    writeStatus({ ...hpa.status, currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0 });
    return resync;
  }
  setCondition(conds, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
  const currentReplicas = target.replicas;
  let mem = memory.get(memKey);
  if (!mem) {
    // recordInitialRecommendation
    mem = { recommendations: [{ replicas: currentReplicas, at: now }], scaleUp: [], scaleDown: [] };
    memory.set(memKey, mem);
  }
  const minReplicas = spec.minReplicas ?? 1;
  let desired = 0;
  let reason = "";
  let rescale = true;
  let statuses: MetricStatus[] = [];
  if (currentReplicas === 0 && minReplicas !== 0) {
    rescale = false;
    setCondition(
      conds,
      "ScalingActive",
      "False",
      "ScalingDisabled",
      "scaling is disabled since the replica count of the target is zero",
      now,
    );
  } else if (currentReplicas > spec.maxReplicas) {
    reason = "Current number of replicas above Spec.MaxReplicas";
    desired = spec.maxReplicas;
  } else if (currentReplicas < minReplicas) {
    reason = "Current number of replicas below Spec.MinReplicas";
    desired = minReplicas;
  } else {
    const computed = computeReplicasForMetrics(c, hpa, target, currentReplicas, conds, now, ms);
    statuses = computed.statuses;
    if (computed.replicas === -1) {
      writeStatus({ ...hpa.status, currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: statuses });
      record("Warning", "FailedComputeMetricsReplicas", computed.error!);
      return resync;
    }
    desired = computed.replicas;
    if (desired > currentReplicas) reason = `${computed.metric} above target`;
    if (desired < currentReplicas) reason = "All metrics below target";
    if (!spec.behavior) {
      const stabilized = stabilizeRecommendation(mem, desired, now, ms(DOWNSCALE_STABILISATION_S));
      if (stabilized !== desired)
        setCondition(
          conds,
          "AbleToScale",
          "True",
          "ScaleDownStabilized",
          "recent recommendations were higher than current one, applying the highest recent recommendation",
          now,
        );
      else setCondition(conds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
      const limited = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, spec.maxReplicas);
      setCondition(conds, "ScalingLimited", limited.replicas === stabilized ? "False" : "True", limited.reason, limited.message, now);
      desired = limited.replicas;
    } else {
      const up = scaleUpRules(spec.behavior.scaleUp) as HPAScalingRules;
      const down = scaleDownRules({ stabilizationWindowSeconds: DOWNSCALE_STABILISATION_S, ...spec.behavior.scaleDown }) as HPAScalingRules;
      const stabilized = stabilizeWithBehaviors(
        mem,
        currentReplicas,
        desired,
        ms(up.stabilizationWindowSeconds!),
        ms(down.stabilizationWindowSeconds!),
        now,
      );
      if (stabilized.replicas !== desired) setCondition(conds, "AbleToScale", "True", stabilized.reason, stabilized.message, now);
      else setCondition(conds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
      const limited = convertWithBehaviorRate(currentReplicas, stabilized.replicas, minReplicas, spec.maxReplicas, up, down, mem, now, ms);
      setCondition(
        conds,
        "ScalingLimited",
        limited.replicas === stabilized.replicas ? "False" : "True",
        limited.reason,
        limited.message,
        now,
      );
      desired = limited.replicas;
    }
    rescale = desired !== currentReplicas;
  }

  let lastScaleTime = hpa.status?.lastScaleTime;
  if (rescale) {
    const path = target.path!.split(".");
    c.client.patch(target.def.plural, namespace, spec.scaleTargetRef.name, (o) => {
      let v: Obj = o;
      for (const k of path.slice(0, -1)) v = v[k] ??= {};
      v[path[path.length - 1]] = desired;
    });
    setCondition(
      conds,
      "AbleToScale",
      "True",
      "SucceededRescale",
      `the HPA controller was able to update the target scale to ${desired}`,
      now,
    );
    record("Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
    storeScaleEvent(mem, spec.behavior, currentReplicas, desired, now, ms);
    lastScaleTime = rfc3339(now);
  } else desired = currentReplicas;
  writeStatus({
    ...(lastScaleTime ? { lastScaleTime } : {}),
    currentReplicas,
    desiredReplicas: desired,
    ...(statuses.length ? { currentMetrics: statuses } : {}),
  });
  return resync;
}

/** computeReplicasForMetrics: the largest proposal of the metrics that could be computed. */
function computeReplicasForMetrics(
  c: ControllerContext,
  hpa: HorizontalPodAutoscaler,
  target: { selector?: Obj; def?: { plural: string } },
  current: number,
  conds: Condition[],
  now: number,
  ms: (s: number) => number,
): { replicas: number; metric?: string; statuses: MetricStatus[]; error?: string } {
  const record = (reason: string, message: string) => c.events.record(hpa as Obj, "Warning", reason, message, SOURCE);
  const selector = target.selector;
  if (!selector || (typeof selector === "object" && !Object.keys(selector).length)) {
    record("SelectorRequired", "selector is required");
    setCondition(conds, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector", now);
    return { replicas: -1, statuses: [], error: "selector is required" };
  }
  const matches = (labels: Record<string, string> | undefined) =>
    "matchLabels" in selector || "matchExpressions" in selector
      ? selectorMatches(selector, labels)
      : mapSelectorMatches(selector as Record<string, string>, labels);
  const ns = hpa.metadata!.namespace!;
  const pods = (c.client.list("pods", ns) as Pod[]).filter((p) => matches(p.metadata?.labels));
  const specs: MetricSpec[] = hpa.spec!.metrics ?? [];
  const statuses: MetricStatus[] = specs.map(() => ({ type: "" }) as unknown as MetricStatus);
  let best = 0;
  let bestMetric = "";
  let invalid = 0;
  let firstError = "";
  let firstCondition: [string, string] | undefined;
  const timing: CalcTiming = {
    now,
    cpuInitializationPeriod: ms(CPU_INITIALIZATION_S),
    delayOfInitialReadinessStatus: ms(INITIAL_READINESS_DELAY_S),
  };
  let podMetricsCache: Obj[] | undefined;
  const fetchPodMetrics = () => (podMetricsCache ??= metricsSource(c.client, () => c.clock.mode).pods(now));
  specs.forEach((spec, i) => {
    const fail = (reason: string, inner: string, outer: string) => {
      record(reason, inner);
      if (!invalid) {
        firstError = outer;
        firstCondition = [reason, `the HPA was unable to compute the replica count: ${inner}`];
      }
      invalid++;
    };
    const src = spec.type === "Resource" ? spec.resource : spec.type === "ContainerResource" ? spec.containerResource : undefined;
    if (!src) {
      const metric = spec.pods?.metric?.name ?? spec.object?.metric?.name ?? spec.external?.metric?.name ?? "";
      const api = spec.type === "External" ? "external metrics API" : "custom metrics API";
      const reason =
        { Pods: "FailedGetPodsMetric", Object: "FailedGetObjectMetric", External: "FailedGetExternalMetric" }[spec.type] ??
        "InvalidMetricSourceType";
      const inner = `unable to get metric ${metric}: unable to fetch metrics from ${api}: the server could not find the requested resource`;
      fail(reason, inner, `failed to get ${spec.type.toLowerCase()} metric value: ${inner}`);
      return;
    }
    const resource = src.name;
    const container = spec.type === "ContainerResource" ? spec.containerResource!.container : undefined;
    const kind = spec.type === "Resource" ? "resource" : "container resource";
    const reasonName = spec.type === "Resource" ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric";
    const utilization = src.target.averageUtilization;
    const what = utilization !== undefined ? "utilization" : "usage";
    try {
      let items: Obj[];
      try {
        items = fetchPodMetrics().filter((m) => matches(m.metadata?.labels) && m.metadata?.namespace === ns);
      } catch (e) {
        const msg = e instanceof ApiError ? e.message : String(e);
        throw new Error(`unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${msg}`);
      }
      if (!items.length) throw new Error(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
      const metrics = new Map<string, PodMetric>();
      for (const m of items) {
        const cs = ((m.containers ?? []) as Obj[]).filter((x) => !container || x.name === container);
        if (!cs.length) continue;
        metrics.set(m.metadata.name, {
          value: cs.reduce((a, x) => a + milli(x.usage?.[resource]), 0),
          timestamp: c.clock.mode === "instant" ? now : Date.parse(m.timestamp),
          window: c.clock.mode === "instant" ? 0 : METRICS_WINDOW_MS,
        });
      }
      const calcPods: CalcPod[] = pods.map((p) => {
        const ready = (p.status?.conditions ?? []).find((x) => x.type === "Ready");
        let request: number | undefined = 0;
        let missingRequestIn: string | undefined;
        for (const ctr of p.spec?.containers ?? []) {
          if (container && ctr.name !== container) continue;
          const r = ctr.resources?.requests?.[resource];
          if (r === undefined) {
            request = undefined;
            missingRequestIn = ctr.name;
            break;
          }
          request += milli(String(r));
        }
        return {
          name: p.metadata!.name!,
          phase: p.status?.phase,
          deleting: !!p.metadata?.deletionTimestamp,
          ready: ready ? { status: ready.status, since: Date.parse(ready.lastTransitionTime ?? "") } : undefined,
          startTime: p.status?.startTime ? Date.parse(p.status.startTime) : undefined,
          request,
          missingRequestIn,
        };
      });
      let replicas: number;
      let value: Obj;
      let metricName: string;
      if (utilization !== undefined) {
        const r = resourceReplicas(current, utilization, resource, calcPods, metrics, timing);
        replicas = r.replicas;
        value = { averageUtilization: r.utilization, averageValue: milliQuantity(r.raw) };
        metricName = `${resource} ${kind} utilization (percentage of request)`;
      } else {
        const r = rawResourceReplicas(current, milli(String(src.target.averageValue)), resource, calcPods, metrics, timing);
        replicas = r.replicas;
        value = { averageValue: milliQuantity(r.usage) };
        metricName = `${resource} ${kind}`;
      }
      statuses[i] =
        spec.type === "Resource"
          ? ({ type: "Resource", resource: { name: resource, current: value } } as MetricStatus)
          : ({ type: "ContainerResource", containerResource: { name: resource, container: container!, current: value } } as MetricStatus);
      if (!bestMetric || replicas > best) {
        best = replicas;
        bestMetric = metricName;
      }
    } catch (e) {
      const inner = `failed to get ${resource} ${what}: ${(e as Error).message}`;
      fail(reasonName, inner, `failed to get ${resource} ${kind} metric value: ${inner}`);
    }
  });
  if (invalid >= specs.length || (invalid > 0 && best < current)) {
    if (firstCondition) setCondition(conds, "ScalingActive", "False", firstCondition[0], firstCondition[1], now);
    return { replicas: -1, statuses, error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}` };
  }
  setCondition(
    conds,
    "ScalingActive",
    "True",
    "ValidMetricFound",
    `the HPA was able to successfully calculate a replica count from ${bestMetric}`,
    now,
  );
  return { replicas: best, metric: bestMetric, statuses };
}

export const horizontalPodAutoscalerController: Controller = {
  name: "horizontal-pod-autoscaler",
  primary: HPAS,
  // The real controller's queue lets each HPA through once per sync period (its rate limiter): a
  // new or changed spec is acted on at once, the controller's own status writes wait for the resync.
  watches: [
    {
      plural: HPAS,
      map: (obj, prev) =>
        !prev || prev.metadata?.generation !== obj.metadata?.generation || !!obj.metadata?.deletionTimestamp ? [keyOf(obj)] : [],
    },
  ],
  reconcile,
};
