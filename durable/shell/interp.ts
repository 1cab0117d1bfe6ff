// The interpreter: expansion, lists, pipelines, loops, functions, traps and redirections, written
// as generators. Time passes only at the points where the script yields a Pause: `sleep` yields
// `{ sleep: ms }`, and every TICK_STEPS commands the interpreter yields `{ tick: true }`. One
// interpreter, two drivers (drivers.ts): `drive` advances a virtual clock synchronously (a
// container's own program, probes), `RealtimeJob` waits for real timers and can be interrupted
// (the shells a human types into).
import { FSError, resolvePath } from "../nodes/fs";
import { EXTENSIONS, parse, skipBrace, skipParens, SyntaxError, type CondWord, type Node, type Redirect } from "./parse";
import type { ShellContext, ShellIO } from "./types";
import { APPLETS } from "./applets";
import { imagePrograms, programIn, type Flavour, type Programs } from "../nodes/images";

/** Where a running script lets time pass: a sleep of `ms`, or a tick every TICK_STEPS commands. */
export type Pause = { sleep: number } | { tick: true };
/** A running piece of shell: yields Pauses, returns (usually) an exit status. */
export type Run<T = number> = Generator<Pause, T, void>;

const TICK_STEPS = 500;

/** Thrown to unwind: `exit`, loop control, `return`, or the end of the simulated time window. */
export class ExitSignal { constructor(readonly code: number) {} }
class LoopSignal { constructor(readonly kind: "break" | "continue", public levels: number) {} }
class ReturnSignal { constructor(readonly code: number) {} }
export class HaltSignal {}
/** A signal delivered to the foreground job (Ctrl-C on the tty is INT). */
export class ShellSignal {
  constructor(readonly name: "INT" | "TERM" | "HUP" | "KILL") {}
  get code(): number { return 128 + SIGNUMS[this.name]; }
}
export const SIGNUMS = { HUP: 1, INT: 2, KILL: 9, TERM: 15 } as const;
/** An expansion error (`${x?}`, `$((1/0))`, set -u): the shell prints it and a script ends. */
class ExpansionError {
  constructor(readonly message: string, readonly code: number) {}
}

export type Dialect = "bash" | "dash" | "busybox";

export interface ShellState {
  ctx: ShellContext;
  /** Shell variables; exported ones are in `exported`. */
  vars: Record<string, string>;
  exported: Set<string>;
  /** bash arrays (a=(x y)); `$a` is element 0. */
  arrays: Record<string, string[]>;
  funcs: Record<string, Node>;
  /** trap actions by condition (EXIT, INT, TERM); "" ignores. */
  traps: Record<string, string>;
  /** set -e, -u, -x, -o pipefail. */
  opts: { errexit: boolean; nounset: boolean; xtrace: boolean; pipefail: boolean };
  /** Inside a condition (if/while/&&/||/!), where set -e does not apply. */
  tested: number;
  /** Saved values of `local` variables, one frame per running function. */
  frames: Map<string, string | undefined>[];
  cwd: string;
  status: number;
  /** Virtual ms since the run began, commands run, and the background jobs: shared with subshells. */
  t: Clock;
  /** Stop (HaltSignal) when `elapsed` passes this. */
  until: number;
  maxSteps: number;
  /** The name the shell reports errors under ("sh", "bash"). */
  name: string;
  args: string[];
  /** A terminal session (errors without "line N:"), and the script line being run. */
  interactive?: boolean;
  lineno?: number;
  /** Lines of input read so far (each script's lines count on from here). */
  linesRead?: number;
  /** Where the running command's stderr goes (errors of its command substitutions). */
  stderr?: (x: string) => void;
}

/** What a run shares with its subshells: its time, its step count, its background jobs. */
export interface Clock {
  elapsed: number;
  steps: number;
  jobs: BackgroundJob[];
  nextPid: number;
  /** The driver's way to run a background job beside the foreground (each driver installs its own). */
  spawn?: (g: Run<void>, job: BackgroundJob) => void;
  /** When the next background job wakes (virtual driver), for `wait`. */
  nextWake?: () => number;
}

/** A job started with `&`. */
export interface BackgroundJob {
  id: number;
  pid: number;
  text: string;
  /** Its exit status once it ended; `signal` when a signal ended it. */
  code?: number;
  signal?: ShellSignal["name"];
  /** Its end was told at a prompt (interactive shells). */
  told?: boolean;
  /** Deliver a signal to it (installed by the driver). */
  kill?(sig: ShellSignal["name"]): void;
  /** End it without a trace (the session is gone). */
  cancel?(): void;
}

export function newState(ctx: ShellContext, opts: { until?: number; maxSteps?: number; name?: string; interactive?: boolean } = {}): ShellState {
  return {
    ctx,
    vars: { ...ctx.env, PWD: ctx.cwd, HOSTNAME: ctx.hostname },
    exported: new Set(Object.keys(ctx.env)),
    arrays: {},
    funcs: {},
    traps: {},
    opts: { errexit: false, nounset: false, xtrace: false, pipefail: false },
    tested: 0,
    frames: [],
    cwd: ctx.cwd,
    status: 0,
    t: { elapsed: 0, steps: 0, jobs: [], nextPid: 100 },
    until: opts.until ?? Infinity,
    maxSteps: opts.maxSteps ?? 100_000,
    name: opts.name ?? "sh",
    args: [],
    interactive: opts.interactive,
  };
}

/** A subshell: a copy of the state (its changes are its own); the clock is shared. */
export function subshell(s: ShellState, over: Partial<ShellState> = {}): ShellState {
  return {
    ...s,
    vars: { ...s.vars },
    exported: new Set(s.exported),
    arrays: Object.fromEntries(Object.entries(s.arrays).map(([k, v]) => [k, [...v]])),
    funcs: { ...s.funcs },
    traps: { ...s.traps },
    opts: { ...s.opts },
    frames: [],
    ...over,
  };
}

export const nowOf = (s: ShellState) => s.ctx.now() + s.t.elapsed;

export function environ(s: ShellState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of s.exported) if (s.vars[k] !== undefined) env[k] = s.vars[k];
  env.PWD = s.cwd;
  return env;
}

/**
 * The synchronous driver: runs `g` to its end on the virtual clock (sleep adds to `elapsed`).
 * Background jobs run in virtual time too: when the foreground sleeps, each job due before it wakes
 * runs at its own time.
 */
export function drive<T>(g: Run<T>, s: ShellState): T {
  const own = !s.t.spawn;
  const due: { g: Run<void>; at: number; job: BackgroundJob }[] = [];
  const step = (e: (typeof due)[number], first: () => IteratorResult<Pause, void>) => {
    const now = s.t.elapsed;
    s.t.elapsed = e.at;
    try {
      let r = first();
      while (!r.done && !("sleep" in r.value)) r = e.g.next();
      if (r.done) due.splice(due.indexOf(e), 1);
      else e.at = s.t.elapsed + (r.value as { sleep: number }).sleep;
    } finally {
      s.t.elapsed = now;
    }
  };
  /** Run the background jobs due up to `target`, in time order. */
  const runUntil = (target: number) => {
    for (;;) {
      const next = due.filter((e) => e.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) return;
      step(next, () => next.g.next());
    }
  };
  if (own) {
    s.t.spawn = (child, job) => {
      const e = { g: child, at: s.t.elapsed, job };
      due.push(e);
      job.kill = (sig) => { if (due.includes(e)) step(e, () => e.g.throw(new ShellSignal(sig))); };
      job.cancel = () => { if (due.includes(e)) { due.splice(due.indexOf(e), 1); e.g.return(); } };
      step(e, () => e.g.next());
    };
    s.t.nextWake = () => Math.min(...due.map((e) => e.at));
  }
  try {
    let r = g.next();
    while (!r.done) {
      const p = r.value;
      if ("sleep" in p) {
        const target = s.t.elapsed + p.sleep;
        runUntil(Math.min(target, s.until));
        s.t.elapsed = target;
        if (s.t.elapsed > s.until) {
          s.t.elapsed = s.until;
          r = g.throw(new HaltSignal());
          continue;
        }
      }
      r = g.next();
    }
    return r.value;
  } finally {
    if (own) {
      s.t.spawn = undefined;
      s.t.nextWake = undefined;
    }
  }
}

/** Let `ms` pass (an applet's wait). */
export function* pause(ms: number): Run<void> {
  yield { sleep: ms };
}

// ---- dialects and their messages ------------------------------------------------------------

/** Image → its programs, and image + shell name → dialect: asked for at every command, so remembered. */
const programsCache = new Map<string, Programs>();
const dialectCache = new Map<string, Dialect>();

/** The programs of the image the shell runs in; none outside a container (a bare shell has every applet). */
function programsOf(s: ShellState): Programs | undefined {
  if (!s.ctx.container) return undefined;
  const image = s.ctx.container.image ?? "";
  let p = programsCache.get(image);
  if (!p) programsCache.set(image, (p = imagePrograms(image)));
  return p;
}

/** Which shell this is: the image's sh (dash on Debian, busybox ash on alpine/busybox) or bash. */
export function dialectOf(s: ShellState): Dialect {
  const key = `${s.ctx.container?.image ?? ""}\0${s.name}`;
  let d = dialectCache.get(key);
  if (d) return d;
  const programs = programsOf(s);
  const flavour = programs && programIn(programs, s.name);
  d = flavour === "dash" || flavour === "bash" ? flavour : flavour ? "busybox" : s.name === "bash" ? "bash" : "busybox";
  if (s.ctx.container) dialectCache.set(key, d);
  return d;
}

/** The start of an error line: `bash: line 3: `, `sh: 3: ` (dash), `sh: ` (busybox ash). */
export function errPrefix(s: ShellState): string {
  const line = s.lineno ?? 1;
  switch (dialectOf(s)) {
    case "bash": return `${s.name}: ${s.interactive ? "" : `line ${line}: `}`;
    case "dash": return `${s.name}: ${line}: `;
    default: return `${s.name}: `;
  }
}

/** A syntax error as each shell words it. */
export function syntaxMessage(e: SyntaxError, s: ShellState, src: string): string {
  const base = s.linesRead ?? 0;
  const line = base + e.line;
  switch (dialectOf(s)) {
    case "dash": {
      const what =
        e.kind === "eof" ? "end of file unexpected" : e.kind === "quote" ? "Unterminated quoted string" : e.kind === "substitution" ? "Bad substitution" : `"${e.token}" unexpected`;
      return `${s.name}: ${line}: Syntax error: ${what}${e.expecting && e.kind !== "quote" ? ` (expecting "${e.expecting}")` : ""}\n`;
    }
    case "bash": {
      const where = s.interactive ? `${s.name}: ` : `${s.name}: -c: line ${e.kind === "eof" ? base + src.split("\n").length + 1 : line}: `;
      if (e.kind === "eof") return `${where}syntax error: unexpected end of file\n`;
      if (e.kind === "quote") return `${where}unexpected EOF while looking for matching \`${quoteOpen(src)}'\n`;
      if (e.kind === "substitution") return `${where}bad substitution\n`;
      const text = src.split("\n")[e.line - 1] ?? "";
      // A -c script also shows the line; an interactive bash only names the token.
      return `${where}syntax error near unexpected token \`${e.token}'\n${s.interactive ? "" : `${where}\`${text}'\n`}`;
    }
    default: {
      const what = e.kind === "eof" ? "unexpected end of file" : e.kind === "quote" ? "unterminated quoted string" : e.kind === "substitution" ? "bad substitution" : `unexpected "${e.token}"`;
      return `${s.name}: syntax error: ${what}${e.expecting && e.kind !== "quote" ? ` (expecting "${e.expecting}")` : ""}\n`;
    }
  }
}

/** The quote left open at the end of `src`. */
function quoteOpen(src: string): string {
  let open = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (open === "'") { if (c === "'") open = ""; continue; }
    if (c === "\\") { i++; continue; }
    if (open && c === open) open = "";
    else if (!open && (c === "'" || c === '"' || c === "`")) open = c;
  }
  return open || '"';
}

// ---- running scripts --------------------------------------------------------------------------

/** Run a script; returns its exit status (ExitSignal, HaltSignal and signals propagate). */
export function* script(src: string, s: ShellState, io: ShellIO, stdin: Input | string = ""): Run {
  let ast: Node;
  try {
    ast = parse(src, { ext: EXTENSIONS[dialectOf(s)] });
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    io.stderr(syntaxMessage(e, s, src));
    s.linesRead = (s.linesRead ?? 0) + src.split("\n").length;
    // A syntax error ends a non-interactive shell (its EXIT trap still runs).
    if (!s.interactive) throw new ExitSignal(2);
    return (s.status = 2);
  }
  const base = s.linesRead ?? 0;
  s.linesRead = base + src.split("\n").length;
  const savedErr = s.stderr;
  s.stderr = io.stderr;
  try {
    return yield* exec(ast, s, io, input(stdin), base);
  } catch (e) {
    if (!(e instanceof ExpansionError)) throw e;
    io.stderr(`${errPrefix(s)}${e.message}\n`);
    if (!s.interactive) throw new ExitSignal(e.code);
    return (s.status = e.code);
  } finally {
    s.stderr = savedErr;
  }
}

/** Run a script to its end on the virtual clock (the synchronous callers). */
export function runScript(src: string, s: ShellState, io: ShellIO, stdin = ""): number {
  return drive(script(src, s, io, stdin), s);
}

/** What a command reads: the text and how far it has been read (`read` takes a line, cat the rest). */
export interface Input {
  text: string;
  pos: number;
  /** A terminal: more may be typed (`read` waits for a line, `cat` for ^D) until `closed`. */
  live?: { closed: boolean };
}
const input = (x: Input | string): Input => (typeof x === "string" ? { text: x, pos: 0 } : x);
const rest = (i: Input) => {
  const t = i.text.slice(i.pos);
  i.pos = i.text.length;
  return t;
};

function* exec(n: Node, s: ShellState, io: ShellIO, stdin: Input, base: number): Run {
  if (++s.t.steps > s.maxSteps) throw new HaltSignal();
  if (s.t.steps % TICK_STEPS === 0) yield { tick: true };
  switch (n.type) {
    case "list": {
      let st = s.status;
      for (const item of n.items) st = yield* exec(item, s, io, stdin, base);
      return (s.status = st);
    }
    case "andor": {
      s.tested++;
      let st: number;
      try {
        st = yield* exec(n.first, s, io, stdin, base);
      } finally { s.tested--; }
      for (const [k, [op, next]] of n.rest.entries()) {
        if ((op === "&&") !== (st === 0)) continue;
        const last = k === n.rest.length - 1;
        if (!last) s.tested++;
        try {
          st = yield* exec(next, s, io, stdin, base);
        } finally { if (!last) s.tested--; }
      }
      return (s.status = st);
    }
    case "pipeline": {
      let carry = stdin;
      let st = 0;
      let failed = 0;
      if (n.negate) s.tested++;
      try {
        for (const [i, c] of n.commands.entries()) {
          const last = i === n.commands.length - 1;
          let buf = "";
          const sub: ShellIO = last ? io : { ...io, stdout: (x: string) => void (buf += x), stdoutBytes: undefined, tty: false };
          // Every part of a pipeline but the last runs in a subshell of its own (as in dash and bash).
          const state = n.commands.length > 1 ? subshell(s, { tested: last ? s.tested : s.tested + 1 }) : s;
          try {
            st = yield* exec(c, state, sub, carry, base);
          } catch (e) {
            if (!(e instanceof ExitSignal)) throw e; // `exit` in a pipeline ends only its subshell
            st = e.code;
          }
          if (st !== 0) failed = st;
          carry = { text: buf, pos: 0 };
        }
      } finally { if (n.negate) s.tested--; }
      if (s.opts.pipefail) st = failed;
      return (s.status = n.negate ? Number(st === 0) : st);
    }
    case "while": {
      let st = 0;
      for (;;) {
        s.tested++;
        let c: number;
        try {
          c = yield* exec(n.cond, s, io, stdin, base);
        } finally { s.tested--; }
        if ((c === 0) === n.until) break;
        const r = yield* loopBody(n.body, s, io, stdin, base);
        st = r.status;
        if (r.stop) break;
      }
      return (s.status = st);
    }
    case "for": {
      const items: string[] = [];
      if (n.words) for (const w of n.words) items.push(...(yield* expandWord(w, s)));
      else items.push(...s.args);
      let st = 0;
      for (const v of items) {
        setVar(s, n.name, v);
        const r = yield* loopBody(n.body, s, io, stdin, base);
        st = r.status;
        if (r.stop) break;
      }
      return (s.status = st);
    }
    case "if": {
      for (const [cond, body] of n.branches) {
        s.tested++;
        let c: number;
        try {
          c = yield* exec(cond, s, io, stdin, base);
        } finally { s.tested--; }
        if (c === 0) return yield* exec(body, s, io, stdin, base);
      }
      return (s.status = n.otherwise ? yield* exec(n.otherwise, s, io, stdin, base) : 0);
    }
    case "case": {
      const word = (yield* expandWord(n.word, s, false)).join("");
      for (const arm of n.arms)
        for (const p of arm.patterns)
          if (new RegExp(`^(?:${yield* patternOf(p, s)})$`, "s").test(word)) return yield* exec(arm.body, s, io, stdin, base);
      return (s.status = 0);
    }
    case "group": {
      if (n.redirects.length) {
        const r = yield* redirections(n.redirects, s, io, stdin);
        if (typeof r === "number") return (s.status = r);
        try {
          return yield* exec({ ...n, redirects: [] }, s, r.io, r.input, base);
        } finally { r.flush(); }
      }
      if (!n.subshell) return yield* exec(n.body, s, io, stdin, base);
      let st: number;
      try {
        st = yield* exec(n.body, subshell(s), io, stdin, base);
      } catch (e) {
        if (!(e instanceof ExitSignal)) throw e;
        st = e.code;
      }
      s.status = st;
      errexit(s, st);
      return st;
    }
    case "func":
      s.funcs[n.name] = n.body;
      return (s.status = 0);
    case "cond": {
      s.lineno = base + n.line;
      const st = (yield* cond(n.words, s, io)) ;
      s.status = st;
      errexit(s, st);
      return st;
    }
    case "arith": {
      s.lineno = base + n.line;
      const text = (yield* expandWord(`"${n.expr.replace(/"/g, '\\"')}"`, s, false)).join("");
      const st = arith(text, s) !== 0 ? 0 : 1;
      s.status = st;
      errexit(s, st);
      return st;
    }
    case "simple":
      s.lineno = base + n.line;
      return yield* simple(n, s, io, stdin);
    case "background":
      return (s.status = yield* background(n.body, n.text, s, io, base));
  }
}

/** `cmd &`: a job of its own, run beside the shell by the driver; `$!` is its pid. */
function* background(body: Node, text: string, s: ShellState, io: ShellIO, base: number): Run {
  const job: BackgroundJob = { id: Math.max(0, ...s.t.jobs.map((j) => j.id)) + 1, pid: s.t.nextPid++, text };
  s.t.jobs.push(job);
  s.vars["!"] = String(job.pid);
  const child = subshell(s, { tested: 0 });
  // An interactive shell's background jobs ignore ^C (only the foreground job gets it).
  const run = function* (): Run<void> {
    try {
      job.code = yield* exec(body, child, io, { text: "", pos: 0 }, base);
    } catch (e) {
      if (e instanceof ExitSignal) job.code = e.code;
      else if (e instanceof ShellSignal) {
        job.signal = e.name;
        job.code = e.code;
      } else if (e instanceof LoopSignal || e instanceof ReturnSignal) job.code = 0;
      else throw e;
    }
  };
  if (s.interactive && dialectOf(s) === "bash") io.stdout(`[${job.id}] ${job.pid}\n`);
  if (s.t.spawn) s.t.spawn(run(), job);
  else yield* run();
  return 0;
}

/** set -e: a failed command outside a condition ends the shell. */
function errexit(s: ShellState, st: number): void {
  if (st !== 0 && s.opts.errexit && !s.tested) throw new ExitSignal(st);
}

function* loopBody(body: Node, s: ShellState, io: ShellIO, stdin: Input, base: number): Run<{ status: number; stop: boolean }> {
  try {
    return { status: yield* exec(body, s, io, stdin, base), stop: false };
  } catch (e) {
    if (!(e instanceof LoopSignal)) throw e;
    if (--e.levels > 0) throw e;
    return { status: 0, stop: e.kind === "break" };
  }
}

/** Assign a variable, or an element with `a[i]=v`; `local` variables shadow in their function's frame. */
function setVar(s: ShellState, name: string, value: string): void {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/.exec(name);
  if (m) {
    const arr = (s.arrays[m[1]] ??= s.vars[m[1]] !== undefined ? [s.vars[m[1]]] : []);
    const i = arith(m[2], s);
    arr[i] = value;
    if (i === 0) s.vars[m[1]] = value;
    return;
  }
  s.vars[name] = value;
  if (s.arrays[name]) s.arrays[name][0] = value;
}

function* assign(s: ShellState, name: string, value: string | string[]): Run<void> {
  const append = name.endsWith("+");
  if (append) name = name.slice(0, -1);
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const w of value) items.push(...(yield* expandWord(w, s)));
    const arr = append ? [...(s.arrays[name] ?? (s.vars[name] !== undefined ? [s.vars[name]] : [])), ...items] : items;
    s.arrays[name] = arr;
    if (arr[0] !== undefined) s.vars[name] = arr[0];
    else delete s.vars[name];
    return;
  }
  const v = (yield* expandWord(value, s, false, true)).join("");
  setVar(s, name, append ? (s.vars[name] ?? "") + v : v);
}

/** set -x quoting of a word (bash and busybox quote; dash prints words as they are). */
const traceQuote = (w: string, s?: ShellState) => (s && dialectOf(s) === "dash" ? w : /^[A-Za-z0-9_./=:,+@%^-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

function* simple(n: Extract<Node, { type: "simple" }>, s: ShellState, io: ShellIO, stdin: Input): Run {
  const argv: string[] = [];
  for (const w of n.words) argv.push(...(yield* expandWord(w, s)));
  if (!argv.length) {
    for (const [k, v] of n.assigns) {
      yield* assign(s, k, v);
      if (s.opts.xtrace) io.stderr(`+ ${k}=${traceQuote(s.vars[k.replace(/\+$/, "")] ?? "", s)}\n`);
    }
    if (n.redirects.length) {
      const r = yield* redirections(n.redirects, s, io, stdin);
      if (typeof r === "number") return (s.status = r);
      r.flush();
    }
    // The status of a bare assignment is that of its last command substitution, else 0.
    return (s.status = n.words.length || n.assigns.some(([, v]) => typeof v === "string" && /\$\(|`/.test(v)) ? s.status : 0);
  }
  const r = yield* redirections(n.redirects, s, io, stdin);
  if (typeof r === "number") {
    errexit(s, r);
    return (s.status = r);
  }
  // A command's own assignments apply to it only (environment of the child).
  const assigns: [string, string][] = [];
  for (const [k, v] of n.assigns) if (typeof v === "string") assigns.push([k, (yield* expandWord(v, s, false, true)).join("")]);
  const saved = assigns.map(([k]) => [k, s.vars[k], s.exported.has(k)] as const);
  for (const [k, v] of assigns) { s.vars[k] = v; s.exported.add(k); }
  if (s.opts.xtrace) io.stderr(`+ ${[...assigns.map(([k, v]) => `${k}=${traceQuote(v, s)}`), ...argv.map((w) => traceQuote(w, s))].join(" ")}\n`);
  let st: number;
  try {
    st = yield* execute(argv, s, r.io, r.input);
  } catch (e) {
    // A trapped signal runs its action; the command it stopped ends with 128+n and the script goes on.
    if (e instanceof ShellSignal && s.traps[e.name]) {
      yield* runTrap(s, e.name, io);
      st = e.code;
    } else throw e;
  } finally {
    for (const [k, v, e] of saved) {
      if (v === undefined) delete s.vars[k];
      else s.vars[k] = v;
      if (!e) s.exported.delete(k);
    }
    r.flush();
  }
  s.status = st;
  errexit(s, st);
  return st;
}

/** Run a trap's action with $? kept (the action's own status does not replace it). */
export function* runTrap(s: ShellState, cond: string, io: ShellIO): Run<void> {
  const action = s.traps[cond];
  if (!action) return;
  const saved = s.status;
  if (cond === "EXIT") delete s.traps.EXIT; // runs once
  try {
    yield* script(action, s, io);
  } finally {
    s.status = saved;
  }
}

interface Redirected {
  io: ShellIO;
  input: Input;
  /** Write the captured output to its files (after the command ran). */
  flush(): void;
}

/** Open a command's redirections: its input, its outputs captured for their files. */
function* redirections(redirects: Redirect[], s: ShellState, io: ShellIO, stdin: Input): Run<Redirected | number> {
  let inp = stdin;
  const files: { path: string; data: string }[] = [];
  const fds: Record<number, (x: string) => void> = { 1: io.stdout, 2: io.stderr };
  let bytesOk = true;
  for (const r of redirects) {
    if (r.op === "<<") {
      let body = r.heredoc?.body ?? "";
      const open = r.heredoc?.unterminated;
      if (open && dialectOf(s) === "bash") {
        // bash ends the body with the line it read, and says it missed the delimiter.
        if (body && !body.endsWith("\n")) body += "\n";
        io.stderr(`${s.name}: line ${open.end}: warning: here-document at line ${open.line} delimited by end-of-file (wanted \`${open.delim}')\n`);
      }
      inp = { text: r.heredoc?.quoted ? body : (yield* expandHeredoc(body, s)), pos: 0 };
      continue;
    }
    if (r.op === ">&" || r.op === "<&") {
      const target = (yield* expandWord(r.target, s, false)).join("");
      if (target === "-") fds[r.fd] = () => {};
      else if (fds[Number(target)]) fds[r.fd] = fds[Number(target)];
      else {
        io.stderr(`${errPrefix(s)}${target}: Bad file descriptor\n`);
        return 1;
      }
      if (r.fd === 1) bytesOk = false;
      continue;
    }
    const path = (yield* expandWord(r.target, s, false)).join("");
    if (r.op === "<<<") {
      inp = { text: path + "\n", pos: 0 };
      continue;
    }
    const p = resolvePath(path, s.cwd);
    if (r.op === "<") {
      const data = p === "/dev/null" ? "" : s.ctx.fs.read(p);
      if (data === undefined) {
        io.stderr(dialectOf(s) === "busybox" ? `${s.name}: can't open '${path}': No such file or directory\n` : dialectOf(s) === "dash" ? `${errPrefix(s)}cannot open ${path}: No such file\n` : `${errPrefix(s)}${path}: No such file or directory\n`);
        return 1;
      }
      inp = { text: data, pos: 0 };
      continue;
    }
    // The shell opens (creates, truncates) the file before the command runs.
    let sink: (x: string) => void = () => {};
    if (p !== "/dev/null") {
      try {
        if (s.ctx.fs.isDir(p)) throw new FSError("EISDIR", p);
        const existing = r.op === ">>" ? s.ctx.fs.read(p) : undefined;
        s.ctx.fs.write(p, existing ?? "");
        const f = files.find((f) => f.path === p) ?? (files.push({ path: p, data: existing ?? "" }), files[files.length - 1]);
        sink = (x) => void (f.data += x);
      } catch (e) {
        if (!(e instanceof FSError)) throw e;
        io.stderr(dialectOf(s) === "bash" ? `${errPrefix(s)}${path}: ${e.message}\n` : `${errPrefix(s)}can't create ${path}: ${e.message}\n`);
        return 1;
      }
    }
    if (r.op === "&>") { fds[1] = sink; fds[2] = sink; }
    else fds[r.fd] = sink;
    if (r.fd === 1 || r.op === "&>") bytesOk = false;
  }
  const out: ShellIO = redirects.length ? { ...io, stdout: fds[1], stderr: fds[2], stdoutBytes: bytesOk ? io.stdoutBytes : undefined, tty: bytesOk ? io.tty : false } : io;
  return {
    io: out,
    input: inp,
    flush() {
      for (const f of files) {
        try {
          s.ctx.fs.write(f.path, f.data);
        } catch (e) {
          if (!(e instanceof FSError)) throw e;
          io.stderr(`${s.name}: write error: ${e.message}\n`);
        }
      }
    },
  };
}

/** A here-document body: $ and ` expand, backslash quotes only $ ` \ and newline. */
function* expandHeredoc(body: string, s: ShellState): Run<string> {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === "\\" && "$`\\\n".includes(body[i + 1] ?? "")) {
      if (body[i + 1] !== "\n") out += body[i + 1];
      i += 2;
    } else if (c === "$" || c === "`") {
      const [v, next] = yield* dollar(body, i, s, true);
      out += Array.isArray(v) ? v.join(" ") : v;
      i = next;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Builtins of every shell: they need no program in the image. */
const BUILTINS = new Set(["exit", "break", "continue", "export", "unset", "cd", "echo", "printf", "test", "[", "true", "false", ":", "pwd", "local", "return", "trap", "set", "shift", "read", "eval", ".", "source", "wait", "readonly", "type", "command", "jobs", "kill"]);
const programName = (name: string) => name.replace(/^.*\//, "");

/** A command the image lacks, as its shell says it: busybox ash, dash (Debian's sh) or bash. */
function notFound(name: string, s: ShellState, io: ShellIO): number {
  const d = dialectOf(s);
  io.stderr(`${errPrefix(s)}${name}: ${d === "bash" ? "command not found" : "not found"}\n`);
  return 127;
}

/** Run one command (builtin or applet) with expanded argv, to its end on the virtual clock. */
export function command(argv: string[], s: ShellState, io: ShellIO, stdin: string, stdinBytes?: Uint8Array): number {
  return drive(execute(argv, s, io, stdin, stdinBytes), s);
}

/** Run one command (function, builtin or applet) with expanded argv. */
export function* execute(argv: string[], s: ShellState, io: ShellIO, stdin: Input | string, stdinBytes?: Uint8Array): Run {
  const [name, ...args] = argv;
  const inp = input(stdin);
  const fn = s.funcs[name];
  if (fn) return yield* callFunction(fn, args, s, io, inp);
  const builtin = yield* builtins(name, args, s, io, inp);
  if (builtin !== undefined) return builtin;
  const prog = programName(name);
  const programs = programsOf(s);
  const flavour: Flavour | undefined = programs ? programIn(programs, name) : "busybox";
  if (!flavour && !BUILTINS.has(prog)) return notFound(name, s, io);
  if (prog === "sh" || prog === "bash" || prog === "ash" || prog === "dash") return yield* shell(prog, args, s, io, inp);
  const applet = APPLETS[prog];
  if (!applet) {
    // On the image's PATH, but kubeplay does not simulate it: say so rather than pretend.
    if (programs && flavour) {
      io.stderr(`kubeplay: ${prog}: this program is in the image, but kubeplay does not simulate it\n`);
      return 126;
    }
    return notFound(name, s, io);
  }
  // A program reading the terminal (`cat > pod.yaml`) gets what is typed up to ^D.
  if (inp.live && readsTerminal(prog, args)) while (!inp.live.closed) yield { sleep: TTY_POLL_MS };
  try {
    const r = applet(args, { s, io, stdin: inp.live && !readsTerminal(prog, args) ? "" : rest(inp), stdinBytes, flavour: flavour ?? "busybox" });
    return typeof r === "number" ? r : yield* r;
  } catch (e) {
    if (!(e instanceof FSError)) throw e;
    io.stderr(`${name}: ${e.path}: ${e.message}\n`);
    return 1;
  }
}

/** How often a command waiting for typed input looks for it. */
const TTY_POLL_MS = 25;

/** Options of the filters that take a value (their value is not a file operand). */
const VALUE_OPTS: Record<string, string[]> = { head: ["-n", "-c"], tail: ["-n", "-c"], grep: ["-e", "-f", "-m", "-A", "-B", "-C"], cut: ["-d", "-f", "-c", "-b"], sort: ["-k", "-t"], sed: ["-e"], awk: ["-F", "-v"], uniq: ["-f", "-s"] };
/** The filters whose first operand is a script or pattern, not a file. */
const SCRIPT_FIRST = new Set(["grep", "sed", "awk", "tr"]);
const FILTERS = new Set(["cat", "wc", "sort", "uniq", "head", "tail", "base64", "md5sum", "sha256sum", "grep", "sed", "awk", "cut", "tr", "tee", "xargs", "jq"]);

/** Does this command read its stdin (no file operands), so that on a terminal it waits for ^D? */
function readsTerminal(prog: string, args: string[]): boolean {
  if (!FILTERS.has(prog)) return false;
  if (prog === "tee" || prog === "xargs" || prog === "tr") return true;
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-") return true;
    if (a.startsWith("-") && a.length > 1) {
      if (VALUE_OPTS[prog]?.includes(a)) i++;
      continue;
    }
    operands.push(a);
  }
  const explicitScript = prog === "grep" || prog === "sed" ? args.includes("-e") : false;
  return operands.length <= (SCRIPT_FIRST.has(prog) && !explicitScript ? 1 : 0);
}

/** A child shell: `sh -c '…'`, `sh script.sh`, or `sh` reading its stdin. */
function* shell(prog: string, args: string[], s: ShellState, io: ShellIO, inp: Input): Run {
  let opts = "";
  while (args.length && /^[-+][euxl]+$/.test(args[0]) ) { opts += args[0].slice(1); args = args.slice(1); }
  let src: string | undefined;
  let a0 = prog;
  let params: string[] = [];
  if (args[0] === "-c") {
    if (args[1] === undefined) {
      io.stderr(`${prog}: -c: option requires an argument\n`);
      return 2;
    }
    src = args[1];
    a0 = args[2] ?? prog;
    params = args.slice(3);
  } else if (args.length) {
    src = s.ctx.fs.read(resolvePath(args[0], s.cwd));
    if (src === undefined) {
      io.stderr(dialectOf(subshell(s, { name: prog })) === "bash" ? `${prog}: ${args[0]}: No such file or directory\n` : dialectOf(subshell(s, { name: prog })) === "dash" ? `${prog}: 0: cannot open ${args[0]}: No such file\n` : `${prog}: can't open '${args[0]}': No such file or directory\n`);
      return dialectOf(subshell(s, { name: prog })) === "bash" ? 127 : 2;
    }
    a0 = args[0];
    params = args.slice(1);
  } else src = rest(inp); // a non-interactive shell without a script reads stdin
  const sub = subshell(s, { name: prog, args: params, interactive: false, lineno: 0, linesRead: 0, funcs: {}, traps: {}, tested: 0 });
  sub.vars["0"] = a0;
  sub.opts = { errexit: opts.includes("e"), nounset: opts.includes("u"), xtrace: opts.includes("x"), pipefail: false };
  return yield* scriptWithTraps(src ?? "", sub, io, inp);
}

/** A whole shell's run: its script, then its EXIT trap, whatever ended it. */
export function* scriptWithTraps(src: string, s: ShellState, io: ShellIO, inp: Input | string = ""): Run {
  let code: number;
  try {
    code = yield* script(src, s, io, inp);
  } catch (e) {
    if (e instanceof ExitSignal) code = e.code;
    else if (e instanceof ReturnSignal) code = e.code;
    else if (e instanceof LoopSignal) code = 0;
    else if (e instanceof ShellSignal) {
      if (dialectOf(s) === "bash") yield* runTrap(s, "EXIT", io);
      throw e;
    } else throw e;
  }
  s.status = code;
  try {
    yield* runTrap(s, "EXIT", io);
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    throw e;
  }
  return code;
}

function* callFunction(body: Node, args: string[], s: ShellState, io: ShellIO, inp: Input): Run {
  const savedArgs = s.args;
  s.args = args;
  s.frames.push(new Map());
  try {
    return (s.status = yield* exec(body, s, io, inp, 0));
  } catch (e) {
    if (e instanceof ReturnSignal) return (s.status = e.code);
    throw e;
  } finally {
    s.args = savedArgs;
    for (const [k, v] of s.frames.pop()!) {
      if (v === undefined) delete s.vars[k];
      else s.vars[k] = v;
    }
  }
}

/** echo as a builtin: dash's interprets backslash escapes, bash's and busybox's only with -e. */
function echo(args: string[], s: ShellState, io: ShellIO): number {
  const d = dialectOf(s);
  let newline = true;
  let esc = d === "dash";
  while (args.length && (d === "dash" ? args[0] === "-n" : /^-[neE]+$/.test(args[0]))) {
    if (args[0].includes("n")) newline = false;
    if (args[0].includes("e")) esc = true;
    if (args[0].includes("E")) esc = false;
    args = args.slice(1);
  }
  let text = args.join(" ");
  if (esc) {
    const cut = text.search(/\\c/);
    if (cut >= 0) { text = text.slice(0, cut); newline = false; }
    text = text.replace(/\\(0[0-7]{0,3}|[0-7]{1,3}|[nrtabfve\\])/g, (m, e: string) => {
      if (/^[0-7]/.test(e)) {
        if (d !== "dash" && e[0] !== "0") return m;
        return String.fromCharCode(parseInt(e[0] === "0" ? e.slice(1) || "0" : e, 8));
      }
      return ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", f: "\f", v: "\v", e: "\x1b", "\\": "\\" } as Record<string, string>)[e];
    });
  }
  io.stdout(text + (newline ? "\n" : ""));
  return 0;
}

const TRAP_CONDS: Record<string, string> = { EXIT: "EXIT", "0": "EXIT", INT: "INT", SIGINT: "INT", "2": "INT", TERM: "TERM", SIGTERM: "TERM", "15": "TERM", HUP: "HUP", SIGHUP: "HUP", "1": "HUP" };

/** The shell's own commands; undefined when `name` is not one. */
function* builtins(name: string, args: string[], s: ShellState, io: ShellIO, inp: Input): Run<number | undefined> {
  switch (name) {
    case "exit":
      throw new ExitSignal(args.length ? Number(args[0]) & 255 : s.status);
    case "return":
      if (!s.frames.length) {
        const d = dialectOf(s);
        if (d === "bash") {
          io.stderr(`${errPrefix(s)}return: can only \`return' from a function or sourced script\n`);
          return 2;
        }
        throw new ExitSignal(args.length ? Number(args[0]) & 255 : s.status);
      }
      throw new ReturnSignal(args.length ? Number(args[0]) & 255 : s.status);
    case "break":
    case "continue":
      throw new LoopSignal(name, Number(args[0] ?? 1));
    case "echo":
      return echo(args, s, io);
    case "local": {
      const frame = s.frames[s.frames.length - 1];
      if (!frame) {
        const d = dialectOf(s);
        io.stderr(d === "bash" ? `${errPrefix(s)}local: can only be used in a function\n` : d === "dash" ? `${errPrefix(s)}local: not in a function\n` : `${s.name}: local: line 0: not in a function\n`);
        return d === "bash" ? 1 : 2;
      }
      for (const a of args) {
        const i = a.indexOf("=");
        const k = i < 0 ? a : a.slice(0, i);
        if (!frame.has(k)) frame.set(k, s.vars[k]);
        if (i >= 0) s.vars[k] = a.slice(i + 1);
        else if (dialectOf(s) === "bash") delete s.vars[k];
      }
      return 0;
    }
    case "export":
    case "readonly":
      for (const a of args.filter((a) => a !== "-p" && a !== "-n")) {
        const i = a.indexOf("=");
        const k = i < 0 ? a : a.slice(0, i);
        if (i >= 0) s.vars[k] = a.slice(i + 1);
        if (name === "export") s.exported.add(k);
      }
      if (!args.length || args[0] === "-p") {
        const shown = dialectOf(s) === "bash" ? (k: string, v: string) => `declare -x ${k}="${v}"\n` : (k: string, v: string) => `export ${k}='${v}'\n`;
        for (const [k, v] of Object.entries(environ(s)).sort()) io.stdout(shown(k, v));
      }
      return 0;
    case "unset":
      for (const a of args.filter((a) => a !== "-v" && a !== "-f")) {
        if (args.includes("-f")) delete s.funcs[a];
        else { delete s.vars[a]; delete s.arrays[a]; s.exported.delete(a); }
      }
      return 0;
    case "cd": {
      const target = args[0] === "-" ? (s.vars.OLDPWD ?? s.cwd) : args[0] ?? s.vars.HOME ?? "/";
      const dir = resolvePath(target, s.cwd);
      if (!s.ctx.fs.isDir(dir)) {
        const d = dialectOf(s);
        io.stderr(d === "bash" ? `${errPrefix(s)}cd: ${args[0]}: No such file or directory\n` : d === "dash" ? `${errPrefix(s)}cd: can't cd to ${args[0]}\n` : `${s.name}: cd: line 0: can't cd to ${args[0]}: No such file or directory\n`);
        return d === "bash" ? 1 : 2;
      }
      s.vars.OLDPWD = s.cwd;
      s.cwd = s.vars.PWD = dir;
      if (args[0] === "-") io.stdout(`${dir}\n`);
      return 0;
    }
    case "shift": {
      const k = args.length ? Number(args[0]) : 1;
      if (k > s.args.length) {
        const d = dialectOf(s);
        if (d === "bash") return 1;
        io.stderr(d === "dash" ? `${errPrefix(s)}shift: can't shift that many\n` : "");
        return d === "dash" ? 2 : 1;
      }
      s.args = s.args.slice(k);
      return 0;
    }
    case "set":
      return setBuiltin(args, s, io);
    case "trap":
      return trap(args, s, io);
    case "read": {
      let raw = false;
      let prompt = "";
      const names: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === "-r") raw = true;
        else if (args[i] === "-p") prompt = args[++i] ?? "";
        else names.push(args[i]);
      }
      if (prompt) io.stderr(prompt);
      // From a terminal: wait until a line is typed (or ^D).
      while (inp.live && !inp.live.closed && inp.text.indexOf("\n", inp.pos) < 0) yield { sleep: TTY_POLL_MS };
      if (inp.pos >= inp.text.length) return 1;
      let end = inp.text.indexOf("\n", inp.pos);
      let line: string;
      for (;;) {
        const stop = end < 0 ? inp.text.length : end;
        line = inp.text.slice(inp.pos, stop);
        // Without -r a backslash-newline continues the line.
        if (!raw && line.endsWith("\\") && end >= 0) {
          end = inp.text.indexOf("\n", end + 1);
          continue;
        }
        inp.pos = end < 0 ? inp.text.length : end + 1;
        break;
      }
      if (!raw) line = line.replace(/\\\n/g, "").replace(/\\(.)/g, "$1");
      const targets = names.length ? names : ["REPLY"];
      const ifs = s.vars.IFS ?? " \t\n";
      const fields = targets.length === 1 && names.length ? [line.replace(new RegExp(`^[${escapeClass(ifs)}]+|[${escapeClass(ifs)}]+$`, "g"), "")] : splitIFS(line, ifs, targets.length);
      if (!names.length) s.vars.REPLY = line;
      else targets.forEach((t, i) => setVar(s, t, fields[i] ?? ""));
      return end < 0 ? 1 : 0;
    }
    case "eval":
      return yield* script(args.join(" "), s, io, inp);
    case ".":
    case "source": {
      const src = args[0] === undefined ? undefined : s.ctx.fs.read(resolvePath(args[0], s.cwd));
      if (src === undefined) {
        io.stderr(`${errPrefix(s)}${name}: can't open '${args[0] ?? ""}'\n`);
        return dialectOf(s) === "bash" ? 1 : 2;
      }
      return yield* script(src, s, io, inp);
    }
    case "wait":
      return yield* waitFor(args, s, io);
    case "jobs":
      for (const line of jobLines(s, false)) io.stdout(line);
      return 0;
    case "let": {
      if (dialectOf(s) !== "bash") return undefined;
      let v = 0;
      for (const a of args) v = arith(a, s);
      return v !== 0 ? 0 : 1;
    }
    case "kill":
      return kill(args, s, io);
    case "type":
    case "command": {
      if (name === "command" && args[0] !== "-v") return args.length ? yield* execute(args, s, io, inp) : 0;
      const names = name === "command" ? args.slice(1) : args;
      let st = 0;
      for (const n of names) {
        if (s.funcs[n]) io.stdout(name === "type" ? `${n} is a function\n` : `${n}\n`);
        else if (BUILTINS.has(n)) io.stdout(name === "type" ? `${n} is a shell builtin\n` : `${n}\n`);
        else if (APPLETS[n] && (!programsOf(s) || programIn(programsOf(s)!, n))) io.stdout(name === "type" ? `${n} is /bin/${n}\n` : `/bin/${n}\n`);
        else {
          st = 1;
          if (name === "type") io.stdout(`${n}: not found\n`);
        }
      }
      return st;
    }
  }
  return undefined;
}

/** The job a `%N` or pid names. */
function jobOf(spec: string, s: ShellState): BackgroundJob | undefined {
  if (spec === "%%" || spec === "%+" || spec === "%") return s.t.jobs[s.t.jobs.length - 1];
  if (spec.startsWith("%")) return s.t.jobs.find((j) => j.id === Number(spec.slice(1)));
  return s.t.jobs.find((j) => j.pid === Number(spec));
}

const STATE_NAMES: Record<ShellSignal["name"], string> = { INT: "Interrupt", TERM: "Terminated", HUP: "Hangup", KILL: "Killed" };

/**
 * The job table as `jobs` prints it, or (`ended`) the ends not told yet, which an interactive shell
 * prints before its prompt: `[1]+  Done                    sleep 1`.
 */
export function jobLines(s: ShellState, ended: boolean): string[] {
  const bash = dialectOf(s) === "bash";
  const jobs = s.t.jobs;
  const out: string[] = [];
  jobs.forEach((j, k) => {
    const done = j.code !== undefined;
    if (ended && !done) return;
    const mark = k === jobs.length - 1 ? "+" : k === jobs.length - 2 ? "-" : " ";
    const state = !done ? "Running" : j.signal ? STATE_NAMES[j.signal] : j.code === 0 ? "Done" : bash ? `Exit ${j.code}` : `Done(${j.code})`;
    out.push(`[${j.id}]${mark}  ${state.padEnd(bash ? 24 : 27)}${j.text}${!done && bash ? " &" : ""}\n`);
    if (done) j.told = true;
  });
  // Ended jobs leave the table once told.
  s.t.jobs = jobs.filter((j) => !j.told);
  return out;
}

/** wait [%N|pid …]: until those jobs (all by default) end; their last status. */
function* waitFor(args: string[], s: ShellState, io: ShellIO): Run {
  const targets = args.length ? args.map((a) => jobOf(a, s)) : [...s.t.jobs];
  let st = 0;
  for (const [k, j] of targets.entries()) {
    if (!j) {
      io.stderr(dialectOf(s) === "bash" ? `${errPrefix(s)}wait: pid ${args[k]} is not a child of this shell\n` : "");
      st = 127;
      continue;
    }
    while (j.code === undefined) {
      const wake = s.t.nextWake?.();
      yield { sleep: wake === undefined ? 20 : Math.max(0, wake - s.t.elapsed) };
    }
    st = j.code;
    // dash and busybox ash say how a job a signal ended when they reap it.
    if (j.signal && !s.interactive && dialectOf(s) !== "bash") io.stderr(`${STATE_NAMES[j.signal]}\n`);
    if (!s.interactive) s.t.jobs = s.t.jobs.filter((x) => x !== j);
  }
  return st;
}

/** kill [-s SIG | -SIG] %N|pid …: signals to the shell's own jobs. */
function kill(args: string[], s: ShellState, io: ShellIO): number {
  let sig: ShellSignal["name"] = "TERM";
  const names: Record<string, ShellSignal["name"]> = { INT: "INT", TERM: "TERM", HUP: "HUP", KILL: "KILL", "2": "INT", "15": "TERM", "1": "HUP", "9": "KILL" };
  let i = 0;
  if (args[0] === "-s") { sig = names[(args[1] ?? "").replace(/^SIG/, "").toUpperCase()] ?? sig; i = 2; }
  else if (args[0]?.startsWith("-") && args[0].length > 1) { sig = names[args[0].slice(1).replace(/^SIG/, "").toUpperCase()] ?? sig; i = 1; }
  const targets = args.slice(i);
  if (!targets.length) {
    const d = dialectOf(s);
    io.stderr(
      d === "bash"
        ? "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n"
        : d === "dash"
          ? `${errPrefix(s)}kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]\n`
          : `${s.name}: you need to specify whom to kill\n`,
    );
    return d === "busybox" ? 1 : 2;
  }
  let st = 0;
  for (const t of targets) {
    const j = jobOf(t, s);
    if (!j || j.code !== undefined) {
      const d = dialectOf(s);
      if (t.startsWith("%")) io.stderr(d === "bash" ? `${errPrefix(s)}kill: ${t}: no such job\n` : d === "dash" ? `${errPrefix(s)}kill: No such job: ${t}\n` : `${s.name}: kill: line 0: ${t}: no such job\n`);
      else io.stderr(d === "bash" ? `${errPrefix(s)}kill: (${t}) - No such process\n` : d === "dash" ? `${errPrefix(s)}kill: No such process\n` : `${s.name}: can't kill pid ${t}: No such process\n`);
      st = 1;
      continue;
    }
    j.kill?.(sig);
  }
  return st;
}

function setBuiltin(args: string[], s: ShellState, io: ShellIO): number {
  if (!args.length) {
    for (const [k, v] of Object.entries(s.vars).sort(([a], [b]) => (a < b ? -1 : 1))) if (/^[A-Za-z_]/.test(k)) io.stdout(`${k}='${v.replace(/'/g, `'\\''`)}'\n`);
    return 0;
  }
  const names: Record<string, keyof ShellState["opts"]> = { e: "errexit", u: "nounset", x: "xtrace", errexit: "errexit", nounset: "nounset", xtrace: "xtrace", pipefail: "pipefail" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") { s.args = args.slice(i + 1); return 0; }
    if (a === "-o" || a === "+o") {
      const opt = names[args[++i] ?? ""];
      if (!opt || (opt === "pipefail" && dialectOf(s) === "dash")) {
        if (dialectOf(s) === "dash") {
          io.stderr(`${errPrefix(s)}set: Illegal option -o ${args[i] ?? ""}\n`);
          throw new ExitSignal(2);
        }
        io.stderr(`${errPrefix(s)}set: ${args[i] ?? ""}: invalid option name\n`);
        return dialectOf(s) === "bash" ? 2 : 2;
      }
      s.opts[opt] = a === "-o";
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      for (const c of a.slice(1)) {
        const opt = names[c];
        if (opt) s.opts[opt] = a[0] === "-";
      }
      continue;
    }
    s.args = args.slice(i);
    return 0;
  }
  return 0;
}

function trap(args: string[], s: ShellState, io: ShellIO): number {
  if (!args.length || args[0] === "-p") {
    const bash = dialectOf(s) === "bash";
    for (const [cond, action] of Object.entries(s.traps)) io.stdout(`trap -- '${action.replace(/'/g, `'\\''`)}' ${bash && cond !== "EXIT" ? `SIG${cond}` : cond}\n`);
    return 0;
  }
  if (args[0] === "--") args = args.slice(1);
  const [action, ...conds] = /^\d+$/.test(args[0]) ? ["-", ...args] : args;
  for (const c of conds) {
    const cond = TRAP_CONDS[c.toUpperCase()] ?? TRAP_CONDS[c];
    if (!cond) {
      io.stderr(dialectOf(s) === "bash" ? `${errPrefix(s)}trap: ${c}: invalid signal specification\n` : `${errPrefix(s)}trap: ${c}: bad trap\n`);
      return 1;
    }
    if (action === "-") delete s.traps[cond];
    else s.traps[cond] = action;
  }
  return 0;
}

const escapeClass = (chars: string) => chars.replace(/[\]\\^-]/g, "\\$&");

/** Split on IFS into at most `max` fields (the last takes the rest, as `read a b` does). */
function splitIFS(text: string, ifs: string, max = Infinity): string[] {
  const ws = new RegExp(`^[${escapeClass(ifs)}]+`);
  const out: string[] = [];
  let t = text.replace(ws, "");
  while (t && out.length < max - 1) {
    const m = new RegExp(`[${escapeClass(ifs)}]+`).exec(t);
    if (!m) break;
    out.push(t.slice(0, m.index));
    t = t.slice(m.index + m[0].length);
  }
  if (t) out.push(out.length === max - 1 ? t.replace(new RegExp(`[${escapeClass(ifs)}]+$`), "") : t);
  return out;
}

/** Is `name` something this shell can run (builtin or applet)? */
export const hasCommand = (name: string) =>
  ["exit", "break", "continue", "export", "unset", "cd", "sh", "bash", "ash"].includes(name.replace(/^\/(usr\/)?(s?bin)\//, "")) ||
  !!APPLETS[name.replace(/^\/(usr\/)?(s?bin)\//, "")];

/** Is `program` on the PATH of `image` (what the runtime finds for exec and a container's command)? */
export const inImage = (image: string, program: string) => programIn(imagePrograms(image), program) !== undefined;

// ---- [[ ]] ---------------------------------------------------------------------------------

function* cond(words: CondWord[], s: ShellState, io: ShellIO): Run {
  let p = 0;
  const isOp = (v: string) => words[p]?.op === v;
  const value = function* (w: CondWord | undefined): Run<string> {
    if (!w) return "";
    return w.word === undefined ? w.op! : (yield* expandWord(w.word, s, false)).join("");
  };
  function* or(): Run<boolean> {
    let v = yield* and();
    while (isOp("||")) { p++; const r = yield* and(); v = v || r; }
    return v;
  }
  function* and(): Run<boolean> {
    let v = yield* not();
    while (isOp("&&")) { p++; const r = yield* not(); v = v && r; }
    return v;
  }
  function* not(): Run<boolean> {
    if (isOp("!")) { p++; return !(yield* not()); }
    if (isOp("(")) {
      p++;
      const v = yield* or();
      p++;
      return v;
    }
    return yield* primary();
  }
  function* primary(): Run<boolean> {
    const a = words[p++];
    const op = words[p];
    const opText = op?.word ?? op?.op;
    if (a?.word && /^-[a-zA-Z]$/.test(a.word) && !(opText && BINARY.has(opText))) {
      const v = yield* value(words[p++]);
      return unaryTest(a.word, v, s);
    }
    if (opText && BINARY.has(opText) && op.word !== undefined || op?.op === "<" || op?.op === ">") {
      p++;
      const left = yield* value(a);
      const b = words[p++];
      switch (opText) {
        case "==":
        case "=":
        case "!=": {
          // busybox ash's [[ is test with globbing: quoting does not make the pattern literal.
          const pattern = dialectOf(s) === "busybox" ? globToRegex((yield* expandWord(b?.word ?? "", s, false)).join("")) : yield* patternOf(b?.word ?? "", s);
          const re = new RegExp(`^(?:${pattern})$`, "s");
          return re.test(left) === (opText !== "!=");
        }
        case "=~": {
          const src = (yield* expandWord(b?.word ?? "", s, false)).join("");
          let re: RegExp;
          try {
            re = new RegExp(src);
          } catch {
            return false;
          }
          const m = re.exec(left);
          s.arrays.BASH_REMATCH = m ? [...m].map((x) => x ?? "") : [];
          return !!m;
        }
        case "<": return left < (yield* value(b));
        case ">": return left > (yield* value(b));
      }
      const right = yield* value(b);
      const x = arith(left || "0", s), y = arith(right || "0", s);
      switch (opText) {
        case "-eq": return x === y;
        case "-ne": return x !== y;
        case "-lt": return x < y;
        case "-le": return x <= y;
        case "-gt": return x > y;
        case "-ge": return x >= y;
      }
      return false;
    }
    return (yield* value(a)) !== "";
  }
  try {
    return (yield* or()) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof ExpansionError)) throw e;
    io.stderr(`${errPrefix(s)}${e.message}\n`);
    return 1;
  }
}

const BINARY = new Set(["==", "=", "!=", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "-nt", "-ot"]);

function unaryTest(op: string, v: string, s: ShellState): boolean {
  const p = resolvePath(v, s.cwd);
  const exists = () => s.ctx.fs.isDir(p) || s.ctx.fs.read(p) !== undefined;
  switch (op) {
    case "-z": return v === "";
    case "-n": return v !== "";
    case "-e":
    case "-a": return exists();
    case "-f": return s.ctx.fs.read(p) !== undefined && !s.ctx.fs.isDir(p);
    case "-d": return s.ctx.fs.isDir(p);
    case "-s": return !!s.ctx.fs.read(p) || s.ctx.fs.isDir(p);
    case "-r":
    case "-w":
    case "-x": return exists();
    case "-v": return s.vars[v] !== undefined;
    case "-h":
    case "-L": return false;
  }
  return false;
}

// ---- expansion ----------------------------------------------------------------------------

/** A word's parts as the expander meets them: literal text (quoted or not), or an expansion's fields. */
interface Parts {
  text(t: string, quoted: boolean): void;
  /** Unquoted expansion: split into fields. Quoted: joined into the current field, except "$@". */
  expanded(v: string | string[], quoted: boolean): void;
  /** Entered quotes: an empty "" still makes a field. */
  quote(): void;
}

function* walk(raw: string, s: ShellState, parts: Parts, assignment = false): Run<void> {
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      parts.quote();
      parts.text(raw.slice(i + 1, end), true);
      i = end + 1;
    } else if (c === '"') {
      parts.quote();
      for (i++; i < raw.length && raw[i] !== '"'; ) {
        if (raw[i] === "\\" && '$`"\\\n'.includes(raw[i + 1])) { if (raw[i + 1] !== "\n") parts.text(raw[i + 1], true); i += 2; }
        else if (raw[i] === "$" || raw[i] === "`") { const [v, n] = yield* dollar(raw, i, s, true); parts.expanded(v, true); i = n; }
        else parts.text(raw[i++], true);
      }
      i++;
    } else if (c === "\\") {
      parts.quote();
      parts.text(raw[i + 1] ?? "", true);
      i += 2;
    } else if (c === "$" && raw[i + 1] === "'") {
      // bash's $'…' (ANSI-C quoting)
      const end = raw.indexOf("'", i + 2);
      parts.quote();
      parts.text(ansiC(raw.slice(i + 2, end < 0 ? raw.length : end)), true);
      i = end < 0 ? raw.length : end + 1;
    } else if (c === "$" || c === "`") {
      const [v, n] = yield* dollar(raw, i, s, false);
      parts.expanded(v, false);
      i = n;
    } else if (c === "~" && (i === 0 || (assignment && raw[i - 1] === ":")) && (i + 1 === raw.length || raw[i + 1] === "/" || raw[i + 1] === ":")) {
      parts.text(s.vars.HOME ?? "/root", true);
      i++;
    } else {
      parts.text(c, false);
      i++;
    }
  }
}

function ansiC(t: string): string {
  return t.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|[nrtabfve\\'"])/g, (_, e: string) => {
    if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", f: "\f", v: "\v", e: "\x1b", "\\": "\\", "'": "'", '"': '"' } as Record<string, string>)[e];
  });
}

/** Expand one raw word into fields (unquoted expansions split on IFS unless `split` is false). */
export function* expandWord(raw: string, s: ShellState, split = true, assignment = false): Run<string[]> {
  // bash's brace expansion comes first: {a,b} and {1..5} make several words.
  if (split && raw.includes("{") && dialectOf(s) === "bash") {
    const words = braceExpand(raw);
    if (words.length > 1 || words[0] !== raw) {
      const out: string[] = [];
      for (const w of words) out.push(...(yield* expandWord(w, s, split, assignment)));
      return out;
    }
  }
  // Most words have nothing to expand.
  if (/^[A-Za-z0-9_.,:/=+%@-]+$/.test(raw)) return [raw];
  const fields: string[] = [];
  const patterns: (string | undefined)[] = [];
  let cur = "";
  // The field as a glob: quoted characters escaped; set once an unquoted * ? [ appears.
  let pat = "";
  let glob = false;
  let has = false; // a quoted (possibly empty) part makes a field
  const ifs = s.vars.IFS ?? " \t\n";
  const sep = new RegExp(`[${escapeClass(ifs)}]+`);
  const add = (t: string, quoted: boolean) => {
    cur += t;
    pat += quoted ? t.replace(/[*?[\]\\]/g, "\\$&") : t;
    if (!quoted && /[*?[]/.test(t)) glob = true;
  };
  const push = () => { fields.push(cur); patterns.push(glob ? pat : undefined); cur = ""; pat = ""; glob = false; has = false; };
  yield* walk(raw, s, {
    text: add,
    quote() { has = true; },
    expanded(v, quoted) {
      if (Array.isArray(v)) {
        if (!split) { add(v.join(" "), true); return; }
        if (!v.length && quoted) { if (!cur) has = false; return; }
        v.forEach((item, k) => {
          if (k > 0) push();
          if (quoted) { add(item, true); has = true; }
          else this.expanded(item, false);
        });
        return;
      }
      if (quoted || !split || !ifs) { add(v, quoted || !split); return; }
      const pieces = v.split(sep);
      pieces.forEach((piece, k) => {
        if (k > 0 && (cur || has)) push();
        add(piece, false);
      });
    },
  }, assignment);
  if (cur || has) push();
  if (!split) return fields;
  // Pathname expansion: a pattern that matches nothing stays as it is.
  return fields.flatMap((f, k) => {
    const p = patterns[k];
    if (p === undefined) return [f];
    const found = globPaths(p, s);
    return found.length ? found : [f];
  });
}

/** bash brace expansion of a raw word: the first unquoted {x,y} or {a..b[..step]}, recursively. */
export function braceExpand(raw: string): string[] {
  let quote = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "\\") { i++; continue; }
    if (c === "'" || c === '"') { quote = c; continue; }
    if (c === "$" && raw[i + 1] === "{") { i = skipBrace(raw, i + 1) - 1; continue; }
    if (c === "$" && raw[i + 1] === "(") { i = skipParens(raw, i + 1) - 1; continue; }
    if (c !== "{") continue;
    // Find the matching close and the top-level commas.
    let depth = 0;
    const commas: number[] = [];
    let end = -1;
    for (let j = i; j < raw.length; j++) {
      const d = raw[j];
      if (d === "\\") { j++; continue; }
      if (d === "'" || d === '"') { const q = raw.indexOf(d, j + 1); if (q < 0) break; j = q; continue; }
      if (d === "{") depth++;
      else if (d === "}" && --depth === 0) { end = j; break; }
      else if (d === "," && depth === 1) commas.push(j);
    }
    if (end < 0) return [raw];
    const pre = raw.slice(0, i), body = raw.slice(i + 1, end), post = raw.slice(end + 1);
    let items: string[] | undefined;
    if (commas.length) {
      items = [];
      let from = i + 1;
      for (const k of [...commas, end]) { items.push(raw.slice(from, k)); from = k + 1; }
    } else items = braceSequence(body);
    if (!items) {
      // Not an expansion ({x}, {}): look further along.
      const rest = braceExpand(post);
      return rest.map((r) => `${pre}{${body}}${r}`);
    }
    return items.flatMap((it) => braceExpand(pre + it + post));
  }
  return [raw];
}

/** {1..5}, {05..10..5}, {a..e}: the items, or undefined when the body is not a sequence. */
function braceSequence(body: string): string[] | undefined {
  const n = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (n) {
    const [a, b] = [Number(n[1]), Number(n[2])];
    const step = Math.abs(Number(n[3] ?? 1)) || 1;
    const width = /^-?0\d/.test(n[1]) || /^-?0\d/.test(n[2]) ? Math.max(n[1].length, n[2].length) : 0;
    const out: string[] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) out.push(width ? (v < 0 ? "-" + String(-v).padStart(width - 1, "0") : String(v).padStart(width, "0")) : String(v));
    return out;
  }
  const c = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(body);
  if (c) {
    const [a, b] = [c[1].charCodeAt(0), c[2].charCodeAt(0)];
    const step = Math.abs(Number(c[3] ?? 1)) || 1;
    const out: string[] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) out.push(String.fromCharCode(v));
    return out;
  }
  return undefined;
}

/** One path component of a glob (with \-escapes) as a regex. */
function componentRegex(c: string): RegExp {
  let out = "";
  for (let i = 0; i < c.length; i++) {
    const ch = c[i];
    if (ch === "\\") out += escapeRe(c[++i] ?? "");
    else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const end = c.indexOf("]", i + 2);
      if (end < 0) { out += "\\["; continue; }
      let cls = c.slice(i + 1, end);
      if (cls[0] === "!" || cls[0] === "^") cls = "^" + cls.slice(1);
      out += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else out += escapeRe(ch);
  }
  return new RegExp(`^${out}$`, "s");
}

/** The paths a glob matches, sorted as in the C locale; dot files only for a pattern starting with a dot. */
function globPaths(pattern: string, s: ShellState): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter((x, k) => x !== "" || k === 0);
  let paths: string[] = [absolute ? "/" : ""];
  for (const [k, part] of parts.entries()) {
    if (part === "" && k === 0) continue;
    const last = k === parts.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      const dir = resolvePath(base || ".", s.cwd);
      if (/(^|[^\\])[*?[]/.test(part)) {
        const re = componentRegex(part);
        // `.*` matches . and .. too, except in bash 5.2 (globskipdots).
        const dots = part.startsWith(".") && dialectOf(s) !== "bash" ? [".", ".."] : [];
        const names = [...dots, ...(s.ctx.fs.list(dir) ?? [])].filter((n) => re.test(n) && (!n.startsWith(".") || part.startsWith(".")));
        for (const n of names.sort()) {
          const path = base === "/" ? `/${n}` : base ? `${base}/${n}` : n;
          if (last || s.ctx.fs.isDir(resolvePath(path, s.cwd))) next.push(path);
        }
      } else {
        const name = part.replace(/\\(.)/g, "$1");
        const path = base === "/" ? `/${name}` : base ? `${base}/${name}` : name;
        const full = resolvePath(path, s.cwd);
        if (last ? s.ctx.fs.isDir(full) || s.ctx.fs.read(full) !== undefined : s.ctx.fs.isDir(full)) next.push(path);
      }
    }
    paths = next;
    if (!paths.length) return [];
  }
  return paths;
}

const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A glob pattern's text → regex source. Quoted text and quoted expansions are literal. */
function globToRegex(t: string): string {
  let out = "";
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = t.indexOf("]", i + 2);
      if (end < 0) { out += "\\["; continue; }
      let cls = t.slice(i + 1, end);
      if (cls[0] === "!") cls = "^" + cls.slice(1);
      out += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else out += escapeRe(c);
  }
  return out;
}

/** A pattern word (case, [[ == ]], ${v#p}) as a regex source. */
export function* patternOf(raw: string, s: ShellState): Run<string> {
  let out = "";
  let pending = ""; // unquoted text collects so brackets can span characters
  const flush = () => { out += globToRegex(pending); pending = ""; };
  yield* walk(raw, s, {
    text(t, quoted) { if (quoted) { flush(); out += escapeRe(t); } else pending += t; },
    quote() {},
    expanded(v, quoted) {
      const t = Array.isArray(v) ? v.join(" ") : v;
      if (quoted) { flush(); out += escapeRe(t); } else pending += t;
    },
  });
  flush();
  return out;
}

/** Expand the `$…` (or backquote) at raw[i]; returns the value (fields for $@, ${a[@]}) and the index after it. */
function* dollar(raw: string, i: number, s: ShellState, quoted: boolean): Run<[string | string[], number]> {
  if (raw[i] === "`") {
    let end = i + 1;
    while (end < raw.length && raw[end] !== "`") end += raw[end] === "\\" ? 2 : 1;
    return [yield* substitute(raw.slice(i + 1, end).replace(/\\([$`\\])/g, "$1"), s), end + 1];
  }
  const next = raw[i + 1];
  if (next === "(") {
    const end = skipParens(raw, i + 1);
    if (raw[i + 2] === "(" && raw[end - 2] === ")") {
      const inner = raw.slice(i + 3, end - 2);
      const text = /[$`"'\\]/.test(inner) ? (yield* expandWord(`"${inner.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`, s, false)).join("") : inner;
      return [String(arith(text, s)), end];
    }
    return [yield* substitute(raw.slice(i + 2, end - 1), s), end];
  }
  if (next === "{") {
    const end = skipBrace(raw, i + 1);
    return [yield* braced(raw.slice(i + 2, end - 1), s, quoted), end];
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*!-])/.exec(raw.slice(i + 1));
  if (!m) return ["$", i + 1];
  // $@ (and $* unquoted) are one field per parameter.
  if (m[1] === "@" || (m[1] === "*" && !quoted)) return [[...s.args], i + 2];
  const v = special(m[1], s);
  if (v === undefined) unset(m[1], s);
  return [v ?? "", i + 1 + m[1].length];
}

/** set -u: an unset variable is an error. */
function unset(name: string, s: ShellState): void {
  if (!s.opts.nounset || name === "@" || name === "*") return;
  const d = dialectOf(s);
  throw new ExpansionError(d === "bash" ? `${name}: unbound variable` : `${name}: parameter not set`, d === "bash" ? 127 : 2);
}

/** ${…}: lengths, defaults, pattern removal, replacement, substrings, array elements. */
function* braced(body: string, s: ShellState, quoted: boolean): Run<string | string[]> {
  // bash: ${!a[@]} the indices of an array, ${!name} the variable named by name.
  const bang = /^!([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?$/.exec(body);
  if (bang && dialectOf(s) === "bash") {
    if (bang[2]) return Object.keys(s.arrays[bang[1]] ?? (s.vars[bang[1]] !== undefined ? [s.vars[bang[1]]] : []));
    const target = s.vars[bang[1]];
    return target === undefined ? "" : yield* braced(target, s, quoted);
  }
  const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#$@*!-])(?:\[([^\]]*)\])?([\s\S]*)$/.exec(body);
  if (!m || (m[1] && m[4]) || (body === "#")) {
    if (body === "#") return String(s.args.length);
    throw badSubstitution(body, s);
  }
  const [, length, name, index, op] = m;
  // The value: a scalar, one element, or all elements ([@] / [*]).
  let value: string | string[] | undefined;
  if (index === "@" || index === "*") value = s.arrays[name] ? s.arrays[name].filter((x) => x !== undefined) : s.vars[name] !== undefined ? [s.vars[name]] : [];
  else if (index !== undefined) value = s.arrays[name]?.[arith(index, s)] ?? (arith(index, s) === 0 ? s.vars[name] : undefined);
  else if (name === "@" || name === "*") value = [...s.args];
  else value = special(name, s);
  if (length) return String(Array.isArray(value) ? value.length : (value ?? "").length);
  const all = index === "*" || name === "*";
  if (!op) {
    if (value === undefined) unset(name, s);
    return Array.isArray(value) && all && quoted ? value.join((s.vars.IFS ?? " ")[0] ?? "") : value ?? "";
  }
  const word = function* (w: string) { return (yield* expandWord(w, s, false)).join(""); };
  const d = /^(:?)([-=+?])([\s\S]*)$/.exec(op);
  if (d) {
    const scalar = Array.isArray(value) ? (value.length ? value.join(" ") : undefined) : value;
    const empty = d[1] ? !scalar : scalar === undefined;
    switch (d[2]) {
      case "-": return empty ? yield* word(d[3]) : value!;
      case "=": {
        if (!empty) return value!;
        const w = yield* word(d[3]);
        setVar(s, name, w);
        return w;
      }
      case "+": return empty ? "" : yield* word(d[3]);
      default: {
        if (!empty) return value!;
        const msg = d[3] ? yield* word(d[3]) : d[1] ? "parameter null or not set" : "parameter not set";
        throw new ExpansionError(`${name}: ${msg}`, dialectOf(s) === "bash" ? 127 : 2);
      }
    }
  }
  const each = function* (f: (v: string) => Run<string>): Run<string | string[]> {
    if (Array.isArray(value)) {
      const out: string[] = [];
      for (const v of value) out.push(yield* f(v));
      return out;
    }
    return yield* f(value ?? "");
  };
  const strip = /^(##?|%%?)([\s\S]*)$/.exec(op);
  if (strip) {
    const re = yield* patternOf(strip[2], s);
    const greedy = strip[1].length === 2;
    return yield* each(function* (v) {
      if (strip[1][0] === "#") {
        // Shortest / longest prefix matching the pattern.
        for (let k = greedy ? v.length : 0; greedy ? k >= 0 : k <= v.length; k += greedy ? -1 : 1) if (new RegExp(`^(?:${re})$`, "s").test(v.slice(0, k))) return v.slice(k);
        return v;
      }
      for (let k = greedy ? 0 : v.length; greedy ? k <= v.length : k >= 0; k += greedy ? 1 : -1) if (new RegExp(`^(?:${re})$`, "s").test(v.slice(k))) return v.slice(0, k);
      return v;
    });
  }
  const repl = /^\/([/#%]?)((?:\\.|[^/])*)(?:\/([\s\S]*))?$/.exec(op);
  if (repl && dialectOf(s) !== "dash") {
    const re = yield* patternOf(repl[2], s);
    const to = yield* word(repl[3] ?? "");
    const anchor = repl[1] === "#" ? "^" : "";
    const tail = repl[1] === "%" ? "$" : "";
    return yield* each(function* (v) {
      const rx = new RegExp(`${anchor}(?:${re})${tail}`, repl[1] === "/" ? "gs" : "s");
      return v.replace(rx, () => to);
    });
  }
  const sub = /^:([^:]*)(?::([\s\S]*))?$/.exec(op);
  if (sub && dialectOf(s) !== "dash") {
    const off = arith(sub[1], s);
    const len = sub[2] === undefined ? undefined : arith(sub[2], s);
    if (Array.isArray(value)) {
      const start = off < 0 ? Math.max(0, value.length + off) : off;
      return value.slice(start, len === undefined ? undefined : len < 0 ? value.length + len : start + len);
    }
    const v = value ?? "";
    const start = off < 0 ? Math.max(0, v.length + off) : off;
    return v.slice(start, len === undefined ? undefined : len < 0 ? v.length + len : start + len);
  }
  const kase = /^(\^\^?|,,?)$/.exec(op);
  if (kase && dialectOf(s) === "bash") {
    return yield* each(function* (v) {
      const up = kase[1][0] === "^";
      const f = (x: string) => (up ? x.toUpperCase() : x.toLowerCase());
      return kase[1].length === 2 ? f(v) : f(v.slice(0, 1)) + v.slice(1);
    });
  }
  throw badSubstitution(body, s);
}

/** ${…} the shell cannot parse (bash names it; busybox ash calls it a syntax error). */
function badSubstitution(body: string, s: ShellState): ExpansionError {
  const d = dialectOf(s);
  return new ExpansionError(d === "bash" ? `\${${body}}: bad substitution` : d === "dash" ? "Bad substitution" : "syntax error: bad substitution", d === "bash" ? 1 : 2);
}

function special(name: string, s: ShellState): string | undefined {
  switch (name) {
    case "?": return String(s.status);
    case "$": return "1";
    case "!": return s.vars["!"] ?? "";
    case "-": return (s.opts.errexit ? "e" : "") + (s.opts.nounset ? "u" : "") + (s.opts.xtrace ? "x" : "") + (s.interactive ? "i" : "");
    case "#": return String(s.args.length);
    case "@":
    case "*": return s.args.join((s.vars.IFS ?? " ")[0] ?? "");
    case "0": return s.vars["0"] ?? s.name;
  }
  if (/^\d+$/.test(name)) return s.args[Number(name) - 1];
  return s.vars[name];
}

/** $(…): run in a subshell, capture stdout, strip trailing newlines. Its status becomes $?. */
function* substitute(src: string, s: ShellState): Run<string> {
  let out = "";
  const sub = subshell(s, { linesRead: (s.lineno ?? 1) - 1, tested: 0 });
  sub.opts.errexit = false;
  try {
    s.status = yield* script(src, sub, { stdout: (x) => void (out += x), stderr: (x) => s.stderr?.(x) });
  } catch (e) {
    if (!(e instanceof ExitSignal)) throw e;
    s.status = e.code;
  }
  return out.replace(/\n+$/, "");
}

// ---- $(( )) ------------------------------------------------------------------------------

/** $((…)): C integer arithmetic with shell variables, assignment operators, ++/--, ?:, comma (no eval). */
export function arith(expr: string, s: ShellState): number {
  const d = dialectOf(s);
  const toks = expr.match(/0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+|[A-Za-z_][A-Za-z0-9_]*|\*\*=?|<<=|>>=|\+\+|--|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%&|^]=|[-+*/%()<>!~=?:,&|^]|\S/g) ?? [];
  let p = 0;
  const fail = (kind: "operand" | "zero", token?: string): never => {
    if (kind === "zero") {
      throw new ExpansionError(d === "bash" ? `${expr.trim()}: division by 0 (error token is "${token ?? ""}")` : d === "dash" ? `arithmetic expression: division by zero: "${expr}"` : "divide by zero", d === "bash" ? 1 : 2);
    }
    const rest = toks.slice(p).join(" ");
    throw new ExpansionError(
      d === "bash" ? `${expr.trim()}: syntax error: operand expected (error token is "${token ?? rest}")` : d === "dash" ? `arithmetic expression: expecting primary: "${expr}"` : "arithmetic syntax error",
      d === "bash" ? 1 : 2,
    );
  };
  const varValue = (name: string, depth = 0): number => {
    const v = s.vars[name];
    if (v === undefined || v === "") {
      if (s.opts.nounset) unset(name, s);
      return 0;
    }
    if (/^\s*-?\d+\s*$/.test(v)) return Number(v);
    if (/^\s*0[xX][0-9a-fA-F]+\s*$/.test(v)) return Number(v);
    if (depth > 10) return 0;
    return arith(v, s);
  };
  const num = (t: string): number => {
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    const b = /^(\d+)#(.+)$/.exec(t);
    if (b) return parseInt(b[2], Number(b[1]));
    if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
    return Number(t);
  };
  const int = (x: number) => x | 0;
  type Val = { v: number; name?: string };
  const store = (lv: Val, v: number): number => {
    if (!lv.name) fail("operand", "=");
    setVar(s, lv.name!, String(v));
    return v;
  };
  const binary: [string[], (a: number, b: number, op: string) => number][] = [
    [["||"], (a, b) => Number(!!a || !!b)],
    [["&&"], (a, b) => Number(!!a && !!b)],
    [["|"], (a, b) => a | b],
    [["^"], (a, b) => a ^ b],
    [["&"], (a, b) => a & b],
    [["==", "!="], (a, b, op) => Number(op === "==" ? a === b : a !== b)],
    [["<", ">", "<=", ">="], (a, b, op) => Number(op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b)],
    [["<<", ">>"], (a, b, op) => (op === "<<" ? a << b : a >> b)],
    [["+", "-"], (a, b, op) => int(op === "+" ? a + b : a - b)],
    [["*", "/", "%"], (a, b, op) => {
      if (op === "*") return Math.imul(a, b);
      if (b === 0) fail("zero", String(b));
      return op === "/" ? Math.trunc(a / b) : a % b;
    }],
  ];
  const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "**="]);
  if (d === "dash" && /\+\+|--/.test(expr)) throw new ExpansionError(`arithmetic expression: expecting primary: "${expr}"`, 2);
  const rval = (x: Val) => (x.name !== undefined ? varValue(x.name) : x.v);

  function comma(): number {
    let v = assignment();
    while (toks[p] === ",") {
      if (d !== "bash") fail("operand", ",");
      p++;
      v = assignment();
    }
    return v;
  }
  function assignment(): number {
    const save = p;
    const t = toks[p];
    if (t && /^[A-Za-z_]/.test(t) && ASSIGN.has(toks[p + 1] ?? "")) {
      const op = toks[p + 1];
      p += 2;
      const right = assignment();
      if (op === "=") return store({ v: 0, name: t }, right);
      const cur = varValue(t);
      const base = op.slice(0, -1);
      if (base === "**") return store({ v: 0, name: t }, int(cur ** right));
      const f = binary.find(([ops]) => ops.includes(base))!;
      return store({ v: 0, name: t }, f[1](cur, right, base));
    }
    p = save;
    return ternary();
  }
  function ternary(): number {
    const c = level(0);
    if (toks[p] !== "?") return c;
    p++;
    const a = assignment();
    if (toks[p] !== ":") fail("operand", toks[p]);
    p++;
    const b = assignment();
    return c ? a : b;
  }
  function level(l: number): number {
    if (l === binary.length) return power();
    let v = level(l + 1);
    while (p < toks.length && binary[l][0].includes(toks[p])) {
      const op = toks[p++];
      if (p >= toks.length) fail("operand", op);
      // && and || evaluate their right side only when needed (assignments inside).
      if ((op === "&&" && !v) || (op === "||" && v)) {
        const savedVars = { ...s.vars };
        level(l + 1);
        s.vars = savedVars;
        v = op === "||" ? 1 : 0;
        continue;
      }
      v = binary[l][1](v, level(l + 1), op);
    }
    return v;
  }
  function power(): number {
    const b = unary();
    if (toks[p] === "**") {
      if (d === "dash") fail("operand", "**");
      p++;
      return int(b ** power());
    }
    return b;
  }
  function unary(): number {
    const t = toks[p];
    if (t === "-") { p++; return int(-unary()); }
    if (t === "+") { p++; return unary(); }
    if (t === "!") { p++; return Number(!unary()); }
    if (t === "~") { p++; return ~unary(); }
    if ((t === "++" || t === "--") && d !== "dash") {
      p++;
      const name = toks[p++];
      if (!name || !/^[A-Za-z_]/.test(name)) fail("operand", name);
      return store({ v: 0, name }, varValue(name) + (t === "++" ? 1 : -1));
    }
    return postfix();
  }
  function postfix(): number {
    const x = primary();
    const t = toks[p];
    if ((t === "++" || t === "--") && x.name && d !== "dash") {
      p++;
      const v = varValue(x.name);
      store(x, v + (t === "++" ? 1 : -1));
      return v;
    }
    return rval(x);
  }
  function primary(): Val {
    const t = toks[p++];
    if (t === undefined) return fail("operand", "");
    if (t === "(") {
      const v = comma();
      if (toks[p++] !== ")") fail("operand", toks[p - 1] ?? "");
      return { v };
    }
    if (/^\d/.test(t)) {
      const v = num(t);
      if (Number.isNaN(v)) fail("operand", t);
      return { v };
    }
    if (/^[A-Za-z_]/.test(t)) return { v: 0, name: t };
    return fail("operand", t);
  }
  if (!toks.length) return 0;
  const v = comma();
  if (p < toks.length) {
    if (d === "dash") throw new ExpansionError(`arithmetic expression: expecting EOF: "${expr}"`, 2);
    fail("operand", toks.slice(p).join(" "));
  }
  return v;
}
