// The DaemonSet controller (pkg/controller/daemon): one pod per eligible node, bound through a
// required node affinity on metadata.name (the scheduler then places it), the DaemonSet default
// tolerations, ControllerRevisions `<ds>-<hash>` for the template history, RollingUpdate
// (maxUnavailable) and OnDelete, and the status counts `kubectl get ds` shows.
import type { Obj } from "../resources/types";
import { ApiError } from "../api/status";
import { computeHash, selectorMatches, stableStringify } from "../resources/podtemplate";
import { TEMPLATE_GENERATION } from "../resources/daemonset";
import { matchesNodeSelectorAndAffinity, toleratedBy } from "../scheduler/framework";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";
import { claim, slowStartBatch } from "./replicaset";
import { controllerRef, isPodAvailable, isPodReady, ownerReference } from "./util";

const COMPONENT = { component: "daemonset-controller" };
/** apps.DefaultDaemonSetUniqueLabelKey. */
export const HASH_LABEL = "controller-revision-hash";
const GENERATION_LABEL = "pod-template-generation";

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates. */
export function daemonTolerations(spec: Obj): Obj[] {
  const add = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ...(spec.hostNetwork ? [{ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" }] : []),
  ];
  const list: Obj[] = [...(spec.tolerations ?? [])];
  for (const t of add) {
    // AddOrUpdateTolerationInPodSpec: an equal toleration (ignoring tolerationSeconds) is replaced.
    const i = list.findIndex(
      (x) => x.key === t.key && (x.operator ?? "Equal") === t.operator && (x.value ?? "") === "" && x.effect === t.effect,
    );
    if (i >= 0) list[i] = t;
    else list.push(t);
  }
  return list;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required affinity pins the pod to one node. */
export function pinToNode(affinity: Obj | undefined, nodeName: string): Obj {
  const terms = [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }];
  const a = structuredClone(affinity ?? {});
  a.nodeAffinity ??= {};
  a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    ...(a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}),
    nodeSelectorTerms: terms,
  };
  return a;
}

/** GetTargetNodeName: spec.nodeName, else the metadata.name the affinity pins it to. */
export function targetNode(pod: Obj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: Obj[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of (t.matchFields ?? []) as Obj[])
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. */
export function nodeShouldRunDaemonPod(node: Obj, ds: Obj): [boolean, boolean] {
  const spec = ds.spec?.template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return [false, false];
  const pod = { spec: { ...spec, nodeName: node.metadata.name, tolerations: daemonTolerations(spec) } };
  if (!matchesNodeSelectorAndAffinity(pod, node)) return [false, false];
  const taints: Obj[] = node.spec?.taints ?? [];
  const untolerated = (effects: string[]) => taints.some((t) => effects.includes(t.effect) && !toleratedBy(pod.spec.tolerations, t));
  if (untolerated(["NoSchedule", "NoExecute"])) return [false, !untolerated(["NoExecute"])];
  return [true, true];
}

/** getPatch: what a ControllerRevision stores, the template as a replacing strategic patch. */
function revisionData(ds: Obj): Obj {
  return { spec: { template: { ...structuredClone(ds.spec.template), $patch: "replace" } } };
}

const created = (o: Obj) => Date.parse(o.metadata.creationTimestamp ?? "") || 0;

class DaemonSync {
  constructor(
    readonly c: ControllerContext,
    public ds: Obj,
  ) {}

  get ns(): string {
    return this.ds.metadata.namespace;
  }

  /** constructHistory: the current ControllerRevision (created or re-numbered) and the old ones. */
  history(): { cur: Obj; old: Obj[] } {
    const ds = this.ds;
    const revisions = claim(this.c, ds, "controllerrevisions", this.c.client.list("controllerrevisions", this.ns), (cr) =>
      selectorMatches(ds.spec.selector, cr.metadata.labels),
    );
    const data = stableStringify(revisionData(ds));
    const current = revisions.filter((cr) => stableStringify(cr.data) === data);
    const old = revisions.filter((cr) => stableStringify(cr.data) !== data);
    const next = Math.max(0, ...old.map((cr) => cr.revision ?? 0)) + 1;
    if (current.length) {
      // dedupCurHistories: keep the newest revision.
      current.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
      let cur = current[0];
      for (const dup of current.slice(1)) this.c.client.delete("controllerrevisions", this.ns, dup.metadata.name);
      if ((cur.revision ?? 0) < next)
        cur = this.c.client.patch("controllerrevisions", this.ns, cur.metadata.name, (x) => void (x.revision = next)) ?? cur;
      return { cur, old };
    }
    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const cr = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name: `${ds.metadata.name}-${hash}`,
        namespace: this.ns,
        labels: { ...(ds.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [ownerReference(ds)],
      },
      data: revisionData(ds),
      revision: next,
    };
    try {
      return { cur: this.c.client.create("controllerrevisions", cr), old };
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      const existing = this.c.client.get("controllerrevisions", this.ns, cr.metadata.name);
      if (existing && controllerRef(existing)?.uid === ds.metadata.uid && stableStringify(existing.data) === data)
        return { cur: existing, old };
      // A hash collision: count it and try another name next time.
      this.ds =
        this.c.client.patch(
          "daemonsets",
          this.ns,
          ds.metadata.name,
          (x) => {
            x.status = { ...(x.status ?? {}), collisionCount: (x.status?.collisionCount ?? 0) + 1 };
          },
          { status: true },
        ) ?? ds;
      throw e;
    }
  }

  /** getNodesToDaemonPods: claimed pods by target node. */
  nodeToPods(): Map<string, Obj[]> {
    const ds = this.ds;
    const pods = claim(this.c, ds, "pods", this.c.client.list("pods", this.ns), (p) =>
      selectorMatches(ds.spec.selector, p.metadata.labels),
    );
    const map = new Map<string, Obj[]>();
    for (const p of pods) {
      const node = targetNode(p);
      if (!node) continue;
      if (!map.has(node)) map.set(node, []);
      map.get(node)!.push(p);
    }
    return map;
  }

  /** manage: create the missing daemon pods, delete the extra and misplaced ones. */
  manage(nodes: Obj[], hash: string): void {
    const ds = this.ds;
    const byNode = this.nodeToPods();
    const needing: string[] = [];
    const toDelete: Obj[] = [];
    for (const node of nodes) {
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
      const pods = byNode.get(node.metadata.name);
      if (shouldRun && !pods) needing.push(node.metadata.name);
      else if (shouldContinue) {
        const running: Obj[] = [];
        for (const pod of pods ?? []) {
          if (pod.metadata.deletionTimestamp) continue;
          if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
            this.c.events.record(
              ds,
              "Warning",
              "FailedDaemonPod",
              `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to kill it`,
              COMPONENT,
            );
            toDelete.push(pod);
            continue;
          }
          running.push(pod);
        }
        if (!running.length && shouldRun) needing.push(node.metadata.name);
        else if (running.length > 1) {
          // Keep the oldest; the rest are duplicates.
          running.sort((a, b) => created(a) - created(b));
          toDelete.push(...running.slice(1));
        }
      } else if (pods) toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
    // Pods pinned to nodes that no longer exist.
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const [node, pods] of byNode)
      if (!names.has(node)) toDelete.push(...pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
    this.syncNodes(toDelete, needing, hash);
  }

  /** syncNodes: create pods for the nodes that need one, delete the given pods. */
  syncNodes(toDelete: Obj[], needing: string[], hash: string): void {
    const ds = this.ds;
    const template = structuredClone(ds.spec.template);
    template.metadata ??= {};
    template.metadata.labels = {
      ...(template.metadata.labels ?? {}),
      [GENERATION_LABEL]: ds.metadata.annotations?.[TEMPLATE_GENERATION] ?? String(ds.metadata.generation ?? 1),
      [HASH_LABEL]: hash,
    };
    template.spec.tolerations = daemonTolerations(template.spec);
    let i = 0;
    slowStartBatch(needing.length, 1, () => {
      const node = needing[i++];
      const meta = template.metadata;
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          generateName: `${ds.metadata.name}-`,
          namespace: this.ns,
          labels: { ...meta.labels },
          ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
          ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
          ownerReferences: [ownerReference(ds)],
        },
        spec: { ...structuredClone(template.spec), affinity: pinToNode(template.spec.affinity, node) },
      };
      try {
        const createdPod = this.c.client.create("pods", pod);
        this.c.events.record(ds, "Normal", "SuccessfulCreate", `Created pod: ${createdPod.metadata.name}`, COMPONENT);
      } catch (e) {
        this.c.events.record(ds, "Warning", "FailedCreate", `Error creating: ${e instanceof Error ? e.message : e}`, COMPONENT);
        throw e;
      }
    });
    for (const pod of toDelete)
      if (this.c.client.delete("pods", pod.metadata.namespace, pod.metadata.name))
        this.c.events.record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, COMPONENT);
  }

  /** rollingUpdate (maxSurge 0): replace old pods, at most maxUnavailable nodes at a time. */
  rollingUpdate(nodes: Obj[], hash: string): void {
    const ds = this.ds;
    const byNode = this.nodeToPods();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const now = this.c.now();
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds)[0]).length;
    const ru = ds.spec.updateStrategy?.rollingUpdate ?? {};
    const scaled = (v: unknown) =>
      typeof v === "string" && v.endsWith("%") ? Math.ceil((parseInt(v, 10) * desired) / 100) : typeof v === "number" ? v : 0;
    const surge = scaled(ru.maxSurge);
    let maxUnavailable = scaled(ru.maxUnavailable ?? 1);
    if (surge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    let unavailable = 0;
    const replaceNow: Obj[] = [];
    const candidates: Obj[] = [];
    for (const node of nodes) {
      if (!nodeShouldRunDaemonPod(node, ds)[0]) continue;
      const pods = (byNode.get(node.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const fresh = pods.filter((p) => p.metadata.labels?.[HASH_LABEL] === hash);
      const old = pods.filter((p) => p.metadata.labels?.[HASH_LABEL] !== hash);
      if (fresh.length > 1 || old.length > 1) {
        unavailable++;
        continue;
      }
      if (!old.length) {
        if (!fresh.length || !isPodAvailable(fresh[0], minReady, now)) unavailable++;
        continue;
      }
      if (!isPodAvailable(old[0], minReady, now)) replaceNow.push(old[0]);
      else candidates.push(old[0]);
    }
    const budget = Math.max(0, maxUnavailable - unavailable - replaceNow.length);
    const toDelete = [...replaceNow, ...candidates.slice(0, budget)];
    if (toDelete.length) this.syncNodes(toDelete, [], hash);
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit that no live pod uses. */
  cleanupHistory(old: Obj[]): void {
    const limit = this.ds.spec.revisionHistoryLimit ?? 10;
    let toKill = old.length - limit;
    if (toKill <= 0) return;
    const live = new Set(
      this.c.client
        .list("pods", this.ns, (p) => controllerRef(p)?.uid === this.ds.metadata.uid)
        .map((p) => p.metadata.labels?.[HASH_LABEL]),
    );
    for (const cr of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
      if (toKill <= 0) break;
      if (live.has(cr.metadata.labels?.[HASH_LABEL])) continue;
      this.c.client.delete("controllerrevisions", this.ns, cr.metadata.name);
      toKill--;
    }
  }

  /** updateDaemonSetStatus; returns when a ready pod becomes available (minReadySeconds). */
  updateStatus(nodes: Obj[], hash: string, observe: boolean): number | undefined {
    const ds = this.ds;
    const now = this.c.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const byNode = new Map<string, Obj[]>();
    for (const p of this.c.client.list("pods", this.ns, (p) => controllerRef(p)?.uid === ds.metadata.uid)) {
      const terminal = p.status?.phase === "Failed" || p.status?.phase === "Succeeded";
      if (p.metadata.deletionTimestamp && terminal) continue;
      const node = targetNode(p);
      if (!node) continue;
      if (!byNode.has(node)) byNode.set(node, []);
      byNode.get(node)!.push(p);
    }
    let desired = 0,
      current = 0,
      misscheduled = 0,
      ready = 0,
      available = 0,
      updated = 0;
    let wake: number | undefined;
    for (const node of nodes) {
      const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
      const pods = byNode.get(node.metadata.name) ?? [];
      if (shouldRun) {
        desired++;
        if (!pods.length) continue;
        current++;
        const pod = [...pods].sort((a, b) => created(a) - created(b))[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, minReady, now)) available++;
          else {
            const t = Date.parse((pod.status.conditions as Obj[]).find((x) => x.type === "Ready")!.lastTransitionTime);
            wake = Math.min(wake ?? Infinity, t + minReady * 1000 - now);
          }
        }
        if (pod.metadata.labels?.[HASH_LABEL] === hash) updated++;
      } else if (pods.length) misscheduled++;
    }
    const status: Obj = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
    };
    const generation = observe ? ds.metadata.generation : ds.status?.observedGeneration;
    if (generation) status.observedGeneration = generation;
    if (updated) status.updatedNumberScheduled = updated;
    if (available) status.numberAvailable = available;
    if (desired - available > 0) status.numberUnavailable = desired - available;
    if (ds.status?.collisionCount != null) status.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (stableStringify(status) !== stableStringify(ds.status ?? {}))
      this.c.client.patch("daemonsets", this.ns, ds.metadata.name, (x) => void (x.status = status), { status: true });
    return wake;
  }
}

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const ds = c.client.get("daemonsets", namespace, name);
  if (!ds) return;
  const sel = ds.spec?.selector;
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
    c.events.record(ds, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.", COMPONENT);
    return;
  }
  const nodes = c.client.list("nodes");
  const s = new DaemonSync(c, ds);
  const { cur, old } = s.history();
  const hash: string = cur.metadata.labels?.[HASH_LABEL] ?? cur.metadata.name.slice(ds.metadata.name.length + 1);
  if (ds.metadata.deletionTimestamp) return void s.updateStatus(nodes, hash, false);
  s.manage(nodes, hash);
  if (ds.spec.updateStrategy?.type === "RollingUpdate") s.rollingUpdate(nodes, hash);
  s.cleanupHistory(old);
  s.ds = c.client.get("daemonsets", namespace, name) ?? s.ds;
  const wake = s.updateStatus(nodes, hash, true);
  return wake !== undefined && wake > 0 ? { requeueAfter: wake } : undefined;
}

/** A pod change wakes its DaemonSet (or, for an orphan, the DaemonSets that select it). */
function podKeys(pod: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  const keys = new Set<Key>();
  const ns = pod.metadata.namespace;
  let orphan = false;
  for (const p of prev ? [pod, prev] : [pod]) {
    const ref = controllerRef(p);
    if (!ref) orphan = true;
    else if (ref.kind === "DaemonSet") keys.add(`${ns}/${ref.name}`);
  }
  if (orphan)
    for (const ds of c.client.list("daemonsets", ns)) if (selectorMatches(ds.spec?.selector, pod.metadata.labels)) keys.add(keyOf(ds));
  return [...keys];
}

/** A node change (added, removed, labels, taints) may change where every DaemonSet runs. */
function nodeKeys(node: Obj, prev: Obj | undefined, c: ControllerContext): Key[] {
  if (
    prev &&
    stableStringify(node.metadata.labels) === stableStringify(prev.metadata?.labels) &&
    stableStringify(node.spec) === stableStringify(prev.spec)
  ) {
    const gone = !c.client.get("nodes", undefined, node.metadata.name);
    if (!gone) return [];
  }
  return c.client.list("daemonsets").map(keyOf);
}

export const daemonSetController: Controller = {
  name: "daemonset-controller",
  primary: "daemonsets",
  watches: [{ plural: "daemonsets" }, { plural: "pods", map: podKeys }, { plural: "nodes", map: nodeKeys }],
  reconcile,
};
