// apps/v1 ControllerRevision: ValidateControllerRevision(Update) and printControllerRevision.
import type { FieldError, Obj, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { invalid, required } from "./validation";
import { deepEqual, invalidRaw } from "./podtemplate";

function validate(cr: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data == null) errs.push(required("data", "data is mandatory"));
  if (typeof cr.revision === "number" && cr.revision < 0) errs.push(invalid("revision", cr.revision, "must be greater than or equal to 0"));
  return errs;
}

/** The controller column: `kind.group/name` of the controlling owner (formatResourceName). */
function controllerName(cr: Obj): string {
  const ref = ((cr.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r.controller === true);
  if (!ref) return "<none>";
  const apiVersion = String(ref.apiVersion ?? "");
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const kind = String(ref.kind ?? "");
  if (!kind && !group) return ref.name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
}

const controllerrevisions: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  singular: "controllerrevision",
  namespaced: true,
  openapi: "io.k8s.api.apps.v1.ControllerRevision",

  columns: [
    nameColumn,
    { name: "Controller", type: "string", description: "Controller of the object", priority: 0 },
    { name: "Revision", type: "string", description: "Revision indicates the revision of the state represented by Data.", priority: 0 },
    ageColumn,
  ],
  row: (cr, ctx) => [cr.metadata?.name, controllerName(cr), cr.revision ?? 0, age(cr.metadata?.creationTimestamp, ctx.now)],

  validate,
  validateUpdate(cr, old) {
    const errs = validate(cr);
    if (!deepEqual(cr.data, old.data)) errs.push(invalidRaw("data", "runtime.RawExtension{...}", "field is immutable"));
    return errs;
  },
};

export default controllerrevisions;
