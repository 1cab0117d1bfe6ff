// Pod Security Admission: the namespace labels' policy, upstream's baseline and restricted checks
// with their messages (k8s.io/pod-security-admission/policy), and the admission's refusals and
// warnings for pods, workloads and a namespace given a new enforce level.
import { describe, expect, it } from "vitest";
import type { PodSpec } from "kubernetes-types/core/v1";
import { admitPodSecurity, evaluate, forbiddenDetail, parsePolicy, policyOf } from "../../durable/resources/podsecurity";
import { ApiError } from "../../durable/api/status";
import type { Ctx, Obj } from "../../durable/resources/types";

const RESTRICTED = { level: "restricted", version: "latest" } as const;
const BASELINE = { level: "baseline", version: "latest" } as const;
const detail = (lv: typeof RESTRICTED | typeof BASELINE, spec: PodSpec) => forbiddenDetail(evaluate(lv, {}, spec));

const ctxWith = (labels: Record<string, string>, pods: Obj[] = []): Ctx => ({
  now: 0,
  get: (plural, _ns, name) => (plural === "namespaces" ? { metadata: { name, labels } } : undefined),
  list: (plural) => (plural === "pods" ? pods : []),
});

describe("policy from namespace labels", () => {
  it("defaults every mode to privileged:latest and warn to enforce when only enforce is set", () => {
    expect(policyOf({})).toEqual({
      enforce: { level: "privileged", version: "latest" },
      audit: { level: "privileged", version: "latest" },
      warn: { level: "privileged", version: "latest" },
    });
    const p = policyOf({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.33" });
    expect(p.warn).toEqual({ level: "baseline", version: "v1.33" });
    expect(policyOf({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" }).warn.level).toBe(
      "restricted",
    );
  });
});

describe("namespace label validation", () => {
  it("refuses a level that does not parse with the 422 Invalid upstream gives, and fails closed to restricted", () => {
    const labels = { "pod-security.kubernetes.io/enforce": "strict" };
    let err: unknown;
    try {
      admitPodSecurity("namespaces", { metadata: { name: "typo", labels } }, undefined, ctxWith({}), []);
    } catch (e) {
      err = e;
    }
    expect((err as ApiError).code).toBe(422);
    expect((err as ApiError).message).toBe(
      'Namespace "typo" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
    expect(policyOf(labels).enforce.level).toBe("restricted");
    expect(parsePolicy({ "pod-security.kubernetes.io/warn-version": "1.33" }).errors.map((e) => e.message)).toEqual([
      'Invalid value: "1.33": must be "latest" or "v1.x"',
    ]);
  });
});

describe("restricted checks", () => {
  it("lists a bare nginx pod's four violations in upstream's order and wording", () => {
    expect(detail(RESTRICTED, { containers: [{ name: "nginx", image: "nginx" }] })).toBe(
      'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
  it("passes a pod that sets what restricted asks for", () => {
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "c",
          image: "nginx",
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } },
        },
      ],
    };
    expect(evaluate(RESTRICTED, {}, spec)).toEqual([]);
  });
  it("pluralizes containers, names explicit false setters and forbidden added capabilities", () => {
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
      containers: ["a", "b"].map((name) => ({
        name,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["SYS_TIME", "CHOWN"] } },
      })),
    };
    expect(detail(RESTRICTED, spec)).toBe(
      'non-default capabilities (containers "a", "b" must not include "SYS_TIME" in securityContext.capabilities.add), ' +
        'unrestricted capabilities (containers "a", "b" must not include "CHOWN", "SYS_TIME" in securityContext.capabilities.add), ' +
        "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod must not set runAsUser=0)",
    );
  });
  it("refuses volume types outside the restricted list", () => {
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
      volumes: [
        { name: "n", nfs: { server: "x", path: "/" } },
        { name: "e", emptyDir: {} },
      ],
    };
    expect(detail(RESTRICTED, spec)).toBe('restricted volume types (volume "n" uses restricted volume type "nfs")');
  });
});

describe("baseline checks", () => {
  it("names host namespaces, hostPath volumes, host ports and privileged containers", () => {
    const spec: PodSpec = {
      hostNetwork: true,
      hostPID: true,
      volumes: [{ name: "host", hostPath: { path: "/" } }],
      containers: [{ name: "nginx", ports: [{ containerPort: 80, hostPort: 8080 }], securityContext: { privileged: true } }],
    };
    expect(detail(BASELINE, spec)).toBe(
      'host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host"), hostPort (container "nginx" uses hostPort 8080), ' +
        'privileged (container "nginx" must not set securityContext.privileged=true)',
    );
  });
  it("allows a default pod", () => {
    expect(evaluate(BASELINE, {}, { containers: [{ name: "c", image: "nginx" }] })).toEqual([]);
  });
});

describe("admission", () => {
  const nginx = { metadata: { name: "nginx", namespace: "locked" }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };
  it("refuses a pod violating the enforce level with the 403 kubectl prints", () => {
    const ctx = ctxWith({ "pod-security.kubernetes.io/enforce": "restricted" });
    let err: unknown;
    try {
      admitPodSecurity("pods", nginx, undefined, ctx, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(403);
    expect((err as ApiError).message).toMatch(
      /^pods "nginx" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx"/,
    );
  });
  it("only warns about a workload's template, even where the level is enforced", () => {
    const warnings: string[] = [];
    const deploy = { metadata: { name: "web", namespace: "locked" }, spec: { template: { spec: nginx.spec } } };
    admitPodSecurity("deployments", deploy, undefined, ctxWith({ "pod-security.kubernetes.io/enforce": "restricted" }), warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });
  it("warns in warn mode and lets the pod in", () => {
    const warnings: string[] = [];
    admitPodSecurity("pods", nginx, undefined, ctxWith({ "pod-security.kubernetes.io/warn": "restricted" }), warnings);
    expect(warnings[0]).toMatch(/^would violate PodSecurity "restricted:latest": /);
  });
  it("warns about existing pods when a namespace gets a new enforce level, grouping pods with the same reasons", () => {
    const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: "c", securityContext: { privileged: true } }] } });
    const ctx = ctxWith({}, [pod("b"), pod("a"), pod("c")]);
    const warnings: string[] = [];
    const ns = (labels: Record<string, string>) => ({ metadata: { name: "demo", labels } });
    admitPodSecurity("namespaces", ns({ "pod-security.kubernetes.io/enforce": "baseline" }), ns({}), ctx, warnings);
    expect(warnings).toEqual([
      'existing pods in namespace "demo" violate the new PodSecurity enforce level "baseline:latest"',
      "a (and 2 other pods): privileged",
    ]);
    const again: string[] = [];
    admitPodSecurity(
      "namespaces",
      ns({ "pod-security.kubernetes.io/enforce": "baseline" }),
      ns({ "pod-security.kubernetes.io/enforce": "baseline" }),
      ctx,
      again,
    );
    expect(again).toEqual([]);
  });
});
