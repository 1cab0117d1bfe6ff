// The line and byte filters: head, tail, wc, cut, sort, uniq, tr, tee, base64, in the output formats
// and error words of GNU coreutils or busybox (the image's variant).
import { FSError, resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import { runsUntilStopped, type Run } from "./interp";
import { joinLines, parseOr, readInput, readInputs, splitLines, usageError, variantOf, type Input } from "./textio";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** An input's bytes: the file's own where the filesystem keeps them, stdin's when they came from outside. */
function bytesOf(input: Input, call: AppletCall): Uint8Array {
  if (input.path) return call.s.ctx.fs.readBytes?.(input.path) ?? enc.encode(input.text);
  return call.stdinBytes ?? enc.encode(input.text);
}

/** Write bytes to stdout, binary-safe where the sink takes bytes. */
function writeBytes(call: AppletCall, b: Uint8Array): void {
  if (call.io.stdoutBytes) call.io.stdoutBytes(b);
  else call.io.stdout(dec.decode(b));
}

/** `-5` (and tail's `+5`) as the old form of `-n 5`. */
const legacyCount = (args: string[]) =>
  args.map((a, i) => (i === 0 && /^[-+]\d+$/.test(a) ? (a[0] === "+" ? `-n+${a.slice(1)}` : `-n${a.slice(1)}`) : a));

/**
 * head and tail: -n N, -c N, head's -n -N (all but the last N), tail's -n +N (from line N), -q -v.
 * tail -f/-F then follows the named files until interrupted, in a shell that can be (someone typing,
 * a program with a time window); a probe's synchronous run prints the current end and returns.
 */
function headTail(tail: boolean) {
  return (args: string[], call: AppletCall): number | Run => {
    const name = tail ? "tail" : "head";
    const gnu = variantOf(call) === "gnu";
    const o = parseOr(
      call,
      name,
      legacyCount(args),
      {
        flags: tail ? "qvfFsz" : "qvz",
        values: tail ? "ncs" : "nc",
        long: {
          lines: "n",
          bytes: "c",
          quiet: "q",
          silent: "q",
          verbose: "v",
          ...(tail ? { follow: "f", retry: "\0", "sleep-interval": "s", pid: "\0" } : {}),
        },
      },
      1,
    );
    if (!o) return 1;
    const spec = typeof o.f.c === "string" ? o.f.c : typeof o.f.n === "string" ? o.f.n : "10";
    const bytes = typeof o.f.c === "string" && (typeof o.f.n !== "string" || args.lastIndexOf("-c") > args.lastIndexOf("-n"));
    const m = /^([-+]?)(\d+)([kKmMbB]?)$/.exec(spec);
    if (!m) {
      call.io.stderr(gnu ? `${name}: invalid number of ${bytes ? "bytes" : "lines"}: ‘${spec}’\n` : `${name}: invalid number '${spec}'\n`);
      return 1;
    }
    const n = Number(m[2]) * ({ "": 1, k: 1024, K: 1024, m: 1048576, M: 1048576, b: 512, B: 512 } as Record<string, number>)[m[3]];
    const sign = m[1];
    const files = o.rest.length ? o.rest : ["-"];
    let status = 0;
    let shown = 0;
    let opened = 0;
    const followed: Followed[] = [];
    for (const f of files) {
      const input = readInput(f, call, name);
      if (f !== "-") followed.push({ name: f, path: resolvePath(f, call.s.cwd), size: input?.text.length });
      // A directory opens (then fails to read); only a file that cannot be opened counts as none.
      if (f !== "-" && call.s.ctx.fs.isDir(resolvePath(f, call.s.cwd))) opened++;
      if (!input) {
        status = 1;
        continue;
      }
      opened++;
      if ((files.length > 1 && !o.f.q) || o.f.v) call.io.stdout(`${shown ? "\n" : ""}==> ${f === "-" ? "standard input" : f} <==\n`);
      shown++;
      if (bytes) {
        const b = bytesOf(input, call);
        const pick = tail
          ? sign === "+"
            ? b.slice(Math.max(0, n - 1))
            : b.slice(Math.max(0, b.length - n))
          : sign === "-"
            ? b.slice(0, Math.max(0, b.length - n))
            : b.slice(0, n);
        writeBytes(call, pick);
        continue;
      }
      // Keep a last line without its newline as it is.
      const text = input.text;
      const ls = text === "" ? [] : text.split("\n");
      const complete = text.endsWith("\n");
      if (complete) ls.pop();
      let from = 0;
      let to = ls.length;
      if (tail) from = sign === "+" ? Math.max(0, n - 1) : Math.max(0, ls.length - n);
      else to = sign === "-" ? Math.max(0, ls.length - n) : Math.min(n, ls.length);
      const pick = ls.slice(from, to);
      const lastIsLast = to === ls.length;
      if (pick.length) call.io.stdout(pick.join("\n") + (lastIsLast && !complete ? "" : "\n"));
    }
    if (tail && !gnu && !opened) call.io.stderr("tail: no files\n");
    const follow = tail && Boolean(o.f.f || o.f.F);
    const retry = Boolean(o.f.F);
    const live = followed.filter((f) => retry || f.size !== undefined);
    if (!follow || !runsUntilStopped(call.s) || !followed.length) return status;
    if (!live.length) {
      if (gnu) call.io.stderr("tail: no files remaining\n");
      return 1;
    }
    const seconds = typeof o.f.s === "string" ? Number(o.f.s) : 1;
    const header = (files.length > 1 && !o.f.q) || Boolean(o.f.v);
    return followFiles(call, live, { intervalMs: Number.isFinite(seconds) ? seconds * 1000 : 1000, header, retry });
  };
}

interface Followed {
  name: string;
  path: string;
  /** Characters already shown; undefined while the file is missing. */
  size: number | undefined;
}

/**
 * tail -f: every interval, what was appended to each file since the last look; a file that got
 * shorter was truncated and is shown again from its start (as GNU tail says). With -F a missing
 * file is waited for. Ends only by a signal (Ctrl-C: the interpreter's 130).
 */
function* followFiles(call: AppletCall, files: Followed[], opts: { intervalMs: number; header: boolean; retry: boolean }): Run {
  const { io, s } = call;
  let lastShown = files.at(-1)?.name;
  for (;;) {
    yield { sleep: opts.intervalMs };
    for (const f of files) {
      const text = s.ctx.fs.read(f.path);
      if (text === undefined) {
        if (f.size !== undefined && opts.retry) io.stderr(`tail: '${f.name}' has become inaccessible: No such file or directory\n`);
        if (opts.retry) f.size = undefined;
        continue;
      }
      if (f.size === undefined) {
        if (!opts.retry) continue;
        io.stderr(`tail: '${f.name}' has appeared;  following new file\n`);
        f.size = 0;
      }
      if (text.length < f.size) {
        io.stderr(`tail: ${f.name}: file truncated\n`);
        f.size = 0;
      }
      if (text.length === f.size) continue;
      if (opts.header && lastShown !== f.name) io.stdout(`\n==> ${f.name} <==\n`);
      lastShown = f.name;
      io.stdout(text.slice(f.size));
      f.size = text.length;
    }
  }
}

export const head = headTail(false);
export const tail = headTail(true);

/** wc: lines, words, chars/bytes, the longest line; GNU sizes its columns to the largest count, busybox pads to 9. */
export function wc(args: string[], call: AppletCall): number {
  const gnu = variantOf(call) === "gnu";
  const o = parseOr(
    call,
    "wc",
    args,
    { flags: "lwcmL", long: { lines: "l", words: "w", bytes: "c", chars: "m", "max-line-length": "L" } },
    1,
  );
  if (!o) return 1;
  const { f } = o;
  const any = f.l || f.w || f.c || f.m || f.L;
  const want = any ? (["l", "w", "m", "c", "L"] as const).filter((k) => f[k]) : (["l", "w", "c"] as const);
  const inputs: Input[] = [];
  let failed = 0;
  // A directory still gets its row of zeros after the error.
  const dirs = new Set<Input>();
  for (const name of o.rest.length ? o.rest : ["-"]) {
    const input = readInput(name, call, "wc");
    if (input) inputs.push(input);
    else {
      failed++;
      if (name !== "-" && call.s.ctx.fs.isDir(resolvePath(name, call.s.cwd))) {
        const d = { name, text: "" };
        dirs.add(d);
        inputs.push(d);
      }
    }
  }
  const rows: { counts: number[]; name: string }[] = [];
  const total = want.map(() => 0);
  for (const input of inputs) {
    const text = input.text;
    const counts = want.map((k) => {
      switch (k) {
        case "l":
          return (text.match(/\n/g) ?? []).length;
        case "w":
          return text.split(/[ \t\n\r\f\v]+/).filter(Boolean).length;
        case "c":
          return dirs.has(input) ? 0 : bytesOf(input, call).length;
        case "m":
          return [...text].length;
        case "L":
          return Math.max(0, ...text.split("\n").map((l) => [...l.replace(/\t/g, "        ")].length));
      }
    });
    counts.forEach((c, i) => (total[i] = want[i] === "L" ? Math.max(total[i], c) : total[i] + c));
    rows.push({ counts, name: input.name === "-" && !o.rest.length ? "" : input.name });
  }
  const files = o.rest.length || 1;
  if (files > 1) rows.push({ counts: total, name: "total" });
  let width: number;
  if (gnu) {
    // GNU: one count of one input is unpadded; otherwise wide enough for the total size of the
    // files, and at least 7 when stdin (a pipe, whose size is unknown) is read.
    const sizes = inputs.reduce((n, i) => n + (i.path ? bytesOf(i, call).length : 0), 0);
    width = want.length === 1 && files === 1 ? 1 : Math.max(String(sizes).length, inputs.some((i) => !i.path) ? 7 : 1);
  } else width = want.length === 1 && files === 1 ? 1 : 9;
  call.io.stdout(rows.map((r) => `${r.counts.map((c) => String(c).padStart(width)).join(" ")}${r.name ? ` ${r.name}` : ""}\n`).join(""));
  return failed ? 1 : 0;
}

/** A cut list ("1,3-5,7-"): which 1-based positions it selects. */
function cutList(spec: string, gnu: boolean): ((i: number) => boolean) | string {
  const ranges: [number, number][] = [];
  for (const part of spec.split(/[, ]/)) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || part === "" || part === "-") return gnu ? `invalid range with no endpoint: -` : `invalid range`;
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    if (gnu && (lo === 0 || (m[3] && Number(m[3]) === 0))) return "fields are numbered from 1";
    if (hi < lo) return gnu ? "invalid decreasing range" : "invalid range";
    ranges.push([lo, hi]);
  }
  return (i) => ranges.some(([lo, hi]) => i >= lo && i <= hi);
}

export function cut(args: string[], call: AppletCall): number {
  const gnu = variantOf(call) === "gnu";
  const o = parseOr(
    call,
    "cut",
    args,
    {
      flags: "snz",
      values: "bcfdO",
      long: { bytes: "b", characters: "c", fields: "f", delimiter: "d", "only-delimited": "s", "output-delimiter": "O", complement: "C" },
    },
    1,
  );
  if (!o) return 1;
  const { f } = o;
  const mode = typeof f.f === "string" ? "f" : typeof f.c === "string" ? "c" : typeof f.b === "string" ? "b" : undefined;
  if (!mode) {
    if (gnu) return usageError(call, "cut", "you must specify a list of bytes, characters, or fields", 1, "");
    call.io.stderr("cut: expected a list of bytes, characters, or fields\n");
    return 1;
  }
  const delim = typeof f.d === "string" ? f.d : "\t";
  if (typeof f.d === "string" && [...delim].length !== 1) {
    if (gnu) return usageError(call, "cut", "the delimiter must be a single character", 1, "");
    call.io.stderr("cut: the delimiter must be a single character\n");
    return 1;
  }
  const sel = cutList(f[mode] as string, gnu);
  if (typeof sel === "string") {
    if (gnu) return usageError(call, "cut", sel, 1, "");
    call.io.stderr(`cut: ${sel}\n`);
    return 1;
  }
  const complement = !!f.C;
  const pick = (i: number) => sel(i) !== complement;
  const outDelim = typeof f.O === "string" ? f.O : delim;
  const { inputs, failed } = readInputs(o.rest, call, "cut");
  let out = "";
  for (const input of inputs) {
    for (const line of splitLines(input.text)) {
      if (mode === "f") {
        if (!line.includes(delim)) {
          if (!f.s) out += `${line}\n`;
          continue;
        }
        out += `${line
          .split(delim)
          .filter((_, i) => pick(i + 1))
          .join(outDelim)}\n`;
      } else {
        const units = mode === "c" ? [...line] : [...enc.encode(line)].map((b) => String.fromCharCode(b));
        const kept = units.filter((_, i) => pick(i + 1)).join("");
        out += `${mode === "b" ? dec.decode(Uint8Array.from(kept, (c) => c.charCodeAt(0))) : kept}\n`;
      }
    }
  }
  call.io.stdout(out);
  return failed ? 1 : 0;
}

interface SortKey {
  startField: number;
  startChar: number;
  endField: number;
  endChar: number;
  opts: string;
}

/** -k F[.C][OPTS][,F[.C][OPTS]] */
function parseKey(spec: string): SortKey | undefined {
  const m = /^(\d+)(?:\.(\d+))?([bdfghinMrV]*)(?:,(\d+)(?:\.(\d+))?([bdfghinMrV]*))?$/.exec(spec);
  if (!m || m[1] === "0") return undefined;
  return {
    startField: Number(m[1]),
    startChar: Number(m[2] ?? 1),
    endField: m[4] ? Number(m[4]) : Infinity,
    endChar: m[5] ? Number(m[5]) : 0,
    opts: `${m[3]}${m[6] ?? ""}`,
  };
}

/** The part of a line a key covers: fields split at -t's character, or where blanks begin. */
function keyText(line: string, key: SortKey, sep: string | undefined, skipBlanks: boolean): string {
  // Field start offsets.
  const starts: number[] = [];
  const ends: number[] = [];
  if (sep !== undefined) {
    let p = 0;
    for (const part of line.split(sep)) {
      starts.push(p);
      ends.push(p + part.length);
      p += part.length + sep.length;
    }
  } else {
    const re = /[ \t]*[^ \t]+/g;
    for (const m of line.matchAll(re)) {
      starts.push(m.index!);
      ends.push(m.index! + m[0].length);
    }
    if (!starts.length) {
      starts.push(0);
      ends.push(line.length);
    }
  }
  const fi = key.startField - 1;
  if (fi >= starts.length) return "";
  let from = starts[fi];
  if (skipBlanks) while (line[from] === " " || line[from] === "\t") from++;
  from += key.startChar - 1;
  let to = line.length;
  if (key.endField !== Infinity) {
    const ei = Math.min(key.endField, starts.length) - 1;
    to = key.endChar ? Math.min(starts[ei] + key.endChar, ends[ei]) : ends[ei];
  }
  return from < to ? line.slice(from, to) : "";
}

const SUFFIX = " KMGTPEZY";
/** -h: 2K < 1M; the suffix ranks first, then the number. */
const humanRank = (s: string): [number, number] => {
  const m = /^\s*(-?\d*\.?\d+)([KMGTPEZY]?)/i.exec(s);
  if (!m) return [0, 0];
  const v = Number(m[1]);
  const rank = m[2] ? SUFFIX.indexOf(m[2].toUpperCase()) : 0;
  return [Math.sign(v) * (rank + 1), v];
};
const numeric = (s: string) => {
  const m = /^\s*(-?(\d+\.?\d*|\.\d+))/.exec(s);
  return m ? Number(m[1]) : 0;
};

function compareBy(a: string, b: string, opts: string): number {
  let r: number;
  if (opts.includes("n")) r = numeric(a) - numeric(b);
  else if (opts.includes("g")) r = (parseFloat(a) || 0) - (parseFloat(b) || 0);
  else if (opts.includes("h")) {
    const [ra, va] = humanRank(a);
    const [rb, vb] = humanRank(b);
    r = ra - rb || va - vb;
  } else if (opts.includes("V")) r = a.localeCompare(b, "en", { numeric: true });
  else {
    const x = opts.includes("f") ? a.toUpperCase() : a;
    const y = opts.includes("f") ? b.toUpperCase() : b;
    r = x < y ? -1 : x > y ? 1 : 0;
  }
  return opts.includes("r") ? -r : r;
}

export function sort(args: string[], call: AppletCall): number {
  const gnu = variantOf(call) === "gnu";
  const o = parseOr(
    call,
    "sort",
    args,
    {
      flags: gnu ? "nrufbgdihcMsVzCR" : "nrufbgdicMsVz",
      values: "kto",
      long: {
        "numeric-sort": "n",
        reverse: "r",
        unique: "u",
        "ignore-case": "f",
        "ignore-leading-blanks": "b",
        "general-numeric-sort": "g",
        "human-numeric-sort": "h",
        key: "k",
        "field-separator": "t",
        output: "o",
        check: "c",
        stable: "s",
        "version-sort": "V",
      },
    },
    2,
  );
  if (!o) return 2;
  const { f } = o;
  const global = ["n", "r", "f", "b", "g", "h", "V", "M"].filter((k) => f[k]).join("");
  const keys: SortKey[] = [];
  for (const k of o.all.k ?? []) {
    const key = parseKey(k);
    if (!key) {
      call.io.stderr(gnu ? `sort: invalid number at field start: invalid count at start of ‘${k}’\n` : "sort: bad field specification\n");
      return 2;
    }
    if (!key.opts) key.opts = global;
    keys.push(key);
  }
  const sep = typeof f.t === "string" ? f.t : undefined;
  if (sep !== undefined && sep.length !== 1) {
    call.io.stderr(gnu ? `sort: multi-character tab ‘${sep}’\n` : "sort: bad -t parameter\n");
    return 2;
  }
  const inputs: Input[] = [];
  for (const name of o.rest.length ? o.rest : ["-"]) {
    const input = readInput(name, call, "sort");
    if (!input) return 2;
    inputs.push(input);
  }
  const all = inputs.flatMap((i) => splitLines(i.text));
  const byKeys = (a: string, b: string) => {
    if (!keys.length) return compareBy(f.b ? a.trimStart() : a, f.b ? b.trimStart() : b, global);
    for (const k of keys) {
      const r = compareBy(keyText(a, k, sep, k.opts.includes("b")), keyText(b, k, sep, k.opts.includes("b")), k.opts);
      if (r) return r;
    }
    return 0;
  };
  // Lines equal by their keys fall back to whole-line byte order, unless -s or -u.
  const full = (a: string, b: string) => byKeys(a, b) || (f.s || f.u ? 0 : (a < b ? -1 : a > b ? 1 : 0) * (global.includes("r") ? -1 : 1));
  if (f.c || f.C) {
    for (let i = 1; i < all.length; i++) {
      const r = full(all[i - 1], all[i]);
      if (r > 0 || (f.u && r === 0)) {
        if (!f.C) call.io.stderr(gnu ? `sort: ${o.rest[0] ?? "-"}:${i + 1}: disorder: ${all[i]}\n` : `sort: disorder: ${all[i]}\n`);
        return 1;
      }
    }
    return 0;
  }
  const sorted = [...all].sort(full);
  const out = f.u ? sorted.filter((l, i) => i === 0 || byKeys(sorted[i - 1], l) !== 0) : sorted;
  if (typeof f.o === "string") call.s.ctx.fs.write(resolvePath(f.o, call.s.cwd), joinLines(out));
  else call.io.stdout(joinLines(out));
  return 0;
}

export function uniq(args: string[], call: AppletCall): number {
  const o = parseOr(
    call,
    "uniq",
    args,
    {
      flags: "cdiuDz",
      values: "fsw",
      long: { count: "c", repeated: "d", unique: "u", "ignore-case": "i", "skip-fields": "f", "skip-chars": "s", "check-chars": "w" },
    },
    1,
  );
  if (!o) return 1;
  const { f } = o;
  const input = readInput(o.rest[0] ?? "-", call, "uniq");
  if (!input) return 1;
  const skipFields = Number(f.f ?? 0);
  const skipChars = Number(f.s ?? 0);
  const width = typeof f.w === "string" ? Number(f.w) : Infinity;
  const keyOf = (l: string) => {
    let k = l;
    for (let i = 0; i < skipFields; i++) k = k.replace(/^[ \t]*[^ \t]*/, "");
    k = k.slice(skipChars).slice(0, width);
    return f.i ? k.toLowerCase() : k;
  };
  const groups: { line: string; n: number }[] = [];
  let prev: string | undefined;
  for (const l of splitLines(input.text)) {
    const k = keyOf(l);
    if (groups.length && k === prev) groups[groups.length - 1].n++;
    else groups.push({ line: l, n: 1 });
    prev = k;
  }
  const kept = groups.filter((g) => (f.d ? g.n > 1 : f.u ? g.n === 1 : true));
  const text = kept.map((g) => (f.c ? `${String(g.n).padStart(7)} ${g.line}\n` : `${g.line}\n`)).join("");
  if (o.rest[1]) call.s.ctx.fs.write(resolvePath(o.rest[1], call.s.cwd), text);
  else call.io.stdout(text);
  return 0;
}

const TR_CLASSES: Record<string, () => string> = {
  upper: () => range(65, 90),
  lower: () => range(97, 122),
  alpha: () => range(65, 90) + range(97, 122),
  digit: () => range(48, 57),
  alnum: () => range(48, 57) + range(65, 90) + range(97, 122),
  space: () => " \t\n\r\f\v",
  blank: () => " \t",
  punct: () => [...range(33, 126)].filter((c) => !/[0-9A-Za-z]/.test(c)).join(""),
  xdigit: () => `${range(48, 57)}ABCDEFabcdef`,
  cntrl: () => `${range(0, 31)}\x7f`,
  print: () => range(32, 126),
  graph: () => range(33, 126),
};
function range(a: number, b: number): string {
  let s = "";
  for (let c = a; c <= b; c++) s += String.fromCharCode(c);
  return s;
}

/** A tr set: escapes (\n \t \\ \NNN), ranges a-z, classes [:upper:], GNU's repeats [c*n]. */
function trSet(spec: string, fillTo?: number): string {
  const chars: string[] = [];
  const unesc = (i: number): [string, number] => {
    if (spec[i] !== "\\" || i + 1 >= spec.length) return [spec[i], i + 1];
    const oct = /^[0-7]{1,3}/.exec(spec.slice(i + 1));
    if (oct) return [String.fromCharCode(parseInt(oct[0], 8)), i + 1 + oct[0].length];
    const e = spec[i + 1];
    return [({ n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" } as Record<string, string>)[e] ?? e, i + 2];
  };
  for (let i = 0; i < spec.length; ) {
    const cls = /^\[:([a-z]+):\]/.exec(spec.slice(i));
    if (cls && TR_CLASSES[cls[1]]) {
      chars.push(...TR_CLASSES[cls[1]]());
      i += cls[0].length;
      continue;
    }
    const rep = /^\[(.)\*(\d*)\]/.exec(spec.slice(i));
    if (rep) {
      const n = rep[2] ? Number(rep[2]) : Math.max(0, (fillTo ?? 0) - chars.length);
      chars.push(...rep[1].repeat(n));
      i += rep[0].length;
      continue;
    }
    const [c, next] = unesc(i);
    if (spec[next] === "-" && next + 1 < spec.length) {
      const [d, after] = unesc(next + 1);
      chars.push(...range(c.charCodeAt(0), d.charCodeAt(0)));
      i = after;
      continue;
    }
    chars.push(c);
    i = next;
  }
  return chars.join("");
}

export function tr(args: string[], call: AppletCall): number {
  const gnu = variantOf(call) === "gnu";
  const o = parseOr(call, "tr", args, { flags: "cdstC", long: { complement: "c", delete: "d", "squeeze-repeats": "s", truncate: "t" } }, 1);
  if (!o) return 1;
  const { f, rest } = o;
  const complement = !!(f.c || f.C);
  if (!rest.length) return gnu ? usageError(call, "tr", "missing operand", 1, "") : usageError(call, "tr", undefined, 1);
  if (!f.d && !f.s && rest.length < 2) {
    if (gnu) {
      call.io.stderr(
        `tr: missing operand after ‘${rest[0]}’\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n`,
      );
      return 1;
    }
    // busybox translates with an empty second set: nothing changes.
    call.io.stdout(call.stdin);
    return 0;
  }
  let set1 = trSet(rest[0]);
  const inSet1 = (c: string) => set1.includes(c) !== complement;
  const input = call.stdin;
  let out = "";
  if (f.d) {
    const squeeze = f.s ? trSet(rest[1] ?? "") : "";
    for (const c of input) {
      if (inSet1(c)) continue;
      if (squeeze.includes(c) && out.endsWith(c)) continue;
      out += c;
    }
    call.io.stdout(out);
    return 0;
  }
  if (complement) set1 = [...range(0, 255)].filter((c) => !set1.includes(c)).join("");
  const set2 = rest.length > 1 ? trSet(rest[1], set1.length) : "";
  const map = new Map<string, string>();
  if (set2) [...set1].forEach((c, i) => map.set(c, set2[Math.min(i, set2.length - 1)]));
  const squeeze = f.s ? set2 || set1 : "";
  let last = "";
  for (const c of input) {
    const t = map.get(c) ?? c;
    if (squeeze && t === last && squeeze.includes(t)) continue;
    out += t;
    last = t;
  }
  call.io.stdout(out);
  return 0;
}

export function tee(args: string[], call: AppletCall): number {
  const o = parseOr(call, "tee", args, { flags: "aip", long: { append: "a", "ignore-interrupts": "i" } }, 1);
  if (!o) return 1;
  const { s, io, stdin } = call;
  io.stdout(stdin);
  let status = 0;
  for (const name of o.rest) {
    const p = resolvePath(name, s.cwd);
    try {
      if (s.ctx.fs.isDir(p)) throw new FSError("EISDIR", p);
      const parent = p.slice(0, p.lastIndexOf("/")) || "/";
      if (!s.ctx.fs.isDir(parent)) throw new FSError("ENOENT", p);
      s.ctx.fs.write(p, (o.f.a ? (s.ctx.fs.read(p) ?? "") : "") + stdin);
    } catch (e) {
      if (!(e instanceof FSError)) throw e;
      io.stderr(`tee: ${name}: ${e.message}\n`);
      status = 1;
    }
  }
  return status;
}

/** tac: the lines in reverse; a last line without its newline runs into the one before, as in GNU and busybox. */
export function tac(args: string[], call: AppletCall): number {
  const o = parseOr(call, "tac", args, { flags: "" }, 1);
  if (!o) return 1;
  const { inputs, failed } = readInputs(o.rest, call, "tac");
  call.io.stdout(
    inputs
      .map((i) =>
        i.text
          .split(/(?<=\n)/)
          .reverse()
          .join(""),
      )
      .join(""),
  );
  return failed ? 1 : 0;
}

/** rev (busybox): each line's characters in reverse. */
export function rev(args: string[], call: AppletCall): number {
  const { inputs, failed } = readInputs(args, call, "rev");
  call.io.stdout(
    inputs
      .map((i) =>
        i.text
          .split("\n")
          .map((l) => [...l].reverse().join(""))
          .join("\n"),
      )
      .join(""),
  );
  return failed ? 1 : 0;
}

/** nl: numbers the non-empty lines (-b a: every line), width 6 and a tab; other lines get the same indent. */
export function nl(args: string[], call: AppletCall): number {
  const o = parseOr(
    call,
    "nl",
    args,
    {
      flags: "p",
      values: "bwsvinhfdl",
      long: { "body-numbering": "b", "number-width": "w", "number-separator": "s", "starting-line-number": "v", "line-increment": "i" },
    },
    1,
  );
  if (!o) return 1;
  const width = Number(o.f.w ?? 6);
  const sep = typeof o.f.s === "string" ? o.f.s : "\t";
  const all = o.f.b === "a";
  let n = Number(o.f.v ?? 1);
  const step = Number(o.f.i ?? 1);
  const { inputs, failed } = readInputs(o.rest, call, "nl");
  let out = "";
  for (const input of inputs)
    for (const line of splitLines(input.text)) {
      if (line === "" && !all) {
        out += `${" ".repeat(width + sep.length)}\n`;
        continue;
      }
      out += `${String(n).padStart(width)}${sep}${line}\n`;
      n += step;
    }
  call.io.stdout(out);
  return failed ? 1 : 0;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function encode64(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out +=
      B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < b.length ? B64[n & 63] : "=");
  }
  return out;
}

/** Decode, stopping at the first character that is not base64 (then `bad`); newlines are skipped. */
function decode64(s: string, ignoreGarbage: boolean): { bytes: Uint8Array; bad: boolean; truncated: boolean } {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  let bad = false;
  let ended = false;
  let count = 0;
  for (const c of s) {
    if (c === "\n" || c === "\r") continue;
    count++;
    if (c === "=") {
      ended = true;
      continue;
    }
    const v = B64.indexOf(c);
    if (v < 0 || ended) {
      if (ignoreGarbage && !ended) continue;
      bad = true;
      break;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
    }
  }
  // A final group that is not a whole quantum is invalid input.
  const truncated = !bad && count % 4 !== 0;
  return { bytes: Uint8Array.from(out), bad: bad || truncated, truncated };
}

export function base64(args: string[], call: AppletCall): number {
  const o = parseOr(call, "base64", args, { flags: "di", values: "w", long: { decode: "d", "ignore-garbage": "i", wrap: "w" } }, 1);
  if (!o) return 1;
  const input = readInput(o.rest[0] ?? "-", call, "base64");
  if (!input) return 1;
  const bytes = bytesOf(input, call);
  if (o.f.d) {
    const {
      bytes: out,
      bad,
      truncated,
    } = decode64(input.path ? input.text : call.stdinBytes ? dec.decode(call.stdinBytes) : input.text, !!o.f.i);
    // busybox refuses a last group cut short without writing it; GNU writes what it decoded.
    if (truncated && variantOf(call) !== "gnu") {
      call.io.stderr("base64: truncated input\n");
      return 1;
    }
    writeBytes(call, out);
    if (bad) {
      call.io.stderr("base64: invalid input\n");
      return 1;
    }
    return 0;
  }
  const wrap = typeof o.f.w === "string" ? Number(o.f.w) : 76;
  if (!Number.isInteger(wrap) || wrap < 0) {
    call.io.stderr(`base64: invalid wrap size: ‘${o.f.w}’\n`);
    return 1;
  }
  const text = encode64(bytes);
  if (!text) return 0;
  const wrapped = wrap ? text.match(new RegExp(`.{1,${wrap}}`, "g"))!.join("\n") + "\n" : text;
  call.io.stdout(wrapped);
  return 0;
}
