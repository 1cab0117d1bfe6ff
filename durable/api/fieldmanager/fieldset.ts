// Field sets: the fieldpath.Set of sigs.k8s.io/structured-merge-diff/v4, a tree of path elements
// whose nodes may be members (the path itself is in the set) and have children. A path element is
// one of `f:<field>`, `k:{"name":"nginx"}` (an associative list item by its keys), `v:<json>` (a
// set item) or `i:<n>` (a list position). FieldsV1 is its JSON form, sorted as upstream sorts
// (PathElement.Compare) with "." marking a member that also has children.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One path element; `key` holds the associative-list keys sorted by name. */
export type PathElement = { field: string } | { key: [string, Json][] } | { value: Json } | { index: number };

const kindRank = (pe: PathElement) => ("field" in pe ? 0 : "key" in pe ? 1 : "value" in pe ? 2 : 3);

/** value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: Json, b: Json): number {
  const rank = (v: Json) =>
    typeof v === "number" ? 0 : typeof v === "string" ? 1 : typeof v === "boolean" ? 2 : Array.isArray(v) ? 3 : v === null ? 5 : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as Json[];
      const lb = b as Json[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const ka = Object.keys(a as object).sort();
      const kb = Object.keys(b as object).sort();
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
        const c = compareValues((a as Record<string, Json>)[ka[i]], (b as Record<string, Json>)[kb[i]]);
        if (c) return c;
      }
      return ka.length - kb.length;
    }
  }
  return 0;
}

/** PathElement.Compare. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  if ("field" in a) {
    const fb = (b as { field: string }).field;
    return a.field === fb ? 0 : a.field < fb ? -1 : 1;
  }
  if ("key" in a) {
    const kb = (b as { key: [string, Json][] }).key;
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= kb.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= kb.length) return 1;
      if (a.key[i][0] !== kb[i][0]) return a.key[i][0] < kb[i][0] ? -1 : 1;
      const c = compareValues(a.key[i][1], kb[i][1]);
      if (c) return c;
    }
  }
  if ("value" in a) return compareValues(a.value, (b as { value: Json }).value);
  return a.index - (b as { index: number }).index;
}

/** The FieldsV1 key of a path element. */
export function elementKey(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) return `k:${JSON.stringify(Object.fromEntries(pe.key))}`;
  if ("value" in pe) return `v:${JSON.stringify(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parse a FieldsV1 key; undefined when it is not one. */
export function parseElementKey(s: string): PathElement | undefined {
  const body = s.slice(2);
  try {
    switch (s.slice(0, 2)) {
      case "f:":
        return { field: body };
      case "k:": {
        const o = JSON.parse(body);
        if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
        return {
          key: Object.keys(o)
            .sort()
            .map((k) => [k, o[k]] as [string, Json]),
        };
      }
      case "v:":
        return { value: JSON.parse(body) };
      case "i:":
        return /^\d+$/.test(body) ? { index: Number(body) } : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Go's %v of a value as value.ToString prints it (strings quoted). */
function valueString(v: Json): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  return JSON.stringify(v);
}

/** PathElement.String: `.field`, `[name="nginx"]`, `[="value"]`, `[0]`. */
export function elementString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

export const pathString = (path: PathElement[]) => path.map(elementString).join("");

/** A set of field paths, as a tree keyed by the FieldsV1 form of each element. */
export class FieldSet {
  member = false;
  readonly children = new Map<string, { pe: PathElement; set: FieldSet }>();

  static fromPaths(paths: PathElement[][]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(elementKey(pe))?.set;
  }

  /** The child at `pe`, made if missing. */
  descend(pe: PathElement, key = elementKey(pe)): FieldSet {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = { pe, set: new FieldSet() }));
    return c.set;
  }

  insert(path: PathElement[]): void {
    let s: FieldSet = this;
    for (const pe of path) s = s.descend(pe);
    s.member = true;
  }

  has(path: PathElement[]): boolean {
    let s: FieldSet | undefined = this;
    for (const pe of path) {
      s = s.child(pe);
      if (!s) return false;
    }
    return s.member;
  }

  empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  /** Whether a member lies below (not at) this node. */
  private hasMembersBelow(): boolean {
    for (const c of this.children.values()) if (!c.set.empty()) return true;
    return false;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [k, c] of this.children) s.children.set(k, { pe: c.pe, set: c.set.clone() });
    return s;
  }

  union(o: FieldSet): FieldSet {
    const s = this.clone();
    s.addAll(o);
    return s;
  }

  /** Union in place. */
  addAll(o: FieldSet): void {
    if (o.member) this.member = true;
    for (const [k, c] of o.children) this.descend(c.pe, k).addAll(c.set);
  }

  /** Paths in this set and not in `o` (Set.Difference: a member of `o` removes only that path). */
  difference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && !o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.set.difference(oc.set) : c.set.clone();
      if (!d.empty()) s.children.set(k, { pe: c.pe, set: d });
    }
    return s;
  }

  /** Set.RecursiveDifference: a member of `o` removes its whole subtree. */
  recursiveDifference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && !o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc?.set.member) continue;
      const d = oc ? c.set.recursiveDifference(oc.set) : c.set.clone();
      if (!d.empty()) s.children.set(k, { pe: c.pe, set: d });
    }
    return s;
  }

  intersection(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.set.intersection(oc.set);
      if (!i.empty()) s.children.set(k, { pe: c.pe, set: i });
    }
    return s;
  }

  equals(o: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(o.toFieldsV1());
  }

  private sortedChildren(): { pe: PathElement; set: FieldSet }[] {
    return [...this.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** Every member path, members of a node before its children (Set.Iterate). */
  paths(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = [];
    const kids = this.sortedChildren();
    for (const c of kids) if (c.set.member) out.push([...prefix, c.pe]);
    for (const c of kids) out.push(...c.set.paths([...prefix, c.pe]).filter((p) => p.length > prefix.length + 1));
    return out;
  }

  /** The FieldsV1 object. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.hasMembersBelow()) out["."] = {};
    for (const c of this.sortedChildren()) {
      if (c.set.empty()) continue;
      out[elementKey(c.pe)] = c.set.toFieldsV1();
    }
    return out;
  }

  /** Decode FieldsV1 (the root itself is never a member). Throws on a malformed key. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    s.read(v);
    return s;
  }

  private read(v: unknown): void {
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("expected an object");
    for (const [k, sub] of Object.entries(v)) {
      if (k === ".") {
        this.member = true;
        continue;
      }
      const pe = parseElementKey(k);
      if (!pe) throw new Error(`parsing key as path element: ${k}`);
      const child = this.descend(pe);
      if (sub && typeof sub === "object" && Object.keys(sub).length === 0) child.member = true;
      else child.read(sub);
    }
  }
}
