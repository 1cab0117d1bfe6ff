// The walks of structured-merge-diff's typed package over plain JSON values: the field set of a
// value (tofieldset.go), the comparison of two values (compare.go), the merge of an applied
// configuration into a live object (merge.go, with its list-order rules), RemoveItems and
// EnsureNamedFieldsAreMembers. `undefined` is an absent field, `null` a present null.
import { type Atom, SCALAR, UNTYPED } from "./schema";
import { FieldSet, type Json, type PathElement } from "./fieldset";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A deduced atom for values without a schema: maps granular, lists atomic. */
function resolve(atom: Atom, v: unknown): Atom {
  if (atom.kind !== "untyped") return atom;
  if (Array.isArray(v)) return { kind: "list", elem: () => UNTYPED, type: "atomic", keys: [] };
  if (isObj(v)) return { kind: "map", elem: () => UNTYPED, atomic: false };
  return SCALAR;
}

/** The shape a value has, to tell a schema mismatch (which SMD treats as replacing the value). */
const shapeOf = (a: Atom) => (a.kind === "struct" || a.kind === "map" ? "map" : a.kind === "list" ? "list" : "scalar");

function childAtom(a: Atom, key: string): { atom: Atom; declared: boolean } {
  if (a.kind === "struct") {
    const f = a.field(key);
    return f ? { atom: f, declared: true } : { atom: UNTYPED, declared: false };
  }
  if (a.kind === "map") return { atom: a.elem(), declared: false };
  return { atom: UNTYPED, declared: false };
}

/** Defaults of associative-list key fields (SMD reads them from the OpenAPI `default`). */
const KEY_DEFAULTS: Record<string, Json> = { protocol: "TCP" };

/** The path element of a list item (listItemToPathElement). */
export function itemElement(list: Atom & { kind: "list" }, item: unknown, index: number): PathElement {
  if (list.type === "map" && isObj(item)) {
    const key: [string, Json][] = [];
    for (const k of [...list.keys].sort()) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v !== undefined) key.push([k, v as Json]);
    }
    return { key };
  }
  if (list.type === "set") return { value: item as Json };
  return { index };
}

/**
 * Past this depth a value is one leaf to every walk here: no schema goes that deep, only untyped
 * data (a RawExtension) can, and workerd's stack is far smaller than Go's.
 */
const DEEP = 64;

/** Order-insensitive deep equality of JSON values (order-sensitive past DEEP). */
export function equal(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > DEEP) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!(k in b) || !equal(a[k], b[k], depth + 1)) return false;
    return true;
  }
  return false;
}

/**
 * TypedValue.ToFieldSet. With `named`, struct fields that have children are members too
 * (ToFieldSet followed by EnsureNamedFieldsAreMembers): the set of everything the value holds.
 */
export function toFieldSet(v: unknown, atom: Atom, named = false): FieldSet {
  const set = new FieldSet();
  walkSet(v, atom, set, named, 0);
  return set;
}

function walkSet(v: unknown, atom: Atom, node: FieldSet, named: boolean, depth: number): void {
  const a = resolve(atom, v);
  if (a.kind === "scalar" || a.kind === "untyped" || depth > DEEP) {
    node.member = true;
    return;
  }
  if (a.kind === "list") {
    if (a.type === "atomic") {
      node.member = true;
      return;
    }
    if (!Array.isArray(v)) return;
    const elem = a.elem();
    v.forEach((item, i) => {
      const child = node.descend(itemElement(a, item, i));
      walkSet(item, elem, child, named, depth + 1);
      child.member = true;
    });
    return;
  }
  if (a.atomic) {
    node.member = true;
    return;
  }
  if (!isObj(v)) return;
  for (const [key, val] of Object.entries(v)) {
    if (val === undefined) continue;
    const { atom: ca, declared } = childAtom(a, key);
    const child = node.descend({ field: key });
    walkSet(val, ca, child, named, depth + 1);
    if (val === null || (isObj(val) && Object.keys(val).length === 0) || !declared) child.member = true;
    else if (named && !child.empty()) child.member = true;
  }
}

/** Set.EnsureNamedFieldsAreMembers: declared struct fields below members become members. */
export function ensureNamedFieldsAreMembers(set: FieldSet, atom: Atom): FieldSet {
  const out = new FieldSet();
  out.member = set.member;
  for (const [k, c] of set.children) {
    let ca: Atom = UNTYPED;
    let declared = false;
    if ("field" in c.pe) ({ atom: ca, declared } = childAtom(atom, c.pe.field));
    else if (atom.kind === "list") ca = atom.elem();
    const sub = ensureNamedFieldsAreMembers(c.set, ca);
    if (declared && atom.kind === "struct") sub.member = true;
    out.children.set(k, { pe: c.pe, set: sub });
  }
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** TypedValue.Compare: what changed from `lhs` to `rhs`. */
export function compare(lhs: unknown, rhs: unknown, atom: Atom): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareWalk(lhs, rhs, atom, [], out);
  return out;
}

function compareWalk(l: unknown, r: unknown, atom: Atom, path: PathElement[], out: Comparison): void {
  const al = resolve(atom, l ?? r);
  const ar = resolve(atom, r ?? l);
  let leaf = false;
  const doLeaf = () => {
    leaf = true;
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
    else if (!equal(l, r)) out.modified.insert(path);
  };
  if (shapeOf(al) !== shapeOf(ar) || al.kind === "scalar" || al.kind === "untyped" || path.length > DEEP) doLeaf();
  else if (al.kind === "list") {
    const ll = Array.isArray(l) ? l : [];
    const rl = Array.isArray(r) ? r : [];
    if (al.type === "atomic" || (ll.length === 0 && rl.length === 0)) doLeaf();
    else {
      const elem = al.elem();
      const index = (list: unknown[]) => {
        const m = new Map<string, { pe: PathElement; v: unknown }>();
        list.forEach((item, i) => {
          const pe = itemElement(al, item, i);
          const k = JSON.stringify(pe);
          if (!m.has(k)) m.set(k, { pe, v: item });
        });
        return m;
      };
      const li = index(ll);
      const ri = index(rl);
      for (const [k, { pe, v }] of li) {
        path.push(pe);
        compareWalk(v, ri.get(k)?.v, elem, path, out);
        path.pop();
      }
      for (const [k, { pe, v }] of ri) {
        if (li.has(k)) continue;
        path.push(pe);
        compareWalk(undefined, v, elem, path, out);
        path.pop();
      }
    }
  } else {
    const lm = isObj(l) ? l : undefined;
    const rm = isObj(r) ? r : undefined;
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (al.atomic || (lEmpty && rEmpty)) doLeaf();
    else {
      const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
      for (const key of keys) {
        const lv = lm?.[key];
        const rv = rm?.[key];
        if (lv === undefined && rv === undefined) continue;
        path.push({ field: key });
        compareWalk(lv, rv, childAtom(al, key).atom, path, out);
        path.pop();
      }
    }
  }
  if (!leaf && path.length > 0) {
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
  }
}

/** TypedValue.Merge: `rhs` (an applied configuration) over `lhs` (the live object). */
export function merge(l: unknown, r: unknown, atom: Atom, depth = 0): unknown {
  if (r === undefined) return l;
  if (l === undefined || depth > DEEP) return r;
  const al = resolve(atom, l);
  const ar = resolve(atom, r);
  if (shapeOf(al) !== shapeOf(ar) || ar.kind === "scalar" || ar.kind === "untyped") return r;
  if (ar.kind === "list") {
    const ll = Array.isArray(l) ? l : [];
    const rl = Array.isArray(r) ? r : [];
    if (ar.type === "atomic" || (ll.length === 0 && rl.length === 0)) return r;
    return mergeList(ll, rl, ar, depth);
  }
  if (ar.atomic || !isObj(l) || !isObj(r)) return r;
  if (Object.keys(l).length === 0 && Object.keys(r).length === 0) return r;
  const out: Obj = {};
  // A null applied over a value clears it (the typed decode drops the null); the live nulls stay.
  for (const [k, v] of Object.entries(l)) {
    if (!(k in r)) out[k] = v;
    else if (r[k] !== null || v === null) out[k] = merge(v, r[k], childAtom(ar, k).atom, depth + 1);
  }
  for (const [k, v] of Object.entries(r)) if (!(k in l) && v !== null) out[k] = v;
  return out;
}

/** mergingWalker.visitListItems: rhs order for shared items, lhs-only items kept in place. */
function mergeList(lhs: unknown[], rhs: unknown[], list: Atom & { kind: "list" }, depth: number): unknown[] {
  const elem = list.elem();
  const pes = (items: unknown[]) => items.map((it, i) => JSON.stringify(itemElement(list, it, i)));
  const lPE = pes(lhs);
  const rPE = pes(rhs);
  const lObs = new Map<string, unknown>();
  lPE.forEach((k, i) => lObs.has(k) || lObs.set(k, lhs[i]));
  const rObs = new Map<string, unknown>();
  rPE.forEach((k, i) => rObs.has(k) || rObs.set(k, rhs[i]));
  const shared = rPE.filter((k) => lObs.has(k));
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  let lI = 0;
  let rI = 0;
  while (lI < lPE.length || rI < rPE.length) {
    if (lI < lPE.length && rI < rPE.length) {
      const pe = lPE[lI];
      if (pe === rPE[rI]) {
        merged.add(pe);
        out.push(merge(lObs.get(pe), rObs.get(pe), elem, depth + 1));
        lI++;
        rI++;
        nextShared = shared.shift();
        continue;
      }
      if (rObs.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lPE.length) {
      const pe = lPE[lI];
      if (!rObs.has(pe)) {
        out.push(lhs[lI]);
        lI++;
        continue;
      }
      if (merged.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < rPE.length) {
      const pe = rPE[rI];
      merged.add(pe);
      out.push(merge(lObs.get(pe), rObs.get(pe), elem, depth + 1));
      rI++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

/** TypedValue.RemoveItems: drop every member of `set` (with what is below it) from `v`. */
export function removeItems(v: unknown, set: FieldSet, atom: Atom, depth = 0): unknown {
  if (depth > DEEP) return v;
  const a = resolve(atom, v);
  if (a.kind === "list" && a.type !== "atomic" && Array.isArray(v)) {
    const elem = a.elem();
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const c = set.child(itemElement(a, item, i));
      if (c?.member) return;
      out.push(c ? removeItems(item, c, elem, depth + 1) : item);
    });
    return out;
  }
  if ((a.kind === "struct" || a.kind === "map") && !a.atomic && isObj(v)) {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) {
      const c = set.child({ field: k });
      if (c?.member) continue;
      out[k] = c ? removeItems(val, c, childAtom(a, k).atom, depth + 1) : val;
    }
    return out;
  }
  return v;
}
