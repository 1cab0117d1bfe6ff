// pods/portforward as kubectl 1.31+ speaks it: a WebSocket with subprotocol
// "SPDY/3.1+portforward.k8s.io" tunnelling a SPDY/3.1 session (client-go portforward
// tunneling_connection.go). Per local connection the client opens an error stream and a data stream
// (headers streamType, port, requestID); the bytes on the data stream are HTTP/1.1 requests, answered
// by the simulated server behind the pod's port (the Network's `http`).
import type { Obj } from "../../resources/types";
import type { Registry } from "../../api/registry";
import { badRequest, statusResponse } from "../../api/status";
import { byPlural } from "../../resources";
import type { HttpRequest as ServerRequest, ServerReply } from "../runtime/servers";
import { FLAG_FIN, SpdyFramer, type Frame, type Headers } from "./spdy";
import { offeredProtocols, onMessages, type EndStatus, type OpenStreams } from "./channel";
import { PORTFORWARD_WS_PROTOCOLS, WebSocketPortForward, forwardedPorts } from "./portforward-ws";
import { PacedSender } from "./paced";

export const PORTFORWARD_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

export interface PortForwardDeps {
  registry: Registry;
  /** One request straight to the pod's port from inside its network namespace (network.ts podHTTP). */
  http(pod: Obj, port: number, req: ServerRequest, remoteAddr: string): ServerReply | { refused: true };
  /** Where each session is kept until it closes, so the cluster can end it. */
  streams: OpenStreams;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Take the complete HTTP/1.1 requests off the front of `buf`; `bad` when it is not HTTP at all. */
export function parseRequests(buf: string): { requests: HttpRequest[]; rest: string; bad?: boolean } {
  const requests: HttpRequest[] = [];
  for (;;) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      const bad = buf.length > 0 && !/^[A-Z]{0,10}( |$)/.test(buf.slice(0, 11));
      return { requests, rest: buf, bad };
    }
    const [start, ...lines] = buf.slice(0, end).split("\r\n");
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(start);
    if (!m) return { requests, rest: buf, bad: true };
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = Number(headers["content-length"] ?? 0);
    if (buf.length < end + 4 + len) return { requests, rest: buf };
    requests.push({ method: m[1], path: m[2], headers, body: buf.slice(end + 4, end + 4 + len) });
    buf = buf.slice(end + 4 + len);
  }
}

export function formatResponse(res: { status: number; headers: Record<string, string>; body: string }, method: string): string {
  const body = new TextEncoder().encode(res.body);
  const headers = Object.entries(res.headers).filter(([k]) => !/^(content-length|transfer-encoding)$/i.test(k));
  const lines = [
    `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ""}`.trimEnd(),
    ...headers.map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${body.length}`,
  ];
  const head = `${lines.join("\r\n")}\r\n\r\n`;
  return method === "HEAD" ? head : head + res.body;
}

/** The kubelet's error when nothing listens on the port (containerd's port-forward in the pod's netns). */
export function refusedMessage(pod: Obj, port: number): string {
  const ns = `cni-${(pod.metadata.uid ?? "").slice(0, 36)}`;
  return `error forwarding port ${port} to pod ${pod.metadata.uid}, uid : failed to execute portforward in network namespace "/var/run/netns/${ns}": failed to connect to localhost:${port} inside namespace "${pod.metadata.uid}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
}

/**
 * Answer the complete HTTP/1.1 requests buffered for one forwarded connection to `port`, as the
 * simulated server in the pod answers them. `end` says the connection is over: the server closed
 * it ("eof", or after a request that asked to close), or the kubelet reports an error (nothing
 * listens, or the bytes are no HTTP request).
 */
export function answerRequests(
  pod: Obj,
  port: number,
  buf: string,
  http: PortForwardDeps["http"],
): { replies: string[]; rest: string; end?: "eof" | { error: string } } {
  const { requests, rest, bad } = parseRequests(buf);
  const replies: string[] = [];
  for (const r of requests) {
    // Seen from inside the pod's network namespace: the client is 127.0.0.1 (as nginx logs it).
    const res = http(pod, port, { method: r.method, path: r.path, headers: r.headers, body: r.body }, "127.0.0.1");
    if ("refused" in res) return { replies, rest, end: { error: refusedMessage(pod, port) } };
    if (res.kind === "eof") return { replies, rest, end: "eof" };
    replies.push(res.kind === "garbage" ? res.text : formatResponse(res, r.method));
    if (/^close$/i.test(r.headers.connection ?? "")) return { replies, rest: "", end: "eof" };
  }
  if (bad)
    return {
      replies,
      rest,
      end: {
        error: `kubeplay simulates HTTP servers only: the bytes sent to port ${port} of pod ${pod.metadata.name} are not an HTTP/1.1 request`,
      },
    };
  return { replies, rest };
}

interface Pair {
  port: number;
  errorStream?: number;
  dataStream?: number;
  buf: string;
  closed: boolean;
}

export class PortForwardSession {
  private readonly spdy = new SpdyFramer();
  private readonly pairs = new Map<string, Pair>();
  private readonly byStream = new Map<number, string>();
  private readonly decoder = new Map<number, TextDecoder>();
  /** The highest stream id the client opened (GOAWAY's last-good-stream-id). */
  private lastStreamId = 0;

  constructor(
    private readonly send: (bytes: Uint8Array) => void,
    private readonly pod: Obj,
    private readonly http: PortForwardDeps["http"],
  ) {}

  /** Bytes from the client (one WebSocket message: any slice of the SPDY byte stream). */
  receive(bytes: Uint8Array): void {
    for (const f of this.spdy.push(bytes)) this.frame(f);
  }

  private frame(f: Frame): void {
    switch (f.type) {
      case "syn_stream":
        return this.open(f.streamId, f.headers);
      case "data":
        return this.data(f.streamId, f.data, (f.flags & FLAG_FIN) !== 0);
      case "rst_stream":
        return this.drop(f.streamId);
      case "ping":
        return this.send(this.spdy.ping(f.id));
      default:
        return; // SETTINGS, WINDOW_UPDATE (spdystream does no flow control), GOAWAY (the socket closes next)
    }
  }

  private open(streamId: number, headers: Headers): void {
    this.lastStreamId = Math.max(this.lastStreamId, streamId);
    const h = (k: string) => headers[k.toLowerCase()]?.[0] ?? "";
    const type = h("streamType"),
      port = Number(h("port")),
      id = h("requestID") || String(streamId);
    if ((type !== "error" && type !== "data") || !(port > 0 && port < 65536)) {
      this.send(this.spdy.rstStream(streamId, 1)); // PROTOCOL_ERROR
      return;
    }
    this.send(this.spdy.synReply(streamId));
    const pair = this.pairs.get(id) ?? { port, buf: "", closed: false };
    this.pairs.set(id, pair);
    this.byStream.set(streamId, id);
    if (type === "error") pair.errorStream = streamId;
    else {
      pair.dataStream = streamId;
      this.decoder.set(streamId, new TextDecoder());
    }
  }

  private data(streamId: number, data: Uint8Array, fin: boolean): void {
    const id = this.byStream.get(streamId);
    const pair = id === undefined ? undefined : this.pairs.get(id);
    if (!pair || pair.closed) return;
    if (streamId === pair.dataStream) {
      pair.buf += this.decoder.get(streamId)!.decode(data, { stream: !fin });
      this.serve(pair);
    }
    if (fin && streamId === pair.dataStream) this.close(id!, pair);
  }

  private serve(pair: Pair): void {
    const { replies, rest, end } = answerRequests(this.pod, pair.port, pair.buf, this.http);
    pair.buf = rest;
    for (const text of replies) this.send(this.spdy.data(pair.dataStream!, new TextEncoder().encode(text)));
    if (end === "eof") this.close(this.idOf(pair), pair);
    else if (end) this.fail(pair, end.error);
  }

  /** Report an error on the error stream and end the pair, as the kubelet does. */
  private fail(pair: Pair, message: string): void {
    if (pair.closed) return;
    if (pair.errorStream !== undefined) this.send(this.spdy.data(pair.errorStream, new TextEncoder().encode(message)));
    this.close(this.idOf(pair), pair);
  }

  /** The cluster is going away: each forwarded connection gets why on its error stream and ends,
   *  then GOAWAY tells the client no new ones will be accepted. */
  end(message: string): void {
    for (const pair of [...this.pairs.values()]) this.fail(pair, message);
    this.send(this.spdy.goAway(this.lastStreamId));
  }

  private idOf(pair: Pair): string {
    return [...this.pairs.entries()].find(([, p]) => p === pair)?.[0] ?? "";
  }

  private close(id: string, pair: Pair): void {
    pair.closed = true;
    for (const s of [pair.dataStream, pair.errorStream]) {
      if (s === undefined) continue;
      this.send(this.spdy.data(s, new Uint8Array(0), FLAG_FIN));
      this.byStream.delete(s);
      this.decoder.delete(s);
    }
    this.pairs.delete(id);
  }

  private drop(streamId: number): void {
    const id = this.byStream.get(streamId);
    if (id === undefined) return;
    const pair = this.pairs.get(id);
    for (const s of [pair?.dataStream, pair?.errorStream]) if (s !== undefined) this.byStream.delete(s);
    this.pairs.delete(id);
  }
}

export function portForwardHandler(deps: PortForwardDeps) {
  return (req: Request, _def: unknown, ns: string | undefined, name: string): Response => {
    const pod = deps.registry.get(byPlural("pods")!, ns!, name);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const websocket = (req.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
    const offered = offeredProtocols(req.headers.get("sec-websocket-protocol"));
    // The client libraries' channel protocol (or a client that names none, which wsstream serves as binary).
    const channels = offered.length === 0 ? "" : offered.find((p) => (PORTFORWARD_WS_PROTOCOLS as readonly string[]).includes(p));
    if (websocket && !offered.includes(PORTFORWARD_PROTOCOL) && channels !== undefined) return channelPortForward(req, pod, channels, deps);
    if (!websocket || !offered.includes(PORTFORWARD_PROTOCOL)) {
      return statusResponse(
        badRequest(
          "kubeplay serves pods/portforward over WebSocket, as SPDY tunnelled in it (SPDY/3.1+portforward.k8s.io) or in channels (v4.channel.k8s.io, v4.base64.channel.k8s.io): use kubectl 1.31 or newer, or set KUBECTL_PORT_FORWARD_WEBSOCKETS=true with kubectl 1.30; plain SPDY is not supported",
        ),
      );
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    server.accept();
    const session = new PortForwardSession((b) => server.send(b), pod, deps.http);
    onMessages(
      server,
      (bytes) => session.receive(bytes),
      (err) => {
        console.error("portforward:", err);
        server.close(1011, "protocol error");
      },
    );
    deps.streams.track(
      {
        end: (status: EndStatus) => {
          session.end(status.message);
          server.close(1000, "");
        },
      },
      server,
    );
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": PORTFORWARD_PROTOCOL } });
  };
}

/** A port-forward in WebSocket channels (portforward-ws.ts). */
function channelPortForward(req: Request, pod: Obj, protocol: string, deps: PortForwardDeps): Response {
  const ports = forwardedPorts(new URL(req.url).searchParams);
  // The kubelet refuses bad options before it upgrades; the API server passes its answer through.
  if ("error" in ports)
    return new Response(`${ports.error}\n`, {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
    });
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  const paced = new PacedSender(server);
  const send = (m: Uint8Array | string, mergeable = true) =>
    typeof m === "string" || !mergeable ? paced.run(() => server.send(m)) : paced.frame(m);
  const forward = new WebSocketPortForward(
    send,
    () => paced.run(() => server.close(1000, "")),
    pod,
    ports,
    deps.http,
    protocol === "v4.base64.channel.k8s.io",
  );
  forward.start();
  onMessages(
    server,
    (bytes) => forward.receive(bytes),
    (err) => {
      console.error("portforward:", err);
      server.close(1011, "protocol error");
    },
  );
  deps.streams.track({ end: (status: EndStatus) => forward.end(status.message) }, server);
  return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
}
