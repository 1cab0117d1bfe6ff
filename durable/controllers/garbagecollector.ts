// The garbage collector (pkg/controller/garbagecollector): the ownerReferences graph's edges kept
// in memory (OwnerGraph), the objects themselves read from the store. Dependents whose owners are
// all gone are deleted (background); an owner deleted in the foreground keeps its foregroundDeletion
// finalizer until its blocking dependents are gone (they are deleted first, in the foreground too);
// an orphaning delete strips the owner's references from its dependents, then drops the orphan
// finalizer.
//
// Keys: `<plural>|<namespace>/<name>|<uid>` for one object (the uid tells a deleted owner from a new
// one of the same name), or a namespace name (resync: look at everything in it).
import type { Obj, ResourceDef } from "../resources/types";
import { resources } from "../resources";
import type { Controller, ControllerContext, Key } from "./types";
import { ANY_KIND } from "./types";
import { resourceName } from "./client";

const FOREGROUND = "foregroundDeletion";
const ORPHAN = "orphan";

const inGraph = (d: ResourceDef) => !d.virtual && !d.convert && d.plural !== "events";

/** The kinds in the graph: everything stored (events have no owners and churn the most), the
 *  cluster's custom kinds included. */
const graphKinds = (c: ControllerContext): ResourceDef[] => c.client.table.all.filter(inGraph);

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes("/") ? apiVersion.split("/")[0] : "");

/** The kind an ownerReference points to (by group and kind; any served version). */
function defOfRef(c: ControllerContext, ref: Obj): ResourceDef | undefined {
  const group = groupOf(ref.apiVersion);
  return c.client.table.all.find((d) => d.kind === ref.kind && d.group === group && !d.convert);
}

const objectKey = (plural: string, o: Obj): Key => `${plural}|${o.metadata.namespace ?? ""}/${o.metadata.name}|${o.metadata.uid}`;

function parseKey(key: Key): { plural: string; namespace?: string; name: string; uid: string } | undefined {
  const m = /^([^|]+)\|([^/|]*)\/([^|]+)\|(.*)$/.exec(key);
  return m ? { plural: m[1], namespace: m[2] || undefined, name: m[3], uid: m[4] } : undefined;
}

/** Every object (with its plural) in a namespace, or everywhere when ns is undefined. */
function everything(c: ControllerContext, namespace?: string): { plural: string; obj: Obj }[] {
  const out: { plural: string; obj: Obj }[] = [];
  for (const d of graphKinds(c)) {
    if (namespace !== undefined && !d.namespaced) continue;
    const plural = resourceName(d);
    for (const obj of c.client.list(plural, namespace)) out.push({ plural, obj });
  }
  return out;
}

/**
 * The graph's edges, dependent → owner uids, as the real collector's uidToNode keeps them: built
 * from one scan of the store on first use, then kept from the committed changes its watches see,
 * so finding an owner's dependents costs O(dependents), not O(objects).
 */
class OwnerGraph {
  private readonly dependents = new Map<string, Set<Key>>();
  private readonly owners = new Map<Key, string[]>();

  constructor(objects: { plural: string; obj: Obj }[]) {
    for (const { plural, obj } of objects) this.set(objectKey(plural, obj), obj);
  }

  /** Record an object's current references (undefined: it is gone). */
  set(key: Key, obj: Obj | undefined): void {
    for (const uid of this.owners.get(key) ?? []) {
      const deps = this.dependents.get(uid)!;
      deps.delete(key);
      if (!deps.size) this.dependents.delete(uid);
    }
    this.owners.delete(key);
    const uids = ((obj?.metadata.ownerReferences ?? []) as Obj[]).map((r) => r.uid as string);
    if (!uids.length) return;
    this.owners.set(key, uids);
    for (const uid of uids) {
      let deps = this.dependents.get(uid);
      if (!deps) this.dependents.set(uid, (deps = new Set()));
      deps.add(key);
    }
  }

  dependentsOf(uid: string): Key[] {
    return [...(this.dependents.get(uid) ?? [])];
  }
}

const graphs = new WeakMap<object, OwnerGraph>();

function ownerGraph(c: ControllerContext): OwnerGraph {
  let graph = graphs.get(c.client);
  if (!graph) graphs.set(c.client, (graph = new OwnerGraph(everything(c))));
  return graph;
}

/** Feed a committed change into the graph (a no-op until the graph exists). */
function observe(c: ControllerContext, plural: string, obj: Obj): void {
  const graph = graphs.get(c.client);
  if (!graph) return;
  const current = c.client.current(plural, obj.metadata.namespace, obj.metadata.name);
  graph.set(objectKey(plural, obj), current?.metadata.uid === obj.metadata.uid ? current : undefined);
}

/** The dependents of an owner: objects with an ownerReference to its uid (same namespace, or any
 *  namespace for a cluster-scoped owner). */
function dependentsOf(c: ControllerContext, uid: string, namespace?: string): { plural: string; obj: Obj }[] {
  const out: { plural: string; obj: Obj }[] = [];
  for (const key of ownerGraph(c).dependentsOf(uid)) {
    const k = parseKey(key)!;
    if (namespace !== undefined && k.namespace !== namespace) continue;
    const obj = c.client.current(k.plural, k.namespace, k.name);
    if (obj?.metadata.uid === k.uid && (obj.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === uid))
      out.push({ plural: k.plural, obj });
  }
  return out;
}

type OwnerState = "absent" | "present" | "waiting";

/** Is the owner of `ref` there (same uid)? "waiting" when it is being deleted in the foreground. */
function ownerState(c: ControllerContext, ref: Obj, namespace: string | undefined): OwnerState {
  const def = defOfRef(c, ref);
  if (!def) return "present"; // an unknown kind: never collect on a guess
  const owner = c.client.current(resourceName(def), def.namespaced ? namespace : undefined, ref.name);
  if (!owner || owner.metadata.uid !== ref.uid) return "absent";
  if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) return "waiting";
  return "present";
}

const hasFinalizer = (o: Obj, f: string) => (o.metadata.finalizers ?? []).includes(f);

function removeFinalizer(c: ControllerContext, plural: string, o: Obj, f: string): void {
  c.client.patch(plural, o.metadata.namespace, o.metadata.name, (cur) => {
    if (cur.metadata.uid !== o.metadata.uid) return;
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((x: string) => x !== f);
    if (!cur.metadata.finalizers.length) delete cur.metadata.finalizers;
  });
}

/** attemptToDeleteItem: an object whose owners may be gone. */
function attemptToDelete(c: ControllerContext, plural: string, obj: Obj): void {
  const refs: Obj[] = obj.metadata.ownerReferences ?? [];
  if (!refs.length || obj.metadata.deletionTimestamp) return;
  const states = refs.map((r) => ownerState(c, r, obj.metadata.namespace));
  const dangling = refs.filter((_, i) => states[i] === "absent");
  const solid = states.filter((s) => s === "present").length;
  const waiting = states.filter((s) => s === "waiting").length;
  if (solid > 0) {
    // Some owners remain: only drop the references to the ones that are gone.
    if (dangling.length) {
      const gone = new Set(dangling.map((r) => r.uid));
      c.client.patch(plural, obj.metadata.namespace, obj.metadata.name, (cur) => {
        cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((r: Obj) => !gone.has(r.uid));
      });
    }
    return;
  }
  if (waiting > 0 && dependentsOf(c, obj.metadata.uid, obj.metadata.namespace).length) {
    // The remaining owners wait for their dependents, and this one has its own: foreground too.
    c.client.delete(plural, obj.metadata.namespace, obj.metadata.name, {
      propagationPolicy: "Foreground",
      preconditions: { uid: obj.metadata.uid },
    });
    return;
  }
  const policy = hasFinalizer(obj, ORPHAN) ? "Orphan" : hasFinalizer(obj, FOREGROUND) ? "Foreground" : "Background";
  c.client.delete(plural, obj.metadata.namespace, obj.metadata.name, {
    propagationPolicy: policy,
    preconditions: { uid: obj.metadata.uid },
  });
}

/** processDeletingDependentsItem: an owner deleted in the foreground. */
function foreground(c: ControllerContext, plural: string, owner: Obj): void {
  const deps = dependentsOf(c, owner.metadata.uid, owner.metadata.namespace);
  let blocking = 0;
  for (const { plural: p, obj } of deps) {
    const ref = (obj.metadata.ownerReferences as Obj[]).find((r) => r.uid === owner.metadata.uid)!;
    if (ref.blockOwnerDeletion) blocking++;
    if (!obj.metadata.deletionTimestamp) attemptToDelete(c, p, obj);
  }
  if (blocking === 0) removeFinalizer(c, plural, owner, FOREGROUND);
}

/** orphanDependents: strip the owner's references, then drop the orphan finalizer. */
function orphan(c: ControllerContext, plural: string, owner: Obj): void {
  for (const { plural: p, obj } of dependentsOf(c, owner.metadata.uid, owner.metadata.namespace)) {
    c.client.patch(p, obj.metadata.namespace, obj.metadata.name, (cur) => {
      const refs = (cur.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== owner.metadata.uid);
      if (refs.length) cur.metadata.ownerReferences = refs;
      else delete cur.metadata.ownerReferences;
    });
  }
  removeFinalizer(c, plural, owner, ORPHAN);
}

/** Everything the collector does about one object that exists. */
function process(c: ControllerContext, plural: string, obj: Obj): void {
  if (obj.metadata.deletionTimestamp) {
    if (hasFinalizer(obj, ORPHAN)) return orphan(c, plural, obj);
    if (hasFinalizer(obj, FOREGROUND)) return foreground(c, plural, obj);
    return;
  }
  attemptToDelete(c, plural, obj);
}

function reconcile(key: Key, c: ControllerContext): void {
  const k = parseKey(key);
  if (!k) {
    // Resync of a namespace: everything in it.
    for (const { plural, obj } of everything(c, key)) process(c, plural, obj);
    return;
  }
  const obj = c.client.current(k.plural, k.namespace, k.name);
  if (obj && obj.metadata.uid === k.uid) return process(c, k.plural, obj);
  // The object is gone: its dependents may now be garbage.
  for (const { plural, obj: dep } of dependentsOf(c, k.uid, k.namespace)) process(c, plural, dep);
}

/** A change concerns the object itself (its owners, its finalizers) and, when it is gone or going,
 *  its dependents, which the object's key finds by uid. A dependent that goes away may unblock an
 *  owner waiting in the foreground. */
function keysFor(plural: string) {
  return (obj: Obj, prev: Obj | undefined, c: ControllerContext): Key[] => {
    observe(c, plural, obj);
    const keys: Key[] = [objectKey(plural, obj)];
    const refs: Obj[] = obj.metadata.ownerReferences ?? prev?.metadata?.ownerReferences ?? [];
    for (const r of refs) {
      if (!r.blockOwnerDeletion) continue;
      const def = defOfRef(c, r);
      if (!def) continue;
      const ns = def.namespaced ? obj.metadata.namespace : undefined;
      const owner = c.client.current(resourceName(def), ns, r.name);
      if (owner && owner.metadata.uid === r.uid && owner.metadata.deletionTimestamp) keys.push(objectKey(resourceName(def), owner));
    }
    return keys;
  };
}

/**
 * Whether an update can matter to the graph (as the real collector's graph builder looks only at
 * references and deletion state): its owners, its finalizers, its deletion. A pod's status writes,
 * most of a cluster's writes, cannot.
 */
function changesGraph(obj: Obj, prev: Obj): boolean {
  const m = obj.metadata;
  const p = prev.metadata;
  return (
    m.deletionTimestamp !== p.deletionTimestamp ||
    String(m.finalizers ?? "") !== String(p.finalizers ?? "") ||
    (m.ownerReferences !== p.ownerReferences && JSON.stringify(m.ownerReferences) !== JSON.stringify(p.ownerReferences))
  );
}

export const garbageCollector: Controller = {
  name: "garbage-collector",
  primary: "namespaces",
  get watches() {
    return [
      ...resources.filter(inGraph).map((d) => ({ plural: d.plural, map: keysFor(d.plural), concerns: changesGraph })),
      // Custom kinds come and go with their CRDs: found by the changed object's group and kind.
      {
        plural: ANY_KIND,
        map: (obj: Obj, prev: Obj | undefined, c: ControllerContext): Key[] => {
          const def = defOfRef(c, obj);
          return def && inGraph(def) ? keysFor(resourceName(def))(obj, prev, c) : [];
        },
        concerns: changesGraph,
      },
    ];
  },
  reconcile,
};
