// `kubectl cp` (k8s.io/kubectl/pkg/cmd/cp): files travel as a tar stream over the pod's exec
// subresource, as the real one does — `tar cf - <path>` in the container read back into the
// workstation's files, or the workstation's files packed here and fed to `tar -xmf -` in it. So
// what the container's tar says (and how it fails) is what the learner sees.
import type { Pod } from "kubernetes-types/core/v1";
import { FSError, resolvePath } from "../../fs";
import { packTar, TarError, type TarEntry, unpackTar } from "../../shell/tar";
import { type Parsed, bool, int, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { type StreamIO, stream, withStreams } from "./exec";
import { base, clean, dir, join, rel } from "./gopath";
import { byteCompare, goQuote } from "./jsonpath";
import { containerOf } from "./pods";
import type { Kube, KubectlRun, Verb } from "./types";

/** One side of the copy as cp.go's extractFileSpec reads `[[namespace/]pod:]file/path`. */
export interface FileSpec {
  podName?: string;
  podNamespace?: string;
  /** The path, its one trailing slash dropped (and, on the pod's side, backslashes made slashes). */
  file: string;
}

const FORMAT_ERROR = "error: filespec must match the canonical format: [[namespace/]pod:]file/path";

const stripTrailingSlash = (f: string) => (f !== "/" && f.endsWith("/") ? f.slice(0, -1) : f);
const localPath = (f: string) => stripTrailingSlash(f);
const remotePath = (f: string) => stripTrailingSlash(f).replace(/\\/g, "/");

export function extractFileSpec(arg: string): FileSpec {
  const i = arg.indexOf(":");
  if (i === 0) throw new KubectlError(FORMAT_ERROR);
  if (i < 0) return { file: localPath(arg) };
  const pieces = arg.slice(0, i).split("/");
  const file = remotePath(arg.slice(i + 1));
  if (pieces.length === 1) return { podName: pieces[0], file };
  if (pieces.length === 2) return { podNamespace: pieces[0], podName: pieces[1], file };
  throw new KubectlError(FORMAT_ERROR);
}

/** stripPathShortcuts: leading "../" removed, a lone "." or ".." emptied, one leading "/" dropped. */
export function stripPathShortcuts(p: string): string {
  let s = p;
  while (s.startsWith("../")) s = s.slice(3);
  if (s === "." || s === "..") s = "";
  return s.startsWith("/") ? s.slice(1) : s;
}

const BLOCK = 512;

/** Where a tar stream ends as Go's archive/tar reader finds it (a zero block, and the next), or undefined while it goes on. */
export function archiveEnd(bytes: Uint8Array): number | undefined {
  const zero = (at: number) => bytes.subarray(at, at + BLOCK).every((b) => b === 0);
  for (let off = 0; off + BLOCK <= bytes.length; ) {
    if (zero(off)) return off + BLOCK * 2 <= bytes.length ? off + BLOCK * 2 : undefined;
    off += BLOCK + Math.ceil(headerSize(bytes.subarray(off, off + BLOCK)) / BLOCK) * BLOCK;
  }
  return undefined;
}

/** The size field of a header: octal text, or base-256 when its high bit is set. */
function headerSize(h: Uint8Array): number {
  const field = h.subarray(124, 136);
  if (field[0] & 0x80) return field.subarray(1).reduce((n, b) => n * 256 + b, field[0] & 0x7f);
  const text = new TextDecoder().decode(field).replace(/[\0 ].*$/s, "");
  return text ? Number.parseInt(text, 8) || 0 : 0;
}

// ---- the pod's side: an exec as ExecOptions.Run makes it (pod looked up by name, completed pods refused) ----

interface Target {
  namespace: string;
  pod: string;
  container?: string;
}

function* execIn(k: Kube, t: Target, command: string[], io: StreamIO, say: (text: string) => void): KubectlRun {
  const got = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.pod)}`));
  if (got.status >= 400) throw new KubectlError(statusMessage(got));
  const pod: Pod = JSON.parse(got.text);
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed")
    throw new KubectlError(`error: cannot exec into a container in a completed pod; current phase is ${phase}`);
  const query = new URLSearchParams();
  for (const c of command) query.append("command", c);
  query.set("container", containerOf(pod, t.container, k, say));
  withStreams(query, !!io.stdin, false);
  return yield* stream(k, pod, "exec", query, !!io.stdin, false, io);
}

const discard = () => {};
const decoder = () => {
  const d = new TextDecoder();
  return (bytes: Uint8Array) => d.decode(bytes, { stream: true });
};

/** The remote command failed: kubectl's ExitError, worded and coded as CheckErr reports it. */
const exitError = (code: number) => new KubectlError(`command terminated with exit code ${code}`, code);

// ---- the workstation's side: its files, as os.Stat, os.MkdirAll and os.Create see them ----

const fsMessage = (e: FSError) => e.message.toLowerCase();

function mkdirAll(k: Kube, path: string): void {
  const abs = resolvePath(path, k.cwd);
  if (k.fs.isDir(abs)) return;
  // The error names the deepest part of the path that exists and is not a directory, as MkdirAll's recursion does.
  const parts = path.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    if (!prefix) continue;
    const p = resolvePath(prefix, k.cwd);
    if (!k.fs.isDir(p) && k.fs.read(p) !== undefined) throw new KubectlError(`error: mkdir ${prefix}: not a directory`);
  }
  k.fs.mkdir?.(abs);
}

const existsLocally = (k: Kube, path: string) => {
  const abs = resolvePath(path, k.cwd);
  return k.fs.isDir(abs) || k.fs.read(abs) !== undefined;
};

/** recursiveTar: the local tree under `src` as entries named from `dest` on — files and empty directories only, as cp.go writes them. */
function tarEntries(k: Kube, src: string, dest: string, out: TarEntry[] = []): TarEntry[] {
  const abs = resolvePath(src, k.cwd);
  const st = k.fs.stat?.(abs);
  const mtime = Math.floor((st?.mtime ?? k.now()) / 1000);
  if (k.fs.isDir(abs)) {
    // os.ReadDir's order: by name, byte for byte.
    const children = [...(k.fs.list(abs) ?? [])].sort(byteCompare);
    if (!children.length) out.push({ name: dest, type: "dir", mtime, mode: st?.mode ?? 0o755 });
    for (const child of children) tarEntries(k, join(src, child), join(dest, child), out);
  } else {
    out.push({
      name: dest,
      type: "file",
      data: k.fs.readBytes?.(abs) ?? new TextEncoder().encode(k.fs.read(abs) ?? ""),
      mtime,
      mode: st?.mode ?? 0o644,
    });
  }
  return out;
}

// ---- the two directions ----

function* copyToPod(p: Parsed, k: Kube, src: FileSpec, dest: FileSpec): KubectlRun {
  if (!existsLocally(k, src.file)) throw new KubectlError(`error: ${src.file} doesn't exist in local filesystem`);
  const target: Target = { namespace: dest.podNamespace || k.namespace, pod: dest.podName!, container: str(p, "container") };
  let destFile = dest.file;
  // checkDestinationIsDir: `test -d` with its output discarded; any failure means "not a directory".
  let isDir = false;
  try {
    isDir = (yield* execIn(k, target, ["test", "-d", dest.file], { stdout: discard, stderr: discard }, discard)) === 0;
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
  }
  if (isDir) destFile = remotePath(join(destFile, base(src.file)));
  const srcPath = clean(src.file);
  const destPath = remotePath(clean(destFile));
  // makeTar names the entries from the destination's last element on; tar unpacks them in its directory.
  const archive = packTar(tarEntries(k, srcPath, base(destPath)));
  const command = bool(p, "no-preserve") ? ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"] : ["tar", "-xmf", "-"];
  command.push("-C", remotePath(dir(destFile)));
  const out = decoder();
  const err = decoder();
  const code = yield* execIn(
    k,
    target,
    command,
    { stdin: archive, stdout: (b) => k.io.stdout(out(b)), stderr: (b) => k.io.stderr(err(b)) },
    (text) => k.io.stderr(text),
  );
  if (code !== 0) throw exitError(code);
  return 0;
}

function* copyFromPod(p: Parsed, k: Kube, src: FileSpec, dest: FileSpec): KubectlRun {
  const target: Target = { namespace: src.podNamespace || k.namespace, pod: src.podName!, container: str(p, "container") };
  // --retries reads through `tail` so that a broken stream could resume where it stopped.
  const command = int(p, "retries") ? ["sh", "-c", `tar cf - ${src.file} | tail -c+0`] : ["tar", "cf", "-", src.file];
  const chunks: Uint8Array[] = [];
  let length = 0;
  let end: number | undefined;
  let reached = () => {};
  const enough = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const err = decoder();
  const io: StreamIO = {
    stdout: (b) => {
      if (end !== undefined) return;
      chunks.push(b);
      length += b.length;
      end = archiveEnd(concat(chunks, length));
      if (end !== undefined) reached();
    },
    // cp.go hands tar's stderr to kubectl's stdout.
    stderr: (b) => k.io.stdout(err(b)),
    enough,
  };
  const code = yield* execIn(k, target, command, io, (text) => k.io.stdout(text));
  // The archive's end lets kubectl finish before the remote command's own end is known.
  if (end === undefined && code !== 0) throw exitError(code);
  const bytes = concat(chunks, length).subarray(0, end ?? length);
  let entries: TarEntry[];
  try {
    entries = bytes.length ? unpackTar(bytes) : [];
  } catch (e) {
    if (!(e instanceof TarError)) throw e;
    throw new KubectlError(e.message === "short" ? "error: unexpected EOF" : "error: archive/tar: invalid tar header");
  }
  if (end === undefined && bytes.length) throw new KubectlError("error: unexpected EOF");
  untarAll(k, entries, src, dest);
  return 0;
}

/** untarAll: each entry under the destination, the source's own path taken off its name. */
function untarAll(k: Kube, entries: TarEntry[], src: FileSpec, dest: FileSpec): void {
  const prefix = stripPathShortcuts(clean(src.file.replace(/^[/\\]+/, "")));
  let symlinkWarned = false;
  for (const e of entries) {
    if (!e.name.startsWith(prefix)) throw new KubectlError("error: tar contents corrupted");
    const destFileName = localPath(join(dest.file, remotePath(e.name.slice(prefix.length))));
    const relative = rel(dest.file, destFileName);
    if (relative === undefined || (relative !== "." && relative !== stripPathShortcuts(relative))) {
      k.io.stderr(`warning: file ${goQuote(destFileName)} is outside target destination, skipping\n`);
      continue;
    }
    mkdirAll(k, dir(destFileName));
    if (e.type === "dir") {
      mkdirAll(k, destFileName);
      continue;
    }
    if (e.type === "symlink") {
      const link = `warning: skipping symlink: ${goQuote(destFileName)} -> ${goQuote(e.linkname ?? "")}`;
      if (!symlinkWarned) {
        k.io.stderr(
          `${link} (consider using "kubectl exec -n ${goQuote(src.podNamespace ?? "")} ${goQuote(src.podName ?? "")} -- tar cf - ${goQuote(src.file)} | tar xf -")\n`,
        );
        symlinkWarned = true;
      } else k.io.stderr(`${link}\n`);
      continue;
    }
    const abs = resolvePath(destFileName, k.cwd);
    if (k.fs.isDir(abs)) throw new KubectlError(`error: open ${destFileName}: is a directory`);
    try {
      k.fs.writeBytes ? k.fs.writeBytes(abs, e.data ?? new Uint8Array(0)) : k.fs.write(abs, new TextDecoder().decode(e.data));
    } catch (err) {
      if (err instanceof FSError) throw new KubectlError(`error: open ${destFileName}: ${fsMessage(err)}`);
      throw err;
    }
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  chunks.splice(0, chunks.length, out);
  return out;
}

function* cpRun(p: Parsed, k: Kube): KubectlRun {
  if (p.args.length !== 2) throw new KubectlError("error: source and destination are required");
  const src = extractFileSpec(p.args[0]);
  const dest = extractFileSpec(p.args[1]);
  if (src.podName && dest.podName) throw new KubectlError("error: one of src or dest must be a local file specification");
  if (!src.file || !dest.file) throw new KubectlError("error: filepath can not be empty");
  if (src.podName) return yield* copyFromPod(p, k, src, dest);
  if (dest.podName) return yield* copyToPod(p, k, src, dest);
  throw new KubectlError("error: one of src or dest must be a remote file specification");
}

export const cp: Verb = {
  flags: [
    { name: "container", short: "c", kind: "string" },
    { name: "no-preserve", kind: "bool" },
    { name: "retries", kind: "int" },
  ],
  run: cpRun,
};
