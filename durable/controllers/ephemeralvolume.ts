// The ephemeral volume controller (pkg/controller/volume/ephemeral): a pod's generic ephemeral volume
// gets its claim `<pod>-<volume>` from the volume's claim template, owned by the pod (so the garbage
// collector deletes it with the pod) and then bound like any claim.
import type { Obj } from "../resources/types";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";

/** The claim of a pod's generic ephemeral volume (ephemeral.VolumeClaimName). */
export const ephemeralClaimName = (pod: Obj, volume: Obj) => `${pod.metadata.name}-${volume.name}`;

/** The claim the controller creates for one ephemeral volume of a pod. */
export function claimFor(pod: Obj, volume: Obj): Obj {
  const template: Obj = volume.ephemeral?.volumeClaimTemplate ?? {};
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: ephemeralClaimName(pod, volume),
      namespace: pod.metadata.namespace,
      ownerReferences: [
        { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

function reconcile(key: Key, c: ControllerContext): void {
  const { namespace, name } = splitKey(key);
  const pod = c.client.get("pods", namespace, name);
  if (!pod || pod.metadata.deletionTimestamp) return;
  for (const v of (pod.spec?.volumes ?? []) as Obj[]) {
    if (!v.ephemeral) continue;
    const claimName = ephemeralClaimName(pod, v);
    // A claim of that name the pod does not own is not used: the scheduler says so (VolumeIsForPod).
    if (c.client.get("persistentvolumeclaims", namespace, claimName)) continue;
    c.client.create("persistentvolumeclaims", claimFor(pod, v));
  }
}

export const ephemeralVolumeController: Controller = {
  name: "ephemeral-volume-controller",
  primary: "pods",
  watches: [{ plural: "pods", map: (pod) => (((pod.spec?.volumes ?? []) as Obj[]).some((v) => v.ephemeral) ? [keyOf(pod)] : []) }],
  reconcile,
};
