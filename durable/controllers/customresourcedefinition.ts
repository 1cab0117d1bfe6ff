// The controllers apiextensions-apiserver runs for CustomResourceDefinitions, as one level-triggered
// reconciler: the naming controller (status.acceptedNames and NamesAccepted, refused when another
// CRD of the group already holds a name), the establishing controller (Established once the names
// are accepted: from then on the table serves the kind), and the finalizer controller (a CRD being
// deleted deletes its custom objects, then drops customresourcecleanup.apiextensions.k8s.io).
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from "kubernetes-types/apiextensions/v1";
import type { Obj } from "../resources/types";
import { CRD_CLEANUP_FINALIZER } from "../resources/customresourcedefinition";
import { resourceName } from "./client";
import type { Controller, ControllerContext, ReconcileResult } from "./types";
import { getCondition, setCondition } from "./util";

const CRDS = "customresourcedefinitions";

type Names = CustomResourceDefinitionNames;

/** A condition as the naming controller words it. */
interface Cond {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
}

/** calculateNamesAndConditions: the names to accept and the NamesAccepted condition, given the
 *  names the group's other CRDs hold. A conflicting CRD keeps the names it had. */
export function acceptNames(crd: CustomResourceDefinition, others: CustomResourceDefinition[]): { names: Names; cond: Cond } {
  const taken = {
    plural: new Set<string>(),
    singular: new Set<string>(),
    short: new Set<string>(),
    kind: new Set<string>(),
    list: new Set<string>(),
  };
  for (const o of others) {
    if (o.metadata?.name === crd.metadata?.name || o.spec?.group !== crd.spec.group) continue;
    const n = o.status?.acceptedNames;
    if (!n) continue;
    if (n.plural) taken.plural.add(n.plural);
    if (n.singular) taken.singular.add(n.singular);
    for (const s of n.shortNames ?? []) taken.short.add(s);
    if (n.kind) taken.kind.add(n.kind);
    if (n.listKind) taken.list.add(n.listKind);
  }
  const want = crd.spec.names;
  const inUse = (reason: string, name: string): Cond => ({
    type: "NamesAccepted",
    status: "False",
    reason,
    message: `"${name}" is already in use`,
  });
  let cond: Cond = { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" };
  if (taken.plural.has(want.plural)) cond = inUse("PluralConflict", want.plural);
  else if (want.singular && taken.singular.has(want.singular)) cond = inUse("SingularConflict", want.singular);
  else if ((want.shortNames ?? []).some((s) => taken.short.has(s)))
    cond = inUse("ShortNamesConflict", want.shortNames!.find((s) => taken.short.has(s))!);
  else if (taken.kind.has(want.kind)) cond = inUse("KindConflict", want.kind);
  else if (want.listKind && taken.list.has(want.listKind)) cond = inUse("ListKindConflict", want.listKind);
  const names = cond.status === "True" ? want : (crd.status?.acceptedNames ?? { kind: "", plural: "" });
  return { names, cond };
}

/** The Established condition after the naming and establishing controllers' turn. */
function establishedCondition(crd: Obj, namesAccepted: boolean): Cond | Obj {
  const old = getCondition(crd, "Established");
  if (old?.status === "True") return old;
  if (namesAccepted)
    return { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted" };
  return old ?? { type: "Established", status: "False", reason: "NotAccepted", message: "not all names are accepted" };
}

function syncNames(c: ControllerContext, crd: Obj): void {
  const others = c.client.list(CRDS) as CustomResourceDefinition[];
  const { names, cond } = acceptNames(crd as CustomResourceDefinition, others);
  let conditions = setCondition(crd.status?.conditions, cond, c.now());
  conditions = setCondition(conditions, establishedCondition({ status: { conditions } }, cond.status === "True"), c.now());
  const status = { ...crd.status, acceptedNames: names, conditions };
  if (JSON.stringify(status) === JSON.stringify(crd.status)) return;
  c.client.patch(CRDS, undefined, crd.metadata.name, (o) => void (o.status = status), { status: true });
  // A freed name may let another CRD of the group in.
  for (const o of others)
    if (o.spec?.group === crd.spec?.group && getCondition(o, "NamesAccepted")?.status === "False") c.enqueue(CONTROLLER, o.metadata!.name!);
}

function setTerminating(c: ControllerContext, crd: Obj, cond: Cond): void {
  if (getCondition(crd, "Terminating")?.reason === cond.reason) return;
  const conditions = setCondition(crd.status?.conditions, cond, c.now());
  c.client.patch(CRDS, undefined, crd.metadata.name, (o) => void (o.status = { ...o.status, conditions }), { status: true });
}

/** The finalizer controller's sync: delete the instances, then release the CRD. */
function finalize(c: ControllerContext, crd: Obj): ReconcileResult | undefined {
  if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
  const group = crd.spec?.group;
  const plural = crd.status?.acceptedNames?.plural;
  const def = c.client.table.all.find((d) => d.group === group && d.plural === plural && !d.convert && d.openapiSchema);
  if (def && getCondition(crd, "Established")?.status === "True") {
    setTerminating(c, crd, {
      type: "Terminating",
      status: "True",
      reason: "InstanceDeletionInProgress",
      message: "CustomResource deletion is in progress",
    });
    const resource = resourceName(def);
    for (const o of c.client.list(resource))
      if (!o.metadata.deletionTimestamp)
        c.client.delete(resource, o.metadata.namespace, o.metadata.name, { propagationPolicy: "Background" });
    // Instances held by finalizers of their own: wait for them, as the real controller polls.
    if (c.client.list(resource).length) return { requeueAfter: 5000 };
    setTerminating(c, c.client.get(CRDS, undefined, crd.metadata.name)!, {
      type: "Terminating",
      status: "False",
      reason: "InstanceDeletionCompleted",
      message: "removed all instances",
    });
  } else {
    setTerminating(c, crd, { type: "Terminating", status: "False", reason: "NeverEstablished", message: "resource was never established" });
  }
  c.client.patch(CRDS, undefined, crd.metadata.name, (o) => {
    o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== CRD_CLEANUP_FINALIZER);
  });
}

const CONTROLLER = "customresourcedefinition-controller";

export const customResourceDefinitionController: Controller = {
  name: CONTROLLER,
  primary: CRDS,
  watches: [{ plural: CRDS }],
  reconcile(key, c) {
    const crd = c.client.get(CRDS, undefined, key);
    if (!crd) return;
    if (crd.metadata.deletionTimestamp) return finalize(c, crd);
    syncNames(c, crd);
  },
};
