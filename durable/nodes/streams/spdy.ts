// A minimal SPDY/3.1 framer, enough to serve kubectl's port-forward (moby/spdystream on the client):
// control frames SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE
// and DATA frames, with zlib-compressed header blocks (one compression context per direction,
// preset dictionary from the SPDY/3 draft §2.6.10.1).
import { Inflater, StoredDeflater } from "./inflate";

const WORDS = [
  "options",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "accept-ranges",
  "age",
  "allow",
  "authorization",
  "cache-control",
  "connection",
  "content-base",
  "content-encoding",
  "content-language",
  "content-length",
  "content-location",
  "content-md5",
  "content-range",
  "content-type",
  "date",
  "etag",
  "expect",
  "expires",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "pragma",
  "proxy-authenticate",
  "proxy-authorization",
  "range",
  "referer",
  "retry-after",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
  "via",
  "warning",
  "www-authenticate",
  "method",
  "get",
  "status",
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
  "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** The SPDY/3 header compression dictionary (1423 bytes). */
export const SPDY_DICTIONARY: Uint8Array = (() => {
  const out: number[] = [];
  for (const w of WORDS) out.push(0, 0, 0, w.length, ...new TextEncoder().encode(w));
  out.push(...new TextEncoder().encode(TAIL));
  return Uint8Array.from(out);
})();

enum FrameType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}

export const FLAG_FIN = 0x01;

export type Headers = Record<string, string[]>;

export type Frame =
  | { type: "data"; streamId: number; flags: number; data: Uint8Array }
  | { type: "syn_stream"; streamId: number; associatedTo: number; flags: number; headers: Headers }
  | { type: "syn_reply"; streamId: number; flags: number; headers: Headers }
  | { type: "headers"; streamId: number; flags: number; headers: Headers }
  | { type: "rst_stream"; streamId: number; status: number }
  | { type: "ping"; id: number }
  | { type: "goaway"; lastStreamId: number; status: number }
  | { type: "window_update"; streamId: number; delta: number }
  | { type: "settings" | "unknown"; frameType: number; flags: number };

const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** The uncompressed header block: pair count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderBlock(headers: Headers): Uint8Array {
  const enc = new TextEncoder();
  const out: number[] = [];
  const put32 = (n: number) => out.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const entries = Object.entries(headers);
  put32(entries.length);
  for (const [name, values] of entries) {
    const n = enc.encode(name.toLowerCase()),
      v = enc.encode(values.join("\0"));
    put32(n.length);
    out.push(...n);
    put32(v.length);
    out.push(...v);
  }
  return Uint8Array.from(out);
}

export function decodeHeaderBlock(b: Uint8Array): Headers {
  const dec = new TextDecoder();
  const headers: Headers = {};
  let o = 4;
  const count = u32(b, 0);
  for (let i = 0; i < count; i++) {
    const nl = u32(b, o);
    const name = dec.decode(b.subarray(o + 4, o + 4 + nl)).toLowerCase();
    o += 4 + nl;
    const vl = u32(b, o);
    const value = dec.decode(b.subarray(o + 4, o + 4 + vl));
    o += 4 + vl;
    if (o > b.length) throw new Error("spdy: truncated header block");
    (headers[name] ??= []).push(...value.split("\0"));
  }
  return headers;
}

/** One side of a SPDY/3.1 session: parses the incoming byte stream, encodes outgoing frames. */
export class SpdyFramer {
  private buf = new Uint8Array(0);
  private readonly inflater = new Inflater(SPDY_DICTIONARY);
  private readonly deflater = new StoredDeflater(SPDY_DICTIONARY);

  /** Feed bytes as they arrive (frames may span or share WebSocket messages); returns whole frames. */
  push(chunk: Uint8Array): Frame[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    const frames: Frame[] = [];
    let o = 0;
    while (merged.length - o >= 8) {
      const len = (merged[o + 5] << 16) | (merged[o + 6] << 8) | merged[o + 7];
      if (merged.length - o < 8 + len) break;
      frames.push(this.parse(merged.subarray(o, o + 8 + len)));
      o += 8 + len;
    }
    this.buf = merged.slice(o);
    return frames;
  }

  private parse(f: Uint8Array): Frame {
    const flags = f[4];
    const body = f.subarray(8);
    if (!(f[0] & 0x80)) return { type: "data", streamId: u32(f, 0) & 0x7fffffff, flags, data: body.slice() };
    const version = ((f[0] & 0x7f) << 8) | f[1];
    if (version !== 3) throw new Error(`spdy: unsupported version ${version}`);
    const type = (f[2] << 8) | f[3];
    const streamId = () => u32(body, 0) & 0x7fffffff;
    switch (type) {
      case FrameType.SynStream:
        return {
          type: "syn_stream",
          streamId: streamId(),
          associatedTo: u32(body, 4) & 0x7fffffff,
          flags,
          headers: this.headers(body.subarray(10)),
        };
      case FrameType.SynReply:
        return { type: "syn_reply", streamId: streamId(), flags, headers: this.headers(body.subarray(4)) };
      case FrameType.Headers:
        return { type: "headers", streamId: streamId(), flags, headers: this.headers(body.subarray(4)) };
      case FrameType.RstStream:
        return { type: "rst_stream", streamId: streamId(), status: u32(body, 4) };
      case FrameType.Ping:
        return { type: "ping", id: u32(body, 0) };
      case FrameType.GoAway:
        return { type: "goaway", lastStreamId: streamId(), status: body.length >= 8 ? u32(body, 4) : 0 };
      case FrameType.WindowUpdate:
        return { type: "window_update", streamId: streamId(), delta: u32(body, 4) & 0x7fffffff };
      default:
        return { type: type === FrameType.Settings ? "settings" : "unknown", frameType: type, flags };
    }
  }

  private headers(compressed: Uint8Array): Headers {
    return decodeHeaderBlock(this.inflater.push(compressed));
  }

  private control(type: FrameType, flags: number, body: Uint8Array): Uint8Array {
    const f = new Uint8Array(8 + body.length);
    f.set([0x80, 3, 0, type, flags, body.length >>> 16, (body.length >>> 8) & 0xff, body.length & 0xff]);
    f.set(body, 8);
    return f;
  }

  private static id(n: number, extra: number[] = []): Uint8Array {
    return Uint8Array.from([(n >>> 24) & 0x7f, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...extra]);
  }

  synStream(streamId: number, headers: Headers, flags = 0): Uint8Array {
    const block = this.deflater.push(encodeHeaderBlock(headers));
    const body = new Uint8Array(10 + block.length);
    body.set(SpdyFramer.id(streamId));
    body.set(block, 10);
    return this.control(FrameType.SynStream, flags, body);
  }

  synReply(streamId: number, headers: Headers = {}, flags = 0): Uint8Array {
    const block = this.deflater.push(encodeHeaderBlock(headers));
    const body = new Uint8Array(4 + block.length);
    body.set(SpdyFramer.id(streamId));
    body.set(block, 4);
    return this.control(FrameType.SynReply, flags, body);
  }

  data(streamId: number, data: Uint8Array, flags = 0): Uint8Array {
    const f = new Uint8Array(8 + data.length);
    f.set(SpdyFramer.id(streamId));
    f.set([flags, data.length >>> 16, (data.length >>> 8) & 0xff, data.length & 0xff], 4);
    f.set(data, 8);
    return f;
  }

  rstStream(streamId: number, status: number): Uint8Array {
    return this.control(
      FrameType.RstStream,
      0,
      SpdyFramer.id(streamId, [status >>> 24, (status >>> 16) & 0xff, (status >>> 8) & 0xff, status & 0xff]),
    );
  }

  ping(id: number): Uint8Array {
    return this.control(FrameType.Ping, 0, Uint8Array.from([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]));
  }

  goAway(lastStreamId: number, status = 0): Uint8Array {
    return this.control(
      FrameType.GoAway,
      0,
      SpdyFramer.id(lastStreamId, [status >>> 24, (status >>> 16) & 0xff, (status >>> 8) & 0xff, status & 0xff]),
    );
  }

  windowUpdate(streamId: number, delta: number): Uint8Array {
    return this.control(
      FrameType.WindowUpdate,
      0,
      SpdyFramer.id(streamId, [(delta >>> 24) & 0x7f, (delta >>> 16) & 0xff, (delta >>> 8) & 0xff, delta & 0xff]),
    );
  }
}
