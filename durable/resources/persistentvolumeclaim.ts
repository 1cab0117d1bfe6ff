// core/v1 PersistentVolumeClaim: SetDefaults_PersistentVolumeClaim, the strategy
// (pkg/registry/core/persistentvolumeclaim/strategy.go), the admission plugins that touch claims
// (DefaultStorageClass fills in the default class, StorageObjectInUseProtection adds its finalizer,
// PersistentVolumeClaimResize refuses growing what cannot grow), ValidatePersistentVolumeClaim /
// ValidatePersistentVolumeClaimUpdate and printPersistentVolumeClaim.
import type { Ctx, FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden, immutable, invalid, isDNS1123Subdomain, notSupported, required, validateLabelSelector } from "./validation";
import { canonicalizeResourceList, compareQuantities, isFractional } from "./quantity";
import { clone, deepEqual } from "./podtemplate";
import { structDiff } from "./godiff";
import { fieldDoc } from "./job";
import { addFinalizer } from "./persistentvolume";
import { forbidden as forbiddenError } from "../api/status";
import {
  accessModesString,
  BETA_STORAGE_CLASS,
  claimClass,
  defaultClass,
  PVC_PROTECTION,
  quantityText,
  requestedStorage,
  VOLUME_MODES,
  validateAccessModes,
  validatePositiveQuantity,
} from "./storagehelpers";

const SPEC = "io.k8s.api.core.v1.PersistentVolumeClaimSpec";
const STATUS = "io.k8s.api.core.v1.PersistentVolumeClaimStatus";

/** validateDataSource / validateDataSourceRef: name and kind, PersistentVolumeClaim in the core group. */
function validateDataSource(ds: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ds.name) errs.push(required(`${path}.name`, ""));
  if (!ds.kind) errs.push(required(`${path}.kind`, ""));
  const group = ds.apiGroup ?? "";
  if (!group && ds.kind !== "PersistentVolumeClaim")
    errs.push(invalid(path, ds.kind ?? "", "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) for (const msg of isDNS1123Subdomain(group)) errs.push(invalid(`${path}.apiGroup`, group, msg));
  return errs;
}

/** ValidatePersistentVolumeClaimSpec. */
export function validateClaimSpec(spec: Obj | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (!s.accessModes?.length) errs.push(required(`${path}.accessModes`, "at least 1 access mode is required"));
  if (s.selector != null) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  if (s.accessModes?.length) errs.push(...validateAccessModes(s.accessModes, `${path}.accessModes`, ""));
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) errs.push(required(`${path}.resources[storage]`, ""));
  else errs.push(...validatePositiveQuantity(storage, `${path}.resources[storage]`));
  if (s.storageClassName)
    for (const msg of isDNS1123Subdomain(s.storageClassName)) errs.push(invalid(`${path}.storageClassName`, s.storageClassName, msg));
  if (s.volumeMode != null && !VOLUME_MODES.includes(s.volumeMode))
    errs.push(notSupported(`${path}.volumeMode`, s.volumeMode, VOLUME_MODES));
  if (s.dataSource != null) errs.push(...validateDataSource(s.dataSource, `${path}.dataSource`));
  if (s.dataSourceRef != null) errs.push(...validateDataSource(s.dataSourceRef, `${path}.dataSourceRef`));
  return errs;
}

/** The beta annotation is frozen; a nil class may be set once (ValidatePersistentVolumeClaimUpdate). */
function classUpgradeAllowed(pvc: Obj, old: Obj): boolean {
  const oldAnn = old.metadata?.annotations?.[BETA_STORAGE_CLASS];
  const newAnn = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS];
  const fromAnnotation =
    oldAnn !== undefined &&
    old.spec?.storageClassName == null &&
    pvc.spec?.storageClassName === oldAnn &&
    (newAnn === undefined || newAnn === oldAnn);
  const fromNil =
    pvc.spec?.storageClassName != null &&
    old.spec?.storageClassName == null &&
    (oldAnn === undefined || pvc.spec.storageClassName === oldAnn);
  return fromAnnotation || fromNil;
}

/** ValidatePersistentVolumeClaimUpdate: everything of the spec but the volume name (once), a nil
 *  class (once) and, for a bound claim, its storage request is immutable. */
export function validateClaimUpdate(pvc: Obj, old: Obj): FieldError[] {
  const errs = validateClaimSpec(pvc.spec, "spec");
  const now = clone(pvc.spec ?? {});
  const was = clone(old.spec ?? {});
  if (!was.volumeName) was.volumeName = now.volumeName;
  if (classUpgradeAllowed(pvc, old)) was.storageClassName = now.storageClassName;
  else {
    const a = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS];
    const b = old.metadata?.annotations?.[BETA_STORAGE_CLASS];
    if (a !== b) errs.push(invalid(`metadata.annotations[${BETA_STORAGE_CLASS}]`, a ?? "", "field is immutable"));
  }
  if (pvc.status?.phase === "Bound" && now.resources?.requests) now.resources.requests.storage = was.resources?.requests?.storage;
  now.volumeAttributesClassName = was.volumeAttributesClassName;
  for (const spec of [now, was]) for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  if (!deepEqual(now, was))
    errs.push(
      forbidden(
        "spec",
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${structDiff("core.PersistentVolumeClaimSpec", was, now)}`,
      ),
    );
  const newSize = requestedStorage(pvc);
  const oldSize = requestedStorage(old);
  // RecoverVolumeExpansionFailure (on in v1.33): shrinking is allowed down to above status.capacity.
  if (compareQuantities(newSize, oldSize) < 0 && compareQuantities(newSize, old.status?.capacity?.storage) <= 0)
    errs.push(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(immutable("volumeMode", pvc.spec?.volumeMode ?? null));
  return errs;
}

/** PersistentVolumeClaimResize: a claim grows only when bound, dynamically provisioned by a class
 *  that allows expansion. Runs after validation, as admission does. */
function checkResize(pvc: Obj, old: Obj, ctx: Ctx): void {
  if (compareQuantities(requestedStorage(pvc), requestedStorage(old)) <= 0) return;
  const name = pvc.metadata?.name ?? "";
  if (old.status?.phase !== "Bound")
    throw forbiddenError("persistentvolumeclaims", "", name, "Only bound persistent volume claims can be expanded");
  const className = claimClass(pvc);
  const sc = className ? ctx.get("storageclasses", undefined, className) : undefined;
  if (sc?.allowVolumeExpansion !== true)
    throw forbiddenError(
      "persistentvolumeclaims",
      "",
      name,
      "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
    );
}

/** GetWarningsForPersistentVolumeClaim. */
function warnings(pvc: Obj): string[] {
  const out: string[] = [];
  if (pvc.metadata?.annotations?.[BETA_STORAGE_CLASS] !== undefined)
    out.push(`metadata.annotations[${BETA_STORAGE_CLASS}]: deprecated since v1.8; use "storageClassName" attribute instead`);
  for (const kind of ["requests", "limits"]) {
    const q = pvc.spec?.resources?.[kind]?.storage;
    if (q !== undefined && isFractional(q))
      out.push(`spec.resources.${kind}[storage]: fractional byte value "${q}" is invalid, must be an integer`);
  }
  return out;
}

const canonicalize = (pvc: Obj) => {
  canonicalizeResourceList(pvc.spec?.resources?.requests);
  canonicalizeResourceList(pvc.spec?.resources?.limits);
  canonicalizeResourceList(pvc.status?.capacity);
  canonicalizeResourceList(pvc.status?.allocatedResources);
};

const persistentvolumeclaims: ResourceDef = {
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  namespaced: true,
  shortNames: ["pvc"],
  subresources: { status: true },
  openapi: "io.k8s.api.core.v1.PersistentVolumeClaim",

  columns: [
    nameColumn,
    { name: "Status", type: "string", description: fieldDoc(STATUS, "phase"), priority: 0 },
    { name: "Volume", type: "string", description: fieldDoc(SPEC, "volumeName"), priority: 0 },
    { name: "Capacity", type: "string", description: fieldDoc(STATUS, "capacity"), priority: 0 },
    { name: "Access Modes", type: "string", description: fieldDoc(STATUS, "accessModes"), priority: 0 },
    { name: "StorageClass", type: "string", description: "StorageClass of the pvc", priority: 0 },
    { name: "VolumeAttributesClass", type: "string", description: "VolumeAttributesClass of the pvc", priority: 0 },
    ageColumn,
    { name: "VolumeMode", type: "string", description: fieldDoc(SPEC, "volumeMode"), priority: 1 },
  ],
  // printPersistentVolumeClaim: capacity and access modes come from the status once a volume is named.
  row: (pvc, ctx) => {
    const bound = !!pvc.spec?.volumeName;
    return [
      pvc.metadata?.name,
      pvc.metadata?.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? ""),
      pvc.spec?.volumeName ?? "",
      bound ? quantityText(pvc.status?.capacity?.storage) : "",
      bound ? accessModesString(pvc.status?.accessModes) : "",
      claimClass(pvc),
      pvc.spec?.volumeAttributesClassName ?? "<unset>",
      age(pvc.metadata?.creationTimestamp, ctx.now),
      pvc.spec?.volumeMode ?? "<unset>",
    ];
  },

  // SetDefaults_PersistentVolumeClaim and SetDefaults_PersistentVolumeClaimSpec.
  defaults(pvc) {
    pvc.spec ??= {};
    pvc.status ??= {};
    pvc.status.phase ||= "Pending";
    pvc.spec.volumeMode ??= "Filesystem";
    canonicalize(pvc);
  },

  prepareForCreate(pvc, ctx) {
    // The strategy clears the status; reading it back from storage defaults the phase again.
    pvc.status = { phase: "Pending" };
    delete pvc.spec.volumeAttributesClassName; // VolumeAttributesClass is off in v1.33
    // DefaultStorageClass: a claim that names no class (not even "") gets the default one.
    if (pvc.spec.storageClassName == null && pvc.metadata.annotations?.[BETA_STORAGE_CLASS] === undefined) {
      const def = defaultClass(ctx.list("storageclasses"));
      if (def) pvc.spec.storageClassName = def.metadata.name;
    }
    addFinalizer(pvc, PVC_PROTECTION);
  },
  prepareForUpdate(pvc, old) {
    pvc.status = old.status;
    if (old.spec?.volumeAttributesClassName == null) delete pvc.spec.volumeAttributesClassName;
  },
  prepareForStatusUpdate: (pvc) => canonicalize(pvc),

  validate: (pvc) => validateClaimSpec(pvc.spec, "spec"),
  validateUpdate(pvc, old, ctx) {
    const errs = validateClaimUpdate(pvc, old);
    if (!errs.length) checkResize(pvc, old, ctx);
    return errs;
  },
  warnings,
  fieldSelectors: { name: (pvc) => pvc.metadata?.name ?? "" },
};

export default persistentvolumeclaims;
