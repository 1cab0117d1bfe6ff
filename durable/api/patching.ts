// PATCH dispatch by content type to the three engines; engine errors become Status errors.
import type { Obj, ResourceDef } from "../resources/types";
import { DEFINITIONS } from "../openapi/unknown-fields";
import { applyJsonPatch } from "./patch/json-patch";
import { applyMergePatch } from "./patch/merge-patch";
import { applyStrategicMergePatch, schemaFor } from "./patch/strategic";
import { PatchError } from "./patch/errors";
import { ApiError, unsupportedMediaType } from "./status";

export const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
];

/** Server-side apply is not served: a 415 for its content types, checked before the object is
 *  looked up so that applying a new object gets the same answer as an existing one. */
export function refuseApply(contentType: string): void {
  if (contentType === "application/apply-patch+yaml" || contentType === "application/apply-patch+cbor")
    throw new ApiError(415, "UnsupportedMediaType", "server-side apply is not supported by this playground yet: use client-side `kubectl apply` (without --server-side)");
}

/** Apply a patch of `contentType` to `current`; `def` gives the schema for strategic merge. */
export function applyPatch(contentType: string, current: Obj, patch: unknown, def: ResourceDef | undefined): Obj {
  try {
    switch (contentType) {
      case "application/json-patch+json":
        return applyJsonPatch(current, patch) as Obj;
      case "application/merge-patch+json":
        return applyMergePatch(current, patch) as Obj;
      case "application/strategic-merge-patch+json":
        // Kinds without a schema (Scale) fall back to a JSON merge patch, as for custom resources.
        return (def ? applyStrategicMergePatch(current, patch, schemaFor(DEFINITIONS as never, def.openapi)) : applyMergePatch(current, patch)) as Obj;
    }
    refuseApply(contentType);
  } catch (e) {
    if (e instanceof PatchError) {
      const s = e.toStatus();
      throw new ApiError(s.code, s.reason ?? "", s.message, s.details as never);
    }
    throw e;
  }
  throw unsupportedMediaType(contentType);
}
