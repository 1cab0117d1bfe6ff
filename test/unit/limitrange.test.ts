// LimitRange: SetDefaults_LimitRangeItem, ValidateLimitRange's messages, and the LimitRanger admission
// plugin's two halves (defaults merged into a new pod with the annotation; min/max/ratio refusals in
// the plugin's words, after the cases of plugin/pkg/admission/limitranger/admission_test.go).
import { describe, expect, it } from "vitest";
import type { LimitRange } from "kubernetes-types/core/v1";
import limitranges, {
  admitLimitRanges,
  aggregate,
  limitRangeRefusal,
  limitViolations,
  validateLimitRange,
} from "../../durable/resources/limitrange";
import type { Ctx, Obj } from "../../durable/resources/types";

const ctxWith = (ranges: Obj[]): Ctx => ({
  now: 0,
  get: () => undefined,
  list: (plural) => (plural === "limitranges" ? ranges : []),
});

const range = (...limits: Obj[]): LimitRange => ({ metadata: { name: "lr", namespace: "ns" }, spec: { limits } }) as LimitRange;
const pod = (containers: Obj[], init: Obj[] = []): Obj => ({
  metadata: { name: "p", namespace: "ns" },
  spec: { containers, ...(init.length ? { initContainers: init } : {}) },
});

describe("LimitRange defaulting (SetDefaults_LimitRangeItem)", () => {
  it("takes a Container range's default limit from max and its default request from the default or min", () => {
    const lr: Obj = range({ type: "Container", max: { memory: "1Gi" }, min: { cpu: "100m" } });
    limitranges.defaults!(lr, ctxWith([]));
    expect(lr.spec.limits[0]).toEqual({
      type: "Container",
      max: { memory: "1Gi" },
      min: { cpu: "100m" },
      default: { memory: "1Gi" },
      defaultRequest: { memory: "1Gi", cpu: "100m" },
    });
  });
  it("leaves a Pod range without defaults", () => {
    const lr: Obj = range({ type: "Pod", max: { cpu: "2" } });
    limitranges.defaults!(lr, ctxWith([]));
    expect(lr.spec.limits[0]).toEqual({ type: "Pod", max: { cpu: "2" } });
  });
});

describe("ValidateLimitRange", () => {
  const messages = (lr: LimitRange) => validateLimitRange(lr).map((e) => `${e.field}: ${e.message}`);
  it("refuses min above max, a default outside the bounds, a ratio below 1 and defaults on a Pod range", () => {
    expect(
      messages(
        range(
          { type: "Container", min: { cpu: "2" }, max: { cpu: "1" }, default: { memory: "2Gi" }, defaultRequest: { memory: "3Gi" } },
          { type: "Pod", default: { cpu: "1" }, maxLimitRequestRatio: { cpu: "500m" } },
        ),
      ),
    ).toEqual([
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[memory]: Invalid value: "3Gi": default request value 3Gi is greater than default limit value 2Gi',
      "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
      'spec.limits[1].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1',
    ]);
  });
  it("refuses an unknown type, a repeated type, a non-container resource and a claim range without storage bounds", () => {
    expect(
      messages(
        range({ type: "Node" }, { type: "Container", max: { pods: "1" } }, { type: "Container" }, { type: "PersistentVolumeClaim" }),
      ),
    ).toEqual([
      'spec.limits[0].type: Invalid value: "Node": must be a standard limit type or fully qualified',
      'spec.limits[1].max[pods]: Invalid value: "pods": must be a standard resource for containers',
      'spec.limits[2].type: Duplicate value: "Container"',
      "spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided",
    ]);
  });
});

describe("LimitRanger: defaults (PodMutateLimitFunc)", () => {
  it("fills in what a container lacks and says so in the annotation, containers then init containers", () => {
    const p = pod(
      [{ name: "app", resources: { limits: { memory: "1Gi" }, requests: { memory: "1Gi" } } }, { name: "side" }],
      [{ name: "setup" }],
    );
    admitLimitRanges(
      p,
      ctxWith([range({ type: "Container", default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "250m", memory: "256Mi" } })]),
    );
    expect(p.spec.containers[0].resources).toEqual({ limits: { memory: "1Gi", cpu: "500m" }, requests: { memory: "1Gi", cpu: "250m" } });
    expect(p.spec.initContainers[0].resources).toEqual({
      limits: { cpu: "500m", memory: "512Mi" },
      requests: { cpu: "250m", memory: "256Mi" },
    });
    expect(p.metadata.annotations["kubernetes.io/limit-ranger"]).toBe(
      "LimitRanger plugin set: cpu request for container app; cpu limit for container app; cpu, memory request for container side; cpu, memory limit for container side; cpu, memory request for init container setup; cpu, memory limit for init container setup",
    );
  });
  it("touches nothing without defaults", () => {
    const p = pod([{ name: "app" }]);
    admitLimitRanges(p, ctxWith([range({ type: "Container", max: {} })]));
    expect(p).toEqual(pod([{ name: "app" }]));
  });
});

describe("LimitRanger: bounds (PodValidateLimitFunc, PersistentVolumeClaimValidateLimitFunc)", () => {
  it("names every broken bound of a container in one aggregate", () => {
    const lr = range({ type: "Container", min: { cpu: "100m" }, max: { memory: "1Gi" } });
    const p = pod([{ name: "nginx", resources: { requests: { cpu: "50m" }, limits: { memory: "2Gi" } } }]);
    expect(aggregate(limitViolations(lr, "pods", p))).toBe(
      "[minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]",
    );
  });
  it("asks for a request or limit the bound needs", () => {
    const lr = range({ type: "Container", min: { cpu: "100m" }, max: { cpu: "1" } });
    expect(limitViolations(lr, "pods", pod([{ name: "c" }]))).toEqual([
      "minimum cpu usage per Container is 100m.  No request is specified",
      "maximum cpu usage per Container is 1.  No limit is specified",
    ]);
  });
  it("holds the pod's sum to a Pod range, a larger init container counting instead", () => {
    const lr = range({ type: "Pod", max: { memory: "1Gi" } });
    const c = (m: string) => ({ name: m, resources: { requests: { memory: m }, limits: { memory: m } } });
    expect(limitViolations(lr, "pods", pod([c("600Mi"), c("500Mi")]))).toEqual([
      "maximum memory usage per Pod is 1Gi, but limit is 1100Mi",
    ]);
    expect(limitViolations(lr, "pods", pod([c("100Mi")], [c("2Gi")]))).toEqual(["maximum memory usage per Pod is 1Gi, but limit is 2Gi"]);
  });
  it("compares the limit-to-request ratio", () => {
    const lr = range({ type: "Container", maxLimitRequestRatio: { cpu: "2" } });
    const p = pod([{ name: "c", resources: { requests: { cpu: "100m" }, limits: { cpu: "500m" } } }]);
    expect(limitViolations(lr, "pods", p)).toEqual(["cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"]);
  });
  it("bounds a claim's storage request, on create and on update", () => {
    const lr = range({ type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "2Gi" } });
    const claim = (s: string) => ({ metadata: { name: "c", namespace: "ns" }, spec: { resources: { requests: { storage: s } } } });
    expect(limitRangeRefusal("persistentvolumeclaims", claim("5Gi"), undefined, ctxWith([lr]))).toBe(
      "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi",
    );
    expect(limitRangeRefusal("persistentvolumeclaims", claim("500Mi"), claim("1Gi"), ctxWith([lr]))).toBe(
      "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi",
    );
    expect(limitRangeRefusal("persistentvolumeclaims", claim("1Gi"), undefined, ctxWith([lr]))).toBeUndefined();
  });
  it("does not look at pod updates", () => {
    const lr = range({ type: "Container", min: { cpu: "100m" } });
    expect(limitRangeRefusal("pods", pod([{ name: "c" }]), pod([{ name: "c" }]), ctxWith([lr]))).toBeUndefined();
  });
});
