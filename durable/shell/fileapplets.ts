// cp, mv and chmod, with GNU coreutils' messages on GNU images (the nodes, Debian-based ones) and
// busybox's elsewhere. Permission bits live in the filesystem (VirtualFS.chmod), so a script made
// executable can be run by its path, and one that is not says "Permission denied", as on Linux.
import { FSError, resolvePath, type VirtualFS } from "../fs";
import type { Flavour, ShellIO } from "./types";
import type { ShellState } from "./interp";

interface Call {
  s: ShellState;
  io: ShellIO;
  flavour?: Flavour;
}

const gnu = (f: Flavour | undefined) => f !== undefined && f !== "busybox";
const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const baseOf = (p: string) => p.replace(/\/+$/, "").split("/").pop() ?? p;

/** Options first (bundled single letters), then operands; `--` ends the options. */
function options(args: string[], known: string): { f: Set<string>; rest: string[]; bad?: string } {
  const f = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (/^-[A-Za-z]/.test(a)) {
      for (const c of a.slice(1)) {
        if (!known.includes(c)) return { f, rest, bad: c };
        f.add(c);
      }
    } else if (a.startsWith("--") && a.length > 2) {
      const long: Record<string, string> = { recursive: "r", force: "f", archive: "a", "no-clobber": "n", verbose: "v" };
      if (!long[a.slice(2)]) return { f, rest, bad: a };
      f.add(long[a.slice(2)]);
    } else rest.push(a);
  }
  return { f, rest };
}

function badOption(prog: string, bad: string, flavour: Flavour | undefined, io: ShellIO): number {
  io.stderr(
    gnu(flavour)
      ? bad.startsWith("--")
        ? `${prog}: unrecognized option '${bad}'\nTry '${prog} --help' for more information.\n`
        : `${prog}: invalid option -- '${bad}'\nTry '${prog} --help' for more information.\n`
      : `${prog}: unrecognized option: ${bad.replace(/^--/, "")}\n`,
  );
  return 1;
}

function missing(prog: string, operands: string[], flavour: Flavour | undefined, io: ShellIO): number {
  io.stderr(
    gnu(flavour)
      ? operands.length
        ? `${prog}: missing destination file operand after '${operands[0]}'\nTry '${prog} --help' for more information.\n`
        : `${prog}: missing file operand\nTry '${prog} --help' for more information.\n`
      : `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ${prog} [-${prog === "cp" ? "arfp" : "fn"}] SOURCE... DEST\n`,
  );
  return 1;
}

/** Copy a file or a tree from `from` to `to` (both absolute), keeping permission bits. */
function copy(fs: VirtualFS, from: string, to: string): void {
  if (fs.isDir(from)) {
    fs.mkdir?.(to);
    for (const name of fs.list(from) ?? []) copy(fs, `${from}/${name}`, `${to}/${name}`);
    return;
  }
  const bytes = fs.readBytes?.(from);
  if (bytes && fs.writeBytes) fs.writeBytes(to, bytes);
  else fs.write(to, fs.read(from) ?? "");
  const mode = fs.stat?.(from)?.mode;
  if (mode !== undefined) fs.chmod?.(to, mode);
}

/** cp and mv: each source into the destination (a directory, or the new name of a single source). */
function transfer(prog: "cp" | "mv", args: string[], { s, io, flavour }: Call): number {
  const { f, rest, bad } = options(args, prog === "cp" ? "rRfpavn" : "fnv");
  if (bad) return badOption(prog, bad, flavour, io);
  if (rest.length < 2) return missing(prog, rest, flavour, io);
  const fs = s.ctx.fs;
  const dest = rest[rest.length - 1];
  const destAbs = resolvePath(dest, s.cwd);
  const sources = rest.slice(0, -1);
  const intoDir = fs.isDir(destAbs);
  if (sources.length > 1 && !intoDir) {
    const why = fs.read(destAbs) === undefined ? "No such file or directory" : "Not a directory";
    io.stderr(gnu(flavour) ? `${prog}: target '${dest}': ${why}\n` : `${prog}: '${dest}' is not a directory\n`);
    return 1;
  }
  const recursive = f.has("r") || f.has("R") || f.has("a");
  let status = 0;
  for (const src of sources) {
    const from = resolvePath(src, s.cwd);
    const to = intoDir ? resolvePath(baseOf(from), destAbs) : destAbs;
    const isDir = fs.isDir(from);
    if (!isDir && fs.read(from) === undefined) {
      io.stderr(
        gnu(flavour)
          ? `${prog}: cannot stat '${src}': No such file or directory\n`
          : `${prog}: can't stat '${src}': No such file or directory\n`,
      );
      status = 1;
      continue;
    }
    if (prog === "cp" && isDir && !recursive) {
      io.stderr(gnu(flavour) ? `cp: -r not specified; omitting directory '${src}'\n` : `cp: omitting directory '${src}'\n`);
      status = 1;
      continue;
    }
    if (from === to || (isDir && to.startsWith(`${from}/`))) {
      io.stderr(
        from === to
          ? gnu(flavour)
            ? `${prog}: '${src}' and '${intoDir ? `${dest.replace(/\/$/, "")}/${baseOf(from)}` : dest}' are the same file\n`
            : `${prog}: '${src}' and '${dest}' are the same file\n`
          : prog === "cp"
            ? `cp: cannot copy a directory, '${src}', into itself, '${dest}'\n`
            : `mv: cannot move '${src}' to a subdirectory of itself, '${dest}'\n`,
      );
      status = 1;
      continue;
    }
    if (f.has("n") && (fs.isDir(to) || fs.read(to) !== undefined)) continue;
    if (!fs.isDir(parentOf(to))) {
      io.stderr(
        !gnu(flavour)
          ? `${prog}: can't create '${dest}': No such file or directory\n`
          : prog === "cp"
            ? `cp: cannot create regular file '${dest}': No such file or directory\n`
            : `mv: cannot move '${src}' to '${dest}': No such file or directory\n`,
      );
      status = 1;
      continue;
    }
    try {
      copy(fs, from, to);
      if (prog === "mv") isDir ? fs.removeTree?.(from) : fs.remove?.(from);
      if (f.has("v"))
        io.stdout(`${prog === "mv" ? "renamed " : ""}'${src}' -> '${intoDir ? `${dest.replace(/\/$/, "")}/${baseOf(from)}` : dest}'\n`);
    } catch (e) {
      if (!(e instanceof FSError)) throw e;
      io.stderr(`${prog}: cannot create regular file '${dest}': ${e.message}\n`);
      status = 1;
    }
  }
  return status;
}

/** The new bits for `mode` (octal, or symbolic clauses such as u+x,go-w,a=r) applied to `old`. */
export function applyMode(mode: string, old: number, dir: boolean): number | undefined {
  if (/^[0-7]{1,4}$/.test(mode)) return Number.parseInt(mode, 8);
  let bits = old;
  for (const clause of mode.split(",")) {
    const m = clause.match(/^([ugoa]*)([-+=])([rwxX]*)$/);
    if (!m) return undefined;
    const who = m[1] || "a";
    let perm = 0;
    for (const c of m[3]) perm |= c === "r" ? 4 : c === "w" ? 2 : c === "x" || (c === "X" && (dir || old & 0o111)) ? 1 : 0;
    let mask = 0;
    if (/[ua]/.test(who)) mask |= perm << 6;
    if (/[ga]/.test(who)) mask |= perm << 3;
    if (/[oa]/.test(who)) mask |= perm;
    const whole = (/[ua]/.test(who) ? 0o700 : 0) | (/[ga]/.test(who) ? 0o070 : 0) | (/[oa]/.test(who) ? 0o007 : 0);
    bits = m[2] === "+" ? bits | mask : m[2] === "-" ? bits & ~mask : (bits & ~whole) | mask;
  }
  return bits;
}

/** The bits a file has when nobody set them: what a root shell's umask 022 gives. */
export const defaultMode = (dir: boolean) => (dir ? 0o755 : 0o644);

function chmod(args: string[], { s, io, flavour }: Call): number {
  let recursive = false;
  const rest: string[] = [];
  for (const a of args) {
    if (a === "-R" || a === "--recursive") recursive = true;
    else if (/^-[^rwxX]/.test(a) && !rest.length) return badOption("chmod", a.startsWith("--") ? a : a[1], flavour, io);
    else rest.push(a);
  }
  const [mode, ...files] = rest;
  if (!mode || !files.length) {
    io.stderr(
      gnu(flavour)
        ? `chmod: missing operand${mode ? ` after '${mode}'` : ""}\nTry 'chmod --help' for more information.\n`
        : "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: chmod [-Rcvf] MODE[,MODE]... FILE...\n",
    );
    return 1;
  }
  if (applyMode(mode, 0, false) === undefined) {
    io.stderr(
      gnu(flavour) ? `chmod: invalid mode: '${mode}'\nTry 'chmod --help' for more information.\n` : `chmod: invalid mode '${mode}'\n`,
    );
    return 1;
  }
  const fs = s.ctx.fs;
  let status = 0;
  const apply = (abs: string, shown: string): void => {
    const st = fs.stat?.(abs);
    if (!st) {
      io.stderr(
        gnu(flavour) ? `chmod: cannot access '${shown}': No such file or directory\n` : `chmod: ${shown}: No such file or directory\n`,
      );
      status = 1;
      return;
    }
    fs.chmod?.(abs, applyMode(mode, st.mode ?? defaultMode(st.dir), st.dir) ?? 0);
    if (recursive && st.dir) for (const name of fs.list(abs) ?? []) apply(`${abs}/${name}`, `${shown.replace(/\/$/, "")}/${name}`);
  };
  for (const file of files) apply(resolvePath(file, s.cwd), file);
  return status;
}

export const FILE_APPLETS = {
  cp: (args: string[], call: Call) => transfer("cp", args, call),
  mv: (args: string[], call: Call) => transfer("mv", args, call),
  chmod,
};
