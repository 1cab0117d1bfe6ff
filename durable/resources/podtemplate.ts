// Pod spec and pod template machinery shared by Pods and the workload controllers' kinds:
// SetDefaults_PodSpec / SetDefaults_Container (pkg/apis/core/v1/defaults.go), ValidatePodSpec and
// ValidatePodTemplateSpec (pkg/apis/core/validation), the replica-controller template checks
// (ValidatePodTemplateSpecForReplicaSet / ForRC), label selectors, and the pod-template-hash.
import type { FieldError, Obj, PrinterColumn } from "./types";
import { canonicalQuantity, canonicalizeResourceList } from "./quantity";
import {
  duplicate,
  each,
  forbidden,
  invalid,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  notSupported,
  required,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
} from "./validation";

// ---- small utilities ---------------------------------------------------------

/** JSON with sorted keys: a canonical form for hashing and semantic equality. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(",")}}`;
}

export const deepEqual = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b);

/**
 * The update strategy the workload kinds share (ReplicaSet, ReplicationController, DaemonSet,
 * Deployment): status belongs to the controller and is kept, and generation moves on when the spec
 * changed (or whatever `changed` says).
 */
export function keepStatusBumpGeneration(obj: Obj, old: Obj, changed = !deepEqual(obj.spec, old.spec)): void {
  obj.status = old.status;
  obj.metadata.generation = (old.metadata?.generation ?? 1) + (changed ? 1 : 0);
}

export const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

const isEmpty = (m: unknown): boolean => m == null || Object.keys(m as object).length === 0;

// ---- Go value formatting (field.Invalid falls back to %#v for structs and maps) ----------

/** Go's %#v of a map[string]string. */
export function goMap(m: Record<string, string> | null | undefined): string {
  if (m == null) return "map[string]string(nil)";
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`).join(", ")}}`;
}

/** Go's %#v of a metav1.LabelSelector (how the real server prints an invalid or immutable selector). */
export function goLabelSelector(sel: Obj | null | undefined): string {
  if (sel == null) return "null";
  const exprs: Obj[] | undefined = sel.matchExpressions;
  const reqs =
    exprs == null
      ? "[]v1.LabelSelectorRequirement(nil)"
      : `[]v1.LabelSelectorRequirement{${exprs
          .map(
            (r) =>
              `v1.LabelSelectorRequirement{Key:${JSON.stringify(r.key ?? "")}, Operator:${JSON.stringify(r.operator ?? "")}, Values:${
                r.values == null ? "[]string(nil)" : `[]string{${r.values.map((x: string) => JSON.stringify(x)).join(", ")}}`
              }}`,
          )
          .join(", ")}}`;
  return `v1.LabelSelector{MatchLabels:${goMap(sel.matchLabels)}, MatchExpressions:${reqs}}`;
}

/** Go's %#v of an intstr.IntOrString (pointer receivers make it print as a raw struct). */
export function goIntOrString(v: unknown): string {
  if (v == null) return "null";
  return typeof v === "number"
    ? `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(v))}}`;
}

/** field.Invalid with a value already formatted the Go way. */
export const invalidRaw = (field: string, formatted: string, detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field,
  message: `Invalid value: ${formatted}: ${detail}`,
});

export const notFound = (field: string, value: unknown): FieldError => ({
  type: "FieldValueNotFound",
  field,
  message: `Not found: ${JSON.stringify(value)}`,
});

// ---- label selectors -------------------------------------------------------------

/** metav1.LabelSelector matching (LabelSelectorAsSelector + Matches). A nil selector matches nothing,
 *  an empty one everything. */
export function selectorMatches(sel: Obj | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (sel == null) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of (sel.matchExpressions ?? []) as Obj[]) {
    const has = Object.hasOwn(l, r.key);
    const values: string[] = r.values ?? [];
    switch (r.operator) {
      case "In":
        if (!has || !values.includes(l[r.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(l[r.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A map selector (ReplicationController, Service): labels.SelectorFromSet. */
export function mapSelectorMatches(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return Object.entries(sel ?? {}).every(([k, v]) => l[k] === v);
}

/** labels.Selector String(): requirements sorted by key, e.g. `app=nginx,tier in (a,b)`. "" when empty. */
export function labelSelectorString(sel: Obj | null | undefined): string {
  if (sel == null) return "";
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const r of (sel.matchExpressions ?? []) as Obj[]) {
    const vals = [...(r.values ?? [])].sort().join(",");
    const s =
      r.operator === "In"
        ? `${r.key} in (${vals})`
        : r.operator === "NotIn"
          ? `${r.key} notin (${vals})`
          : r.operator === "Exists"
            ? `${r.key}`
            : r.operator === "DoesNotExist"
              ? `!${r.key}`
              : `${r.key}`;
    reqs.push([r.key, s]);
  }
  reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return reqs.map((r) => r[1]).join(",");
}

/** metav1.FormatLabelSelector: the selector string or "<none>". */
export function formatLabelSelector(sel: Obj | null | undefined): string {
  return labelSelectorString(sel) || "<none>";
}

// ---- quantities (enough for QoS and requests/limits comparisons) ----------------------

const binarySuffix: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffix: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** resource.Quantity value as a number, or NaN when it does not parse. */
export function parseQuantity(q: unknown): number {
  if (typeof q === "number") return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/.exec(String(q ?? "").trim());
  if (!m) return NaN;
  const n = parseFloat(m[1]);
  const s = m[2] ?? "";
  if (s in binarySuffix) return n * binarySuffix[s];
  if (/^[eE]/.test(s)) return n * 10 ** parseInt(s.slice(1), 10);
  return n * decimalSuffix[s];
}

// ---- defaulting (pkg/apis/core/v1/defaults.go) -------------------------------------------

/** ParseImageName's tag: "latest" when neither tag nor digest is given. */
export function imageTag(image: string): string {
  const noDigest = image.split("@")[0];
  const hasDigest = image.includes("@");
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  if (colon > lastSlash) return noDigest.slice(colon + 1);
  return hasDigest ? "" : "latest";
}

function defaultHandler(h: Obj | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ||= "/";
  h.httpGet.scheme ||= "HTTP";
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHandler(p);
  // GRPCAction.service is `+default=""`: kubectl describe dereferences it.
  if (p.grpc && typeof p.grpc === "object") p.grpc.service ??= "";
}

/** A container's resources with their quantities in canonical form, as the typed decode leaves them. */
export function canonicalizeResources(r: Obj | undefined): void {
  if (!r) return;
  canonicalizeResourceList(r.limits);
  canonicalizeResourceList(r.requests);
}

/** SetDefaults_Container plus the nested defaulters (ports, probes, env field refs). */
export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? "")) === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ||= "/dev/termination-log";
  c.terminationMessagePolicy ||= "File";
  c.resources ??= {};
  canonicalizeResources(c.resources);
  for (const p of (c.ports ?? []) as Obj[]) p.protocol ||= "TCP";
  for (const e of (c.env ?? []) as Obj[]) {
    const fr = e.valueFrom?.fieldRef;
    if (fr) fr.apiVersion ||= "v1";
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const DEFAULT_MODE = 420; // 0644

/** SetDefaults_Volume and the volume-source defaulters. */
function defaultVolume(v: Obj): void {
  const sources = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
  ];
  if (!sources.some((s) => v[s] != null)) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= DEFAULT_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_MODE;
    for (const it of (v.downwardAPI.items ?? []) as Obj[]) if (it.fieldRef) it.fieldRef.apiVersion ||= "v1";
  }
  if (v.hostPath) v.hostPath.type ??= "";
  if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  if (v.projected) {
    v.projected.defaultMode ??= DEFAULT_MODE;
    for (const s of (v.projected.sources ?? []) as Obj[]) {
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
      for (const it of (s.downwardAPI?.items ?? []) as Obj[]) if (it.fieldRef) it.fieldRef.apiVersion ||= "v1";
    }
  }
}

/** SetDefaults_PodSpec and everything nested in it. Runs for Pods and for pod templates. */
export function defaultPodSpec(spec: Obj): void {
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= "default-scheduler";
  // v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of (spec.containers ?? []) as Obj[]) defaultContainer(c);
  for (const c of (spec.initContainers ?? []) as Obj[]) defaultContainer(c);
  for (const c of (spec.ephemeralContainers ?? []) as Obj[]) defaultContainer(c);
  for (const v of (spec.volumes ?? []) as Obj[]) defaultVolume(v);
  canonicalizeResourceList(spec.overhead);
  canonicalizeResources(spec.resources);
}

/** The defaulting of a PodTemplateSpec inside RC / RS / Deployment. */
export function defaultPodTemplate(template: Obj | undefined): void {
  if (!template) return;
  // ObjectMeta.creationTimestamp is a struct without omitempty: v1.33 serializes it as null.
  template.metadata ??= {};
  if (!("creationTimestamp" in template.metadata)) template.metadata.creationTimestamp = null;
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

// ---- validation (pkg/apis/core/validation/validation.go) -----------------------------------

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const pullPolicies = ["Always", "IfNotPresent", "Never"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const protocols = ["SCTP", "TCP", "UDP"];
const MAX_INT32 = 2147483647;

function validateVolumes(volumes: Obj[] | undefined, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const f = `${path}[${i}].name`;
    if (!v.name) errs.push(required(f, ""));
    else if (isDNS1123Label(v.name).length) errs.push(...each(f, v.name, isDNS1123Label(v.name)));
    else if (names.has(v.name)) errs.push(duplicate(f, v.name));
    else names.add(v.name);
    // validatePersistentClaimVolumeSource.
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName)
      errs.push(required(`${path}[${i}].persistentVolumeClaim.claimName`, ""));
  });
  return { names, errs };
}

function validatePorts(ports: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const f = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(String(p.name));
      if (msgs.length) errs.push(...each(`${f}.name`, p.name, msgs));
      else if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${f}.containerPort`, ""));
    else errs.push(...each(`${f}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...each(`${f}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (!p.protocol) errs.push(required(`${f}.protocol`, ""));
    else if (!protocols.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, protocols));
  });
  return errs;
}

function validateEnv(env: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const f = `${path}[${i}].name`;
    if (!e.name) errs.push(required(f, ""));
    else if (!/^[ -<>-~]+$/.test(e.name))
      errs.push(invalid(f, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
  });
  return errs;
}

function validateProbe(p: Obj | undefined, path: string): FieldError[] {
  if (!p) return [];
  const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => p[h] != null);
  if (handlers.length === 0) return [required(path, "must specify a handler type")];
  if (handlers.length > 1) return [forbidden(`${path}.${handlers[1]}`, "may not specify more than 1 handler type")];
  const errs: FieldError[] = [];
  for (const k of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"])
    if (typeof p[k] === "number" && p[k] < 0) errs.push(invalid(`${path}.${k}`, p[k], "must be greater than or equal to 0"));
  return errs;
}

export function validateResources(r: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ["limits", "requests"]) {
    for (const [name, q] of Object.entries((r?.[kind] ?? {}) as Record<string, unknown>)) {
      const v = parseQuantity(q);
      if (Number.isNaN(v))
        errs.push(
          invalid(
            `${path}.${kind}[${name}]`,
            q,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          ),
        );
      else if (v < 0) errs.push(invalid(`${path}.${kind}[${name}]`, q, "must be greater than or equal to 0"));
    }
  }
  for (const [name, q] of Object.entries((r?.requests ?? {}) as Record<string, unknown>)) {
    const lim = r?.limits?.[name];
    if (lim != null && parseQuantity(q) > parseQuantity(lim))
      errs.push(invalid(`${path}.requests[${name}]`, q, `must be less than or equal to ${name} limit of ${lim}`));
  }
  return errs;
}

export function validateContainers(
  containers: Obj[] | undefined,
  path: string,
  volumes: Set<string>,
  seen: Set<string>,
  init: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const f = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${f}.name`, ""));
    else if (isDNS1123Label(c.name).length) errs.push(...each(`${f}.name`, c.name, isDNS1123Label(c.name)));
    else if (seen.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
    else seen.add(c.name);
    if (!c.image) errs.push(required(`${f}.image`, ""));
    if (c.imagePullPolicy && !pullPolicies.includes(c.imagePullPolicy))
      errs.push(notSupported(`${f}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
    if (c.terminationMessagePolicy && !terminationMessagePolicies.includes(c.terminationMessagePolicy))
      errs.push(notSupported(`${f}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
    errs.push(...validatePorts(c.ports, `${f}.ports`));
    errs.push(...validateEnv(c.env, `${f}.env`));
    const mountPaths = new Set<string>();
    ((c.volumeMounts ?? []) as Obj[]).forEach((m, j) => {
      const mf = `${f}.volumeMounts[${j}]`;
      if (!m.name) errs.push(required(`${mf}.name`, ""));
      else if (!volumes.has(m.name)) errs.push(notFound(`${mf}.name`, m.name));
      if (!m.mountPath) errs.push(required(`${mf}.mountPath`, ""));
      else if (mountPaths.has(m.mountPath)) errs.push(invalid(`${mf}.mountPath`, m.mountPath, "must be unique"));
      else mountPaths.add(m.mountPath);
    });
    errs.push(...validateResources(c.resources, `${f}.resources`));
    const sidecar = init && c.restartPolicy === "Always";
    if (init && !sidecar) {
      for (const p of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"])
        if (c[p] != null) errs.push(forbidden(`${f}.${p}`, `may not be set for init containers without restartPolicy=Always`));
    } else {
      errs.push(...validateProbe(c.livenessProbe, `${f}.livenessProbe`));
      errs.push(...validateProbe(c.readinessProbe, `${f}.readinessProbe`));
      errs.push(...validateProbe(c.startupProbe, `${f}.startupProbe`));
      if (c.livenessProbe && (c.livenessProbe.successThreshold ?? 1) !== 1)
        errs.push(invalid(`${f}.livenessProbe.successThreshold`, c.livenessProbe.successThreshold, "must be 1"));
    }
    if (init && c.restartPolicy != null && c.restartPolicy !== "Always")
      errs.push(notSupported(`${f}.restartPolicy`, c.restartPolicy, ["Always"]));
    if (!init && c.restartPolicy != null) errs.push(forbidden(`${f}.restartPolicy`, "may not be set for non-init containers"));
  });
  return errs;
}

function validateTolerations(tolerations: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const f = `${path}[${i}]`;
    if (t.key) errs.push(...each(`${f}.key`, t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== "Exists")
      errs.push(
        invalid(
          `${f}.operator`,
          t.operator ?? "",
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (t.tolerationSeconds != null && t.effect !== "NoExecute")
      errs.push(invalid(`${f}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (t.operator && t.operator !== "Equal" && t.operator !== "Exists")
      errs.push(notSupported(`${f}.operator`, t.operator, ["Equal", "Exists"]));
    if (t.operator === "Exists" && t.value) errs.push(invalid(`${f}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    if (t.effect && !["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(t.effect))
      errs.push(notSupported(`${f}.effect`, t.effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"]));
  });
  return errs;
}

/** ValidatePodSpec. `path` is "spec" for Pods, "spec.template.spec" for templates. */
export function validatePodSpec(spec: Obj | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const { names: vols, errs: volErrs } = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...volErrs);
  if (!Array.isArray(s.containers) || s.containers.length === 0) errs.push(required(`${path}.containers`, ""));
  const seen = new Set<string>();
  errs.push(...validateContainers(s.containers, `${path}.containers`, vols, seen, false));
  errs.push(...validateContainers(s.initContainers, `${path}.initContainers`, vols, seen, true));
  if (!s.restartPolicy) errs.push(required(`${path}.restartPolicy`, ""));
  else if (!restartPolicies.includes(s.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies));
  if (!s.dnsPolicy) errs.push(required(`${path}.dnsPolicy`, ""));
  else if (!dnsPolicies.includes(s.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, s.dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.serviceAccountName)
    errs.push(...each(`${path}.serviceAccountName`, s.serviceAccountName, isDNS1123Subdomain(s.serviceAccountName)));
  if (s.nodeName) errs.push(...each(`${path}.nodeName`, s.nodeName, isDNS1123Subdomain(s.nodeName)));
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32))
    errs.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, `must be between 1 and ${MAX_INT32}, inclusive`));
  if (s.hostname) errs.push(...each(`${path}.hostname`, s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...each(`${path}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c: Obj, i: number) =>
      ((c.ports ?? []) as Obj[]).forEach((p, j) => {
        if (p.hostPort && p.hostPort !== p.containerPort)
          errs.push(
            invalid(
              `${path}.containers[${i}].ports[${j}].containerPort`,
              p.containerPort,
              "must match `hostPort` when `hostNetwork` is true",
            ),
          );
      }),
    );
  }
  return errs;
}

/** ValidatePodTemplateSpec: template labels, annotations and spec. `path` is e.g. "spec.template". */
export function validatePodTemplateSpec(template: Obj | undefined, path: string): FieldError[] {
  if (!template) return [required(path, "")];
  return [
    ...validateLabels(template.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${path}.spec`),
  ];
}

/** ValidatePodTemplateSpecForReplicaSet / ForRC: the template must match the selector (unless the selector
 *  is empty), restartPolicy must be Always and activeDeadlineSeconds unset. `kindName` is
 *  "ReplicaSet" or "ReplicationController" (the Forbidden message names it). */
export function validateReplicaTemplate(
  template: Obj | undefined,
  matches: ((labels: Record<string, string> | undefined) => boolean) | null,
  path: string,
  kindName: string,
): FieldError[] {
  if (!template) return [required(path, "")];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  if (matches && !matches(labels))
    errs.push(invalidRaw(`${path}.metadata.labels`, goMap(labels), "`selector` does not match template `labels`"));
  errs.push(...validatePodTemplateSpec(template, path));
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== "Always") errs.push(notSupported(`${path}.spec.restartPolicy`, rp, ["Always"]));
  if (template.spec?.activeDeadlineSeconds != null)
    errs.push(forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kindName} is not Supported`));
  return errs;
}

/** ValidateNonnegativeField for each named numeric field of `obj`. */
export function nonNegativeFields(obj: Obj | undefined, path: string, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of fields) {
    const v = obj?.[k];
    if (typeof v === "number" && v < 0) errs.push(invalid(`${path}.${k}`, v, "must be greater than or equal to 0"));
  }
  return errs;
}

// ---- printing -------------------------------------------------------------------

export const containersColumn: PrinterColumn = {
  name: "Containers",
  type: "string",
  description: "Names of each container in the template.",
  priority: 1,
};
export const imagesColumn: PrinterColumn = {
  name: "Images",
  type: "string",
  description: "Images referenced by each container in the template.",
  priority: 1,
};

/** layoutContainerCells: names and images joined with ",". */
export function layoutContainerCells(containers: Obj[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? "").join(","), cs.map((c) => c.image ?? "").join(",")];
}

// ---- hashing and random names ------------------------------------------------------

/** FNV-1a, 32 bit, over UTF-8 bytes. */
export function fnv32a(data: string | Uint8Array, seed = 0x811c9dc5): number {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** k8s.io/apimachinery/pkg/util/rand's alphabet: no vowels (no bad words) and no confusable 0/1/3. */
export const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** rand.SafeEncodeString: map every byte onto ALPHANUMS. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** rand.String(n): n random characters from ALPHANUMS (generateName suffixes, kube-api-access-xxxxx). */
export function randomString(n: number): string {
  const buf = new Uint8Array(n);
  crypto.getRandomValues(buf);
  let out = "";
  for (const b of buf) out += ALPHANUMS[b % ALPHANUMS.length];
  return out;
}

/** controller.ComputeHash: the pod-template-hash of a Deployment's template. The real one hashes Go's
 *  spew dump of the struct; we hash its canonical JSON the same way (fnv32a, then the collision count as
 *  4 little-endian bytes padded to 8, then SafeEncodeString of the decimal sum). Stable per template. */
export function computeHash(template: Obj, collisionCount?: number | null): string {
  let h = fnv32a(stableStringify(template));
  if (collisionCount != null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

// ---- apps/v1 selector + template (ReplicaSet, Deployment) ---------------------------------

/** The selector part of ValidateReplicaSetSpec / ValidateDeploymentSpec followed by
 *  ValidatePodTemplateSpecForReplicaSet. (The real code says "for deployment" for ReplicaSets too.) */
export function validateSelectorAndTemplate(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const sel: Obj | undefined = spec.selector;
  let selectorErrs: FieldError[] = [];
  if (sel == null) errs.push(required("spec.selector", ""));
  else {
    selectorErrs = validateLabelSelector(sel, "spec.selector");
    errs.push(...selectorErrs);
    if (isEmpty(sel.matchLabels) && (sel.matchExpressions ?? []).length === 0)
      errs.push(invalidRaw("spec.selector", goLabelSelector(sel), "empty selector is invalid for deployment"));
  }
  if (selectorErrs.length) {
    errs.push(invalidRaw("spec.selector", goLabelSelector(sel), "invalid label selector"));
    return errs;
  }
  // A nil selector selects nothing (so the template never matches); an empty one skips the check.
  const empty = sel != null && isEmpty(sel.matchLabels) && (sel.matchExpressions ?? []).length === 0;
  const matches = empty ? null : (l: Record<string, string> | undefined) => selectorMatches(sel, l);
  errs.push(...validateReplicaTemplate(spec.template, matches, "spec.template", "ReplicaSet"));
  return errs;
}

/** apps/v1 forbids changing the selector (extensions/v1beta1 allowed it). */
export function immutableSelector(obj: Obj, old: Obj): FieldError[] {
  return deepEqual(obj.spec?.selector, old.spec?.selector)
    ? []
    : [invalidRaw("spec.selector", goLabelSelector(obj.spec?.selector), "field is immutable")];
}
