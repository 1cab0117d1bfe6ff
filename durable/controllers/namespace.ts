// The namespace controller (pkg/controller/namespace/deletion): a namespace being deleted is emptied
// of everything in it, its NamespaceDeletion*/Content* conditions tell how that goes, and once nothing
// is left it is finalized: "kubernetes" leaves spec.finalizers through namespaces/finalize, which
// deletes it. Like the API server's system-namespaces controller, it also recreates kube-node-lease.
import type { Obj } from "../resources/types";
import type { Controller, ControllerContext } from "./types";
import { resourceName } from "./client";
import { setCondition } from "./util";

/** The content kinds: every namespaced kind with storage of its own, custom kinds included. */
const contentKinds = (c: ControllerContext) => c.client.table.all.filter((d) => d.namespaced && !d.virtual && !d.convert).map(resourceName);

/** conditionTypes with their OK reason and message (status_condition_utils.go). */
const OK: [string, string, string][] = [
  ["NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"],
  ["NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"],
  ["NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"],
  ["NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"],
  ["NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"],
];

/** Delete what is in the namespace; returns what remains (per kind) and the finalizers holding it. */
function deleteAllContent(c: ControllerContext, namespace: string): { remaining: Map<string, number>; finalizers: Map<string, number> } {
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  for (const plural of contentKinds(c)) {
    for (const obj of c.client.list(plural, namespace)) {
      if (!obj.metadata.deletionTimestamp) c.client.delete(plural, namespace, obj.metadata.name, { propagationPolicy: "Background" });
    }
    const left = c.client.list(plural, namespace);
    if (left.length) remaining.set(plural, left.length);
    for (const o of left) for (const f of o.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  }
  return { remaining, finalizers };
}

function conditions(ns: Obj, remaining: Map<string, number>, finalizers: Map<string, number>, now: number): Obj[] {
  let list: Obj[] | undefined = ns.status?.conditions;
  for (const [type, reason, message] of OK) {
    let cond: Obj = { type, status: "False", reason, message };
    if (type === "NamespaceContentRemaining" && remaining.size) {
      const what = [...remaining].sort().map(([r, n]) => `${r} has ${n} resource instances`);
      cond = { type, status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${what.join(", ")}` };
    }
    if (type === "NamespaceFinalizersRemaining" && finalizers.size) {
      const what = [...finalizers].sort().map(([f, n]) => `${f} in ${n} resource instances`);
      cond = {
        type,
        status: "True",
        reason: "SomeFinalizersRemain",
        message: `Some content in the namespace has finalizers remaining: ${what.join(", ")}`,
      };
    }
    list = setCondition(list, cond, now);
  }
  return list ?? [];
}

export const namespaceController: Controller = {
  name: "namespace-controller",
  primary: "namespaces",
  watches: [
    { plural: "namespaces" },
    // Content going away (pods finishing their grace period) moves a terminating namespace on.
    {
      plural: "pods",
      map: (pod, _prev, c) => {
        const ns = c.client.get("namespaces", undefined, pod.metadata.namespace);
        return ns?.metadata.deletionTimestamp ? [ns.metadata.name] : [];
      },
    },
  ],
  reconcile(name, c) {
    const ns = c.client.get("namespaces", undefined, name);
    if (!ns) {
      if (name === "kube-node-lease") c.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
      return;
    }
    if (!ns.metadata.deletionTimestamp || !ns.spec?.finalizers?.includes("kubernetes")) return;
    if (ns.status?.phase !== "Terminating")
      c.client.patch("namespaces", undefined, name, (n) => void (n.status = { ...n.status, phase: "Terminating" }), { status: true });
    const { remaining, finalizers } = deleteAllContent(c, name);
    const conds = conditions(ns, remaining, finalizers, c.now());
    c.client.patch("namespaces", undefined, name, (n) => void (n.status = { ...n.status, conditions: conds }), { status: true });
    if (remaining.size) return { requeueAfter: 2000 }; // and sooner when pods go (watch above)
    c.client.patch(
      "namespaces",
      undefined,
      name,
      (n) => {
        n.spec = { ...n.spec, finalizers: (n.spec?.finalizers ?? []).filter((f: string) => f !== "kubernetes") };
      },
      { subresource: "finalize" },
    );
  },
};
