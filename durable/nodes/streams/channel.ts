// The exec, attach and port-forward streams' sockets: the streams the cluster can end, and the
// pacing of what they send. The channel protocol itself is durable/protocol/channels.ts.
import { PacedSender } from "./paced";
import type { EndStatus } from "../../protocol/channels";

export {
  STDIN,
  STDOUT,
  STDERR,
  ERROR,
  RESIZE,
  CLOSE,
  EXEC_PROTOCOLS,
  type ExecProtocol,
  offeredProtocols,
  negotiate,
  frame,
  unframe,
  type ExecResult,
  exitStatus,
  type EndStatus,
  endPayload,
  messageBytes,
  onMessages,
} from "../../protocol/channels";

/** A stream the cluster can end: the client is told why, then the socket closes normally. */
export interface Endable {
  end(status: EndStatus): void;
}

/** The streams open on a cluster; each leaves the set when its socket closes. */
export class OpenStreams {
  private readonly open = new Set<Endable>();

  track(stream: Endable, ws: Pick<WebSocket, "addEventListener">): void {
    this.open.add(stream);
    ws.addEventListener("close", () => this.open.delete(stream));
  }

  endAll(status: EndStatus): void {
    for (const s of [...this.open]) {
      this.open.delete(s);
      try {
        s.end(status);
      } catch (e) {
        console.error("ending a stream:", e);
      }
    }
  }
}

/** How long output is held back for clients that need it (see ChannelSocket). */
export const STREAM_SETTLE_MS = 20;

/** kubectl 1.34 and newer register their streams before reading (kubernetes#131189); others need the settle. */
export function settleFor(userAgent: string | null): number {
  const m = /^kubectl\/v1\.(\d+)\./.exec(userAgent ?? "");
  return m && Number(m[1]) >= 34 ? 0 : STREAM_SETTLE_MS;
}

/**
 * The server end of an exec/attach socket. client-go up to 1.33 starts reading frames as soon as
 * the upgrade completes but registers its streams just after: a frame arriving in between is
 * dropped ("Unknown stream id 1, discarding message") and an early close fails the command ("closed
 * all streams"). A real API server never answers that fast (it dials the kubelet first), so for
 * such clients output and close are held back for `settleMs`, in order.
 */
export class ChannelSocket {
  private held?: (() => void)[];
  private readonly paced: PacedSender;

  constructor(
    private readonly ws: WebSocket,
    settleMs: number,
  ) {
    this.paced = new PacedSender(ws);
    if (settleMs <= 0) return;
    this.held = [];
    setTimeout(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const f of held) f();
    }, settleMs);
  }

  send(data: Uint8Array): void {
    if (this.held) return void this.held.push(() => this.paced.frame(data));
    this.paced.frame(data);
  }

  close(code: number, reason: string): void {
    this.run(() => this.ws.close(code, reason));
  }

  addEventListener: WebSocket["addEventListener"] = (...args: Parameters<WebSocket["addEventListener"]>) =>
    this.ws.addEventListener(...args);

  private run(f: () => void): void {
    if (this.held) return void this.held.push(() => this.paced.run(f));
    this.paced.run(f);
  }
}
