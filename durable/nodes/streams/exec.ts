// pods/exec and pods/attach over WebSocket (kubectl 1.30+; client-go's websocket executor): the
// API server's checks (pkg/registry/core/pod/strategy.go streamLocation), then the kubelet's
// (container running), then a channel session running the simulated shell.
import type { Obj } from "../../resources/types";
import type { Registry } from "../../api/registry";
import { ApiError, badRequest, statusResponse } from "../../api/status";
import { queryBool } from "../../api/query";
import { byPlural } from "../../resources";
import { execRealtime, InteractiveShell, PipeShell, type RealtimeJob } from "../../shell";
import { imageBehaviour, inImage } from "../runtime/images";
import type { Input } from "../../shell/interp";
import type { ShellContext, ShellIO } from "../../shell/types";
import { AttachSession, attachError, type AttachDeps } from "./attach";
import {
  ChannelSocket,
  CLOSE,
  ERROR,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  endPayload,
  exitStatus,
  frame,
  negotiate,
  offeredProtocols,
  onMessages,
  settleFor,
  type EndStatus,
  type ExecProtocol,
  type ExecResult,
  type OpenStreams,
} from "./channel";

export interface ExecDeps {
  registry: Registry;
  context(pod: Obj, container: Obj): ShellContext;
  /** What attach follows: the container's output and its stdin-driven process. */
  attach: Omit<AttachDeps, "context">;
  /** Where each session is kept until it closes, so the cluster can end it. */
  streams: OpenStreams;
}

const SHELLS = ["sh", "bash", "ash"];
const FRAME = 64 * 1024;
const base = (p: string) => p.replace(/^.*\//, "");

/** Does the image have this program (the catalogue's programs: busybox has sh but no bash or curl;
 *  pause has nothing)? Missing, the runtime's error follows. */
export const imageHas = (image: string, program: string): boolean => inImage(image, program);

/** The runtime's error for a program the image does not have (containerd + runc, as the kubelet relays it). */
export function notFoundInImage(program: string, seed: string): string {
  let h = 2166136261;
  const hex: string[] = [];
  for (let i = 0; i < 64; i++) {
    h = Math.imul(h ^ (seed.charCodeAt(i % seed.length) + i), 16777619) >>> 0;
    hex.push((h & 15).toString(16));
  }
  return `error executing command in container: failed to exec in container: failed to start exec "${hex.join("")}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`;
}

/** A kubelet error: plain text, as kubectl prints it after "unable to upgrade connection: ". */
const kubeletError = (message: string, status = 500) =>
  new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

/** streamLocation's checks, then the kubelet's; returns the pod and container, or the error response. */
export function locate(
  registry: Registry,
  ns: string,
  name: string,
  containerName: string | null,
): { pod: Obj; container: Obj } | Response {
  const pod = registry.get(byPlural("pods")!, ns, name);
  const containers: Obj[] = pod.spec?.containers ?? [];
  const inits: Obj[] = pod.spec?.initContainers ?? [];
  const all = [...containers, ...inits, ...(pod.spec?.ephemeralContainers ?? [])];
  let cname = containerName ?? "";
  if (!cname) {
    if (containers.length === 1) cname = containers[0].name;
    else if (!containers.length) throw badRequest(`a container name must be specified for pod ${name}`);
    else {
      let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(" ")}]`;
      if (inits.length) msg += ` or one of the init containers: [${inits.map((c) => c.name).join(" ")}]`;
      throw badRequest(msg);
    }
  } else if (!all.some((c) => c.name === cname)) throw badRequest(`container ${cname} is not valid for pod ${name}`);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const statuses: Obj[] = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  const running = statuses.find((s) => s.name === cname)?.state?.running;
  if (!running || (pod.metadata.deletionTimestamp && pod.status?.phase !== "Running"))
    return kubeletError(`container not found (${JSON.stringify(cname)})`);
  return { pod, container: all.find((c) => c.name === cname)! };
}

const flag = (url: URL, name: string) => queryBool(url.searchParams, name);

/** The exec/attach handler: WebSocket upgrade in, channel session out. SPDY (kubectl < 1.30) gets a clear error. */
export function execHandler(deps: ExecDeps, kind: "exec" | "attach") {
  return (req: Request, _def: unknown, ns: string | undefined, name: string, url: URL): Response => {
    if (req.method !== "GET" && req.method !== "POST") throw new ApiError(405, "MethodNotAllowed", `${req.method} is not supported`);
    const argv = url.searchParams.getAll("command");
    if (kind === "exec" && !argv.length) throw badRequest("you must specify at least 1 command");
    const wantStdin = flag(url, "stdin"),
      wantStdout = flag(url, "stdout"),
      wantStderr = flag(url, "stderr"),
      tty = flag(url, "tty");
    if (!wantStdin && !wantStdout && !wantStderr) throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
    const where = locate(deps.registry, ns!, name, url.searchParams.get("container"));
    if (where instanceof Response) return where;

    const upgrade = (req.headers.get("upgrade") ?? "").toLowerCase();
    if (upgrade !== "websocket") {
      const env = kind === "exec" ? "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true" : "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true";
      return statusResponse(
        badRequest(
          `kubeplay serves pods/${kind} over WebSocket only (v5.channel.k8s.io): use kubectl 1.30 or newer, or set ${env} with kubectl 1.29; SPDY streaming is not supported`,
        ),
      );
    }
    const protocol = negotiate(offeredProtocols(req.headers.get("sec-websocket-protocol")));
    if (!protocol)
      throw badRequest(
        `unable to upgrade: no supported subprotocol; supported: v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io`,
      );

    const { pod, container } = where;
    const attach = { ...deps.attach, context: deps.context };
    if (kind === "attach") {
      const gone = attachError(pod, container, attach);
      if (gone) return kubeletError(gone);
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    server.accept();
    const socket = new ChannelSocket(server, settleFor(req.headers.get("user-agent")));
    const session =
      kind === "attach"
        ? new AttachSession(socket, protocol, pod, container, { stdin: wantStdin, stdout: wantStdout, stderr: wantStderr && !tty }, attach)
        : new ExecSession(
            socket,
            protocol,
            { stdin: wantStdin, tty, argv },
            () => deps.context(pod, container),
            container.image ?? "",
            `${pod.metadata.uid}/${container.name}/${Date.now()}`,
          );
    deps.streams.track(session, server);
    session.start();
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": protocol } });
  };
}

/** One exec stream: output on stdout/stderr channels, the end on the error channel, then close. */
export class ExecSession {
  private done = false;
  private shell?: InteractiveShell;
  private pipe?: PipeShell;
  /** The command running (in real time): ended when the client goes away. */
  private job?: RealtimeJob;
  /** What is typed on the terminal of a program that is not a shell (exec -it POD -- CMD). */
  private ttyIn?: Input;
  private stdinBuf = "";
  /** stdin as it came, for programs that read bytes (tar -x of kubectl cp). */
  private stdinBytes: Uint8Array[] = [];
  private decoder = new TextDecoder();
  private readonly io: ShellIO;

  constructor(
    private readonly ws: ChannelSocket,
    private readonly protocol: ExecProtocol,
    private readonly opts: { stdin: boolean; tty: boolean; argv: string[] },
    private readonly context: () => ShellContext,
    private readonly image: string,
    private readonly seed: string,
  ) {
    this.io = {
      stdout: (s) => this.send(STDOUT, s),
      stderr: (s) => this.send(opts.tty ? STDOUT : STDERR, s),
      stdoutBytes: (b) => this.send(STDOUT, b),
    };
  }

  /** Output in frames of at most 64 KiB, as the kubelet's copy buffer sends them. */
  private send(channel: number, data: string | Uint8Array): void {
    if (this.done || !data.length) return;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let off = 0; off < bytes.length; off += FRAME) this.ws.send(frame(channel, bytes.subarray(off, off + FRAME)));
  }

  private finish(result: ExecResult): void {
    this.close(exitStatus(result, this.protocol));
  }

  /** The cluster is going away: why, on the error channel, then a normal close. */
  end(status: EndStatus): void {
    this.close(endPayload(status, this.protocol));
  }

  private close(errorChannel: string): void {
    if (this.done) return;
    if (errorChannel) this.ws.send(frame(ERROR, errorChannel));
    this.done = true;
    try {
      this.ws.close(1000, "");
    } catch {}
  }

  start(): void {
    onMessages(
      this.ws,
      (bytes) => this.onMessage(bytes),
      (e) => {
        console.error("exec:", e);
        this.finish({ internal: String(e) });
      },
    );
    this.ws.addEventListener("close", () => {
      this.onStdinEnd();
      // The client left: as on a node, the process loses its stream and is ended.
      this.job?.cancel();
      this.shell?.hangup();
      this.pipe?.hangup();
      this.done = true;
    });
    const argv = this.opts.argv;
    const program = argv[0];
    if (!imageHas(this.image, program)) return this.finish({ internal: notFoundInImage(program, this.seed) });
    const ctx = this.context();
    const shellOnly = SHELLS.includes(base(program)) && argv.slice(1).every((a) => /^-[il]+$/.test(a));
    const host = { exit: (code: number) => this.finish({ code, argv: this.opts.argv }) };
    if (this.opts.stdin && shellOnly) {
      if (this.opts.tty) {
        this.shell = new InteractiveShell(ctx, { shell: base(program), host });
        this.send(STDOUT, this.shell.banner() + this.shell.prompt());
      } else this.pipe = new PipeShell(ctx, base(program), host);
      return;
    }
    if (this.opts.stdin && this.opts.tty) {
      // A program on a terminal starts now and reads what is typed, line by line (^D ends it).
      this.ttyIn = { text: "", pos: 0, live: { closed: false } };
      const tty: ShellIO = {
        ...this.io,
        stdout: (x) => this.io.stdout(x.replace(/\r?\n/g, "\r\n")),
        stderr: (x) => this.io.stderr(x.replace(/\r?\n/g, "\r\n")),
        stdoutBytes: undefined,
        tty: true,
      };
      return this.run(execRealtime(argv, ctx, tty, this.ttyIn));
    }
    if (this.opts.stdin) return; // run once stdin is complete (cat, wc …)
    this.run(execRealtime(argv, ctx, this.io));
  }

  /** Run a one-shot command in real time; its end ends the stream. */
  private run(job: RealtimeJob): void {
    this.job = job;
    const code = job.start();
    if (code !== undefined) return this.finish({ code, argv: this.opts.argv });
    job.done.then(
      (c) => this.finish({ code: c, argv: this.opts.argv }),
      (e) => {
        console.error("exec:", e);
        this.finish({ internal: String(e) });
      },
    );
  }

  private onMessage(msg: Uint8Array): void {
    if (this.done) return;
    if (!msg.length) return;
    const [channel, data] = [msg[0], msg.subarray(1)];
    if (channel === STDIN) {
      if (!this.shell && !this.pipe) this.stdinBytes.push(data.slice());
      this.onStdin(this.decoder.decode(data, { stream: true }));
    } else if (channel === CLOSE && data[0] === STDIN) this.onStdinEnd();
    else if (channel === RESIZE) return; // terminal size: the simulated programs do not care
  }

  private onStdin(text: string): void {
    if (this.shell) return void this.shell.feed(text, this.io);
    if (this.pipe) return void this.pipe.feed(text, this.io);
    if (this.ttyIn) return this.typed(text, this.ttyIn);
    this.stdinBuf += text; // the program runs once its input is complete (cat, wc, tar …)
  }

  /** The terminal's line discipline: echo, a line at Enter, ^C as SIGINT, ^D as the end of input. */
  private typed(text: string, tin: Input): void {
    for (const c of text) {
      if (c === "\x03") {
        this.send(STDOUT, "^C");
        this.job?.interrupt("INT");
      } else if (c === "\x04") tin.live!.closed = true;
      else if (c === "\r" || c === "\n") {
        this.send(STDOUT, "\r\n");
        tin.text += "\n";
      } else if (c === "\x7f") {
        if (tin.text.length > tin.pos && !tin.text.endsWith("\n")) {
          tin.text = tin.text.slice(0, -1);
          this.send(STDOUT, "\b \b");
        }
      } else if (c >= " ") {
        tin.text += c;
        this.send(STDOUT, c);
      }
    }
  }

  private onStdinEnd(): void {
    if (this.done || !this.opts.stdin) return;
    if (this.ttyIn) {
      this.ttyIn.live!.closed = true;
      return;
    }
    if (this.shell) return this.finish({ code: 0, argv: this.opts.argv });
    if (this.pipe) return void this.pipe.close(this.io);
    if (this.job || !this.opts.argv.length || !imageHas(this.image, this.opts.argv[0])) return;
    this.run(execRealtime(this.opts.argv, this.context(), this.io, this.stdinBuf + this.decoder.decode(), concat(this.stdinBytes)));
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) out.set(c, (off += c.length) - c.length);
  return out;
}
