// The terminal's sockets (GET /api/sessions/:id/terminal): kubectl exec's channel protocol
// (v5.channel.k8s.io: stdin 0, stdout 1, error 3, resize 4) between xterm.js in the page and a login
// of the workstation. Sockets are accepted with the hibernation API, so an idle tab costs nothing; a
// socket's login id is in its attachment, and a login woken from hibernation resumes the state its
// last prompt saved.
import { ApiError, statusResponse } from "../api/status";
import { ERROR, exitStatus, frame, RESIZE, STDIN, STDOUT, type EndStatus } from "../protocol/channels";
import type { Login, Workstation } from ".";

export const TERMINAL_TAG = "terminal";
export const TERMINAL_PROTOCOL = "v5.channel.k8s.io";

interface Attachment {
  terminal: string;
}

export class TerminalSockets {
  private readonly logins = new Map<string, { login: Login; decoder: TextDecoder }>();
  /** Files open in a page's editor pane, by request id: what resolves when it is saved or closed. */
  private readonly edits = new Map<number, (text: string | undefined) => void>();
  private nextEdit = 1;

  constructor(
    private readonly state: DurableObjectState,
    private readonly workstation: () => Workstation,
  ) {}

  /** The upgrade: a new login on a hibernatable socket. */
  accept(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return statusResponse(new ApiError(400, "BadRequest", "the terminal is a WebSocket: send an Upgrade: websocket request"));
    const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
    if (!offered.includes(TERMINAL_PROTOCOL))
      return statusResponse(
        new ApiError(400, "BadRequest", `the terminal speaks the ${TERMINAL_PROTOCOL} subprotocol; offer it in Sec-WebSocket-Protocol`),
      );
    const [client, server] = Object.values(new WebSocketPair());
    this.state.acceptWebSocket(server, [TERMINAL_TAG]);
    const id = crypto.randomUUID();
    server.serializeAttachment({ terminal: id } satisfies Attachment);
    this.open(server, id, true);
    return new Response(null, { status: 101, webSocket: client, headers: { "sec-websocket-protocol": TERMINAL_PROTOCOL } });
  }

  isTerminal(ws: WebSocket): boolean {
    return this.state.getTags(ws).includes(TERMINAL_TAG);
  }

  /** A login for the socket: new (with its first prompt), or taken up again after hibernation. */
  private open(ws: WebSocket, id: string, fresh: boolean) {
    const workstation = this.workstation();
    const io = {
      out: (text: string) => send(ws, STDOUT, text),
      exit: (code: number) => {
        this.logins.delete(id);
        send(ws, ERROR, exitStatus({ code, argv: ["bash"] }, TERMINAL_PROTOCOL));
        ws.close(1000, "");
      },
      // The editor pane speaks in text messages beside the binary channels (docs/terminal.md).
      edit: (file: { path: string; content: string; keys: "vi" | "nano" }) =>
        new Promise<string | undefined>((resolve) => {
          const request = this.nextEdit++;
          this.edits.set(request, resolve);
          try {
            ws.send(JSON.stringify({ type: "edit", id: request, ...file }));
          } catch {
            this.edits.delete(request);
            resolve(undefined);
          }
        }),
    };
    const login = fresh ? workstation.login(id, io) : workstation.resume(id, io);
    const entry = { login, decoder: new TextDecoder() };
    this.logins.set(id, entry);
    return entry;
  }

  message(ws: WebSocket, message: ArrayBuffer | string): void {
    const { terminal: id } = ws.deserializeAttachment() as Attachment;
    const entry = this.logins.get(id) ?? this.open(ws, id, false);
    if (typeof message === "string") {
      this.edited(message);
      return;
    }
    const bytes = new Uint8Array(message);
    if (!bytes.length) return;
    const data = bytes.subarray(1);
    if (bytes[0] === STDIN) entry.login.feed(entry.decoder.decode(data, { stream: true }));
    else if (bytes[0] === RESIZE) {
      try {
        const { Width, Height } = JSON.parse(new TextDecoder().decode(data));
        entry.login.resize(Number(Width), Number(Height));
      } catch {}
    }
  }

  /** `{"type":"edited","id":N,"content":"…"}` (saved) or `"content":null` (closed unsaved). */
  private edited(message: string): void {
    let m: { type?: string; id?: number; content?: string | null };
    try {
      m = JSON.parse(message);
    } catch {
      return;
    }
    const resolve = m.type === "edited" && typeof m.id === "number" ? this.edits.get(m.id) : undefined;
    if (!resolve) return;
    this.edits.delete(m.id!);
    resolve(typeof m.content === "string" ? m.content : undefined);
  }

  closed(ws: WebSocket): void {
    const { terminal: id } = ws.deserializeAttachment() as Attachment;
    this.logins.get(id)?.login.hangup();
    this.logins.delete(id);
  }

  /** The cluster is going away: every terminal is told why and closed. */
  endAll(status: EndStatus): void {
    for (const ws of this.state.getWebSockets(TERMINAL_TAG)) {
      try {
        send(ws, STDOUT, `\r\n${status.message}\r\n`);
        send(ws, ERROR, JSON.stringify({ metadata: {}, ...status }));
        ws.close(1000, "");
      } catch {}
    }
    this.logins.clear();
  }
}

/** stdout in frames of at most 32 KiB. */
function send(ws: WebSocket, channel: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let off = 0; off < bytes.length || off === 0; off += 32 << 10) ws.send(frame(channel, bytes.subarray(off, off + (32 << 10))));
  } catch {
    // the socket closed meanwhile
  }
}
