// The filesystem a shell sees: VirtualFS is the interface the interpreter and its applets use,
// MemoryFS an in-memory tree (of text or bytes), FSError the errno an operation fails with. A leaf:
// the container's view of it over time is durable/nodes/runtime/files.ts.
export interface VirtualFS {
  /** A file as UTF-8 text (what the shell reads). */
  read(path: string): string | undefined;
  list(dir: string): string[] | undefined;
  isDir(path: string): boolean;
  /** Write a file (text); may throw FSError (EROFS, EISDIR, ENOSPC). */
  write(path: string, data: string): void;
  /** Remove a file (rm); false when there was none. */
  remove?(path: string): boolean;
  /** A file's bytes (tar, cat): binary-safe. */
  readBytes?(path: string): Uint8Array | undefined;
  writeBytes?(path: string, data: Uint8Array): void;
  /** Create a directory and its parents (mkdir -p). */
  mkdir?(path: string): void;
  /** Remove a directory and everything under it (rm -r). */
  removeTree?(path: string): boolean;
  /** Modification time (ms), permission bits and owner, when known. */
  stat?(path: string): FileStat | undefined;
  /** Set a file's permission bits (chmod). */
  chmod?(path: string, mode: number): void;
}

export interface FileStat {
  dir: boolean;
  size: number;
  mtime?: number;
  mode?: number;
  /** Owner and group; unset, root's. */
  uid?: number;
  gid?: number;
}

const ERRNO = {
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EROFS: "Read-only file system",
  ENOENT: "No such file or directory",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ENOSPC: "No space left on device",
  EBUSY: "Device or resource busy",
} as const;

/** A failed filesystem call, with the C library's message (strerror) as `message`. */
export class FSError extends Error {
  constructor(
    readonly code: keyof typeof ERRNO,
    readonly path: string,
  ) {
    super(ERRNO[code]);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const utf8 = (b: Uint8Array) => dec.decode(b);
export const bytesOf = (s: string) => enc.encode(s);

/** "/a/./b/../c/" → "/a/c" (relative paths against `cwd`). */
export function resolvePath(path: string, cwd = "/"): string {
  const parts: string[] = [];
  for (const p of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
    if (!p || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

/** A file's content, kept in the form it was written and converted once when read the other way. */
interface Entry {
  text?: string;
  bytes?: Uint8Array;
  mtime?: number;
  /** Permission bits set by chmod; unset, a file is 0644 as root's umask makes it. */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** An in-memory tree from a map of absolute file paths to contents; directories are implied. */
export class MemoryFS implements VirtualFS {
  private files = new Map<string, Entry>();
  private dirs = new Set<string>(["/"]);
  private dirModes = new Map<string, number>();
  private dirOwners = new Map<string, { uid: number; gid: number }>();

  constructor(files: Record<string, string> = {}, dirs: string[] = []) {
    for (const d of dirs) this.mkdir(d);
    for (const [p, data] of Object.entries(files)) this.write(p, data);
  }

  mkdir(path: string, _mtime?: number): void {
    const p = resolvePath(path);
    if (this.files.has(p)) throw new FSError("ENOTDIR", p);
    for (let d = p; d !== "/"; d = parentOf(d)) this.dirs.add(d);
  }

  read(path: string): string | undefined {
    const e = this.files.get(resolvePath(path));
    if (e && e.text === undefined) e.text = utf8(e.bytes!);
    return e?.text;
  }

  readBytes(path: string): Uint8Array | undefined {
    const e = this.files.get(resolvePath(path));
    if (e && !e.bytes) e.bytes = bytesOf(e.text!);
    return e?.bytes;
  }

  isDir(path: string): boolean {
    return this.dirs.has(resolvePath(path));
  }

  stat(path: string): FileStat | undefined {
    const p = resolvePath(path);
    if (this.dirs.has(p)) return { dir: true, size: 4096, mode: this.dirModes.get(p) ?? 0o755, ...this.dirOwners.get(p) };
    const e = this.files.get(p);
    return e && { dir: false, size: this.readBytes(p)!.length, mtime: e.mtime, mode: e.mode ?? 0o644, uid: e.uid, gid: e.gid };
  }

  /** Set a file's or directory's owner and group (chown). */
  chown(path: string, uid: number, gid: number): void {
    const p = resolvePath(path);
    const e = this.files.get(p);
    if (e) {
      e.uid = uid;
      e.gid = gid;
    } else if (this.dirs.has(p)) this.dirOwners.set(p, { uid, gid });
    else throw new FSError("ENOENT", p);
  }

  chmod(path: string, mode: number): void {
    const p = resolvePath(path);
    const e = this.files.get(p);
    if (e) e.mode = mode & 0o7777;
    else if (this.dirs.has(p)) this.dirModes.set(p, mode & 0o7777);
    else throw new FSError("ENOENT", p);
  }

  list(dir: string): string[] | undefined {
    const d = resolvePath(dir);
    if (!this.dirs.has(d)) return undefined;
    const prefix = d === "/" ? "/" : `${d}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split("/")[0]);
    return [...names].sort();
  }

  remove(path: string): boolean {
    return this.files.delete(resolvePath(path));
  }

  removeTree(path: string): boolean {
    const p = resolvePath(path);
    if (p === "/") return false;
    let found = this.files.delete(p) || this.dirs.delete(p);
    for (const k of [...this.files.keys(), ...this.dirs])
      if (k.startsWith(`${p}/`)) found = this.files.delete(k) || this.dirs.delete(k) || found;
    return found;
  }

  write(path: string, data: string, mtime?: number): void {
    this.put(path, { text: data, mtime });
  }

  writeBytes(path: string, data: Uint8Array, mtime?: number): void {
    this.put(path, { bytes: data, mtime });
  }

  private put(path: string, e: Entry): void {
    const p = resolvePath(path);
    if (this.dirs.has(p)) throw new FSError("EISDIR", p);
    this.mkdir(parentOf(p));
    // Writing a file keeps its permission bits and owner, as an open(2) with O_TRUNC does.
    const old = this.files.get(p);
    this.files.set(p, old?.mode === undefined && old?.uid === undefined ? e : { ...e, mode: old.mode, uid: old.uid, gid: old.gid });
  }
}
