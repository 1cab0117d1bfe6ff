// Small helpers shared by controllers (k8s.io/kubernetes/pkg/controller and api/v1/pod).
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { putPodCondition } from "../nodes/subresources";
import type { ControllerContext } from "./types";

/**
 * A fact read from an object, found once per stored version: the store's cached objects are frozen
 * and shared between reconciles, and a controller that scans a thousand pods on every sync would
 * otherwise search each one's lists again each time. Objects not frozen (being built or changed) are
 * searched every time.
 */
function memoized<T>(find: (obj: Obj) => T | undefined): (obj: Obj) => T | undefined {
  const found = new WeakMap<Obj, T | null>();
  return (obj) => {
    if (!Object.isFrozen(obj)) return find(obj);
    const hit = found.get(obj);
    if (hit !== undefined) return hit ?? undefined;
    const value = find(obj);
    found.set(obj, value ?? null);
    return value;
  };
}

/** The controller ownerReference of an object, if any. */
export const controllerRef = memoized<Obj>((obj) => (obj.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true));

/** A pod's Ready condition when it is True. */
export const readyCondition = memoized<Obj>((pod) =>
  (pod.status?.conditions ?? []).find((c: Obj) => c.type === "Ready" && c.status === "True"),
);

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
  return readyCondition(pod) !== undefined;
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !isTerminating(pod);
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: Obj, minReadySeconds: number, now: number): boolean {
  const ready = readyCondition(pod);
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

/** Write one condition into a pod's status (and what `also` sets beside it); undefined when the pod is gone. */
export function patchPodCondition(
  c: ControllerContext,
  namespace: string,
  name: string,
  condition: Obj,
  also?: (status: Obj) => void,
): Obj | undefined {
  return c.client.patch(
    "pods",
    namespace,
    name,
    (p) => {
      p.status ??= {};
      putPodCondition(p.status, condition, c.now());
      also?.(p.status);
    },
    { status: true },
  );
}
