// core/v1 Namespace: defaults (SetDefaults_Namespace, SetDefaults_NamespaceStatus), strategy
// (pkg/registry/core/namespace/strategy.go), validation (ValidateNamespace*) and printNamespace.
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, invalid, isDNS1123Label, isQualifiedName } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { forbidden } from "../api/status";

/** NamespaceLifecycle admission's immortal namespaces (kube-node-lease may go: it is recreated). */
export const IMMORTAL_NAMESPACES = ["default", "kube-public", "kube-system"];

/** helper.IsStandardFinalizerName */
const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

/** validateFinalizerName: qualified name, and unprefixed names must be standard ones. */
export function validateFinalizerName(name: string, field: string): FieldError[] {
  const errs = each(field, name, isQualifiedName(name));
  if (!name.includes("/") && !STANDARD_FINALIZERS.includes(name))
    errs.push(invalid(field, name, "name is neither a standard finalizer name nor is it fully qualified"));
  return errs;
}

const namespace: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  subresources: { status: true },
  extraSubresources: [{ name: "finalize", kind: "Namespace", verbs: ["update"] }],
  openapi: "io.k8s.api.core.v1.Namespace",
  nameValidator: isDNS1123Label,
  returnDeletedObject: true,
  // The namespace REST storage's Delete: the first delete only marks the namespace Terminating; the
  // namespace controller empties it and clears spec.finalizers through /finalize, which deletes it.
  beforeDelete(ns, ctx) {
    const name = ns.metadata.name;
    if (IMMORTAL_NAMESPACES.includes(name)) throw forbidden("namespaces", "", name, "this namespace may not be deleted");
    if (!ns.metadata.deletionTimestamp) {
      ns.metadata.deletionTimestamp = new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, "Z");
      ns.status = { ...(ns.status ?? {}), phase: "Terminating" };
      return ns;
    }
    return ns.spec?.finalizers?.length ? ns : undefined;
  },
  shouldDeleteDuringUpdate: (ns) => !ns.spec?.finalizers?.length,
  updateSubresources: {
    // namespaceFinalizeStrategy: everything but status comes from the request.
    finalize: {
      prepare: (ns, old) => {
        const out: Obj = { ...ns, status: structuredClone(old.status ?? {}) };
        if (out.spec?.finalizers?.length === 0) delete out.spec.finalizers;
        return out;
      },
      validate: (ns) => (ns.spec?.finalizers ?? []).flatMap((f: string) => validateFinalizerName(f, "spec.finalizers")),
    },
  },
  columns: [nameColumn, { name: "Status", type: "string", description: "The status of the namespace", priority: 0 }, ageColumn],
  row: (ns, ctx) => [ns.metadata?.name, ns.status?.phase ?? "", age(ns.metadata?.creationTimestamp, ctx.now)],
  defaults(ns) {
    // The name label is always set to the name, whatever the user wrote.
    const meta = (ns.metadata ??= {});
    if (meta.name) (meta.labels ??= {})["kubernetes.io/metadata.name"] = meta.name;
    (ns.status ??= {}).phase ||= "Active";
  },
  prepareForCreate(ns) {
    ns.status = { phase: "Active" };
    const spec = (ns.spec ??= {});
    const finalizers: string[] = (spec.finalizers ??= []);
    if (!finalizers.includes("kubernetes")) finalizers.push("kubernetes");
  },
  prepareForUpdate(ns, old) {
    // Finalizers change only through /finalize, status only through /status.
    ns.spec = { ...(ns.spec ?? {}), finalizers: structuredClone(old.spec?.finalizers ?? []) };
    if (!old.spec?.finalizers) delete ns.spec.finalizers;
    ns.status = structuredClone(old.status ?? {});
  },
  validate(ns) {
    return (ns.spec?.finalizers ?? []).flatMap((f: string) => validateFinalizerName(f, "spec.finalizers"));
  },
  validateUpdate: () => [],
  validateStatusUpdate(ns) {
    const phase = ns.status?.phase;
    if (!ns.metadata?.deletionTimestamp) {
      if (phase !== "Active") return [invalid("status.Phase", phase ?? "", "may only be 'Active' if `deletionTimestamp` is empty")];
    } else if (phase !== "Terminating") {
      return [invalid("status.Phase", phase ?? "", "may only be 'Terminating' if `deletionTimestamp` is not empty")];
    }
    return [];
  },
  fieldSelectors: {
    "status.phase": (ns: Obj) => ns.status?.phase ?? "",
  },
};

export default namespace;
