// The Deployment controller (pkg/controller/deployment): ReplicaSets named `<deploy>-<pod-template-hash>`,
// revisions in annotations, RollingUpdate (maxSurge/maxUnavailable) and Recreate rollouts,
// proportional scaling, revision history cleanup, and the Available / Progressing conditions that
// `kubectl rollout status` reads.
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { rfc3339 } from "../api/registry";
import { computeHash, selectorMatches, stableStringify } from "../resources/podtemplate";
import { splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { claim } from "./replicaset";
import { controllerRef, ownerReference } from "./util";

const COMPONENT = { component: "deployment-controller" };
const HASH_LABEL = "pod-template-hash";
const REVISION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
/** Annotations never copied from a Deployment to its ReplicaSets (annotationsToSkip). */
const SKIP_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);
/** MaxRevHistoryLengthInChars. */
const MAX_REV_HISTORY_CHARS = 2000;

// ---- surge and unavailability ---------------------------------------------------------------------

/** intstr.GetScaledValueFromIntOrPercent: percentages of `total`, rounded up or down. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[0-9]+%$/.test(v)) {
    const x = (parseInt(v, 10) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both zero would deadlock, so 1 unavailable. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

const replicas = (o: Obj | undefined): number => o?.spec?.replicas ?? 1;
const isRolling = (d: Obj) => d.spec?.strategy?.type === "RollingUpdate";

export function maxSurge(d: Obj): number {
  if (!isRolling(d)) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas(d))[0];
}

export function maxUnavailable(d: Obj): number {
  if (!isRolling(d) || replicas(d) === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas(d))[1], replicas(d));
}

/** The ReplicaSet name of a template: `<deploy>-<pod-template-hash>`. */
export function replicaSetName(d: Obj): { name: string; hash: string } {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  return { name: `${d.metadata.name}-${hash}`, hash };
}

// ---- ReplicaSet bookkeeping -----------------------------------------------------------------------

const sumSpec = (rss: Obj[]) => rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
const sumStatus = (rss: Obj[], f: string) => rss.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
const active = (rss: Obj[]) => rss.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
const created = (o: Obj) => Date.parse(o.metadata.creationTimestamp ?? "") || 0;
/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
const byCreation = (a: Obj, b: Obj) => created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : 1);
const revisionOf = (rs: Obj) => {
  const v = parseInt(rs.metadata?.annotations?.[REVISION] ?? "", 10);
  return Number.isFinite(v) ? v : 0;
};

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
function equalIgnoreHash(a: Obj | undefined, b: Obj | undefined): boolean {
  const strip = (t: Obj | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[HASH_LABEL];
      if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
    }
    return stableStringify(c);
  };
  return strip(a) === strip(b);
}

/** SetReplicasAnnotations; returns whether anything changed. */
function setReplicasAnnotations(rs: Obj, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  const changed = a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
  a[DESIRED_REPLICAS] = String(desired);
  a[MAX_REPLICAS] = String(max);
  return changed;
}

/** SetNewReplicaSetAnnotations: copy the deployment's annotations, bump the revision (keeping the
 *  old one in revision-history), and on creation record desired/max replicas. */
function setNewReplicaSetAnnotations(d: Obj, rs: Obj, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) {
    if (SKIP_ANNOTATIONS.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision: string | undefined = a[REVISION];
  const oldInt = oldRevision ? parseInt(oldRevision, 10) : 0;
  if (oldRevision && !Number.isFinite(oldInt)) return changed;
  if (oldInt < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${oldRevision}` : oldRevision;
      let parts = history.split(",");
      while (parts.join(",").length > MAX_REV_HISTORY_CHARS && parts.length > 1) parts = parts.slice(1);
      a[REVISION_HISTORY] = parts.join(",");
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- conditions -----------------------------------------------------------------------------------

function condition(type: string, status: string, reason: string, message: string, now: number): Obj {
  const ts = rfc3339(now);
  return { type, status, lastUpdateTime: ts, lastTransitionTime: ts, reason, message };
}

const getCond = (status: Obj, type: string): Obj | undefined => (status.conditions ?? []).find((x: Obj) => x.type === type);

/** SetDeploymentCondition: no-op when status and reason are unchanged; keeps the transition time on
 *  equal status; the new condition goes last. */
function setCond(status: Obj, cond: Obj): void {
  const cur = getCond(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x: Obj) => x.type !== cond.type), cond];
}

function removeCond(status: Obj, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((x: Obj) => x.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

const hasProgressDeadline = (d: Obj) => d.spec?.progressDeadlineSeconds != null && d.spec.progressDeadlineSeconds !== 2147483647;

/**
 * The shortest progress deadline a fast clock may scale to. The instant clock cuts a termination's grace
 * period to 2 s, the Progressing condition keeps whole seconds, and a big rollout spends real seconds
 * reconciling its pods: a deadline cut to 2 s as well would expire while old pods are still going.
 */
const MIN_SCALED_DEADLINE_MS = 10_000;

/** progressDeadlineSeconds as the cluster clock runs it, in ms: scaled, but not below the floor unless asked. */
const progressDeadlineMs = (d: Obj, clock: ControllerContext["clock"]) => {
  const s = d.spec.progressDeadlineSeconds;
  return Math.min(s * 1000, Math.max(clock.seconds(s), MIN_SCALED_DEADLINE_MS));
};

// ---- the sync --------------------------------------------------------------------------------------

/** One sync of one Deployment; methods follow pkg/controller/deployment's. */
class Sync {
  private podList?: Obj[];

  constructor(
    readonly c: ControllerContext,
    public d: Obj,
    public rsList: Obj[],
    /** The pods of rsList, read only when a sync needs them (Recreate waits for the old ones to go):
     *  listing every pod of the namespace on each sync is most of a Deployment's cost at scale. */
    private readonly listPods: () => Obj[],
  ) {}

  get pods(): Obj[] {
    return (this.podList ??= this.listPods());
  }

  get ns(): string {
    return this.d.metadata.namespace;
  }

  private event(reason: string, message: string, type: "Normal" | "Warning" = "Normal"): void {
    this.c.events.record(this.d, type, reason, message, COMPONENT);
  }

  /** Write the deployment's status (and, as UpdateStatus may, its revision annotation). */
  private writeStatus(status: Obj, revision?: string): void {
    const d = this.c.client.patch(
      "deployments",
      this.ns,
      this.d.metadata.name,
      (cur) => {
        cur.status = status;
        if (revision !== undefined) (cur.metadata.annotations ??= {})[REVISION] = revision;
      },
      { status: true },
    );
    if (d) this.d = d;
  }

  private replaceRS(rs: Obj): void {
    this.rsList = this.rsList.map((x) => (x.metadata.uid === rs.metadata.uid ? rs : x));
  }

  /** FindNewReplicaSet / FindOldReplicaSets. */
  split(): { newRS?: Obj; oldRSs: Obj[] } {
    const sorted = [...this.rsList].sort(byCreation);
    const newRS = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec.template));
    return { newRS, oldRSs: sorted.filter((rs) => rs !== newRS) };
  }

  /** getAllReplicaSetsAndSyncRevision + getNewReplicaSet. */
  allReplicaSets(createIfMissing: boolean): { newRS?: Obj; oldRSs: Obj[] } {
    const { newRS: existing, oldRSs } = this.split();
    const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
    const d = this.d;
    if (existing) {
      let rs = existing;
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds;
        rs = this.c.client.update("replicasets", copy);
        this.replaceRS(rs);
      }
      const revision = rs.metadata.annotations?.[REVISION];
      const status = structuredClone(d.status ?? {});
      const needsRevision = revision !== undefined && d.metadata.annotations?.[REVISION] !== revision;
      let needsUpdate = needsRevision;
      if (hasProgressDeadline(d) && !getCond(status, "Progressing")) {
        setCond(
          status,
          condition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rs.metadata.name}"`, this.c.now()),
        );
        needsUpdate = true;
      }
      if (needsUpdate) this.writeStatus(status, needsRevision ? revision : undefined);
      return { newRS: rs, oldRSs };
    }
    if (!createIfMissing) return { oldRSs };

    const { name, hash } = replicaSetName(d);
    const template = structuredClone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH_LABEL]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: Obj = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: this.ns, labels: { ...template.metadata.labels }, ownerReferences: [ownerReference(d)] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    // NewRSNewReplicas over the old ones plus this one.
    const newReplicas = this.newRSNewReplicas([...oldRSs, rs], rs);
    rs.spec.replicas = newReplicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let createdRS: Obj;
    let alreadyExists = false;
    try {
      createdRS = this.c.client.create("replicasets", rs);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) {
        const status = structuredClone(d.status ?? {});
        if (hasProgressDeadline(d)) {
          const msg = `Failed to create new replica set "${name}": ${e instanceof Error ? e.message : e}`;
          setCond(status, condition("Progressing", "False", "ReplicaSetCreateError", msg, this.c.now()));
          this.writeStatus(status);
        }
        this.event("FailedCreate", `Failed to create new replica set "${name}": ${e instanceof Error ? e.message : e}`, "Warning");
        throw e;
      }
      const found = this.c.client.get("replicasets", this.ns, name)!;
      if (controllerRef(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec?.template, d.spec.template)) {
        createdRS = found;
        alreadyExists = true;
      } else {
        // A hash collision: bump collisionCount so the next sync picks another name.
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        this.writeStatus(status);
        return { oldRSs };
      }
    }
    this.rsList = [...this.rsList, createdRS];
    if (!alreadyExists && newReplicas > 0)
      this.event("ScalingReplicaSet", `Scaled up replica set ${createdRS.metadata.name} from 0 to ${newReplicas}`);
    const status = structuredClone(this.d.status ?? {});
    const revision = String(newRevision);
    const needsRevision = this.d.metadata.annotations?.[REVISION] !== revision;
    let needsUpdate = needsRevision;
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCond(
        status,
        condition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${createdRS.metadata.name}"`, this.c.now()),
      );
      needsUpdate = true;
    }
    if (needsUpdate) this.writeStatus(status, needsRevision ? revision : undefined);
    return { newRS: createdRS, oldRSs };
  }

  /** NewRSNewReplicas: how big the new ReplicaSet may be now. */
  newRSNewReplicas(allRSs: Obj[], newRS: Obj): number {
    const d = this.d;
    if (!isRolling(d)) return replicas(d);
    const current = sumSpec(allRSs);
    const maxTotal = replicas(d) + maxSurge(d);
    if (current >= maxTotal) return newRS.spec.replicas ?? 0;
    const up = Math.min(maxTotal - current, replicas(d) - (newRS.spec.replicas ?? 0));
    return (newRS.spec.replicas ?? 0) + up;
  }

  /** scaleReplicaSet: resize and refresh the replicas annotations; event when the size changes. */
  scaleReplicaSet(rs: Obj, newScale: number, operation: string): boolean {
    const d = this.d;
    const oldScale = rs.spec?.replicas ?? 0;
    const sizeChanged = oldScale !== newScale;
    const copy = structuredClone(rs);
    const annotationsChanged = setReplicasAnnotations(copy, replicas(d), replicas(d) + maxSurge(d));
    if (!sizeChanged && !annotationsChanged) return false;
    copy.spec.replicas = newScale;
    const updated = this.c.client.update("replicasets", copy);
    this.replaceRS(updated);
    if (sizeChanged) this.event("ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    return sizeChanged;
  }

  scaleAndRecord(rs: Obj, newScale: number): boolean {
    const old = rs.spec?.replicas ?? 0;
    if (old === newScale) return false;
    this.scaleReplicaSet(rs, newScale, old < newScale ? "up" : "down");
    return true;
  }

  current(rs: Obj): Obj {
    return this.rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs;
  }

  // ---- scaling (scale / sync / isScalingEvent) ----

  isScalingEvent(): boolean {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    for (const rs of active([...oldRSs, ...(newRS ? [newRS] : [])])) {
      const desired = parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? "", 10);
      if (Number.isFinite(desired) && desired !== replicas(this.d)) return true;
    }
    return false;
  }

  scale(newRS: Obj | undefined, oldRSs: Obj[]): void {
    const d = this.d;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if ((activeOrLatest.spec?.replicas ?? 0) !== replicas(d)) this.scaleAndRecord(activeOrLatest, replicas(d));
      return;
    }
    if (newRS && isSaturated(d, newRS)) {
      for (const old of active(oldRSs)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRolling(d)) return;
    const all = active([...oldRSs, ...(newRS ? [newRS] : [])]);
    const allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
    const toAdd = allowed - sumSpec(all);
    let operation = "";
    if (toAdd > 0) {
      all.sort((a, b) => b.spec.replicas - a.spec.replicas || created(b) - created(a)); // ReplicaSetsBySizeNewer
      operation = "up";
    } else if (toAdd < 0) {
      all.sort((a, b) => b.spec.replicas - a.spec.replicas || created(a) - created(b)); // ReplicaSetsBySizeOlder
      operation = "down";
    }
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = this.proportion(rs, toAdd, added);
        sizes.set(rs.metadata.name, rs.spec.replicas + p);
        added += p;
      } else sizes.set(rs.metadata.name, rs.spec.replicas);
    }
    if (toAdd !== 0 && all.length) {
      const first = all[0].metadata.name;
      sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
    }
    for (const rs of all) this.scaleReplicaSet(this.current(rs), sizes.get(rs.metadata.name)!, operation);
  }

  /** GetProportion / getReplicaSetFraction. */
  proportion(rs: Obj, toAdd: number, added: number): number {
    const d = this.d;
    if (!rs.spec?.replicas || toAdd === 0 || toAdd === added) return 0;
    let fraction: number;
    if (replicas(d) === 0) fraction = -rs.spec.replicas;
    else {
      const target = replicas(d) + maxSurge(d);
      let annotated = parseInt(rs.metadata.annotations?.[MAX_REPLICAS] ?? "", 10);
      if (!Number.isFinite(annotated)) annotated = d.status?.replicas ?? 0;
      fraction = annotated > 0 ? Math.round((rs.spec.replicas * target) / annotated) - rs.spec.replicas : 0;
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  /** sync: scaling and paused deployments. */
  sync(): number | undefined {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    this.scale(
      newRS && this.current(newRS),
      oldRSs.map((rs) => this.current(rs)),
    );
    if (this.d.spec.paused) this.cleanup(oldRSs.map((rs) => this.current(rs)));
    const all = this.all(newRS, oldRSs);
    const status = this.calculateStatus(all, newRS && this.current(newRS));
    if (stableStringify(status) !== stableStringify(this.d.status ?? {})) this.writeStatus(status);
    return undefined;
  }

  all(newRS: Obj | undefined, oldRSs: Obj[]): Obj[] {
    return [...oldRSs, ...(newRS ? [newRS] : [])].map((rs) => this.current(rs));
  }

  // ---- rollouts ----

  rolloutRolling(): number | undefined {
    let { newRS, oldRSs } = this.allReplicaSets(true);
    if (!newRS) return this.syncRolloutStatus(this.all(undefined, oldRSs), undefined);
    // reconcileNewReplicaSet
    const d = this.d;
    const all = this.all(newRS, oldRSs);
    newRS = this.current(newRS);
    let scaledUp = false;
    if (newRS.spec.replicas !== replicas(d)) {
      scaledUp =
        newRS.spec.replicas > replicas(d)
          ? this.scaleAndRecord(newRS, replicas(d))
          : this.scaleAndRecord(newRS, this.newRSNewReplicas(all, newRS));
    }
    if (scaledUp) return this.syncRolloutStatus(this.all(newRS, oldRSs), this.current(newRS));
    if (this.reconcileOldReplicaSets(this.all(newRS, oldRSs), active(oldRSs.map((rs) => this.current(rs))), this.current(newRS)))
      return this.syncRolloutStatus(this.all(newRS, oldRSs), this.current(newRS));
    if (deploymentComplete(this.d, this.d.status ?? {})) this.cleanup(oldRSs.map((rs) => this.current(rs)));
    return this.syncRolloutStatus(this.all(newRS, oldRSs), this.current(newRS));
  }

  reconcileOldReplicaSets(all: Obj[], oldRSs: Obj[], newRS: Obj): boolean {
    const d = this.d;
    if (sumSpec(oldRSs) === 0) return false;
    const minAvailable = replicas(d) - maxUnavailable(d);
    const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // cleanupUnhealthyReplicas: unavailable old pods go first, they cost no availability.
    let cleaned = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const cur = this.current(rs);
      const size = cur.spec.replicas ?? 0;
      const avail = cur.status?.availableReplicas ?? 0;
      if (size === 0 || size === avail) continue;
      const down = Math.min(maxScaledDown - cleaned, size - avail);
      this.scaleAndRecord(cur, size - down);
      cleaned += down;
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    const olds = oldRSs.map((rs) => this.current(rs));
    const availableCount = sumStatus([...olds, this.current(newRS)], "availableReplicas");
    let scaledDown = 0;
    if (availableCount > minAvailable) {
      const total = availableCount - minAvailable;
      for (const rs of olds.sort(byCreation)) {
        if (scaledDown >= total) break;
        const size = rs.spec.replicas ?? 0;
        if (size === 0) continue;
        const down = Math.min(size, total - scaledDown);
        this.scaleAndRecord(rs, size - down);
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  rolloutRecreate(): number | undefined {
    let { newRS, oldRSs } = this.allReplicaSets(false);
    let scaledDown = false;
    for (const rs of active(oldRSs.map((r) => this.current(r)))) if (this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(this.all(newRS, oldRSs), newRS && this.current(newRS));
    if (
      this.oldPodsRunning(
        newRS,
        oldRSs.map((r) => this.current(r)),
      )
    )
      return this.syncRolloutStatus(this.all(newRS, oldRSs), newRS && this.current(newRS));
    if (!newRS) ({ newRS, oldRSs } = this.allReplicaSets(true));
    if (newRS) this.scaleAndRecord(this.current(newRS), replicas(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) this.cleanup(oldRSs.map((r) => this.current(r)));
    return this.syncRolloutStatus(this.all(newRS, oldRSs), newRS && this.current(newRS));
  }

  oldPodsRunning(newRS: Obj | undefined, oldRSs: Obj[]): boolean {
    if (sumStatus(oldRSs, "replicas") > 0) return true;
    const olds = new Set(oldRSs.map((rs) => rs.metadata.uid));
    return this.pods.some((p) => {
      const uid = controllerRef(p)?.uid;
      if (!olds.has(uid) || uid === newRS?.metadata.uid) return false;
      return p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded";
    });
  }

  /** cleanupDeployment: delete old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
  cleanup(oldRSs: Obj[]): void {
    const limit = this.d.spec.revisionHistoryLimit;
    if (limit == null) return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    alive.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of alive.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec?.replicas ?? 0) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.c.client.delete("replicasets", this.ns, rs.metadata.name);
      this.rsList = this.rsList.filter((x) => x.metadata.uid !== rs.metadata.uid);
    }
  }

  // ---- status ----

  calculateStatus(all: Obj[], newRS: Obj | undefined): Obj {
    const d = this.d;
    const available = sumStatus(all, "availableReplicas");
    const unavailable = Math.max(0, sumSpec(all) - available);
    const prev = d.status ?? {};
    const status: Obj = {};
    const put = (k: string, v: number | undefined) => {
      if (v) status[k] = v;
    };
    put("observedGeneration", d.metadata.generation);
    put("replicas", sumStatus(all, "replicas"));
    put("updatedReplicas", newRS ? (newRS.status?.replicas ?? 0) : 0);
    put("readyReplicas", sumStatus(all, "readyReplicas"));
    put("availableReplicas", available);
    put("unavailableReplicas", unavailable);
    if (prev.conditions?.length) status.conditions = structuredClone(prev.conditions);
    if (prev.collisionCount != null) status.collisionCount = prev.collisionCount;
    const now = this.c.now();
    if (available >= replicas(d) - maxUnavailable(d))
      setCond(status, condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now));
    else
      setCond(status, condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
    return status;
  }

  /** syncRolloutStatus: status plus the Progressing condition; returns a wake-up for the deadline. */
  syncRolloutStatus(all: Obj[], newRS: Obj | undefined): number | undefined {
    const d = this.d;
    const now = this.c.now();
    const status = this.calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCond(status, "Progressing");
    const cur = getCond(status, "Progressing");
    const complete = status.replicas === status.updatedReplicas && cur?.reason === "NewReplicaSetAvailable";
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        setCond(status, condition("Progressing", "True", "NewReplicaSetAvailable", `${subject} has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        const cond = condition("Progressing", "True", "ReplicaSetUpdated", `${subject} is progressing.`, now);
        if (cur?.status === "True") cond.lastTransitionTime = cur.lastTransitionTime;
        removeCond(status, "Progressing");
        setCond(status, cond);
      } else if (this.timedOut(status)) {
        setCond(status, condition("Progressing", "False", "ProgressDeadlineExceeded", `${subject} has timed out progressing.`, now));
      }
    }
    // getReplicaFailures: the new (or else any) ReplicaSet's ReplicaFailure condition.
    const failures = [newRS, ...all].flatMap((rs) => (rs?.status?.conditions ?? []).filter((x: Obj) => x.type === "ReplicaFailure"));
    if (failures.length) {
      const f = failures[0];
      setCond(status, {
        type: "ReplicaFailure",
        status: f.status,
        lastUpdateTime: f.lastTransitionTime,
        lastTransitionTime: f.lastTransitionTime,
        reason: f.reason,
        message: f.message,
      });
    } else removeCond(status, "ReplicaFailure");
    if (stableStringify(status) !== stableStringify(d.status ?? {})) this.writeStatus(status);
    return this.deadlineWait();
  }

  /** The progress deadline of a rollout still in flight (requeueStuckDeployment), in ms from now. */
  deadlineWait(): number | undefined {
    const d = this.d;
    const cur = getCond(d.status ?? {}, "Progressing");
    if (!hasProgressDeadline(d) || !cur || cur.status !== "True") return undefined;
    if (cur.reason === "NewReplicaSetAvailable" || cur.reason === "ProgressDeadlineExceeded") return undefined;
    if (d.spec.paused) return undefined;
    const at = Date.parse(cur.lastUpdateTime) + progressDeadlineMs(d, this.c.clock);
    return Math.max(0, at - this.c.now()) + 1;
  }

  /** DeploymentTimedOut (deadline scaled by the cluster clock). */
  timedOut(status: Obj): boolean {
    const d = this.d;
    const cond = getCond(status, "Progressing");
    if (!cond || cond.reason === "NewReplicaSetAvailable") return false;
    if (cond.reason === "ProgressDeadlineExceeded") return true;
    return Date.parse(cond.lastUpdateTime) + progressDeadlineMs(d, this.c.clock) < this.c.now();
  }

  /** checkPausedConditions. */
  checkPaused(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const status = structuredClone(d.status ?? {});
    const cond = getCond(status, "Progressing");
    if (cond?.reason === "ProgressDeadlineExceeded") return;
    const pausedExists = cond?.reason === "DeploymentPaused";
    const now = this.c.now();
    if (d.spec.paused && !pausedExists)
      setCond(status, condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now));
    else if (!d.spec.paused && pausedExists)
      setCond(status, condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now));
    else return;
    this.writeStatus(status);
  }

  /** syncStatusOnly: a deployment being deleted only reports. */
  statusOnly(): void {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    const status = this.calculateStatus(this.all(newRS, oldRSs), newRS && this.current(newRS));
    if (stableStringify(status) !== stableStringify(this.d.status ?? {})) this.writeStatus(status);
  }
}

/** FindActiveOrLatest: the only active ReplicaSet, or the latest when none is active. */
function findActiveOrLatest(newRS: Obj | undefined, oldRSs: Obj[]): Obj | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const olds = [...oldRSs].sort(byCreation);
  const all = active([...olds, ...(newRS ? [newRS] : [])]);
  if (all.length === 0) return newRS ?? olds[olds.length - 1];
  if (all.length === 1) return all[0];
  return undefined;
}

/** IsSaturated: the new ReplicaSet has all the deployment's replicas, all available. */
function isSaturated(d: Obj, rs: Obj): boolean {
  const desired = parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? "", 10);
  return desired === replicas(d) && rs.spec.replicas === replicas(d) && (rs.status?.availableReplicas ?? 0) === replicas(d);
}

/** DeploymentComplete. */
function deploymentComplete(d: Obj, s: Obj): boolean {
  const n = replicas(d);
  return (
    (s.updatedReplicas ?? 0) === n &&
    (s.replicas ?? 0) === n &&
    (s.availableReplicas ?? 0) === n &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available pods than before. */
function deploymentProgressing(d: Obj, s: Obj): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  );
}

function isEmptySelector(sel: Obj | undefined): boolean {
  return !!sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length;
}

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  let d = c.client.get("deployments", namespace, name);
  if (!d) return;
  if (isEmptySelector(d.spec?.selector)) {
    c.events.record(d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", COMPONENT);
    if ((d.status?.observedGeneration ?? 0) < d.metadata.generation)
      c.client.patch(
        "deployments",
        namespace,
        name,
        (cur) => {
          cur.status = { ...(cur.status ?? {}), observedGeneration: cur.metadata.generation };
        },
        { status: true },
      );
    return;
  }
  // getReplicaSetsForDeployment: claim ReplicaSets by selector and controllerRef.
  const rsList = claim(c, d, "replicasets", c.client.list("replicasets", namespace), (rs) =>
    selectorMatches(d!.spec.selector, rs.metadata.labels),
  );
  d = c.client.get("deployments", namespace, name)!;
  const uids = new Set(rsList.map((rs) => rs.metadata.uid));
  const s = new Sync(c, d, rsList, () => c.client.list("pods", namespace, (p) => uids.has(controllerRef(p)?.uid)));
  if (d.metadata.deletionTimestamp) return void s.statusOnly();
  s.checkPaused();
  let wait: number | undefined;
  if (s.d.spec.paused || s.isScalingEvent()) wait = s.sync();
  else if (s.d.spec.strategy?.type === "Recreate") wait = s.rolloutRecreate();
  else wait = s.rolloutRolling();
  return wait !== undefined ? { requeueAfter: wait } : undefined;
}

/** A ReplicaSet change wakes its controlling Deployment; an orphan wakes the Deployments that select it. */
function replicaSetKeys(rs: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  const ns = rs.metadata.namespace;
  let orphan = false;
  for (const o of prev ? [rs, prev] : [rs]) {
    const ref = controllerRef(o);
    if (!ref) orphan = true;
    else if (ref.kind === "Deployment") keys.add(`${ns}/${ref.name}`);
  }
  if (orphan)
    for (const d of c.client.list("deployments", ns))
      if (selectorMatches(d.spec?.selector, rs.metadata.labels)) keys.add(`${ns}/${d.metadata.name}`);
  return [...keys];
}

/** A pod change matters to Recreate deployments waiting for old pods to go. */
function podKeys(pod: Obj, _prev: Obj | undefined, c: ControllerContext): Key[] {
  const ref = controllerRef(pod);
  if (ref?.kind !== "ReplicaSet") return [];
  const rs = c.client.current("replicasets", pod.metadata.namespace, ref.name);
  const dref = rs && controllerRef(rs);
  if (dref?.kind !== "Deployment") return [];
  const d = c.client.current("deployments", pod.metadata.namespace, dref.name);
  return d?.spec?.strategy?.type === "Recreate" ? [`${pod.metadata.namespace}/${dref.name}`] : [];
}

export const deploymentController: Controller = {
  name: "deployment-controller",
  primary: "deployments",
  watches: [{ plural: "deployments" }, { plural: "replicasets", map: replicaSetKeys }, { plural: "pods", map: podKeys }],
  reconcile,
};
