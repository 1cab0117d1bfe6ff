// The workstation terminal: xterm.js on the session's terminal socket (docs/terminal.md), the channel
// protocol kubectl exec speaks. A shell that exits, or a socket that drops, offers a new login; the
// shell's directory, variables, history and files carry over, as they live in the cluster.
import { bearerProtocol, type Session } from "./api";
import type { EditRequest } from "./editor";

const STDIN = 0;
const STDOUT = 1;
const ERROR = 3;
const RESIZE = 4;
const encoder = new TextEncoder();

function framed(channel: number, text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

/** The session's terminal socket (its token in the subprotocol, never in the URL). */
function dial(s: Session): WebSocket {
  const url = new URL(`/api/sessions/${s.id}/terminal`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url, ["v5.channel.k8s.io", bearerProtocol(s.token)]);
  socket.binaryType = "arraybuffer";
  return socket;
}

export interface TerminalHandle {
  focus(): void;
  fit(): void;
  /** Type `text` at the prompt as if the learner had, each line ended with Enter. */
  type(text: string): void;
}

/** Open the terminal in `el`; `stillThere` says whether the session lives (a dropped socket reconnects while it does). */
export async function openTerminal(el: HTMLElement, s: Session, stillThere: () => Promise<boolean>): Promise<TerminalHandle> {
  // The socket is dialled before xterm.js has loaded: the login starts while the code arrives, and
  // what it says first waits here.
  const first = dial(s);
  const early: MessageEvent[] = [];
  const hold = (m: MessageEvent) => void early.push(m);
  first.addEventListener("message", hold);
  const { Terminal, FitAddon } = await import("./xterm");
  const term = new Terminal({
    // A blinking cursor is xterm.js redrawing it twice a second: an idle tab would not be idle.
    cursorBlink: false,
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: { background: "#0f131a", foreground: "#e3e7ee", cursor: "#6f9bff", selectionBackground: "#2e3d5c" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  fit.fit();

  let ws: WebSocket | undefined;
  let waitingForEnter = false;
  const decoder = new TextDecoder();
  const send = (channel: number, text: string) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(framed(channel, text));
  };
  const sendSize = () => send(RESIZE, JSON.stringify({ Width: term.cols, Height: term.rows }));

  const connect = (socket = dial(s), held: MessageEvent[] = []) => {
    ws = socket;
    let ended = false;
    if (socket.readyState === WebSocket.OPEN) sendSize();
    else socket.addEventListener("open", sendSize);
    const onMessage = (m: MessageEvent) => {
      // Text messages are the editor pane's (docs/terminal.md); binary ones the channels.
      if (typeof m.data === "string") return void edit(socket, m.data);
      const data = new Uint8Array(m.data as ArrayBuffer);
      if (data[0] === STDOUT) term.write(decoder.decode(data.subarray(1), { stream: true }));
      else if (data[0] === ERROR) ended = true;
    };
    for (const m of held) onMessage(m);
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", async () => {
      if (ws !== socket) return;
      ws = undefined;
      if (!(await stillThere())) return;
      if (ended) {
        term.write("\r\n\x1b[2m[the shell ended — press Enter to log in again]\x1b[0m\r\n");
        waitingForEnter = true;
      } else setTimeout(connect, 1000); // the network dropped: the files and history are still there
    });
  };

  /** `{"type":"edit",…}`: open the file over the terminal; answer with what was saved. */
  const edit = async (socket: WebSocket, text: string) => {
    let m: { type?: string; id?: number } & EditRequest;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type !== "edit") return;
    const { openEditor } = await import("./editor");
    const content = await openEditor(el.parentElement ?? el, m).catch(() => undefined);
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "edited", id: m.id, content: content ?? null }));
    term.focus();
  };

  term.onData((d) => {
    if (waitingForEnter) {
      if (d === "\r") {
        waitingForEnter = false;
        connect();
      }
      return;
    }
    send(STDIN, d);
  });
  term.onResize(sendSize);
  new ResizeObserver(() => fit.fit()).observe(el);
  first.removeEventListener("message", hold);
  connect(first, early);
  return {
    focus: () => term.focus(),
    fit: () => fit.fit(),
    type: (text) => send(STDIN, `${text.replace(/\n+$/, "")}\n`.replace(/\n/g, "\r")),
  };
}
