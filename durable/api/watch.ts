// Watch: newline-delimited WatchEvents streamed from a resourceVersion, following live commits.
//
// A watch first catches up from the log (the current objects as ADDED events, or the changes after
// its resourceVersion), one page at a time: each page is read, written, and waited on until the
// client has taken it, so the first event leaves at once and memory holds one page however long
// the history. Live commits meanwhile are not pushed to it; they are in the log, and the catch-up
// reads them in order. Once a read finds nothing newer, the watcher follows live commits.
import type { Ctx, Obj, ResourceDef } from "../resources/types";
import { Op, TooOldError, type Change, type Page, type Store } from "../store/store";
import { fieldValue, keyOf, storagePrefix, tooLargeResourceVersion } from "./registry";
import { fieldMatches, matches, type FieldRequirement, type Requirement } from "./selectors";
import { ApiError, internal } from "./status";
import { partialMetadata, toTable, type IncludeObject, type Negotiated } from "./table";

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  /** Only this object (fieldSelector metadata.name=… is how kubectl asks for one). */
  labels?: Requirement[];
  fields?: FieldRequirement[];
  /** The parsed resourceVersion (0 for none or "0": start from the current state). */
  resourceVersion?: bigint;
  bookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  shape: Negotiated;
  includeObject?: IncludeObject;
}

/** Where a watch's events go: the body of a streaming response (one JSON event a line), or a
 *  WebSocket (one JSON event a text message, as the API server frames a watch over WebSocket). */
interface Sink {
  send(event: Obj): void;
  /** Resolves when what was sent has been taken; rejects once the client is gone. */
  ready(): Promise<void>;
  close(): void;
}

/**
 * The Durable Object's hibernatable WebSockets. A watch over a WebSocket keeps its request URL with
 * the socket, so it outlives the object's hibernation: an open browser tab watching an idle cluster
 * holds no compute, and the first commit after a wake-up reaches it.
 */
export interface SocketHost {
  accept(ws: WebSocket, watch: SocketWatch): void;
  /** The watch sockets still open, with what was kept (after a wake-up: the ones that hibernated). */
  sockets(): { ws: WebSocket; watch: SocketWatch }[];
}

/** What a watch socket keeps across hibernation: the request it was opened with. */
export interface SocketWatch {
  url: string;
  accept: string | null;
}

/** The subprotocol a WebSocket watch answers with: the client's first, other than the one that
 *  carries its bearer token (which is not echoed back). */
function chosenProtocol(offered: string | null): string | undefined {
  const all = (offered ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return all.find((p) => !p.startsWith("base64url.bearer.authorization.k8s.io.")) ?? all[0];
}

function streamSink(writer: WritableStreamDefaultWriter<Uint8Array>, onGone: () => void): Sink {
  return {
    send: (event) => void writer.write(encoder.encode(JSON.stringify(event) + "\n")).catch(onGone),
    ready: () => writer.ready,
    close: () => void writer.close().catch(() => {}),
  };
}

function socketSink(ws: WebSocket, onGone: () => void): Sink {
  return {
    send: (event) => {
      try {
        ws.send(JSON.stringify(event));
      } catch {
        onGone();
      }
    },
    ready: async () => {},
    close: () => {
      try {
        ws.close(1000, "");
      } catch {}
    },
  };
}

interface Watcher {
  req: WatchRequest;
  prefix: string;
  sink: Sink;
  socket?: WebSocket;
  headersSent: boolean;
  lastRev: number;
  /** Still catching up from the log: live commits are left for the catch-up to read. */
  replaying: boolean;
  timer?: ReturnType<typeof setTimeout>;
  closed: boolean;
}

const encoder = new TextEncoder();
const BOOKMARK_EVERY_MS = 60_000;
/** One read of the catch-up: a few MB at most, so the first event leaves in milliseconds. */
const PAGE: Page = { rows: 100, bytes: 4 * 1024 * 1024 };
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WatchHub {
  private watchers = new Set<Watcher>();
  private bySocket = new Map<WebSocket, Watcher>();
  private bookmarkTimer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: Store,
    private readonly ctx: () => Ctx,
    private readonly host?: SocketHost,
  ) {
    store.subscribe((changes) => this.publish(changes));
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Start a watch; returns the streaming response. */
  open(req: WatchRequest): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const w = this.watcher(req, (gone) => streamSink(writable.getWriter(), gone));
    const response = this.response(readable, req);
    this.start(w);
    return response;
  }

  /** Start a watch over a WebSocket (the upgrade `request`, kept as `watch`); returns the 101 answer. */
  openSocket(req: WatchRequest, request: Request, watch: SocketWatch): Response {
    if (!this.host) throw new ApiError(400, "BadRequest", "watch over a WebSocket is not available here");
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.host.accept(server, watch);
    const w = this.watcher(req, (gone) => socketSink(server, gone), server);
    this.start(w);
    const protocol = chosenProtocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "sec-websocket-protocol": protocol } : {} });
  }

  /**
   * Take back the watch sockets that survived a hibernation: they follow live commits from now on
   * (no commit can have happened while the object slept). `parse` turns what a socket kept back
   * into its watch; one that no longer parses closes the socket.
   */
  restoreSockets(parse: (watch: SocketWatch) => WatchRequest): void {
    for (const { ws, watch } of this.host?.sockets() ?? []) {
      if (this.bySocket.has(ws)) continue;
      let req: WatchRequest | undefined;
      try {
        req = parse(watch);
      } catch {}
      const w = req && this.watcher(req, (gone) => socketSink(ws, gone), ws);
      if (!w) {
        socketSink(ws, () => {}).close();
        continue;
      }
      w.replaying = false;
      this.watchers.add(w);
    }
  }

  /** The client closed a watch socket. */
  socketClosed(ws: WebSocket): void {
    const w = this.bySocket.get(ws);
    if (w) this.close(w);
  }

  private watcher(req: WatchRequest, sink: (gone: () => void) => Sink, socket?: WebSocket): Watcher {
    const w: Watcher = {
      req,
      prefix: storagePrefix(req.def) + (req.def.namespaced && req.namespace ? `${req.namespace}/` : ""),
      sink: sink(() => this.close(w)),
      socket,
      headersSent: false,
      lastRev: this.store.rev,
      replaying: !req.def.virtual,
      closed: false,
    };
    if (socket) this.bySocket.set(socket, w);
    return w;
  }

  private start(w: Watcher): void {
    const { req } = w;
    const rv = req.resourceVersion ?? 0n;
    // The cacher's answer to a revision not reached yet, as a watch answers errors past its
    // parameters: one ERROR event.
    if (!req.def.virtual && rv > BigInt(this.store.rev)) {
      this.fail(w, tooLargeResourceVersion(rv, this.store.rev).toStatus());
      return;
    }
    if (req.timeoutSeconds && req.timeoutSeconds > 0) {
      w.timer = setTimeout(() => this.close(w), Math.min(req.timeoutSeconds * 1000, MAX_TIMER_MS));
    }
    this.watchers.add(w);
    if (req.bookmarks) this.ensureBookmarks();
    if (req.def.virtual) {
      for (const raw of req.def.virtual(this.ctx())) this.emit(w, "ADDED", raw, undefined);
      if (req.sendInitialEvents) this.bookmark(w, { "k8s.io/initial-events-end": "true" });
    } else {
      void this.catchUp(w, rv === 0n || req.sendInitialEvents ? undefined : Number(rv));
    }
  }

  /**
   * Bring a watcher up to the newest revision from the log: the objects as of now as ADDED events
   * when `from` is undefined, then every change after that point (or after `from`), a page at a
   * time. The first page is read before open() returns. Ends with the watcher following live
   * commits, or with a 410 ERROR event when compaction overtakes it.
   */
  private async catchUp(w: Watcher, from: number | undefined): Promise<void> {
    try {
      let cursor = from ?? this.store.rev;
      if (from === undefined) {
        let after: string | undefined;
        for (;;) {
          const objs = this.store.list(w.prefix, { at: cursor, after, limit: PAGE.rows, bytes: PAGE.bytes });
          if (objs.length === 0) break;
          for (const raw of objs) this.emit(w, "ADDED", raw, undefined);
          const last = objs[objs.length - 1].metadata;
          after = keyOf(w.req.def, last.namespace, last.name);
          if (!(await this.drained(w))) return;
        }
        if (w.req.sendInitialEvents) this.bookmark(w, { "k8s.io/initial-events-end": "true" }, cursor);
      }
      w.lastRev = cursor;
      const withPrev = !!(w.req.labels?.length || w.req.fields?.length);
      for (;;) {
        const changes = this.store.changesSince(w.prefix, cursor, PAGE, withPrev);
        if (changes.length === 0) break;
        for (const c of changes) this.deliver(w, c);
        cursor = changes[changes.length - 1].rev;
        if (!(await this.drained(w))) return;
      }
      // Nothing newer under the prefix: every later commit reaches this watcher live.
      w.lastRev = Math.max(w.lastRev, this.store.rev);
      w.replaying = false;
    } catch (e) {
      if (!(e instanceof TooOldError)) console.error("watch catch-up failed", e);
      this.fail(w, e instanceof TooOldError ? new ApiError(410, "Expired", e.message).toStatus() : internal(String(e)).toStatus());
    }
  }

  /** Wait until the client has taken what was written, then let other work run; false once the
   *  watch is closed. */
  private async drained(w: Watcher): Promise<boolean> {
    try {
      await w.sink.ready();
    } catch {
      this.close(w);
    }
    await new Promise((r) => setTimeout(r, 0));
    return !w.closed;
  }

  /** End a watch with one ERROR event. */
  private fail(w: Watcher, status: Obj): void {
    this.write(w, { type: "ERROR", object: status });
    this.close(w);
  }

  private response(readable: ReadableStream, _req: WatchRequest): Response {
    // A watch stream is `application/json` whatever the shape of its objects (client-go picks its
    // stream decoder by this media type).
    return new Response(readable, {
      headers: { "content-type": "application/json", "cache-control": "no-cache, private", "content-encoding": "identity" },
    });
  }

  private publish(changes: Change[]): void {
    for (const w of this.watchers) {
      if (w.replaying) continue; // the catch-up reads these from the log, in order
      for (const c of changes) if (c.key.startsWith(w.prefix)) this.deliver(w, c);
    }
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

  private bookmark(w: Watcher, annotations?: Record<string, string>, rev = this.store.rev): void {
    const { def } = w.req;
    this.write(w, {
      type: "BOOKMARK",
      object: {
        kind: def.kind,
        apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
        metadata: { resourceVersion: String(rev), ...(annotations ? { annotations } : {}) },
      },
    });
  }

  private write(w: Watcher, event: Obj): void {
    if (!w.closed) w.sink.send(event);
  }

  private close(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    if (w.timer) clearTimeout(w.timer);
    this.watchers.delete(w);
    if (w.socket) this.bySocket.delete(w.socket);
    w.sink.close();
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
      // A watcher still catching up has not seen everything up to the newest revision.
      for (const w of this.watchers) if (w.req.bookmarks && !w.replaying) this.bookmark(w);
    }, BOOKMARK_EVERY_MS);
  }
}
