// apiextensions.k8s.io/v1 CustomResourceDefinition: SetDefaults_CustomResourceDefinition*, the
// strategy (status reset on create, storedVersions, generation) and ValidateCustomResourceDefinition
// (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation) with its messages. What a CRD
// serves is its established versions, turned into ResourceDefs by customresource.ts.
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
} from "kubernetes-types/apiextensions/v1";
import type { FieldError, Obj, ResourceDef } from "./types";
import { ageColumn, nameColumn } from "./printers";
import { forbidden, immutable, invalid, isDNS1035Label, isDNS1123Subdomain, notSupported, required } from "./validation";
import { validateStructural } from "./crdschema";

export const CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

const COLUMN_TYPES = ["integer", "number", "string", "boolean", "date"];
const COLUMN_FORMATS = ["int32", "int64", "float", "double", "byte", "date", "date-time", "password"];

/** ValidateCustomResourceDefinitionNames (spec.names and status.acceptedNames). */
function validateNames(n: CustomResourceDefinitionNames | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!n) return errs;
  const label = (field: string, v: string | undefined, prefix = "") => {
    const problems = v ? isDNS1035Label(prefix ? v.toLowerCase() : v) : [];
    if (problems.length) errs.push(invalid(`${path}.${field}`, v, prefix + problems.join(",")));
  };
  label("plural", n.plural);
  label("singular", n.singular);
  label("kind", n.kind, "may have mixed case, but should otherwise match: ");
  label("listKind", n.listKind, "may have mixed case, but should otherwise match: ");
  (n.shortNames ?? []).forEach((s, i) => label(`shortNames[${i}]`, s));
  if (n.kind && n.kind === n.listKind) errs.push(invalid(`${path}.listKind`, n.listKind, "kind and listKind may not be the same"));
  (n.categories ?? []).forEach((c, i) => label(`categories[${i}]`, c));
  return errs;
}

/** validateSimpleJSONPath: a path of `.field` steps (upstream parses it with client-go's jsonpath). */
function simplePath(p: string | undefined, path: string, under?: ".spec" | ".status"): FieldError[] {
  if (!p) return [required(path, "")];
  if (under && !p.startsWith(`${under}.`)) return [invalid(path, p, `should be a json path under ${under}`)];
  if (!p.startsWith(".")) return [invalid(path, p, "must be a simple json path starting with .")];
  return [];
}

function validateColumns(cols: CustomResourceColumnDefinition[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (cols ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`, ""));
    if (!c.type) errs.push(required(`${p}.type`, ""));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(`${p}.type`, c.type, COLUMN_TYPES));
    if (c.format && !COLUMN_FORMATS.includes(c.format)) errs.push(notSupported(`${p}.format`, c.format, COLUMN_FORMATS));
    if (!c.jsonPath) errs.push(required(`${p}.jsonPath`, ""));
    else errs.push(...simplePath(c.jsonPath, `${p}.jsonPath`));
  });
  return errs;
}

function validateSubresources(s: CustomResourceSubresources | undefined, path: string): FieldError[] {
  const scale = s?.scale;
  if (!scale) return [];
  const errs = [
    ...simplePath(scale.specReplicasPath, `${path}.scale.specReplicasPath`, ".spec"),
    ...simplePath(scale.statusReplicasPath, `${path}.scale.statusReplicasPath`, ".status"),
  ];
  if (scale.labelSelectorPath) errs.push(...simplePath(scale.labelSelectorPath, `${path}.scale.labelSelectorPath`));
  return errs;
}

/** Go's %#v of the internal versions slice, which field.Invalid prints for `spec.versions`. The
 *  pointers are addresses upstream; here a stable stand-in of the same shape. */
export function goVersionsDump(versions: CustomResourceDefinitionVersion[]): string {
  let addr = 0xc000a1e000;
  const ptr = (type: string, v: unknown) => (v == null ? `(*${type})(nil)` : `(*${type})(0x${((addr += 0x40)).toString(16)})`);
  const slice = (type: string, v: unknown[] | undefined) => (v?.length ? `[]${type}{...}` : `[]${type}(nil)`);
  const one = (v: CustomResourceDefinitionVersion) =>
    `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v.name ?? "")}, Served:${!!v.served}, Storage:${!!v.storage}, ` +
    `Deprecated:${!!v.deprecated}, DeprecationWarning:${ptr("string", v.deprecationWarning)}, ` +
    `Schema:${ptr("apiextensions.CustomResourceValidation", v.schema)}, ` +
    `Subresources:${ptr("apiextensions.CustomResourceSubresources", v.subresources)}, ` +
    `AdditionalPrinterColumns:${slice("apiextensions.CustomResourceColumnDefinition", v.additionalPrinterColumns)}, ` +
    `SelectableFields:${slice("apiextensions.SelectableField", v.selectableFields)}}`;
  return `[]apiextensions.CustomResourceDefinitionVersion{${versions.map(one).join(", ")}}`;
}

const invalidVersions = (versions: CustomResourceDefinitionVersion[], detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field: "spec.versions",
  message: `Invalid value: ${goVersionsDump(versions)}: ${detail}`,
});

export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition["spec"]);
  const names = spec.names ?? ({} as CustomResourceDefinitionNames);
  const name = crd.metadata?.name ?? "";
  if (name && name !== `${names.plural}.${spec.group}`)
    errs.push(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) errs.push(required("spec.group", ""));
  else if (isDNS1123Subdomain(spec.group).length) errs.push(invalid("spec.group", spec.group, isDNS1123Subdomain(spec.group).join(",")));
  else if (spec.group.split(".").length < 2) errs.push(invalid("spec.group", spec.group, "should be a domain with at least one dot"));
  if (!spec.scope) errs.push(required("spec.scope", ""));
  else if (!["Cluster", "Namespaced"].includes(spec.scope)) errs.push(notSupported("spec.scope", spec.scope, ["Cluster", "Namespaced"]));

  const versions = spec.versions ?? [];
  if (!versions.length) errs.push(required("spec.versions", "must have exactly one version marked as storage version"));
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const problems = isDNS1035Label(v.name ?? "");
    if (problems.length) errs.push(invalid(`${p}.name`, v.name ?? "", problems.join(",")));
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(required(`${p}.schema.openAPIV3Schema`, "schemas are required"));
    else errs.push(...validateStructural(schema, `${p}.schema.openAPIV3Schema`));
    errs.push(...validateSubresources(v.subresources, `${p}.subresources`));
    errs.push(...validateColumns(v.additionalPrinterColumns, `${p}.additionalPrinterColumns`));
  });
  if (!unique) errs.push(invalidVersions(versions, "must contain unique version names"));
  if (versions.length && storage !== 1) errs.push(invalidVersions(versions, "must have exactly one version marked as storage version"));

  if (!names.plural) errs.push(required("spec.names.plural", ""));
  if (!names.singular) errs.push(required("spec.names.singular", ""));
  if (!names.kind) errs.push(required("spec.names.kind", ""));
  if (!names.listKind) errs.push(required("spec.names.listKind", ""));
  errs.push(...validateNames(names, "spec.names"));
  const strategy = spec.conversion?.strategy;
  if (spec.conversion && strategy !== "None" && strategy !== "Webhook")
    errs.push(
      strategy ? notSupported("spec.conversion.strategy", strategy, ["None", "Webhook"]) : required("spec.conversion.strategy", ""),
    );
  if (strategy === "Webhook")
    errs.push(forbidden("spec.conversion.strategy", "kubeplay runs no conversion webhooks: use strategy None (apiVersion is rewritten)"));
  errs.push(...validateNames(crd.status?.acceptedNames, "status.acceptedNames"));
  return errs;
}

/** validateCustomResourceDefinitionSpecUpdate, and storedVersions must stay served or stored. */
export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = validateCRD(crd);
  const immutableField = (path: string, a: unknown, b: unknown) => {
    if (a !== b) errs.push(immutable(path, a ?? ""));
  };
  immutableField("spec.group", crd.spec?.group, old.spec?.group);
  immutableField("spec.names.plural", crd.spec?.names?.plural, old.spec?.names?.plural);
  // requireImmutableNames: once Established, scope and kind stay.
  if (established(old)) {
    immutableField("spec.scope", crd.spec?.scope, old.spec?.scope);
    immutableField("spec.names.kind", crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  return errs;
}

export const condition = (crd: Obj, type: string): Obj | undefined => (crd.status?.conditions ?? []).find((c: Obj) => c.type === type);
export const established = (crd: Obj): boolean => condition(crd, "Established")?.status === "True";

/** The storage version's name. */
export const storageVersion = (crd: Obj): string | undefined => (crd.spec?.versions ?? []).find((v: Obj) => v.storage)?.name;

/** The storage version joins status.storedVersions (strategy PrepareForCreate / PrepareForUpdate). */
function recordStoredVersion(crd: Obj): void {
  const v = storageVersion(crd);
  const status = (crd.status ??= {});
  if (v && !(status.storedVersions ?? []).includes(v)) status.storedVersions = [...(status.storedVersions ?? []), v];
}

const customresourcedefinitions: ResourceDef = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  singular: "customresourcedefinition",
  namespaced: false,
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  openapi: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
  subresources: { status: true },
  // No printer upstream: the default TableConvertor (Name, Created At).
  columns: [nameColumn, { name: "Created At", type: "date", description: ageColumn.description, priority: 0 }],
  row: (crd) => [crd.metadata?.name, crd.metadata?.creationTimestamp],

  // SetDefaults_CustomResourceDefinitionSpec and friends.
  defaults(crd) {
    const spec = (crd.spec ??= {});
    const names = (spec.names ??= {});
    if (!names.singular && names.kind) names.singular = String(names.kind).toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
    spec.conversion ??= { strategy: "None" };
    if (spec.conversion.strategy === "Webhook") {
      spec.conversion.webhook?.clientConfig?.service && (spec.conversion.webhook.clientConfig.service.port ??= 443);
    }
    for (const v of spec.versions ?? []) {
      if (v.served === undefined) v.served = false;
      if (v.storage === undefined) v.storage = false;
    }
    const status = (crd.status ??= {});
    status.acceptedNames ??= { kind: "", plural: "" };
    status.storedVersions ??= [];
  },
  prepareForCreate(crd) {
    crd.status = { acceptedNames: { kind: "", plural: "" }, storedVersions: [] };
    crd.metadata.generation = 1;
    recordStoredVersion(crd);
  },
  prepareForUpdate(crd, old) {
    if (JSON.stringify(crd.spec) !== JSON.stringify(old.spec)) crd.metadata.generation = (old.metadata.generation ?? 0) + 1;
    crd.status = JSON.parse(JSON.stringify(old.status ?? {}));
    recordStoredVersion(crd);
  },
  // The REST storage's Delete: the first request marks the CRD, which the finalizer controller
  // empties of its custom objects before it goes.
  beforeDelete(crd, ctx) {
    if (crd.metadata.deletionTimestamp) return undefined;
    crd.metadata.deletionTimestamp = new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, "Z");
    crd.metadata.deletionGracePeriodSeconds = 0;
    crd.metadata.finalizers = [...new Set([...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
    const conditions = (crd.status?.conditions ?? []).filter((c: Obj) => c.type !== "Terminating");
    conditions.push({
      type: "Terminating",
      status: "True",
      lastTransitionTime: crd.metadata.deletionTimestamp,
      reason: "InstanceDeletionPending",
      message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    });
    crd.status = { ...crd.status, conditions };
    return crd;
  },
  validate: (crd) => validateCRD(crd as CustomResourceDefinition),
  validateUpdate: (crd, old) => validateCRDUpdate(crd as CustomResourceDefinition, old as CustomResourceDefinition),
  validateStatusUpdate: (crd) => validateNames(crd.status?.acceptedNames, "status.acceptedNames"),
};

export default customresourcedefinitions;
