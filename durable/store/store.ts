// The store: one SQLite table of revisions, as kine keeps Kubernetes in SQL.
//
// Every write appends a row (rev, key, op, value). `rev` is the global revision counter and the
// resourceVersion of everything. The current object of a key is its newest row unless that row is a
// deletion; a read "as of" revision R takes the newest row at or below R, which is how paged lists
// stay consistent. Watches replay rows after R. Compaction drops superseded rows below a point and
// makes anything older answer 410 Expired, like etcd behind the real API server.
import type { Obj } from "../resources/types";

export const enum Op {
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

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`too old resource version: ${requested} (${compacted})`);
  }
}

/** The end of a key range: every key starting with `prefix` sorts below it. */
const rangeEnd = (prefix: string) => prefix + "\uffff";

/** Events are many, short-lived and written by the system: they do not count against the cap. */
const EVENTS_PREFIX = "/core/events/";

export class Store {
  private revCache: number;
  /** Live objects other than Events (which expire), derived from the log; for the object cap. */
  private objectCount: number;
  private compactCache: number;
  /** Changes committed by the current transaction, flushed to listeners afterwards. */
  private pending: Change[] = [];
  private depth = 0;
  private listeners = new Set<(changes: Change[]) => void>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS log (
      rev   INTEGER PRIMARY KEY AUTOINCREMENT,
      key   TEXT    NOT NULL,
      op    INTEGER NOT NULL,
      value TEXT    NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.revCache = Number(sql.exec(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).toArray()[0]?.seq ?? 0);
    this.compactCache = Number(this.getMeta("compact") ?? 0);
    this.objectCount = this.countObjects();
  }

  private countObjects(): number {
    return this.count("/") - this.count(EVENTS_PREFIX);
  }

  /** Stored objects, Events not included (a cheap counter kept in step with every write). */
  get objects(): number {
    return this.objectCount;
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
   * starting after key `after`, at most `limit` of them.
   */
  list(prefix: string, opts: { at?: number; after?: string; limit?: number } = {}): Obj[] {
    const at = opts.at ?? this.revCache;
    if (opts.at !== undefined && at < this.compactCache) throw new TooOldError(at, this.compactCache);
    const from = opts.after !== undefined && opts.after >= prefix ? opts.after + "\u0000" : prefix;
    const rows = this.sql.exec<{ value: string }>(
      `SELECT l.value FROM log l
        WHERE l.key >= ? AND l.key < ? AND l.rev <= ? AND l.op != ${Op.Deleted}
          AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)
        ORDER BY l.key LIMIT ?`,
      from,
      rangeEnd(prefix),
      at,
      at,
      opts.limit ?? -1,
    );
    const out: Obj[] = [];
    for (const r of rows) out.push(JSON.parse(r.value));
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

  /** Changes after revision `after` under `prefix`, oldest first (watch replay). */
  changesSince(prefix: string, after: number): Change[] {
    if (after < this.compactCache) throw new TooOldError(after, this.compactCache);
    const rows = this.sql.exec<{ rev: number; key: string; op: number; value: string }>(
      `SELECT rev, key, op, value FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev`,
      after,
      prefix,
      rangeEnd(prefix),
    );
    const out: Change[] = [];
    for (const r of rows) out.push({ rev: r.rev, key: r.key, op: r.op as Op, value: JSON.parse(r.value) });
    return out;
  }

  /**
   * Append a revision of `key`. The object's metadata.resourceVersion is set to the new revision.
   * For deletions, `value` is the last state of the object.
   */
  put(key: string, op: Op, value: Obj, prev?: Obj): Obj {
    const rev = this.revCache + 1;
    value.metadata = { ...value.metadata, resourceVersion: String(rev) };
    this.sql.exec(`INSERT INTO log (rev, key, op, value) VALUES (?, ?, ?, ?)`, rev, key, op, JSON.stringify(value));
    this.revCache = rev;
    if (!key.startsWith(EVENTS_PREFIX)) {
      if (op === Op.Created) this.objectCount++;
      else if (op === Op.Deleted) this.objectCount--;
    }
    this.pending.push({ rev, key, op, value, prev });
    if (this.depth === 0) this.flush(); // a write outside any transaction commits at once
    return value;
  }

  /** Subscribe to committed changes (watch hub, reconcile queue). */
  subscribe(fn: (changes: Change[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Run `fn` as one transaction; on success, hand its changes to the listeners. On failure the
   * transaction rolls back and the revision counter is re-read.
   */
  transaction<T>(storage: DurableObjectStorage, fn: () => T): T {
    const start = this.pending.length;
    let result: T;
    this.depth++;
    try {
      result = storage.transactionSync(fn);
    } catch (e) {
      this.pending.length = start;
      this.revCache = Number(this.sql.exec(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).toArray()[0]?.seq ?? 0);
      this.objectCount = this.countObjects();
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
    this.pending = [];
    for (const fn of this.listeners) fn(changes);
  }

  /** Drop superseded revisions older than the history window. Cheap to call often. */
  compact(): void {
    const target = this.revCache - HISTORY;
    if (target <= this.compactCache + HISTORY / 5) return;
    // Remove rows that have a newer row for the same key at or below the target,
    // and deletion rows at or below the target (the key is gone).
    this.sql.exec(
      `DELETE FROM log WHERE rev <= ? AND (op = ${Op.Deleted}
         OR rev < (SELECT MAX(m.rev) FROM log m WHERE m.key = log.key AND m.rev <= ?))`,
      target,
      target,
    );
    this.compactCache = target;
    this.setMeta("compact", String(target));
  }
}
