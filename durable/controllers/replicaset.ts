// The ReplicaSet and ReplicationController controllers (pkg/controller/replicaset): one implementation
// (the real ReplicationManager is the ReplicaSet controller behind a conversion), two registrations.
// Claim pods by selector and controllerRef, create or delete the difference in slow-start batches,
// choose victims with the real ActivePods ranking, and report replicas/ready/available in status.
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { mapSelectorMatches, selectorMatches, stableStringify } from "../resources/podtemplate";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { controllerRef, isPodActive, isPodAvailable, isPodReady, ownerReference, readyCondition } from "./util";

/** controller.BurstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;
/** controller.SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;
/**
 * Creations or deletions in one reconcile; the rest follow in the next one, queued at once. The
 * real controller runs its slow-start batches concurrently with everything else; here a reconcile
 * holds the cluster's thread, so a scale to 1,000 is cut into steps of a few milliseconds that
 * requests can come between.
 */
export const REPLICAS_PER_RECONCILE = 16;

// ---- claiming (ControllerRefManager) ------------------------------------------------------------

/**
 * ClaimObjects: the objects `owner` controls after adopting matching orphans and releasing owned
 * objects that no longer match. `plural` is what the candidates are (for the patches).
 */
export function claim(c: ControllerContext, owner: Obj, plural: string, candidates: Obj[], matches: (o: Obj) => boolean): Obj[] {
  const claimed: Obj[] = [];
  const deleting = !!owner.metadata.deletionTimestamp;
  for (const o of candidates) {
    const ref = controllerRef(o);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue; // someone else's
      if (matches(o)) claimed.push(o);
      else if (!deleting) release(c, plural, o, owner);
      continue;
    }
    // An orphan: adopt it if it matches and neither side is going away.
    if (deleting || o.metadata.deletionTimestamp || !matches(o)) continue;
    const adopted = c.client.patch(plural, o.metadata.namespace, o.metadata.name, (cur) => {
      if (controllerRef(cur)) return;
      cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), ownerReference(owner)];
    });
    if (adopted && controllerRef(adopted)?.uid === owner.metadata.uid) claimed.push(adopted);
  }
  return claimed;
}

function release(c: ControllerContext, plural: string, o: Obj, owner: Obj): void {
  c.client.patch(plural, o.metadata.namespace, o.metadata.name, (cur) => {
    const refs = (cur.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== owner.metadata.uid);
    if (refs.length) cur.metadata.ownerReferences = refs;
    else delete cur.metadata.ownerReferences;
  });
}

// ---- pod creation and the deletion ranking -------------------------------------------------------

/** controller.GetPodFromTemplate: a pod for `owner` named `<owner>-<5 chars>`. */
export function podFromTemplate(template: Obj, owner: Obj): Obj {
  const meta = template.metadata ?? {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ownerReference(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** slowStartBatch: call fn count times in batches of 1, 2, 4, …, stopping after a batch with an
 *  error, so a failing create (quota, validation) does not hammer the API server, or, after one
 *  success, as soon as stop() says so. */
export function slowStartBatch(
  count: number,
  initial: number,
  fn: () => void,
  stop: () => boolean = () => false,
): { successes: number; error?: unknown } {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    let error: unknown;
    for (let i = 0; i < batch; i++) {
      if (successes > 0 && stop()) return { successes };
      try {
        fn();
        successes++;
      } catch (e) {
        error ??= e;
      }
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readyTime(pod: Obj): number | undefined {
  const ready = readyCondition(pod);
  return ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : undefined;
}

const maxRestarts = (pod: Obj) => Math.max(0, ...((pod.status?.containerStatuses ?? []) as Obj[]).map((s) => s.restartCount ?? 0));

const deletionCost = (pod: Obj) => {
  const v = Number(pod.metadata?.annotations?.["controller.kubernetes.io/pod-deletion-cost"]);
  return Number.isFinite(v) ? v : 0;
};

/** The logarithmic bucket of an age (LogarithmicScaleDown): pods of similar age rank equal. */
const logBucket = (t: number, now: number) => Math.floor(Math.log2(Math.max(1, (now - t) * 1e6)));

/**
 * controller.ActivePodsWithRanks.Less: negative when `a` should be deleted before `b`.
 * Unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower deletion cost first;
 * doubled up (higher rank) first; ready for less time first; more restarts first; newer first.
 */
export function comparePodsForDeletion(a: Obj, b: Obj, rankA: number, rankB: number, now: number): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) {
      if (ta === undefined) return -1; // never ready (no time) first
      if (tb === undefined) return 1;
      const ba = logBucket(ta, now);
      const bb = logBucket(tb, now);
      if (ba !== bb) return ba - bb; // the one ready for less time goes first
    }
  }
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const ca = a.metadata?.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : undefined;
  const cb = b.metadata?.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : undefined;
  if (ca !== cb) {
    if (ca === undefined) return -1;
    if (cb === undefined) return 1;
    const ba = logBucket(ca, now);
    const bb = logBucket(cb, now);
    if (ba !== bb) return ba - bb; // newer first
  }
  return 0;
}

/**
 * getPodsToDelete: the `diff` pods to delete. Each pod is ranked by how many related active pods
 * (of this owner and, for a Deployment, its sibling ReplicaSets) share its node.
 */
export function podsToDelete(pods: Obj[], related: Obj[], diff: number, now: number): Obj[] {
  if (diff >= pods.length) return pods;
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Obj) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const ranked = pods.map((p, i) => ({ p, r: rank(p), i }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, y.p, x.r, y.r, now) || x.i - y.i);
  return ranked.slice(0, diff).map((x) => x.p);
}

// ---- the controller -----------------------------------------------------------------------------

interface Flavour {
  name: string;
  plural: string;
  kind: string;
  /** Does this owner's selector match these labels? */
  selects(owner: Obj, labels: Record<string, string> | undefined): boolean;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Pods owned by RS siblings of the same Deployment (getPodsToDelete's related pods). */
function relatedPods(c: ControllerContext, owner: Obj, flavour: Flavour, allPods: Obj[]): Obj[] {
  const deploy = controllerRef(owner);
  if (flavour.kind !== "ReplicaSet" || !deploy) return allPods.filter((p) => controllerRef(p)?.uid === owner.metadata.uid);
  const siblings = new Set(
    c.client.list(flavour.plural, owner.metadata.namespace, (rs) => controllerRef(rs)?.uid === deploy.uid).map((rs) => rs.metadata.uid),
  );
  return allPods.filter((p) => siblings.has(controllerRef(p)?.uid));
}

interface Managed {
  /** The first error of a create or delete. */
  error?: unknown;
  /** A difference is left for the next reconcile. */
  more: boolean;
  /** The owner's pods after the creations and deletions. */
  current: Obj[];
}

/** Create or delete the difference, at most REPLICAS_PER_RECONCILE of it; creations stop early when
 *  the drain's slice is spent (each one is a full create with its event). */
function manageReplicas(c: ControllerContext, owner: Obj, flavour: Flavour, pods: Obj[], allPods: Obj[]): Managed {
  const desired = owner.spec?.replicas ?? 1;
  const diff = pods.length - desired;
  const step = Math.min(Math.abs(diff), BURST_REPLICAS, REPLICAS_PER_RECONCILE);
  const more = Math.abs(diff) > step;
  const source = { component: flavour.name };
  if (diff < 0) {
    const created: Obj[] = [];
    const create = () => {
      try {
        const pod = c.client.create("pods", podFromTemplate(owner.spec?.template ?? {}, owner));
        created.push(pod);
        c.events.record(owner, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, source);
      } catch (e) {
        c.events.record(owner, "Warning", "FailedCreate", `Error creating: ${errorMessage(e)}`, source);
        throw e;
      }
    };
    const { successes, error } = slowStartBatch(step, SLOW_START_INITIAL_BATCH, create, () => c.sliceSpent?.() ?? false);
    return { error, more: (more || successes < step) && error === undefined, current: [...pods, ...created] };
  }
  if (diff > 0) {
    const victims = podsToDelete(pods, relatedPods(c, owner, flavour, allPods), step, c.now());
    let error: unknown;
    const deleted = new Set<Obj>();
    for (const pod of victims) {
      try {
        if (c.client.delete("pods", pod.metadata.namespace, pod.metadata.name))
          c.events.record(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, source);
        deleted.add(pod);
      } catch (e) {
        c.events.record(owner, "Warning", "FailedDelete", `Error deleting: ${errorMessage(e)}`, source);
        error ??= e;
      }
    }
    return { error, more: more && error === undefined, current: pods.filter((p) => !deleted.has(p)) };
  }
  return { more: false, current: pods };
}

/** calculateStatus: counts over the claimed active pods, the ReplicaFailure condition. */
function calculateStatus(owner: Obj, pods: Obj[], manageError: unknown, now: number): Obj {
  const templateLabels = Object.entries<string>(owner.spec?.template?.metadata?.labels ?? {});
  const minReady = owner.spec?.minReadySeconds ?? 0;
  const fully = pods.filter((p) => templateLabels.every(([k, v]) => p.metadata.labels?.[k] === v)).length;
  const ready = pods.filter(isPodReady).length;
  const available = pods.filter((p) => isPodAvailable(p, minReady, now)).length;
  let conditions: Obj[] = [...(owner.status?.conditions ?? [])];
  const failure = conditions.find((x) => x.type === "ReplicaFailure");
  if (manageError !== undefined && !failure) {
    const desired = owner.spec?.replicas ?? 1;
    conditions.push({
      type: "ReplicaFailure",
      status: "True",
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      reason: pods.length < desired ? "FailedCreate" : "FailedDelete",
      message: errorMessage(manageError),
    });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((x) => x.type !== "ReplicaFailure");
  }
  // The wire form omits zero counts (omitempty) but always carries replicas.
  return {
    replicas: pods.length,
    ...(fully ? { fullyLabeledReplicas: fully } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    ...(owner.metadata.generation ? { observedGeneration: owner.metadata.generation } : {}),
    ...(conditions.length ? { conditions } : {}),
  };
}

/** When the next ready-but-not-yet-available pod becomes available (minReadySeconds), if any. */
function nextAvailable(owner: Obj, pods: Obj[], now: number): number | undefined {
  const minReady = owner.spec?.minReadySeconds ?? 0;
  if (!minReady) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    const t = readyTime(p);
    if (t === undefined || !isPodReady(p)) continue;
    const wait = t + minReady * 1000 - now;
    if (wait > 0) next = Math.min(next ?? Infinity, wait);
  }
  return next;
}

function reconcile(flavour: Flavour, key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const owner = c.client.current(flavour.plural, namespace, name);
  if (!owner) return; // gone: the garbage collector deletes its pods
  const allPods = c.client.list("pods", namespace);
  const active = allPods.filter(isPodActive);
  const pods = claim(c, owner, "pods", active, (p) => flavour.selects(owner, p.metadata.labels));
  // Counted after the creations and deletions, like the next sync would count them.
  const {
    error: manageError,
    more,
    current,
  }: Managed = owner.metadata.deletionTimestamp ? { more: false, current: pods } : manageReplicas(c, owner, flavour, pods, allPods);
  if (manageError !== undefined && !(manageError instanceof ApiError)) throw manageError;
  const now = c.now();
  const status = calculateStatus(owner, current, manageError, now);
  if (stableStringify(status) !== stableStringify(owner.status ?? {})) {
    c.client.patch(
      flavour.plural,
      namespace,
      name,
      (cur) => {
        cur.status = status;
      },
      { status: true },
    );
  }
  if (more) return { requeueAfter: 0 };
  const wait = nextAvailable(owner, current, now);
  return wait !== undefined ? { requeueAfter: wait } : undefined;
}

/** The owners a pod change concerns: its controller (before and after) or, for orphans, matching owners. */
function podKeys(flavour: Flavour, pod: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  const ns = pod.metadata.namespace;
  let orphan = false;
  for (const p of prev ? [pod, prev] : [pod]) {
    const ref = controllerRef(p);
    if (!ref) orphan = true;
    else if (ref.kind === flavour.kind) keys.add(`${ns}/${ref.name}`);
  }
  if (orphan)
    for (const owner of c.client.list(flavour.plural, ns)) if (flavour.selects(owner, pod.metadata.labels)) keys.add(keyOf(owner));
  return [...keys];
}

/** Same keys and values. */
function sameLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** A ready pod's Ready transition time ("" when it has none), undefined for one not ready. */
function readySince(pod: Obj): string | undefined {
  const ready = readyCondition(pod);
  return ready && (ready.lastTransitionTime ?? "");
}

/**
 * Whether a pod update can change what its owner claims, counts or reports: its labels, its
 * controller, its deletion, its phase, its readiness. A binding or a container's progress cannot,
 * and during a scale those are most of the updates.
 */
function countsDifferently(pod: Obj, prev: Obj): boolean {
  return (
    controllerRef(pod)?.uid !== controllerRef(prev)?.uid ||
    pod.metadata.deletionTimestamp !== prev.metadata.deletionTimestamp ||
    pod.status?.phase !== prev.status?.phase ||
    readySince(pod) !== readySince(prev) ||
    !sameLabels(pod.metadata.labels, prev.metadata.labels)
  );
}

function replicaController(flavour: Flavour): Controller {
  return {
    name: flavour.name,
    primary: flavour.plural,
    watches: [
      { plural: flavour.plural },
      { plural: "pods", map: (pod, prev, c) => podKeys(flavour, pod, prev, c), concerns: countsDifferently },
    ],
    reconcile: (key, c) => reconcile(flavour, key, c),
  };
}

export const replicaSetController = replicaController({
  name: "replicaset-controller",
  plural: "replicasets",
  kind: "ReplicaSet",
  selects: (rs, labels) => selectorMatches(rs.spec?.selector, labels),
});

export const replicationControllerController = replicaController({
  name: "replication-controller",
  plural: "replicationcontrollers",
  kind: "ReplicationController",
  selects: (rc, labels) => mapSelectorMatches(rc.spec?.selector, labels),
});
