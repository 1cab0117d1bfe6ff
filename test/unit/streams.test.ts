import { describe, expect, it } from "vitest";
// @ts-ignore -- node:zlib comes with nodejs_compat; the project does not install @types/node
import { deflateSync as nodeDeflate, constants as zc } from "node:zlib";
const deflateSync = nodeDeflate as (b: Uint8Array, o: object) => Uint8Array;
const constants = zc as { Z_SYNC_FLUSH: number };
import { Inflater, StoredDeflater, adler32 } from "../../durable/nodes/streams/inflate";
import { SPDY_DICTIONARY, SpdyFramer, decodeHeaderBlock, encodeHeaderBlock } from "../../durable/nodes/streams/spdy";
import {
  ChannelSocket,
  OpenStreams,
  STREAM_SETTLE_MS,
  endPayload,
  exitStatus,
  frame,
  negotiate,
  offeredProtocols,
  settleFor,
  unframe,
  type EndStatus,
} from "../../durable/nodes/streams/channel";
import { formatResponse, parseRequests } from "../../durable/nodes/streams/portforward";
import { PACE_MS } from "../../durable/nodes/streams/paced";

const enc = (s: string) => new TextEncoder().encode(s);

describe("exec channels", () => {
  it("negotiates the newest protocol the client offers", () => {
    expect(negotiate(offeredProtocols("v5.channel.k8s.io, v4.channel.k8s.io"))).toBe("v5.channel.k8s.io");
    expect(negotiate(offeredProtocols("base64.channel.k8s.io,v4.channel.k8s.io"))).toBe("v4.channel.k8s.io");
    expect(negotiate(offeredProtocols("SPDY/3.1+portforward.k8s.io"))).toBeUndefined();
  });

  it("prefixes every message with its channel byte", () => {
    const f = frame(1, "hi");
    expect([...f]).toEqual([1, 104, 105]);
    expect(unframe(f)).toEqual({ channel: 1, data: enc("hi") });
    expect(unframe(new Uint8Array(0))).toBeUndefined();
  });

  it("writes the kubelet's Status on the error channel", () => {
    expect(exitStatus({ code: 0, argv: ["hostname"] }, "v5.channel.k8s.io")).toBe('{"metadata":{},"status":"Success"}');
    expect(exitStatus({ code: 3, argv: ["sh", "-c", "exit 3"] }, "v4.channel.k8s.io")).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    expect(JSON.parse(exitStatus({ internal: "boom" }, "v5.channel.k8s.io"))).toMatchObject({
      status: "Failure",
      reason: "InternalError",
      code: 500,
      message: "Internal error occurred: boom",
    });
    expect(exitStatus({ code: 0, argv: ["x"] }, "v2.channel.k8s.io")).toBe("");
  });
});

describe("ending streams from outside", () => {
  const gone: EndStatus = { status: "Failure", reason: "Expired", code: 410, message: "kubeplay session x expired" };

  it("sends the Status from v4 on and its message before", () => {
    expect(JSON.parse(endPayload(gone, "v5.channel.k8s.io"))).toEqual({
      metadata: {},
      status: "Failure",
      reason: "Expired",
      code: 410,
      message: "kubeplay session x expired",
    });
    expect(endPayload(gone, "v3.channel.k8s.io")).toBe("kubeplay session x expired");
  });

  it("ends every open stream once, and forgets those whose socket closed", () => {
    const streams = new OpenStreams();
    const ended: string[] = [];
    const sockets = ["a", "b"].map((name) => {
      const listeners: (() => void)[] = [];
      const ws = { addEventListener: (_type: string, f: () => void) => void listeners.push(f) } as unknown as WebSocket;
      streams.track({ end: (s) => void ended.push(`${name}: ${s.reason}`) }, ws);
      return () => listeners.forEach((f) => f());
    });
    sockets[1](); // b's client left
    streams.endAll(gone);
    streams.endAll(gone);
    expect(ended).toEqual(["a: Expired"]);
  });
});

describe("the settle for kubectl up to 1.33 (kubernetes#131189)", () => {
  it("holds output and the close back, in order, for clients that read before registering streams", async () => {
    expect(settleFor("kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0")).toBe(STREAM_SETTLE_MS);
    expect(settleFor("kubectl/v1.27.16 (linux/amd64) kubernetes/cbb86e0")).toBe(STREAM_SETTLE_MS);
    expect(settleFor("kubectl/v1.34.0 (linux/amd64) kubernetes/abcdef0")).toBe(0);
    expect(settleFor(null)).toBe(STREAM_SETTLE_MS);
    const seen: string[] = [];
    const ws = {
      send: (b: Uint8Array) => seen.push(`send ${b[0]}`),
      close: (code: number) => seen.push(`close ${code}`),
      addEventListener: () => {},
    } as unknown as WebSocket;
    const held = new ChannelSocket(ws, STREAM_SETTLE_MS);
    held.send(frame(1, "hi"));
    held.send(frame(3, "{}"));
    held.close(1000, "");
    expect(seen).toEqual([]);
    // Then in order, each message PACE_MS after the one before (durable/nodes/streams/paced.ts).
    await new Promise((r) => setTimeout(r, STREAM_SETTLE_MS + 3 * PACE_MS + 10));
    expect(seen).toEqual(["send 1", "send 3", "close 1000"]);
    held.send(frame(1, "late"));
    expect(seen.at(-1)).toBe("send 1");
    const direct = new ChannelSocket(ws, 0);
    direct.send(frame(2, "x"));
    expect(seen.at(-1)).toBe("send 2");
  });
});

describe("zlib inflate with a preset dictionary", () => {
  it("has the 1423-byte SPDY/3 dictionary", () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(new TextDecoder().decode(SPDY_DICTIONARY.subarray(4, 11))).toBe("options");
  });

  it("decodes sync-flushed pieces of one stream, as spdystream's header compressor writes them", () => {
    // One compression context across frames: compress a+b together, then split at the first flush point.
    const a = encodeHeaderBlock({ streamtype: ["error"], port: ["80"], requestid: ["0"] });
    const first = deflateSync(a, { dictionary: SPDY_DICTIONARY, level: 9, finishFlush: constants.Z_SYNC_FLUSH });
    const inf = new Inflater(SPDY_DICTIONARY);
    expect(decodeHeaderBlock(inf.push(new Uint8Array(first)))).toEqual({ streamtype: ["error"], port: ["80"], requestid: ["0"] });
    // A second, independent stream fed to a fresh inflater: dynamic/fixed Huffman and back-references into the dictionary.
    const big = enc("content-type: text/html; ".repeat(50) + "accept-encoding gzip,deflate");
    const z = deflateSync(big, { dictionary: SPDY_DICTIONARY, level: 9 });
    expect(new TextDecoder().decode(new Inflater(SPDY_DICTIONARY).push(new Uint8Array(z)))).toBe(new TextDecoder().decode(big));
  });

  it("refuses a stream compressed with another dictionary", () => {
    const z = deflateSync(enc("x"), { dictionary: enc("other") });
    expect(() => new Inflater(SPDY_DICTIONARY).push(new Uint8Array(z))).toThrow(/dictionary/);
  });

  it("writes stored blocks any inflater reads", () => {
    const d = new StoredDeflater(SPDY_DICTIONARY);
    const inf = new Inflater(SPDY_DICTIONARY);
    expect(new TextDecoder().decode(inf.push(d.push(enc("hello"))))).toBe("hello");
    expect(new TextDecoder().decode(inf.push(d.push(enc(" world"))))).toBe(" world");
    expect(adler32(enc("Wikipedia"))).toBe(0x11e60398);
  });
});

describe("SPDY/3.1 framing", () => {
  it("round-trips SYN_STREAM headers between two framers, split anywhere", () => {
    const client = new SpdyFramer(),
      server = new SpdyFramer();
    const bytes = new Uint8Array([
      ...client.synStream(1, { streamtype: ["error"], port: ["80"], requestid: ["0"] }),
      ...client.synStream(3, { streamtype: ["data"], port: ["80"], requestid: ["0"] }),
      ...client.data(3, enc("GET / HTTP/1.1\r\n\r\n"), 0),
      ...client.ping(7),
    ]);
    const frames = [...server.push(bytes.subarray(0, 5)), ...server.push(bytes.subarray(5, 40)), ...server.push(bytes.subarray(40))];
    expect(frames.map((f) => f.type)).toEqual(["syn_stream", "syn_stream", "data", "ping"]);
    expect(frames[1]).toMatchObject({ streamId: 3, headers: { streamtype: ["data"], port: ["80"] } });
    expect(frames[2]).toMatchObject({ streamId: 3, flags: 0 });
    expect(frames[3]).toMatchObject({ id: 7 });
  });

  it("encodes replies, FIN and resets", () => {
    const s = new SpdyFramer(),
      c = new SpdyFramer();
    const frames = c.push(
      new Uint8Array([
        ...s.synReply(1),
        ...s.data(1, new Uint8Array(0), 1),
        ...s.rstStream(5, 1),
        ...s.goAway(3),
        ...s.windowUpdate(1, 1000),
      ]),
    );
    expect(frames).toEqual([
      { type: "syn_reply", streamId: 1, flags: 0, headers: {} },
      { type: "data", streamId: 1, flags: 1, data: new Uint8Array(0) },
      { type: "rst_stream", streamId: 5, status: 1 },
      { type: "goaway", lastStreamId: 3, status: 0 },
      { type: "window_update", streamId: 1, delta: 1000 },
    ]);
  });
});

describe("port-forward HTTP", () => {
  it("parses pipelined requests and keeps partial ones", () => {
    const r = parseRequests("GET / HTTP/1.1\r\nHost: localhost:8081\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /y");
    expect(r.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ["GET", "/", ""],
      ["POST", "/x", "abc"],
    ]);
    expect(r.rest).toBe("GET /y");
    expect(r.bad).toBeFalsy();
    expect(parseRequests("*1\r\n$4\r\nPING\r\n").bad).toBe(true);
  });

  it("formats a response with its length", () => {
    expect(formatResponse({ status: 200, headers: { Server: "nginx/1.27.5" }, body: "hé" }, "GET")).toBe(
      "HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\nContent-Length: 3\r\n\r\nhé",
    );
    expect(formatResponse({ status: 404, headers: {}, body: "x" }, "HEAD")).toBe("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\n");
  });
});
