// sed: a script of addressed commands (s y d D p P n N g G h H x = a i c q Q b t T r w, blocks, !)
// over a pattern and a hold space, BRE by default (-E/-r for ERE), -n, -e/-f, -i in place, -s.
import { resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import { posixToJs, RegexError } from "./regex";
import { getopts, OptError, readInput, usageError, variantOf, type Input, type Options } from "./textio";

type Addr =
  | { kind: "line"; n: number }
  | { kind: "last" }
  | { kind: "re"; re: RegExp | undefined }
  | { kind: "step"; first: number; step: number }
  | { kind: "plus"; n: number }
  | { kind: "multiple"; n: number };

interface Cmd {
  a1?: Addr;
  a2?: Addr;
  negate: boolean;
  name: string;
  /** Text of a i c, label of b t T :, file of r w. */
  text?: string;
  /** s: the regex, replacement and flags; y: the two sets. */
  re?: RegExp | undefined;
  replacement?: string;
  global?: boolean;
  occurrence?: number;
  print?: boolean;
  write?: string;
  from?: string;
  to?: string;
  /** q Q: exit code. */
  code?: number;
  /** { : the index after its matching }. */
  end?: number;
  /** Range state: in the range, and the line it ends on (for +N and line addresses). */
  active?: boolean;
  endLine?: number;
}

class SedError {
  constructor(
    readonly gnu: string,
    readonly busybox: string,
  ) {}
}

/** Parse a whole script (the -e pieces joined by newlines, as GNU does). */
function parseScript(script: string, extended: boolean, gnu: boolean): Cmd[] {
  const cmds: Cmd[] = [];
  const blocks: number[] = [];
  let i = 0;
  const fail = (msg: string, bb = msg): never => {
    throw new SedError(`-e expression #1, char ${i}: ${msg}`, bb);
  };
  const skipWs = () => {
    while (i < script.length && (script[i] === " " || script[i] === "\t")) i++;
  };
  /** Read up to an unescaped `delim`: the raw text (\delim turned into delim, \n into newline for regexes). */
  const delimited = (delim: string, what: string): string => {
    let out = "";
    while (i < script.length && script[i] !== delim) {
      if (script[i] === "\\" && i + 1 < script.length) {
        const n = script[i + 1];
        out += n === delim ? (delim === "&" ? "\\&" : delim) : n === "\n" ? "\n" : `\\${n}`;
        i += 2;
      } else if (script[i] === "\n" && what !== "y") {
        i++;
        fail(`unterminated \`${what}' command`, `unmatched '${delim}'`);
      } else out += script[i++];
    }
    if (i >= script.length) {
      i = script.length;
      fail(`unterminated \`${what}' command`, `unmatched '${delim}'`);
    }
    i++;
    return out;
  };
  let lastRe: RegExp | undefined;
  const compile = (src: string, flags: string): RegExp | undefined => {
    if (src === "") return undefined; // the empty regex: the last one used
    try {
      return (lastRe = new RegExp(posixToJs(src, extended), flags));
    } catch (e) {
      if (e instanceof RegexError) fail(e.message, `bad regex '${src}'`);
      fail("Invalid regular expression", `bad regex '${src}'`);
    }
    return lastRe;
  };
  const address = (): Addr | undefined => {
    // first~step is GNU's.
    const m = (gnu ? /^(\d+)~(\d+)/.exec(script.slice(i)) : null) ?? /^(\d+)/.exec(script.slice(i));
    if (m) {
      i += m[0].length;
      return m[2] !== undefined ? { kind: "step", first: Number(m[1]), step: Number(m[2]) } : { kind: "line", n: Number(m[1]) };
    }
    if (script[i] === "$") {
      i++;
      return { kind: "last" };
    }
    if (script[i] === "/" || script[i] === "\\") {
      const delim = script[i] === "\\" ? script[++i] : "/";
      i++;
      const src = delimited(delim, "address regex");
      let flags = "";
      while (script[i] === "I" || script[i] === "M") {
        if (script[i] === "I") flags += "i";
        else flags += "m";
        i++;
      }
      return { kind: "re", re: compile(src, flags) };
    }
    return undefined;
  };
  const readLabel = () => {
    skipWs();
    const m = /^[^;\n}]*/.exec(script.slice(i))![0];
    i += m.length;
    return m.trim();
  };
  /** The text of a i c: `a\` then lines (a trailing \ continues), or GNU's one-liner `a text`. */
  const readText = (): string => {
    skipWs();
    if (script[i] === "\\") {
      i++;
      if (script[i] === "\n") i++;
    }
    let out = "";
    while (i < script.length && script[i] !== "\n") {
      if (script[i] === "\\") {
        const n = script[i + 1];
        if (n === "\n") {
          out += "\n";
          i += 2;
          continue;
        }
        out += n ?? "";
        i += 2;
        continue;
      }
      out += script[i++];
    }
    return out;
  };
  while (i < script.length) {
    skipWs();
    if (script[i] === "\n" || script[i] === ";") {
      i++;
      continue;
    }
    if (i >= script.length) break;
    const cmd: Cmd = { negate: false, name: "" };
    cmd.a1 = address();
    if (cmd.a1 && script[i] === ",") {
      i++;
      skipWs();
      const rel = /^([+~])(\d+)/.exec(script.slice(i));
      if (rel) {
        i += rel[0].length;
        cmd.a2 = rel[1] === "+" ? { kind: "plus", n: Number(rel[2]) } : { kind: "multiple", n: Number(rel[2]) };
      } else cmd.a2 = address() ?? fail("unexpected `,'", "bad address");
    }
    skipWs();
    while (script[i] === "!") {
      cmd.negate = true;
      i++;
      skipWs();
    }
    const c = script[i++];
    if (c === undefined) fail("missing command", "missing command");
    cmd.name = c;
    switch (c) {
      case "{":
        blocks.push(cmds.length);
        cmds.push(cmd);
        continue;
      case "}":
        if (cmd.a1) fail("} doesn't want any addresses", "} doesn't want any addresses");
        if (!blocks.length) fail("unexpected `}'", "unexpected '}'");
        cmds[blocks.pop()!].end = cmds.length;
        continue;
      case "s": {
        const delim = script[i++];
        if (delim === undefined || delim === "\n" || delim === "\\") fail("unterminated `s' command", `unmatched '${delim ?? ""}'`);
        const src = delimited(delim, "s");
        cmd.replacement = delimited(delim, "s");
        let flags = "";
        for (;;) {
          const f = script[i];
          if (f === "g") cmd.global = true;
          else if (f === "p") cmd.print = true;
          else if (f === "i" || f === "I") flags += "i";
          else if (f === "m" || f === "M") flags += "m";
          else if (f !== undefined && /\d/.test(f)) {
            const n = /^\d+/.exec(script.slice(i))![0];
            cmd.occurrence = Number(n);
            i += n.length - 1;
          } else if (f === "w") {
            i++;
            cmd.write = readLabel();
            break;
          } else break;
          i++;
        }
        skipWs();
        if (i < script.length && !";\n}#".includes(script[i])) {
          i++;
          fail("unknown option to `s'", `unknown option to 's'`);
        }
        cmd.re = compile(src, flags);
        break;
      }
      case "y": {
        const delim = script[i++];
        const unescape = (t: string) => t.replace(/\\(.)/g, (_, x: string) => (x === "n" ? "\n" : x === "\\" ? "\\" : x));
        cmd.from = unescape(delimited(delim, "y"));
        cmd.to = unescape(delimited(delim, "y"));
        if ([...cmd.from].length !== [...cmd.to].length)
          fail("strings for `y' command are different lengths", "strings for 'y' command are different lengths");
        break;
      }
      case "a":
      case "i":
      case "c":
        cmd.text = readText();
        break;
      case ":":
        if (cmd.a1) fail(": doesn't want any addresses", ": doesn't want any addresses");
        cmd.text = readLabel();
        if (!cmd.text) fail('":" lacks a label', '":" lacks a label');
        break;
      case "b":
      case "t":
      case "T":
        cmd.text = readLabel();
        break;
      case "r":
      case "w":
        cmd.text = readLabel();
        break;
      case "q":
      case "Q": {
        skipWs();
        const n = /^\d+/.exec(script.slice(i))?.[0];
        if (n) {
          cmd.code = Number(n);
          i += n.length;
        }
        break;
      }
      case "d":
      case "D":
      case "p":
      case "P":
      case "n":
      case "N":
      case "g":
      case "G":
      case "h":
      case "H":
      case "x":
      case "=":
      case "l":
      case "z":
        break;
      case "#":
        while (i < script.length && script[i] !== "\n") i++;
        continue;
      default:
        fail(`unknown command: \`${c}'`, `unsupported command ${c}`);
    }
    skipWs();
    if (i < script.length && !";\n}#".includes(script[i]) && !"aicbtT:rw".includes(c)) {
      i++;
      fail("extra characters after command", `unsupported command ${script[i - 1]}`);
    }
    cmds.push(cmd);
  }
  // busybox closes an open block at the end of the script.
  if (blocks.length && gnu) {
    i = 0;
    fail("unmatched `{'", "unmatched '{'");
  }
  for (const b of blocks) cmds[b].end = cmds.length;
  for (const cmd of cmds)
    if ("btT".includes(cmd.name) && cmd.text && !cmds.some((c) => c.name === ":" && c.text === cmd.text))
      throw new SedError(
        `-e expression #1, char 0: can't find label for jump to \`${cmd.text}'`,
        `can't find label for jump to '${cmd.text}'`,
      );
  return cmds;
}

/**
 * s///: the Nth match (or every one from the Nth with g) replaced. As in POSIX, an empty match right
 * after the previous match does not count. busybox takes g over a number.
 */
function substitute(ps: string, re: RegExp, cmd: Cmd, gnu: boolean): { text: string; replaced: boolean } {
  const g = new RegExp(re.source, `${re.flags.replace("g", "")}g`);
  const want = cmd.global && !gnu ? 1 : (cmd.occurrence ?? 1);
  let out = "";
  let pos = 0;
  let count = 0;
  let replaced = false;
  let prevEnd = -1;
  for (let m = g.exec(ps); m; m = g.exec(ps)) {
    if (m[0] === "" && m.index === prevEnd) {
      g.lastIndex++;
      if (g.lastIndex > ps.length) break;
      continue;
    }
    count++;
    if (count >= want) {
      out += ps.slice(pos, m.index) + replace(m, cmd.replacement!, gnu);
      pos = m.index + m[0].length;
      replaced = true;
      if (!cmd.global) break;
    }
    prevEnd = m.index + m[0].length;
    if (m[0] === "") g.lastIndex++;
    if (g.lastIndex > ps.length) break;
  }
  return { text: out + ps.slice(pos), replaced };
}

/** A replacement with & \1..\9 \n and (GNU) the case conversions \U \L \u \l \E. */
function replace(m: RegExpExecArray, repl: string, gnu: boolean): string {
  let out = "";
  let mode: "" | "U" | "L" = "";
  let once: "" | "u" | "l" = "";
  const put = (t: string) => {
    for (const ch of t) {
      let c = mode === "U" ? ch.toUpperCase() : mode === "L" ? ch.toLowerCase() : ch;
      if (once) {
        c = once === "u" ? c.toUpperCase() : c.toLowerCase();
        once = "";
      }
      out += c;
    }
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c === "&") {
      put(m[0]);
      continue;
    }
    if (c !== "\\") {
      put(c);
      continue;
    }
    const n = repl[++i];
    if (n === undefined) break;
    if (/\d/.test(n)) put(m[Number(n)] ?? "");
    else if (n === "n") put("\n");
    else if (n === "t") put("\t");
    else if (gnu && (n === "U" || n === "L")) mode = n;
    else if (gnu && n === "E") mode = "";
    else if (gnu && (n === "u" || n === "l")) once = n;
    else put(n);
  }
  return out;
}

interface Stream {
  lines: string[];
  pos: number;
  /** The last line of the input had no newline: none is written after it either. */
  noFinalNewline: boolean;
}

interface RunResult {
  out: string;
  quit?: number;
}

/** Run the script over one stream of lines (all inputs, or one file under -i/-s). */
function run(
  cmds: Cmd[],
  input: Stream,
  opts: { quiet: boolean; lineBase: { n: number }; hold: { v: string } },
  call: AppletCall,
): RunResult {
  const gnu = variantOf(call) === "gnu";
  let out = "";
  let lastRe: RegExp | undefined;
  const emit = (t: string, last: boolean) => {
    out += last && input.noFinalNewline ? t : `${t}\n`;
  };
  const atLast = () => input.pos >= input.lines.length;
  const writes = new Map<string, string>();
  const matches = (a: Addr, line: number, ps: string): boolean => {
    switch (a.kind) {
      case "line":
        return line === a.n;
      case "last":
        return atLast();
      case "step":
        return a.step > 0 ? line >= a.first && (line - a.first) % a.step === 0 : line === a.first;
      case "re": {
        const re = a.re ?? lastRe;
        if (!re) throw new SedError("no previous regular expression", "no previous regexp");
        lastRe = re;
        re.lastIndex = 0;
        return re.test(ps);
      }
      default:
        return false;
    }
  };
  const selected = (cmd: Cmd, line: number, ps: string): boolean => {
    if (!cmd.a1) return true;
    if (!cmd.a2) return matches(cmd.a1, line, ps);
    if (cmd.active) {
      const a2 = cmd.a2;
      let ends: boolean;
      if (a2.kind === "line" || a2.kind === "plus" || a2.kind === "multiple") ends = line >= cmd.endLine!;
      else ends = matches(a2, line, ps);
      if (ends) cmd.active = false;
      return true;
    }
    // 0,/re/: the range is open from before the first line, so the regex may end it on line 1.
    const zero = cmd.a1.kind === "line" && cmd.a1.n === 0 && line === 1;
    if (!zero && !matches(cmd.a1, line, ps)) return false;
    const a2 = cmd.a2;
    if (a2.kind === "line") {
      if (a2.n > line) {
        cmd.active = true;
        cmd.endLine = a2.n;
      }
    } else if (a2.kind === "plus") {
      if (a2.n > 0) {
        cmd.active = true;
        cmd.endLine = line + a2.n;
      }
    } else if (a2.kind === "multiple") {
      const end = a2.n > 0 ? Math.ceil(line / a2.n) * a2.n : line;
      if (end > line) {
        cmd.active = true;
        cmd.endLine = end;
      }
    } else if (zero) {
      if (!matches(a2, line, ps)) cmd.active = true;
    } else cmd.active = !(a2.kind === "last" && atLast());
    return true;
  };
  let ps: string | undefined;
  let line = opts.lineBase.n;
  let append: string[] = [];
  const flushAppend = () => {
    for (const a of append) out += a;
    append = [];
  };
  const next = (): boolean => {
    if (atLast()) return false;
    ps = input.lines[input.pos++];
    line++;
    return true;
  };
  const readFile = (name: string) => call.s.ctx.fs.read(resolvePath(name, call.s.cwd));
  let restartWithoutRead = false;
  let quit: number | undefined;
  cycle: for (;;) {
    if (!restartWithoutRead && !next()) break;
    restartWithoutRead = false;
    let substituted = false;
    let pc = 0;
    let autoprint = !opts.quiet;
    while (pc < cmds.length) {
      const cmd = cmds[pc];
      const sel = selected(cmd, line, ps!) !== cmd.negate;
      if (!sel) {
        pc = cmd.name === "{" ? cmd.end! : pc + 1;
        continue;
      }
      pc++;
      switch (cmd.name) {
        case "{":
        case ":":
        case "}":
          break;
        case "=":
          out += `${line}\n`;
          break;
        case "p":
          emit(ps!, atLast());
          break;
        case "P":
          out += `${ps!.split("\n")[0]}\n`;
          break;
        case "l":
          out += `${ps!.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n")}$\n`;
          break;
        case "d":
          continue cycle;
        case "D": {
          const nl = ps!.indexOf("\n");
          if (nl < 0) continue cycle;
          ps = ps!.slice(nl + 1);
          flushAppend();
          restartWithoutRead = true;
          continue cycle;
        }
        case "z":
          ps = "";
          break;
        case "h":
          opts.hold.v = ps!;
          break;
        case "H":
          opts.hold.v += `\n${ps}`;
          break;
        case "g":
          ps = opts.hold.v;
          break;
        case "G":
          ps += `\n${opts.hold.v}`;
          break;
        case "x":
          [ps, opts.hold.v] = [opts.hold.v, ps!];
          break;
        case "a":
          append.push(`${cmd.text}\n`);
          break;
        case "i":
          out += `${cmd.text}\n`;
          break;
        case "c":
          // In a range, c prints its text once, at the range's end.
          if (!cmd.a2 || !cmd.active) out += `${cmd.text}\n`;
          continue cycle;
        case "r": {
          const t = readFile(cmd.text!);
          if (t !== undefined) append.push(t);
          break;
        }
        case "w":
          writes.set(cmd.text!, `${writes.get(cmd.text!) ?? ""}${ps}\n`);
          break;
        case "y":
          ps = [...ps!]
            .map((ch) => {
              const k = [...cmd.from!].indexOf(ch);
              return k < 0 ? ch : [...cmd.to!][k];
            })
            .join("");
          break;
        case "n":
          if (atLast()) {
            if (!opts.quiet) emit(ps!, true);
            autoprint = false;
            quit = undefined;
            break cycle;
          }
          if (!opts.quiet) emit(ps!, false);
          flushAppend();
          next();
          break;
        case "N": {
          // GNU and busybox print the pattern space when N finds no next line (POSIX would not).
          if (atLast()) {
            if (!opts.quiet) emit(ps!, true);
            autoprint = false;
            break cycle;
          }
          const prev = ps!;
          flushAppend();
          next();
          ps = `${prev}\n${ps}`;
          break;
        }
        case "s": {
          const re = cmd.re ?? lastRe;
          if (!re) throw new SedError("no previous regular expression", "no previous regexp");
          lastRe = re;
          const { text, replaced } = substitute(ps!, re, cmd, gnu);
          if (replaced) {
            ps = text;
            substituted = true;
            if (cmd.print) emit(ps, atLast());
            if (cmd.write) writes.set(cmd.write, `${writes.get(cmd.write) ?? ""}${ps}\n`);
          }
          break;
        }
        case "b":
          pc = cmd.text ? cmds.findIndex((c) => c.name === ":" && c.text === cmd.text) : cmds.length;
          break;
        case "t":
          if (substituted) {
            substituted = false;
            pc = cmd.text ? cmds.findIndex((c) => c.name === ":" && c.text === cmd.text) : cmds.length;
          }
          break;
        case "T":
          if (!substituted) pc = cmd.text ? cmds.findIndex((c) => c.name === ":" && c.text === cmd.text) : cmds.length;
          else substituted = false;
          break;
        case "q":
          if (autoprint) emit(ps!, atLast());
          flushAppend();
          quit = cmd.code ?? 0;
          break cycle;
        case "Q":
          quit = cmd.code ?? 0;
          break cycle;
      }
    }
    if (autoprint) emit(ps!, atLast());
    flushAppend();
  }
  flushAppend();
  opts.lineBase.n = line;
  for (const [file, data] of writes) call.s.ctx.fs.write(resolvePath(file, call.s.cwd), data);
  return { out, quit };
}

const toStream = (texts: string[]): Stream => {
  const all = texts.join("");
  return { lines: all === "" ? [] : all.replace(/\n$/, "").split("\n"), pos: 0, noFinalNewline: all !== "" && !all.endsWith("\n") };
};

export function sed(args: string[], call: AppletCall): number {
  const { io } = call;
  const gnu = variantOf(call) === "gnu";
  // -i takes an optional attached suffix (-i.bak): split it off before getopt sees it.
  let inPlace: string | undefined;
  const norm = args.flatMap((a) => {
    const m = /^-([nrEs]*)i(.*)$/.exec(a);
    if (m && !a.startsWith("--")) {
      inPlace = m[2];
      return m[1] ? [`-${m[1]}`] : [];
    }
    if (a === "--in-place" || a.startsWith("--in-place=")) {
      inPlace = a.slice(11);
      return [];
    }
    return [a];
  });
  let o: Options;
  try {
    o = getopts(
      norm,
      {
        flags: gnu ? "nrEsuz" : "nrE",
        values: "ef",
        long: {
          quiet: "n",
          silent: "n",
          "regexp-extended": "r",
          separate: "s",
          expression: "e",
          file: "f",
          unbuffered: "u",
          "null-data": "z",
          posix: "\0",
          debug: "\0",
          sandbox: "\0",
        },
      },
      gnu ? "gnu" : "busybox",
    );
  } catch (e) {
    if (!(e instanceof OptError)) throw e;
    // GNU sed answers a bad option with its whole help.
    if (gnu) io.stderr(`sed: ${e.message}\n${SED_GNU_USAGE}`);
    else usageError(call, "sed", e.message, 1);
    return 1;
  }
  const pieces: string[] = [];
  for (const e of o.all.e ?? []) pieces.push(e);
  for (const file of o.all.f ?? []) {
    const t = file === "-" ? call.stdin : call.s.ctx.fs.read(resolvePath(file, call.s.cwd));
    if (t === undefined) {
      io.stderr(
        gnu ? `sed: couldn't open file ${file}: No such file or directory\n` : `sed: can't open '${file}': No such file or directory\n`,
      );
      return gnu ? 4 : 1;
    }
    pieces.push(t.replace(/\n$/, ""));
  }
  const rest = [...o.rest];
  if (!pieces.length) {
    const script = rest.shift();
    if (script === undefined) {
      if (gnu) io.stderr(SED_GNU_USAGE);
      else io.stderr(usageText(call));
      return 1;
    }
    pieces.push(script);
  }
  let cmds: Cmd[];
  try {
    cmds = parseScript(pieces.join("\n"), !!(o.f.r || o.f.E), gnu);
  } catch (e) {
    if (!(e instanceof SedError)) throw e;
    io.stderr(`sed: ${gnu ? e.gnu : e.busybox}\n`);
    return 1;
  }
  const quiet = !!o.f.n;
  let failed = false;
  const read = (name: string): Input | undefined => {
    const input = readInput(name, call, "sed");
    if (!input) failed = true;
    return input;
  };
  const hold = { v: "" };
  try {
    if (inPlace !== undefined || o.f.s) {
      if (inPlace !== undefined && !rest.length) {
        io.stderr(gnu ? "sed: no input files\n" : "sed: no input files\n");
        return gnu ? 1 : 1;
      }
      for (const name of rest.length ? rest : ["-"]) {
        const input = read(name);
        if (!input) continue;
        for (const c of cmds) c.active = false;
        const r = run(cmds, toStream([input.text]), { quiet, lineBase: { n: 0 }, hold }, call);
        if (inPlace !== undefined && input.path) {
          if (inPlace) call.s.ctx.fs.write(`${input.path}${inPlace}`, input.text);
          call.s.ctx.fs.write(input.path, r.out);
        } else io.stdout(r.out);
        if (r.quit !== undefined) return r.quit;
      }
    } else {
      const texts: string[] = [];
      for (const name of rest.length ? rest : ["-"]) {
        const input = read(name);
        // Files in a row: a missing newline at the end of one that is not the last is supplied.
        if (input)
          texts.push(
            texts.length && !texts[texts.length - 1].endsWith("\n") && texts[texts.length - 1] !== "" ? `\n${input.text}` : input.text,
          );
      }
      const r = run(cmds, toStream(texts), { quiet, lineBase: { n: 0 }, hold }, call);
      io.stdout(r.out);
      if (r.quit !== undefined) return r.quit;
    }
  } catch (e) {
    if (!(e instanceof SedError)) throw e;
    io.stderr(`sed: ${gnu ? e.gnu : e.busybox}\n`);
    return gnu ? 4 : 1;
  }
  return failed ? (gnu ? 2 : 1) : 0;
}

const usageText = (call: AppletCall) => {
  let t = "";
  usageError({ ...call, io: { ...call.io, stderr: (x) => void (t += x) } }, "sed", undefined, 1);
  return t;
};

const SED_GNU_USAGE = `Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...

  -n, --quiet, --silent
                 suppress automatic printing of pattern space
      --debug
                 annotate program execution
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  --follow-symlinks
                 follow symlinks when processing in place
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -l N, --line-length=N
                 specify the desired line-wrap length for the \`l' command
  --posix
                 disable all GNU extensions.
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single,
                 continuous long stream.
      --sandbox
                 operate in sandbox mode (disable e/r/w commands).
  -u, --unbuffered
                 load minimal amounts of data from the input files and flush
                 the output buffers more often
  -z, --null-data
                 separate lines by NUL characters
      --help     display this help and exit
      --version  output version information and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.

GNU sed home page: <https://www.gnu.org/software/sed/>.
General help using GNU software: <https://www.gnu.org/gethelp/>.
`;
