// The interpreter: lists, pipelines, loops, functions, traps and redirections, written
// as generators. Time passes only at the points where the script yields a Pause: `sleep` yields
// `{ sleep: ms }`, and every TICK_STEPS commands the interpreter yields `{ tick: true }`. One
// interpreter, two drivers: `drive` (here) advances a virtual clock synchronously (a container's
// own program, probes), `RealtimeJob` (index.ts) waits for real timers and can be interrupted (the
// shells a human types into). Word expansion is in expand.ts, $(( )) in arith.ts, builtins in
// builtins.ts.
import { FSError, resolvePath } from "../fs";
import { EXTENSIONS, parse, SyntaxError, type Node, type Redirect } from "./parse";
import type { Flavour, ImageView, ShellContext, ShellIO } from "./types";
import { APPLETS } from "./applets";
import { cond, dollar, expandWord, HOLD_LIMIT, patternOf, tooLong } from "./expand";
import { arith } from "./arith";
import { builtins } from "./builtins";
import { moreInput, newPipe, pipeOf, streamFilter, TTY_POLL_MS, worksLineByLine } from "./pipes";

export { arith } from "./arith";
export { expandWord } from "./expand";
export { jobLines } from "./builtins";

/** Where a running script lets time pass: a sleep of `ms`, or a tick every TICK_STEPS commands. */
export type Pause =
  | { sleep: number /** `wait`: a trapped signal ends it early. */; interruptible?: boolean }
  | { tick: true }
  | { until: Promise<unknown> };
/** A running piece of shell: yields Pauses, returns (usually) an exit status. */
export type Run<T = number> = Generator<Pause, T, void>;

const TICK_STEPS = 500;

/** Thrown to unwind: `exit`, loop control, `return`, or the end of the simulated time window. */
export class ExitSignal {
  constructor(readonly code: number) {}
}
export class LoopSignal {
  constructor(
    readonly kind: "break" | "continue",
    public levels: number,
  ) {}
}
export class ReturnSignal {
  constructor(readonly code: number) {}
}
export class HaltSignal {}
/** A signal delivered to the foreground job (Ctrl-C on the tty is INT). */
export class ShellSignal {
  constructor(readonly name: "INT" | "TERM" | "HUP" | "KILL" | "PIPE") {}
  get code(): number {
    return 128 + SIGNUMS[this.name];
  }
}
export const SIGNUMS = { HUP: 1, INT: 2, KILL: 9, PIPE: 13, TERM: 15 } as const;
/** An expansion error (`${x?}`, `$((1/0))`, set -u): the shell prints it and a script ends. */
export class ExpansionError {
  constructor(
    readonly message: string,
    readonly code: number,
  ) {}
}

export type Dialect = "bash" | "dash" | "busybox";

export interface ShellState {
  ctx: ShellContext;
  /** The script file this shell reads, which its error lines start with instead of the shell's name. */
  script?: string;
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
  /** Driven in real time (RealtimeJob): someone can interrupt it, so a program may run until they do. */
  realtime?: boolean;
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
  /** `alias name=value`: what an unquoted first word stands for (bash expands them in interactive shells). */
  aliases: Record<string, string>;
  /** The lines an interactive shell was given, oldest first (`history`). */
  history?: string[];
  /** The aliases being expanded (an alias is not expanded inside its own value). */
  expanding?: Set<string>;
}

/** What a run shares with its subshells: its time, its step count, its background jobs. */
export interface Clock {
  elapsed: number;
  steps: number;
  jobs: BackgroundJob[];
  nextPid: number;
  /** The driver's way to run a background job beside the foreground (each driver installs its own). */
  spawn?: (g: Run<void>, job: BackgroundJob) => void;
  /** A real-time run's wall clock when `elapsed` was 0: its elapsed time is wall time, the waits at a
   *  prompt between commands included, so `date` agrees with the clock on the wall. */
  wallOrigin?: number;
  /** The driver runs jobs in real time, so a pipeline's stages run side by side through pipes. */
  streams?: boolean;
  /** When the next background job wakes (virtual driver), for `wait`. */
  nextWake?: () => number;
  /** The first shell of the run: PID 1 of a container, which the runtime signals (see `deliver`). */
  pid1?: ShellState;
  /** Signals PID 1 has trapped and not yet handled: its traps run once the current command ends. */
  pending?: ShellSignal["name"][];
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

export function newState(
  ctx: ShellContext,
  opts: { until?: number; maxSteps?: number; name?: string; interactive?: boolean; realtime?: boolean } = {},
): ShellState {
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
    t: { elapsed: 0, steps: 0, jobs: [], nextPid: 100, ...(opts.realtime ? { wallOrigin: Date.now() } : {}) },
    until: opts.until ?? Infinity,
    maxSteps: opts.maxSteps ?? 100_000,
    name: opts.name ?? "sh",
    args: [],
    interactive: opts.interactive,
    realtime: opts.realtime,
    aliases: {},
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
    aliases: { ...s.aliases },
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
export function drive<T>(g: Run<T>, s: ShellState, signals: { at: number; name: ShellSignal["name"] }[] = []): T {
  const queue = [...signals].sort((a, b) => a.at - b.at);
  const own = !s.t.spawn;
  // Pipes wait on promises, which only a real-time driver can: here a pipeline's stages run in turn.
  const streams = s.t.streams;
  s.t.streams = false;
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
      job.kill = (sig) => {
        if (due.includes(e)) step(e, () => e.g.throw(new ShellSignal(sig)));
      };
      job.cancel = () => {
        if (due.includes(e)) {
          due.splice(due.indexOf(e), 1);
          e.g.return();
        }
      };
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
        const sig = queue[0];
        if (sig && sig.at <= Math.min(target, s.until)) {
          queue.shift();
          runUntil(sig.at);
          s.t.elapsed = Math.max(s.t.elapsed, sig.at);
          if (deliver(s, sig.name)) r = g.throw(new ShellSignal(sig.name));
          else if (p.interruptible && s.t.pending?.length) r = g.next();
          else r = { done: false, value: { ...p, sleep: target - s.t.elapsed } };
          continue;
        }
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
    s.t.streams = streams;
    if (own) {
      s.t.spawn = undefined;
      s.t.nextWake = undefined;
    }
  }
}

/**
 * A signal the runtime sends to a container's PID 1 (its shell): KILL ends it where it is (true:
 * throw it in). PID 1 ignores a signal it has no trap for, as the kernel has it; a trapped one waits
 * until the command in the foreground ends (bash and dash run traps between commands), or ends `wait`.
 */
function deliver(s: ShellState, name: ShellSignal["name"]): boolean {
  if (name === "KILL") return true;
  const pid1 = s.t.pid1;
  if (pid1?.traps[name]) (s.t.pending ??= []).push(name);
  return false;
}

/** Run the traps of signals PID 1 got while a command ran. */
function* pendingTraps(s: ShellState, io: ShellIO): Run<void> {
  while (s.t.pending?.length && s.t.pid1 === s) {
    const name = s.t.pending.shift()!;
    yield* runTrap(s, name, io);
    s.status = 128 + SIGNUMS[name];
  }
}

/** Let `ms` pass (an applet's wait). */
export function* pause(ms: number): Run<void> {
  yield { sleep: ms };
}

/** Can a program run here until something stops it: a human's Ctrl-C (real time) or the end of a
 *  program's window? A synchronous run (a probe) has nothing that would. */
export const runsUntilStopped = (s: ShellState): boolean => Boolean(s.realtime) || Number.isFinite(s.until);

// ---- dialects and their messages ------------------------------------------------------------

/** Image + shell name → dialect: asked for at every command, so remembered. */
const dialectCache = new Map<string, Dialect>();

/** The programs of the image the shell runs in; none outside a container (a bare shell has every applet). */
export const programsOf = (s: ShellState): ImageView | undefined => s.ctx.image;

/** Which shell this is: the image's sh (dash on Debian, busybox ash on alpine/busybox) or bash. */
export function dialectOf(s: ShellState): Dialect {
  const key = `${s.ctx.container?.image ?? ""}\0${s.name}`;
  let d = dialectCache.get(key);
  if (d) return d;
  const programs = programsOf(s);
  const flavour = programs?.program(s.name);
  d = flavour === "dash" || flavour === "bash" ? flavour : flavour ? "busybox" : s.name === "bash" ? "bash" : "busybox";
  if (s.ctx.container) dialectCache.set(key, d);
  return d;
}

/** The start of an error line: `bash: line 3: `, `sh: 3: ` (dash), `sh: ` (busybox ash). */
export function errPrefix(s: ShellState): string {
  const line = s.lineno ?? 1;
  switch (dialectOf(s)) {
    case "bash":
      return `${s.script ?? s.name}: ${s.interactive ? "" : `line ${line}: `}`;
    case "dash":
      return `${s.script ?? s.name}: ${line}: `;
    default:
      return `${s.script ?? s.name}: `;
  }
}

/** A syntax error as each shell words it. */
export function syntaxMessage(e: SyntaxError, s: ShellState, src: string): string {
  const base = s.linesRead ?? 0;
  const line = base + e.line;
  switch (dialectOf(s)) {
    case "dash": {
      const what =
        e.kind === "eof"
          ? "end of file unexpected"
          : e.kind === "quote"
            ? "Unterminated quoted string"
            : e.kind === "substitution"
              ? "Bad substitution"
              : `"${e.token}" unexpected`;
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
      const what =
        e.kind === "eof"
          ? "unexpected end of file"
          : e.kind === "quote"
            ? "unterminated quoted string"
            : e.kind === "substitution"
              ? "bad substitution"
              : `unexpected "${e.token}"`;
      return `${s.name}: syntax error: ${what}${e.expecting && e.kind !== "quote" ? ` (expecting "${e.expecting}")` : ""}\n`;
    }
  }
}

/** The quote left open at the end of `src`. */
function quoteOpen(src: string): string {
  let open = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (open === "'") {
      if (c === "'") open = "";
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
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
  /** A terminal: more may be typed (`read` waits for a line, `cat` for ^D) until `closed`; a
   *  program that put it in raw mode gets every byte as typed, ^C included (`raw`). */
  live?: {
    closed: boolean;
    raw?: (bytes: string) => void;
    /** A pipe (pipes.ts), not a terminal: resolves when more is written or the writer is done. */
    written?: () => Promise<void>;
  };
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
  if (s.t.pending?.length && s.t.pid1 === s) yield* pendingTraps(s, io);
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
      } finally {
        s.tested--;
      }
      for (const [k, [op, next]] of n.rest.entries()) {
        if ((op === "&&") !== (st === 0)) continue;
        const last = k === n.rest.length - 1;
        if (!last) s.tested++;
        try {
          st = yield* exec(next, s, io, stdin, base);
        } finally {
          if (!last) s.tested--;
        }
      }
      return (s.status = st);
    }
    case "pipeline": {
      if (s.t.streams && s.t.spawn) return yield* streamingPipeline(n, s, io, stdin, base);
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
      } finally {
        if (n.negate) s.tested--;
      }
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
        } finally {
          s.tested--;
        }
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
        } finally {
          s.tested--;
        }
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
        } finally {
          r.flush();
        }
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
      const st = yield* cond(n.words, s, io);
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
  const run = asJob(job, exec(body, child, io, { text: "", pos: 0 }, base));
  if (s.interactive && dialectOf(s) === "bash") io.stdout(`[${job.id}] ${job.pid}\n`);
  if (s.t.spawn) s.t.spawn(run, job);
  else yield* run;
  return 0;
}

/** A job's body run to its end, its status (or the signal that ended it) kept in the job. */
function* asJob(job: BackgroundJob, body: Run, then?: () => void): Run<void> {
  try {
    job.code = yield* body;
  } catch (e) {
    if (e instanceof ExitSignal) job.code = e.code;
    else if (e instanceof ShellSignal) {
      job.signal = e.name;
      job.code = e.code;
    } else if (e instanceof LoopSignal || e instanceof ReturnSignal) job.code = 0;
    else throw e;
  } finally {
    then?.();
  }
}

/**
 * A pipeline in real time: every stage but the last is a job of its own (a subshell, as in dash and
 * bash) writing into a pipe the next stage reads as it is written. When the last stage ends, a
 * stage still writing dies of SIGPIPE (141), as it would on its next write.
 */
function* streamingPipeline(n: Extract<Node, { type: "pipeline" }>, s: ShellState, io: ShellIO, stdin: Input, base: number): Run {
  const writers: BackgroundJob[] = [];
  const endWriters = () => {
    for (const w of writers)
      if (w.code === undefined) {
        w.cancel?.();
        w.code = 128 + SIGNUMS.PIPE;
      }
  };
  if (n.negate) s.tested++;
  try {
    let carry = stdin;
    for (const c of n.commands.slice(0, -1)) {
      // A reader that waits for the end (sort) while the writer never ends must not fill the cluster's memory.
      const pipe = newPipe(HOLD_LIMIT, () => {
        io.stderr(`kubeplay: a pipe holds at most ${HOLD_LIMIT >> 20} MiB its reader has not read: the writer is stopped (SIGPIPE)\n`);
        throw new ShellSignal("PIPE");
      });
      const job: BackgroundJob = { id: 0, pid: s.t.nextPid++, text: "" };
      const out: ShellIO = { ...io, stdout: pipe.write, stdoutBytes: undefined, tty: false };
      writers.push(job);
      s.t.spawn!(asJob(job, exec(c, subshell(s, { tested: s.tested + 1 }), out, carry, base), pipe.close), job);
      carry = pipe.input;
    }
    let st: number;
    try {
      st = yield* exec(n.commands[n.commands.length - 1], subshell(s), io, carry, base);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e; // `exit` in a pipeline ends only its subshell
      st = e.code;
    }
    endWriters();
    if (s.opts.pipefail) st = [...writers.map((w) => w.code ?? 0), st].filter((c) => c !== 0).at(-1) ?? 0;
    return (s.status = n.negate ? Number(st === 0) : st);
  } finally {
    if (n.negate) s.tested--;
    endWriters();
  }
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
export function setVar(s: ShellState, name: string, value: string): void {
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
  const before = append ? (s.vars[name] ?? "") : "";
  if (before.length + v.length > HOLD_LIMIT) throw tooLong("a variable");
  setVar(s, name, before + v);
}

/** set -x quoting of a word (bash and busybox quote; dash prints words as they are). */
const traceQuote = (w: string, s?: ShellState) =>
  s && dialectOf(s) === "dash" ? w : /^[A-Za-z0-9_./=:,+@%^-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;

/** The words of an alias that is plain words (ll='ls -l'); one with operators (a pipe, `;`) is run as a line. */
const PLAIN_ALIAS = /^[\w@%+=:,./~ -]*$/;

function* simple(n: Extract<Node, { type: "simple" }>, s: ShellState, io: ShellIO, stdin: Input): Run {
  const alias = n.words.length && s.aliases[n.words[0]] !== undefined && !s.expanding?.has(n.words[0]) ? n.words[0] : undefined;
  if (alias !== undefined) {
    const value = s.aliases[alias];
    const expanding = new Set(s.expanding ?? []).add(alias);
    if (PLAIN_ALIAS.test(value)) {
      const words = [...value.split(/\s+/).filter(Boolean), ...n.words.slice(1)];
      const saved = s.expanding;
      s.expanding = expanding;
      try {
        return yield* simple({ ...n, words }, s, io, stdin);
      } finally {
        s.expanding = saved;
      }
    }
    const saved = s.expanding;
    s.expanding = expanding;
    try {
      return yield* script(`${value} ${n.words.slice(1).join(" ")}`, s, io, stdin);
    } finally {
      s.expanding = saved;
    }
  }
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
  for (const [k, v] of assigns) {
    s.vars[k] = v;
    s.exported.add(k);
  }
  if (s.opts.xtrace)
    io.stderr(`+ ${[...assigns.map(([k, v]) => `${k}=${traceQuote(v, s)}`), ...argv.map((w) => traceQuote(w, s))].join(" ")}\n`);
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
        io.stderr(
          `${s.name}: line ${open.end}: warning: here-document at line ${open.line} delimited by end-of-file (wanted \`${open.delim}')\n`,
        );
      }
      inp = { text: r.heredoc?.quoted ? body : yield* expandHeredoc(body, s), pos: 0 };
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
        io.stderr(
          dialectOf(s) === "busybox"
            ? `${s.name}: can't open '${path}': No such file or directory\n`
            : dialectOf(s) === "dash"
              ? `${errPrefix(s)}cannot open ${path}: No such file\n`
              : `${errPrefix(s)}${path}: No such file or directory\n`,
        );
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
        io.stderr(
          dialectOf(s) === "bash" ? `${errPrefix(s)}${path}: ${e.message}\n` : `${errPrefix(s)}can't create ${path}: ${e.message}\n`,
        );
        return 1;
      }
    }
    if (r.op === "&>") {
      fds[1] = sink;
      fds[2] = sink;
    } else fds[r.fd] = sink;
    if (r.fd === 1 || r.op === "&>") bytesOk = false;
  }
  const out: ShellIO = redirects.length
    ? { ...io, stdout: fds[1], stderr: fds[2], stdoutBytes: bytesOk ? io.stdoutBytes : undefined, tty: bytesOk ? io.tty : false }
    : io;
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
export const BUILTINS = new Set([
  "exit",
  "break",
  "continue",
  "export",
  "unset",
  "cd",
  "echo",
  "printf",
  "test",
  "[",
  "true",
  "false",
  ":",
  "pwd",
  "local",
  "return",
  "trap",
  "set",
  "shift",
  "read",
  "eval",
  ".",
  "source",
  "wait",
  "readonly",
  "type",
  "command",
  "jobs",
  "kill",
  "exec",
  "let",
  "alias",
  "unalias",
  "history",
]);
const programName = (name: string) => name.replace(/^.*\//, "");

/** A command the image lacks, as its shell says it: busybox ash, dash (Debian's sh) or bash. */
function notFound(name: string, s: ShellState, io: ShellIO): number {
  const d = dialectOf(s);
  const why = d !== "bash" ? "not found" : name.includes("/") ? "No such file or directory" : "command not found";
  io.stderr(`${errPrefix(s)}${name}: ${why}\n`);
  return 127;
}

/** A command named by a path to a file the shell can see (`./run.sh`, `/opt/course/2/status.sh`):
 *  run by the interpreter its #! line names when it is executable, refused as Linux refuses it when
 *  not; undefined when no such file is there (the image's own programs are found by name). */
function* runByPath(name: string, args: string[], s: ShellState, io: ShellIO, inp: Input): Run<number | undefined> {
  const path = resolvePath(name, s.cwd);
  const st = s.ctx.fs.stat?.(path);
  if (!st) return undefined;
  if (st.dir || !((st.mode ?? 0o644) & 0o111)) {
    io.stderr(`${errPrefix(s)}${name}: ${st.dir && dialectOf(s) === "bash" ? "Is a directory" : "Permission denied"}\n`);
    return 126;
  }
  const first = (s.ctx.fs.read(path) ?? "").split("\n", 1)[0];
  const shebang = first.match(/^#!\s*(\S+)(?:\s+(\S+))?/);
  const interpreter = shebang ? programName(shebang[1] === "/usr/bin/env" && shebang[2] ? shebang[2] : shebang[1]) : s.name;
  if (!["sh", "bash", "ash", "dash"].includes(interpreter)) {
    if (!shebang) return yield* shell("sh", [name, ...args], s, io, inp);
    io.stderr(`kubeplay: ${interpreter}: this interpreter (from ${name}'s #! line) is not simulated\n`);
    return 126;
  }
  return yield* shell(interpreter, [name, ...args], s, io, inp);
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
  const host = s.ctx.hostPrograms?.[prog];
  if (host) {
    const live = inp.live;
    // From a pipe a host program gets what was written once the writer is done; from a terminal,
    // only one reading its stdin (`-f -`) waits for ^D.
    if (live) while (!live.closed && (live.written || readsStdin(args))) yield moreInput(live);
    const tty =
      live && !live.written && io.tty
        ? {
            raw: (take: ((bytes: string) => void) | undefined) => void (live.raw = take),
            size: () => ({ columns: Number(s.vars.COLUMNS) || 80, lines: Number(s.vars.LINES) || 24 }),
            edit: io.editor,
          }
        : undefined;
    try {
      return yield* host(args, { cwd: s.cwd, env: environ(s), stdin: rest(inp), io, fs: s.ctx.fs, tty });
    } finally {
      if (live) live.raw = undefined;
    }
  }
  const programs = programsOf(s);
  // The image's own programs by path (/bin/sh, /usr/bin/env) are programs, not files to interpret.
  if (name.includes("/") && !programs?.program(name)) {
    const ran = yield* runByPath(name, args, s, io, inp);
    if (ran !== undefined) return ran;
  }
  const flavour: Flavour | undefined = programs ? programs.program(name) : "busybox";
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
  const run = function* (argv: string[], text: string): Run {
    try {
      const r = applet(argv, { s, io, stdin: text, stdinBytes, flavour: flavour ?? "busybox" });
      return typeof r === "number" ? r : yield* r;
    } catch (e) {
      if (!(e instanceof FSError)) throw e;
      io.stderr(`${name}: ${e.path}: ${e.message}\n`);
      return 1;
    }
  };
  const pipe = pipeOf(inp);
  const reads = readsTerminal(prog, args);
  if (pipe) {
    if (reads && worksLineByLine(prog, args)) return yield* streamFilter(prog, args, inp, io, run);
    // Any other program gets all its input once the writer is done.
    while (!pipe.closed) yield moreInput(pipe);
    return yield* run(args, rest(inp));
  }
  // A program reading the terminal (`cat > pod.yaml`) gets what is typed up to ^D.
  if (inp.live && reads) while (!inp.live.closed) yield { sleep: TTY_POLL_MS };
  return yield* run(args, inp.live && !reads ? "" : rest(inp));
}

/** Options of the filters that take a value (their value is not a file operand). */
const VALUE_OPTS: Record<string, string[]> = {
  head: ["-n", "-c"],
  tail: ["-n", "-c"],
  grep: ["-e", "-f", "-m", "-A", "-B", "-C"],
  cut: ["-d", "-f", "-c", "-b"],
  sort: ["-k", "-t"],
  sed: ["-e"],
  awk: ["-F", "-v"],
  uniq: ["-f", "-s"],
};
/** The filters whose first operand is a script or pattern, not a file. */
const SCRIPT_FIRST = new Set(["grep", "sed", "awk", "tr"]);
const FILTERS = new Set([
  "cat",
  "wc",
  "sort",
  "uniq",
  "head",
  "tail",
  "base64",
  "md5sum",
  "sha256sum",
  "grep",
  "sed",
  "awk",
  "cut",
  "tr",
  "tee",
  "xargs",
  "jq",
]);

/** Does a host program read its stdin (`-f -`), so that on a terminal it waits for ^D? */
const readsStdin = (args: string[]) =>
  args.some((a, i) => a === "-" && /^(-f|--filename)$/.test(args[i - 1] ?? "")) || args.includes("--filename=-");

/** jq's options that take values, by how many. */
const JQ_VALUES: Record<string, number> = { "--arg": 2, "--argjson": 2, "--slurpfile": 2, "--rawfile": 2, "--indent": 1, "-L": 1 };

/** Does jq read its stdin: a filter (or -f FILE), not -n, and no file after it? */
function jqReadsStdin(args: string[]): boolean {
  let filter = true;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--args" || a === "--jsonargs") break; // the rest are values of $ARGS, not files
    if (a === "--null-input" || /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a)) return false; // -n, also in -nr
    if (a === "-f" || a === "--from-file") {
      filter = false;
      i++;
    } else if (JQ_VALUES[a]) i += JQ_VALUES[a];
    else if (a.startsWith("-") && a.length > 1) continue;
    else if (filter) filter = false;
    else files.push(a);
  }
  // Without a filter, jq on a terminal prints its usage rather than read.
  return !filter && (files.length === 0 || files.includes("-"));
}

/** Does this command read its stdin (no file operands), so that on a terminal it waits for ^D? */
function readsTerminal(prog: string, args: string[]): boolean {
  if (!FILTERS.has(prog)) return false;
  if (prog === "jq") return jqReadsStdin(args);
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
  while (args.length && /^[-+][euxl]+$/.test(args[0])) {
    opts += args[0].slice(1);
    args = args.slice(1);
  }
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
      io.stderr(
        dialectOf(subshell(s, { name: prog })) === "bash"
          ? `${prog}: ${args[0]}: No such file or directory\n`
          : dialectOf(subshell(s, { name: prog })) === "dash"
            ? `${prog}: 0: cannot open ${args[0]}: No such file\n`
            : `${prog}: can't open '${args[0]}': No such file or directory\n`,
      );
      return dialectOf(subshell(s, { name: prog })) === "bash" ? 127 : 2;
    }
    a0 = args[0];
    params = args.slice(1);
  } else {
    // A non-interactive shell without a script reads its stdin (from a pipe, all the writer writes).
    const pipe = pipeOf(inp);
    if (pipe) while (!pipe.closed) yield moreInput(pipe);
    src = rest(inp);
  }
  const sub = subshell(s, {
    name: prog,
    script: src !== undefined && args.length && args[0] !== "-c" ? args[0] : undefined,
    args: params,
    interactive: false,
    lineno: 0,
    linesRead: 0,
    funcs: {},
    traps: {},
    tested: 0,
    aliases: {},
  });
  s.t.pid1 ??= sub;
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

export const escapeClass = (chars: string) => chars.replace(/[\]\\^-]/g, "\\$&");

/** Is `name` a program this shell's image has and kubeplay simulates (what xargs, env, timeout can run)? */
export function isProgram(name: string, s: ShellState): boolean {
  const prog = programName(name);
  const programs = programsOf(s);
  if (s.ctx.hostPrograms?.[prog]) return true;
  if (programs && !programs.program(name)) return false;
  return !!APPLETS[prog] || ["sh", "bash", "ash", "dash"].includes(prog);
}

/** Is `name` something this shell can run (builtin or applet)? */
export const hasCommand = (name: string) =>
  ["exit", "break", "continue", "export", "unset", "cd", "sh", "bash", "ash"].includes(name.replace(/^\/(usr\/)?(s?bin)\//, "")) ||
  !!APPLETS[name.replace(/^\/(usr\/)?(s?bin)\//, "")];
