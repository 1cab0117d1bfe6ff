// Server-side printing: Table and PartialObjectMetadata responses (meta.k8s.io/v1), as negotiated
// by kubectl's Accept header `application/json;as=Table;v=v1;g=meta.k8s.io,…`.
import type { Ctx, Obj, ResourceDef } from "../resources/types";

export type Shape = "Object" | "Table" | "PartialObjectMetadata" | "PartialObjectMetadataList";

export interface Negotiated {
  shape: Shape;
  /** The metav1 version requested for Table/PartialObjectMetadata (v1 or v1beta1). */
  version: string;
}

/** Parse the Accept header into the shape the client wants (the first one we can serve). */
export function negotiate(accept: string | null): Negotiated {
  for (const part of (accept ?? "").split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    if (type !== "application/json" && type !== "*/*" && type !== "application/yaml") continue;
    const p = Object.fromEntries(params.map((kv) => kv.split("=").map((s) => s.trim())));
    if (!p.as) return { shape: "Object", version: "v1" };
    if (p.g !== "meta.k8s.io") continue;
    if (p.as === "Table" || p.as === "PartialObjectMetadata" || p.as === "PartialObjectMetadataList") {
      return { shape: p.as as Shape, version: p.v ?? "v1" };
    }
  }
  return { shape: "Object", version: "v1" };
}

export function partialMetadata(obj: Obj, version = "v1"): Obj {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function partialMetadataList(items: Obj[], listMeta: Obj, version = "v1"): Obj {
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    items: items.map((o) => partialMetadata(o, version)),
  };
}

export type IncludeObject = "None" | "Metadata" | "Object";

export function toTable(
  def: ResourceDef,
  items: Obj[],
  ctx: Ctx,
  opts: { listMeta?: Obj; includeObject?: IncludeObject; noHeaders?: boolean; version?: string },
): Obj {
  const include = opts.includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version ?? "v1"}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noHeaders ? null : def.columns,
    rows: items.map((obj) => ({
      cells: def.row(obj, ctx),
      object: include === "None" ? undefined : include === "Object" ? obj : partialMetadata(obj, opts.version),
    })),
  };
}
