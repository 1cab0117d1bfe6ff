// The disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status
// (expected and healthy pods, allowed disruptions, the DisruptionAllowed condition) in step with the
// pods it selects. Level-triggered: any change to a pod requeues the budgets that select it (before
// or after the change), and an eviction awaiting its pod's deletion is rechecked when it times out.
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { Pod } from "kubernetes-types/core/v1";
import type { OwnerReference } from "kubernetes-types/meta/v1";
import { disruptionStatus, pdbSelects } from "../resources/poddisruptionbudget";
import { stableStringify } from "../resources/podtemplate";
import { controllerRef } from "./util";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key, type Watch } from "./types";

const COMPONENT = { component: "controllermanager" };

/** The finders (finders()): a pod's controller and its desired scale; a ReplicaSet of a Deployment answers with the Deployment's. */
function scaleOf(c: ControllerContext, pod: Pod): { uid: string; replicas: number } | undefined {
  const ref = controllerRef(pod) as OwnerReference | undefined;
  if (!ref) return undefined;
  const ns = pod.metadata?.namespace;
  const owned = (plural: string, group: string, r: OwnerReference) => {
    if (r.apiVersion.split("/")[0] !== group) return undefined;
    const o = c.client.get(plural, ns, r.name);
    return o && o.metadata?.uid === r.uid ? o : undefined;
  };
  switch (ref.kind) {
    case "ReplicaSet": {
      const rs = owned("replicasets", "apps", ref);
      if (!rs) return undefined;
      const dref = controllerRef(rs) as OwnerReference | undefined;
      if (dref?.kind === "Deployment") {
        const d = owned("deployments", "apps", dref);
        if (d) return { uid: d.metadata.uid, replicas: d.spec?.replicas ?? 1 };
      }
      return { uid: rs.metadata.uid, replicas: rs.spec?.replicas ?? 1 };
    }
    case "ReplicationController": {
      const rc = ref.apiVersion === "v1" ? c.client.get("replicationcontrollers", ns, ref.name) : undefined;
      return rc && rc.metadata?.uid === ref.uid ? { uid: rc.metadata.uid, replicas: rc.spec?.replicas ?? 1 } : undefined;
    }
    case "StatefulSet": {
      const sts = owned("statefulsets", "apps", ref);
      return sts ? { uid: sts.metadata.uid, replicas: sts.spec?.replicas ?? 1 } : undefined;
    }
  }
  return undefined;
}

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const pdb = c.client.get("poddisruptionbudgets", namespace, name) as PodDisruptionBudget | undefined;
  if (!pdb || pdb.metadata?.deletionTimestamp) return;
  const pods = c.client.list("pods", namespace).filter((p) => pdbSelects(pdb, p)) as Pod[];
  const now = c.now();
  const { status, event, recheckAt } = disruptionStatus(pdb, { pods, scaleOf: (p) => scaleOf(c, p), now });
  if (event) c.events.record(pdb, event.type, event.reason, event.message, COMPONENT);
  if (stableStringify(status) !== stableStringify(pdb.status ?? {}))
    c.client.patch(
      "poddisruptionbudgets",
      namespace,
      name,
      (cur) => {
        cur.status = status;
      },
      { status: true },
    );
  return recheckAt !== undefined ? { requeueAfter: Math.max(0, recheckAt - now) } : undefined;
}

/** A pod concerns the budgets that select it now or selected it before. */
const budgetsOfPod: Watch["map"] = (pod, prev, c) =>
  c.client
    .list("poddisruptionbudgets", pod.metadata?.namespace)
    .filter((pdb) => pdbSelects(pdb, pod) || (prev && pdbSelects(pdb, prev)))
    .map(keyOf);

/** A workload's scale is a budget's expected pod count: every budget of its namespace takes another look. */
const budgetsOfNamespace: Watch["map"] = (obj, _prev, c) => c.client.list("poddisruptionbudgets", obj.metadata?.namespace).map(keyOf);

export const disruptionController: Controller = {
  name: "disruption-controller",
  primary: "poddisruptionbudgets",
  watches: [
    { plural: "poddisruptionbudgets" },
    { plural: "pods", map: budgetsOfPod },
    ...["deployments", "replicasets", "statefulsets", "replicationcontrollers"].map((plural) => ({ plural, map: budgetsOfNamespace })),
  ],
  reconcile,
};
