// The field manager as the registry and the API server use it: a kind's schema from the served
// definitions (the same lookup the strategic merge patch uses), the manager name of a request,
// and the managedFields of one write.
import { DEFINITIONS } from "../openapi/unknown-fields";
import { BUILTIN_PATCH_META, type Definitions } from "./patch/strategic";
import { type Atom, SchemaIndex } from "./fieldmanager/schema";
import { equal } from "./fieldmanager/typed";
import {
  type ManagedEntry,
  type Writer,
  decodeManaged,
  emptyObject,
  encodeManaged,
  ignoredFields,
  recordApply,
  recordUpdate,
} from "./fieldmanager/manager";

export { ApplyConflict, ManagedFieldsError, LAST_APPLIED } from "./fieldmanager/manager";
export type { Writer } from "./fieldmanager/manager";

const index = new SchemaIndex(DEFINITIONS as unknown as Definitions, BUILTIN_PATCH_META);

/** The schema of a definition name; a kind the definitions do not know is deduced (untyped). */
export const atomOf = (definition: string | undefined): Atom => index.of(definition);

/** What the field manager needs to know of a kind. */
export interface KindInfo {
  /** The OpenAPI definition name. */
  openapi?: string;
  apiVersion: string;
  kind: string;
  /** Whether the kind has a status subresource (its main resource then never records status). */
  hasStatus: boolean;
}

/** managerOrUserAgent: the fieldManager parameter, else the User-Agent up to its first "/". */
export function managerName(fieldManager: string | null, userAgent: string | null): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? "").split("/")[0];
}

type Obj = Record<string, any>;

const withoutManaged = (o: Obj): Obj => {
  if (!o?.metadata?.managedFields) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
};

/**
 * The managedFields after an Update-operation write from `live` (undefined on create) to
 * `next`. `given` are managedFields the client sent: when non-empty they replace the live ones
 * (how kubectl moves client-side apply ownership to server-side apply). Throws ManagedFieldsError.
 */
export function updateManagedFields(kind: KindInfo, live: Obj | undefined, next: Obj, given: unknown, writer: Writer): Obj[] | undefined {
  const atom = atomOf(kind.openapi);
  const givenAny = Array.isArray(given) && given.length > 0;
  // A write that changes nothing leaves managedFields as they are, with no decoding.
  if (live && !givenAny && equal(withoutManaged(live), withoutManaged(next))) return live.metadata?.managedFields;
  // A client's managedFields that do not decode are ignored for the live ones, as upstream.
  let base: ManagedEntry[] | undefined;
  if (Array.isArray(given) && given.length > 0) {
    try {
      base = decodeManaged(given);
    } catch {}
  }
  base ??= decodeManaged(live?.metadata?.managedFields);
  const from = live ? withoutManaged(live) : emptyObject(atom, kind.apiVersion, kind.kind);
  const entries = recordUpdate(from, withoutManaged(next), atom, base, writer, ignoredFields(writer.subresource, kind.hasStatus));
  return encodeManaged(entries);
}

/**
 * Server-side apply of `config` onto `live` (undefined: the object is created). Returns the
 * object to write (with its managedFields) and whether it differs from `live`. Throws
 * ApplyConflict and ManagedFieldsError.
 */
export function applyConfiguration(
  kind: KindInfo,
  live: Obj | undefined,
  config: Obj,
  writer: Writer,
  force: boolean,
): { obj: Obj; changed: boolean } {
  const atom = atomOf(kind.openapi);
  const base = decodeManaged(live?.metadata?.managedFields);
  const from = live ? withoutManaged(live) : emptyObject(atom, kind.apiVersion, kind.kind);
  const res = recordApply(from, withoutManaged(config), atom, base, writer, ignoredFields(writer.subresource, kind.hasStatus), force);
  const managedFields = encodeManaged(res.entries);
  const obj = { ...res.obj, metadata: { ...res.obj.metadata } };
  if (managedFields) obj.metadata.managedFields = managedFields;
  else delete obj.metadata.managedFields;
  return { obj, changed: res.changed };
}
