// What the storage kinds, the PV controller and the scheduler share: the annotations and helpers of
// k8s.io/component-helpers/storage/volume and pkg/apis/core/helper (access modes, class names, the
// default class), and the validation pieces of PersistentVolumes and their claims
// (pkg/apis/core/validation: node affinity, hostPath, quantities).
import type { FieldError, Obj } from "./types";
import { compareQuantities, formatCanonical, parseCanonical } from "./quantity";
import { each, forbidden, invalid, isQualifiedName, notSupported, required } from "./validation";

export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
export const BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
/** The provisioner name of classes that cannot provision (local volumes made by hand). */
export const NO_PROVISIONER = "kubernetes.io/no-provisioner";
/** StorageObjectInUseProtection's finalizers. */
export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
export const PV_PROTECTION = "kubernetes.io/pv-protection";

export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const SHORT_MODES: [string, string][] = [
  ["ReadWriteOnce", "RWO"],
  ["ReadOnlyMany", "ROX"],
  ["ReadWriteMany", "RWX"],
  ["ReadWriteOncePod", "RWOP"],
];

/** GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that order, each once. */
export function accessModesString(modes: string[] | undefined | null): string {
  const set = new Set(modes ?? []);
  return SHORT_MODES.filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(",");
}

/** GetPersistentVolumeClass: the class of a volume (the beta annotation first). */
export function volumeClass(pv: Obj): string {
  const beta = pv.metadata?.annotations?.[BETA_STORAGE_CLASS];
  return beta !== undefined ? beta : (pv.spec?.storageClassName ?? "");
}

/** GetPersistentVolumeClaimClass: the class a claim asks for (the beta annotation first). */
export function claimClass(pvc: Obj): string {
  const beta = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS];
  return beta !== undefined ? beta : (pvc.spec?.storageClassName ?? "");
}

/** IsDefaultAnnotation: the class says it is the default. */
export function isDefaultClass(sc: Obj): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}

/** IsDefaultAnnotationText: what `kubectl describe sc` prints for IsDefaultClass. */
export function isDefaultClassText(sc: Obj): string {
  return isDefaultClass(sc) ? "Yes" : "No";
}

/** storageutil.GetDefaultClass: of the classes marked default, the newest (then the first by name). */
export function defaultClass(classes: Obj[]): Obj | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? "") || 0;
    if (ta !== tb) return tb - ta;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
  return defaults[0];
}

/** metav1.Time as JSON: RFC 3339 in whole seconds. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The storage a claim requests, a volume's capacity: Quantity strings (undefined when absent). */
export const requestedStorage = (pvc: Obj): unknown => pvc.spec?.resources?.requests?.storage;
export const volumeCapacity = (pv: Obj): unknown => pv.spec?.capacity?.storage;

/** Quantity.String() of a ResourceList entry: "0" for a missing one (the zero Quantity). */
export function quantityText(v: unknown): string {
  if (v === undefined || v === null) return "0";
  return String(v);
}

// ---- validation -----------------------------------------------------------------------------

/** ValidateNodeSelectorRequirement. */
function validateNodeSelectorRequirement(rq: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = rq.values ?? [];
  switch (rq.operator) {
    case "In":
    case "NotIn":
      if (!values.length) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, rq.operator ?? "", "not a valid selector operator"));
  }
  errs.push(...each(`${path}.key`, rq.key ?? "", isQualifiedName(String(rq.key ?? ""))));
  return errs;
}

/** ValidateNodeSelector (a PV's nodeAffinity.required, a pod's required node affinity). */
export function validateNodeSelector(sel: Obj, path: string): FieldError[] {
  const terms: Obj[] = sel.nodeSelectorTerms ?? [];
  if (!terms.length) return [required(`${path}.nodeSelectorTerms`, "must have at least one node selector term")];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    const tp = `${path}.nodeSelectorTerms[${i}]`;
    ((t.matchExpressions ?? []) as Obj[]).forEach((rq, j) =>
      errs.push(...validateNodeSelectorRequirement(rq, `${tp}.matchExpressions[${j}]`)),
    );
    ((t.matchFields ?? []) as Obj[]).forEach((rq, j) => {
      const fp = `${tp}.matchFields[${j}]`;
      if (rq.key !== "metadata.name") errs.push(invalid(`${fp}.key`, rq.key ?? "", "not a valid field selector key"));
      if (rq.operator !== "In" && rq.operator !== "NotIn")
        errs.push(invalid(`${fp}.operator`, rq.operator ?? "", "not a valid selector operator"));
      else if ((rq.values ?? []).length !== 1)
        errs.push(required(`${fp}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    });
  });
  return errs;
}

/** validateVolumeNodeAffinity: whether affinity was given, and its errors. */
export function validateVolumeNodeAffinity(affinity: Obj | undefined, path: string): [boolean, FieldError[]] {
  if (affinity == null) return [false, []];
  if (affinity.required == null) return [true, [required(`${path}.required`, "must specify required node constraints")]];
  return [true, validateNodeSelector(affinity.required, `${path}.required`)];
}

const HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

/** validatePathNoBacksteps. */
export function validatePathNoBacksteps(p: string, path: string): FieldError[] {
  return p.split("/").includes("..") ? [invalid(path, p, "must not contain '..'")] : [];
}

/** validateHostPathVolumeSource. */
export function validateHostPathSource(hp: Obj, path: string): FieldError[] {
  if (!hp.path) return [required(`${path}.path`, "")];
  const errs = validatePathNoBacksteps(String(hp.path), `${path}.path`);
  if (hp.type != null && !HOST_PATH_TYPES.includes(hp.type)) errs.push(notSupported(`${path}.type`, hp.type, HOST_PATH_TYPES));
  return errs;
}

/** validateLocalVolumeSource. */
export function validateLocalSource(ls: Obj, path: string): FieldError[] {
  if (!ls.path) return [required(`${path}.path`, "")];
  return validatePathNoBacksteps(String(ls.path), `${path}.path`);
}

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The quantity, parsed, or the field error a value that is no quantity gets. */
type Quantity = NonNullable<ReturnType<typeof parseCanonical>>;

function parsedQuantity(q: unknown, path: string): Quantity | FieldError {
  const parsed = typeof q === "string" || typeof q === "number" ? parseCanonical(String(q)) : undefined;
  return parsed ?? invalid(path, q ?? "", QUANTITY_FORMAT);
}

/** Quantity.Value(): the integer amount, rounded away from zero. */
function quantityValue(q: Quantity): bigint {
  const magnitude =
    q.scale >= 0 ? q.unscaled * 10n ** BigInt(q.scale) : (q.unscaled + 10n ** BigInt(-q.scale) - 1n) / 10n ** BigInt(-q.scale);
  return q.negative ? -magnitude : magnitude;
}

/** validateBasicResource: not negative (the integer value is what it prints). */
export function validateBasicResource(q: unknown, path: string): FieldError[] {
  const parsed = parsedQuantity(q, path);
  if ("type" in parsed) return [parsed];
  const value = quantityValue(parsed);
  return value < 0n ? [invalid(path, Number(value), "must be a valid resource quantity")] : [];
}

/** ValidatePositiveQuantityValue: above zero. */
export function validatePositiveQuantity(q: unknown, path: string): FieldError[] {
  const parsed = parsedQuantity(q, path);
  if ("type" in parsed) return [parsed];
  return compareQuantities(q, 0) <= 0 ? [invalid(path, formatCanonical(parsed), "must be greater than zero")] : [];
}

/** The access modes of a PV or PVC spec: required, supported, ReadWriteOncePod alone. */
export function validateAccessModes(modes: unknown[] | undefined, path: string, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes?.length) errs.push(required(path, requiredDetail));
  let once = false;
  let other = false;
  for (const m of modes ?? []) {
    if (!ACCESS_MODES.includes(m as string)) errs.push(notSupported(path, m, ACCESS_MODES));
    if (m === "ReadWriteOncePod") once = true;
    else if (ACCESS_MODES.includes(m as string)) other = true;
  }
  if (once && other) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

export const VOLUME_MODES = ["Block", "Filesystem"];
