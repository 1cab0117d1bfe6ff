// Watch: newline-delimited WatchEvents streamed from a resourceVersion, following live commits.
import type { Ctx, Obj, ResourceDef } from "../resources/types";
import { Op, TooOldError, type Change, type Store } from "../store/store";
import { fieldValue, storagePrefix } from "./registry";
import { fieldMatches, matches, type FieldRequirement, type Requirement } from "./selectors";
import { ApiError } from "./status";
import { partialMetadata, toTable, type IncludeObject, type Negotiated } from "./table";

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  /** Only this object (fieldSelector metadata.name=… is how kubectl asks for one). */
  labels?: Requirement[];
  fields?: FieldRequirement[];
  resourceVersion?: string;
  bookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  shape: Negotiated;
  includeObject?: IncludeObject;
}

interface Watcher {
  req: WatchRequest;
  prefix: string;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  headersSent: boolean;
  lastRev: number;
  timer?: ReturnType<typeof setTimeout>;
  closed: boolean;
}

const encoder = new TextEncoder();
const BOOKMARK_EVERY_MS = 60_000;

export class WatchHub {
  private watchers = new Set<Watcher>();
  private bookmarkTimer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: Store,
    private readonly ctx: () => Ctx,
  ) {
    store.subscribe((changes) => this.publish(changes));
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Start a watch; returns the streaming response. */
  open(req: WatchRequest): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const w: Watcher = {
      req,
      prefix: storagePrefix(req.def) + (req.def.namespaced && req.namespace ? `${req.namespace}/` : ""),
      writer: writable.getWriter(),
      headersSent: false,
      lastRev: this.store.rev,
      closed: false,
    };
    const rv = req.resourceVersion;
    try {
      if (req.def.virtual || !rv || rv === "0" || req.sendInitialEvents) {
        // Start from the current state: synthetic ADDED events for what exists now.
        const objs = req.def.virtual ? req.def.virtual(this.ctx()) : this.store.list(w.prefix);
        for (const raw of objs) this.emit(w, "ADDED", raw, undefined);
        if (req.sendInitialEvents) this.bookmark(w, { "k8s.io/initial-events-end": "true" });
      } else {
        const from = Number(rv);
        if (!Number.isInteger(from) || from < 0) throw new ApiError(400, "BadRequest", `invalid resource version: ${rv}`);
        w.lastRev = from;
        for (const c of this.store.changesSince(w.prefix, from)) this.deliver(w, c);
      }
    } catch (e) {
      if (!(e instanceof TooOldError)) throw e;
      const status = new ApiError(410, "Expired", e.message).toStatus();
      this.write(w, { type: "ERROR", object: status });
      w.writer.close().catch(() => {});
      return this.response(readable, req);
    }
    if (req.timeoutSeconds && req.timeoutSeconds > 0) {
      w.timer = setTimeout(() => this.close(w), req.timeoutSeconds * 1000);
    }
    this.watchers.add(w);
    if (req.bookmarks) this.ensureBookmarks();
    return this.response(readable, req);
  }

  private response(readable: ReadableStream, _req: WatchRequest): Response {
    // A watch stream is `application/json` whatever the shape of its objects (client-go picks its
    // stream decoder by this media type).
    return new Response(readable, {
      headers: { "content-type": "application/json", "cache-control": "no-cache, private", "content-encoding": "identity" },
    });
  }

  private publish(changes: Change[]): void {
    for (const w of this.watchers) for (const c of changes) if (c.key.startsWith(w.prefix)) this.deliver(w, c);
  }

  /** Turn one stored change into the event this watcher should see (selectors move objects in and out). */
  private deliver(w: Watcher, c: Change): void {
    if (c.rev <= w.lastRev) return;
    const now = this.selected(w, c.value);
    const before = c.op === Op.Created ? false : c.prev ? this.selected(w, c.prev) : now;
    let type: string | undefined;
    if (c.op === Op.Deleted) type = before || now ? "DELETED" : undefined;
    else if (now && before) type = "MODIFIED";
    else if (now) type = "ADDED";
    else if (before) type = "DELETED";
    if (type) this.emit(w, type, c.value, c.rev);
    w.lastRev = Math.max(w.lastRev, c.rev);
  }

  private selected(w: Watcher, raw: Obj): boolean {
    const { req } = w;
    const obj = req.def.convert ? req.def.convert.fromStorage(raw) : raw;
    if (req.labels && !matches(req.labels, obj.metadata?.labels)) return false;
    if (req.fields && !fieldMatches(req.fields, (f) => fieldValue(req.def, obj, f))) return false;
    return true;
  }

  private emit(w: Watcher, type: string, raw: Obj, rev: number | undefined): void {
    const { req } = w;
    const obj = req.def.convert ? req.def.convert.fromStorage(raw) : raw;
    if (type === "ADDED" && rev === undefined && !this.selected(w, raw)) return;
    let out: Obj;
    if (req.shape.shape === "Table") {
      out = toTable(req.def, [obj], this.ctx(), {
        includeObject: req.includeObject,
        noHeaders: w.headersSent,
        version: req.shape.version,
        listMeta: { resourceVersion: obj.metadata.resourceVersion },
      });
      w.headersSent = true;
    } else if (req.shape.shape === "PartialObjectMetadata" || req.shape.shape === "PartialObjectMetadataList") {
      out = partialMetadata(obj, req.shape.version);
    } else out = obj;
    this.write(w, { type, object: out });
  }

  private bookmark(w: Watcher, annotations?: Record<string, string>): void {
    const { def } = w.req;
    this.write(w, {
      type: "BOOKMARK",
      object: {
        kind: def.kind,
        apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
        metadata: { resourceVersion: String(this.store.rev), ...(annotations ? { annotations } : {}) },
      },
    });
  }

  private write(w: Watcher, event: Obj): void {
    if (w.closed) return;
    w.writer.write(encoder.encode(JSON.stringify(event) + "\n")).catch(() => this.close(w));
  }

  private close(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    if (w.timer) clearTimeout(w.timer);
    this.watchers.delete(w);
    w.writer.close().catch(() => {});
    if (this.watchers.size === 0 && this.bookmarkTimer) {
      clearInterval(this.bookmarkTimer);
      this.bookmarkTimer = undefined;
    }
  }

  /** Close every watch (the session is being wiped). */
  closeAll(): void {
    for (const w of [...this.watchers]) this.close(w);
  }

  private ensureBookmarks(): void {
    this.bookmarkTimer ??= setInterval(() => {
      for (const w of this.watchers) if (w.req.bookmarks) this.bookmark(w);
    }, BOOKMARK_EVERY_MS);
  }
}
