// The reconcile loop: a work queue fed by committed writes, timed transitions kept as rows of a
// timers table, and one drain that the Durable Object alarm drives. Every reconcile runs in its own
// transaction; a key is reconciled again when its controller asks for it (requeueAfter) or when
// something it watches changes. A fresh instance resyncs: every controller reconciles every object
// of its primary kind once, so nothing depends on an in-memory queue surviving.
import { storagePrefix } from "../api/registry";
import { byPlural } from "../resources";
import { Op, type Change, type Store } from "../store/store";
import { ANY_KIND, keyOf, type Controller, type ControllerContext, type Key } from "./types";

/**
 * The drain reconciles in slices of about SLICE_MS of wall time and yields between them, so the
 * requests of this cluster and of the others sharing the thread (every Durable Object of a local
 * `wrangler dev`, or of one isolate in production) wait at most about one slice more than when the
 * cluster is idle. A slice ends early rather than start a reconcile that, at what that controller's
 * last one cost, would run past it. Each yield has a cost of its own: 6 ms slices take a scale to
 * 1,000 replicas about a tenth longer than 8 ms ones, for a same-cluster GET's p99 during a scale to
 * 200 of 16–22 ms instead of 20–25 (slices of 5 ms, before the controllers' reads got cheaper, made
 * a session's start twice as slow). Between slices the drain gives way three times (YIELDS): each hop of a
 * request — into the Worker, into the Durable Object, back out — is an event of its own, and with
 * one yield each hop waited a whole slice; more than three slowed the drain for no gain. Locally the
 * clock advances inside a turn and ends the slice; deployed, Workers' clocks stand still until I/O
 * (a Spectre mitigation), so a slice is also capped by a count, recalibrated after every yield
 * (where the clock does move) from the time the last slice took, between SLICE_MIN and SLICE_MAX
 * reconciles.
 */
export const SLICE_MS = 6;
const YIELDS = 3;
const SLICE_FIRST = 20;
const SLICE_MIN = 1;
const SLICE_MAX = 500;
/** How long one controller may keep the turn while others wait (see slice). */
export const TURN_MS = 50;
/** A failing reconcile is retried after this long (then doubled, up to the maximum). */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 60_000;

/** The plural of a storage key `/<group>/<plural>/…`. */
const pluralOfKey = (key: string) => key.split("/")[2];

export class ControllerRuntime {
  private readonly queue = new Map<string, Set<Key>>();
  private readonly byPlural = new Map<string, { controller: Controller; watch: Controller["watches"][number] }[]>();
  private readonly failures = new Map<string, number>();
  private needsResync = true;
  private running = false;
  /** How many reconciles the next slice may run at most (see SLICE_MS). */
  private sliceCap = SLICE_FIRST;
  /** How long each controller's last reconcile took, to end a slice before one would overrun it. */
  private readonly lastCost = new Map<string, number>();
  /** The index of the controller whose keys the next slice reconciles first, and since when. */
  private turn = 0;
  private turnSince = 0;
  /** When the running slice began (wall clock). */
  private sliceStart = 0;
  /** What reconciles see: the cluster's context, and whether the slice they run in has used its time. */
  private readonly context: ControllerContext;

  constructor(
    private readonly store: Store,
    private readonly sql: SqlStorage,
    private readonly controllers: Controller[],
    context: ControllerContext,
    /** Run fn in one storage transaction. */
    private readonly transaction: <T>(fn: () => T) => T,
    /** Wall time in ms, for slicing the drain (tests slow it down or freeze it). */
    private readonly wallClock: () => number = () => performance.now(),
  ) {
    this.context = { ...context, sliceSpent: () => this.wallClock() - this.sliceStart >= SLICE_MS };
    sql.exec(`CREATE TABLE IF NOT EXISTS timers (
      controller TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (controller, key))`);
    sql.exec(`CREATE INDEX IF NOT EXISTS timers_at ON timers (at)`);
    for (const c of controllers) {
      this.queue.set(c.name, new Set());
      for (const watch of c.watches) {
        if (!this.byPlural.has(watch.plural)) this.byPlural.set(watch.plural, []);
        this.byPlural.get(watch.plural)!.push({ controller: c, watch });
      }
    }
    store.subscribe((changes) => this.onChanges(changes));
  }

  /** Is there work to do right now? */
  get pending(): boolean {
    if (this.needsResync) return true;
    for (const keys of this.queue.values()) if (keys.size) return true;
    return false;
  }

  enqueue(controller: string, key: Key): void {
    this.queue.get(controller)?.add(key);
  }

  private onChanges(changes: Change[]): void {
    for (const change of changes) {
      const watchers = this.byPlural.get(pluralOfKey(change.key)) ?? this.byPlural.get(ANY_KIND);
      if (!watchers) continue;
      for (const { controller, watch } of watchers) {
        if (change.op === Op.Updated && change.prev && watch.concerns && !watch.concerns(change.value, change.prev)) continue;
        const keys = watch.map ? watch.map(change.value, change.prev, this.context) : [keyOf(change.value)];
        for (const k of keys) this.enqueue(controller.name, k);
      }
    }
  }

  private resync(): void {
    this.needsResync = false;
    for (const c of this.controllers) for (const obj of this.store.list(primaryPrefix(c.primary))) this.enqueue(c.name, keyOf(obj));
  }

  /**
   * Move timers that are due into the queue, and off the table: a backlog of due keys is read once,
   * not again by every slice until it is reconciled (a fresh instance's resync covers a queue lost).
   */
  private takeDueTimers(now: number): void {
    const due = this.sql
      .exec<{ controller: string; key: string }>(`DELETE FROM timers WHERE at <= ? RETURNING controller, key`, now)
      .toArray();
    for (const t of due) this.enqueue(t.controller, t.key);
  }

  /** The earliest timer, if any. */
  nextTimer(): number | undefined {
    const row = this.sql.exec<{ at: number | null }>(`SELECT MIN(at) AS at FROM timers`).one();
    return row.at ?? undefined;
  }

  /**
   * Drain the queue: reconcile until nothing is left, in slices of about SLICE_MS with a yield to
   * the event loop after each, so waiting requests run in between. Returns when the queue is empty
   * (timers may remain for later).
   */
  async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        if (this.needsResync) this.resync();
        this.takeDueTimers(this.context.now());
        const start = this.wallClock();
        // The history the reconciles write is compacted a step at a time in their slices, never
        // by a request that happens to come when a step is due.
        this.store.compact();
        const done = this.slice(start);
        if (!this.pending) break;
        for (let i = 0; i < YIELDS; i++) await new Promise((r) => setTimeout(r, 0)); // let requests in (and, deployed, the clock move)
        this.sliceCap = nextSliceCap(this.sliceCap, done, this.wallClock() - start);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * One slice: reconcile until the queue is empty, SLICE_MS have passed or sliceCap keys are done;
   * returns how many were done. Controllers take turns: each drains its queue in as many slices as
   * that takes, then passes the turn to the next, so a burst's stages run in batches (all the pods
   * created, then all scheduled, …) rather than interleaved; interleaved, every batch would wake the
   * controllers that read all pods again. A controller whose queue keeps refilling (the scheduler
   * retrying hundreds of pending pods whenever a pod leaves a node) passes the turn after TURN_MS,
   * rather than starving those after it (the kubelets that remove the pods).
   */
  private slice(start: number): number {
    this.sliceStart = start;
    if (start - this.turnSince >= TURN_MS) this.passTurn(start);
    let done = 0;
    for (let i = 0; i < this.controllers.length; i++) {
      const c = this.controllers[this.turn];
      const keys = this.queue.get(c.name)!;
      while (keys.size) {
        const before = this.wallClock();
        // A reconcile that would end past the slice waits for the next one (as long as this one did some).
        if (done > 0 && before - start + (this.lastCost.get(c.name) ?? 0) > SLICE_MS) return done;
        const key = keys.values().next().value as Key;
        keys.delete(key);
        this.reconcileOne(c, key);
        this.lastCost.set(c.name, this.wallClock() - before);
        if (++done >= this.sliceCap || this.wallClock() - start >= SLICE_MS) return done;
      }
      this.passTurn(this.wallClock());
    }
    return done;
  }

  private passTurn(now: number): void {
    this.turn = (this.turn + 1) % this.controllers.length;
    this.turnSince = now;
  }

  private reconcileOne(c: Controller, key: Key): void {
    const id = `${c.name}|${key}`;
    const now = this.context.now();
    let requeueAfter: number | undefined;
    try {
      requeueAfter = this.transaction(() => c.reconcile(key, this.context))?.requeueAfter;
      this.failures.delete(id);
    } catch (e) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      requeueAfter = Math.min(RETRY_MS * 2 ** (n - 1), RETRY_MAX_MS);
      console.error(`reconcile ${id} failed (attempt ${n}):`, e instanceof Error ? (e.stack ?? e.message) : e);
    }
    if (requeueAfter !== undefined) {
      this.sql.exec(
        `INSERT INTO timers (controller, key, at) VALUES (?, ?, ?)
         ON CONFLICT (controller, key) DO UPDATE SET at = excluded.at`,
        c.name,
        key,
        now + Math.max(0, requeueAfter),
      );
    } else {
      this.sql.exec(`DELETE FROM timers WHERE controller = ? AND key = ?`, c.name, key);
    }
  }
}

/** The storage prefix of a controller's primary kind, for resync listing. */
function primaryPrefix(plural: string): string {
  const def = byPlural(plural);
  if (!def) throw new Error(`controller primary kind ${plural} is not registered`);
  return storagePrefix(def);
}

/**
 * The count cap of the next slice, from the last one: `done` reconciles took `elapsed` ms (measured
 * across the yield, so it is never less than the slice and, where the clock stands still inside a
 * turn, still moves). Aims at SLICE_MS; a slice that took no measurable time doubles the cap.
 */
export function nextSliceCap(cap: number, done: number, elapsed: number): number {
  if (done < cap) return cap; // the queue ran dry or the clock ended the slice: nothing learnt about the count
  const next = elapsed > 0 ? Math.floor((SLICE_MS * done) / elapsed) : cap * 2;
  return Math.min(SLICE_MAX, Math.max(SLICE_MIN, next));
}
