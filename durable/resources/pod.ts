// core/v1 Pod: defaults (SetDefaults_Pod), what a kubeadm cluster's admission chain adds on create
// (ServiceAccount, DefaultTolerationSeconds, Priority), the strategy (pkg/registry/core/pod/strategy.go),
// ValidatePodCreate / ValidatePodUpdate, and printPod.
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { goFieldName, structDiff } from "./godiff";
import { age, ageColumn, nameColumn } from "./printers";
import { printPodSummary } from "./podsummary";
import { admitLimitRanges } from "./limitrange";
import { admitPodPriority } from "./priorityclass";

export { printPodSummary };
import { duplicate, each, forbidden, invalid, isDNS1123Label, isDNS1123Subdomain, required } from "./validation";
import {
  canonicalizeResources,
  clone,
  deepEqual,
  defaultContainer,
  defaultPodSpec,
  notFound,
  parseQuantity,
  randomString,
  validateContainers,
  validatePodSpec,
  validateResources,
} from "./podtemplate";

// ---- printing (printPod in pkg/printers/internalversion/printers.go) ---------------------

/** The STATUS column of `kubectl get pods` (Running, ContainerCreating, CrashLoopBackOff, Init:0/1, …). */
export function podPhaseStatus(pod: Obj, now = Date.now()): string {
  return printPodSummary(pod, now).status;
}

// ---- admission on create (a kubeadm cluster's default plugins) ------------------------------

export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

/** plugin/pkg/admission/serviceaccount: default service account, its image pull secrets and the
 *  projected kube-api-access-xxxxx token volume mounted into every container. */
function admitServiceAccount(pod: Obj, ctx: Ctx): void {
  const spec = pod.spec;
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"] != null) return;
  if (!spec.serviceAccountName) spec.serviceAccountName = "default";
  spec.serviceAccount = spec.serviceAccountName;
  const sa = ctx.get("serviceaccounts", pod.metadata?.namespace, spec.serviceAccountName);
  if (!(spec.imagePullSecrets?.length > 0) && (sa?.imagePullSecrets?.length ?? 0) > 0)
    spec.imagePullSecrets = sa!.imagePullSecrets.map((s: Obj) => ({ name: s.name }));
  const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
  if (!automount) return;

  const names = new Set(((spec.volumes ?? []) as Obj[]).map((v) => v.name));
  let volumeName = "";
  do volumeName = `kube-api-access-${randomString(5)}`;
  while (names.has(volumeName));
  const mount = { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
  let mounted = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Obj[]) {
    if (((c.volumeMounts ?? []) as Obj[]).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { ...mount }];
    mounted = true;
  }
  if (!mounted) return;
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name: volumeName,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          {
            downwardAPI: {
              items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
            },
          },
        ],
      },
    },
  ];
}

/** plugin/pkg/admission/defaulttolerationseconds: tolerate not-ready / unreachable nodes for 300s. */
function admitDefaultTolerations(pod: Obj): void {
  const tolerations: Obj[] = pod.spec.tolerations ?? [];
  const tolerates = (key: string) => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
  const add: Obj[] = [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
    if (!tolerates(key)) add.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  if (add.length) pod.spec.tolerations = [...tolerations, ...add];
}

/** What the admission chain of a kubeadm v1.33 API server adds to a new Pod. */
export function admitPod(pod: Obj, ctx: Ctx): void {
  pod.spec ??= {};
  admitLimitRanges(pod, ctx);
  admitServiceAccount(pod, ctx);
  admitPodPriority(pod, ctx);
  admitDefaultTolerations(pod);
}

// ---- QoS (pkg/apis/core/helper/qos.GetPodQOS) ------------------------------------------------

export function podQOSClass(pod: Obj): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  let guaranteed = true;
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Obj[];
  for (const c of all) {
    for (const [name, q] of Object.entries((c.resources?.requests ?? {}) as Record<string, unknown>)) {
      if (name !== "cpu" && name !== "memory") continue;
      const v = parseQuantity(q);
      if (v > 0) requests[name] = (requests[name] ?? 0) + v;
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries((c.resources?.limits ?? {}) as Record<string, unknown>)) {
      if (name !== "cpu" && name !== "memory") continue;
      const v = parseQuantity(q);
      if (v > 0) {
        found.add(name);
        limits[name] = (limits[name] ?? 0) + v;
      }
    }
    if (!found.has("cpu") || !found.has("memory")) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of Object.entries(requests)) if (limits[name] === undefined || limits[name] !== req) guaranteed = false;
  }
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length ? "Guaranteed" : "Burstable";
}

// ---- update validation (ValidatePodUpdate) ---------------------------------------------------

const updatablePodSpecFields = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

function validateContainerUpdates(newCs: Obj[] | undefined, oldCs: Obj[] | undefined, path: string): [FieldError[], boolean] {
  const n = newCs ?? [];
  const o = oldCs ?? [];
  if (n.length !== o.length) return [[forbidden(path, "pod updates may not add or remove containers")], true];
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(required(`${path}[${i}].image`, ""));
    else if (String(c.image).trim() !== c.image)
      errs.push(invalid(`${path}[${i}].image`, c.image, "must not have leading or trailing whitespace"));
  });
  return [errs, false];
}

// Every old toleration must still be there; only its tolerationSeconds may change.
const sameToleration = (a: Obj, b: Obj) => deepEqual({ ...a, tolerationSeconds: undefined }, { ...b, tolerationSeconds: undefined });

function validateOnlyAddedTolerations(newT: Obj[] | undefined, oldT: Obj[] | undefined, path: string): FieldError[] {
  for (const old of oldT ?? [])
    if (!(newT ?? []).some((t) => sameToleration(t, old)))
      return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  return [];
}

export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validatePodSpec(pod.spec, "spec");
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  let [e, stop] = validateContainerUpdates(spec.containers, oldSpec.containers, "spec.containers");
  errs.push(...e);
  if (stop) return errs;
  [e, stop] = validateContainerUpdates(spec.initContainers, oldSpec.initContainers, "spec.initContainers");
  errs.push(...e);
  if (stop) return errs;

  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 0 || v > 2147483647) {
      errs.push(invalid("spec.activeDeadlineSeconds", v, "must be between 0 and 2147483647, inclusive"));
      return errs;
    }
    if (oldSpec.activeDeadlineSeconds != null && oldSpec.activeDeadlineSeconds < v) {
      errs.push(invalid("spec.activeDeadlineSeconds", v, "must be less than or equal to previous value"));
      return errs;
    }
  } else if (oldSpec.activeDeadlineSeconds != null) {
    errs.push(invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
  }

  // Munge the updatable fields back to their old values; anything else that differs is forbidden.
  const munged = clone(spec);
  const mungeImages = (cs: Obj[] | undefined, olds: Obj[] | undefined) =>
    (cs ?? []).forEach((c, i) => {
      c.image = olds?.[i]?.image;
    });
  mungeImages(munged.containers, oldSpec.containers);
  mungeImages(munged.initContainers, oldSpec.initContainers);
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  if (munged.activeDeadlineSeconds === undefined) delete munged.activeDeadlineSeconds;
  // Scheduling gates may only be removed.
  if ((oldSpec.schedulingGates ?? []).length > 0 && (spec.schedulingGates ?? []).length <= oldSpec.schedulingGates.length)
    munged.schedulingGates = oldSpec.schedulingGates;
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, "spec.tolerations"));
  munged.tolerations = oldSpec.tolerations;
  if (munged.tolerations === undefined) delete munged.tolerations;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  if (!deepEqual(munged, oldSpec))
    errs.push(
      forbidden(
        "spec",
        `pod updates may not change fields other than ${updatablePodSpecFields.join(",")}\n${structDiff("core.PodSpec", oldSpec, munged)}`,
      ),
    );
  return errs;
}

// ---- ephemeral containers (validateEphemeralContainers, ValidatePodEphemeralContainersUpdate) ----

/** The EphemeralContainerCommon fields outside allowedEphemeralContainerFields, in struct order. */
const notForEphemeral = [
  "ports",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
];

/** Set, as reflect.DeepEqual against the zero value sees it after decoding (an empty list is unset). */
const isSet = (v: unknown) =>
  v != null &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** validateEphemeralContainers: the common container checks, names unique across every container
 *  kind, the target an existing regular or init container, the allow-list, no subPaths. */
export function validateEphemeralContainers(spec: Obj | undefined, path: string): FieldError[] {
  const list: Obj[] = spec?.ephemeralContainers ?? [];
  if (!list.length) return [];
  const others = new Set<string>([...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c: Obj) => c.name));
  const volumes = new Set<string>(((spec?.volumes ?? []) as Obj[]).map((v) => v.name));
  // The common checks see only the allowed fields (the others are refused below, once).
  const common = list.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !notForEphemeral.includes(k))));
  const errs = validateContainers(common, path, volumes, new Set(others), false).filter((e) => e.type !== "FieldValueDuplicate");
  const names = new Set(others);
  list.forEach((c, i) => {
    const f = `${path}[${i}]`;
    if (c.name && names.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
    else names.add(c.name);
    if (c.targetContainerName && !others.has(c.targetContainerName)) errs.push(notFound(`${f}.targetContainerName`, c.targetContainerName));
    for (const k of notForEphemeral) if (isSet(c[k])) errs.push(forbidden(`${f}.${k}`, "cannot be set for an Ephemeral Container"));
    ((c.volumeMounts ?? []) as Obj[]).forEach((m, j) => {
      for (const k of ["subPath", "subPathExpr"])
        if (m[k]) errs.push(forbidden(`${f}.volumeMounts[${j}].${k}`, "cannot be set for an Ephemeral Container"));
    });
  });
  return errs;
}

/** A cmp.Diff-like rendering of a changed ephemeral container (the real one diffs Go structs). */
function ephemeralDiff(old: Obj, now: Obj): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  const lines = ["  core.EphemeralContainer{", "  \tEphemeralContainerCommon: core.EphemeralContainerCommon{"];
  for (const k of keys) {
    if (deepEqual(old[k], now[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t\t${goFieldName(k)}: ${JSON.stringify(old[k])},`);
    if (now[k] !== undefined) lines.push(`+ \t\t${goFieldName(k)}: ${JSON.stringify(now[k])},`);
  }
  lines.push("  \t},", "  }");
  return lines.join("\n") + "\n";
}

/** ValidatePodEphemeralContainersUpdate: the new spec is valid; existing ephemeral containers are
 *  neither removed nor changed (compared by name: a patch does not keep the order). */
export function validatePodEphemeralContainersUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = [...validatePodSpec(pod.spec, "spec"), ...validateEphemeralContainers(pod.spec, "spec.ephemeralContainers")];
  if (old.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined)
    return [forbidden("", "static pods do not support ephemeral containers")];
  const byName = new Map<string, Obj>(((pod.spec?.ephemeralContainers ?? []) as Obj[]).map((c) => [c.name, c]));
  for (const o of (old.spec?.ephemeralContainers ?? []) as Obj[]) {
    const n = byName.get(o.name);
    if (!n)
      errs.push(forbidden("spec.ephemeralContainers", `existing ephemeral containers ${JSON.stringify(o.name)} may not be removed\n`));
    else if (!deepEqual(o, n))
      errs.push(
        forbidden(
          "spec.ephemeralContainers",
          `existing ephemeral containers ${JSON.stringify(o.name)} may not be changed\n${ephemeralDiff(o, n)}`,
        ),
      );
  }
  return errs;
}

/** podEphemeralContainersStrategy: everything but spec.ephemeralContainers comes from the stored
 *  pod (dropNonEphemeralContainerUpdates); the new containers get the decoder's defaults. */
const ephemeralContainersSubresource = {
  prepare(pod: Obj, old: Obj): Obj {
    const next = clone(old);
    next.metadata.resourceVersion = pod.metadata?.resourceVersion;
    next.spec.ephemeralContainers = clone(pod.spec?.ephemeralContainers ?? []);
    for (const c of next.spec.ephemeralContainers as Obj[]) defaultContainer(c);
    if (!next.spec.ephemeralContainers.length) delete next.spec.ephemeralContainers;
    return next;
  },
  validate: validatePodEphemeralContainersUpdate,
};

/** pods/resize (podResizeStrategy.PrepareForUpdate, dropNonResizeUpdates): the stored pod, with
 *  only the containers' resources and resizePolicy taken from the request, matched by name. */
const resizeSubresource = {
  prepare(pod: Obj, old: Obj): Obj {
    const next = clone(old);
    next.metadata.resourceVersion = pod.metadata?.resourceVersion;
    for (const list of ["containers", "initContainers"] as const) {
      const wanted = new Map(((pod.spec?.[list] ?? []) as Obj[]).map((c) => [c.name, c]));
      for (const c of (next.spec?.[list] ?? []) as Obj[]) {
        const w = wanted.get(c.name);
        if (!w) continue;
        if (w.resources === undefined) delete c.resources;
        else canonicalizeResources((c.resources = clone(w.resources)));
        if (w.resizePolicy === undefined) delete c.resizePolicy;
        else c.resizePolicy = clone(w.resizePolicy);
      }
    }
    return next;
  },
  // ValidatePodResize (the part that decides most refusals): the resized pod keeps its QoS class.
  validate(pod: Obj, old: Obj): FieldError[] {
    const errs = ((pod.spec?.containers ?? []) as Obj[]).flatMap((c, i) =>
      validateResources(c.resources, `spec.containers[${i}].resources`),
    );
    const was = old.status?.qosClass ?? podQOSClass(old);
    if (podQOSClass(pod) !== was) errs.push(invalid("spec", was, "Pod QOS Class may not change as a result of resizing"));
    return errs;
  },
};

// ---- the kind ---------------------------------------------------------------------------

const pods: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  subresources: { status: true },
  updateSubresources: { ephemeralcontainers: ephemeralContainersSubresource, resize: resizeSubresource },
  extraSubresources: [
    { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
    { name: "binding", kind: "Binding", verbs: ["create"] },
    { name: "ephemeralcontainers", kind: "Pod", verbs: ["get", "patch", "update"] },
    { name: "eviction", kind: "Eviction", verbs: ["create"], group: "policy", version: "v1" },
    { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "log", kind: "Pod", verbs: ["get"] },
    { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    { name: "proxy", kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "resize", kind: "Pod", verbs: ["get", "patch", "update"] },
  ],
  openapi: "io.k8s.api.core.v1.Pod",

  columns: [
    nameColumn,
    { name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic.", priority: 0 },
    { name: "Status", type: "string", description: "The aggregate status of the containers in this pod.", priority: 0 },
    {
      name: "Restarts",
      type: "string",
      description:
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      priority: 0,
    },
    ageColumn,
    {
      name: "IP",
      type: "string",
      description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
      priority: 1,
    },
    {
      name: "Node",
      type: "string",
      description:
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
      priority: 1,
    },
    {
      name: "Nominated Node",
      type: "string",
      description:
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
      priority: 1,
    },
    {
      name: "Readiness Gates",
      type: "string",
      description:
        'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      priority: 1,
    },
  ],
  row(pod, ctx) {
    const { ready, status, restarts } = printPodSummary(pod, ctx.now);
    const gates: Obj[] = pod.spec?.readinessGates ?? [];
    let readinessGates = "<none>";
    if (gates.length > 0) {
      const conds: Obj[] = pod.status?.conditions ?? [];
      const trueCount = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === "True").length;
      readinessGates = `${trueCount}/${gates.length}`;
    }
    return [
      pod.metadata?.name,
      ready,
      status,
      restarts,
      age(pod.metadata?.creationTimestamp, ctx.now),
      pod.status?.podIPs?.[0]?.ip || "<none>",
      pod.spec?.nodeName || "<none>",
      pod.status?.nominatedNodeName || "<none>",
      readinessGates,
    ];
  },

  defaults(pod) {
    pod.spec ??= {};
    const spec = pod.spec;
    defaultPodSpec(spec);
    // SetDefaults_Pod: requests default to limits; service links on; host ports for hostNetwork.
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
      const limits = c.resources?.limits;
      if (limits) {
        c.resources.requests ??= {};
        for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
      }
      if (spec.hostNetwork) for (const p of (c.ports ?? []) as Obj[]) p.hostPort ||= p.containerPort;
    }
    spec.enableServiceLinks ??= true;
  },

  prepareForCreate(pod, ctx) {
    admitPod(pod, ctx);
    pod.metadata.generation = 1;
    pod.status = { phase: "Pending", qosClass: podQOSClass(pod) };
    if ((pod.spec.schedulingGates ?? []).length > 0)
      pod.status.conditions = [
        {
          type: "PodScheduled",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, "Z"),
          reason: "SchedulingGated",
          message: "Scheduling is blocked due to non-empty scheduling gates",
        },
      ];
  },

  prepareForUpdate(pod, old) {
    pod.status = old.status;
    pod.metadata.generation = old.metadata?.generation ?? 1;
    if (!deepEqual(pod.spec, old.spec)) pod.metadata.generation++;
  },

  validate(pod) {
    const errs = validatePodSpec(pod.spec, "spec");
    if ((pod.spec?.ephemeralContainers ?? []).length > 0) errs.push(forbidden("spec.ephemeralContainers", "cannot be set on create"));
    return errs;
  },

  validateUpdate: (pod, old) => validatePodUpdate(pod, old),

  // ValidatePodStatusUpdate: the parts that can fail for what the simulated kubelet writes.
  validateStatusUpdate(pod) {
    const n = pod.status?.nominatedNodeName;
    return n ? each("status.nominatedNodeName", n, isDNS1123Subdomain(n)) : [];
  },

  fieldSelectors: {
    "spec.nodeName": (p) => p.spec?.nodeName ?? "",
    "spec.restartPolicy": (p) => p.spec?.restartPolicy ?? "",
    "spec.schedulerName": (p) => p.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (p) => p.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (p) => String(p.spec?.hostNetwork === true),
    "status.phase": (p) => p.status?.phase ?? "",
    "status.podIP": (p) => p.status?.podIPs?.[0]?.ip ?? "",
    "status.nominatedNodeName": (p) => p.status?.nominatedNodeName ?? "",
  },

  warnings(pod) {
    const msgs = isDNS1123Label(String(pod.metadata?.name ?? ""));
    return pod.metadata?.name && msgs.length
      ? [
          `metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(" ")}]`,
        ]
      : [];
  },

  // CheckGracefulDelete: the requested period, else the pod's own; unscheduled or finished pods go at once.
  gracePeriod(pod, requested) {
    let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
    if (!pod.spec?.nodeName) period = 0;
    if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") period = 0;
    return period < 0 ? 1 : period;
  },
  returnDeletedObject: true,
};

export default pods;
