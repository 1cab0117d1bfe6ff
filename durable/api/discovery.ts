// Discovery: legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io v2
// and v2beta1), all derived from the resource table.
import type { Obj, ResourceDef } from "../resources/types";
import { builtins, type ResourceTable } from "../resources";

const DEFAULT_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const SUB_VERBS = ["get", "patch", "update"];

export const verbsOf = (def: ResourceDef) => def.verbs ?? DEFAULT_VERBS;

interface Sub {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

function subresources(def: ResourceDef): Sub[] {
  const subs: Sub[] = [];
  if (def.subresources?.scale) subs.push({ name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: SUB_VERBS });
  if (def.subresources?.status) subs.push({ name: "status", group: def.group, version: def.version, kind: def.kind, verbs: SUB_VERBS });
  for (const s of def.extraSubresources ?? []) {
    subs.push({ name: s.name, group: s.group ?? def.group, version: s.version ?? def.version, kind: s.kind, verbs: s.verbs });
  }
  return subs.sort((a, b) => a.name.localeCompare(b.name));
}

/** The verbs discovery lists for one subresource of def, or undefined when it lists none of that name. */
export function subresourceVerbs(def: ResourceDef, name: string): string[] | undefined {
  return subresources(def).find((s) => s.name === name)?.verbs;
}

const groups = (table: ResourceTable) => {
  const out = new Map<string, string[]>();
  for (const gv of table.groupVersions) {
    const [g, v] = gv.includes("/") ? gv.split("/") : ["", gv];
    if (!out.has(g)) out.set(g, []);
    out.get(g)!.push(v);
  }
  return out;
};

export function apiVersions(): Obj {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "172.18.0.2:6443" }],
  };
}

export function apiGroup(name: string, table: ResourceTable = builtins): Obj | undefined {
  const versions = groups(table).get(name);
  if (!name || !versions) return undefined;
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: "APIGroup", apiVersion: "v1", name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(table: ResourceTable = builtins): Obj {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups(table).keys()]
      .filter((g) => g !== "")
      .map((g) => {
        const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g, table)!;
        return rest;
      }),
  };
}

export function apiResourceList(gv: string, table: ResourceTable = builtins): Obj | undefined {
  const defs = table.inGroupVersion(gv);
  if (defs.length === 0) return undefined;
  const resources: Obj[] = [];
  for (const def of defs) {
    resources.push({
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: verbsOf(def),
      ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
      ...(def.categories?.length ? { categories: def.categories } : {}),
    });
    for (const s of subresources(def)) {
      resources.push({
        name: `${def.plural}/${s.name}`,
        singularName: "",
        namespaced: def.namespaced,
        ...(s.group !== def.group ? { group: s.group } : {}),
        ...(s.version !== def.version || s.group !== def.group ? { version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources };
}

/** The aggregated discovery document for /api (core) or /apis (groups). */
export function aggregated(core: boolean, version: "v2" | "v2beta1", table: ResourceTable = builtins): Obj {
  const items: Obj[] = [];
  for (const [group, versions] of groups(table)) {
    if ((group === "") !== core) continue;
    items.push({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: table.inGroupVersion(group ? `${group}/${v}` : v).map((def) => ({
          resource: def.plural,
          responseKind: { group: def.group, version: def.version, kind: def.kind },
          scope: def.namespaced ? "Namespaced" : "Cluster",
          singularResource: def.singular,
          verbs: verbsOf(def),
          ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
          ...(def.categories?.length ? { categories: def.categories } : {}),
          ...(subresources(def).length
            ? {
                subresources: subresources(def).map((s) => ({
                  subresource: s.name,
                  responseKind: { group: s.group, version: s.version, kind: s.kind },
                  verbs: s.verbs,
                })),
              }
            : {}),
        })),
        freshness: "Current",
      })),
    });
  }
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | null): "v2" | "v2beta1" | undefined {
  for (const part of (accept ?? "").split(",")) {
    const params = part.split(";").map((s) => s.trim());
    if (!params.includes("g=apidiscovery.k8s.io") || !params.includes("as=APIGroupDiscoveryList")) continue;
    if (params.includes("v=v2")) return "v2";
    if (params.includes("v=v2beta1")) return "v2beta1";
  }
  return undefined;
}
