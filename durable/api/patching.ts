// PATCH dispatch by content type to the three engines; engine errors become Status errors.
// What a patch builds is bounded like a request body: at most MAX_REQUEST_BYTES (413) and at most
// MAX_DEPTH deep (the real server's decode of the patched JSON fails there, a 422).
import type { Obj, ResourceDef } from "../resources/types";
import { MAX_DEPTH, MAX_REQUEST_BYTES, TOO_LARGE_DETAIL, deeperThan, jsonSize, maxDepthMessage, toJson } from "./limits";
import { DEFINITIONS } from "../openapi/unknown-fields";
import { applyJsonPatch } from "./patch/json-patch";
import { applyMergePatch } from "./patch/merge-patch";
import { applyStrategicMergePatch, schemaFor } from "./patch/strategic";
import { PatchError } from "./patch/errors";
import { ApiError, badRequest, unsupportedMediaType } from "./status";

export const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

/** The server-side apply content types (served by the field manager, not by a patch engine). */
export const APPLY_TYPES = ["application/apply-patch+yaml", "application/apply-patch+cbor"];

/**
 * How a patch body that does not decode (a syntax error, nesting past MAX_DEPTH) is reported,
 * by patch type and fieldValidation (handlers/patch.go): Warn and Strict decode JSON and merge
 * patches strictly first (`error decoding patch: …`); with Ignore, a JSON patch fails in
 * jsonpatch.DecodePatch (the bare error) and a merge patch in MergePatch (ErrBadJSONPatch); a
 * strategic merge patch always reports the bare error.
 */
export function patchDecodeFailure(contentType: string, fieldValidation: string | null): (message: string) => ApiError {
  const strict = fieldValidation !== "Ignore";
  return (message) => {
    if (contentType === "application/strategic-merge-patch+json") return badRequest(message);
    if (!strict) return badRequest(contentType === "application/merge-patch+json" ? "Invalid JSON Patch" : message);
    return badRequest(`error decoding patch: ${message}`);
  };
}

/** Apply a patch of `contentType` to `current`; `def` gives the schema for strategic merge. */
export function applyPatch(contentType: string, current: Obj, patch: unknown, def: ResourceDef | undefined): Obj {
  const patched = runEngine(contentType, current, patch, def);
  checkPatched(patched);
  return patched;
}

/** Refuse a patched object too big to store or too deep to decode, before anything reads it. */
function checkPatched(patched: unknown): void {
  if (jsonSize(patched, MAX_REQUEST_BYTES) > MAX_REQUEST_BYTES) {
    throw new ApiError(413, "RequestEntityTooLarge", `Request entity too large: ${TOO_LARGE_DETAIL}`);
  }
  const bracket = deeperThan(patched, MAX_DEPTH);
  if (bracket) {
    // jsonPatcher: DecodeInto(patchedJS) fails → Invalid on the field "patch" with the patched JSON.
    const body = `Invalid value: ${JSON.stringify(toJson(patched))}: ${maxDepthMessage(bracket)}`;
    throw new ApiError(422, "Invalid", ` "" is invalid: patch: ${body}`, {
      causes: [{ reason: "FieldValueInvalid", message: body, field: "patch" }],
    });
  }
}

function runEngine(contentType: string, current: Obj, patch: unknown, def: ResourceDef | undefined): Obj {
  try {
    switch (contentType) {
      case "application/json-patch+json":
        return applyJsonPatch(current, patch) as Obj;
      case "application/merge-patch+json":
        return applyMergePatch(current, patch) as Obj;
      case "application/strategic-merge-patch+json":
        // Kinds without a schema (Scale) fall back to a JSON merge patch, as for custom resources.
        return (
          def ? applyStrategicMergePatch(current, patch, schemaFor(DEFINITIONS as never, def.openapi)) : applyMergePatch(current, patch)
        ) as Obj;
    }
  } catch (e) {
    if (e instanceof PatchError) {
      const s = e.toStatus();
      throw new ApiError(s.code, s.reason ?? "", s.message, s.details as never);
    }
    throw e;
  }
  throw unsupportedMediaType(contentType);
}
