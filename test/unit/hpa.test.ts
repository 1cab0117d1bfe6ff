// The HPA's replica calculation and normalisation against upstream's replica_calculator_test.go and
// horizontal_test.go cases: utilization of requests, the 0.1 tolerance, unready pods ignored on a
// scale-up, missing metrics counted as 0% (up) or 100% (down), no change of direction, the default
// scale-up limit and downscale stabilisation, behavior policies and windows; and the v1 conversion.
import { describe, expect, it } from "vitest";
import {
  type CalcPod,
  type CalcTiming,
  convertDesiredReplicasWithRules,
  convertWithBehaviorRate,
  type HPAMemory,
  type PodMetric,
  rawResourceReplicas,
  resourceReplicas,
  stabilizeRecommendation,
  stabilizeWithBehaviors,
} from "../../durable/controllers/horizontalpodautoscaler";
import { formatHPAMetrics, fromV1, scaleDownRules, scaleUpRules, toV1, validateHPA } from "../../durable/resources/horizontalpodautoscaler";

const NOW = 1_700_000_000_000;
const timing: CalcTiming = { now: NOW, cpuInitializationPeriod: 300_000, delayOfInitialReadinessStatus: 30_000 };
/** A pod started long ago (coolCPUCreationTime) and ready since. */
const cool = NOW - 600_000;
/** A pod started within the CPU initialisation period (hotCPUCreationTime). */
const hot = NOW - 60_000;

function pods(requests: number[], opts: { ready?: boolean[]; start?: number[]; phase?: string[] } = {}): CalcPod[] {
  return requests.map((request, i) => ({
    name: `pod-${i}`,
    phase: opts.phase?.[i] ?? "Running",
    ready: { status: opts.ready?.[i] === false ? "False" : "True", since: (opts.start?.[i] ?? cool) + 10_000 },
    startTime: opts.start?.[i] ?? cool,
    request,
  }));
}
/** Metrics of the pods at these indices (milli-units), measured a window after they became ready. */
function metrics(levels: (number | undefined)[]): Map<string, PodMetric> {
  const m = new Map<string, PodMetric>();
  levels.forEach((v, i) => v !== undefined && m.set(`pod-${i}`, { value: v, timestamp: NOW, window: 15_000 }));
  return m;
}

describe("GetResourceReplicas", () => {
  it("scales up by the ratio of utilization to target (TestReplicaCalcScaleUp)", () => {
    expect(resourceReplicas(3, 30, "cpu", pods([1000, 1000, 1000]), metrics([300, 500, 700]), timing)).toEqual({
      replicas: 5,
      utilization: 50,
      raw: 500,
    });
  });

  it("counts an unready pod as 0% on a scale-up (TestReplicaCalcScaleUpUnreadyLessScale)", () => {
    const r = resourceReplicas(3, 30, "cpu", pods([1000, 1000, 1000], { ready: [false, true, true] }), metrics([300, 500, 700]), timing);
    expect(r).toEqual({ replicas: 4, utilization: 60, raw: 600 });
  });

  it("keeps the count when the unready pods at 0% would turn a scale-up into a scale-down (TestReplicaCalcScaleUpHotCpuNoScale)", () => {
    const r = resourceReplicas(
      3,
      30,
      "cpu",
      pods([1000, 1000, 1000], { ready: [false, true, false], start: [hot, cool, hot] }),
      metrics([300, 500, 700]),
      timing,
    );
    expect(r).toEqual({ replicas: 3, utilization: 50, raw: 500 });
  });

  it("ignores a pod in its CPU initialisation period until a whole window was measured after it became ready", () => {
    const p = pods([1000, 1000], { start: [hot, cool] });
    p[0].ready = { status: "True", since: NOW - 5_000 };
    // pod-0's sample began before it was ready: unready, so a scale-up counts it at 0%.
    const r = resourceReplicas(2, 50, "cpu", p, metrics([900, 900]), timing);
    expect(r.utilization).toBe(90);
    expect(r.replicas).toBe(2); // (0 + 900) / 2000 = 45%: the direction would flip, so no change
  });

  it("scales down by the ratio (TestReplicaCalcScaleDown)", () => {
    const r = resourceReplicas(5, 50, "cpu", pods([1000, 1000, 1000, 1000, 1000]), metrics([100, 300, 500, 250, 250]), timing);
    expect(r).toEqual({ replicas: 3, utilization: 28, raw: 280 });
  });

  it("does nothing within the 0.1 tolerance (TestReplicaCalcTolerance)", () => {
    const r = resourceReplicas(3, 100, "cpu", pods([900, 1000, 1100]), metrics([1010, 1030, 1020]), timing);
    expect(r).toEqual({ replicas: 3, utilization: 102, raw: 1020 });
    // Just past it, the same pods scale.
    expect(resourceReplicas(3, 100, "cpu", pods([900, 1000, 1100]), metrics([1110, 1130, 1120]), timing).replicas).toBe(4);
  });

  it("counts a pod without metrics as 0% on a scale-up and as its whole request on a scale-down", () => {
    // Up: 1800 of 1000 ready → 180%; with the missing pod at 0%: 1800/2000 = 90% of a 50% target → 4.
    expect(resourceReplicas(2, 50, "cpu", pods([1000, 1000]), metrics([1800]), timing).replicas).toBe(4);
    // Down: 100 of 1000 → 10%; the missing pod at 100%: 1100/2000 = 55% of 50% → 1.1 > 1, the direction flips.
    expect(resourceReplicas(2, 50, "cpu", pods([1000, 1000]), metrics([100]), timing).replicas).toBe(2);
    // Down with three pods: 100+100 of 2000 and one missing at 100%: 1200/3000 = 40% of 50% → ceil(0.8×3) = 3.
    expect(resourceReplicas(3, 50, "cpu", pods([1000, 1000, 1000]), metrics([100, 100]), timing).replicas).toBe(3);
  });

  it("ignores failed and deleted pods and refuses a pod without a request", () => {
    const p = pods([1000, 1000, 1000], { phase: ["Running", "Failed", "Running"] });
    p[2].deleting = true;
    expect(resourceReplicas(3, 50, "cpu", p, metrics([1000, 5000, 5000]), timing)).toEqual({ replicas: 2, utilization: 100, raw: 1000 });
    const bare = pods([1000]);
    bare[0].request = undefined;
    bare[0].missingRequestIn = "app";
    expect(() => resourceReplicas(1, 50, "cpu", bare, metrics([10]), timing)).toThrow(
      "missing request for cpu in container app of Pod pod-0",
    );
    expect(() => resourceReplicas(1, 50, "cpu", [], metrics([]), timing)).toThrow(
      "no pods returned by selector while calculating replica count",
    );
    expect(() => resourceReplicas(1, 50, "cpu", pods([1000], { phase: ["Pending"] }), metrics([10]), timing)).toThrow(
      "did not receive metrics for targeted pods (pods might be unready)",
    );
  });

  it("scales on an average value target (GetRawResourceReplicas)", () => {
    // 300m average against a 100m target: ×3.
    expect(rawResourceReplicas(2, 100, "cpu", pods([1000, 1000]), metrics([200, 400]), timing)).toEqual({ replicas: 6, usage: 300 });
  });
});

describe("normalisation", () => {
  it("limits a scale-up without behavior to max(2×current, 4), as the walkthrough's first step to 4 shows", () => {
    expect(convertDesiredReplicasWithRules(1, 5, 1, 10)).toEqual({
      replicas: 4,
      reason: "ScaleUpLimit",
      message: "the desired replica count is increasing faster than the maximum scale rate",
    });
    expect(convertDesiredReplicasWithRules(4, 12, 1, 10).replicas).toBe(8);
    expect(convertDesiredReplicasWithRules(8, 12, 1, 10)).toMatchObject({ replicas: 10, reason: "TooManyReplicas" });
    expect(convertDesiredReplicasWithRules(3, 0, 1, 10)).toMatchObject({ replicas: 1, reason: "TooFewReplicas" });
    expect(convertDesiredReplicasWithRules(3, 2, 1, 10)).toMatchObject({ replicas: 2, reason: "DesiredWithinRange" });
  });

  it("holds a scale-down at the highest recommendation of the downscale window, then lets it through", () => {
    const mem: HPAMemory = { recommendations: [{ replicas: 7, at: NOW }], scaleUp: [], scaleDown: [] };
    const window = 300_000;
    expect(stabilizeRecommendation(mem, 1, NOW + 15_000, window)).toBe(7);
    expect(stabilizeRecommendation(mem, 1, NOW + 290_000, window)).toBe(7);
    // The 7 is older than the window now: its slot is reused, and the 1s recorded since rule.
    expect(stabilizeRecommendation(mem, 1, NOW + 301_000, window)).toBe(1);
    expect(mem.recommendations.every((r) => r.replicas === 1)).toBe(true);
  });

  it("with behavior: the scale-up window takes the lowest recent recommendation, the scale-down window the highest", () => {
    const mem: HPAMemory = {
      recommendations: [
        { replicas: 2, at: NOW - 10_000 },
        { replicas: 6, at: NOW - 20_000 },
      ],
      scaleUp: [],
      scaleDown: [],
    };
    expect(stabilizeWithBehaviors(mem, 4, 8, 60_000, 0, NOW)).toMatchObject({ replicas: 4, reason: "ScaleUpStabilized" });
    // The first call recorded its 8: from 10, a scale-down to 1 stops at the highest of 2, 6 and 8.
    expect(stabilizeWithBehaviors(mem, 10, 1, 0, 300_000, NOW)).toMatchObject({ replicas: 8, reason: "ScaleDownStabilized" });
  });

  it("applies the default policies: up by max(4 pods, 100%) per 15 s, down by 100% per 15 s, counting changes within the period", () => {
    const up = scaleUpRules(undefined);
    const down = scaleDownRules(undefined);
    const ms = (s: number) => s * 1000;
    const fresh: HPAMemory = { recommendations: [], scaleUp: [], scaleDown: [] };
    expect(convertWithBehaviorRate(1, 10, 1, 10, up, down, fresh, NOW, ms)).toMatchObject({ replicas: 5, reason: "ScaleUpLimit" });
    expect(convertWithBehaviorRate(6, 20, 1, 10, up, down, fresh, NOW, ms)).toMatchObject({ replicas: 10, reason: "TooManyReplicas" });
    // 1 → 5 five seconds ago: the period started at 1, so at most 5 until it ends.
    const after: HPAMemory = { recommendations: [], scaleUp: [{ change: 4, at: NOW - 5_000 }], scaleDown: [] };
    expect(convertWithBehaviorRate(5, 10, 1, 10, up, down, after, NOW, ms)).toMatchObject({ replicas: 5, reason: "ScaleUpLimit" });
    expect(convertWithBehaviorRate(5, 10, 1, 10, up, down, after, NOW + 11_000, ms).replicas).toBe(10);
    // A Pods policy of 1 per minute, the smaller change chosen (Min).
    const slow = {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Min",
      policies: [
        { type: "Pods", value: 1, periodSeconds: 60 },
        { type: "Percent", value: 50, periodSeconds: 60 },
      ],
    };
    expect(convertWithBehaviorRate(6, 1, 1, 10, up, slow, fresh, NOW, ms)).toMatchObject({ replicas: 5, reason: "ScaleDownLimit" });
    expect(convertWithBehaviorRate(6, 1, 1, 10, up, { ...slow, selectPolicy: "Disabled" }, fresh, NOW, ms).replicas).toBe(6);
  });
});

describe("the HorizontalPodAutoscaler kind", () => {
  const v2 = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "php-apache", namespace: "default" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
    },
    status: {
      currentReplicas: 4,
      desiredReplicas: 4,
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 61, averageValue: "122m" } } }],
      conditions: [{ type: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" }],
    },
  };

  it("prints TARGETS as kubectl 1.33 does: current/target per metric, <unknown> before metrics, two at most", () => {
    expect(formatHPAMetrics(v2.spec.metrics as never, v2.status.currentMetrics as never)).toBe("cpu: 61%/50%");
    expect(formatHPAMetrics(v2.spec.metrics as never, [{ type: "" } as never])).toBe("cpu: <unknown>/50%");
    const three = [
      ...v2.spec.metrics,
      { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } },
      { type: "Pods", pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "1k" } } },
    ];
    expect(formatHPAMetrics(three as never, [])).toBe("cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...");
    expect(formatHPAMetrics([], [])).toBe("<none>");
  });

  it("serves autoscaling/v1 with the CPU target and the conditions in an annotation, and converts back losslessly", () => {
    const v1 = toV1(v2);
    expect(v1.spec).toEqual({
      scaleTargetRef: v2.spec.scaleTargetRef,
      minReplicas: 1,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 50,
    });
    expect(v1.status).toEqual({ currentReplicas: 4, desiredReplicas: 4, currentCPUUtilizationPercentage: 61 });
    expect(JSON.parse(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/conditions"])).toEqual(v2.status.conditions);
    const back = fromV1(v1);
    expect(back.spec).toEqual(v2.spec);
    expect(back.status.conditions).toEqual(v2.status.conditions);
    expect(back.metadata.annotations).toBeUndefined();
  });

  it("validates as ValidateHorizontalPodAutoscaler does", () => {
    const errs = (spec: object) => validateHPA({ spec }).map((e) => `${e.field}: ${e.message}`);
    expect(errs({ ...v2.spec, minReplicas: 0 })).toEqual(["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]);
    expect(errs({ ...v2.spec, maxReplicas: 0 })).toEqual([
      "spec.maxReplicas: Invalid value: 0: must be greater than 0",
      "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
    ]);
    expect(errs({ ...v2.spec, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } }] })).toEqual([
      "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
    ]);
    expect(errs({ ...v2.spec, metrics: [{ type: "Nope" }] })).toEqual([
      'spec.metrics[0].type: Unsupported value: "Nope": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });
});
