// The resource table: every kind the API server serves is one ResourceDef.
// Discovery, OpenAPI, Table printing, defaulting, validation and the REST
// strategy are all derived from these definitions (one source of truth).

/** A Kubernetes object as plain JSON. */
import type { UserInfo } from "../api/identity";
import type { PolicySource } from "../api/rbac";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** One validation failure; becomes a StatusCause {reason: type, message, field}. */
export interface FieldError {
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueNotFound"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueTypeInvalid"
    | "InternalError";
  /** JSON path as the real API server prints it, e.g. "spec.containers[0].image". */
  field: string;
  /** The full message, as in the real API server, e.g. `Required value` or
   *  `Invalid value: "Foo": a lowercase RFC 1123 ...`. */
  message: string;
}

/** A column of `kubectl get`, exactly as the real server's TableColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string; // "name" for the NAME column
  description: string;
  priority: number; // 0 = default columns, 1 = `-o wide`
}

/** What a kind's hooks can read besides the object itself. */
export interface Ctx {
  /** Milliseconds since epoch, from the cluster clock. */
  now: number;
  /** Read another object, e.g. a namespace or node. */
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
  /** List objects of a kind (optionally in one namespace). */
  list(plural: string, namespace?: string): Obj[];
  /** metrics.k8s.io's figures, computed on read by the simulated nodes (durable/nodes/metrics.ts). */
  metrics?: { nodes(now: number): Obj[]; pods(now: number): Obj[] };
}

export interface ScaleSubresource {
  /** JSON paths into the object, e.g. "spec.replicas", "status.replicas". */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Where the label selector lives; a LabelSelector object or a map selector (RC). */
  labelSelectorPath?: string;
}

export interface ResourceDef {
  group: string; // "" for the core group
  version: string;
  kind: string;
  plural: string;
  singular: string;
  listKind?: string; // defaults to `${kind}List`
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Defaults to create, delete, deletecollection, get, list, patch, update, watch. */
  verbs?: string[];
  /** Subresources served by the generic engine. */
  subresources?: {
    status?: boolean;
    scale?: ScaleSubresource;
  };
  /** Other subresources named in discovery (served elsewhere), e.g. "log", "exec", "binding". */
  extraSubresources?: { name: string; kind: string; verbs: string[]; group?: string; version?: string }[];
  /** The OpenAPI definition name, e.g. "io.k8s.api.core.v1.Pod". */
  openapi: string;
  /** A custom kind's schema (a CRD version's openAPIV3Schema), published in OpenAPI under `openapi`. */
  openapiSchema?: Obj;
  /** A custom kind's pruning (instead of the OpenAPI definitions): removes the fields its schema
   *  does not declare and returns the messages `unknown field "<path>"`. */
  pruneUnknown?(obj: Obj): string[];
  /** Storage version note: kinds served at several versions share storage (plural + group). */
  storage?: { plural: string; group: string };

  /** Table columns (excluding nothing: NAME is the first column). */
  columns: PrinterColumn[];
  /** The cells of one row, same order as `columns`. */
  row(obj: Obj, ctx: Ctx): unknown[];

  /** Fill in defaults in place (the real SetDefaults_* functions). Runs on create and update. */
  defaults?(obj: Obj, ctx: Ctx): void;
  /** Strategy PrepareForCreate: e.g. clear status, set generation 1. */
  prepareForCreate?(obj: Obj, ctx: Ctx): void;
  /** Strategy PrepareForUpdate: e.g. keep old status on main resource writes, bump generation. */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: Ctx): void;
  /** The status strategy's PrepareForUpdate, after the engine kept everything but the status (e.g. a
   *  PersistentVolume's lastPhaseTransitionTime follows its phase). */
  prepareForStatusUpdate?(obj: Obj, old: Obj, ctx: Ctx): void;
  /** Validation on create. Metadata (name, labels, annotations) is validated by the engine. */
  validate?(obj: Obj, ctx: Ctx): FieldError[];
  /** Validation on update (immutable fields and the rest). Defaults to validate(). */
  validateUpdate?(obj: Obj, old: Obj, ctx: Ctx): FieldError[];
  /** Validation of a status update. */
  validateStatusUpdate?(obj: Obj, old: Obj, ctx: Ctx): FieldError[];
  /** Field selectors beyond metadata.name / metadata.namespace: field → value getter. */
  fieldSelectors?: Record<string, (obj: Obj) => string>;
  /** Warnings returned as `Warning` headers on create/update (e.g. deprecated kinds). */
  warnings?(obj: Obj): string[];
  /** A warning for every request to this kind (e.g. ComponentStatus deprecation). */
  deprecationWarning?: string;
  /** Kinds served at another version from shared storage (events.k8s.io/v1 Event over core/v1
   *  events): convert between this version and the stored form. `storage` names the stored kind. */
  convert?: { toStorage(obj: Obj): Obj; fromStorage(obj: Obj): Obj };
  /** Lazy simulation: state computed when read rather than written (node heartbeats, lease
   *  renewals). Gets the stored object, which may be the store's shared frozen copy: returns what
   *  clients see without changing it (copying what differs). */
  present?(obj: Obj, ctx: Ctx): Obj;
  /** Read-only kinds computed on read (ComponentStatus): the current objects. */
  virtual?(ctx: Ctx): Obj[];
  /** A virtual kind's own answer to a GET of an object it does not have (metrics-server's NotFound
   *  names the pod when the pod itself is missing); the generic NotFound otherwise. */
  missing?(namespace: string | undefined, name: string, ctx: Ctx): Error;
  /** Create-only kinds that are never stored (SelfSubjectAccessReview, SelfSubjectReview): the
   *  answer to a POST of `obj` by `user`, with its status filled in. */
  review?(obj: Obj, user: UserInfo, ctx: Ctx, req: { policy: PolicySource; namespace?: string }): Obj;
  /** The REST storage's check of who may write this object (RBAC's escalation checks): throws the
   *  403 when `check.user` may not. Runs on create, update and patch, after defaulting. */
  authorizeWrite?(obj: Obj, check: { user: UserInfo; policy: PolicySource }): void;
  /** Graceful deletion (CheckGracefulDelete): the grace period in seconds for this deletion, given
   *  the one requested (undefined when not given). 0 or absent hook means delete at once. */
  gracePeriod?(obj: Obj, requested: number | undefined): number;
  /** A kind's own DELETE step before the generic one (the namespace REST storage, NamespaceLifecycle
   *  admission): gets a copy of the current object; returns the object to store and return instead
   *  of deleting it (e.g. phase Terminating), or undefined to go on with the generic deletion. May
   *  throw an ApiError. */
  beforeDelete?(obj: Obj, ctx: Ctx): Obj | undefined;
  /** ShouldDeleteDuringUpdate: an extra condition for a write that leaves an object being deleted
   *  without finalizers to complete the deletion (namespaces also wait for spec.finalizers). */
  shouldDeleteDuringUpdate?(obj: Obj): boolean;
  /** Subresources besides status that replace a part of the object on PUT/PATCH
   *  (namespaces/finalize): the object to store from the written one and the stored one, and its
   *  validation. */
  updateSubresources?: Record<string, { prepare(obj: Obj, old: Obj): Obj; validate?(obj: Obj, old: Obj): FieldError[] }>;
  /** DefaultGarbageCollectionPolicy when it is not Background (batch/v1 Jobs orphan their pods), and
   *  the warning a DELETE without a propagation policy then gets. */
  defaultPropagation?: { policy: "Orphan"; warning: string };
  /** Return the deleted object (not a Status) from DELETE, like pods do. */
  returnDeletedObject?: boolean;
  /** Name validation (ValidateObjectMeta's nameFn); defaults to DNS-1123 subdomain. */
  nameValidator?: (name: string) => string[];
  /** Name is generated by the server from generateName only (e.g. Events) — informational. */
  allowUpdateCreate?: boolean; // PUT of a missing object creates it (e.g. Lease, Endpoints)
  /** A kind discovery lists (with no verbs) that is not simulated: every request answers this. */
  unserved?: string;
}

export function apiVersionOf(def: Pick<ResourceDef, "group" | "version">): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
