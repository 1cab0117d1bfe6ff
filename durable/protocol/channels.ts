// The channel protocols of exec/attach over WebSocket (k8s.io/apimachinery/pkg/util/remotecommand,
// httpstream/wsstream): every binary message starts with a channel byte. A leaf: the kubelet's
// streams (durable/nodes/streams) serve them, the workstation's kubectl and terminal speak them.
export const STDIN = 0,
  STDOUT = 1,
  STDERR = 2,
  ERROR = 3,
  RESIZE = 4,
  CLOSE = 255;

/** Server preference, newest first; "channel.k8s.io" is v1 (errors as plain text, no resize). */
export const EXEC_PROTOCOLS = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
] as const;
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

/** The subprotocols offered in Sec-WebSocket-Protocol, in the client's order. */
export function offeredProtocols(header: string | null): string[] {
  return (header ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The first protocol the client offers that we speak (the client lists its preference first). */
export function negotiate(offered: string[]): ExecProtocol | undefined {
  return offered.find((p): p is ExecProtocol => (EXEC_PROTOCOLS as readonly string[]).includes(p));
}

export function frame(channel: number, data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

export function unframe(message: Uint8Array): { channel: number; data: Uint8Array } | undefined {
  if (!message.length) return undefined;
  return { channel: message[0], data: message.subarray(1) };
}

/** What ends an exec: the exit code or a runtime error (the kubelet's Status on the error channel). */
export type ExecResult = { code: number; argv: string[] } | { internal: string };

/** The error-channel payload: metav1.Status JSON from v4 on, a plain message before. */
export function exitStatus(result: ExecResult, protocol: ExecProtocol): string {
  if ("internal" in result) {
    const message = `Internal error occurred: ${result.internal}`;
    if (!protocol.startsWith("v4") && !protocol.startsWith("v5")) return message;
    return JSON.stringify({
      metadata: {},
      status: "Failure",
      message,
      reason: "InternalError",
      details: { causes: [{ message: result.internal }] },
      code: 500,
    });
  }
  if (!protocol.startsWith("v4") && !protocol.startsWith("v5"))
    return result.code === 0
      ? ""
      : `command terminated with non-zero exit code: error executing command [${result.argv.join(" ")}], exit code ${result.code}`;
  if (result.code === 0) return JSON.stringify({ metadata: {}, status: "Success" });
  return JSON.stringify({
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${result.argv.join(" ")}], exit code ${result.code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(result.code) }] },
  });
}

/** A metav1.Status that ends a stream from outside (the cluster going away). */
export interface EndStatus {
  status: "Failure";
  reason: string;
  code: number;
  message: string;
}

/** The error-channel payload that ends a stream: the Status from v4 on, its message before. */
export function endPayload(status: EndStatus, protocol: ExecProtocol): string {
  if (!protocol.startsWith("v4") && !protocol.startsWith("v5")) return status.message;
  return JSON.stringify({ metadata: {}, ...status });
}

/** A WebSocket message's bytes: workerd hands binary messages over as ArrayBuffer or, proxied, as Blob. */
export async function messageBytes(data: unknown): Promise<Uint8Array> {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return new Uint8Array(0);
}

/** Handle a socket's messages one at a time, in order, even when reading one is asynchronous. */
export function onMessages(
  ws: Pick<WebSocket, "addEventListener">,
  handle: (bytes: Uint8Array) => void,
  onError: (e: unknown) => void,
): void {
  let queue = Promise.resolve();
  ws.addEventListener("message", (e) => {
    queue = queue.then(async () => handle(await messageBytes(e.data))).catch(onError);
  });
}
