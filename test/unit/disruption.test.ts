// PodDisruptionBudget: the disruption controller's status arithmetic (pkg/controller/disruption's
// getExpectedPodCount / countHealthyPods / updatePdbStatus, after disruption_test.go's cases), the
// eviction subresource's budget check and refusals (eviction.go), and the kind's validation.
import { describe, expect, it } from "vitest";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { Pod } from "kubernetes-types/core/v1";
import pdbs, { chargeEviction, DELETION_TIMEOUT_MS, disruptionStatus } from "../../durable/resources/poddisruptionbudget";
import { ApiError } from "../../durable/api/status";
import type { Ctx } from "../../durable/resources/types";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const budget = (spec: PodDisruptionBudget["spec"], status?: PodDisruptionBudget["status"]): PodDisruptionBudget => ({
  metadata: { name: "web-pdb", namespace: "default", generation: 1 },
  spec: { selector: { matchLabels: { app: "web" } }, ...spec },
  ...(status ? { status } : {}),
});

const pod = (name: string, ready = true, extra: Partial<Pod["metadata"]> = {}): Pod => ({
  metadata: {
    name,
    namespace: "default",
    labels: { app: "web" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "rs-1", controller: true }],
    ...extra,
  },
  status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

const scaleOf = (replicas: number) => () => ({ uid: "deploy-1", replicas });

describe("disruption controller status", () => {
  it("minAvailable as a number: expected is the pods selected, allowed is healthy minus desired", () => {
    const { status } = disruptionStatus(budget({ minAvailable: 2 }), {
      pods: [pod("a"), pod("b"), pod("c")],
      scaleOf: scaleOf(3),
      now: NOW,
    });
    expect(status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1 });
    expect(status.conditions).toEqual([
      {
        type: "DisruptionAllowed",
        status: "True",
        reason: "SufficientPods",
        message: "",
        observedGeneration: 1,
        lastTransitionTime: at(NOW),
      },
    ]);
  });
  it("allows nothing while the healthy pods only meet the budget", () => {
    const { status } = disruptionStatus(budget({ minAvailable: 2 }), { pods: [pod("a"), pod("b", false)], scaleOf: scaleOf(2), now: NOW });
    expect(status).toMatchObject({ currentHealthy: 1, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 });
    expect(status.conditions?.[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
  });
  it("maxUnavailable and percentages scale the controller's replicas, rounding up", () => {
    const pods = [pod("a"), pod("b"), pod("c")];
    expect(disruptionStatus(budget({ maxUnavailable: "50%" }), { pods, scaleOf: scaleOf(5), now: NOW }).status).toMatchObject({
      expectedPods: 5,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
    });
    expect(disruptionStatus(budget({ minAvailable: "50%" }), { pods, scaleOf: scaleOf(5), now: NOW }).status).toMatchObject({
      expectedPods: 5,
      desiredHealthy: 3,
      disruptionsAllowed: 0,
    });
  });
  it("fails safe with SyncFailed when a pod has no controller the finders know", () => {
    const orphan = pod("a", true, { ownerReferences: [] });
    const r = disruptionStatus(budget({ maxUnavailable: 1 }), { pods: [orphan], scaleOf: () => undefined, now: NOW });
    expect(r.event).toEqual({ type: "Warning", reason: "NoControllerRef", message: 'found no controller ref for pod "a"' });
    expect(r.status.disruptionsAllowed).toBe(0);
    expect(r.status.conditions?.[0]).toMatchObject({ reason: "SyncFailed", message: 'found no controller ref for pod "a"' });
  });
  it("says NoPods once for a budget that selects nothing", () => {
    const r = disruptionStatus(budget({ minAvailable: 1 }), { pods: [], scaleOf: scaleOf(0), now: NOW });
    expect(r.event).toEqual({ type: "Normal", reason: "NoPods", message: "No matching pods found" });
    expect(
      disruptionStatus({ ...budget({ minAvailable: 1 }), status: r.status }, { pods: [], scaleOf: scaleOf(0), now: NOW }).event,
    ).toBeUndefined();
  });
  it("does not count a pod the eviction API let go until its deletion timeout passes", () => {
    const pdb = budget(
      { minAvailable: 1 },
      { disruptedPods: { a: at(NOW) }, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 2 },
    );
    const soon = disruptionStatus(pdb, { pods: [pod("a"), pod("b")], scaleOf: scaleOf(2), now: NOW + 1000 });
    expect(soon.status).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0, disruptedPods: { a: at(NOW) } });
    expect(soon.recheckAt).toBe(NOW + DELETION_TIMEOUT_MS);
    const later = disruptionStatus(pdb, { pods: [pod("a"), pod("b")], scaleOf: scaleOf(2), now: NOW + DELETION_TIMEOUT_MS });
    expect(later.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    expect(later.status.disruptedPods).toBeUndefined();
  });
});

describe("eviction against a budget", () => {
  const met = { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2, observedGeneration: 1 };
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof ApiError ? { code: e.code, reason: e.reason, message: e.message, details: e.details } : e;
    }
    return undefined;
  };
  it("refuses with 429 and the DisruptionBudget cause when no disruption is allowed", () => {
    expect(refusal(() => chargeEviction(pod("a"), [budget({ minAvailable: 2 }, met)], NOW))).toEqual({
      code: 429,
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb needs 2 healthy pods and has 2 currently" }],
      },
    });
  });
  it("charges an allowed disruption and records the pod as disrupted", () => {
    const r = chargeEviction(pod("a"), [budget({ minAvailable: 1 }, { ...met, desiredHealthy: 1, disruptionsAllowed: 1 })], NOW);
    expect(r?.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { a: at(NOW) } });
    expect(r?.status.conditions?.[0]).toMatchObject({ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods" });
  });
  it("asks the client to come back while the controller has not seen the budget's generation", () => {
    const stale = {
      ...budget({ minAvailable: 1 }, { ...met, disruptionsAllowed: 1 }),
      metadata: { name: "web-pdb", namespace: "default", generation: 2 },
    };
    expect(refusal(() => chargeEviction(pod("a"), [stale], NOW))).toMatchObject({
      code: 429,
      details: {
        retryAfterSeconds: 10,
        causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb is still being processed by the server." }],
      },
    });
  });
  it("lets go pending, finished and unready pods while the budget is met, and pods no budget selects", () => {
    const pending: Pod = { ...pod("a"), status: { phase: "Pending" } };
    expect(chargeEviction(pending, [budget({ minAvailable: 2 }, met)], NOW)).toBeUndefined();
    expect(chargeEviction(pod("a", false), [budget({ minAvailable: 2 }, met)], NOW)).toBeUndefined();
    const other: Pod = { ...pod("a"), metadata: { ...pod("a").metadata, labels: { app: "db" } } };
    expect(chargeEviction(other, [budget({ minAvailable: 2 }, met)], NOW)).toBeUndefined();
  });
  it("refuses a pod two budgets select with the server's internal error", () => {
    const two = [
      budget({ minAvailable: 1 }, met),
      { ...budget({ minAvailable: 1 }, met), metadata: { name: "other", namespace: "default", generation: 1 } },
    ];
    expect(refusal(() => chargeEviction(pod("a"), two, NOW))).toMatchObject({
      code: 500,
      message: "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    });
  });
});

describe("PodDisruptionBudget validation and columns", () => {
  const ctx: Ctx = { now: NOW, get: () => undefined, list: () => [] };
  it("refuses both bounds, a negative count and a percentage over 100", () => {
    const errs = pdbs.validate!({ spec: { minAvailable: -1, maxUnavailable: "150%", selector: {} } }, ctx).map(
      (e) => `${e.field}: ${e.message}`,
    );
    expect(errs[0]).toMatch(/^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
    expect(errs.slice(1)).toEqual([
      "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0",
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
  });
  it("prints N/A for the bound not set", () => {
    const row = pdbs.row(
      { metadata: { name: "p", creationTimestamp: at(NOW) }, spec: { maxUnavailable: "25%" }, status: { disruptionsAllowed: 3 } },
      ctx,
    );
    expect(row).toEqual(["p", "N/A", "25%", 3, "0s"]);
  });
});
