// A small resumable zlib inflater with a preset dictionary (RFC 1950/1951), for SPDY/3 header blocks:
// every SYN_STREAM/HEADERS frame carries the next piece of ONE zlib stream that the peer sync-flushes
// after each block, so each piece ends on a byte boundary and can be decoded as it arrives. workerd's
// DecompressionStream cannot take a dictionary, hence this.

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: counts per length and symbols sorted by code. */
interface Huffman {
  counts: number[];
  symbols: number[];
}

function huffman(lengths: ArrayLike<number>): Huffman {
  const counts = new Array(16).fill(0);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  const offs = new Array(16).fill(0);
  for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + counts[i - 1];
  const symbols: number[] = [];
  for (let i = 0; i < lengths.length; i++) if (lengths[i]) symbols[offs[lengths[i]]++] = i;
  return { counts, symbols };
}

const FIXED_LIT = huffman([...Array(144).fill(8), ...Array(112).fill(9), ...Array(24).fill(7), ...Array(8).fill(8)]);
const FIXED_DIST = huffman(Array(30).fill(5));

export class InflateError extends Error {}

/** Adler-32 of the dictionary, as written in the zlib header (FDICT). */
export function adler32(data: Uint8Array): number {
  let a = 1,
    b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export class Inflater {
  /** Everything decoded so far, the dictionary first: back-references reach into it. */
  private history: number[];
  private headerRead = false;
  private ended = false;
  private input: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;

  constructor(private readonly dictionary: Uint8Array) {
    this.history = Array.from(dictionary);
  }

  /** Decode one sync-flushed piece of the stream; returns the bytes it produced. */
  push(chunk: Uint8Array): Uint8Array {
    this.input = chunk;
    this.pos = 0;
    this.bitBuf = 0;
    this.bitCount = 0;
    const start = this.history.length;
    if (!this.headerRead) this.header();
    while (!this.ended && this.pos < this.input.length) this.block();
    const out = Uint8Array.from(this.history.slice(start));
    // Keep at most the 32 KiB window deflate may refer back to.
    if (this.history.length > 65536) this.history = this.history.slice(-32768);
    return out;
  }

  private header(): void {
    const cmf = this.byte(),
      flg = this.byte();
    if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0) throw new InflateError("zlib: invalid header");
    if (flg & 0x20) {
      const id = ((this.byte() << 24) | (this.byte() << 16) | (this.byte() << 8) | this.byte()) >>> 0;
      if (id !== adler32(this.dictionary)) throw new InflateError("zlib: invalid dictionary");
    }
    this.headerRead = true;
  }

  private byte(): number {
    if (this.pos >= this.input.length) throw new InflateError("zlib: unexpected end of input");
    return this.input[this.pos++];
  }

  private bits(n: number): number {
    while (this.bitCount < n) {
      this.bitBuf |= this.byte() << this.bitCount;
      this.bitCount += 8;
    }
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return v;
  }

  private decode(h: Huffman): number {
    let code = 0,
      first = 0,
      index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      const count = h.counts[len];
      if (code - count < first) return h.symbols[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError("zlib: invalid Huffman code");
  }

  private block(): void {
    const final = this.bits(1);
    const type = this.bits(2);
    if (type === 0) this.stored();
    else if (type === 1) this.codes(FIXED_LIT, FIXED_DIST);
    else if (type === 2) this.dynamic();
    else throw new InflateError("zlib: invalid block type");
    if (final) this.ended = true;
  }

  private stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0; // skip to the byte boundary
    const len = this.byte() | (this.byte() << 8);
    const nlen = this.byte() | (this.byte() << 8);
    if ((len ^ 0xffff) !== nlen) throw new InflateError("zlib: invalid stored block length");
    for (let i = 0; i < len; i++) this.history.push(this.byte());
  }

  private dynamic(): void {
    const nlen = this.bits(5) + 257,
      ndist = this.bits(5) + 1,
      ncode = this.bits(4) + 4;
    const cl = new Array(19).fill(0);
    for (let i = 0; i < ncode; i++) cl[CL_ORDER[i]] = this.bits(3);
    const clh = huffman(cl);
    const lengths: number[] = [];
    while (lengths.length < nlen + ndist) {
      const sym = this.decode(clh);
      if (sym < 16) lengths.push(sym);
      else if (sym === 16) {
        if (!lengths.length) throw new InflateError("zlib: repeat without a length");
        const prev = lengths[lengths.length - 1];
        for (let n = 3 + this.bits(2); n > 0; n--) lengths.push(prev);
      } else for (let n = sym === 17 ? 3 + this.bits(3) : 11 + this.bits(7); n > 0; n--) lengths.push(0);
    }
    this.codes(huffman(lengths.slice(0, nlen)), huffman(lengths.slice(nlen, nlen + ndist)));
  }

  private codes(lit: Huffman, dist: Huffman): void {
    const h = this.history;
    for (;;) {
      const sym = this.decode(lit);
      if (sym < 256) h.push(sym);
      else if (sym === 256) return;
      else {
        const i = sym - 257;
        if (i >= 29) throw new InflateError("zlib: invalid length code");
        const len = LEN_BASE[i] + this.bits(LEN_EXTRA[i]);
        const d = this.decode(dist);
        if (d >= 30) throw new InflateError("zlib: invalid distance code");
        const distance = DIST_BASE[d] + this.bits(DIST_EXTRA[d]);
        if (distance > h.length) throw new InflateError("zlib: distance too far back");
        for (let k = 0, from = h.length - distance; k < len; k++) h.push(h[from + k]);
      }
    }
  }
}

/**
 * The compressing side, kept trivial: a zlib stream (with the dictionary's id) of stored blocks, each
 * call ending with a sync flush. Valid for any inflater; SPDY replies are tiny.
 */
export class StoredDeflater {
  private started = false;
  constructor(private readonly dictionary: Uint8Array) {}

  push(data: Uint8Array): Uint8Array {
    const parts: number[] = [];
    if (!this.started) {
      this.started = true;
      const id = adler32(this.dictionary);
      parts.push(0x78, 0xbb, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff); // 0x78bb: FDICT, %31 == 0
    }
    for (let off = 0; off < data.length; off += 65535) {
      const piece = data.subarray(off, off + 65535);
      parts.push(0x00, piece.length & 0xff, piece.length >>> 8, ~piece.length & 0xff, (~piece.length >>> 8) & 0xff, ...piece);
    }
    // The sync-flush marker (an empty stored block), as zlib's Z_SYNC_FLUSH ends every piece: Go's
    // flate reader hands out the data only when it reaches it, without reading past the frame.
    parts.push(0x00, 0x00, 0x00, 0xff, 0xff);
    return Uint8Array.from(parts);
  }
}
