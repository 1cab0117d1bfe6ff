// The interpreter: expansion ($VAR, ${VAR:-x}, $?, $(...), quotes), lists, pipelines, loops,
// redirections, on a virtual clock — `sleep` advances `elapsed` instead of blocking, and a run can
// be bounded in virtual time (`until`) and in steps, so `while true; do …; sleep 5; done` is cheap.
import { FSError, resolvePath } from "../fs";
import { parse, skipParens, SyntaxError, type Node, type Redirect } from "./parse";
import type { Flavour, ImageView, ShellContext, ShellIO } from "./types";
import { APPLETS } from "./applets";

/** Thrown to unwind: `exit`, loop control, or the end of the simulated time window. */
export class ExitSignal { constructor(readonly code: number) {} }
class LoopSignal { constructor(readonly kind: "break" | "continue", public levels: number) {} }
export class HaltSignal {}

export interface ShellState {
  ctx: ShellContext;
  /** Shell variables; exported ones are in `exported`. */
  vars: Record<string, string>;
  exported: Set<string>;
  cwd: string;
  status: number;
  /** Virtual ms since the run began and commands run: shared with subshells. */
  t: { elapsed: number; steps: number };
  /** Stop (HaltSignal) when `elapsed` passes this. */
  until: number;
  maxSteps: number;
  /** The name the shell reports errors under ("sh", "bash"). */
  name: string;
  args: string[];
  /** Who reads the time a line was written (logs). */
  onTick?: () => void;
  /** A terminal session (errors without "line N:"), and the script line being run. */
  interactive?: boolean;
  lineno?: number;
}

export function newState(ctx: ShellContext, opts: { until?: number; maxSteps?: number; name?: string; interactive?: boolean } = {}): ShellState {
  return {
    ctx,
    vars: { ...ctx.env, PWD: ctx.cwd, HOSTNAME: ctx.hostname },
    exported: new Set(Object.keys(ctx.env)),
    cwd: ctx.cwd,
    status: 0,
    t: { elapsed: 0, steps: 0 },
    until: opts.until ?? Infinity,
    maxSteps: opts.maxSteps ?? 100_000,
    name: opts.name ?? "sh",
    args: [],
    interactive: opts.interactive,
  };
}

export const nowOf = (s: ShellState) => s.ctx.now() + s.t.elapsed;

export function environ(s: ShellState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of s.exported) if (s.vars[k] !== undefined) env[k] = s.vars[k];
  env.PWD = s.cwd;
  return env;
}

/** Run a script; returns its exit status (ExitSignal and HaltSignal propagate). */
export function runScript(src: string, s: ShellState, io: ShellIO, stdin = ""): number {
  s.lineno = (s.lineno ?? 0) + 1;
  let ast: Node;
  try {
    ast = parse(src);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    io.stderr(`${s.name}: ${e.message}\n`);
    return (s.status = 2);
  }
  return exec(ast, s, io, stdin);
}

function exec(n: Node, s: ShellState, io: ShellIO, stdin: string): number {
  if (++s.t.steps > s.maxSteps) throw new HaltSignal();
  switch (n.type) {
    case "list": {
      let st = 0;
      for (const item of n.items) st = exec(item, s, io, stdin);
      return (s.status = st);
    }
    case "andor": {
      let st = exec(n.first, s, io, stdin);
      for (const [op, next] of n.rest) if ((op === "&&") === (st === 0)) st = exec(next, s, io, stdin);
      return (s.status = st);
    }
    case "pipeline": {
      let input = stdin;
      let st = 0;
      n.commands.forEach((c, i) => {
        const last = i === n.commands.length - 1;
        let buf = "";
        const sub = last ? io : { stdout: (x: string) => void (buf += x), stderr: io.stderr };
        try {
          st = exec(c, s, sub, input);
        } catch (e) {
          if (!(e instanceof ExitSignal)) throw e; // `exit` in a pipeline ends only its subshell
          st = e.code;
        }
        input = buf;
      });
      return (s.status = n.negate ? Number(st === 0) : st);
    }
    case "while": {
      let st = 0;
      for (;;) {
        const c = exec(n.cond, s, io, stdin);
        if ((c === 0) === n.until) break;
        const r = loopBody(n.body, s, io, stdin);
        st = r.status;
        if (r.stop) break;
      }
      return (s.status = st);
    }
    case "for": {
      const items = n.words ? n.words.flatMap((w) => expandWord(w, s)) : s.args;
      let st = 0;
      for (const v of items) {
        s.vars[n.name] = v;
        const r = loopBody(n.body, s, io, stdin);
        st = r.status;
        if (r.stop) break;
      }
      return (s.status = st);
    }
    case "if": {
      for (const [cond, body] of n.branches) if (exec(cond, s, io, stdin) === 0) return exec(body, s, io, stdin);
      return (s.status = n.otherwise ? exec(n.otherwise, s, io, stdin) : 0);
    }
    case "group": {
      if (!n.subshell) return exec(n.body, s, io, stdin);
      const saved = { vars: { ...s.vars }, exported: new Set(s.exported), cwd: s.cwd };
      try {
        return exec(n.body, s, io, stdin);
      } catch (e) {
        if (e instanceof ExitSignal) return (s.status = e.code);
        throw e;
      } finally {
        Object.assign(s, saved);
      }
    }
    case "simple":
      return simple(n, s, io, stdin);
  }
}

function loopBody(body: Node, s: ShellState, io: ShellIO, stdin: string): { status: number; stop: boolean } {
  try {
    return { status: exec(body, s, io, stdin), stop: false };
  } catch (e) {
    if (!(e instanceof LoopSignal)) throw e;
    if (--e.levels > 0) throw e;
    return { status: 0, stop: e.kind === "break" };
  }
}

function simple(n: Extract<Node, { type: "simple" }>, s: ShellState, io: ShellIO, stdin: string): number {
  const argv = n.words.flatMap((w) => expandWord(w, s));
  const assigns = n.assigns.map(([k, v]) => [k, expandWord(v, s, false).join(" ")] as const);
  if (!argv.length) {
    for (const [k, v] of assigns) s.vars[k] = v;
    return (s.status = 0);
  }
  // Redirections.
  let out = io;
  let input = stdin;
  const writes: { path: string; append: boolean; fd: number; data: string }[] = [];
  for (const r of n.redirects) {
    const res = redirect(r, s, io);
    if (typeof res === "number") return (s.status = res);
    if (res.input !== undefined) input = res.input;
    if (res.write) writes.push(res.write);
  }
  if (n.redirects.length) {
    const sink = (fd: number) => {
      const target = [...n.redirects].reverse().find((r) => r.fd === fd && r.op !== "<");
      if (!target) return fd === 1 ? io.stdout : io.stderr;
      if (target.op === ">&") return target.target === "1" ? (fd === 1 ? io.stdout : (x: string) => out.stdout(x)) : target.target === "2" ? io.stderr : () => {};
      const w = writes.find((w) => w.fd === fd);
      return w ? (x: string) => void (w.data += x) : () => {};
    };
    const o = sink(1);
    out = { stdout: o, stderr: sink(2) };
  }
  // A command's own assignments apply to it only (environment of the child).
  const saved = assigns.map(([k]) => [k, s.vars[k], s.exported.has(k)] as const);
  for (const [k, v] of assigns) { s.vars[k] = v; s.exported.add(k); }
  try {
    return (s.status = command(argv, s, out, input));
  } finally {
    for (const [k, v, e] of saved) {
      if (v === undefined) delete s.vars[k];
      else s.vars[k] = v;
      if (!e) s.exported.delete(k);
    }
    for (const w of writes) {
      const p = resolvePath(w.path, s.cwd);
      try {
        if (p !== "/dev/null") s.ctx.fs.write(p, (w.append ? s.ctx.fs.read(p) ?? "" : "") + w.data);
      } catch (e) {
        if (!(e instanceof FSError)) throw e;
        io.stderr(`${s.name}: write error: ${e.message}\n`);
      }
    }
  }
}

function redirect(r: Redirect, s: ShellState, io: ShellIO): number | { input?: string; write?: { path: string; append: boolean; fd: number; data: string } } {
  if (r.op === ">&") return {};
  const path = expandWord(r.target, s, false).join(" ");
  if (r.op === "<") {
    const data = path === "/dev/null" ? "" : s.ctx.fs.read(resolvePath(path, s.cwd));
    if (data === undefined) {
      io.stderr(`${s.name}: can't open '${path}': No such file or directory\n`);
      return 1;
    }
    return { input: data };
  }
  // The shell opens (creates, truncates) the file before the command runs.
  const p = resolvePath(path, s.cwd);
  if (p !== "/dev/null") {
    try {
      if (s.ctx.fs.isDir(p)) throw new FSError("EISDIR", p);
      if (r.op !== ">>" || s.ctx.fs.read(p) === undefined) s.ctx.fs.write(p, "");
    } catch (e) {
      if (!(e instanceof FSError)) throw e;
      io.stderr(`${s.name}: can't create ${path}: ${e.message}\n`);
      return 1;
    }
  }
  return { write: { path, append: r.op === ">>", fd: r.fd, data: "" } };
}

/** Builtins of every shell: they need no program in the image. */
const BUILTINS = new Set(["exit", "break", "continue", "export", "unset", "cd", "echo", "printf", "test", "[", "true", "false", ":", "pwd"]);
const programName = (name: string) => name.replace(/^.*\//, "");

/** The programs of the image the shell runs in; none outside a container (a bare shell has every applet). */
const programsOf = (s: ShellState): ImageView | undefined => s.ctx.image;

/** A command the image lacks, as its shell says it: busybox ash, dash (Debian's sh) or bash. */
function notFound(name: string, s: ShellState, io: ShellIO): number {
  const programs = programsOf(s);
  const dialect = programs?.program(s.name) ?? (s.name === "bash" ? "bash" : "busybox");
  const line = s.lineno ?? 1;
  if (dialect === "dash") io.stderr(`${s.name}: ${line}: ${name}: not found\n`);
  else if (dialect === "bash") io.stderr(`${s.name}: ${s.interactive ? "" : `line ${line}: `}${name}: command not found\n`);
  else io.stderr(`${s.name}: ${name}: not found\n`);
  return 127;
}

/** Run one command (builtin or applet) with expanded argv. */
export function command(argv: string[], s: ShellState, io: ShellIO, stdin: string, stdinBytes?: Uint8Array): number {
  const [name, ...args] = argv;
  switch (name) {
    case "exit":
      throw new ExitSignal(args.length ? Number(args[0]) & 255 : s.status);
    case "break":
    case "continue":
      throw new LoopSignal(name, Number(args[0] ?? 1));
    case "export":
      for (const a of args) {
        const i = a.indexOf("=");
        const k = i < 0 ? a : a.slice(0, i);
        if (i >= 0) s.vars[k] = a.slice(i + 1);
        s.exported.add(k);
      }
      if (!args.length) for (const [k, v] of Object.entries(environ(s)).sort()) io.stdout(`export ${k}='${v}'\n`);
      return 0;
    case "unset":
      for (const a of args) { delete s.vars[a]; s.exported.delete(a); }
      return 0;
    case "cd": {
      const dir = resolvePath(args[0] ?? s.vars.HOME ?? "/", s.cwd);
      if (!s.ctx.fs.isDir(dir)) {
        io.stderr(`${s.name}: cd: ${args[0]}: No such file or directory\n`);
        return 1;
      }
      s.cwd = s.vars.PWD = dir;
      return 0;
    }
  }
  const prog = programName(name);
  const programs = programsOf(s);
  const flavour: Flavour | undefined = programs ? programs.program(name) : "busybox";
  if (!flavour && !BUILTINS.has(prog)) return notFound(name, s, io);
  if (prog === "sh" || prog === "bash" || prog === "ash") {
    if (args[0] === "-c") {
      const sub: ShellState = { ...s, vars: { ...s.vars }, exported: new Set(s.exported), name: prog, args: args.slice(3), interactive: false, lineno: 0 };
      try {
        const st = args[1] === undefined ? (io.stderr(`${sub.name}: -c: option requires an argument\n`), 2) : runScript(args[1], sub, io, stdin);
        return st;
      } catch (e) {
        if (e instanceof ExitSignal) return e.code;
        throw e;
      }
    }
    if (args.length) {
      const src = s.ctx.fs.read(resolvePath(args[0], s.cwd));
      if (src === undefined) {
        io.stderr(`${name}: can't open '${args[0]}': No such file or directory\n`);
        return 2;
      }
      return command([name, "-c", src, args[0], ...args.slice(1)], s, io, stdin);
    }
    // A non-interactive shell without a script reads stdin.
    return stdin ? command([name, "-c", stdin], s, io, "") : 0;
  }
  const applet = APPLETS[prog];
  if (!applet) {
    // On the image's PATH, but kubeplay does not simulate it: say so rather than pretend.
    if (programs && flavour) {
      io.stderr(`kubeplay: ${prog}: this program is in the image, but kubeplay does not simulate it\n`);
      return 126;
    }
    return notFound(name, s, io);
  }
  try {
    return applet(args, { s, io, stdin, stdinBytes, flavour: flavour ?? "busybox" });
  } catch (e) {
    if (!(e instanceof FSError)) throw e;
    io.stderr(`${name}: ${e.path}: ${e.message}\n`);
    return 1;
  }
}

/** Is `name` something this shell can run (builtin or applet)? */
export const hasCommand = (name: string) =>
  ["exit", "break", "continue", "export", "unset", "cd", "sh", "bash", "ash"].includes(name.replace(/^\/(usr\/)?(s?bin)\//, "")) ||
  !!APPLETS[name.replace(/^\/(usr\/)?(s?bin)\//, "")];


// ---- expansion ----------------------------------------------------------------------------

/** Expand one raw word into fields (unquoted expansions split on whitespace unless `split` is false). */
export function expandWord(raw: string, s: ShellState, split = true): string[] {
  const fields: string[] = [];
  let cur = "";
  let has = false; // a quoted (possibly empty) part makes a field
  const pushSplit = (v: string) => {
    if (!split) { cur += v; return; }
    const parts = v.split(/[ \t\n]+/);
    parts.forEach((part, i) => {
      if (i > 0 && (cur || has)) { fields.push(cur); cur = ""; has = false; }
      cur += part;
    });
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      cur += raw.slice(i + 1, end);
      has = true;
      i = end + 1;
    } else if (c === '"') {
      has = true;
      for (i++; i < raw.length && raw[i] !== '"'; ) {
        if (raw[i] === "\\" && '$`"\\\n'.includes(raw[i + 1])) { cur += raw[i + 1]; i += 2; }
        else if (raw[i] === "$" || raw[i] === "`") { const [v, n] = dollar(raw, i, s); cur += v; i = n; }
        else cur += raw[i++];
      }
      i++;
    } else if (c === "\\") {
      cur += raw[i + 1] ?? "";
      has = true;
      i += 2;
    } else if (c === "$" || c === "`") {
      const [v, n] = dollar(raw, i, s);
      pushSplit(v);
      i = n;
    } else if (c === "~" && i === 0 && (raw.length === 1 || raw[1] === "/")) {
      cur += s.vars.HOME ?? "/root";
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  if (cur || has) fields.push(cur);
  return fields;
}

/** Expand the `$…` (or backquote) at raw[i]; returns the value and the index after it. */
function dollar(raw: string, i: number, s: ShellState): [string, number] {
  if (raw[i] === "`") {
    const end = raw.indexOf("`", i + 1);
    return [substitute(raw.slice(i + 1, end), s), end + 1];
  }
  const next = raw[i + 1];
  if (next === "(") {
    if (raw[i + 2] === "(") {
      const end = raw.indexOf("))", i);
      return [String(arith(raw.slice(i + 3, end), s)), end + 2];
    }
    const end = skipParens(raw, i + 1);
    return [substitute(raw.slice(i + 2, end - 1), s), end];
  }
  if (next === "{") {
    const end = raw.indexOf("}", i);
    const body = raw.slice(i + 2, end);
    const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*])(?:(:?[-=+?])(.*))?$/.exec(body);
    if (!m) return ["", end + 1];
    let v = special(m[2], s);
    if (m[3]) {
      const empty = m[3].startsWith(":") ? !v : v === undefined;
      const word = expandWord(m[4], s, false).join(" ");
      switch (m[3].replace(":", "")) {
        case "-": if (empty) v = word; break;
        case "=": if (empty) v = s.vars[m[2]] = word; break;
        case "+": v = empty ? "" : word; break;
        case "?": if (empty) throw new ExitSignal(1);
      }
    }
    return [m[1] ? String((v ?? "").length) : v ?? "", end + 1];
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*!-])/.exec(raw.slice(i + 1));
  if (!m) return ["$", i + 1];
  return [special(m[1], s) ?? "", i + 1 + m[1].length];
}

function special(name: string, s: ShellState): string | undefined {
  switch (name) {
    case "?": return String(s.status);
    case "$": return "1";
    case "!": return "";
    case "-": return "";
    case "#": return String(s.args.length);
    case "@":
    case "*": return s.args.join(" ");
    case "0": return s.name;
  }
  if (/^\d$/.test(name)) return s.args[Number(name) - 1];
  return s.vars[name];
}

/** $(…): run in a subshell, capture stdout, strip trailing newlines. */
function substitute(src: string, s: ShellState): string {
  let out = "";
  const sub: ShellState = { ...s, vars: { ...s.vars }, exported: new Set(s.exported) };
  try {
    runScript(src, sub, { stdout: (x) => void (out += x), stderr: () => {} });
  } catch (e) {
    if (!(e instanceof ExitSignal)) throw e;
  }
  return out.replace(/\n+$/, "");
}

/** $((…)): integer arithmetic with variables (no eval: workerd forbids it). */
export function arith(expr: string, s: ShellState): number {
  const toks = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|&&|\|\||==|!=|<=|>=|[-+*/%()<>!]/g) ?? [];
  let p = 0;
  const levels = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]];
  const apply = (op: string, a: number, b: number): number => {
    switch (op) {
      case "||": return Number(!!a || !!b);
      case "&&": return Number(!!a && !!b);
      case "==": return Number(a === b);
      case "!=": return Number(a !== b);
      case "<": return Number(a < b);
      case ">": return Number(a > b);
      case "<=": return Number(a <= b);
      case ">=": return Number(a >= b);
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "/": return b ? Math.trunc(a / b) : 0;
      default: return b ? a % b : 0;
    }
  };
  const unary = (): number => {
    const t = toks[p++];
    if (t === "-") return -unary();
    if (t === "+") return unary();
    if (t === "!") return Number(!unary());
    if (t === "(") { const v = level(0); p++; return v; }
    if (t === undefined) return 0;
    return /^\d/.test(t) ? Number(t) : Number(s.vars[t] ?? 0) || 0;
  };
  const level = (l: number): number => {
    if (l === levels.length) return unary();
    let v = level(l + 1);
    while (p < toks.length && levels[l].includes(toks[p])) {
      const op = toks[p++];
      v = apply(op, v, level(l + 1));
    }
    return v;
  };
  return level(0);
}
