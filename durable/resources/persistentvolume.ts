// core/v1 PersistentVolume: SetDefaults_PersistentVolume, the strategy
// (pkg/registry/core/persistentvolume/strategy.go: a new volume is Pending, lastPhaseTransitionTime
// follows the phase), the StorageObjectInUseProtection finalizer, ValidatePersistentVolume /
// ValidatePersistentVolumeUpdate and printPersistentVolume.
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden, immutable, invalid, isDNS1123Subdomain, notSupported, required } from "./validation";
import { canonicalizeResourceList, formatCanonical, parseCanonical } from "./quantity";
import { deepEqual, invalidRaw } from "./podtemplate";
import { structDiff } from "./godiff";
import { fieldDoc } from "./job";
import {
  accessModesString,
  PV_PROTECTION,
  quantityText,
  rfc3339,
  VOLUME_MODES,
  validateAccessModes,
  validateHostPathSource,
  validateLocalSource,
  validateBasicResource,
  validatePositiveQuantity,
  validateVolumeNodeAffinity,
  volumeCapacity,
  volumeClass,
} from "./storagehelpers";

const SPEC = "io.k8s.api.core.v1.PersistentVolumeSpec";
const STATUS = "io.k8s.api.core.v1.PersistentVolumeStatus";
const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];

/** The PersistentVolumeSource fields, in the order ValidatePersistentVolumeSpec counts them. */
export const VOLUME_SOURCES = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "glusterfs",
  "flocker",
  "nfs",
  "rbd",
  "quobyte",
  "cephfs",
  "iscsi",
  "cinder",
  "fc",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "scaleIO",
  "local",
  "storageos",
  "csi",
];

/** Volume types whose mount options the kubelet can pass on (checkMountOption). */
const MOUNT_OPTION_SOURCES = new Set(
  VOLUME_SOURCES.filter((s) => !["hostPath", "local", "flexVolume", "storageos", "csi"].includes(s)).concat("csi"),
);
const MOUNT_OPTIONS_ANNOTATION = "volume.beta.kubernetes.io/mount-options";

/** The source fields of a spec, as one object (core.PersistentVolumeSource). */
export const volumeSource = (spec: Obj | undefined): Obj =>
  Object.fromEntries(VOLUME_SOURCES.filter((s) => spec?.[s] != null).map((s) => [s, spec![s]]));

/** The checks of the sources we can tell apart; the others only have to be there. */
function validateSource(spec: Obj, source: string): FieldError[] {
  const path = `spec.${source}`;
  if (source === "hostPath") return validateHostPathSource(spec.hostPath, path);
  if (source === "local") return validateLocalSource(spec.local, path);
  if (source === "nfs") {
    const errs: FieldError[] = [];
    if (!spec.nfs.server) errs.push(required(`${path}.server`, ""));
    if (!spec.nfs.path) errs.push(required(`${path}.path`, ""));
    else if (!String(spec.nfs.path).startsWith("/")) errs.push(invalid(`${path}.path`, spec.nfs.path, "must be an absolute path"));
    return errs;
  }
  if (source === "csi") {
    const errs: FieldError[] = [];
    if (!spec.csi.driver) errs.push(required(`${path}.driver`, ""));
    if (!spec.csi.volumeHandle) errs.push(required(`${path}.volumeHandle`, ""));
    return errs;
  }
  return [];
}

/** ValidatePersistentVolumeSpec (not inline) and the volume plugins' checkMountOption. */
export function validatePersistentVolume(pv: Obj): FieldError[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes", "");
  const capacity = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errs.push(required("spec.capacity", ""));
  if (!("storage" in capacity) || Object.keys(capacity).length > 1) errs.push(notSupportedCapacity(spec.capacity));
  for (const [r, q] of Object.entries(capacity)) {
    const basic = validateBasicResource(q, `spec.capacity[${r}]`);
    errs.push(
      ...basic,
      ...(basic.some((e) => e.message.startsWith('Invalid value: "quantities')) ? [] : validatePositiveQuantity(q, `spec.capacity[${r}]`)),
    );
  }
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy))
    errs.push(notSupported("spec.persistentVolumeReclaimPolicy", spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  const [affinity, affinityErrs] = validateVolumeNodeAffinity(spec.nodeAffinity, "spec.nodeAffinity");
  errs.push(...affinityErrs);
  let sources = 0;
  for (const s of VOLUME_SOURCES) {
    if (spec[s] == null) continue;
    // flexVolume is counted without the check the others get (as the real code does).
    if (sources > 0 && s !== "flexVolume") {
      errs.push(forbidden(`spec.${s === "cephfs" ? "cephFS" : s}`, "may not specify more than 1 volume type"));
      continue;
    }
    sources++;
    errs.push(...validateSource(spec, s));
    if (s === "local" && !affinity) errs.push(required("spec.nodeAffinity", "Local volume requires node affinity"));
  }
  if (sources === 0) errs.push(required("spec", "must specify a volume type"));
  if (spec.hostPath && normalisedPath(spec.hostPath.path) === "/" && spec.persistentVolumeReclaimPolicy === "Recycle")
    errs.push(forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'"));
  if (spec.storageClassName)
    for (const msg of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid("spec.storageClassName", spec.storageClassName, msg));
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode))
    errs.push(notSupported("spec.volumeMode", spec.volumeMode, VOLUME_MODES));
  const mountable = VOLUME_SOURCES.some((s) => spec[s] != null && MOUNT_OPTION_SOURCES.has(s));
  if (!mountable && pv.metadata?.annotations?.[MOUNT_OPTIONS_ANNOTATION] !== undefined)
    errs.push(forbidden(`metadata.annotations.${MOUNT_OPTIONS_ANNOTATION}`, "may not specify mount options for this volume type"));
  if (!mountable && (spec.mountOptions ?? []).length)
    errs.push(forbidden("spec.mountOptions", "may not specify mount options for this volume type"));
  return errs;
}

/** Go's %#v of a resource.Quantity as the JSON decode leaves it (the fast path of ParseQuantity keeps
 *  the text when it is already canonical). */
function goQuantity(text: unknown): string {
  const q = typeof text === "string" || typeof text === "number" ? parseCanonical(String(text)) : undefined;
  if (!q)
    return 'resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:""}';
  const s = formatCanonical(q) === String(text) ? String(text) : "";
  return `resource.Quantity{i:resource.int64Amount{value:${q.negative ? "-" : ""}${q.unscaled}, scale:${q.format === "BinarySI" ? 0 : q.scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${JSON.stringify(s)}, Format:${JSON.stringify(q.format)}}`;
}

/** Go's %#v of a core.ResourceList (what NotSupported prints for the capacity map). */
function goResourceList(list: Obj | undefined): string {
  if (list == null) return "core.ResourceList(nil)";
  const keys = Object.keys(list).sort();
  return `core.ResourceList{${keys.map((k) => `${JSON.stringify(k)}:${goQuantity(list[k])}`).join(", ")}}`;
}

/** NotSupported(spec.capacity, the map, ["storage"]). */
const notSupportedCapacity = (capacity: Obj | undefined): FieldError => ({
  type: "FieldValueNotSupported",
  field: "spec.capacity",
  message: `Unsupported value: ${goResourceList(capacity)}: supported values: "storage"`,
});

/** path.Clean, enough to tell "/" apart. */
const normalisedPath = (p: unknown) =>
  String(p ?? "")
    .replace(/\/+/g, "/")
    .replace(/(.)\/$/, "$1") || ".";

/** ValidatePersistentVolumeUpdate: the source and volume mode are immutable, node affinity may only be set once. */
function validateUpdate(pv: Obj, old: Obj): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const now = volumeSource(pv.spec);
  const was = volumeSource(old.spec);
  // A CSI volume may gain a controllerExpandSecretRef.
  if (was.csi && now.csi && !was.csi.controllerExpandSecretRef && now.csi.controllerExpandSecretRef) {
    now.csi = { ...now.csi };
    delete now.csi.controllerExpandSecretRef;
  }
  if (!deepEqual(now, was))
    errs.push(
      forbidden(
        "spec.persistentvolumesource",
        `spec.persistentvolumesource is immutable after creation\n${structDiff("core.PersistentVolumeSource", was, now)}`,
      ),
    );
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(immutable("volumeMode", pv.spec?.volumeMode ?? null));
  if (old.spec?.nodeAffinity != null && !deepEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity))
    errs.push(invalidRaw("nodeAffinity", "&core.VolumeNodeAffinity{Required:(*core.NodeSelector)(0xc000a1b2c0)}", "field is immutable"));
  return errs;
}

/** GetWarningsForPersistentVolume. */
function warnings(pv: Obj): string[] {
  const out: string[] = [];
  if (pv.metadata?.annotations?.["volume.beta.kubernetes.io/storage-class"] !== undefined)
    out.push(
      'metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead',
    );
  if (pv.spec?.persistentVolumeReclaimPolicy === "Recycle")
    out.push(
      "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.",
    );
  return out;
}

/** The phase a printer shows: Terminating while being deleted. */
const phaseCell = (o: Obj) => (o.metadata?.deletionTimestamp ? "Terminating" : (o.status?.phase ?? ""));

/** VolumeAttributesClass is off in v1.33 (beta, disabled): a new value is dropped. */
function dropDisabledFields(spec: Obj | undefined, old?: Obj): void {
  if (spec && old?.volumeAttributesClassName == null) delete spec.volumeAttributesClassName;
}

/** Add StorageObjectInUseProtection's finalizer (the admission plugin does it on create). */
export function addFinalizer(obj: Obj, finalizer: string): void {
  const list: string[] = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

const persistentvolumes: ResourceDef = {
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  singular: "persistentvolume",
  namespaced: false,
  shortNames: ["pv"],
  subresources: { status: true },
  openapi: "io.k8s.api.core.v1.PersistentVolume",

  columns: [
    nameColumn,
    { name: "Capacity", type: "string", description: fieldDoc(SPEC, "capacity"), priority: 0 },
    { name: "Access Modes", type: "string", description: fieldDoc(SPEC, "accessModes"), priority: 0 },
    { name: "Reclaim Policy", type: "string", description: fieldDoc(SPEC, "persistentVolumeReclaimPolicy"), priority: 0 },
    { name: "Status", type: "string", description: fieldDoc(STATUS, "phase"), priority: 0 },
    { name: "Claim", type: "string", description: fieldDoc(SPEC, "claimRef"), priority: 0 },
    { name: "StorageClass", type: "string", description: "StorageClass of the pv", priority: 0 },
    { name: "VolumeAttributesClass", type: "string", description: "VolumeAttributesClass of the pv", priority: 0 },
    { name: "Reason", type: "string", description: fieldDoc(STATUS, "reason"), priority: 0 },
    ageColumn,
    { name: "VolumeMode", type: "string", description: fieldDoc(SPEC, "volumeMode"), priority: 1 },
  ],
  row: (pv, ctx) => {
    const ref = pv.spec?.claimRef;
    return [
      pv.metadata?.name,
      quantityText(volumeCapacity(pv)),
      accessModesString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? "",
      phaseCell(pv),
      ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "",
      volumeClass(pv),
      pv.spec?.volumeAttributesClassName ?? "<unset>",
      pv.status?.reason ?? "",
      age(pv.metadata?.creationTimestamp, ctx.now),
      pv.spec?.volumeMode ?? "<unset>",
    ];
  },

  // SetDefaults_PersistentVolume (and SetDefaults_HostPathVolumeSource).
  defaults(pv) {
    pv.spec ??= {};
    pv.status ??= {};
    pv.status.phase ||= "Pending";
    pv.spec.persistentVolumeReclaimPolicy ||= "Retain";
    pv.spec.volumeMode ??= "Filesystem";
    if (pv.spec.hostPath) pv.spec.hostPath.type ??= "";
    canonicalizeResourceList(pv.spec.capacity);
  },

  prepareForCreate(pv, ctx: Ctx) {
    pv.status = { phase: "Pending", lastPhaseTransitionTime: rfc3339(ctx.now) };
    dropDisabledFields(pv.spec);
    addFinalizer(pv, PV_PROTECTION);
  },
  prepareForUpdate(pv, old) {
    pv.status = old.status;
    dropDisabledFields(pv.spec, old.spec);
  },
  // The status strategy: a phase change stamps lastPhaseTransitionTime unless the writer did.
  prepareForStatusUpdate(pv, old, ctx) {
    const phase = pv.status?.phase;
    const given = pv.status?.lastPhaseTransitionTime;
    pv.status ??= {};
    if (phase === old.status?.phase && given == null) {
      if (old.status?.lastPhaseTransitionTime) pv.status.lastPhaseTransitionTime = old.status.lastPhaseTransitionTime;
    } else if (phase !== old.status?.phase && (given == null || given === old.status?.lastPhaseTransitionTime))
      pv.status.lastPhaseTransitionTime = rfc3339(ctx.now);
  },

  validate: validatePersistentVolume,
  validateUpdate,
  warnings,
  fieldSelectors: { name: (pv) => pv.metadata?.name ?? "" },
};

export default persistentvolumes;
