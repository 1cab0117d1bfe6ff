// pods/portforward over a plain WebSocket, as the client libraries speak it (the Python client's
// kubernetes.stream.portforward, @kubernetes/client-node's PortForward) and as the kubelet serves it
// (k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go): subprotocol v4.channel.k8s.io (binary)
// or v4.base64.channel.k8s.io (text), ports from the `ports` query parameter, and per port i a data
// channel 2i and an error channel 2i+1. The server's first message on each channel is the port
// number as two little-endian bytes; after that, channel messages are the connection's bytes.
// The socket stays open until the forwarded connection of every port has ended.
import type { Obj } from "../../resources/types";
import { CLOSE } from "./channel";
import { answerRequests, type PortForwardDeps } from "./portforward";

export const PORTFORWARD_WS_PROTOCOLS = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"] as const;

/** NewV4Options: the ports of a WebSocket port-forward, or the kubelet's error text. */
export function forwardedPorts(query: URLSearchParams): number[] | { error: string } {
  const values = query.getAll("ports");
  if (values.length === 0) return { error: 'query parameter "port" is required' };
  const ports: number[] = [];
  for (const v of values) {
    if (!v) return { error: 'query parameter "port" cannot be empty' };
    for (const p of v.split(",")) {
      if (!/^\d+$/.test(p) || Number(p) > 65535)
        return {
          error: `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": ${/^\d+$/.test(p) ? "value out of range" : "invalid syntax"}`,
        };
      if (Number(p) < 1) return { error: `port "${v}" must be > 0` };
      ports.push(Number(p));
    }
  }
  return ports;
}

/** One channel message in the negotiated framing: a channel byte then the bytes, or in base64 mode
 *  the channel as an ASCII digit then base64 text. */
export function channelMessage(channel: number, data: Uint8Array, base64: boolean): Uint8Array | string {
  if (base64) return String.fromCharCode(48 + channel) + btoa(String.fromCharCode(...data));
  const out = new Uint8Array(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

/** A client message back into channel and bytes (undefined for an empty one). */
export function readChannelMessage(message: Uint8Array, base64: boolean): { channel: number; data: Uint8Array } | undefined {
  if (!message.length) return undefined;
  if (!base64) return { channel: message[0], data: message.subarray(1) };
  const text = new TextDecoder().decode(message);
  return { channel: text.charCodeAt(0) - 48, data: Uint8Array.from(atob(text.slice(1)), (c) => c.charCodeAt(0)) };
}

/** The two bytes that open each channel: the port, little-endian. */
export const portPrefix = (port: number) => new Uint8Array([port & 0xff, port >> 8]);

interface Forward {
  port: number;
  buf: string;
  decoder: TextDecoder;
  done: boolean;
}

export class WebSocketPortForward {
  private readonly forwards: Forward[];

  constructor(
    /** Send a message; `mergeable` lets it travel with the channel's next bytes. */
    private readonly send: (message: Uint8Array | string, mergeable?: boolean) => void,
    private readonly close: () => void,
    private readonly pod: Obj,
    ports: number[],
    private readonly http: PortForwardDeps["http"],
    private readonly base64: boolean,
  ) {
    this.forwards = ports.map((port) => ({ port, buf: "", decoder: new TextDecoder(), done: false }));
  }

  /** handleWebSocketStreams: announce each port on its data and its error channel (each in a
   *  message of its own: the Python client wants exactly the channel byte and the port). */
  start(): void {
    this.forwards.forEach((f, i) => {
      this.send(channelMessage(2 * i, portPrefix(f.port), this.base64), false);
      this.send(channelMessage(2 * i + 1, portPrefix(f.port), this.base64), false);
    });
  }

  receive(message: Uint8Array): void {
    const m = readChannelMessage(message, this.base64);
    if (!m || m.channel === CLOSE || m.channel % 2 === 1) return; // the error channels are write-only
    const f = this.forwards[m.channel / 2];
    if (!f || f.done) return;
    f.buf += f.decoder.decode(m.data, { stream: true });
    const { replies, rest, end } = answerRequests(this.pod, f.port, f.buf, this.http);
    f.buf = rest;
    for (const text of replies) this.send(channelMessage(m.channel, new TextEncoder().encode(text), this.base64));
    if (end && end !== "eof") this.send(channelMessage(m.channel + 1, new TextEncoder().encode(end.error), this.base64));
    if (end) this.finish(f);
  }

  /** The cluster is going away: every open forward hears why on its error channel. */
  end(message: string): void {
    this.forwards.forEach((f, i) => {
      if (!f.done) this.send(channelMessage(2 * i + 1, new TextEncoder().encode(message), this.base64));
      f.done = true;
    });
    this.close();
  }

  private finish(f: Forward): void {
    f.done = true;
    if (this.forwards.every((x) => x.done)) this.close();
  }
}
