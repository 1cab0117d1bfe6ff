// The generic REST engine: create, get, list, update, patch, delete for every registered kind,
// with the real metadata handling, strategies, validation, finalizers and graceful deletion
// (the genericregistry.Store of k8s.io/apiserver, over our revision-log store).
import type { Ctx, FieldError, Obj, ResourceDef } from "../resources/types";
import { apiVersionOf } from "../resources/types";
import {
  forbidden as fieldForbidden,
  invalid as fieldInvalid,
  notSupported,
  isDNS1123Subdomain,
  isQualifiedName,
  required,
  validateAnnotations,
  validateLabels,
  immutable,
} from "../resources/validation";
import { BytesQuotaError, MAX_OBJECT_BYTES, Op, TooLargeError, TooOldError, type Store } from "../store/store";
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, modifiedConflict, notFound, successStatus } from "./status";
import { fieldMatches, matches, type FieldRequirement, type Requirement } from "./selectors";
import { builtins, byPlural, type ResourceTable } from "../resources";
import { customResourceDefs, type JsonPathEval } from "../resources/customresource";
import { admitPodSecurity } from "../resources/podsecurity";
import { cloneTree } from "./limits";
import { validatingAdmission } from "../resources/admission";
import { ManagedFieldsError, updateManagedFields } from "./managedfields";

export interface WriteOptions {
  dryRun?: boolean;
  /** Extra warnings collected for the response. */
  warnings?: string[];
  /** Who writes, for managedFields (default: the in-cluster component that makes such writes). */
  fieldManager?: { manager: string; subresource?: string };
  /** Store the body's managedFields as they are (a server-side apply computed them). */
  managedFieldsAsGiven?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labels?: Requirement[];
  fields?: FieldRequirement[];
  limit?: number;
  continue?: string;
  /** The parsed resourceVersion parameter (0 when absent or "0"). */
  resourceVersion?: bigint;
  /** resourceVersionMatch: "Exact", "NotOlderThan" or "" (legacy). */
  resourceVersionMatch?: string;
}

const GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789";
export function randomSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => GENERATE_CHARS[b % GENERATE_CHARS.length]).join("");
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function storagePrefix(def: ResourceDef): string {
  const s = def.storage ?? { group: def.group, plural: def.plural };
  return `/${s.group || "core"}/${s.plural}/`;
}

export function keyOf(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${storagePrefix(def)}${namespace}/${name}` : `${storagePrefix(def)}${name}`;
}

const deepEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
// Not structuredClone: it overflows workerd's stack on objects about 2000 deep (limits.ts).
const clone = <T>(o: T): T => cloneTree(o);

/** Everything a write needs from its surroundings. */
export interface RegistryHost {
  store: Store;
  now(): number;
  /** Cap on stored objects (403 past it). */
  maxObjects: number;
  /** client-go's jsonpath, for custom kinds' printer columns. */
  jsonPath?: JsonPathEval;
  /** The metrics API's source (metrics-server's view of the simulated nodes). */
  metrics?: Ctx["metrics"];
}

const CRD_PREFIX = "/apiextensions.k8s.io/customresourcedefinitions/";

export class Registry {
  constructor(readonly host: RegistryHost) {}

  private tableKey = "";
  private tableCache: ResourceTable = builtins;

  /** The kinds this cluster serves: the built-in ones and its Established CRDs' served versions.
   *  Rebuilt only when a CRD changed (a new table, so caches keyed by it refresh too). */
  get table(): ResourceTable {
    const crds = this.store.current(CRD_PREFIX);
    const key = crds.map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`).join(",");
    if (key !== this.tableKey) {
      const jp = this.host.jsonPath;
      this.tableCache = jp ? builtins.with(crds.flatMap((c) => customResourceDefs(c as never, jp))) : builtins;
      this.tableKey = key;
    }
    return this.tableCache;
  }

  get store(): Store {
    return this.host.store;
  }

  /** The read context handed to kind hooks. */
  ctx(): Ctx {
    return {
      now: this.host.now(),
      get: (plural, ns, name) => {
        const def = byPlural(plural);
        return def ? this.read(def, ns, name) : undefined;
      },
      list: (plural, ns) => {
        const def = byPlural(plural);
        return def ? this.listRaw(def, ns) : [];
      },
      metrics: this.host.metrics,
    };
  }

  // ---- reads ----------------------------------------------------------------

  /** The object as served at this def's version, or undefined. */
  read(def: ResourceDef, namespace: string | undefined, name: string): Obj | undefined {
    if (def.virtual)
      return def.virtual(this.ctx()).find((o) => o.metadata.name === name && (!def.namespaced || o.metadata.namespace === namespace));
    const obj = this.store.get(keyOf(def, namespace, name));
    return obj && this.served(def, obj);
  }

  /** read() for controllers: a kind stored as served comes from the store's cache, shared and frozen (copy to change). */
  readCurrent(def: ResourceDef, namespace: string | undefined, name: string): Obj | undefined {
    if (!storedAsServed(def)) return this.read(def, namespace, name);
    const obj = this.store.currentOne(keyOf(def, namespace, name));
    return obj && this.served(def, obj);
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): Obj {
    const obj = this.read(def, namespace, name);
    if (!obj) throw def.missing?.(namespace, name, this.ctx()) ?? notFound(def.plural, def.group, name);
    return obj;
  }

  /**
   * The current objects of a kind (in a namespace), for controllers and computed state. A kind
   * served as stored comes from the store's in-memory cache: shared and frozen, never to be changed
   * in place (copy first), as with an informer's lister.
   */
  listRaw(def: ResourceDef, namespace?: string): Obj[] {
    if (def.virtual) return def.virtual(this.ctx()).filter((o) => !def.namespaced || !namespace || o.metadata.namespace === namespace);
    const prefix = storagePrefix(def) + (def.namespaced && namespace ? `${namespace}/` : "");
    if (!storedAsServed(def)) return this.store.list(prefix).map((o) => this.served(def, o));
    const items = this.store.current(prefix);
    return def.present ? items.map((o) => this.served(def, o)) : items;
  }

  /** A stored object as this def serves it: converted to its version, computed state filled in. */
  served(def: ResourceDef, stored: Obj): Obj {
    const obj = def.convert ? def.convert.fromStorage(stored) : stored;
    return def.present ? def.present(obj, this.ctx()) : obj;
  }

  /** A list with selectors and paging; returns the items, the list's resourceVersion and the continue token. */
  list(def: ResourceDef, namespace: string | undefined, opts: ListOptions): ListResult & { items: Obj[] } {
    const scan = this.scan(def, namespace, opts);
    const items: Obj[] = [];
    for (const page of scan.pages) items.push(...(page as Obj[])); // parsed: not asked for raw
    return { items, ...scan.result() };
  }

  /**
   * A list read a page at a time, so a caller can write each page before the next is read: the
   * revision is fixed before the first page, the continue token and remaining count are known once
   * the pages are done (`result()`).
   */
  scan(
    def: ResourceDef,
    namespace: string | undefined,
    opts: ListOptions,
    { raw = false } = {},
  ): { resourceVersion: string; pages: Iterable<(Obj | StoredJson)[]>; result(): ListResult } {
    const filter = (o: Obj) =>
      (!opts.labels || matches(opts.labels, o.metadata?.labels)) &&
      (!opts.fields || fieldMatches(opts.fields, (f) => fieldValue(def, o, f)));
    if (def.virtual) {
      const resourceVersion = String(this.store.rev);
      const items = def
        .virtual(this.ctx())
        .filter((o) => (!def.namespaced || !namespace || o.metadata.namespace === namespace) && filter(o));
      return { resourceVersion, pages: [items], result: () => ({ resourceVersion }) };
    }
    const prefix = storagePrefix(def) + (def.namespaced && namespace ? `${namespace}/` : "");
    const { at, after } = this.listPoint(prefix, opts);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    let taken = 0;
    let lastKeyName: string | undefined;
    let more = false;
    const self = this;
    // Objects served as stored, unselected, can go out as the stored text, never parsed.
    const asStored = raw && !def.convert && !def.present && !opts.labels?.length && !opts.fields?.length;
    // Read in pages from the store until the limit of *matching* items is reached.
    function* pages(): Generator<(Obj | StoredJson)[]> {
      const page = limit ? Math.max(limit, 100) : LIST_PAGE;
      let cursor = after;
      for (;;) {
        const batch = listing(() => self.store.rows(prefix, { at, after: cursor, limit: page, bytes: LIST_PAGE_BYTES }));
        const out: (Obj | StoredJson)[] = [];
        for (const row of batch) {
          if (limit && taken === limit) {
            more = true;
            break;
          }
          lastKeyName = row.key.slice(storagePrefix(def).length + (def.namespaced && namespace ? namespace.length + 1 : 0));
          if (asStored) {
            out.push(new StoredJson(row.value));
            taken++;
            continue;
          }
          const obj = self.served(def, JSON.parse(row.value));
          if (filter(obj)) out.push(obj), taken++;
        }
        if (out.length) yield out;
        // A short batch may have stopped at the byte budget: only an empty one says the prefix is done.
        if (more || batch.length === 0) return;
        cursor = batch[batch.length - 1].key;
      }
    }
    const resourceVersion = String(at);
    return {
      resourceVersion,
      pages: pages(),
      result: () => {
        const result: ListResult = { resourceVersion };
        if (more && lastKeyName !== undefined) {
          result.continue = encodeContinue(at, lastKeyName);
          if (!opts.labels?.length && !opts.fields?.length) result.remainingItemCount = self.store.count(prefix, prefix + lastKeyName, at);
        }
        return result;
      },
    };
  }

  /**
   * The revision a list reads at and the key it starts after (storage.ValidateListOptions and the
   * watch cache's list): a continue token's revision; with Exact (or the legacy form with a
   * limit) the given revision; otherwise the newest, which is never older than any revision the
   * store has. A revision the store has not reached is refused at once (the real server waits 3 s
   * for it; a single-writer store knows it will not come), one compacted away answers 410.
   */
  private listPoint(prefix: string, opts: ListOptions): { at: number; after?: string } {
    const rev = this.store.rev;
    if (opts.continue) {
      const rv = opts.resourceVersion ?? 0n;
      if (rv !== 0n) throw badRequest("specifying resource version is not allowed when using continue");
      const token = decodeContinue(opts.continue, rev);
      if (token.rv > 0 && token.rv < this.store.compacted) throw continueExpired();
      return { at: token.rv > 0 ? token.rv : rev, after: prefix + token.start };
    }
    const rv = opts.resourceVersion ?? 0n;
    if (rv > BigInt(rev)) throw tooLargeResourceVersion(rv, rev);
    const match = opts.resourceVersionMatch ?? "";
    const exact = match === "Exact" || (match === "" && rv > 0n && (opts.limit ?? 0) > 0);
    if (!exact) return { at: rev };
    if (Number(rv) < this.store.compacted) throw listExpired();
    return { at: Number(rv) };
  }

  // ---- writes ---------------------------------------------------------------

  create(def: ResourceDef, namespace: string | undefined, body: Obj, opts: WriteOptions = {}): Obj {
    const ctx = this.ctx();
    const obj = clone(body);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace ?? meta.namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    // System fields are the server's.
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    const givenManaged = meta.managedFields;
    for (const f of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields", "generation"])
      delete meta[f];

    def.defaults?.(obj, ctx);
    this.recordManagedFields(def, undefined, obj, givenManaged, opts);
    def.prepareForCreate?.(obj, ctx);

    const errs = [...validateObjectMeta(def, meta, true), ...(def.validate?.(obj, ctx) ?? [])];
    if (errs.length) throw invalid(def.kind, def.group, meta.name ?? "", errs);
    if (opts.warnings && def.warnings) opts.warnings.push(...def.warnings(obj));
    admitPodSecurity(def.plural, obj, undefined, ctx, opts.warnings);

    if (def.namespaced) this.checkNamespace(def, meta.namespace, meta.name);
    validatingAdmission(def, obj, undefined, ctx);
    const key = keyOf(def, meta.namespace, meta.name);
    if (this.store.get(key)) throw alreadyExists(def.plural, def.group, meta.name);
    if (opts.dryRun) return obj;
    if (def.plural !== "events" && this.store.objects >= this.host.maxObjects) {
      throw new ApiError(
        403,
        "Forbidden",
        `${def.plural} "${meta.name}" is forbidden: exceeded quota: this playground cluster holds at most ${this.host.maxObjects} objects`,
        { name: meta.name, kind: def.plural },
      );
    }
    return this.commit(def, key, Op.Created, obj);
  }

  /** PUT: replace the object (or the status / scale part of it, by `subresource`). */
  update(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: Obj,
    opts: WriteOptions & { subresource?: string; createIfMissing?: boolean } = {},
  ): { obj: Obj; created: boolean } {
    if (body.metadata?.name && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && body.metadata?.namespace && body.metadata.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const old = this.read(def, namespace, name);
    if (!old) {
      if (opts.createIfMissing && def.allowUpdateCreate && !opts.subresource) {
        if (body.metadata?.resourceVersion) throw notFound(def.plural, def.group, name);
        return { obj: this.create(def, namespace, { ...body, metadata: { ...body.metadata, name } }, opts), created: true };
      }
      throw notFound(def.plural, def.group, name);
    }
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw modifiedConflict(def.plural, def.group, name);
    return { obj: this.replace(def, old, body, opts), created: false };
  }

  /** Apply `mutate` to the current object and store the result (PATCH and internal writers). */
  mutate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    mutate: (current: Obj) => Obj,
    opts: WriteOptions & { subresource?: string } = {},
  ): Obj {
    const old = this.get(def, namespace, name);
    const next = mutate(clone(old));
    const rv = next?.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw modifiedConflict(def.plural, def.group, name);
    if (next.metadata?.name !== undefined && next.metadata.name !== name) {
      throw badRequest(`metadata.name: Invalid value: "${next.metadata.name}": field is immutable`);
    }
    return this.replace(def, old, next, opts);
  }

  /** The shared update path: strategy, validation, finalizer-driven deletion, no-op detection. */
  private replace(def: ResourceDef, old: Obj, body: Obj, opts: WriteOptions & { subresource?: string }): Obj {
    const ctx = this.ctx();
    let obj = clone(body);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    if (opts.subresource === "status") {
      // Only status changes (and annotations, which the real status strategies let through: the
      // deployment controller records deployment.kubernetes.io/revision through UpdateStatus).
      obj = { ...clone(old), status: obj.status };
      if (body.metadata?.annotations !== undefined) obj.metadata.annotations = clone(body.metadata.annotations);
    }
    const sub = opts.subresource && opts.subresource !== "status" ? def.updateSubresources?.[opts.subresource] : undefined;
    if (sub) obj = sub.prepare(obj, old);
    const meta = (obj.metadata ??= {});
    const om = old.metadata;
    meta.name = om.name;
    if (def.namespaced) meta.namespace = om.namespace;
    else delete meta.namespace;
    // BeforeUpdate: system fields come from the stored object.
    const uidErr = meta.uid && meta.uid !== om.uid ? [immutable("metadata.uid", meta.uid)] : [];
    meta.uid = om.uid;
    meta.creationTimestamp = om.creationTimestamp;
    if (om.generation !== undefined) meta.generation = om.generation;
    else delete meta.generation;
    if (om.deletionTimestamp) {
      meta.deletionTimestamp = om.deletionTimestamp;
      if (om.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    const givenManaged = body.metadata?.managedFields;
    delete meta.managedFields;
    delete meta.selfLink;
    meta.resourceVersion = om.resourceVersion;

    if (!opts.subresource) def.defaults?.(obj, ctx);
    this.recordManagedFields(def, old, obj, givenManaged, opts);
    if (!opts.subresource) def.prepareForUpdate?.(obj, old, ctx);
    else if (opts.subresource === "status") def.prepareForStatusUpdate?.(obj, old, ctx);
    const errs = [
      ...uidErr,
      ...(opts.subresource ? [] : validateObjectMeta(def, meta, false)),
      ...(sub
        ? (sub.validate?.(obj, old) ?? [])
        : opts.subresource === "status"
          ? (def.validateStatusUpdate?.(obj, old, ctx) ?? [])
          : (def.validateUpdate ?? ((o: Obj) => def.validate?.(o, ctx) ?? []))(obj, old, ctx)),
    ];
    if (errs.length) throw invalid(def.kind, def.group, om.name, errs);
    if (!opts.subresource) validatingAdmission(def, obj, old, ctx);
    if (opts.warnings && def.warnings && !opts.subresource) opts.warnings.push(...def.warnings(obj));
    if (!opts.subresource) admitPodSecurity(def.plural, obj, old, ctx, opts.warnings);

    const key = keyOf(def, om.namespace, om.name);
    // An update that drops the last finalizer of an object being deleted completes the deletion.
    if (
      meta.deletionTimestamp &&
      !meta.finalizers?.length &&
      (meta.deletionGracePeriodSeconds ?? 0) === 0 &&
      (def.shouldDeleteDuringUpdate?.(obj) ?? true)
    ) {
      if (opts.dryRun) return obj;
      return this.commit(def, key, Op.Deleted, obj, old);
    }
    if (deepEqual(obj, old)) return old; // no change: no new revision, like the real server
    if (opts.dryRun) return obj;
    return this.commit(def, key, Op.Updated, obj, old);
  }

  /**
   * metadata.managedFields of a write from `old` (undefined on create) to `obj`, computed after
   * defaulting and before the strategy, as the real handlers run the field manager. Writes without
   * a named manager are the cluster's own: the kubelet's for pod and node status, the controller
   * manager's otherwise.
   */
  private recordManagedFields(
    def: ResourceDef,
    old: Obj | undefined,
    obj: Obj,
    given: unknown,
    opts: WriteOptions & { subresource?: string },
  ): void {
    if (opts.managedFieldsAsGiven) {
      if (Array.isArray(given) && given.length) obj.metadata.managedFields = given;
      else delete obj.metadata.managedFields;
      return;
    }
    const subresource = opts.fieldManager ? opts.fieldManager.subresource : opts.subresource;
    const manager = opts.fieldManager?.manager ?? inClusterManager(def, obj, subresource);
    let managed: Obj[] | undefined;
    try {
      managed = updateManagedFields(
        { openapi: def.openapi, apiVersion: apiVersionOf(def), kind: def.kind, hasStatus: !!def.subresources?.status },
        old,
        obj,
        given,
        { manager, apiVersion: apiVersionOf(def), subresource, now: rfc3339(this.host.now()) },
      );
    } catch (e) {
      if (e instanceof ManagedFieldsError) throw badRequest(`error decoding managed fields: ${e.message}`);
      throw e;
    }
    if (managed) obj.metadata.managedFields = managed;
    else delete obj.metadata.managedFields;
  }

  /**
   * DELETE. Returns the object (still present, being deleted) or the deleted object / a Status.
   * `deleted` tells whether the object is gone.
   */
  delete(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): { body: Obj; deleted: boolean } {
    const ctx = this.ctx();
    const old = this.get(def, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        def.plural,
        def.group,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        def.plural,
        def.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const key = keyOf(def, old.metadata.namespace, old.metadata.name);
    const kept = def.beforeDelete?.(clone(old), ctx);
    if (kept) {
      if (opts.dryRun || deepEqual(kept, old)) return { body: opts.dryRun ? kept : old, deleted: false };
      return { body: this.commit(def, key, Op.Updated, kept, old), deleted: false };
    }
    const obj = clone(old);
    const meta = obj.metadata;

    // Propagation: orphan and foreground deletions are finalizers the garbage collector honours.
    const finalizers: string[] = [...(meta.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? def.defaultPropagation?.policy;
    if (!opts.propagationPolicy && def.defaultPropagation && !opts.warnings?.includes(def.defaultPropagation.warning))
      opts.warnings?.push(def.defaultPropagation.warning);
    const setFinalizer = (f: string, on: boolean) => {
      const i = finalizers.indexOf(f);
      if (on && i < 0) finalizers.push(f);
      if (!on && i >= 0 && !meta.deletionTimestamp) finalizers.splice(i, 1);
    };
    if (policy) {
      setFinalizer("orphan", policy === "Orphan");
      setFinalizer("foregroundDeletion", policy === "Foreground");
    }

    const grace = def.gracePeriod ? def.gracePeriod(obj, opts.gracePeriodSeconds) : 0;
    if (meta.deletionTimestamp) {
      // Already being deleted: a delete may only shorten the grace period.
      const current = meta.deletionGracePeriodSeconds ?? 0;
      if (grace === 0 && finalizers.length === 0) return this.finishDelete(def, key, obj, opts);
      if (grace < current) {
        meta.deletionGracePeriodSeconds = grace;
        meta.deletionTimestamp = rfc3339(ctx.now + grace * 1000);
        if (opts.dryRun) return { body: obj, deleted: false };
        return { body: this.commit(def, key, Op.Updated, obj, old), deleted: false };
      }
      return { body: old, deleted: false };
    }
    if (grace > 0 || finalizers.length > 0) {
      meta.deletionTimestamp = rfc3339(ctx.now + grace * 1000);
      meta.deletionGracePeriodSeconds = grace;
      if (finalizers.length) meta.finalizers = finalizers;
      if (opts.dryRun) return { body: obj, deleted: false };
      return { body: this.commit(def, key, Op.Updated, obj, old), deleted: false };
    }
    return this.finishDelete(def, key, obj, opts);
  }

  private finishDelete(def: ResourceDef, key: string, obj: Obj, opts: WriteOptions): { body: Obj; deleted: boolean } {
    const last = opts.dryRun ? obj : this.commit(def, key, Op.Deleted, obj, obj);
    const body = def.returnDeletedObject
      ? last
      : successStatus({ name: obj.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: obj.metadata.uid });
    return { body, deleted: true };
  }

  /** Write one revision; served-version objects are converted to their stored form first. */
  private commit(def: ResourceDef, key: string, op: Op, obj: Obj, prev?: Obj): Obj {
    const stored = def.convert ? def.convert.toStorage(obj) : obj;
    let written: Obj;
    try {
      written = this.store.put(key, op, stored, prev && (def.convert ? def.convert.toStorage(prev) : prev));
    } catch (e) {
      if (e instanceof BytesQuotaError) {
        const name = obj.metadata?.name ?? "";
        throw new ApiError(
          403,
          "Forbidden",
          `${def.plural} "${name}" is forbidden: exceeded quota: this playground cluster holds at most ${e.limit} bytes of objects, requested: ${e.requested}, used: ${e.used}`,
          { name, kind: def.plural },
        );
      }
      throw storageError(e);
    }
    return this.served(def, written);
  }

  private checkNamespace(def: ResourceDef, namespace: string, name: string): void {
    const nsDef = byPlural("namespaces")!;
    const ns = this.store.currentOne(keyOf(nsDef, undefined, namespace));
    if (!ns) throw notFound("namespaces", "", namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") {
      const err = forbidden(
        def.plural,
        def.group,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
      err.details!.causes = [
        { reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" },
      ];
      throw err;
    }
  }
}

/** Kinds whose stored objects are those served at this version, computed state aside (present):
 *  the store's cache can serve them. */
const storedAsServed = (def: ResourceDef) => !def.virtual && !def.convert;

/** The manager of a write from inside the cluster: the binary whose User-Agent the real one carries. */
function inClusterManager(def: ResourceDef, obj: Obj, subresource: string | undefined): string {
  if (subresource === "status" && (def.plural === "pods" || def.plural === "nodes")) return "kubelet";
  if (def.kind === "Event") {
    const component = obj.source?.component ?? obj.reportingController ?? obj.reportingComponent;
    if (component === "kubelet") return "kubelet";
    if (component === "default-scheduler") return "kube-scheduler";
  }
  return "kube-controller-manager";
}

/** The value of a field selector's field on an object; unknown fields are a 400. */
export function fieldValue(def: ResourceDef, obj: Obj, field: string): string {
  if (field === "metadata.name") return obj.metadata?.name ?? "";
  if (field === "metadata.namespace" && def.namespaced) return obj.metadata?.namespace ?? "";
  const get = def.fieldSelectors?.[field];
  if (!get) throw badRequest(`field label not supported: ${field}`);
  return get(obj);
}

/** Reject unknown field selector fields before listing (so an empty list is not mistaken for success). */
export function checkFieldSelector(def: ResourceDef, fields: FieldRequirement[]): void {
  for (const f of fields) {
    if (f.field === "metadata.name" || (f.field === "metadata.namespace" && def.namespaced)) continue;
    if (!def.fieldSelectors?.[f.field]) throw badRequest(`field label not supported: ${f.field}`);
  }
}

/** ValidateObjectMeta / ValidateObjectMetaUpdate. */
export function validateObjectMeta(def: ResourceDef, meta: Obj, create: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const nameFn = def.nameValidator ?? isDNS1123Subdomain;
  if (!meta.name) {
    if (create) errs.push(required("metadata.name", "name or generateName is required"));
  } else {
    for (const p of nameFn(meta.name)) errs.push(fieldInvalid("metadata.name", meta.name, p));
  }
  if (meta.generateName && create) {
    const prefix = String(meta.generateName).replace(/-+$/, "");
    if (prefix) for (const p of nameFn(prefix)) errs.push(fieldInvalid("metadata.generateName", meta.generateName, p));
  }
  if (def.namespaced && !meta.namespace) errs.push(required("metadata.namespace"));
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  (meta.ownerReferences ?? []).forEach((ref: Obj, i: number) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) errs.push(fieldInvalid(`${f}.apiVersion`, ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) errs.push(fieldInvalid(`${f}.kind`, ref.kind ?? "", "kind must not be empty"));
    if (!ref.name) errs.push(fieldInvalid(`${f}.name`, ref.name ?? "", "name must not be empty"));
    if (!ref.uid) errs.push(fieldInvalid(`${f}.uid`, ref.uid ?? "", "uid must not be empty"));
  });
  (meta.finalizers ?? []).forEach((fin: string, i: number) => {
    for (const p of isQualifiedName(fin)) errs.push(fieldInvalid(`metadata.finalizers[${i}]`, fin, p));
  });
  return errs;
}

// ---- continue tokens (the real format: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key"}) ----

function encodeContinue(rv: number, lastName: string): string {
  const json = JSON.stringify({ v: "meta.k8s.io/v1", rv, start: `${lastName}\u0000` });
  return btoa(unescape(encodeURIComponent(json)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const invalidContinue = (why: string) => badRequest(`invalid continue token: ${why}`);
const GENERIC_INVALID_KEY = "continue key is not valid";
const INVALID_START_RV = "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)";

/**
 * storage.DecodeContinue, with its refusals: not base64url or not JSON, another version, no
 * revision, no start key, a start key that path.Clean would change (a path escape). A revision
 * past `current` was not issued by this store: refused like a missing one rather than read as
 * "now" (etcd would fail the read with "required revision is a future revision").
 */
function decodeContinue(token: string, current: number): { rv: number; start: string } {
  let json: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length % 4 === 1) throw 0;
    const parsed = JSON.parse(decodeURIComponent(escape(atob(token.replace(/-/g, "+").replace(/_/g, "/")))));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw 0;
    json = parsed;
  } catch {
    throw invalidContinue(GENERIC_INVALID_KEY);
  }
  if (json.v !== "meta.k8s.io/v1")
    throw invalidContinue(`continue key is not valid: server does not recognize this encoded version ${String(json.v ?? "")}`);
  const rv = json.rv ?? 0;
  if (typeof rv !== "number" || !Number.isSafeInteger(rv) || (json.start !== undefined && typeof json.start !== "string")) {
    throw invalidContinue(GENERIC_INVALID_KEY);
  }
  if (rv === 0 || rv > current) throw invalidContinue(INVALID_START_RV);
  const start = (json.start as string | undefined) ?? "";
  if (start === "") throw invalidContinue("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
  const key = start.startsWith("/") ? start : `/${start}`;
  if (!isCleanPath(key)) throw invalidContinue(`${GENERIC_INVALID_KEY}: ${start}`);
  return { rv, start: key.slice(1).replace(/\u0000$/, "") };
}

/** Whether Go's path.Clean leaves an absolute path as it is (no empty, "." or ".." segments). */
function isCleanPath(p: string): boolean {
  if (p === "/") return true;
  return p
    .slice(1)
    .split("/")
    .every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

function continueExpired(): ApiError {
  return new ApiError(
    410,
    "Expired",
    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
  );
}

/** etcd3's answer to a list at a compacted revision. */
const listExpired = () => new ApiError(410, "Expired", "The resourceVersion for the provided list is too old.");

/** A store read for a list, its compaction refusal in the list's words. */
/** An object's JSON text as the store holds it, written out as is. */
export class StoredJson {
  constructor(readonly text: string) {}
}

/** The list's metadata (ListMeta): its revision, and where a limited list goes on. */
export interface ListResult {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** What a list reads from the store at a time (rows when it has no limit, and bytes): one page is
 *  all a streamed list holds. */
const LIST_PAGE = 500;
const LIST_PAGE_BYTES = 4 * 1024 * 1024;

function listing<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof TooOldError) throw listExpired();
    throw e;
  }
}

// ---- resourceVersion and integer parameters --------------------------------------------------

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * APIObjectVersioner.ParseResourceVersion: "" and "0" are 0, anything else must be a uint64 in
 * decimal. A refusal is the 400 the list path answers (`invalid resource version: ...` around the
 * field error of strconv.ParseUint).
 */
export function parseResourceVersion(rv: string | null | undefined): bigint {
  if (!rv || rv === "0") return 0n;
  const why = !/^[0-9]+$/.test(rv) ? "invalid syntax" : BigInt(rv) > UINT64_MAX ? "value out of range" : undefined;
  if (why) {
    throw badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`,
    );
  }
  return BigInt(rv);
}

/**
 * A query parameter decoded as Go's strconv.ParseInt(s, 10, 64) decodes it (limit,
 * timeoutSeconds); a refusal is the 400 that DecodeParameters failing answers. The value is
 * clamped to the safe integers, which are all any bound here needs.
 */
export function parseInt64(s: string): number {
  const why = !/^[+-]?[0-9]+$/.test(s)
    ? "invalid syntax"
    : BigInt(s) < INT64_MIN || BigInt(s) > INT64_MAX
      ? "value out of range"
      : undefined;
  if (why) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: ${why}`);
  const n = Number(s);
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
}

/** ValidateListOptions for a list: the resourceVersionMatch rules (a watch has its own). */
export function validateResourceVersionMatch(rv: string, match: string, cont: string): FieldError[] {
  if (!match) return [];
  const errs: FieldError[] = [];
  const field = "resourceVersionMatch";
  if (!rv) errs.push(fieldForbidden(field, "resourceVersionMatch is forbidden unless resourceVersion is provided"));
  if (cont) errs.push(fieldForbidden(field, "resourceVersionMatch is forbidden when continue is provided"));
  if (match !== "Exact" && match !== "NotOlderThan") errs.push(notSupported(field, match, ["Exact", "NotOlderThan", ""]));
  if (match === "Exact" && rv === "0")
    errs.push(fieldForbidden(field, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  return errs;
}

/** storage.NewTooLargeResourceVersionError: a revision the store has not reached (504, retry in 1 s). */
export function tooLargeResourceVersion(requested: bigint, current: number): ApiError {
  return new ApiError(504, "Timeout", `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1,
  });
}

/**
 * A store refusal as the API server answers it. The real server passes etcd's "request is too
 * large" through as a 500; a stored object over etcd's limit is the client's doing, so it gets the
 * 413 the apiserver sends for a body over its own limit, with etcd's words after it.
 */
export function storageError(e: unknown): unknown {
  if (e instanceof TooOldError) return new ApiError(410, "Expired", e.message);
  if (e instanceof TooLargeError)
    return new ApiError(413, "RequestEntityTooLarge", "Request entity too large: etcdserver: request is too large");
  if (e instanceof BytesQuotaError) {
    return new ApiError(
      403,
      "Forbidden",
      `exceeded quota: this playground cluster holds at most ${e.limit} bytes of objects, requested: ${e.requested}, used: ${e.used}`,
    );
  }
  return e;
}

/** etcd's per-object limit, for messages and tests. */
export { MAX_OBJECT_BYTES };
