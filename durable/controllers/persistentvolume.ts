// The PersistentVolume controller (pkg/controller/volume/persistentvolume/pv_controller.go), as two
// level-triggered reconcilers: syncClaim binds a claim to the best volume (or asks the class's
// provisioner for one, or waits for the first consumer of a WaitForFirstConsumer class), syncVolume
// keeps a volume's phase (Pending → Available → Bound → Released / Failed) and reclaims a released
// one (Retain keeps it, Delete deletes it, or leaves it to the provisioner that made it).
//
// The real controller also resyncs every claim and volume every 15 s, repeating its events; here a
// claim or volume is synced when it, or what it depends on, changes — an idle cluster writes nothing.
import type { Obj } from "../resources/types";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  BETA_STORAGE_CLASS,
  claimClass,
  defaultClass,
  requestedStorage,
  volumeCapacity,
  volumeClass,
} from "../resources/storagehelpers";
import { compareQuantities } from "../resources/quantity";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { checkAccessModes, findBestMatchForClaim, isVolumeBoundToClaim, volumeBoundTo, volumeModeMismatch } from "./pvmatch";

const SOURCE = { component: "persistentvolume-controller" };
export const CLAIM_BINDER = "persistentvolume-controller";
export const VOLUME_BINDER = "persistentvolume-controller-volumes";

const PVCS = "persistentvolumeclaims";
const PVS = "persistentvolumes";

const annotation = (o: Obj, k: string): string | undefined => o.metadata?.annotations?.[k];
const hasAnnotation = (o: Obj, k: string) => annotation(o, k) !== undefined;

/** The class of a claim, if it names one that exists. */
const classOfClaim = (c: ControllerContext, claim: Obj): Obj | undefined => {
  const name = claimClass(claim);
  return name ? c.client.get("storageclasses", undefined, name) : undefined;
};

/** IsDelayBindingMode: the claim's class binds when the first pod using it is scheduled. */
export const isDelayBinding = (c: ControllerContext, claim: Obj): boolean =>
  classOfClaim(c, claim)?.volumeBindingMode === "WaitForFirstConsumer";

// ---- writes ---------------------------------------------------------------------------------

/** updateClaimStatus: the phase, and the access modes and capacity of the volume it is bound to. */
function updateClaimStatus(c: ControllerContext, claim: Obj, phase: string, volume?: Obj): Obj {
  const becoming = claim.status?.phase !== phase;
  const next = structuredClone(claim.status ?? {});
  next.phase = phase;
  if (!volume) {
    delete next.accessModes;
    delete next.capacity;
  } else {
    next.accessModes = volume.spec?.accessModes;
    // Capacity is taken when the claim becomes Bound, not after (a resize may differ on purpose).
    const claimCap = claim.status?.capacity?.storage;
    if (becoming && (claimCap === undefined || compareQuantities(volumeCapacity(volume), claimCap) !== 0))
      next.capacity = structuredClone(volume.spec?.capacity);
  }
  if (JSON.stringify(next) === JSON.stringify(claim.status ?? {})) return claim;
  return c.client.patch(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => void (o.status = next), { status: true }) ?? claim;
}

/** updateClaimStatusWithEvent: the event only when the phase changes. */
function updateClaimStatusWithEvent(c: ControllerContext, claim: Obj, phase: string, reason: string, message: string): void {
  if (claim.status?.phase === phase) return;
  const updated = updateClaimStatus(c, claim, phase);
  c.events.record(updated, "Warning", reason, message, SOURCE);
}

/** updateVolumePhase: phase and message. */
function updateVolumePhase(c: ControllerContext, volume: Obj, phase: string, message = ""): Obj {
  if (volume.status?.phase === phase && (volume.status?.message ?? "") === message) return volume;
  return (
    c.client.patch(
      PVS,
      undefined,
      volume.metadata.name,
      (o) => {
        o.status ??= {};
        o.status.phase = phase;
        if (message) o.status.message = message;
        else delete o.status.message;
      },
      { status: true },
    ) ?? volume
  );
}

/** updateVolumePhaseWithEvent: the event only when the phase changes. */
function updateVolumePhaseWithEvent(
  c: ControllerContext,
  volume: Obj,
  phase: string,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
): Obj {
  if (volume.status?.phase === phase) return volume;
  const updated = updateVolumePhase(c, volume, phase, message);
  c.events.record(updated, type, reason, message, SOURCE);
  return updated;
}

/** bind: the volume's claimRef, the volume Bound, the claim's volumeName and annotations, the claim Bound. */
function bind(c: ControllerContext, volume: Obj, claim: Obj): void {
  const bound = volumeBoundTo(volume, claim);
  let pv = bound ? c.client.update(PVS, bound) : volume;
  pv = updateVolumePhase(c, pv, "Bound");
  const byController = !claim.spec?.volumeName;
  let pvc = claim;
  if (
    claim.spec?.volumeName !== pv.metadata.name ||
    !hasAnnotation(claim, ANN_BIND_COMPLETED) ||
    (byController && !hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER))
  ) {
    pvc =
      c.client.patch(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => {
        o.spec.volumeName = pv.metadata.name;
        o.metadata.annotations ??= {};
        if (byController) o.metadata.annotations[ANN_BOUND_BY_CONTROLLER] ??= "yes";
        o.metadata.annotations[ANN_BIND_COMPLETED] ??= "yes";
      }) ?? claim;
  }
  updateClaimStatus(c, pvc, "Bound", pv);
}

// ---- claims -----------------------------------------------------------------------------------

/** Pods of the claim's namespace that use it and are not scheduled yet (findNonScheduledPodsByPVC). */
function unscheduledPodsUsing(c: ControllerContext, claim: Obj): string[] {
  return c.client
    .list("pods", claim.metadata.namespace)
    .filter(
      (p) =>
        !p.spec?.nodeName && ((p.spec?.volumes ?? []) as Obj[]).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name),
    )
    .map((p) => p.metadata.name);
}

/** emitEventForUnboundDelayBindingClaim. */
function waitForConsumer(c: ControllerContext, claim: Obj): void {
  const pods = unscheduledPodsUsing(c, claim);
  if (!pods.length)
    c.events.record(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", SOURCE);
  else
    c.events.record(
      claim,
      "Normal",
      "WaitForPodScheduled",
      pods.length > 1 ? `waiting for pods ${pods.join(",")} to be scheduled` : `waiting for pod ${pods[0]} to be scheduled`,
      SOURCE,
    );
}

/** provisionClaim: in-tree provisioners are all gone in v1.33, so the class's external provisioner
 *  is asked (the storage-provisioner annotations) and the claim waits for its volume. */
function provisionClaim(c: ControllerContext, claim: Obj): void {
  const className = claimClass(claim);
  const sc = c.client.get("storageclasses", undefined, className);
  if (!sc) {
    c.events.record(claim, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${className}" not found`, SOURCE);
    return;
  }
  const provisioner: string = sc.provisioner ?? "";
  if (provisioner.startsWith("kubernetes.io/")) {
    c.events.record(claim, "Warning", "ProvisioningFailed", `no volume plugin matched name: ${provisioner}`, SOURCE);
    return;
  }
  let current = claim;
  if (annotation(claim, ANN_STORAGE_PROVISIONER) !== provisioner)
    current =
      c.client.patch(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => {
        o.metadata.annotations ??= {};
        o.metadata.annotations[ANN_BETA_STORAGE_PROVISIONER] = provisioner;
        o.metadata.annotations[ANN_STORAGE_PROVISIONER] = provisioner;
      }) ?? claim;
  c.events.record(
    current,
    "Normal",
    "ExternalProvisioning",
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`,
    SOURCE,
  );
}

/** assignDefaultStorageClass: a claim that named no class gets the default one once there is one. */
function assignDefaultClass(c: ControllerContext, claim: Obj): boolean {
  if (claimClass(claim) !== "" || claim.spec?.storageClassName != null || hasAnnotation(claim, BETA_STORAGE_CLASS)) return false;
  const def = defaultClass(c.client.list("storageclasses"));
  if (!def) return false;
  c.client.patch(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => void (o.spec.storageClassName = def.metadata.name));
  return true;
}

/** checkVolumeSatisfyClaim: why a requested volume does not fit the claim, if it does not. */
export function volumeMismatch(volume: Obj, claim: Obj): string | undefined {
  if (volume.metadata?.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (compareQuantities(volumeCapacity(volume), requestedStorage(claim)) < 0) return "requested PV is too small";
  if (volumeClass(volume) !== claimClass(claim)) return "storageClassName does not match";
  if (volumeModeMismatch(claim, volume)) return "incompatible volumeMode";
  if (!checkAccessModes(claim, volume)) return "incompatible accessMode";
  return undefined;
}

function syncUnboundClaim(c: ControllerContext, claim: Obj): void {
  if (!claim.spec?.volumeName) {
    if (assignDefaultClass(c, claim)) return;
    const delayBinding = isDelayBinding(c, claim);
    const volume = findBestMatchForClaim(claim, c.client.list(PVS), delayBinding);
    if (volume) bind(c, volume, claim);
    else if (delayBinding && !hasAnnotation(claim, ANN_SELECTED_NODE)) {
      waitForConsumer(c, claim);
      updateClaimStatus(c, claim, "Pending");
    } else if (claimClass(claim) !== "") provisionClaim(c, claim);
    else {
      const why = "no persistent volumes available for this claim and no storage class is set";
      c.events.record(claim, "Normal", "FailedBinding", why, SOURCE);
      updateClaimStatus(c, claim, "Pending");
    }
    return;
  }
  // The user asked for a volume by name.
  const volume = c.client.get(PVS, undefined, claim.spec.volumeName);
  if (!volume) updateClaimStatus(c, claim, "Pending");
  else if (!volume.spec?.claimRef) {
    const why = volumeMismatch(volume, claim);
    if (!why) bind(c, volume, claim);
    else {
      c.events.record(claim, "Warning", "VolumeMismatch", `Cannot bind to requested volume "${volume.metadata.name}": ${why}`, SOURCE);
      updateClaimStatus(c, claim, "Pending");
    }
  } else if (isVolumeBoundToClaim(volume, claim)) bind(c, volume, claim);
  // Bound to another claim by a user: wait for it to come free.
  else if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) updateClaimStatus(c, claim, "Pending");
}

const LOST_REFERENCE = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!";
const LOST_VOLUME = "Bound claim has lost its PersistentVolume. Data on the volume is lost!";
const MISBOUND = "Two claims are bound to the same volume, this one is bound incorrectly";

function syncBoundClaim(c: ControllerContext, claim: Obj): void {
  const volume = claim.spec?.volumeName ? c.client.get(PVS, undefined, claim.spec.volumeName) : undefined;
  if (!claim.spec?.volumeName) updateClaimStatusWithEvent(c, claim, "Lost", "ClaimLost", LOST_REFERENCE);
  else if (!volume) updateClaimStatusWithEvent(c, claim, "Lost", "ClaimLost", LOST_VOLUME);
  else if (!volume.spec?.claimRef || isVolumeBoundToClaim(volume, claim)) bind(c, volume, claim);
  else updateClaimStatusWithEvent(c, claim, "Lost", "ClaimMisbound", MISBOUND);
}

function syncClaim(key: Key, c: ControllerContext): void {
  const { namespace, name } = splitKey(key);
  const claim = c.client.get(PVCS, namespace, name);
  if (!claim) return;
  if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) syncUnboundClaim(c, claim);
  else syncBoundClaim(c, claim);
}

// ---- volumes ----------------------------------------------------------------------------------

/** In-tree deleters: only hostPath's remains, and it deletes only under /tmp. */
function deleteInTree(c: ControllerContext, volume: Obj): string | undefined {
  if (volume.spec?.hostPath) {
    const path = String(volume.spec.hostPath.path ?? "");
    if (!/\/tmp\/.+/.test(path)) return `host_path deleter only supports /tmp/.+ but received provided ${path}`;
    c.client.delete(PVS, undefined, volume.metadata.name);
    return undefined;
  }
  return `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`;
}

/** reclaimVolume: Retain keeps the volume Released; Delete deletes it (an external provisioner's
 *  volume is left to that provisioner). Recycle, deprecated, is not simulated: the volume stays Released. */
function reclaimVolume(c: ControllerContext, volume: Obj): void {
  if (volume.spec?.persistentVolumeReclaimPolicy !== "Delete") return;
  const provisionedBy = annotation(volume, ANN_DYNAMICALLY_PROVISIONED);
  if (provisionedBy && !provisionedBy.startsWith("kubernetes.io/")) return;
  const failure = deleteInTree(c, volume);
  if (failure) updateVolumePhaseWithEvent(c, volume, "Failed", "Warning", "VolumeFailedDelete", failure);
}

/** unbindVolume: the controller's binding is undone, a user's pre-binding loses only its uid. */
function unbindVolume(c: ControllerContext, volume: Obj): void {
  const updated = c.client.patch(PVS, undefined, volume.metadata.name, (o) => {
    if (hasAnnotation(o, ANN_BOUND_BY_CONTROLLER)) {
      delete o.spec.claimRef;
      delete o.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
      if (!Object.keys(o.metadata.annotations).length) delete o.metadata.annotations;
    } else o.spec.claimRef.uid = "";
  });
  if (updated) updateVolumePhase(c, updated, "Available");
}

function syncVolume(key: Key, c: ControllerContext): void {
  const volume = c.client.get(PVS, undefined, key);
  if (!volume) return;
  const ref = volume.spec?.claimRef;
  // Unused, or reserved for a claim that has not bound yet (that claim's sync finishes it).
  if (!ref?.uid) {
    if (volume.status?.phase !== "Available") updateVolumePhase(c, volume, "Available");
    return;
  }
  let claim = c.client.get(PVCS, ref.namespace, ref.name);
  if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
  if (!claim) {
    // The claim is gone: release the volume and apply its reclaim policy.
    let released = volume;
    if (volume.status?.phase !== "Released" && volume.status?.phase !== "Failed") released = updateVolumePhase(c, volume, "Released");
    reclaimVolume(c, released);
    return;
  }
  if (!claim.spec?.volumeName) {
    if (volumeModeMismatch(claim, volume)) {
      c.events.record(
        volume,
        "Warning",
        "VolumeMismatch",
        `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`,
        SOURCE,
      );
      c.events.record(
        claim,
        "Warning",
        "VolumeMismatch",
        `Cannot bind PersistentVolume "${volume.metadata.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`,
        SOURCE,
      );
      return;
    }
    // Bound on the volume's side only (a provisioner's new volume, a scheduler's choice): the
    // claim's sync finishes the binding.
    c.enqueue(CLAIM_BINDER, keyOf(claim));
    return;
  }
  if (claim.spec.volumeName === volume.metadata.name) {
    if (volume.status?.phase !== "Bound") updateVolumePhase(c, volume, "Bound");
    return;
  }
  // The claim is bound to another volume.
  if (hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED) && volume.spec?.persistentVolumeReclaimPolicy === "Delete") {
    let released = volume;
    if (volume.status?.phase !== "Released" && volume.status?.phase !== "Failed") released = updateVolumePhase(c, volume, "Released");
    reclaimVolume(c, released);
    return;
  }
  unbindVolume(c, volume);
}

// ---- wiring -----------------------------------------------------------------------------------

const pendingClaims = (c: ControllerContext): Key[] =>
  c.client.list(PVCS, undefined, (p) => !p.spec?.volumeName || p.status?.phase !== "Bound").map(keyOf);

/** The claims a volume names (now and before): they may bind, lose their volume or be released. */
function claimsOfVolume(pv: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  for (const v of [pv, prev]) {
    const ref = v?.spec?.claimRef;
    if (ref?.name) keys.add(`${ref.namespace}/${ref.name}`);
  }
  // A volume that became Available may be what a waiting claim needs.
  if (pv.status?.phase === "Available" && prev?.status?.phase !== "Available") for (const k of pendingClaims(c)) keys.add(k);
  return [...keys];
}

/** The volumes a claim is bound to or named by (now and before). */
function volumesOfClaim(pvc: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  for (const v of [pvc, prev]) if (v?.spec?.volumeName) keys.add(v.spec.volumeName);
  const ns = pvc.metadata?.namespace;
  const name = pvc.metadata?.name;
  for (const pv of c.client.list(PVS, undefined, (p) => p.spec?.claimRef?.namespace === ns && p.spec?.claimRef?.name === name))
    keys.add(pv.metadata.name);
  return [...keys];
}

export const claimBinder: Controller = {
  name: CLAIM_BINDER,
  primary: PVCS,
  watches: [
    { plural: PVCS },
    { plural: PVS, map: claimsOfVolume },
    // A new default class, or a class the claims were waiting for.
    { plural: "storageclasses", map: (_sc, _prev, c) => pendingClaims(c) },
  ],
  reconcile: syncClaim,
};

export const volumeBinder: Controller = {
  name: VOLUME_BINDER,
  primary: PVS,
  watches: [{ plural: PVS }, { plural: PVCS, map: volumesOfClaim }],
  reconcile: syncVolume,
};
