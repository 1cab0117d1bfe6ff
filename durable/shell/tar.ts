// tar, as kubectl cp drives it over exec: `tar -xmf - -C <dir>` (with --no-same-permissions
// --no-same-owner) to a pod, `tar cf - <path>` from one, and `tar tf`. Archives are ustar blocks with
// GNU long names (././@LongLink), which Go's archive/tar reads; reading takes ustar, GNU and pax
// (what Go's writer makes for long names). Messages are GNU tar's in glibc images and busybox's in
// busybox/alpine ones. No compression (-z): these images' tar is built without it here.
import { FSError, resolvePath } from "../fs";
import type { AppletCall } from "./applets";

export interface TarEntry {
  name: string;
  type: "file" | "dir" | "symlink" | "link";
  data?: Uint8Array;
  mode?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  linkname?: string;
}

export class TarError extends Error {}

const BLOCK = 512;
const enc = new TextEncoder();
const dec = new TextDecoder();

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

/** One 512-byte header; the checksum is the unsigned sum of its bytes with the field as spaces. */
function header(name: Uint8Array, type: string, size: number, mode: number, mtime: number, linkname = ""): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (off: number, len: number, v: string | Uint8Array) =>
    h.set((typeof v === "string" ? enc.encode(v) : v).subarray(0, len), off);
  put(0, 100, name);
  put(100, 8, octal(mode, 8));
  put(108, 8, octal(0, 8));
  put(116, 8, octal(0, 8));
  put(124, 12, octal(size, 12));
  put(136, 12, octal(mtime, 12));
  put(148, 8, "        ");
  put(156, 1, type);
  put(157, 100, linkname);
  put(257, 8, "ustar  \0"); // GNU tar's magic and version
  put(265, 32, "root");
  put(297, 32, "root");
  put(148, 8, checksumField(h));
  return h;
}

function checksumField(h: Uint8Array): string {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum.toString(8).padStart(6, "0") + "\0 ";
}

/** An archive of `entries` (GNU format), ending with two zero blocks, padded to `record` bytes. */
export function packTar(entries: TarEntry[], record = BLOCK * 20): Uint8Array {
  const parts: Uint8Array[] = [];
  const pad = (n: number) => new Uint8Array((BLOCK - (n % BLOCK)) % BLOCK);
  for (const e of entries) {
    const name = enc.encode(e.type === "dir" && !e.name.endsWith("/") ? `${e.name}/` : e.name);
    const mtime = Math.floor(e.mtime ?? 0);
    if (name.length > 100) {
      const long = new Uint8Array(name.length + 1);
      long.set(name);
      parts.push(header(enc.encode("././@LongLink"), "L", long.length, 0o644, 0), long, pad(long.length));
    }
    const size = e.type === "file" ? (e.data?.length ?? 0) : 0;
    const type = { file: "0", dir: "5", symlink: "2", link: "1" }[e.type];
    parts.push(header(name, type, size, e.mode ?? (e.type === "dir" ? 0o755 : 0o644), mtime, e.linkname));
    if (size) parts.push(e.data!, pad(size));
  }
  let total = parts.reduce((n, p) => n + p.length, 0) + 2 * BLOCK;
  total = Math.ceil(total / record) * record;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) out.set(p, (off += p.length) - p.length);
  return out;
}

/** A numeric field: octal text, or base-256 when the high bit is set (GNU, for big values). */
function number(b: Uint8Array): number {
  if (b[0] & 0x80) {
    let n = b[0] & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i];
    return n;
  }
  const s =
    dec
      .decode(b)
      .replace(/[\0 ].*$/s, "")
      .trim() || dec.decode(b).replace(/\0/g, "").trim();
  return s ? parseInt(s, 8) : 0;
}

const cstring = (b: Uint8Array) => {
  const end = b.indexOf(0);
  return dec.decode(end < 0 ? b : b.subarray(0, end));
};

/** The entries of an archive (ustar, GNU, pax); throws TarError on a header that is not tar. */
export function unpackTar(bytes: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  for (let off = 0; off + BLOCK <= bytes.length; ) {
    const h = bytes.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) break;
    let unsigned = 0,
      signed = 0;
    for (let i = 0; i < BLOCK; i++) {
      const v = i >= 148 && i < 156 ? 32 : h[i];
      unsigned += v;
      signed += v > 127 ? v - 256 : v;
    }
    const sum = number(h.subarray(148, 156));
    if (sum !== unsigned && sum !== signed) throw new TarError("checksum");
    const type = String.fromCharCode(h[156] || 48);
    const size = pax.size !== undefined ? Number(pax.size) : number(h.subarray(124, 136));
    const data = bytes.subarray(off + BLOCK, off + BLOCK + size);
    if (data.length < size) throw new TarError("short");
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = cstring(data);
      continue;
    }
    if (type === "K") {
      longLink = cstring(data);
      continue;
    }
    if (type === "x" || type === "g") {
      if (type === "x") pax = { ...pax, ...paxRecords(data) };
      continue;
    }
    const magic = dec.decode(h.subarray(257, 263));
    let name = cstring(h.subarray(0, 100));
    if (magic === "ustar\0" && h[345]) name = `${cstring(h.subarray(345, 500))}/${name}`;
    name = pax.path ?? longName ?? name;
    const linkname = pax.linkpath ?? longLink ?? cstring(h.subarray(157, 257));
    const entry: TarEntry = {
      name,
      type: "file",
      mode: number(h.subarray(100, 108)),
      mtime: pax.mtime !== undefined ? Number(pax.mtime) : number(h.subarray(136, 148)),
    };
    if (type === "5") entry.type = "dir";
    else if (type === "2") Object.assign(entry, { type: "symlink", linkname });
    else if (type === "1") Object.assign(entry, { type: "link", linkname });
    else if ("07".includes(type)) entry.data = data.slice();
    else {
      [longName, longLink, pax] = [undefined, undefined, {}];
      continue;
    } // devices, fifos: nothing to make here
    out.push(entry);
    [longName, longLink, pax] = [undefined, undefined, {}];
  }
  return out;
}

/** pax extended header records: "<len> <key>=<value>\n". */
function paxRecords(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < data.length; ) {
    const sp = data.indexOf(32, i);
    if (sp < 0) break;
    const len = Number(dec.decode(data.subarray(i, sp)));
    if (!len) break;
    const rec = dec.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

// ---- the applet ---------------------------------------------------------------------------------

interface Options {
  mode?: "c" | "x" | "t";
  file: string;
  dir?: string;
  verbose: boolean;
  gzip: boolean;
  toStdout: boolean;
  members: string[];
  bad?: string;
}

/** GNU-style arguments: an old-style first word ("cf", "xvf"), bundled short options, long options. */
function parseArgs(args: string[]): Options {
  const o: Options = { file: "-", verbose: false, gzip: false, toStdout: false, members: [] };
  const rest = [...args];
  const letters = (word: string) => {
    for (let j = 0; j < word.length; j++) {
      const c = word[j];
      if (c === "c" || c === "x" || c === "t") o.mode = c;
      else if (c === "f" || c === "C") {
        const v = j + 1 < word.length && !oldStyle ? word.slice(j + 1) : rest.shift();
        if (c === "f") o.file = v ?? "-";
        else o.dir = v;
        if (!oldStyle) return;
      } else if (c === "v") o.verbose = true;
      else if (c === "z") o.gzip = true;
      else if (c === "O") o.toStdout = true;
      else if (!"mpoh".includes(c)) o.bad ??= c;
    }
  };
  let oldStyle = false;
  if (rest.length && !rest[0].startsWith("-")) {
    oldStyle = true;
    letters(rest.shift()!);
    oldStyle = false;
  }
  while (rest.length) {
    const a = rest.shift()!;
    if (a === "--") {
      o.members.push(...rest.splice(0));
      break;
    }
    if (a.startsWith("--")) {
      const [k, v] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
      if (k === "--file") o.file = v ?? rest.shift() ?? "-";
      else if (k === "--directory") o.dir = v ?? rest.shift();
      else if (k === "--extract" || k === "--get") o.mode = "x";
      else if (k === "--create") o.mode = "c";
      else if (k === "--list") o.mode = "t";
      else if (k === "--verbose") o.verbose = true;
      else if (k === "--gzip") o.gzip = true;
      else if (k === "--to-stdout") o.toStdout = true;
      // --no-same-permissions, --no-same-owner, --touch …: what the simulated files do anyway
      else if (!/^--(no-)?(same-permissions|same-owner|preserve-permissions|touch|overwrite|numeric-owner)$/.test(k)) o.bad ??= a;
    } else if (a.startsWith("-") && a.length > 1) letters(a.slice(1));
    else o.members.push(a);
  }
  return o;
}

const BUSYBOX_USAGE =
  "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: tar c|x|t [-ZzJjahmvokO] [-f TARFILE] [-C DIR] [-T FILE] [-X FILE] [LONGOPT]... [FILE]...\n\nCreate, extract, or list files from a tar file\n";

/** tar over the container's filesystem; the archive is stdin/stdout ("-") or a file. */
export function tar(args: string[], call: AppletCall): number {
  const { s, io } = call;
  const busybox = (s.ctx.image?.program("tar") ?? "busybox") === "busybox";
  const o = parseArgs(args);
  const gnuTry = "Try 'tar --help' or 'tar --usage' for more information.\n";
  if (o.bad) {
    if (busybox) io.stderr(`tar: unrecognized option '${o.bad}'\n${BUSYBOX_USAGE}`);
    else
      io.stderr(o.bad.startsWith("--") ? `tar: unrecognized option '${o.bad}'\n${gnuTry}` : `tar: invalid option -- '${o.bad}'\n${gnuTry}`);
    return busybox ? 1 : 64;
  }
  if (!o.mode) {
    io.stderr(busybox ? BUSYBOX_USAGE : `tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n${gnuTry}`);
    return busybox ? 1 : 2;
  }
  if (o.gzip) {
    io.stderr(
      busybox
        ? "tar: invalid option -- 'z'\n" + BUSYBOX_USAGE
        : "tar (child): gzip: Cannot exec: No such file or directory\ntar (child): Error is not recoverable: exiting now\ntar: Child returned status 2\ntar: Error is not recoverable: exiting now\n",
    );
    return 2;
  }
  const dir = resolvePath(o.dir ?? ".", s.cwd);
  if (!s.ctx.fs.isDir(dir)) {
    io.stderr(
      busybox
        ? `tar: can't change directory to '${o.dir}': No such file or directory\n`
        : `tar: ${o.dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`,
    );
    return busybox ? 1 : 2;
  }
  let failed = false;
  const fail = (gnu: string, bb: string) => {
    io.stderr(`tar: ${busybox ? bb : gnu}\n`);
    failed = true;
  };
  const finish = () => (failed ? (busybox ? 1 : (io.stderr("tar: Exiting with failure status due to previous errors\n"), 2)) : 0);

  if (o.mode === "c") {
    if (!o.members.length) {
      io.stderr(busybox ? "tar: empty archive\n" : `tar: Cowardly refusing to create an empty archive\n${gnuTry}`);
      return busybox ? 1 : 2;
    }
    const entries: TarEntry[] = [];
    let warned = false;
    const add = (abs: string, name: string) => {
      const st = s.ctx.fs.stat?.(abs);
      const mtime = Math.floor((st?.mtime ?? s.ctx.now()) / 1000);
      if (s.ctx.fs.isDir(abs)) {
        entries.push({ name, type: "dir", mtime });
        for (const child of s.ctx.fs.list(abs) ?? []) add(`${abs === "/" ? "" : abs}/${child}`, `${name.replace(/\/$/, "")}/${child}`);
      } else {
        const data = s.ctx.fs.readBytes?.(abs) ?? enc.encode(s.ctx.fs.read(abs) ?? "");
        entries.push({ name, type: "file", data, mtime });
      }
    };
    for (const m of o.members) {
      const abs = resolvePath(m, dir);
      if (!s.ctx.fs.isDir(abs) && s.ctx.fs.read(abs) === undefined) {
        fail(`${m}: Cannot stat: No such file or directory`, `${m}: No such file or directory`);
        if (busybox) return 1;
        continue;
      }
      let name = m.replace(/^(\.\/)+/, "");
      if (name.startsWith("/")) {
        name = name.replace(/^\/+/, "");
        if (!warned) io.stderr(busybox ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
        warned = true;
      }
      add(abs, name || ".");
    }
    const archive = packTar(entries, busybox ? BLOCK : BLOCK * 20);
    const names = entries.map((e) => `${e.type === "dir" ? e.name.replace(/\/?$/, "/") : e.name}\n`).join("");
    if (o.verbose) o.file === "-" ? io.stderr(names) : io.stdout(names);
    if (o.file === "-") {
      if (io.stdoutBytes) io.stdoutBytes(archive);
      else io.stdout(dec.decode(archive));
    } else
      s.ctx.fs.writeBytes
        ? s.ctx.fs.writeBytes(resolvePath(o.file, s.cwd), archive)
        : s.ctx.fs.write(resolvePath(o.file, s.cwd), dec.decode(archive));
    return finish();
  }

  // x and t read an archive.
  let bytes: Uint8Array | undefined;
  if (o.file === "-") bytes = call.stdinBytes ?? enc.encode(call.stdin);
  else {
    const p = resolvePath(o.file, s.cwd);
    bytes = s.ctx.fs.readBytes?.(p) ?? (s.ctx.fs.read(p) !== undefined ? enc.encode(s.ctx.fs.read(p)!) : undefined);
    if (!bytes) {
      io.stderr(
        busybox
          ? `tar: can't open '${o.file}': No such file or directory\n`
          : `tar: ${o.file}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`,
      );
      return 2;
    }
  }
  let entries: TarEntry[];
  try {
    entries = unpackTar(bytes);
  } catch (e) {
    if (!(e instanceof TarError)) throw e;
    if (busybox) {
      io.stderr(e.message === "short" ? "tar: short read\n" : "tar: invalid tar magic\n");
      return 1;
    }
    io.stderr(
      e.message === "short"
        ? "tar: Unexpected EOF in archive\ntar: Error is not recoverable: exiting now\n"
        : "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n",
    );
    return 2;
  }
  if (!bytes.length && !busybox) {
    io.stderr("tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n");
    return 2;
  }
  const wanted = (name: string) => !o.members.length || o.members.some((m) => name === m || name.startsWith(`${m.replace(/\/$/, "")}/`));
  let warned = false;
  for (const e of entries) {
    if (!wanted(e.name)) continue;
    if (o.mode === "t") {
      io.stdout(
        o.verbose
          ? `${listMode(e)} root/root ${String(e.data?.length ?? 0).padStart(busybox ? 9 : 8)} ${stamp(e.mtime ?? 0)} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ""}\n`
          : `${e.name}\n`,
      );
      continue;
    }
    let name = e.name;
    if (name.startsWith("/")) {
      name = name.replace(/^\/+/, "");
      if (!warned && !busybox) io.stderr("tar: Removing leading `/' from member names\n");
      warned = true;
    }
    if (name.split("/").includes("..")) {
      fail(`${e.name}: Member name contains '..'`, `skipping unsafe path: ${e.name}`);
      continue;
    }
    if (o.verbose) io.stdout(`${e.name}\n`);
    const target = resolvePath(name, dir);
    try {
      if (o.toStdout) {
        if (e.data) io.stdoutBytes ? io.stdoutBytes(e.data) : io.stdout(dec.decode(e.data));
      } else if (e.type === "dir") {
        if (s.ctx.fs.mkdir) s.ctx.fs.mkdir(target);
      } else if (e.type === "symlink" || e.type === "link") {
        // No links in the simulated filesystem: a link becomes a copy of what it points to, when it can.
        const src = resolvePath(e.linkname ?? "", e.type === "link" ? dir : target.slice(0, target.lastIndexOf("/")) || "/");
        const data = s.ctx.fs.readBytes?.(src);
        if (data) write(target, data);
      } else write(target, e.data ?? new Uint8Array(0));
    } catch (err) {
      if (!(err instanceof FSError)) throw err;
      fail(`${name}: Cannot open: ${err.message}`, `can't open '${name}': ${err.message}`);
      if (busybox) return 1;
    }
  }
  return finish();

  function write(path: string, data: Uint8Array) {
    if (s.ctx.fs.isDir(path)) {
      if (!s.ctx.fs.removeTree || (s.ctx.fs.list(path) ?? []).length) throw new FSError("EISDIR", path);
      s.ctx.fs.removeTree(path);
    }
    if (s.ctx.fs.writeBytes) s.ctx.fs.writeBytes(path, data);
    else s.ctx.fs.write(path, dec.decode(data));
  }
}

function listMode(e: TarEntry): string {
  const m = e.mode ?? 0o644;
  const bits = [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1].map((b, i) => (m & b ? "rwx"[i % 3] : "-")).join("");
  return `${e.type === "dir" ? "d" : e.type === "symlink" ? "l" : e.type === "link" ? "h" : "-"}${bits}`;
}

function stamp(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
