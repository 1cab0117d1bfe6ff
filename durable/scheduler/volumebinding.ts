// The scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding and the volume
// binder it drives), pure over what a reader gives it:
// - PreFilter: every claim the pod names must exist, not be lost or being deleted, and a claim of an
//   Immediate class must already be bound;
// - Filter: a bound claim's volume must fit the node (its node affinity); an unbound claim of a
//   WaitForFirstConsumer class needs a matching volume there or a class that can provision there;
// - PreBind: on the chosen node, the matched volumes are bound to their claims (claimRef) and the
//   claims to provision get the selected-node annotation; the pod is bound once every claim is.
import type { Obj } from "../resources/types";
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, NO_PROVISIONER, claimClass, volumeClass } from "../resources/storagehelpers";
import { checkNodeAffinity, findMatchingVolume } from "../controllers/pvmatch";

export interface VolumeReader {
  claim(namespace: string, name: string): Obj | undefined;
  volume(name: string): Obj | undefined;
  storageClass(name: string): Obj | undefined;
  volumes(): Obj[];
}

/** The pod's claims by state (GetPodVolumeClaims). */
export interface PodClaims {
  bound: Obj[];
  /** Unbound claims of WaitForFirstConsumer classes: bound here, on the chosen node. */
  delayed: Obj[];
  /** Claims of Immediate classes (or naming a volume) that are not bound yet. */
  immediate: Obj[];
}

export const ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const ErrReasonNodeConflict = "node(s) had volume node affinity conflict";
export const ErrReasonPVNotExist = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

/** The claim names of a pod's volumes, with whether each is a generic ephemeral one. */
function claimNames(pod: Obj): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of (pod.spec?.volumes ?? []) as Obj[]) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata?.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

/** isPVCFullyBound: named a volume and the binding completed. */
export const isClaimBound = (pvc: Obj) => !!pvc.spec?.volumeName && pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;

const isDelayBinding = (pvc: Obj, r: VolumeReader) => {
  const name = claimClass(pvc);
  return !!name && r.storageClass(name)?.volumeBindingMode === "WaitForFirstConsumer";
};

/**
 * PreFilter (podHasPVCs and the immediate-claims check): undefined when the pod names no claims,
 * the reason it cannot be scheduled anywhere, or its claims.
 */
export function preFilter(pod: Obj, r: VolumeReader): undefined | { reject: string } | { claims: PodClaims } {
  const names = claimNames(pod);
  if (!names.length) return undefined;
  const ns = pod.metadata?.namespace;
  const claims: PodClaims = { bound: [], delayed: [], immediate: [] };
  for (const { name, ephemeral } of names) {
    const pvc = r.claim(ns, name);
    if (!pvc)
      return {
        reject: ephemeral
          ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
          : `persistentvolumeclaim "${name}" not found`,
      };
    if (pvc.status?.phase === "Lost")
      return { reject: `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ""}"` };
    if (pvc.metadata?.deletionTimestamp) return { reject: `persistentvolumeclaim "${name}" is being deleted` };
    // VolumeIsForPod: an ephemeral volume's claim must be the one made for this pod.
    if (ephemeral && !((pvc.metadata?.ownerReferences ?? []) as Obj[]).some((r) => r.controller && r.uid === pod.metadata?.uid))
      return { reject: `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)` };
    if (isClaimBound(pvc)) claims.bound.push(pvc);
    else if (isDelayBinding(pvc, r) && !pvc.spec?.volumeName) claims.delayed.push(pvc);
    else claims.immediate.push(pvc);
  }
  if (claims.immediate.length) return { reject: "pod has unbound immediate PersistentVolumeClaims" };
  return { claims };
}

/** What binding the pod's claims on one node takes. */
export interface NodeVolumes {
  reasons: string[];
  /** Claims matched to existing volumes. */
  bindings: { claim: Obj; volume: Obj }[];
  /** Claims whose class's provisioner is to make a volume on this node. */
  provisions: Obj[];
}

/** checkVolumeProvisions: can the claim's class provision a volume on this node? */
function canProvision(pvc: Obj, node: Obj, r: VolumeReader): boolean {
  const sc = r.storageClass(claimClass(pvc));
  if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER) return false;
  const terms: Obj[] = sc.allowedTopologies ?? [];
  if (!terms.length) return true;
  const labels = node.metadata?.labels ?? {};
  return terms.some((t) => ((t.matchLabelExpressions ?? []) as Obj[]).every((e) => (e.values ?? []).includes(labels[e.key])));
}

/** Filter (FindPodVolumes) for one node. */
export function filterNode(claims: PodClaims, node: Obj, r: VolumeReader): NodeVolumes {
  const out: NodeVolumes = { reasons: [], bindings: [], provisions: [] };
  let boundOk = true;
  let unboundOk = true;
  let pvsFound = true;
  for (const pvc of claims.bound) {
    const pv = r.volume(pvc.spec.volumeName);
    if (!pv) pvsFound = false;
    else if (!checkNodeAffinity(pv, node)) boundOk = false;
  }
  const chosen = new Set<string>();
  const toProvision: Obj[] = [];
  for (const pvc of claims.delayed) {
    const selected = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (selected !== undefined) {
      // Already being provisioned for a node: only that one will do.
      if (selected !== node.metadata?.name) unboundOk = false;
      else toProvision.push(pvc);
      continue;
    }
    const ofClass = r.volumes().filter((pv) => volumeClass(pv) === claimClass(pvc));
    const pv = findMatchingVolume(pvc, ofClass, { node, excluded: chosen, delayBinding: true });
    if (pv) {
      chosen.add(pv.metadata.name);
      out.bindings.push({ claim: pvc, volume: pv });
    } else toProvision.push(pvc);
  }
  if (unboundOk)
    for (const pvc of toProvision) {
      if (!canProvision(pvc, node, r)) {
        unboundOk = false;
        break;
      }
      out.provisions.push(pvc);
    }
  if (!boundOk) out.reasons.push(ErrReasonNodeConflict);
  if (!unboundOk) out.reasons.push(ErrReasonBindConflict);
  if (!pvsFound) out.reasons.push(ErrReasonPVNotExist);
  return out;
}
