// Pod Security Admission (k8s.io/pod-security-admission): the namespace's
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels pick a level (privileged,
// baseline, restricted); pods violating the enforce level are refused, the warn level's
// violations come back as Warning headers, for pods and for the pod templates of workloads; a
// namespace given a new enforce level warns about the pods already there. The checks and their
// messages are upstream's (policy/check_*.go).
import type { Container, PodSpec, SecurityContext } from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { forbidden, invalid } from "../api/status";
import type { Ctx, FieldError, Obj } from "./types";
import { invalid as invalidField } from "./validation";

export type Level = "privileged" | "baseline" | "restricted";
export interface LevelVersion {
  level: Level;
  version: string;
}
export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

const LEVELS: Level[] = ["privileged", "baseline", "restricted"];
const PREFIX = "pod-security.kubernetes.io/";

/** "restricted:latest". */
export const levelString = (lv: LevelVersion) => `${lv.level}:${lv.version}`;

/** The policy a namespace's labels set (api.PolicyToEvaluate) and the labels' errors: an unset mode
 *  is privileged:latest, an unparseable level restricted (failing closed), an unparseable version
 *  latest; warn follows enforce when only enforce is labelled. */
export function parsePolicy(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
  const l = labels ?? {};
  const errors: FieldError[] = [];
  const mode = (m: string): LevelVersion => {
    const key = `${PREFIX}${m}`;
    const level = l[key];
    const version = l[`${key}-version`];
    const okLevel = level === undefined || LEVELS.includes(level as Level);
    const okVersion = version === undefined || /^(latest|v1\.(0|[1-9]\d*))$/.test(version);
    if (!okLevel) errors.push(invalidField(`metadata.labels[${key}]`, level, "must be one of privileged, baseline, restricted"));
    if (!okVersion) errors.push(invalidField(`metadata.labels[${key}-version]`, version, 'must be "latest" or "v1.x"'));
    return {
      level: level === undefined ? "privileged" : okLevel ? (level as Level) : "restricted",
      version: version !== undefined && okVersion ? version : "latest",
    };
  };
  const enforce = mode("enforce");
  const audit = mode("audit");
  const hasWarn = `${PREFIX}warn` in l || `${PREFIX}warn-version` in l;
  const warn = hasWarn ? mode("warn") : enforce;
  return { policy: { enforce, audit, warn }, errors };
}

export const policyOf = (labels: Record<string, string> | undefined): Policy => parsePolicy(labels).policy;

export interface CheckResult {
  reason: string;
  detail?: string;
}

const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
const joinQuote = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
const containersPhrase = (names: string[]) => `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;

/** Every container of the spec (visitContainers: init, regular, ephemeral). */
function containers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])];
}

type Check = { id: string; level: Level; run(meta: ObjectMeta, spec: PodSpec): CheckResult | undefined };

/** Capabilities baseline allows to be added (check_capabilities_baseline.go). */
const BASELINE_CAPS = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
/** Sysctls baseline allows (check_sysctls.go, 1.32+). */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** A pod-level field and the containers' overrides, as the setter checks phrase them ("pod and container \"x\""). */
function setters(
  spec: PodSpec,
  pod: (sc: NonNullable<PodSpec["securityContext"]>) => boolean,
  own: (sc: SecurityContext) => boolean,
): string[] {
  const out: string[] = [];
  if (spec.securityContext && pod(spec.securityContext)) out.push("pod");
  const bad = containers(spec)
    .filter((c) => c.securityContext && own(c.securityContext))
    .map((c) => c.name);
  if (bad.length) out.push(containersPhrase(bad));
  return out;
}

/** baseline checks, then restricted ones, each in upstream's ID order (the order messages list them). */
export const CHECKS: Check[] = [
  {
    id: "capabilities_baseline",
    level: "baseline",
    run(_m, spec) {
      const names: string[] = [];
      const caps = new Set<string>();
      for (const c of containers(spec)) {
        const bad = (c.securityContext?.capabilities?.add ?? []).filter((x) => !BASELINE_CAPS.has(x));
        if (bad.length) names.push(c.name);
        for (const b of bad) caps.add(b);
      }
      return names.length
        ? {
            reason: "non-default capabilities",
            detail: `${containersPhrase(names)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
          }
        : undefined;
    },
  },
  {
    id: "hostNamespaces",
    level: "baseline",
    run(_m, spec) {
      const on = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((f) => spec[f]).map((f) => `${f}=true`);
      return on.length ? { reason: "host namespaces", detail: on.join(", ") } : undefined;
    },
  },
  {
    id: "hostPathVolumes",
    level: "baseline",
    run(_m, spec) {
      const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
      return names.length
        ? { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)}` }
        : undefined;
    },
  },
  {
    id: "hostPorts",
    level: "baseline",
    run(_m, spec) {
      const names: string[] = [];
      const ports: string[] = [];
      for (const c of containers(spec)) {
        const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
        if (used.length) names.push(c.name);
        for (const p of used) if (!ports.includes(p)) ports.push(p);
      }
      return names.length
        ? {
            reason: "hostPort",
            detail: `${containersPhrase(names)} ${pluralize("uses", "use", names.length)} ${pluralize("hostPort", "hostPorts", ports.length)} ${ports.join(", ")}`,
          }
        : undefined;
    },
  },
  {
    id: "privileged",
    level: "baseline",
    run(_m, spec) {
      const names = containers(spec)
        .filter((c) => c.securityContext?.privileged)
        .map((c) => c.name);
      return names.length
        ? { reason: "privileged", detail: `${containersPhrase(names)} must not set securityContext.privileged=true` }
        : undefined;
    },
  },
  {
    id: "procMount",
    level: "baseline",
    run(_m, spec) {
      const bad = containers(spec).filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== "Default");
      return bad.length
        ? {
            reason: "procMount",
            detail: `${containersPhrase(bad.map((c) => c.name))} must not set securityContext.procMount to ${joinQuote([...new Set(bad.map((c) => c.securityContext!.procMount!))].sort())}`,
          }
        : undefined;
    },
  },
  {
    id: "seccompProfile_baseline",
    level: "baseline",
    run(_m, spec) {
      const bad = setters(
        spec,
        (sc) => sc.seccompProfile?.type === "Unconfined",
        (sc) => sc.seccompProfile?.type === "Unconfined",
      );
      return bad.length
        ? { reason: "seccompProfile", detail: `${bad.join(" and ")} must not set securityContext.seccompProfile.type to "Unconfined"` }
        : undefined;
    },
  },
  {
    id: "sysctls",
    level: "baseline",
    run(_m, spec) {
      const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
    },
  },
  {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    run(_m, spec) {
      const names = containers(spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name);
      return names.length
        ? {
            reason: "allowPrivilegeEscalation != false",
            detail: `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false`,
          }
        : undefined;
    },
  },
  {
    id: "capabilities_restricted",
    level: "restricted",
    run(_m, spec) {
      const missing: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containers(spec)) {
        const k = c.securityContext?.capabilities;
        if (!k?.drop?.includes("ALL")) missing.push(c.name);
        const bad = (k?.add ?? []).filter((x) => x !== "NET_BIND_SERVICE");
        if (bad.length) adding.push(c.name);
        for (const b of bad) caps.add(b);
      }
      const details: string[] = [];
      if (missing.length) details.push(`${containersPhrase(missing)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length)
        details.push(`${containersPhrase(adding)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`);
      return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
    },
  },
  {
    id: "restrictedVolumes",
    level: "restricted",
    run(_m, spec) {
      const names: string[] = [];
      const types = new Set<string>();
      for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== "name");
        if (type && !RESTRICTED_VOLUMES.has(type)) {
          names.push(v.name);
          types.add(type);
        }
      }
      return names.length
        ? {
            reason: "restricted volume types",
            detail: `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)} ${pluralize("uses", "use", names.length)} ${pluralize("restricted volume type", "restricted volume types", types.size)} ${joinQuote([...types].sort())}`,
          }
        : undefined;
    },
  },
  {
    id: "runAsNonRoot",
    level: "restricted",
    run(_m, spec) {
      const bad: string[] = [];
      const podNonRoot = spec.securityContext?.runAsNonRoot;
      if (podNonRoot === false) bad.push("pod");
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containers(spec)) {
        const own = c.securityContext?.runAsNonRoot;
        if (own === false) explicit.push(c.name);
        else if (own === undefined && podNonRoot !== true) implicit.push(c.name);
      }
      if (explicit.length) bad.push(containersPhrase(explicit));
      if (bad.length)
        return { reason: "runAsNonRoot != true", detail: `${bad.join(" and ")} must not set securityContext.runAsNonRoot=false` };
      if (implicit.length)
        return {
          reason: "runAsNonRoot != true",
          detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
        };
      return undefined;
    },
  },
  {
    id: "runAsUser",
    level: "restricted",
    run(_m, spec) {
      const bad = setters(
        spec,
        (sc) => sc.runAsUser === 0,
        (sc) => sc.runAsUser === 0,
      );
      return bad.length ? { reason: "runAsUser=0", detail: `${bad.join(" and ")} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    run(_m, spec) {
      const valid = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
      const bad: string[] = [];
      const values = new Set<string>();
      const podProfile = spec.securityContext?.seccompProfile;
      if (podProfile && !valid(podProfile.type)) {
        bad.push("pod");
        values.add(podProfile.type);
      }
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containers(spec)) {
        const p = c.securityContext?.seccompProfile;
        if (p) {
          if (!valid(p.type)) {
            explicit.push(c.name);
            values.add(p.type);
          }
        } else if (!podProfile || !valid(podProfile.type)) implicit.push(c.name);
      }
      if (explicit.length) bad.push(containersPhrase(explicit));
      if (bad.length)
        return {
          reason: "seccompProfile",
          detail: `${bad.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote([...values].sort())}`,
        };
      if (implicit.length)
        return {
          reason: "seccompProfile",
          detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        };
      return undefined;
    },
  },
];

/** The failed checks of a level (a level includes the ones below it). */
export function evaluate(lv: LevelVersion, meta: ObjectMeta, spec: PodSpec): CheckResult[] {
  if (lv.level === "privileged") return [];
  const levels: Level[] = lv.level === "restricted" ? ["baseline", "restricted"] : ["baseline"];
  return CHECKS.filter((c) => levels.includes(c.level))
    .map((c) => c.run(meta, spec))
    .filter((r): r is CheckResult => !!r);
}

/** AggregateCheckResult.ForbiddenDetail: "reason (detail), reason (detail)". */
export const forbiddenDetail = (rs: CheckResult[]) => rs.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(", ");
/** AggregateCheckResult.ForbiddenReason: the reasons alone. */
export const forbiddenReason = (rs: CheckResult[]) => rs.map((r) => r.reason).join(", ");

/** Where each workload kind keeps its pod template (the PodSpecExtractor's kinds). */
function templateOf(plural: string, obj: Obj): { metadata?: ObjectMeta; spec?: PodSpec } | undefined {
  switch (plural) {
    case "deployments":
    case "replicasets":
    case "statefulsets":
    case "daemonsets":
    case "jobs":
    case "replicationcontrollers":
      return obj.spec?.template;
    case "cronjobs":
      return obj.spec?.jobTemplate?.spec?.template;
    case "podtemplates":
      return obj.template;
    default:
      return undefined;
  }
}

/** An update worth evaluating (isSignificantPodUpdate): containers added or removed, or an image changed. */
function significantPodUpdate(pod: Obj, old: Obj): boolean {
  const a: Obj[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const b: Obj[] = [...(old.spec?.containers ?? []), ...(old.spec?.initContainers ?? [])];
  if (a.length !== b.length) return true;
  if ((pod.spec?.ephemeralContainers ?? []).length !== (old.spec?.ephemeralContainers ?? []).length) return true;
  return a.some((c, i) => c.image !== b[i].image);
}

/**
 * The admission of a write (create, or update with `old`) of a pod, a workload or a namespace:
 * throws the 403 for a pod violating its namespace's enforce level, adds the warnings.
 */
export function admitPodSecurity(plural: string, obj: Obj, old: Obj | undefined, ctx: Ctx, warnings: string[] | undefined): void {
  if (plural === "namespaces") {
    // ValidateNamespace: labels that do not parse are refused; a tightened enforce level warns.
    const { errors } = parsePolicy(obj.metadata?.labels);
    if (errors.length) throw invalid("Namespace", "", obj.metadata?.name ?? "", errors);
    if (old) warnings?.push(...namespaceWarnings(obj, old, ctx));
    return;
  }
  const isPod = plural === "pods";
  const template = isPod ? { metadata: obj.metadata, spec: obj.spec } : templateOf(plural, obj);
  if (!template?.spec) return;
  if (isPod && old && !significantPodUpdate(obj, old)) return;
  const ns = ctx.get("namespaces", undefined, obj.metadata?.namespace ?? "default");
  const policy = policyOf(ns?.metadata?.labels);
  const spec = template.spec as PodSpec;
  const meta = (template.metadata ?? {}) as ObjectMeta;
  // Workloads are never refused (their pods are); their templates are only warned about.
  if (isPod) {
    const failed = evaluate(policy.enforce, meta, spec);
    if (failed.length)
      throw forbidden(
        "pods",
        "",
        obj.metadata?.name ?? "",
        `violates PodSecurity ${JSON.stringify(levelString(policy.enforce))}: ${forbiddenDetail(failed)}`,
      );
  }
  const failed = evaluate(policy.warn, meta, spec);
  if (failed.length) warnings?.push(`would violate PodSecurity ${JSON.stringify(levelString(policy.warn))}: ${forbiddenDetail(failed)}`);
}

/** A namespace given a new enforce level: the pods already there that violate it (EvaluatePodsInNamespace). */
function namespaceWarnings(ns: Obj, old: Obj, ctx: Ctx): string[] {
  const enforce = policyOf(ns.metadata?.labels).enforce;
  const before = policyOf(old.metadata?.labels).enforce;
  if (enforce.level === "privileged" || levelString(enforce) === levelString(before)) return [];
  const counts = new Map<string, { name: string; n: number }>();
  const order: string[] = [];
  // One pod per controller first (prioritizePods): the same template gives the same verdict.
  const pods = ctx.list("pods", ns.metadata?.name);
  for (const pod of pods) {
    const failed = evaluate(enforce, pod.metadata ?? {}, pod.spec ?? {});
    if (!failed.length) continue;
    const w = forbiddenReason(failed);
    const c = counts.get(w);
    if (!c) {
      counts.set(w, { name: pod.metadata.name, n: 1 });
      order.push(w);
    } else {
      c.n++;
      if (pod.metadata.name < c.name) c.name = pod.metadata.name;
    }
  }
  if (!order.length) return [];
  const decorated = order
    .map((w) => {
      const c = counts.get(w)!;
      return c.n === 1
        ? `${c.name}: ${w}`
        : c.n === 2
          ? `${c.name} (and 1 other pod): ${w}`
          : `${c.name} (and ${c.n - 1} other pods): ${w}`;
    })
    .sort();
  return [
    `existing pods in namespace ${JSON.stringify(ns.metadata?.name)} violate the new PodSecurity enforce level ${JSON.stringify(levelString(enforce))}`,
    ...decorated,
  ];
}
