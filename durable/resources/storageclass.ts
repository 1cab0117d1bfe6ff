// storage.k8s.io/v1 StorageClass: SetDefaults_StorageClass, ValidateStorageClass /
// ValidateStorageClassUpdate (pkg/apis/storage/validation) and printStorageClass.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { each, forbidden, immutable, invalid, isQualifiedName, notSupported, required, tooLong } from "./validation";
import { fieldDoc } from "./job";
import { isDefaultClass } from "./storagehelpers";

const DOC = "io.k8s.api.storage.v1.StorageClass";
const RECLAIM_POLICIES = ["Delete", "Retain"];
const BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

/** validateParameters: keys not empty, at most 512 of them and 256 KiB in all. */
function validateParameters(params: Record<string, unknown> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [tooLong("parameters", MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (!k.length) errs.push(invalid("parameters", k, "field can not be empty."));
    size += k.length + String(v ?? "").length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong("parameters", MAX_PARAMETERS_SIZE));
  return errs;
}

/** ValidateTopologySelectorTerm for each allowed topology: keys and values given, terms distinct. */
function validateAllowedTopologies(topologies: Obj[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen: string[] = [];
  (topologies ?? []).forEach((term, i) => {
    const path = `allowedTopologies[${i}]`;
    const exprs: Obj[] = term.matchLabelExpressions ?? [];
    exprs.forEach((e, j) => {
      const ep = `${path}.matchLabelExpressions[${j}]`;
      errs.push(...each(`${ep}.key`, e.key ?? "", isQualifiedName(String(e.key ?? ""))));
      if (!(e.values ?? []).length) errs.push(required(`${ep}.values`, "must specify as least one value"));
    });
    const key = JSON.stringify(exprs.map((e) => [e.key, [...(e.values ?? [])].sort()]).sort());
    if (seen.includes(key))
      errs.push({ type: "FieldValueDuplicate", field: `${path}.matchLabelExpressions`, message: 'Duplicate value: ""' });
    seen.push(key);
  });
  return errs;
}

export function validateStorageClass(sc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = String(sc.provisioner ?? "");
  if (!provisioner) errs.push(required("provisioner", ""));
  else errs.push(...each("provisioner", provisioner.toLowerCase(), isQualifiedName(provisioner.toLowerCase())));
  errs.push(...validateParameters(sc.parameters));
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy))
    errs.push(notSupported("reclaimPolicy", sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode == null) errs.push(required("volumeBindingMode", ""));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported("volumeBindingMode", sc.volumeBindingMode, BINDING_MODES));
  errs.push(...validateAllowedTopologies(sc.allowedTopologies));
  return errs;
}

/** ValidateStorageClassUpdate: parameters, provisioner, reclaim policy and binding mode stay. */
export function validateStorageClassUpdate(sc: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (JSON.stringify(sc.parameters ?? null) !== JSON.stringify(old.parameters ?? null))
    errs.push(forbidden("parameters", "updates to parameters are forbidden."));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(immutable("volumeBindingMode", sc.volumeBindingMode ?? null));
  return errs;
}

const storageclasses: ResourceDef = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  singular: "storageclass",
  namespaced: false,
  shortNames: ["sc"],
  openapi: DOC,

  columns: [
    nameColumn,
    { name: "Provisioner", type: "string", description: fieldDoc(DOC, "provisioner"), priority: 0 },
    { name: "ReclaimPolicy", type: "string", description: fieldDoc(DOC, "reclaimPolicy"), priority: 0 },
    { name: "VolumeBindingMode", type: "string", description: fieldDoc(DOC, "volumeBindingMode"), priority: 0 },
    { name: "AllowVolumeExpansion", type: "string", description: fieldDoc(DOC, "allowVolumeExpansion"), priority: 0 },
    ageColumn,
  ],
  // printStorageClass: the default class is marked on its name; AllowVolumeExpansion is a bool cell.
  row: (sc, ctx) => [
    isDefaultClass(sc) ? `${sc.metadata?.name} (default)` : sc.metadata?.name,
    sc.provisioner ?? "",
    sc.reclaimPolicy ?? "Delete",
    sc.volumeBindingMode ?? "Immediate",
    sc.allowVolumeExpansion ?? false,
    age(sc.metadata?.creationTimestamp, ctx.now),
  ],

  // SetDefaults_StorageClass.
  defaults(sc) {
    sc.reclaimPolicy ??= "Delete";
    sc.volumeBindingMode ??= "Immediate";
  },

  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
};

export default storageclasses;
