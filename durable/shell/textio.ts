// What the text applets share: option parsing in the getopt style of each variant, reading their
// operands (files or stdin) with each variant's error wording, and splitting text into lines.
import { resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import { busyboxUsage } from "./usage";

export type Variant = "gnu" | "busybox";
/** GNU coreutils/grep/sed on Debian-based images; busybox everywhere else (busybox, Alpine). */
export const variantOf = (call: AppletCall): Variant =>
  call.flavour === "gnu" || call.flavour === "bash" || call.flavour === "dash" ? "gnu" : "busybox";

export interface Options {
  /** Last value of each option (`true` for a flag). */
  f: Record<string, string | true>;
  /** Every value of an option given several times (-e a -e b), in order. */
  all: Record<string, string[]>;
  rest: string[];
}

export interface OptSpec {
  /** Single-letter flags without a value. */
  flags: string;
  /** Single-letter options that take a value. */
  values?: string;
  /** Long options: name → the short letter it stands for (a value-taking letter takes `--name=V` or `--name V`). */
  long?: Record<string, string>;
}

/** An option error, worded by the caller's variant. */
export class OptError {
  constructor(readonly message: string) {}
}

/**
 * getopt: clustered flags (-inv), values attached or separate (-n5, -n 5), long options, `--`.
 * Both variants permute: options after operands count (busybox's getopt32 does as glibc's getopt).
 */
export function getopts(args: string[], spec: OptSpec, variant: Variant): Options {
  const f: Record<string, string | true> = {};
  const all: Record<string, string[]> = {};
  const rest: string[] = [];
  const set = (k: string, v: string | true) => {
    f[k] = v;
    if (typeof v === "string") (all[k] ??= []).push(v);
  };
  const values = spec.values ?? "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      // busybox builds its applets without long options.
      if (variant !== "gnu" || !spec.long) throw new OptError(`unrecognized option '${a}'`);
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const matches = Object.keys(spec.long).filter((n) => n === name || n.startsWith(name));
      const exact = matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
      if (!exact) throw new OptError(matches.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
      const letter = spec.long[exact];
      if (values.includes(letter)) {
        const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new OptError(`option '--${exact}' requires an argument`);
        set(letter, v);
      } else set(letter, eq >= 0 ? a.slice(eq + 1) : true);
      continue;
    }
    if (a.length > 1 && a[0] === "-") {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (values.includes(c)) {
          const v = a.slice(j + 1) || args[++i];
          if (v === undefined) throw new OptError(`option requires an argument -- '${c}'`);
          set(c, v);
          break;
        }
        if (!spec.flags.includes(c)) throw new OptError(`invalid option -- '${c}'`);
        set(c, true);
      }
      continue;
    }
    rest.push(a);
  }
  return { f, all, rest };
}

/** The usage error a variant prints: GNU's "Try" line (grep adds its Usage line), busybox's banner and usage. Returns `code`. */
export function usageError(call: AppletCall, name: string, message: string | undefined, code: number, gnuUsage = ""): number {
  const gnu = variantOf(call) === "gnu";
  const head = message ? `${name}: ${message}\n` : "";
  call.io.stderr(
    gnu ? `${head}${gnuUsage ? `Usage: ${gnuUsage}\n` : ""}Try '${name} --help' for more information.\n` : `${head}${busyboxUsage(name)}`,
  );
  return code;
}

/** Parse options, printing the variant's usage error on a bad one (then `undefined`). */
export function parseOr(
  call: AppletCall,
  name: string,
  args: string[],
  spec: OptSpec,
  code: number,
  gnuUsage?: string,
): Options | undefined {
  try {
    return getopts(args, spec, variantOf(call));
  } catch (e) {
    if (!(e instanceof OptError)) throw e;
    usageError(call, name, e.message, code, gnuUsage);
    return undefined;
  }
}

/** How each tool words a file it cannot open, per variant. */
const OPEN_ERROR: Record<string, Record<Variant, (f: string, why: string) => string>> = {
  head: { gnu: (f, w) => `cannot open '${f}' for reading: ${w}`, busybox: (f, w) => `${f}: ${w}` },
  tail: { gnu: (f, w) => `cannot open '${f}' for reading: ${w}`, busybox: (f, w) => `can't open '${f}': ${w}` },
  sort: { gnu: (f, w) => `cannot read: ${f}: ${w}`, busybox: (f, w) => `${f}: ${w}` },
  uniq: { gnu: (f, w) => `${f}: ${w}`, busybox: (f, w) => `can't open '${f}': ${w}` },
  tac: { gnu: (f, w) => `failed to open '${f}' for reading: ${w}`, busybox: (f, w) => `${f}: ${w}` },
  cat: { gnu: (f, w) => `${f}: ${w}`, busybox: (f, w) => `can't open '${f}': ${w}` },
  sed: { gnu: (f, w) => `can't read ${f}: ${w}`, busybox: (f, w) => `${f}: ${w}` },
  awk: { gnu: (f, w) => `cannot open ${f} (${w})`, busybox: (f, w) => `${f}: ${w}` },
};

/** How each tool words a directory it was given to read; "" where the variant reads it as empty. */
const DIR_ERROR: Record<string, Record<Variant, (f: string) => string>> = {
  head: { gnu: (f) => `error reading '${f}': Is a directory`, busybox: (f) => `${f}: Input/output error` },
  tail: { gnu: (f) => `error reading '${f}': Is a directory`, busybox: () => "read error: Is a directory" },
  sort: { gnu: (f) => `read failed: ${f}: Is a directory`, busybox: () => "" },
  uniq: { gnu: (f) => `error reading '${f}'`, busybox: (f) => `${f}: I/O error` },
  cut: { gnu: (f) => `${f}: Is a directory`, busybox: () => "" },
  sed: { gnu: (f) => `read error on ${f}: Is a directory`, busybox: () => "" },
  awk: { gnu: () => "read error (Is a directory)", busybox: () => "cmd. line:1: Is a directory" },
  base64: { gnu: () => "read error: Is a directory", busybox: () => "read error: Is a directory" },
};

export interface Input {
  name: string;
  text: string;
  /** The resolved path (for files), for byte counts and in-place edits. */
  path?: string;
}

/** Read one operand ("-" is stdin); reports what it cannot read and returns undefined then. */
export function readInput(name: string, call: AppletCall, cmd: string): Input | undefined {
  if (name === "-") return { name, text: call.stdin };
  const { s, io } = call;
  const path = resolvePath(name, s.cwd);
  const word = OPEN_ERROR[cmd]?.[variantOf(call)] ?? ((f: string, w: string) => `${f}: ${w}`);
  if (s.ctx.fs.isDir(path)) {
    const why = (DIR_ERROR[cmd]?.[variantOf(call)] ?? ((f: string) => `${f}: Is a directory`))(name);
    if (!why) return { name, text: "" };
    io.stderr(`${cmd}: ${why}\n`);
    return undefined;
  }
  const text = s.ctx.fs.read(path);
  if (text === undefined) {
    io.stderr(`${cmd}: ${word(name, "No such file or directory")}\n`);
    return undefined;
  }
  return { name, text, path };
}

/** Read every operand (or stdin when there is none); `failed` counts the ones that could not be read. */
export function readInputs(files: string[], call: AppletCall, cmd: string): { inputs: Input[]; failed: number } {
  const inputs: Input[] = [];
  let failed = 0;
  for (const f of files.length ? files : ["-"]) {
    const input = readInput(f, call, cmd);
    if (input) inputs.push(input);
    else failed++;
  }
  return { inputs, failed };
}

/** Lines of a text, without their newlines; a last line without one still counts. */
export const splitLines = (text: string): string[] => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/** Lines back into text, each with its newline. */
export const joinLines = (ls: string[]): string => ls.map((l) => `${l}\n`).join("");

/** Byte length as UTF-8 (what wc -c, head -c and base64 count). */
export const byteLength = (s: string): number => new TextEncoder().encode(s).length;
