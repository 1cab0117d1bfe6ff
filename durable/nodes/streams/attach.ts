// pods/attach: the container's own process, as the kubelet hands it to containerd's
// ContainerIO.Attach. The client gets what the process writes from now on (no history: hence
// kubectl's "If you don't see a command prompt, try pressing enter."), stdin goes to the process when
// the container has `stdin: true` (else it is ignored), and the stream ends with a Success status when
// the process exits — the exit code is the pod's to tell (kubectl run -i reads it there).
import type { Obj } from "../../resources/types";
import { followLog, type LogReader } from "../podlog";
import { containerRun, readsStdin } from "../runtime/container";
import type { ContainerStdio, StdinProcess } from "../stdio";
import type { ShellContext } from "../../shell/types";
import type { ClusterReader } from "../runtime/network";
import {
  CLOSE,
  ERROR,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  endPayload,
  exitStatus,
  frame,
  onMessages,
  type ChannelSocket,
  type EndStatus,
  type ExecProtocol,
} from "./channel";

export interface AttachDeps {
  logs: LogReader;
  stdio: ContainerStdio;
  reader: ClusterReader;
  /** The pod as it is now (undefined once deleted). */
  get(ns: string, name: string): Obj | undefined;
  context(pod: Obj, container: Obj): ShellContext;
  now(): number;
}

const startedAt = (pod: Obj, c: Obj) =>
  Date.parse(
    (
      [
        ...(pod.status?.containerStatuses ?? []),
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.ephemeralContainerStatuses ?? []),
      ] as Obj[]
    ).find((s) => s.name === c.name)?.state?.running?.startedAt,
  );

/**
 * The kubelet's GetAttach error when the runtime has no running container of that name — its
 * process may have ended before the kubelet reported it — else undefined.
 */
export function attachError(pod: Obj, c: Obj, deps: AttachDeps): string | undefined {
  const since = startedAt(pod, c);
  const now = deps.now();
  const exit = readsStdin(c) ? deps.stdio.exitOf(pod, c, since) : containerRun(pod, c, since, deps.reader).exit;
  if (Number.isNaN(since) || (exit && exit.at <= now))
    return `container ${c.name} not found in pod ${pod.metadata.name}_${pod.metadata.namespace}`;
  return undefined;
}

export class AttachSession {
  private done = false;
  private readonly stops: (() => void)[] = [];
  private proc?: StdinProcess;
  private readonly decoder = new TextDecoder();
  /** The container's tty, not the request's: whether the process has a terminal was fixed at its start. */
  private readonly tty: boolean;

  constructor(
    private readonly ws: ChannelSocket,
    private readonly protocol: ExecProtocol,
    private readonly pod: Obj,
    private readonly container: Obj,
    private readonly opts: { stdin: boolean; stdout: boolean; stderr: boolean },
    private readonly deps: AttachDeps,
  ) {
    this.tty = !!container.tty;
  }

  start(): void {
    const { pod, container: c, deps } = this;
    onMessages(
      this.ws,
      (bytes) => this.onMessage(bytes),
      (e) => {
        console.error("attach:", e);
        this.finish();
      },
    );
    this.ws.addEventListener("close", () => {
      this.stdinEnd();
      this.cleanup();
    });
    if (readsStdin(c)) {
      this.proc = deps.stdio.process(pod, c, startedAt(pod, c), () => deps.context(pod, c));
      if (!this.proc) return this.finish();
      this.stops.push(this.proc.attach({ out: (stream, text) => this.write(stream, text), exit: () => this.finish() }));
    }
    const eol = this.tty ? "\r\n" : "\n";
    this.stops.push(
      followLog({
        logs: deps.logs,
        pod,
        container: c.name,
        cursor: { at: deps.now(), n: 0 },
        get: () => deps.get(pod.metadata.namespace, pod.metadata.name),
        now: deps.now,
        emit: (lines) => {
          for (const l of lines) this.write(l.stream === "stderr" ? "stderr" : "stdout", l.text + eol);
          return true;
        },
        end: () => this.finish(),
      }),
    );
  }

  /** Output on the stream the client asked for; with a tty everything is one terminal. */
  private write(stream: "stdout" | "stderr", text: string): void {
    if (this.done || !text) return;
    const channel = this.tty || stream === "stdout" ? STDOUT : STDERR;
    if (channel === STDOUT ? !this.opts.stdout : !this.opts.stderr) return;
    this.ws.send(frame(channel, text));
  }

  private onMessage(msg: Uint8Array): void {
    if (this.done || !msg.length) return;
    const [channel, data] = [msg[0], msg.subarray(1)];
    if (channel === STDIN) {
      if (!this.opts.stdin || !this.container.stdin) return;
      const text = this.decoder.decode(data, { stream: true });
      if (this.proc) this.proc.write(text);
      // A terminal's Ctrl-C is SIGINT to its foreground process: a command that does not read its
      // stdin (a load generator's loop) ends with 128+2, as a shell killed by SIGINT does.
      else if (this.tty && text.includes("\x03")) {
        this.write("stdout", "^C");
        this.deps.stdio.recordExit(this.pod, this.container, {
          code: 130,
          at: this.deps.now(),
          startedAt: startedAt(this.pod, this.container),
        });
      }
    } else if (channel === CLOSE && data[0] === STDIN) this.stdinEnd();
    else if (channel === RESIZE) return; // the simulated terminal has no size
  }

  /**
   * The client's stdin ended (or the client left). containerd: with stdinOnce and no tty, the
   * container's stdin is closed (a shell reading it exits); otherwise this client is detached.
   */
  private stdinEnd(): void {
    if (this.done || !this.opts.stdin || !this.container.stdin) return;
    if (this.container.stdinOnce && !this.tty) this.proc?.close();
    else this.finish();
  }

  private cleanup(): void {
    this.done = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  /** The process exited or this client was detached: Success on the error channel, then close. */
  private finish(): void {
    this.close(exitStatus({ code: 0, argv: [] }, this.protocol));
  }

  /** The cluster is going away: why, on the error channel, then a normal close. */
  end(status: EndStatus): void {
    this.close(endPayload(status, this.protocol));
  }

  private close(errorChannel: string): void {
    if (this.done) return;
    this.cleanup();
    try {
      if (errorChannel) this.ws.send(frame(ERROR, errorChannel));
      this.ws.close(1000, "");
    } catch {}
  }
}
