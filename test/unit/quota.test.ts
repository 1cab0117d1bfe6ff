// Resource quota: usage evaluation (pkg/quota/v1/evaluator/core, the cases of pods_test.go), scope
// matching, and the admission check's refusals in the real plugin's words
// (plugin/pkg/admission/resourcequota/admission_test.go).
import { describe, expect, it } from "vitest";
import type { ResourceQuota } from "kubernetes-types/core/v1";
import {
  checkQuota,
  evaluatorFor,
  formatList,
  parseList,
  podConstraints,
  podUsage,
  type ResourceList,
} from "../../durable/resources/quota";
import { byPlural } from "../../durable/resources";
import type { Ctx, Obj } from "../../durable/resources/types";

const NOW = Date.parse("2026-01-01T00:00:00Z");

function pod(name: string, containers: Obj[], extra: Obj = {}): Obj {
  return { metadata: { name, namespace: "ns" }, spec: { containers, ...extra.spec }, status: { phase: "Running", ...extra.status } };
}
const ctr = (name: string, requests?: Obj, limits?: Obj) => ({ name, image: "nginx", resources: { requests, limits } });
const quota = (name: string, hard: Obj, spec: Obj = {}): ResourceQuota => ({
  metadata: { name, namespace: "ns" },
  spec: { hard, ...spec },
});
const usage = (l: ResourceList) => formatList(l);

describe("pod usage (PodUsageFunc)", () => {
  it("adds up the containers' requests and limits under both names", () => {
    const p = pod("a", [ctr("a", { cpu: "100m", memory: "1Gi" }, { cpu: "200m" }), ctr("b", { cpu: "1", memory: "512Mi" })]);
    expect(usage(podUsage(p as never, NOW))).toEqual({
      "count/pods": "1",
      cpu: "1100m",
      "limits.cpu": "200m",
      memory: "1536Mi",
      pods: "1",
      "requests.cpu": "1100m",
      "requests.memory": "1536Mi",
    });
  });

  it("counts a larger init container instead of the sum of the containers", () => {
    const p = pod("a", [ctr("a", { cpu: "100m" })], { spec: { initContainers: [ctr("init", { cpu: "500m", memory: "1Mi" })] } });
    const u = usage(podUsage(p as never, NOW));
    expect(u["requests.cpu"]).toBe("500m");
    expect(u["requests.memory"]).toBe("1Mi");
  });

  it("charges a finished pod only its object count", () => {
    const p = pod("a", [ctr("a", { cpu: "1" })], { status: { phase: "Succeeded" } });
    expect(usage(podUsage(p as never, NOW))).toEqual({ "count/pods": "1" });
  });

  it("stops charging a pod whose deletion grace period has passed", () => {
    const p = pod("a", [ctr("a", { cpu: "1" })]);
    p.metadata.deletionTimestamp = new Date(NOW - 40_000).toISOString();
    p.metadata.deletionGracePeriodSeconds = 30;
    expect(usage(podUsage(p as never, NOW))).toEqual({ "count/pods": "1" });
    p.metadata.deletionGracePeriodSeconds = 60;
    expect(usage(podUsage(p as never, NOW)).pods).toBe("1");
  });
});

describe("other evaluators", () => {
  it("counts node ports and load balancers of services", () => {
    const svc = { spec: { type: "LoadBalancer", ports: [{ port: 80 }, { port: 443 }] } };
    expect(usage(evaluatorFor("services", "").usage(svc, NOW))).toEqual({
      "count/services": "1",
      services: "1",
      "services.loadbalancers": "1",
      "services.nodeports": "2",
    });
  });

  it("charges a claim its storage request, also per storage class", () => {
    const pvc = { spec: { storageClassName: "gold", resources: { requests: { storage: "5Gi" } } } };
    expect(usage(evaluatorFor("persistentvolumeclaims", "").usage(pvc, NOW))).toEqual({
      "count/persistentvolumeclaims": "1",
      "gold.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
      "gold.storageclass.storage.k8s.io/requests.storage": "5Gi",
      persistentvolumeclaims: "1",
      "requests.storage": "5Gi",
    });
  });

  it("counts objects of a named group as count/<resource>.<group>", () => {
    const ev = evaluatorFor("deployments", "apps");
    expect(ev.matches("count/deployments.apps")).toBe(true);
    expect(ev.matches("count/deployments")).toBe(false);
    expect(usage(ev.usage({}, NOW))).toEqual({ "count/deployments.apps": "1" });
  });
});

describe("podEvaluator.Constraints", () => {
  it("names every container that lacks a resource a quota limits, resources sorted", () => {
    const p = pod("a", [ctr("nginx", { memory: "1Mi" }), ctr("side", { cpu: "1" }, { cpu: "1" })]);
    expect(podConstraints(["requests.cpu", "limits.cpu", "pods"], p as never)).toBe(
      "must specify limits.cpu for: nginx; requests.cpu for: nginx",
    );
    expect(podConstraints(["pods", "count/pods"], p as never)).toBeUndefined();
  });
});

describe("quota admission (CheckRequest)", () => {
  // The usage the controller would report: everything in `pods`, as status.used.
  const usedOf = (pods: Obj[]) => (q: ResourceQuota) => {
    const hard = Object.keys(q.spec?.hard ?? {});
    let total: Record<string, string> = Object.fromEntries(hard.map((k) => [k, "0"]));
    for (const p of pods) {
      const u = usage(podUsage(p as never, NOW));
      for (const k of hard) if (u[k]) total = { ...total, [k]: String(Number.parseFloat(u[k]) + Number.parseFloat(total[k])) };
    }
    return parseList(total);
  };
  const create =
    (obj: Obj, quotas: ResourceQuota[], existing: Obj[] = []) =>
    () =>
      checkQuota({ plural: "pods", group: "", obj }, quotas, usedOf(existing), NOW);

  it("refuses what would pass a hard limit, with requested, used and limited of the exceeded resources only", () => {
    const q = quota("compute-quota", { "requests.cpu": "1500m", "requests.memory": "1Gi", pods: "10" });
    const used = [pod("a", [ctr("a", { cpu: "1", memory: "100Mi" })])];
    const p = pod("x", [ctr("nginx", { cpu: "600m", memory: "100Mi" })]);
    expect(create(p, [q], used)).toThrowError(
      'pods "x" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=600m, used: requests.cpu=1, limited: requests.cpu=1500m',
    );
    try {
      create(p, [q], used)();
    } catch (e) {
      expect((e as { code: number; reason: string }).code).toBe(403);
      expect((e as { code: number; reason: string }).reason).toBe("Forbidden");
    }
  });

  it("lets in what fits", () => {
    const q = quota("compute-quota", { "requests.cpu": "2" });
    expect(create(pod("x", [ctr("nginx", { cpu: "600m" })]), [q], [pod("a", [ctr("a", { cpu: "1" })])])).not.toThrow();
  });

  it("refuses a pod that names no cpu limit under a quota on limits.cpu", () => {
    const q = quota("q", { "limits.cpu": "2", "requests.cpu": "1" });
    expect(create(pod("x", [ctr("nginx")]), [q])).toThrowError(
      'pods "x" is forbidden: failed quota: q: must specify limits.cpu for: nginx; requests.cpu for: nginx',
    );
  });

  it("applies a BestEffort quota only to best-effort pods", () => {
    const q = quota("be", { pods: "0" }, { scopes: ["BestEffort"] });
    expect(create(pod("x", [ctr("nginx")]), [q])).toThrowError(/exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0/);
    expect(create(pod("y", [ctr("nginx", { cpu: "1" })]), [q])).not.toThrow();
  });

  it("applies a Terminating quota only to pods with an active deadline", () => {
    const q = quota("t", { pods: "0" }, { scopes: ["Terminating"] });
    expect(create(pod("x", [ctr("nginx")]), [q])).not.toThrow();
    expect(create(pod("y", [ctr("nginx")], { spec: { activeDeadlineSeconds: 10 } }), [q])).toThrowError(/exceeded quota: t/);
  });

  it("selects pods by priority class with a scope selector", () => {
    const q = quota(
      "high",
      { pods: "0" },
      { scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] } },
    );
    expect(create(pod("x", [ctr("nginx")], { spec: { priorityClassName: "high" } }), [q])).toThrowError(/exceeded quota: high/);
    expect(create(pod("y", [ctr("nginx")], { spec: { priorityClassName: "low" } }), [q])).not.toThrow();
  });

  it("charges an update of a service only for what it adds", () => {
    const q = quota("svc", { "services.nodeports": "1" });
    const old = { metadata: { name: "s", resourceVersion: "5" }, spec: { type: "NodePort", ports: [{ port: 80 }] } };
    const next = { ...old, spec: { type: "NodePort", ports: [{ port: 80 }, { port: 81 }] } };
    const used = () => parseList({ "services.nodeports": "1" });
    expect(() => checkQuota({ plural: "services", group: "", obj: next, old }, [q], used, NOW)).toThrowError(
      'services "s" is forbidden: exceeded quota: svc, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1',
    );
    expect(() => checkQuota({ plural: "services", group: "", obj: old, old }, [q], used, NOW)).not.toThrow();
  });
});

describe("ResourceQuota validation and printing", () => {
  const def = byPlural("resourcequotas")!;
  const ctx = { now: NOW, get: () => undefined, list: () => [] } as unknown as Ctx;

  it("refuses non-standard names, negative and fractional counts, and conflicting scopes", () => {
    const errs = def.validate!({ spec: { hard: { foo: "1", pods: "1500m", cpu: "-1" }, scopes: ["Terminating", "NotTerminating"] } }, ctx);
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
      'spec.hard[pods]: Invalid value: "1500m": must be an integer',
      'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes',
    ]);
  });

  it("prints used/hard of every limit, limits.* in the LIMIT column", () => {
    const rq = {
      metadata: { name: "q" },
      status: { hard: { pods: "2", "limits.cpu": "2", "requests.cpu": "1" }, used: { pods: "1", "limits.cpu": "500m" } },
    };
    expect(def.row(rq, ctx).slice(2)).toEqual(["pods: 1/2, requests.cpu: 0/1", "limits.cpu: 500m/2"]);
  });
});
