// `kubectl exec` and `kubectl attach`: the pod's exec or attach subresource over WebSocket
// (v5.channel.k8s.io), in-process; a terminal in raw mode passes every key to the container's tty.
import type { Pod } from "kubernetes-types/core/v1";
import { type Parsed, bool, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { containerOf, podFor } from "./pods";
import type { Kube, KubectlRun, Verb } from "./types";
import { CLOSE, ERROR, frame, messageBytes, RESIZE, STDERR, STDIN, STDOUT } from "../../protocol/channels";

const PROTOCOL = "v5.channel.k8s.io";
const encoder = new TextEncoder();

/** The exit code the error channel's Status gives: 0, the NonZeroExitCode cause, or undefined for another failure. */
function exitCode(status: { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } }) {
  if (status.status === "Success") return 0;
  if (status.reason === "NonZeroExitCode") return Number(status.details?.causes?.find((c) => c.reason === "ExitCode")?.message ?? 1);
  return undefined;
}

/** Where a stream's bytes go and what feeds it, when not the terminal's streams (kubectl cp's tar pipe). */
export interface StreamIO {
  stdout?(bytes: Uint8Array): void;
  stderr?(bytes: Uint8Array): void;
  /** The remote's whole stdin, sent and then closed. */
  stdin?: Uint8Array;
  /** Settles once the caller has what it needs: the stream is let go then, without waiting for the remote's end. */
  enough?: Promise<void>;
}

/** The streams an exec or attach asks for, as remotecommand's StreamOptions put them in the query:
 *  stdin when it is fed, stdout always, stderr unless a tty merges it into stdout. */
export function withStreams(query: URLSearchParams, stdin: boolean, tty: boolean): URLSearchParams {
  if (stdin) query.set("stdin", "true");
  query.set("stdout", "true");
  if (!tty) query.set("stderr", "true");
  if (tty) query.set("tty", "true");
  return query;
}

/** Open the stream and relay it until the remote end finishes; the remote's exit code. */
export function* stream(
  k: Kube,
  pod: Pod,
  sub: "exec" | "attach",
  query: URLSearchParams,
  stdin: boolean,
  tty: boolean,
  io: StreamIO = {},
): KubectlRun {
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/${sub}?${query}`;
  const reply = yield* awaitHost(k.api("POST", path, { upgrade: PROTOCOL }));
  const ws = reply.webSocket;
  if (!ws) {
    if (reply.contentType.startsWith("application/json")) throw new KubectlError(statusMessage(reply));
    throw new KubectlError(`error: unable to upgrade connection: ${reply.text}`);
  }
  ws.accept();
  const decoders = { [STDOUT]: new TextDecoder(), [STDERR]: new TextDecoder() };
  let status: Parameters<typeof exitCode>[0] | undefined;
  // Messages are handled in order; a socket of this isolate's own hands binary ones over as Blobs.
  let chain = Promise.resolve();
  const handle = (data: Uint8Array) => {
    const channel = data[0];
    const body = data.subarray(1);
    if (channel === STDOUT) io.stdout ? io.stdout(body.slice()) : k.io.stdout(decoders[STDOUT].decode(body, { stream: true }));
    else if (channel === STDERR) io.stderr ? io.stderr(body.slice()) : k.io.stderr(decoders[STDERR].decode(body, { stream: true }));
    else if (channel === ERROR) {
      try {
        status = JSON.parse(new TextDecoder().decode(body));
      } catch {
        status = { status: "Failure", reason: "InternalError" };
      }
    }
  };
  const ended = new Promise<void>((resolve) => {
    ws.addEventListener("message", (m) => {
      const data: unknown = m.data;
      chain = chain.then(async () => handle(await messageBytes(data)));
    });
    const done = () => void chain.then(resolve, resolve);
    ws.addEventListener("close", done);
    ws.addEventListener("error", done);
    io.enough?.then(done, done);
  });
  const send = (channel: number, data: Uint8Array) => {
    try {
      ws.send(frame(channel, data));
    } catch {}
  };
  if (tty && k.tty) {
    const { columns, lines } = k.tty.size();
    send(RESIZE, encoder.encode(JSON.stringify({ Width: columns, Height: lines })));
  }
  if (stdin) {
    if (tty && k.tty) k.tty.raw((bytes) => send(STDIN, encoder.encode(bytes)));
    else {
      const bytes = io.stdin ?? encoder.encode(k.stdin);
      if (bytes.length) send(STDIN, bytes);
      send(CLOSE, new Uint8Array([STDIN]));
    }
  }
  try {
    yield* awaitHost(ended);
  } finally {
    k.tty?.raw(undefined);
    try {
      ws.close(1000, "");
    } catch {}
  }
  const code = status ? exitCode(status) : 0;
  if (code === undefined) throw new KubectlError(`error: ${(status as { message?: string }).message ?? "Internal error occurred"}`);
  return code;
}

function* execRun(p: Parsed, k: Kube): KubectlRun {
  if (p.args.length > 1)
    throw new KubectlError(
      "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples",
    );
  const command = p.dash ?? [];
  const pod = yield* podFor(
    p.args[0],
    k,
    "error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command\nSee 'kubectl exec -h' for help and examples",
  );
  if (!command.length) throw new KubectlError("error: you must specify at least one command for the container");
  const stdin = bool(p, "stdin");
  let tty = bool(p, "tty");
  if (tty && (!stdin || !k.tty)) {
    if (!bool(p, "quiet")) k.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    tty = false;
  }
  const query = new URLSearchParams();
  for (const c of command) query.append("command", c);
  query.set("container", containerOf(pod, str(p, "container"), k, bool(p, "quiet") ? () => {} : undefined));
  withStreams(query, stdin, tty);
  const code = yield* stream(k, pod, "exec", query, stdin, tty);
  if (code !== 0 && !bool(p, "quiet")) k.io.stderr(`command terminated with exit code ${code}\n`);
  return code;
}

function* attachRun(p: Parsed, k: Kube): KubectlRun {
  const pod = yield* podFor(
    p.args[0],
    k,
    "error: expected 'attach (POD | TYPE/NAME) -c CONTAINER'.\nPOD or TYPE/NAME is a required argument for the attach command\nSee 'kubectl attach -h' for help and examples",
  );
  const name = containerOf(pod, str(p, "container"), k);
  const spec = pod.spec?.containers?.find((c) => c.name === name);
  const stdin = bool(p, "stdin");
  let tty = bool(p, "tty");
  if (tty && !spec?.tty) {
    k.io.stderr(`error: Unable to use a TTY - container ${name} did not allocate one\n`);
    tty = false;
  }
  if (tty && (!stdin || !k.tty)) tty = false;
  if (tty && !bool(p, "quiet")) k.io.stderr("If you don't see a command prompt, try pressing enter.\n");
  const query = new URLSearchParams({ container: name });
  withStreams(query, stdin, tty);
  return yield* stream(k, pod, "attach", query, stdin, tty);
}

const flags = [
  { name: "container", short: "c", kind: "string" },
  { name: "stdin", short: "i", kind: "bool" },
  { name: "tty", short: "t", kind: "bool" },
  { name: "quiet", short: "q", kind: "bool" },
  { name: "pod-running-timeout", kind: "string" },
  { name: "filename", short: "f", kind: "strings" },
] as const;

export const exec: Verb = { flags, run: execRun };
export const attach: Verb = { flags, run: attachRun };
