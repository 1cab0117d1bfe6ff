// The shape of a controller: a level-triggered reconcile(key) in the style of sample-controller.
import type { Obj } from "../resources/types";
import type { Client } from "./client";
import type { EventRecorder } from "./events";
import type { Clock } from "../nodes/clock";

/** A queue key: "<namespace>/<name>" for namespaced objects, "<name>" for cluster-scoped ones. */
export type Key = string;

export const keyOf = (obj: Obj): Key => (obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata?.name);

export function splitKey(key: Key): { namespace?: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** A Watch's plural for the changes of kinds no controller names (custom resources). */
export const ANY_KIND = "*";

/** What wakes a controller: changes to objects of `plural` map to keys of its primary kind. */
export interface Watch {
  /** A built-in kind's plural, or ANY_KIND. */
  plural: string;
  /** Keys to reconcile for a changed object (`prev` is its previous state, when known).
   *  Defaults to the object's own key. */
  map?(obj: Obj, prev: Obj | undefined, c: ControllerContext): Key[];
  /** Whether an update (from `prev` to `obj`) can concern the controller at all; an update it
   *  refuses wakes nobody, as a controller-runtime update predicate. Creations and deletions, and
   *  updates whose previous state is unknown, always do. */
  concerns?(obj: Obj, prev: Obj): boolean;
}

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (a timed transition). */
  requeueAfter?: number;
}

export interface Controller {
  /** Unique name, also the component that reports its events (e.g. "replicaset-controller"). */
  name: string;
  /** The primary kind (plural) whose keys this controller reconciles; resync lists it. */
  primary: string;
  watches: Watch[];
  /** Read current state, compare with desired, write the difference. Must be idempotent. */
  reconcile(key: Key, c: ControllerContext): ReconcileResult | void;
}

export interface ControllerContext {
  /** Cluster time in ms (the same clock the API server stamps objects with). */
  now(): number;
  client: Client;
  events: EventRecorder;
  clock: Clock;
  /** Enqueue a key of any controller (e.g. the scheduler after a node change). */
  enqueue(controller: string, key: Key): void;
  /**
   * Has the slice of the drain this reconcile runs in used its time (see SLICE_MS)? A reconcile with a
   * batch of writes to do stops there, after at least one, and asks to be requeued for the rest.
   */
  sliceSpent?(): boolean;
  /** Exits of container processes driven by their stdin through attach (durable/nodes/stdio.ts). */
  stdio?: { exitOf(pod: Obj, c: Obj, startedAt: number): { code: number; at: number } | undefined };
}
