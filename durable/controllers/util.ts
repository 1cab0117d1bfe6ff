// Small helpers shared by controllers (k8s.io/kubernetes/pkg/controller and api/v1/pod).
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";

/** The controller ownerReference of an object, if any. */
export function controllerRef(obj: Obj): Obj | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true);
}

/** Is `obj` controlled by `owner` (by uid)? */
export function isControlledBy(obj: Obj, owner: Obj): boolean {
  return controllerRef(obj)?.uid === owner.metadata.uid;
}

/** The ownerReference a controller puts on what it creates. */
export function ownerReference(owner: Obj): Obj {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const isTerminating = (obj: Obj) => !!obj.metadata?.deletionTimestamp;

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !isTerminating(pod);
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: Obj, minReadySeconds: number, now: number): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: Obj) => c.type === "Ready" && c.status === "True");
  if (!ready) return false;
  if (!minReadySeconds) return true;
  return Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 <= now;
}

/**
 * Set a condition in a conditions list, keeping lastTransitionTime when the status does not change
 * (and lastUpdateTime/lastProbeTime as given). Returns the new list.
 */
export function setCondition(conditions: Obj[] | undefined, cond: Obj, now: number): Obj[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  const ts = rfc3339(now);
  if (i >= 0) {
    const old = list[i];
    list[i] = { ...old, ...cond, lastTransitionTime: old.status === cond.status ? old.lastTransitionTime : ts };
  } else {
    list.push({ ...cond, lastTransitionTime: ts });
  }
  return list;
}

export function getCondition(obj: Obj, type: string): Obj | undefined {
  return (obj.status?.conditions ?? []).find((c: Obj) => c.type === type);
}
