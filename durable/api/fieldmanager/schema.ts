// The schema structured-merge-diff walks, built from the served swagger definitions and the patch
// metadata the strategic merge patch already uses. The real server reads
// x-kubernetes-list-type / list-map-keys / map-type from its OpenAPI; ours has only the patch
// strategy, so a list with a merge key is a map keyed by it (plus the lists upstream keys by
// more than the merge key), a merge list of scalars is a set, every other list is atomic, and the
// +structType=atomic / +mapType=atomic types are listed here. A kind without a schema (a custom
// resource without one) is "deduced": maps granular, lists atomic.

/** The parts of a swagger-2.0 schema node the walk reads (patch/strategic.ts has the full one). */
export interface SwaggerSchema {
  type?: string;
  $ref?: string;
  allOf?: SwaggerSchema[];
  properties?: Record<string, SwaggerSchema>;
  items?: SwaggerSchema;
  additionalProperties?: SwaggerSchema | boolean;
  [extra: string]: unknown;
}
/** Definition name → field → its Go struct tags' patch strategy and merge key. */
export type PatchMetaTable = Record<string, Record<string, { strategy?: string; mergeKey?: string }>>;

export type Atom =
  | { kind: "scalar" }
  | { kind: "untyped" }
  | { kind: "struct"; field(name: string): Atom | undefined; atomic: boolean; name?: string }
  | { kind: "map"; elem: () => Atom; atomic: boolean }
  | { kind: "list"; elem: () => Atom; type: "atomic" | "set" | "map"; keys: string[] };

export const SCALAR: Atom = { kind: "scalar" };
export const UNTYPED: Atom = { kind: "untyped" };

/** Types generated with +structType=atomic (or +mapType=atomic on a named map). */
const ATOMIC_TYPES = new Set([
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
  "io.k8s.api.core.v1.LocalObjectReference",
  "io.k8s.api.core.v1.ObjectReference",
  "io.k8s.api.core.v1.TypedLocalObjectReference",
  "io.k8s.api.core.v1.TypedObjectReference",
  "io.k8s.api.core.v1.ConfigMapKeySelector",
  "io.k8s.api.core.v1.SecretKeySelector",
  "io.k8s.api.core.v1.ObjectFieldSelector",
  "io.k8s.api.core.v1.ResourceFieldSelector",
  "io.k8s.api.core.v1.NodeSelector",
  "io.k8s.api.core.v1.NodeSelectorTerm",
  "io.k8s.api.core.v1.TopologySelectorTerm",
  "io.k8s.api.core.v1.ConfigMapEnvSource",
  "io.k8s.api.core.v1.SecretEnvSource",
  "io.k8s.api.core.v1.ClientIPConfig",
  "io.k8s.api.core.v1.SessionAffinityConfig",
  "io.k8s.api.core.v1.EnvVarSource",
]);

/** +mapType=atomic maps, by definition and field. */
const ATOMIC_MAPS: Record<string, string[]> = {
  "io.k8s.api.core.v1.ServiceSpec": ["selector"],
  "io.k8s.api.core.v1.ReplicationControllerSpec": ["selector"],
  "io.k8s.api.core.v1.PodSpec": ["nodeSelector"],
};

/** Lists whose x-kubernetes-list-map-keys are more than the patch merge key. */
const LIST_MAP_KEYS: Record<string, Record<string, string[]>> = {
  "io.k8s.api.core.v1.Container": { ports: ["containerPort", "protocol"] },
  "io.k8s.api.core.v1.EphemeralContainer": { ports: ["containerPort", "protocol"] },
  "io.k8s.api.core.v1.ServiceSpec": { ports: ["port", "protocol"] },
  "io.k8s.api.core.v1.PodSpec": { topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"] },
};

type Defs = Record<string, SwaggerSchema>;

/** Builds (and caches) the atoms of one set of definitions. */
export class SchemaIndex {
  private readonly named = new Map<string, Atom>();
  constructor(
    private readonly defs: Defs,
    private readonly meta: PatchMetaTable,
  ) {}

  /** The atom of a named definition ("io.k8s.api.apps.v1.Deployment"); untyped when unknown. */
  of(name: string | undefined): Atom {
    if (!name || !this.defs[name]) return UNTYPED;
    let atom = this.named.get(name);
    if (!atom) {
      atom = this.build(this.defs[name], name);
      this.named.set(name, atom);
    }
    return atom;
  }

  private node(node: SwaggerSchema | undefined, parentDef?: string, field?: string): Atom {
    const ref = node?.$ref ?? node?.allOf?.find((s) => s.$ref)?.$ref;
    if (ref !== undefined) return this.of(ref.replace(/^#\/(definitions|components\/schemas)\//, ""));
    return this.build(node, undefined, parentDef, field);
  }

  private build(node: SwaggerSchema | undefined, name?: string, parentDef?: string, field?: string): Atom {
    if (!node) return UNTYPED;
    if (node.type === "string" || node.type === "integer" || node.type === "number" || node.type === "boolean") return SCALAR;
    if (node.type === "array") {
      const items = node.items;
      const fromTable = parentDef && field ? this.meta[parentDef]?.[field] : undefined;
      const strategy = (node["x-kubernetes-patch-strategy"] as string | undefined) ?? fromTable?.strategy ?? "";
      const mergeKey = (node["x-kubernetes-patch-merge-key"] as string | undefined) ?? fromTable?.mergeKey;
      const listType = node["x-kubernetes-list-type"] as string | undefined;
      const listKeys = node["x-kubernetes-list-map-keys"] as string[] | undefined;
      let elemAtom: Atom | undefined;
      const elem = () => (elemAtom ??= this.node(items));
      if (listType === "map" && listKeys?.length) return { kind: "list", elem, type: "map", keys: listKeys };
      if (listType === "set") return { kind: "list", elem, type: "set", keys: [] };
      if (listType === "atomic") return { kind: "list", elem, type: "atomic", keys: [] };
      if (strategy.split(",").includes("merge")) {
        if (mergeKey) {
          const keys = (parentDef && field && LIST_MAP_KEYS[parentDef]?.[field]) || [mergeKey];
          return { kind: "list", elem, type: "map", keys };
        }
        return { kind: "list", elem, type: "set", keys: [] };
      }
      return { kind: "list", elem, type: "atomic", keys: [] };
    }
    const props = node.properties;
    const ap = node.additionalProperties;
    if (props) {
      const cache = new Map<string, Atom | undefined>();
      const atomicMaps = name ? ATOMIC_MAPS[name] : undefined;
      return {
        kind: "struct",
        name,
        atomic: (name !== undefined && ATOMIC_TYPES.has(name)) || node["x-kubernetes-map-type"] === "atomic",
        field: (f) => {
          if (!cache.has(f)) {
            const p = props[f];
            let a = p ? this.node(p, name, f) : undefined;
            if (a?.kind === "map" && atomicMaps?.includes(f)) a = { ...a, atomic: true };
            cache.set(f, a);
          }
          return cache.get(f);
        },
      };
    }
    if (ap !== undefined && ap !== false) {
      let elemAtom: Atom | undefined;
      return {
        kind: "map",
        atomic: node["x-kubernetes-map-type"] === "atomic",
        elem: () => (elemAtom ??= typeof ap === "object" ? this.node(ap) : UNTYPED),
      };
    }
    return UNTYPED;
  }
}
