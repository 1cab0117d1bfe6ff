// Which PersistentVolume a claim gets: FindMatchingVolume and the helpers around it
// (k8s.io/component-helpers/storage/volume/pv_helpers.go) and the PV controller's access-mode index
// (pkg/controller/volume/persistentvolume/index.go: findBestMatchForClaim). Pure functions over
// objects, shared by the PV controller and the scheduler's VolumeBinding plugin.
import type { Obj } from "../resources/types";
import { compareQuantities } from "../resources/quantity";
import { selectorMatches } from "../resources/podtemplate";
import { nodeSelectorTermsMatch } from "../scheduler/framework";
import {
  accessModesString,
  ANN_BOUND_BY_CONTROLLER,
  claimClass,
  requestedStorage,
  volumeCapacity,
  volumeClass,
} from "../resources/storagehelpers";

/** IsVolumeBoundToClaim: the volume's claimRef names the claim (and its uid, when it has one). */
export function isVolumeBoundToClaim(pv: Obj, pvc: Obj): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(pvc: Obj, pv: Obj): boolean {
  const offered = new Set<string>(pv.spec?.accessModes ?? []);
  return ((pvc.spec?.accessModes ?? []) as string[]).every((m) => offered.has(m));
}

/** CheckVolumeModeMismatches: a missing volume mode counts as Filesystem. */
export const volumeModeMismatch = (pvc: Obj, pv: Obj): boolean =>
  (pvc.spec?.volumeMode ?? "Filesystem") !== (pv.spec?.volumeMode ?? "Filesystem");

/** CheckNodeAffinity: a volume without required node affinity fits every node. */
export function checkNodeAffinity(pv: Obj, node: Obj): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (!required) return true;
  return nodeSelectorTermsMatch(required.nodeSelectorTerms, {
    metadata: { name: node.metadata?.name, labels: node.metadata?.labels ?? {} },
  });
}

export interface MatchOptions {
  /** The scheduler's path: the volume must fit this node, and its access modes are checked here. */
  node?: Obj;
  /** Volume names already chosen for the pod's other claims. */
  excluded?: Set<string>;
  /** The PV controller's path for a WaitForFirstConsumer class: only pre-bound volumes match. */
  delayBinding?: boolean;
}

/**
 * FindMatchingVolume: the volume pre-bound to the claim if there is one (and it is big enough),
 * else the smallest Available volume of the claim's class, volume mode, selector and size (and, on
 * the scheduler's path, node and access modes). VolumeAttributesClass is off in v1.33: a volume that
 * names one never matches.
 */
export function findMatchingVolume(pvc: Obj, volumes: Obj[], opts: MatchOptions = {}): Obj | undefined {
  const requested = requestedStorage(pvc);
  const wantedClass = claimClass(pvc);
  let smallest: Obj | undefined;
  for (const pv of volumes) {
    if (opts.excluded?.has(pv.metadata?.name)) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    if (compareQuantities(volumeCapacity(pv), requested) < 0) continue;
    if (volumeModeMismatch(pvc, pv)) continue;
    if (pv.spec?.volumeAttributesClassName) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    const fitsNode = !opts.node || checkNodeAffinity(pv, opts.node);
    if (isVolumeBoundToClaim(pv, pvc)) return fitsNode ? pv : undefined;
    if (!opts.node && opts.delayBinding) continue;
    if (pv.status?.phase !== "Available") continue;
    if (pvc.spec?.selector != null && !selectorMatches(pvc.spec.selector, pv.metadata?.labels)) continue;
    if (volumeClass(pv) !== wantedClass) continue;
    if (!fitsNode) continue;
    if (opts.node && !checkAccessModes(pvc, pv)) continue;
    if (!smallest || compareQuantities(volumeCapacity(smallest), volumeCapacity(pv)) > 0) smallest = pv;
  }
  return smallest;
}

/**
 * findBestMatchForClaim (the PV controller's index): volumes are grouped by their set of access
 * modes; the sets holding every mode the claim asks for are searched fewest modes first, so a claim
 * gets the volume closest to what it asked for. (The real index walks sets of the same size in map
 * order; these go by their names.)
 */
export function findBestMatchForClaim(pvc: Obj, volumes: Obj[], delayBinding = false): Obj | undefined {
  const wanted: string[] = pvc.spec?.accessModes ?? [];
  const groups = new Map<string, Obj[]>();
  for (const pv of volumes) {
    const key = accessModesString(pv.spec?.accessModes);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(pv);
  }
  const usable = [...groups.entries()]
    .map(([key, pvs]) => ({ key, pvs, modes: new Set<string>(pvs[0].spec?.accessModes ?? []) }))
    .filter((g) => wanted.every((m) => g.modes.has(m)))
    .sort((a, b) => a.modes.size - b.modes.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const g of usable) {
    const found = findMatchingVolume(pvc, g.pvs, { delayBinding });
    if (found) return found;
  }
  return undefined;
}

/** The ObjectReference of a claim (reference.GetReference), as a volume's claimRef holds it. */
export const claimReference = (pvc: Obj): Obj => ({
  kind: "PersistentVolumeClaim",
  namespace: pvc.metadata.namespace,
  name: pvc.metadata.name,
  uid: pvc.metadata.uid,
  apiVersion: "v1",
  resourceVersion: pvc.metadata.resourceVersion,
});

/**
 * GetBindVolumeToClaim: the volume with its claimRef set to the claim and, when the binding is the
 * controller's rather than the user's, the bound-by-controller annotation; undefined when nothing
 * would change.
 */
export function volumeBoundTo(pv: Obj, pvc: Obj): Obj | undefined {
  const byController = !isVolumeBoundToClaim(pv, pvc);
  const out = structuredClone(pv);
  let dirty = false;
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace || ref.uid !== pvc.metadata.uid) {
    out.spec.claimRef = claimReference(pvc);
    dirty = true;
  }
  if (byController && out.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined) {
    out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: "yes" };
    dirty = true;
  }
  return dirty ? out : undefined;
}
