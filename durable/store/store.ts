// The store: one SQLite table of revisions, as kine keeps Kubernetes in SQL.
//
// Every write appends a row (rev, key, op, value). `rev` is the global revision counter and the
// resourceVersion of everything. The current object of a key is its newest row unless that row is a
// deletion; a read "as of" revision R takes the newest row at or below R, which is how paged lists
// stay consistent. Watches replay rows after R. Compaction drops superseded rows below a point and
// makes anything older answer 410 Expired, like etcd behind the real API server.
//
// Every row carries its byte length (`size`), so the store keeps running totals without reading
// values: the bytes of live objects (capped, as etcd's quota caps a real cluster) and the bytes of
// superseded history (compacted earlier when big values churn).
import type { Obj } from "../resources/types";

export enum Op {
  Created = 0,
  Updated = 1,
  Deleted = 2,
}

export interface Row {
  rev: number;
  key: string;
  op: Op;
  value: Obj;
}

/** A committed change, handed to watchers and the reconcile queue after the transaction.
 *  `prev` is the state before (known for live changes, not for replayed ones). */
export interface Change extends Row {
  prev?: Obj;
}

/** How many revisions of history to keep before compacting (the window for watches and continues). */
const HISTORY = 5000;
/** The most revisions one compaction looks at (beyond the window; more wait for the next call). */
const COMPACT_STEP = HISTORY / 2;

/** etcd's default --max-request-bytes (1.5 MiB): the largest object a real cluster stores. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export interface StoreLimits {
  /** Cap on the stored bytes of live objects (writes that would grow past it are refused). */
  maxBytes: number;
  /** Budget for the bytes of superseded rows; past it, compaction moves forward to half of it. */
  historyBytes: number;
}

export const DEFAULT_LIMITS: StoreLimits = { maxBytes: 256 * 1024 * 1024, historyBytes: 64 * 1024 * 1024 };

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`too old resource version: ${requested} (${compacted})`);
  }
}

/** An object whose stored JSON is larger than MAX_OBJECT_BYTES (etcd: "request is too large"). */
export class TooLargeError extends Error {
  constructor(readonly size: number) {
    super(`object is ${size} bytes, the limit is ${MAX_OBJECT_BYTES}`);
  }
}

/** A write that would take the live objects' bytes past the cluster's cap. */
export class BytesQuotaError extends Error {
  constructor(
    readonly requested: number,
    readonly used: number,
    readonly limit: number,
  ) {
    super(`exceeded quota: requested: ${requested} bytes, used: ${used} bytes, limited: ${limit} bytes`);
  }
}

/** How much of the log one read of changesSince / list may take (the watch reads in such pages). */
export interface Page {
  rows: number;
  bytes: number;
}

const UNBOUNDED: Page = { rows: -1, bytes: Infinity };

/** The UTF-8 length of `s`, the bytes SQLite stores for it (counted, not encoded). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a surrogate pair: two UTF-16 units, four bytes
        i++;
      } else n += 2; // a lone surrogate is stored as U+FFFD, three bytes
    } else n += 2;
  }
  return n;
}

/** The end of a key range: every key starting with `prefix` sorts below it. */
const rangeEnd = (prefix: string) => prefix + "\uffff";

/** Events are many, short-lived and written by the system: they do not count against the cap. */
const EVENTS_PREFIX = "/core/events/";

/** The stored JSON a resource may hold and still be kept parsed in memory by `current`. */
export const CACHE_RESOURCE_BYTES = 8 * 1024 * 1024;
/** After a resource was found too big to keep, revisions before it is tried again. */
const CACHE_RETRY_REVISIONS = 1000;

/** `/group/plural/` of a key or of a list prefix (at least that deep). */
function resourceOf(key: string): string {
  const end = key.indexOf("/", key.indexOf("/", 1) + 1);
  return end < 0 ? key : key.slice(0, end + 1);
}

/**
 * Freeze an object and everything in it: what `current` shares must not be changed by a reader.
 * Iterative, as the API's walks are: a stored object may be nested deeper than the stack allows.
 */
function deepFreeze<T>(value: T): T {
  const todo: unknown[] = [value];
  while (todo.length) {
    const v = todo.pop();
    if (v && typeof v === "object" && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) todo.push(child);
    }
  }
  return value;
}

/** A cached object: its stored JSON until a reader first needs it, then parsed and frozen. */
interface CachedObject {
  json?: string;
  obj?: Obj;
  size: number;
}

/** An object as a pending write left it: gone, or parsed and frozen as the cache's are. */
const afterWrite = (op: Op, json: string): Obj | undefined => (op === Op.Deleted ? undefined : deepFreeze(JSON.parse(json) as Obj));

/** The object, parsed and frozen on first use (a key written many times between lists is parsed once). */
function parsed(entry: CachedObject): Obj {
  if (!entry.obj) {
    entry.obj = deepFreeze(JSON.parse(entry.json!) as Obj);
    entry.json = undefined;
  }
  return entry.obj;
}

/** The index of the first of the sorted `keys` at or after `key` (where it would be inserted). */
function firstAtOrAfter(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One resource's current objects, kept in step with commits. */
interface ResourceCache {
  objects: Map<string, CachedObject>;
  bytes: number;
  /** The keys in order, sorted once on first use and kept so. */
  sorted?: string[];
}

export class Store {
  private revCache: number;
  /** Live objects other than Events (which expire), derived from the log; for the object cap. */
  private objectCount: number;
  /** Bytes of the current row of every live key, and of every row; history is the difference. */
  private liveBytesCount: number;
  private totalBytes: number;
  private compactCache: number;
  /** Changes committed by the current transaction, flushed to listeners afterwards. */
  private pending: Change[] = [];
  private depth = 0;
  private listeners = new Set<(changes: Change[]) => void>();
  private readonly limits: StoreLimits;
  /** The JSON text written by each pending change (same order), for the caches at commit. */
  private pendingJson: string[] = [];
  private readonly caches = new Map<string, ResourceCache>();
  /** Resources too big to keep, and the revision after which to try again. */
  private readonly uncached = new Map<string, number>();

  constructor(
    private readonly sql: SqlStorage,
    limits: Partial<StoreLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    // `size` comes before `value` so that reading it touches only a row's first page.
    sql.exec(`CREATE TABLE IF NOT EXISTS log (
      rev   INTEGER PRIMARY KEY AUTOINCREMENT,
      key   TEXT    NOT NULL,
      op    INTEGER NOT NULL,
      size  INTEGER NOT NULL DEFAULT 0,
      value TEXT    NOT NULL)`);
    // A log written before rows carried their size gets the column (at the end) and its values.
    if (!sql.exec(`SELECT 1 FROM pragma_table_info('log') WHERE name = 'size'`).toArray().length) {
      sql.exec(`ALTER TABLE log ADD COLUMN size INTEGER NOT NULL DEFAULT 0`);
      sql.exec(`UPDATE log SET size = length(CAST(value AS BLOB))`);
    }
    sql.exec(`CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.revCache = Number(sql.exec(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).toArray()[0]?.seq ?? 0);
    this.compactCache = Number(this.getMeta("compact") ?? 0);
    this.objectCount = this.count("/") - this.count(EVENTS_PREFIX);
    this.totalBytes = Number(sql.exec(`SELECT COALESCE(SUM(size), 0) AS n FROM log`).one().n);
    this.liveBytesCount = Number(
      sql
        .exec(
          `SELECT COALESCE(SUM(l.size), 0) AS n FROM log l WHERE l.op != ${Op.Deleted}
            AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key)`,
        )
        .one().n,
    );
  }

  /** Stored objects, Events not included (a cheap counter kept in step with every write). */
  get objects(): number {
    return this.objectCount;
  }

  /** Stored bytes of live objects, Events included (kept in step with every write). */
  get liveBytes(): number {
    return this.liveBytesCount;
  }

  /** Stored bytes of superseded rows and deletion rows (what compaction can drop). */
  get historyBytes(): number {
    return this.totalBytes - this.liveBytesCount;
  }

  /** The newest revision (the resourceVersion of an empty list, too). */
  get rev(): number {
    return this.revCache;
  }

  /** Revisions at or below this were compacted away. */
  get compacted(): number {
    return this.compactCache;
  }

  getMeta(name: string): string | undefined {
    return this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE name = ?`, name).toArray()[0]?.value;
  }

  setMeta(name: string, value: string): void {
    this.sql.exec(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value);
  }

  /** The current object at `key`, or undefined. */
  get(key: string): Obj | undefined {
    const row = this.sql
      .exec<{ op: number; value: string }>(`SELECT op, value FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1`, key)
      .toArray()[0];
    return row && row.op !== Op.Deleted ? JSON.parse(row.value) : undefined;
  }

  /**
   * Objects whose keys start with `prefix`, in key order, as of revision `at` (default: now),
   * starting after key `after`, at most `limit` of them; `bytes` stops the read once that many
   * bytes are taken (at least one object is returned when any is left).
   */
  list(prefix: string, opts: { at?: number; after?: string; limit?: number; bytes?: number } = {}): Obj[] {
    return this.rows(prefix, opts).map((r) => JSON.parse(r.value));
  }

  /**
   * The current objects under `prefix` (at least `/group/plural/` deep), in key order, like list()
   * but from memory: each resource is read from SQL once, then kept in step with commits, as an
   * informer's cache is, and each object is parsed when it is first listed. The objects are shared
   * and frozen: a reader that wants to change one copies it. The open transaction's own writes are
   * read over the cache (a reconcile lists what it just created); a resource too big to keep is read
   * from SQL.
   */
  current(prefix: string): Obj[] {
    const resource = resourceOf(prefix);
    const cache = this.cacheOf(resource);
    if (!cache) return this.list(prefix);
    cache.sorted ??= [...cache.objects.keys()].sort();
    const written = this.writtenUnder(prefix);
    const out: Obj[] = [];
    // The cache's keys and the keys this transaction created, merged in order.
    const created = [...written.keys()].filter((k) => !cache.objects.has(k)).sort();
    const take = (key: string) => {
      const w = written.get(key);
      const obj = w ? afterWrite(w.op, w.json) : parsed(cache.objects.get(key)!);
      if (obj) out.push(obj);
    };
    let i = 0;
    for (let k = firstAtOrAfter(cache.sorted, prefix); k < cache.sorted.length; k++) {
      const key = cache.sorted[k];
      if (!key.startsWith(prefix)) break;
      while (i < created.length && created[i] < key) take(created[i++]);
      take(key);
    }
    while (i < created.length) take(created[i++]);
    return out;
  }

  /**
   * The current object at `key` as current() has it: from memory (read over the open transaction's
   * own writes), shared and frozen, so a reader that wants to change it copies it.
   */
  currentOne(key: string): Obj | undefined {
    const cache = this.cacheOf(resourceOf(key));
    if (!cache) return this.get(key);
    for (let i = this.pending.length - 1; i >= 0; i--)
      if (this.pending[i].key === key) return afterWrite(this.pending[i].op, this.pendingJson[i]);
    const entry = cache.objects.get(key);
    return entry && parsed(entry);
  }

  /** The open transaction's last write of each key under `prefix`. */
  private writtenUnder(prefix: string): Map<string, { op: Op; json: string }> {
    const written = new Map<string, { op: Op; json: string }>();
    this.pending.forEach((c, i) => {
      if (c.key.startsWith(prefix)) written.set(c.key, { op: c.op, json: this.pendingJson[i] });
    });
    return written;
  }

  private cacheOf(resource: string): ResourceCache | undefined {
    const cached = this.caches.get(resource);
    if (cached) return cached;
    if ((this.uncached.get(resource) ?? 0) > this.revCache) return undefined;
    const cache: ResourceCache = { objects: new Map(), bytes: 0 };
    for (const row of this.rows(resource)) {
      cache.bytes += row.value.length;
      if (cache.bytes > CACHE_RESOURCE_BYTES) {
        this.uncached.set(resource, this.revCache + CACHE_RETRY_REVISIONS);
        return undefined;
      }
      cache.objects.set(row.key, { json: row.value, size: row.value.length });
    }
    this.caches.set(resource, cache);
    return cache;
  }

  /** Apply committed changes to the caches that hold their resources. */
  private updateCaches(changes: Change[], json: string[]): void {
    changes.forEach((c, i) => {
      const resource = resourceOf(c.key);
      const cache = this.caches.get(resource);
      if (!cache) return;
      const before = cache.objects.get(c.key);
      if (before) cache.bytes -= before.size;
      if (c.op === Op.Deleted) cache.objects.delete(c.key);
      else {
        cache.objects.set(c.key, { json: json[i], size: json[i].length });
        cache.bytes += json[i].length;
      }
      // The keys stay in order as they come and go: a burst of creations re-sorts nothing.
      if (cache.sorted && (!before || c.op === Op.Deleted)) {
        const at = firstAtOrAfter(cache.sorted, c.key);
        if (c.op !== Op.Deleted) cache.sorted.splice(at, 0, c.key);
        else if (cache.sorted[at] === c.key) cache.sorted.splice(at, 1);
      }
      if (cache.bytes > CACHE_RESOURCE_BYTES) {
        this.caches.delete(resource);
        this.uncached.set(resource, this.revCache + CACHE_RETRY_REVISIONS);
      }
    });
  }

  /** What list() reads, as stored: each object's key and JSON text, not parsed. */
  rows(prefix: string, opts: { at?: number; after?: string; limit?: number; bytes?: number } = {}): { key: string; value: string }[] {
    const at = opts.at ?? this.revCache;
    if (opts.at !== undefined && at < this.compactCache) throw new TooOldError(at, this.compactCache);
    const from = opts.after !== undefined && opts.after >= prefix ? opts.after + "\u0000" : prefix;
    const rows = this.sql.exec<{ key: string; size: number; value: string }>(
      `SELECT l.key, l.size, l.value FROM log l
        WHERE l.key >= ? AND l.key < ? AND l.rev <= ? AND l.op != ${Op.Deleted}
          AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)
        ORDER BY l.key LIMIT ?`,
      from,
      rangeEnd(prefix),
      at,
      at,
      opts.limit ?? -1,
    );
    const out: { key: string; value: string }[] = [];
    let bytes = 0;
    for (const r of rows) {
      out.push({ key: r.key, value: r.value });
      bytes += r.size;
      if (opts.bytes !== undefined && bytes >= opts.bytes) break;
    }
    return out;
  }

  /** Number of current objects under a prefix (after key `after`, as of revision `at`). */
  count(prefix = "/", after?: string, at = this.revCache): number {
    const from = after !== undefined && after >= prefix ? after + "\u0000" : prefix;
    return Number(
      this.sql
        .exec(
          `SELECT COUNT(*) AS n FROM log l WHERE l.key >= ? AND l.key < ? AND l.rev <= ? AND l.op != ${Op.Deleted}
            AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)`,
          from,
          rangeEnd(prefix),
          at,
          at,
        )
        .one().n,
    );
  }

  /**
   * Changes after revision `after` under `prefix`, oldest first (watch replay), at most one `page`
   * of them. The log is walked in revision order (never sorted, so nothing is read ahead) and rows
   * outside the prefix are skipped in SQL, unparsed. With `withPrev`, each update and deletion
   * carries the key's state before it, for watches whose selectors need it.
   */
  changesSince(prefix: string, after: number, page: Page = UNBOUNDED, withPrev = false): Change[] {
    if (after < this.compactCache) throw new TooOldError(after, this.compactCache);
    const prev = withPrev
      ? `CASE WHEN l.op = ${Op.Created} THEN NULL ELSE
           (SELECT p.value FROM log p WHERE p.key = l.key AND p.rev < l.rev ORDER BY p.rev DESC LIMIT 1) END`
      : "NULL";
    // NOT INDEXED: the key index would make SQLite sort the whole range (values included) first.
    const rows = this.sql.exec<{ rev: number; key: string; op: number; size: number; value: string; prev: string | null }>(
      `SELECT l.rev, l.key, l.op, l.size, l.value, ${prev} AS prev FROM log l NOT INDEXED
        WHERE l.rev > ? AND l.key >= ? AND l.key < ? ORDER BY l.rev LIMIT ?`,
      after,
      prefix,
      rangeEnd(prefix),
      page.rows,
    );
    const out: Change[] = [];
    let bytes = 0;
    for (const r of rows) {
      const change: Change = { rev: r.rev, key: r.key, op: r.op as Op, value: JSON.parse(r.value) };
      if (r.prev !== null) change.prev = JSON.parse(r.prev);
      out.push(change);
      bytes += r.size + (r.prev?.length ?? 0);
      if (bytes >= page.bytes) break;
    }
    return out;
  }

  /**
   * Append a revision of `key`. The object's metadata.resourceVersion is set to the new revision.
   * For deletions, `value` is the last state of the object. Refused before anything is written
   * when the object is larger than etcd would store, or when it would take the live objects past
   * the cap; deletions and writes that do not grow the live bytes are always allowed.
   */
  put(key: string, op: Op, value: Obj, prev?: Obj): Obj {
    const rev = this.revCache + 1;
    const stored = { ...value, metadata: { ...value.metadata, resourceVersion: String(rev) } };
    const json = JSON.stringify(stored);
    const size = utf8Length(json);
    const before = op === Op.Created ? 0 : this.currentSize(key);
    if (op !== Op.Deleted) {
      if (size > MAX_OBJECT_BYTES) throw new TooLargeError(size);
      const growth = size - before;
      if (growth > 0 && this.liveBytesCount + growth > this.limits.maxBytes) {
        throw new BytesQuotaError(growth, this.liveBytesCount, this.limits.maxBytes);
      }
    }
    this.sql.exec(`INSERT INTO log (rev, key, op, size, value) VALUES (?, ?, ?, ?, ?)`, rev, key, op, size, json);
    value.metadata = stored.metadata;
    this.revCache = rev;
    this.totalBytes += size;
    this.liveBytesCount += (op === Op.Deleted ? 0 : size) - before;
    if (!key.startsWith(EVENTS_PREFIX)) {
      if (op === Op.Created) this.objectCount++;
      else if (op === Op.Deleted) this.objectCount--;
    }
    this.pending.push({ rev, key, op, value, prev });
    this.pendingJson.push(json);
    if (this.depth === 0) this.flush(); // a write outside any transaction commits at once
    return value;
  }

  /** The stored bytes of the current row of `key` (0 when absent or deleted). */
  private currentSize(key: string): number {
    const row = this.sql
      .exec<{ op: number; size: number }>(`SELECT op, size FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1`, key)
      .toArray()[0];
    return row && row.op !== Op.Deleted ? row.size : 0;
  }

  /** Subscribe to committed changes (watch hub, reconcile queue). */
  subscribe(fn: (changes: Change[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Run `fn` as one transaction; on success, hand its changes to the listeners. On failure the
   * transaction rolls back, and so do the counters (to what they were when it began).
   */
  transaction<T>(storage: DurableObjectStorage, fn: () => T): T {
    const start = this.pending.length;
    const saved = [this.revCache, this.objectCount, this.liveBytesCount, this.totalBytes] as const;
    let result: T;
    this.depth++;
    try {
      result = storage.transactionSync(fn);
    } catch (e) {
      this.pending.length = start;
      this.pendingJson.length = start;
      [this.revCache, this.objectCount, this.liveBytesCount, this.totalBytes] = saved;
      throw e;
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.flush();
    return result;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    const json = this.pendingJson;
    this.pending = [];
    this.pendingJson = [];
    this.updateCaches(changes, json);
    for (const fn of this.listeners) fn(changes);
    // Big values churning fill the history long before the revision window does.
    if (this.historyBytes > this.limits.historyBytes) this.compact();
  }

  /**
   * Drop superseded revisions older than the history window, at most COMPACT_STEP revisions of it a
   * call (a few milliseconds), or older than the point that brings the history's bytes back to half
   * their budget when it is over. Cheap to call often.
   */
  compact(): void {
    let target = Math.min(this.revCache - HISTORY, this.compactCache + COMPACT_STEP);
    const byBytes = this.historyBytes > this.limits.historyBytes;
    if (!byBytes && target <= this.compactCache + HISTORY / 5) return;
    if (byBytes) target = Math.max(target, this.historyPoint(this.limits.historyBytes / 2, Math.max(target, this.compactCache)));
    if (target <= this.compactCache) return;
    // Remove rows that have a newer row for the same key at or below the target, and deletion rows
    // at or below the target (the key is gone). The last compaction left neither at or below its
    // point, so only keys written since can have any: the work is the new history's, not the log's.
    const from = this.compactCache;
    let freed = 0;
    for (const row of this.sql.exec<{ size: number }>(
      `DELETE FROM log WHERE rev IN (
         SELECT l.rev FROM (SELECT key, MAX(rev) AS top FROM log WHERE rev > ? AND rev <= ? GROUP BY key) w
         JOIN log l ON l.key = w.key AND l.rev < w.top)
       RETURNING size`,
      from,
      target,
    ))
      freed += row.size;
    for (const row of this.sql.exec<{ size: number }>(
      `DELETE FROM log WHERE rev > ? AND rev <= ? AND op = ${Op.Deleted} RETURNING size`,
      from,
      target,
    ))
      freed += row.size;
    this.totalBytes -= freed;
    this.compactCache = target;
    this.setMeta("compact", String(target));
  }

  /**
   * The lowest revision to compact at so that at most `keep` bytes of history remain, looking no
   * further back than `floor`. Walking back from the newest row, compacting below row r keeps r
   * (when it is a deletion) and the state r replaced (when it is not a creation).
   */
  private historyPoint(keep: number, floor: number): number {
    const rows = this.sql.exec<{ rev: number; op: number; size: number; prev: number | null }>(
      `SELECT l.rev, l.op, l.size,
         (SELECT p.size FROM log p WHERE p.key = l.key AND p.rev < l.rev ORDER BY p.rev DESC LIMIT 1) AS prev
       FROM log l WHERE l.rev > ? ORDER BY l.rev DESC`,
      floor,
    );
    let kept = 0;
    for (const r of rows) {
      kept += (r.op === Op.Deleted ? r.size : 0) + (r.op !== Op.Created ? (r.prev ?? 0) : 0);
      if (kept > keep) return r.rev;
    }
    return floor;
  }
}
