// The storage object in-use protection controllers (pkg/controller/volume/pvcprotection and
// pvprotection): a claim being deleted keeps its kubernetes.io/pvc-protection finalizer while a
// scheduled pod of its namespace uses it; a volume being deleted keeps kubernetes.io/pv-protection
// while it is Bound. Once unused, the finalizer goes and the deletion completes.
import type { Obj } from "../resources/types";
import { PV_PROTECTION, PVC_PROTECTION } from "../resources/storagehelpers";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";

/** The claims a pod's volumes name (generic ephemeral volumes name `<pod>-<volume>`). */
export function claimsOfPod(pod: Obj): string[] {
  return ((pod.spec?.volumes ?? []) as Obj[])
    .map((v) => v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pod.metadata?.name}-${v.name}` : undefined))
    .filter((n): n is string => !!n);
}

/** podUsesPVC: only a scheduled pod counts (the kubelet will not start one whose claim is being deleted). */
export const podUsesClaim = (pod: Obj, claim: string): boolean => !!pod.spec?.nodeName && claimsOfPod(pod).includes(claim);

const withoutFinalizer = (obj: Obj, finalizer: string) => {
  obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
};

function protectClaim(key: Key, c: ControllerContext): void {
  const { namespace, name } = splitKey(key);
  const pvc = c.client.get("persistentvolumeclaims", namespace, name);
  if (!pvc?.metadata.deletionTimestamp || !(pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION)) return;
  if (c.client.list("pods", namespace).some((p) => podUsesClaim(p, name))) return;
  c.client.patch("persistentvolumeclaims", namespace, name, (o) => withoutFinalizer(o, PVC_PROTECTION));
}

function protectVolume(key: Key, c: ControllerContext): void {
  const pv = c.client.get("persistentvolumes", undefined, key);
  if (!pv?.metadata.deletionTimestamp || !(pv.metadata.finalizers ?? []).includes(PV_PROTECTION)) return;
  if (pv.status?.phase === "Bound") return;
  c.client.patch("persistentvolumes", undefined, key, (o) => withoutFinalizer(o, PV_PROTECTION));
}

export const pvcProtection: Controller = {
  name: "pvc-protection-controller",
  primary: "persistentvolumeclaims",
  watches: [
    { plural: "persistentvolumeclaims" },
    // A pod that goes (or changes) may have been the last user of its claims.
    {
      plural: "pods",
      map: (pod, prev) =>
        [...new Set([...claimsOfPod(pod), ...(prev ? claimsOfPod(prev) : [])])].map((n) => `${pod.metadata.namespace}/${n}`),
    },
  ],
  reconcile: protectClaim,
};

export const pvProtection: Controller = {
  name: "pv-protection-controller",
  primary: "persistentvolumes",
  watches: [{ plural: "persistentvolumes", map: (pv) => [keyOf(pv)] }],
  reconcile: protectVolume,
};
