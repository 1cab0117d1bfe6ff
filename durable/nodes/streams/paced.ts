// One WebSocket message per PACE_MS. Messages sent together leave the local TLS layer as
// one record, and a client that polls its raw socket before reading the next frame (the Python
// client's WSClient.update, in the python3-kubernetes Debian ships) never sees the frames after
// the first of that record: it waits for bytes the kernel no longer has, and hangs with the exit
// status and the close unread. The real API server writes each frame as its own TLS record. So
// frames are sent in order with a short gap, and channel frames that queue up meanwhile on the
// same channel travel as one (a channel is a byte stream: where a frame ends carries no meaning).

/** Long enough for the previous message to be flushed as a record of its own. */
export const PACE_MS = 10;
/** Merged channel frames stay below this size. */
const MERGE_LIMIT = 512 * 1024;

type Item = { frame: Uint8Array } | { run: () => void };

export class PacedSender {
  private readonly queue: Item[] = [];
  private busy = false;

  constructor(private readonly ws: { send(message: Uint8Array): void }) {}

  /** Send a channel frame (its first byte is the channel). */
  frame(bytes: Uint8Array): void {
    const last = this.queue.at(-1);
    if (last && "frame" in last && last.frame[0] === bytes[0] && last.frame.length + bytes.length - 1 <= MERGE_LIMIT) {
      const merged = new Uint8Array(last.frame.length + bytes.length - 1);
      merged.set(last.frame);
      merged.set(bytes.subarray(1), last.frame.length);
      last.frame = merged;
      return;
    }
    this.push({ frame: bytes });
  }

  /** Anything else that must keep its place in the order (a close, a text message). */
  run(f: () => void): void {
    this.push({ run: f });
  }

  private push(item: Item): void {
    this.queue.push(item);
    if (!this.busy) this.next();
  }

  private next(): void {
    const item = this.queue.shift();
    if (!item) {
      this.busy = false;
      return;
    }
    try {
      if ("frame" in item) this.ws.send(item.frame);
      else item.run();
    } catch {
      // the client closed the socket: what follows fails the same way, harmlessly
    }
    this.busy = true;
    setTimeout(() => this.next(), PACE_MS);
  }
}
