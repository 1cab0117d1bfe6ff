// The StatefulSet controller (pkg/controller/statefulset: stateful_set.go, stateful_set_control.go,
// stateful_set_utils.go, stateful_pod_control.go): pods `<set>-<ordinal>` with a stable identity
// (hostname, subdomain, pod-name and pod-index labels), a claim per volumeClaimTemplate created before
// its pod, OrderedReady or Parallel management, scale-down from the highest ordinal, ControllerRevisions
// for the template history, RollingUpdate with a partition or OnDelete, and the claims' owner
// references kept to the persistentVolumeClaimRetentionPolicy.
import type { StatefulSetStatus } from "kubernetes-types/apps/v1";
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { clone, computeHash, selectorMatches, stableStringify } from "../resources/podtemplate";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { claim, podFromTemplate, REPLICAS_PER_RECONCILE, slowStartBatch } from "./replicaset";
import { controllerRef, isPodAvailable, isPodReady, ownerReference } from "./util";

const COMPONENT = { component: "statefulset-controller" };
/** apps.StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey). */
export const REVISION_LABEL = "controller-revision-hash";
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A claim that cannot be created or is being deleted: the sync stops and is retried. */
export class ClaimError extends Error {}

// ---- identity (stateful_set_utils.go) --------------------------------------------------------------

const ORDINAL = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: the set's name and the ordinal of a pod name, or ordinal -1. */
export function parentAndOrdinal(name: string): { parent: string; ordinal: number } {
  const m = ORDINAL.exec(name);
  if (!m) return { parent: "", ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= 0x7fffffff ? { parent: m[1], ordinal: n } : { parent: "", ordinal: -1 };
}

export const getOrdinal = (pod: Obj) => parentAndOrdinal(pod.metadata?.name ?? "").ordinal;
export const startOrdinal = (set: Obj): number => set.spec?.ordinals?.start ?? 0;
export const endOrdinal = (set: Obj): number => startOrdinal(set) + (set.spec?.replicas ?? 1) - 1;
export const podName = (set: Obj, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: Obj, template: Obj, ordinal: number) => `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;

/** isMemberOf: the pod's name says it belongs to the set. */
export const isMemberOf = (set: Obj, pod: Obj) => parentAndOrdinal(pod.metadata?.name ?? "").parent === set.metadata.name;

export function podInOrdinalRange(pod: Obj, set: Obj): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export const isCreated = (pod: Obj) => !!pod.status?.phase;
export const isTerminating = (pod: Obj) => !!pod.metadata?.deletionTimestamp;
export const isRunningAndReady = (pod: Obj) => pod.status?.phase === "Running" && isPodReady(pod);
export const isHealthy = (pod: Obj) => isRunningAndReady(pod) && !isTerminating(pod);
export const podRevision = (pod: Obj): string => pod.metadata?.labels?.[REVISION_LABEL] ?? "";

/** getPersistentVolumeClaims: the claims of the pod at `ordinal`, by template name. */
export function claimsFor(set: Obj, ordinal: number): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const t of (set.spec?.volumeClaimTemplates ?? []) as Obj[]) {
    const c = clone(t);
    delete c.status;
    c.metadata = { ...(c.metadata ?? {}), name: claimName(set, t, ordinal), namespace: set.metadata.namespace };
    c.metadata.labels = { ...(c.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    delete c.metadata.creationTimestamp;
    c.apiVersion = "v1";
    c.kind = "PersistentVolumeClaim";
    out.set(t.metadata?.name, c);
  }
  return out;
}

/** updateIdentity: name, namespace and the identity labels. */
function updateIdentity(set: Obj, pod: Obj): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** updateStorage: a volume per claim template (replacing a template volume of the same name). */
function updateStorage(set: Obj, pod: Obj): void {
  const claims = claimsFor(set, getOrdinal(pod));
  const volumes: Obj[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata.name } }));
  for (const v of (pod.spec.volumes ?? []) as Obj[]) if (!claims.has(v.name)) volumes.push(v);
  if (volumes.length) pod.spec.volumes = volumes;
}

/** identityMatches: the pod has the name, namespace and labels its ordinal gives it. */
export function identityMatches(set: Obj, pod: Obj): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata?.name ?? "");
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name &&
    pod.metadata.labels?.[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** storageMatches: every claim template is mounted from the pod's own claim. */
export function storageMatches(set: Obj, pod: Obj): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map(((pod.spec?.volumes ?? []) as Obj[]).map((v) => [v.name, v]));
  for (const [name, c] of claimsFor(set, ordinal)) {
    const v = volumes.get(name);
    if (v?.persistentVolumeClaim?.claimName !== c.metadata.name) return false;
  }
  return true;
}

/** newStatefulSetPod: the pod at `ordinal` from the set's template. */
export function newStatefulSetPod(set: Obj, ordinal: number): Obj {
  const pod = podFromTemplate(set.spec.template ?? {}, set);
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/** ApplyRevision: the set with the revision's template (the revision's replacing patch). */
export function applyRevision(set: Obj, revision: Obj): Obj {
  const out = clone(set);
  const template = clone(revision.data?.spec?.template ?? {});
  delete template.$patch;
  out.spec.template = template;
  return out;
}

/** newVersionedStatefulSetPod (with the upstream operator precedence: `A && B || C`). */
export function newVersionedPod(currentSet: Obj, updateSet: Obj, currentRevision: string, updateRevision: string, ordinal: number): Obj {
  const us = currentSet.spec.updateStrategy ?? {};
  const start = startOrdinal(currentSet);
  const atCurrent =
    (us.type === "RollingUpdate" && us.rollingUpdate == null && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (us.rollingUpdate != null && ordinal < start + (us.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  pod.metadata.labels[REVISION_LABEL] = atCurrent ? currentRevision : updateRevision;
  return pod;
}

// ---- claims and the retention policy -------------------------------------------------------------

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes("/") ? apiVersion.split("/")[0] : "");

/** matchesRef: a reference to this object's name and kind (any uid). */
function matchesRef(ref: Obj, obj: Obj, kind: "StatefulSet" | "Pod"): boolean {
  return ref.name === obj.metadata.name && ref.kind === kind && groupOf(ref.apiVersion) === (kind === "Pod" ? "" : "apps");
}

const hasOwnerRef = (claim: Obj, owner: Obj) =>
  !!owner.metadata.uid && ((claim.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.uid === owner.metadata.uid);

/** hasStaleOwnerRef: the first reference to the object's name carries another uid. */
function hasStaleOwnerRef(claim: Obj, obj: Obj, kind: "StatefulSet" | "Pod"): boolean {
  const ref = ((claim.metadata.ownerReferences ?? []) as Obj[]).find((r) => matchesRef(r, obj, kind));
  return !!ref && ref.uid !== obj.metadata.uid;
}

const retentionOf = (set: Obj) => ({
  whenDeleted: set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? "Retain",
  whenScaled: set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled ?? "Retain",
});

/** hasUnexpectedController: another controller owns the claim (or our refs carry stale uids). */
function hasUnexpectedController(claim: Obj, set: Obj, pod: Obj): boolean {
  const p = retentionOf(set);
  if (p.whenScaled === "Retain" && p.whenDeleted === "Retain") return false;
  for (const ref of (claim.metadata.ownerReferences ?? []) as Obj[]) {
    if (matchesRef(ref, set, "StatefulSet")) {
      if (ref.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod, "Pod")) {
      if (ref.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

const hasNonControllerOwner = (claim: Obj, set: Obj, pod: Obj) =>
  ((claim.metadata.ownerReferences ?? []) as Obj[]).some(
    (r) => (r.uid === set.metadata.uid || (pod.metadata.uid && r.uid === pod.metadata.uid)) && !r.controller,
  );

/** isClaimOwnerUpToDate: the claim's owners are what the retention policy asks for. Retain/Retain: none;
 *  Retain on scale, Delete with the set: the set; Delete on scale: the pod once scaled down, else
 *  (Delete/Delete) the set. */
export function isClaimOwnerUpToDate(claim: Obj, set: Obj, pod: Obj): boolean {
  if (hasStaleOwnerRef(claim, set, "StatefulSet") || hasStaleOwnerRef(claim, pod, "Pod")) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const p = retentionOf(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const onSet = hasOwnerRef(claim, set);
  const onPod = hasOwnerRef(claim, pod);
  if (p.whenScaled === "Delete" && p.whenDeleted === "Delete") return scaledDown !== onSet && scaledDown === onPod;
  if (p.whenScaled === "Delete") return !onSet && scaledDown === onPod;
  if (p.whenDeleted === "Delete") return onSet && !onPod;
  return !onSet && !onPod;
}

/** updateClaimOwnerRefForSetAndPod: scrub our references, then add the controller references the policy
 *  asks for (none when another controller owns the claim). */
export function updateClaimOwnerRefs(claimObj: Obj, set: Obj, pod: Obj): void {
  const unexpected = hasUnexpectedController(claimObj, set, pod);
  let refs = ((claimObj.metadata.ownerReferences ?? []) as Obj[]).filter(
    (r) => !matchesRef(r, set, "StatefulSet") && !matchesRef(r, pod, "Pod"),
  );
  if (!unexpected) {
    const p = retentionOf(set);
    const scaledDown = !podInOrdinalRange(pod, set);
    const add = (owner: Obj, apiVersion: string, kind: string) => {
      if (owner.metadata.uid && !refs.some((r) => r.uid === owner.metadata.uid))
        refs = [...refs, ownerReference({ ...owner, apiVersion, kind })];
    };
    if (p.whenScaled === "Delete" && scaledDown) add(pod, "v1", "Pod");
    else if (p.whenDeleted === "Delete" && (p.whenScaled === "Retain" || !scaledDown)) add(set, "apps/v1", "StatefulSet");
  }
  if (refs.length) claimObj.metadata.ownerReferences = refs;
  else delete claimObj.metadata.ownerReferences;
}

// ---- the pod control (stateful_pod_control.go) -----------------------------------------------------

/** What the sync does to pods and claims; the cluster's implementation records the upstream events. */
export interface StatefulPodControl {
  createPod(set: Obj, pod: Obj): void;
  deletePod(set: Obj, pod: Obj): void;
  updatePod(set: Obj, pod: Obj): void;
  /** The pod's claims already carry the owners the retention policy asks for (missing ones count as matching). */
  claimsMatchRetention(set: Obj, pod: Obj): boolean;
  updateClaimsForRetention(set: Obj, pod: Obj): void;
  /** A claim of the pod still names an older pod of that name (PodClaimIsStale). */
  podClaimIsStale(set: Obj, pod: Obj): boolean;
  createMissingClaims(set: Obj, pod: Obj): void;
}

export class ClusterPodControl implements StatefulPodControl {
  constructor(readonly c: ControllerContext) {}

  private podEvent(verb: string, set: Obj, pod: Obj, err?: unknown) {
    const title = verb[0].toUpperCase() + verb.slice(1);
    if (err === undefined)
      this.c.events.record(
        set,
        "Normal",
        `Successful${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
        COMPONENT,
      );
    else
      this.c.events.record(
        set,
        "Warning",
        `Failed${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`,
        COMPONENT,
      );
  }

  private claimEvent(verb: string, set: Obj, pod: Obj, claimObj: Obj, err?: unknown) {
    const title = verb[0].toUpperCase() + verb.slice(1);
    const c = claimObj.metadata.name;
    if (err === undefined)
      this.c.events.record(
        set,
        "Normal",
        `Successful${title}`,
        `${verb} Claim ${c} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`,
        COMPONENT,
      );
    else
      this.c.events.record(
        set,
        "Warning",
        `Failed${title}`,
        `${verb} Claim ${c} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`,
        COMPONENT,
      );
  }

  /** createPersistentVolumeClaims: create the missing claims; a claim being deleted is an error. */
  private createClaims(set: Obj, pod: Obj): void {
    const errs: string[] = [];
    for (const wanted of claimsFor(set, getOrdinal(pod)).values()) {
      const existing = this.c.client.get("persistentvolumeclaims", wanted.metadata.namespace, wanted.metadata.name);
      if (!existing) {
        try {
          this.c.client.create("persistentvolumeclaims", wanted);
          this.claimEvent("create", set, pod, wanted);
        } catch (e) {
          errs.push(`failed to create PVC ${wanted.metadata.name}: ${errorMessage(e)}`);
          if (!(e instanceof ApiError && e.code === 409)) this.claimEvent("create", set, pod, wanted, e);
        }
      } else if (existing.metadata.deletionTimestamp) errs.push(`pvc ${wanted.metadata.name} is being deleted`);
    }
    if (errs.length) throw new ClaimError(errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`);
  }

  createPod(set: Obj, pod: Obj): void {
    try {
      this.createClaims(set, pod);
    } catch (e) {
      this.podEvent("create", set, pod, e);
      throw e;
    }
    let created: Obj;
    try {
      created = this.c.client.create("pods", pod);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) this.podEvent("create", set, pod, e);
      throw e;
    }
    try {
      this.updateClaimsForRetention(set, created);
    } catch (e) {
      this.podEvent("update", set, created, e);
      throw e;
    }
    this.podEvent("create", set, created);
  }

  deletePod(set: Obj, pod: Obj): void {
    try {
      this.c.client.delete("pods", pod.metadata.namespace, pod.metadata.name);
      this.podEvent("delete", set, pod);
    } catch (e) {
      this.podEvent("delete", set, pod, e);
      throw e;
    }
  }

  /** UpdateStatefulPod: restore the identity and storage, create missing claims, fix the claims' owners. */
  updatePod(set: Obj, pod: Obj): void {
    const needsPod = !identityMatches(set, pod) || !storageMatches(set, pod);
    if (!storageMatches(set, pod)) this.createClaims(set, pod);
    if (!this.claimsMatchRetention(set, pod)) this.updateClaimsForRetention(set, pod);
    if (!needsPod) return;
    try {
      this.c.client.patch("pods", pod.metadata.namespace, pod.metadata.name, (cur) => {
        updateIdentity(set, cur);
        // A running pod's volumes cannot change; only the labels are restored then.
        if (!cur.spec.nodeName) updateStorage(set, cur);
      });
      this.podEvent("update", set, pod);
    } catch (e) {
      this.podEvent("update", set, pod, e);
      throw e;
    }
  }

  claimsMatchRetention(set: Obj, pod: Obj): boolean {
    for (const wanted of claimsFor(set, getOrdinal(pod)).values()) {
      const existing = this.c.client.get("persistentvolumeclaims", wanted.metadata.namespace, wanted.metadata.name);
      if (existing && !isClaimOwnerUpToDate(existing, set, pod)) return false;
    }
    return true;
  }

  updateClaimsForRetention(set: Obj, pod: Obj): void {
    for (const wanted of claimsFor(set, getOrdinal(pod)).values()) {
      const existing = this.c.client.get("persistentvolumeclaims", wanted.metadata.namespace, wanted.metadata.name);
      if (!existing || isClaimOwnerUpToDate(existing, set, pod)) continue;
      this.c.client.patch("persistentvolumeclaims", existing.metadata.namespace, existing.metadata.name, (cur) =>
        updateClaimOwnerRefs(cur, set, pod),
      );
    }
  }

  podClaimIsStale(set: Obj, pod: Obj): boolean {
    for (const wanted of claimsFor(set, getOrdinal(pod)).values()) {
      const existing = this.c.client.get("persistentvolumeclaims", wanted.metadata.namespace, wanted.metadata.name);
      if (existing && hasStaleOwnerRef(existing, pod, "Pod")) return true;
    }
    return false;
  }

  createMissingClaims(set: Obj, pod: Obj): void {
    this.createClaims(set, pod);
  }
}

// ---- the sync (stateful_set_control.go) ------------------------------------------------------------

/** computeReplicaStatus over every list: created, ready, available, current and updated pods. */
export function replicaCounts(lists: Obj[][], minReadySeconds: number, currentRevision: string, updateRevision: string, now: number) {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of lists.flat()) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isPodAvailable(pod, minReadySeconds, now)) s.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === currentRevision) s.currentReplicas++;
      if (podRevision(pod) === updateRevision) s.updatedReplicas++;
    }
  }
  return s;
}

export interface SyncResult {
  status: StatefulSetStatus;
  /** Creations were held back for the next reconcile (REPLICAS_PER_RECONCILE). */
  more: boolean;
}

/**
 * updateStatefulSet: bring the pods one step closer to the set's spec. In OrderedReady mode every
 * step waits for the pods before it to be Running and Ready (and available), so at most one pod is
 * created or deleted per sync; Parallel creates and deletes all at once. Returns the status computed
 * from the pods seen (upstream's updateStatus).
 */
export function syncReplicas(
  set: Obj,
  currentRevision: Obj,
  updateRevision: Obj,
  collisionCount: number,
  pods: Obj[],
  ctl: StatefulPodControl,
  now: number,
  limit = REPLICAS_PER_RECONCILE,
): SyncResult {
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const cur = currentRevision.metadata.name;
  const upd = updateRevision.metadata.name;
  const minReady = set.spec.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    currentRevision: cur,
    updateRevision: upd,
    collisionCount,
    ...replicaCounts([pods], minReady, cur, upd, now),
  };
  const start = startOrdinal(set);
  const replicaCount = set.spec.replicas ?? 1;
  const replicas: Obj[] = new Array(replicaCount);
  const condemned: Obj[] = [];
  for (const pod of pods) {
    if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
    else if (getOrdinal(pod) >= 0) condemned.push(pod);
  }
  for (let ord = start; ord <= endOrdinal(set); ord++)
    if (!replicas[ord - start]) replicas[ord - start] = newVersionedPod(currentSet, updateSet, cur, upd, ord);
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

  let firstUnhealthy: Obj | undefined = replicas.find((p) => !isHealthy(p));
  for (let i = condemned.length - 1; i >= 0 && !firstUnhealthy; i--) if (!isHealthy(condemned[i])) firstUnhealthy = condemned[i];

  const finish = (): SyncResult => {
    Object.assign(status, replicaCounts([replicas, condemned], minReady, cur, upd, now));
    return { status, more };
  };
  let more = false;
  if (set.metadata.deletionTimestamp) return { status, more };

  const monotonic = set.spec.podManagementPolicy !== "Parallel";
  let created = 0;

  /** runForAll: in order until one step blocks (monotonic), or all at once in slow-start batches. */
  const runForAll = (list: Obj[], fn: (i: number) => boolean): boolean => {
    if (monotonic) {
      for (let i = 0; i < list.length; i++) if (fn(i)) return true;
      return false;
    }
    let i = 0;
    const { error } = slowStartBatch(list.length, 1, () => void fn(i++));
    if (error !== undefined) throw error;
    return false;
  };

  const processReplica = (i: number): boolean => {
    let pod = replicas[i];
    if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
      ctl.deletePod(set, pod);
      pod = replicas[i] = newVersionedPod(currentSet, updateSet, cur, upd, i + start);
    }
    if (!isCreated(pod)) {
      if (ctl.podClaimIsStale(set, pod)) return true;
      if (created >= limit) {
        more = true;
        return true;
      }
      ctl.createPod(set, pod);
      created++;
      return monotonic;
    }
    if (pod.status?.phase === "Pending") ctl.createMissingClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isPodAvailable(pod, minReady, now) && monotonic) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod) && ctl.claimsMatchRetention(updateSet, pod)) return false;
    ctl.updatePod(updateSet, pod);
    return false;
  };
  if (runForAll(replicas, processReplica)) return finish();

  const fixClaims = (i: number): boolean => {
    if (!ctl.claimsMatchRetention(updateSet, condemned[i])) ctl.updateClaimsForRetention(updateSet, condemned[i]);
    return false;
  };
  if (runForAll(condemned, fixClaims)) return finish();

  const processCondemned = (i: number): boolean => {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return true;
    if (!isPodAvailable(pod, minReady, now) && monotonic && pod !== firstUnhealthy) return true;
    ctl.deletePod(set, pod);
    return true;
  };
  if (runForAll(condemned, processCondemned)) return finish();

  Object.assign(status, replicaCounts([replicas, condemned], minReady, cur, upd, now));
  if (set.spec.updateStrategy?.type === "OnDelete") return { status, more };

  // RollingUpdate: replace the highest ordinal not at the update revision, down to the partition,
  // waiting for each replaced pod to be healthy again.
  const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (podRevision(pod) !== upd && !isTerminating(pod)) {
      ctl.deletePod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return { status, more };
    }
    if (!isHealthy(pod)) return { status, more };
  }
  return { status, more };
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision is current. */
export function completeRollingUpdate(set: Obj, status: StatefulSetStatus): void {
  if (
    set.spec.updateStrategy?.type === "RollingUpdate" &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** The wire form: zero counts are omitted (omitempty) except replicas, availableReplicas and collisionCount. */
export function wireStatus(s: StatefulSetStatus): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === "") continue;
    if (v === 0 && !["replicas", "availableReplicas", "collisionCount"].includes(k)) continue;
    out[k] = v;
  }
  out.replicas ??= 0;
  out.availableReplicas ??= 0;
  return out;
}

// ---- revisions (history) -----------------------------------------------------------------------

/** getPatch: the template as a replacing strategic merge patch. */
export function revisionData(set: Obj): Obj {
  return { spec: { template: { ...clone(set.spec.template), $patch: "replace" } } };
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(revisions: Obj[]): Obj[] {
  const t = (o: Obj) => Date.parse(o.metadata.creationTimestamp ?? "") || 0;
  return [...revisions].sort(
    (a, b) => (a.revision ?? 0) - (b.revision ?? 0) || t(a) - t(b) || String(a.metadata.name).localeCompare(b.metadata.name),
  );
}

/** newRevision / history.NewControllerRevision. */
export function newRevision(set: Obj, revision: number, collisionCount: number): Obj {
  const data = revisionData(set);
  const hash = computeHash(data, collisionCount);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `${set.metadata.name}-${hash}`,
      namespace: set.metadata.namespace,
      labels: { ...(set.spec.template?.metadata?.labels ?? {}), [REVISION_LABEL]: hash },
      annotations: { ...(set.metadata.annotations ?? {}) },
      ownerReferences: [ownerReference(set)],
    },
    data,
    revision,
  };
}

const sameData = (a: Obj, b: Obj) => stableStringify(a.data) === stableStringify(b.data);

/** getStatefulSetRevisions: the current and update revisions, creating or re-numbering as needed. */
function revisionsOf(c: ControllerContext, set: Obj, revisions: Obj[]): { current: Obj; update: Obj; collisionCount: number } {
  const sorted = sortRevisions(revisions);
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = (sorted.at(-1)?.revision ?? 0) + 1;
  const wanted = newRevision(set, next, collisionCount);
  const equal = sorted.filter((r) => sameData(r, wanted));
  let update: Obj;
  if (equal.length && sorted.at(-1) === equal.at(-1)) update = equal.at(-1)!;
  else if (equal.length) {
    const e = equal.at(-1)!;
    update = c.client.patch("controllerrevisions", e.metadata.namespace, e.metadata.name, (x) => void (x.revision = next)) ?? e;
  } else {
    // CreateControllerRevision: a name taken by other data is a hash collision; count it and rehash.
    for (;;) {
      const cr = newRevision(set, next, collisionCount);
      try {
        update = c.client.create("controllerrevisions", cr);
        break;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        const existing = c.client.get("controllerrevisions", cr.metadata.namespace, cr.metadata.name);
        if (existing && controllerRef(existing)?.uid === set.metadata.uid && sameData(existing, cr)) {
          update = existing;
          break;
        }
        collisionCount++;
      }
    }
  }
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** truncateHistory: delete the oldest revisions no pod uses beyond revisionHistoryLimit. */
function truncateHistory(c: ControllerContext, set: Obj, pods: Obj[], revisions: Obj[], current: Obj, update: Obj): void {
  const live = new Set([current.metadata.name, update.metadata.name, ...pods.map(podRevision)]);
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name));
  const limit = set.spec.revisionHistoryLimit ?? 10;
  for (const r of history.slice(0, Math.max(0, history.length - limit)))
    c.client.delete("controllerrevisions", r.metadata.namespace, r.metadata.name);
}

// ---- the controller ------------------------------------------------------------------------------

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const set = c.client.get("statefulsets", namespace, name);
  if (!set) return;
  const sel = set.spec?.selector;
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return;
  const revisions = claim(c, set, "controllerrevisions", c.client.list("controllerrevisions", namespace), (cr) =>
    selectorMatches(sel, cr.metadata.labels),
  );
  const pods = claim(
    c,
    set,
    "pods",
    c.client.list("pods", namespace),
    (p) => selectorMatches(sel, p.metadata.labels) && isMemberOf(set, p),
  );
  const { current, update, collisionCount } = revisionsOf(c, set, revisions);
  const now = c.now();
  let result: SyncResult;
  try {
    result = syncReplicas(set, current, update, collisionCount, pods, new ClusterPodControl(c), now);
  } catch (e) {
    if (!(e instanceof ApiError) && !(e instanceof ClaimError)) throw e;
    // A failed step is retried, as the real controller requeues with backoff.
    return { requeueAfter: 1000 };
  }
  const { status, more } = result;
  completeRollingUpdate(set, status);
  const wire = wireStatus(status);
  if (stableStringify(wire) !== stableStringify(set.status ?? {}))
    c.client.patch("statefulsets", namespace, name, (x) => void (x.status = wire), { status: true });
  if (!set.metadata.deletionTimestamp)
    truncateHistory(
      c,
      set,
      pods,
      c.client.list("controllerrevisions", namespace, (r) => controllerRef(r)?.uid === set.metadata.uid),
      current,
      update,
    );
  if (more) return { requeueAfter: 0 };
  const minReady = set.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && status.readyReplicas !== status.availableReplicas) return { requeueAfter: minReady * 1000 };
  return undefined;
}

/** A pod change wakes its StatefulSet (or, for an orphan, the sets that select it). */
function podKeys(pod: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  const ns = pod.metadata.namespace;
  let orphan = false;
  for (const p of prev ? [pod, prev] : [pod]) {
    const ref = controllerRef(p);
    if (!ref) orphan = true;
    else if (ref.kind === "StatefulSet") keys.add(`${ns}/${ref.name}`);
  }
  if (orphan)
    for (const set of c.client.list("statefulsets", ns))
      if (selectorMatches(set.spec?.selector, pod.metadata.labels) && isMemberOf(set, pod)) keys.add(keyOf(set));
  return [...keys];
}

/** A claim change (deleted, owners) wakes the set whose pods use it. */
function claimKeys(pvc: Obj, _prev: Obj | undefined, c: ControllerContext): Key[] {
  const ns = pvc.metadata.namespace;
  return c.client
    .list("statefulsets", ns)
    .filter((s) =>
      ((s.spec?.volumeClaimTemplates ?? []) as Obj[]).some((t) =>
        String(pvc.metadata.name).startsWith(`${t.metadata?.name}-${s.metadata.name}-`),
      ),
    )
    .map(keyOf);
}

export const statefulSetController: Controller = {
  name: "statefulset-controller",
  primary: "statefulsets",
  watches: [{ plural: "statefulsets" }, { plural: "pods", map: podKeys }, { plural: "persistentvolumeclaims", map: claimKeys }],
  reconcile,
};
