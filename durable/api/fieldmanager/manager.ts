// managedFields: the field manager of k8s.io/apimachinery/pkg/util/managedfields (its chain of
// stripMeta, managedFieldsUpdater, lastApplied, structuredMerge managers) over the Updater of
// structured-merge-diff (merge/update.go): Update records what a write changed, Apply merges a
// configuration, prunes what its manager stopped applying and reports conflicts.
import { FieldSet, pathString, type PathElement } from "./fieldset";
import type { Atom } from "./schema";
import { compare, ensureNamedFieldsAreMembers, equal, merge, removeItems, toFieldSet } from "./typed";

type Obj = Record<string, any>;

export interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Who writes: the manager, the request's apiVersion and subresource. */
export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339, second precision. */
  now: string;
}

/** An invalid managedFields value a client sent (upstream rejects it with the decode error). */
export class ManagedFieldsError extends Error {}

/** Conflicts of an apply (merge.Conflicts), with the Status upstream builds from them. */
export class ApplyConflict extends Error {
  constructor(readonly conflicts: { manager: ManagedEntry; path: PathElement[] }[]) {
    super(conflictMessage(conflicts));
  }
  get causes(): { reason: string; message: string; field: string }[] {
    return this.conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${printManager(c.manager)}`,
      field: pathString(c.path),
    }));
  }
}

const quote = (s: string) => JSON.stringify(s);

/** printManager of internal/conflict.go (the identifier has no time). */
function printManager(e: ManagedEntry): string {
  let s = quote(e.manager);
  if (e.subresource) s += ` with subresource ${quote(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

function conflictMessage(conflicts: { manager: ManagedEntry; path: PathElement[] }[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  }
  const by = new Map<string, string[]>();
  for (const c of conflicts) {
    const m = printManager(c.manager);
    by.set(m, [...(by.get(m) ?? []), pathString(c.path)]);
  }
  const lines: string[] = [];
  for (const m of [...by.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const p of by.get(m)!) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/** BuildManagerIdentifier: Apply entries are one per manager whatever their apiVersion. */
const identity = (e: { manager: string; operation: string; apiVersion: string; subresource?: string }) =>
  JSON.stringify([e.manager, e.operation, e.operation === "Apply" ? "" : e.apiVersion, e.subresource ?? ""]);

/** DecodeManagedFields. */
export function decodeManaged(entries: unknown): ManagedEntry[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new ManagedFieldsError("managedFields must be a list");
  return entries.map((e: Obj) => {
    if (!e || typeof e !== "object") throw new ManagedFieldsError("managedFields entries must be objects");
    if (e.fieldsType !== "FieldsV1")
      throw new ManagedFieldsError(`expected FieldsType "FieldsV1" but got: ${quote(String(e.fieldsType ?? ""))}`);
    if (e.operation !== "Apply" && e.operation !== "Update") throw new ManagedFieldsError(`unexpected operation: ${e.operation}`);
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new ManagedFieldsError(String((err as Error).message));
    }
    return {
      manager: String(e.manager ?? ""),
      operation: e.operation,
      apiVersion: String(e.apiVersion ?? ""),
      ...(e.time ? { time: String(e.time) } : {}),
      ...(e.subresource ? { subresource: String(e.subresource) } : {}),
      set,
    };
  });
}

/** EncodeObjectManagedFields, sorted as sortEncodedManagedFields sorts. */
export function encodeManaged(entries: ManagedEntry[]): Obj[] | undefined {
  const live = entries.filter((e) => !e.set.empty());
  if (live.length === 0) return undefined;
  const secs = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  live.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      secs(p.time) - secs(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
  return live.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: "FieldsV1",
    fieldsV1: e.set.toFieldsV1(),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

/** The fields stripMetaManager keeps out of every set. */
const STRIPPED = FieldSet.fromPaths([
  [{ field: "apiVersion" }],
  [{ field: "kind" }],
  [{ field: "metadata" }],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"].map(
    (f) => [{ field: "metadata" }, { field: f }] as PathElement[],
  ),
]);

/** Fields a write of this subresource must not record (the strategies' GetResetFields). */
export function ignoredFields(subresource: string | undefined, hasStatus: boolean): FieldSet {
  if (subresource === "status") return FieldSet.fromPaths([[{ field: "spec" }]]);
  return hasStatus ? FieldSet.fromPaths([[{ field: "status" }]]) : new FieldSet();
}

/**
 * Updater.update: ownership of fields `live` → `next` changed moves away from every manager but
 * `self`; without `force`, any such field of another manager is a conflict.
 */
function transfer(live: Obj, next: Obj, atom: Atom, entries: ManagedEntry[], self: string | undefined, force: boolean) {
  const cmp = compare(live, next, atom);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: { manager: ManagedEntry; path: PathElement[] }[] = [];
  const out: ManagedEntry[] = [];
  for (const e of entries) {
    if (identity(e) === self) {
      out.push(e);
      continue;
    }
    const c = e.set.intersection(changed);
    if (!c.empty()) for (const path of c.paths()) conflicts.push({ manager: e, path });
    const set = e.set.difference(c).difference(cmp.removed);
    if (!set.empty()) out.push({ ...e, set });
  }
  if (!force && conflicts.length) throw new ApplyConflict(conflicts.sort((a, b) => cmpStr(a.manager.manager, b.manager.manager)));
  return { entries: out, cmp };
}
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A write by `writer` from `live` to `next` (create: `live` is the kind's empty object): the
 * fields it changed become its own (merged into its Update entry, whose time moves) and leave
 * every other manager. `given` are the managedFields the client sent, used when not empty.
 */
export function recordUpdate(live: Obj, next: Obj, atom: Atom, current: ManagedEntry[], writer: Writer, ignored: FieldSet): ManagedEntry[] {
  const { entries, cmp } = transfer(live, next, atom, current, undefined, true);
  const mine = cmp.modified.union(cmp.added).recursiveDifference(ignored).difference(STRIPPED);
  if (mine.empty()) return entries;
  const id = identity({ ...writer, operation: "Update" });
  const prev = entries.find((e) => identity(e) === id);
  const entry: ManagedEntry = {
    manager: writer.manager,
    operation: "Update",
    apiVersion: writer.apiVersion,
    time: writer.now,
    ...(writer.subresource ? { subresource: writer.subresource } : {}),
    set: prev ? mine.union(prev.set) : mine,
  };
  return [...entries.filter((e) => e !== prev), entry];
}

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export interface ApplyResult {
  /** The merged object (the live object itself when the apply changed nothing in it). */
  obj: Obj;
  entries: ManagedEntry[];
  changed: boolean;
}

/**
 * Server-side apply of `config` by `writer` onto `live` (Updater.Apply with the lastApplied
 * managers around it): merge, prune what the manager applied last time and no longer applies
 * (unless someone else owns it), then take ownership — refused on conflicts unless `force`.
 * For the manager "kubectl", conflicts on fields whose live value is what the client-side
 * last-applied annotation says are allowed, and that annotation is kept in step.
 */
export function recordApply(
  live: Obj,
  config: Obj,
  atom: Atom,
  current: ManagedEntry[],
  writer: Writer,
  ignored: FieldSet,
  force: boolean,
): ApplyResult {
  let result: ApplyResult;
  try {
    result = apply(live, config, atom, current, writer, ignored, force);
  } catch (e) {
    if (!(e instanceof ApplyConflict) || writer.manager !== "kubectl" || force) throw e;
    const allowed = allowedFromLastApplied(live, atom);
    if (!allowed) throw e;
    const rest = e.conflicts.filter((c) => !allowed.has(c.path));
    if (rest.length) throw new ApplyConflict(rest);
    result = apply(live, config, atom, current, writer, ignored, true);
  }
  const annotations = live.metadata?.annotations;
  if (writer.manager === "kubectl" && annotations?.[LAST_APPLIED]) {
    const value = buildLastApplied(config);
    if (result.obj.metadata?.annotations?.[LAST_APPLIED] !== value) {
      const obj = {
        ...result.obj,
        metadata: { ...result.obj.metadata, annotations: { ...result.obj.metadata?.annotations, [LAST_APPLIED]: value } },
      };
      result = { ...result, obj, changed: true };
    }
  }
  return result;
}

function apply(
  live: Obj,
  config: Obj,
  atom: Atom,
  current: ManagedEntry[],
  writer: Writer,
  ignored: FieldSet,
  force: boolean,
): ApplyResult {
  const id = identity({ ...writer, operation: "Apply" });
  const last = current.find((e) => identity(e) === id);
  let merged = merge(live, config, atom) as Obj;
  const set = toFieldSet(config, atom).recursiveDifference(ignored).difference(STRIPPED);
  const entry: ManagedEntry = {
    manager: writer.manager,
    operation: "Apply",
    apiVersion: writer.apiVersion,
    ...(last?.time ? { time: last.time } : {}),
    ...(writer.subresource ? { subresource: writer.subresource } : {}),
    set,
  };
  let entries = [...current.filter((e) => e !== last), entry];
  if (last && !last.set.empty()) merged = prune(merged, entries, last.set, atom);
  entries = transfer(live, merged, atom, entries, id, force).entries;
  const changed = !equal(live, merged);
  if (changed) entry.time = writer.now;
  if (!entries.includes(entry) && !entry.set.empty()) entries.push(entry);
  return { obj: changed ? merged : live, entries, changed };
}

/** Updater.prune with addBackOwnedItems and addBackDanglingItems. */
function prune(merged: Obj, entries: ManagedEntry[], lastSet: FieldSet, atom: Atom): Obj {
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, atom);
  const last = named(lastSet);
  let pruned = removeItems(merged, last, atom) as Obj;
  const owned = new FieldSet();
  for (const e of entries) owned.addAll(e.set);
  const mergedSet = toFieldSet(merged, atom, true);
  pruned = removeItems(merged, mergedSet.difference(toFieldSet(pruned, atom, true).union(named(owned))), atom) as Obj;
  const prunedSet = toFieldSet(pruned, atom, true);
  return removeItems(merged, mergedSet.difference(prunedSet).intersection(last), atom) as Obj;
}

/** lastAppliedManager.allowedConflictsFromLastApplied. */
function allowedFromLastApplied(live: Obj, atom: Atom): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  let lastApplied: Obj;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  const set = toFieldSet(lastApplied, atom);
  const cmp = compare(lastApplied, live, atom);
  return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** buildLastApplied: the configuration without the annotation, as Go encodes a map (sorted keys) plus a newline. */
export function buildLastApplied(config: Obj): string {
  const copy = JSON.parse(JSON.stringify(config));
  if (copy.metadata?.annotations) delete copy.metadata.annotations[LAST_APPLIED];
  return `${sortedJson(copy)}\n`;
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((v as Obj)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/**
 * Fields the real server's empty object of a kind already has (non-pointer structs and slices
 * without omitempty), by definition: the live side of the comparison on create, so that e.g.
 * `.spec` is not an added member while `.spec.strategy.rollingUpdate` is.
 */
const PRESENT_WHEN_EMPTY: Record<string, Record<string, "struct" | "null">> = {
  "io.k8s.api.core.v1.PodTemplateSpec": { metadata: "struct", spec: "struct" },
  "io.k8s.api.batch.v1.JobTemplateSpec": { metadata: "struct", spec: "struct" },
  "io.k8s.api.apps.v1.DeploymentSpec": { template: "struct", strategy: "struct" },
  "io.k8s.api.apps.v1.ReplicaSetSpec": { template: "struct" },
  "io.k8s.api.apps.v1.DaemonSetSpec": { template: "struct", updateStrategy: "struct" },
  "io.k8s.api.apps.v1.StatefulSetSpec": { template: "struct", updateStrategy: "struct" },
  "io.k8s.api.batch.v1.JobSpec": { template: "struct" },
  "io.k8s.api.batch.v1.CronJobSpec": { jobTemplate: "struct" },
  "io.k8s.api.core.v1.PodSpec": { containers: "null" },
  "io.k8s.api.rbac.v1.Role": { rules: "null" },
  "io.k8s.api.rbac.v1.ClusterRole": { rules: "null" },
};

/** The kind's empty object (what scope.New() serialises to), for the comparison on create. */
export function emptyObject(atom: Atom, apiVersion: string, kind: string): Obj {
  const out: Obj = { apiVersion, kind, metadata: {} };
  if (atom.kind !== "struct") return out;
  for (const top of ["spec", "status"]) {
    const a = atom.field(top);
    if (a?.kind === "struct") out[top] = skeleton(a);
  }
  Object.assign(out, fill(atom, out));
  return out;
}

function fill(atom: Atom & { kind: "struct" }, base: Obj): Obj {
  const table = atom.name ? PRESENT_WHEN_EMPTY[atom.name] : undefined;
  const out: Obj = { ...base };
  for (const [f, how] of Object.entries(table ?? {})) {
    const a = atom.field(f);
    out[f] = how === "null" ? null : a?.kind === "struct" ? skeleton(a) : {};
  }
  return out;
}

function skeleton(atom: Atom & { kind: "struct" }): Obj {
  return fill(atom, {});
}

export { removeItems };
