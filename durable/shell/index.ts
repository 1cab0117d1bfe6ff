// The simulated shells: one-shot commands on a virtual clock (probes), programs on a virtual clock
// (a container's command, for its logs and its exit), and the shells people use in real time
// (exec, exec -it, attach): RealtimeJob drives the same interpreter with real timers and signals.
import {
  command,
  dialectOf,
  drive,
  execute,
  ExitSignal,
  HaltSignal,
  hasCommand,
  jobLines,
  newState,
  runTrap,
  script,
  ShellSignal,
  type Input,
  type Pause,
  type Run,
  type ShellState,
} from "./interp";
import { EXTENSIONS, parse, SyntaxError } from "./parse";
import { completions } from "./complete";
import { LineEditor } from "./lineedit";
import type { ShellContext, ShellIO } from "./types";

export type { Network, ShellContext, ShellIO } from "./types";
export { hasCommand } from "./interp";

/** Run one command synchronously on the virtual clock; returns its exit code. `sleep` does not block. */
export function runCommand(argv: string[], ctx: ShellContext, io: ShellIO): number {
  if (!argv.length) return 0;
  const s = newState(ctx, { maxSteps: 20_000 });
  try {
    return command(argv, s, io, "");
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    if (e instanceof HaltSignal) return 0;
    throw e;
  }
}

export interface ProgramLine {
  /** Virtual time the line was written (ms since epoch). */
  at: number;
  text: string;
  stream: "stdout" | "stderr";
}

export interface ProgramRun {
  lines: ProgramLine[];
  /** Set when the program ended within the window: its exit code and virtual end time. */
  exit?: { code: number; at: number; reason?: "StartError"; message?: string };
  /** The memory the program comes to hold, and from when (the kubelet's cgroup limit may kill it). */
  memory?: { bytes: number; at: number };
  /** The program's file writes and removals in time order (exec probes see the files at a time). */
  files?: { at: number; path: string; data?: string }[];
  /** How much of its virtual time was simulated (ms): a loop cut off by the step budget runs on
   *  beyond it, and what it does per second is what it did in this span (a load generator's rate). */
  ran?: number;
}

const MAX_LINES = 20_000;

/**
 * Run a container's program from `ctx.now()` (its startedAt) on a virtual clock until it exits or
 * virtual time passes `until`: its output lines with their times, and its exit if it ended. A busy
 * loop without sleeps is cut off by the step budget and counts as running forever.
 */
export function runProgram(
  argv: string[],
  ctx: ShellContext,
  opts: { until: number; maxSteps?: number; signals?: { at: number; name: "TERM" | "INT" | "HUP" | "KILL" }[] },
): ProgramRun {
  const start = ctx.now();
  const files: { at: number; path: string; data?: string }[] = [];
  const fs = ctx.fs;
  ctx = {
    ...ctx,
    fs: {
      read: (p) => fs.read(p),
      list: (d) => fs.list(d),
      isDir: (p) => fs.isDir(p),
      write: (p, data) => {
        files.push({ at: start + s.t.elapsed, path: p, data });
        fs.write(p, data);
      },
      remove: (p) => {
        files.push({ at: start + s.t.elapsed, path: p });
        return fs.remove?.(p) ?? false;
      },
    },
  };
  const s = newState(ctx, { until: opts.until - start, maxSteps: opts.maxSteps ?? 50_000 });
  const lines: ProgramLine[] = [];
  const partial = { stdout: "", stderr: "" };
  const writer = (stream: "stdout" | "stderr") => (x: string) => {
    const parts = (partial[stream] + x).split("\n");
    partial[stream] = parts.pop()!;
    const at = start + s.t.elapsed;
    for (const text of parts) lines.push({ at, text, stream });
    if (lines.length >= MAX_LINES) throw new HaltSignal(); // enough output: it runs on from here
  };
  const io = { stdout: writer("stdout"), stderr: writer("stderr") };
  const flush = () => {
    for (const stream of ["stdout", "stderr"] as const)
      if (partial[stream]) lines.push({ at: start + s.t.elapsed, text: partial[stream], stream });
  };
  let code: number;
  try {
    // Signals the runtime sends (TERM at deletion, KILL after the grace period), on the program's clock.
    code = drive(
      execute(argv, s, io, ""),
      s,
      (opts.signals ?? []).map((x) => ({ at: x.at - start, name: x.name })),
    );
  } catch (e) {
    if (e instanceof ExitSignal) code = e.code;
    else if (e instanceof ShellSignal) code = e.code;
    else if (e instanceof HaltSignal) {
      flush();
      return { lines, files, ran: s.t.elapsed };
    } else throw e;
  }
  flush();
  // `sleep infinity` as the last command: still running.
  if (!Number.isFinite(s.t.elapsed) || start + s.t.elapsed > opts.until)
    return { lines: lines.filter((l) => l.at <= opts.until), files, ran: opts.until - start };
  return { lines, exit: { code, at: start + s.t.elapsed }, files, ran: s.t.elapsed };
}

/** Consecutive busy ticks (TICK_STEPS commands each) a job runs before giving the event loop a turn. */
const SLICE_TICKS = 4;
/** How long a busy job rests between slices, so an endless loop without sleep takes a bounded share of the CPU. */
const REST_MS = 10;

/**
 * The real-time driver: runs a shell generator with real timers. `sleep 1` waits a second of wall
 * time, output goes out as it is written, a busy loop yields to the event loop every slice, and a
 * signal (Ctrl-C) or the client leaving interrupts it where it waits.
 */
export class RealtimeJob {
  private signal?: ShellSignal;
  private wake?: () => void;
  private cancelled = false;
  private readonly wallStart = Date.now();
  private readonly startElapsed: number;
  private settle!: (code: number) => void;
  private fail!: (e: unknown) => void;
  /** The exit status, once start() has said the job goes on. */
  readonly done: Promise<number>;

  /** `own`: the job is the whole process (a one-shot exec); its background jobs end with it. */
  constructor(
    private readonly g: Run,
    private readonly s: ShellState,
    own = false,
  ) {
    this.startElapsed = s.t.elapsed;
    // Background jobs (`cmd &`) and a pipeline's writers run as real-time jobs of their own beside this one.
    if (!s.t.spawn) {
      s.t.spawn = (g, job) => {
        const child = new RealtimeJob(asStatus(g), s);
        job.kill = (sig) => child.interrupt(sig);
        job.cancel = () => child.cancel();
        child.start();
      };
      s.t.streams = true;
    }
    this.done = new Promise((res, rej) => {
      this.settle = res;
      this.fail = rej;
    });
    this.done.catch(() => {});
    if (own)
      this.done
        .finally(() => {
          for (const j of s.t.jobs) j.cancel?.();
        })
        .catch(() => {});
  }

  /** The run's time is the wall clock's: since its state began where it knows that, else since this job began. */
  private catchUp(): void {
    const { t } = this.s;
    t.elapsed = Math.max(
      t.elapsed,
      t.wallOrigin !== undefined ? Date.now() - t.wallOrigin : this.startElapsed + Date.now() - this.wallStart,
    );
  }

  /** Run what can run now; the exit status if it already ended, else undefined (then see `done`). */
  start(): number | undefined {
    this.catchUp();
    const r = this.advance(() => this.g.next());
    if ("code" in r) {
      this.settle(r.code);
      return r.code;
    }
    void this.loop(r.wait);
    return undefined;
  }

  /** Deliver a signal to the job (Ctrl-C: INT) at the point where it waits. */
  interrupt(name: ShellSignal["name"]): void {
    this.signal = new ShellSignal(name);
    this.wake?.();
  }

  /** The client went away: the job ends where it is (its `finally`s run). */
  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  private async loop(wait: number | Promise<unknown>): Promise<void> {
    try {
      for (;;) {
        await this.pause(wait);
        this.catchUp();
        if (this.cancelled) {
          try {
            this.g.return(0);
          } catch {}
          return this.settle(128 + 1);
        }
        const r = this.advance(() => this.g.next());
        if ("code" in r) return this.settle(r.code);
        wait = r.wait;
      }
    } catch (e) {
      this.fail(e);
    }
  }

  private pause(wait: number | Promise<unknown>): Promise<void> {
    if (this.signal || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      const ms = typeof wait === "number" ? wait : Infinity;
      if (typeof wait !== "number")
        wait.then(
          () => resolve(),
          () => resolve(),
        );
      const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
      this.wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Step the generator until it must wait (a sleep, the end of a busy slice, the host) or ends. */
  private advance(first: () => IteratorResult<Pause, number>): { code: number } | { wait: number | Promise<unknown> } {
    let ticks = SLICE_TICKS;
    let next = first;
    for (;;) {
      let r: IteratorResult<Pause, number>;
      try {
        if (this.signal) {
          const sig = this.signal;
          this.signal = undefined;
          r = this.g.throw(sig);
        } else r = next();
      } catch (e) {
        if (e instanceof ExitSignal) return { code: e.code };
        if (e instanceof ShellSignal) return { code: e.code };
        if (e instanceof HaltSignal) return { code: 0 };
        throw e;
      }
      if (r.done) return { code: r.value };
      const p = r.value;
      if (this.signal) continue;
      if ("until" in p) return { wait: p.until };
      if ("sleep" in p) {
        if (p.sleep > 0) return { wait: p.sleep };
      } else if (--ticks <= 0) return { wait: REST_MS };
      next = () => this.g.next();
    }
  }
}

/** A job's generator as one with a status (background jobs keep theirs in their table entry). */
function* asStatus(g: Run<void>): Run {
  yield* g;
  return 0;
}

/** The state of a human-facing shell: no virtual window, no step budget (time is real). */
const realtimeState = (ctx: ShellContext, name = "sh", interactive = false) =>
  newState(ctx, { name, maxSteps: Infinity, interactive, realtime: true });

/** One-shot `kubectl exec POD -- CMD…` in real time: start it, cancel it when the client leaves. */
export function execRealtime(
  argv: string[],
  ctx: ShellContext,
  io: ShellIO,
  stdin: Input | string = "",
  stdinBytes?: Uint8Array,
): RealtimeJob {
  // A program exec'd alone has no shell beside it (`ps` shows none); a shell is one.
  const s = newState(ctx, { name: "sh", maxSteps: Infinity, interactive: isShell(argv[0] ?? "") ? false : undefined, realtime: true });
  return new RealtimeJob(execute(argv, s, io, stdin, stdinBytes), s, true);
}

/** A whole script read from input, to run now. Incomplete input (an open `if`, a heredoc) waits for more. */
function complete(text: string, s: ShellState): boolean {
  try {
    parse(text, { strict: true, ext: EXTENSIONS[dialectOf(s)] });
    return true;
  } catch (e) {
    return !(e instanceof SyntaxError && e.incomplete);
  }
}

/** A line the shell runs: status, or the shell's exit; ^C ends it with 130. */
function* interactiveLine(src: string, s: ShellState, io: ShellIO, stdin: Input | string = ""): Run<number> {
  try {
    return yield* script(src, s, io, stdin);
  } catch (e) {
    if (e instanceof ShellSignal) return (s.status = e.code);
    if (e instanceof HaltSignal) return s.status;
    if (!(e instanceof ExitSignal)) throw e;
    s.status = e.code;
    yield* runTrap(s, "EXIT", io);
    throw e;
  }
}

/** Where a shell's exit is told, and (interactive shells) each return to the prompt. */
export interface ShellHost {
  exit(code: number): void;
  prompted?(): void;
}

/** What an interactive shell carries from one login to the next (the workstation keeps it). */
export interface ShellSnapshot {
  cwd: string;
  vars: Record<string, string>;
  exported: string[];
  history: string[];
  aliases?: Record<string, string>;
}

/** `sh` reading a pipe (exec -i, attach without a tty): runs each complete command as it arrives,
 *  keeping its state, until `exit` or the end of its input. */
export class PipeShell {
  private readonly s: ShellState;
  private buf = "";
  private job?: RealtimeJob;
  private closed = false;
  exited?: number;

  constructor(
    ctx: ShellContext,
    name: string,
    private readonly host: ShellHost = { exit: () => {} },
  ) {
    this.s = realtimeState(ctx, name);
  }

  /** Input arrives; returns the exit code if the shell has exited already. */
  feed(text: string, io: ShellIO): number | undefined {
    this.buf += text;
    this.pump(io);
    return this.exited;
  }

  /** End of input: what is left runs, then the shell exits with its last status. */
  close(io: ShellIO): number | undefined {
    this.closed = true;
    this.pump(io);
    return this.exited;
  }

  private pump(io: ShellIO): void {
    while (this.exited === undefined && !this.job) {
      // The longest run of whole lines that parses completely (a heredoc or `if` spans lines).
      let end = -1;
      for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n", nl + 1)) {
        if (complete(this.buf.slice(0, nl + 1), this.s)) {
          end = nl + 1;
          break;
        }
      }
      if (end < 0 && this.closed) end = this.buf.length;
      if (end <= 0) {
        if (this.closed) this.end(this.s.status);
        return;
      }
      const src = this.buf.slice(0, end);
      this.buf = this.buf.slice(end);
      const job = new RealtimeJob(this.lineRun(src, io), this.s);
      const r = job.start();
      if (r === undefined) {
        this.job = job;
        job.done.then(() => {
          this.job = undefined;
          this.pump(io);
        });
        return;
      }
    }
  }

  private *lineRun(src: string, io: ShellIO): Run<number> {
    try {
      return yield* interactiveLine(src, this.s, io);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      this.end(e.code);
      return e.code;
    }
  }

  private end(code: number): void {
    if (this.exited !== undefined) return;
    this.exited = code;
    for (const j of this.s.t.jobs) j.cancel?.();
    this.host.exit(code);
  }

  /** The input's writer is gone for good (the client left): the running command and its jobs end. */
  hangup(): void {
    this.job?.cancel();
    for (const j of this.s.t.jobs) j.cancel?.();
  }
}

/** The prompt a shell shows: bash's `root@host:/# `, busybox/alpine ash's `/ # `, dash's `# `. */
function defaultPrompt(s: ShellState): string {
  const dir = s.cwd === s.vars.HOME ? "~" : s.cwd;
  return s.name === "bash" ? `root@${s.ctx.hostname}:${dir}# ` : `${dir} # `;
}

/**
 * A terminal session (exec -it, attach to a tty): echoes typed characters, backspace, ^C, ^D, ^U,
 * history with the arrow keys; Enter runs the line (or asks for more with PS2 `> ` while a heredoc or
 * a compound command is open). A running command gets ^C as SIGINT; other typing waits for the prompt.
 * Output uses CRLF as a tty does.
 */
export class InteractiveShell {
  private s: ShellState;
  private readonly editor: LineEditor;
  /** Where the shell last wrote (a completion that had to wait writes there). */
  private io?: ShellIO;
  private pending = "";
  /** Lines typed so far of a command that is not complete yet. */
  private more = "";
  private readonly history: string[] = [];
  private job?: RealtimeJob;
  /** The terminal's input while a command runs: lines typed (echoed by the tty) for it to read. */
  private ttyIn?: Input;
  private ttyLine = "";
  private interrupted = false;
  exited?: number;

  constructor(
    ctx: ShellContext,
    private readonly opts: {
      prompt?: string;
      shell?: string;
      host?: ShellHost;
      resume?: ShellSnapshot;
      /** A login shell (ssh, the workstation's terminal): `exit` says "logout", as bash's does. */
      login?: boolean;
    } = {},
  ) {
    this.s = realtimeState(ctx, opts.shell ?? "sh", true);
    this.s.vars.HOME ??= "/root";
    const r = opts.resume;
    if (r) {
      this.s.cwd = ctx.fs.isDir(r.cwd) ? r.cwd : this.s.cwd;
      this.s.vars = { ...r.vars, PWD: this.s.cwd };
      this.s.exported = new Set(r.exported);
      this.s.aliases = { ...r.aliases };
      this.history.push(...r.history);
    }
    this.s.history = this.history;
    this.editor = new LineEditor(
      this.history,
      () => this.linePrompt(),
      (before) => completions(before, this.s),
      () => Number(this.s.vars.COLUMNS) || 80,
      () => {
        const held = this.editor.takeHeld();
        if (held && this.io) this.feed(held, this.io);
      },
    );
  }

  /** The prompt of the line being typed: PS2 inside an open heredoc or compound command. */
  private linePrompt(): string {
    return this.more ? "> " : this.prompt();
  }

  /** Run a start-up file as bash's login does (`. ~/.bashrc`): quietly, before the first prompt. */
  source(path: string): void {
    if (this.s.ctx.fs.read(path) === undefined) return;
    const job = new RealtimeJob(interactiveLine(`. ${path}`, this.s, { stdout: () => {}, stderr: () => {} }), this.s);
    job.start();
  }

  /** The terminal's size, as bash keeps it in COLUMNS and LINES. */
  setSize(columns: number, lines: number): void {
    this.s.vars.COLUMNS = String(columns);
    this.s.vars.LINES = String(lines);
  }

  /** The state a later login resumes from. History keeps its last 1,000 lines, as bash's HISTSIZE. */
  snapshot(): ShellSnapshot {
    return {
      cwd: this.s.cwd,
      vars: { ...this.s.vars },
      exported: [...this.s.exported],
      history: this.history.slice(-1000),
      aliases: { ...this.s.aliases },
    };
  }

  banner(): string {
    return "";
  }

  prompt(): string {
    return this.opts.prompt ?? defaultPrompt(this.s);
  }

  /** What the shell prints before its prompt: the ends of background jobs, then the prompt. */
  private promptLine(): string {
    return jobLines(this.s, true).join("").replace(/\n/g, "\r\n") + this.prompt();
  }

  /** Bytes typed; returns `exit` when the shell ended during this call (it is told to the host as well). */
  feed(bytes: string, io: ShellIO): { exit?: number } {
    if (this.exited !== undefined) return { exit: this.exited };
    if (this.job) {
      // A command runs: the tty echoes what is typed and hands it over line by line (`read`,
      // `cat > file`); ^C interrupts it, ^D on an empty line is the end of its input.
      const tin = this.ttyIn!;
      if (tin.live?.raw) {
        tin.live.raw(bytes);
        return {};
      }
      for (const c of bytes) {
        if (c === "\x03") {
          io.stdout("^C");
          this.interrupted = true;
          this.ttyLine = "";
          tin.text = tin.text.slice(0, tin.pos);
          this.job.interrupt("INT");
        } else if (c === "\r" || c === "\n") {
          io.stdout("\r\n");
          tin.text += this.ttyLine + "\n";
          this.ttyLine = "";
        } else if (c === "\x04") {
          if (this.ttyLine) {
            tin.text += this.ttyLine;
            this.ttyLine = "";
          } else tin.live!.closed = true;
        } else if (c === "\x7f" || c === "\b") {
          if (this.ttyLine) {
            this.ttyLine = this.ttyLine.slice(0, -1);
            io.stdout("\b \b");
          }
        } else if (c >= " ") {
          this.ttyLine += c;
          io.stdout(c);
        }
      }
      return {};
    }
    const tty: ShellIO = {
      stdout: (x) => io.stdout(x.replace(/\r?\n/g, "\r\n")),
      stderr: (x) => io.stderr(x.replace(/\r?\n/g, "\r\n")),
      tty: true,
      editor: io.editor,
    };
    const input = this.pending + bytes;
    this.pending = "";
    if (this.editor.busy) {
      this.editor.hold(input);
      return {};
    }
    const out = (x: string) => io.stdout(x);
    this.io = io;
    for (let i = 0; i < input.length; ) {
      let k = input[i];
      if (k === "\x1b") {
        const m = /^\x1b(?:\[[0-9;]*[A-Za-z~]?|O[A-Za-z]?)?/.exec(input.slice(i))![0];
        if (/^\x1b(\[[0-9;]*|O)$/.test(m)) {
          this.pending = input.slice(i); // the rest of the sequence is on its way
          break;
        }
        k = m;
      } else if (k === "\r" && input[i + 1] === "\n") i++;
      i += k.length;
      if (k === "\x03") {
        this.editor.reset();
        this.more = "";
        this.s.status = 130;
        io.stdout(`^C\r\n${this.prompt()}`);
      } else if (k === "\x04") {
        if (!this.editor.line && !this.more) {
          if (this.s.name === "bash") io.stdout(this.opts.login ? "logout\r\n" : "exit\r\n");
          this.end(this.s.status);
          return { exit: this.s.status };
        }
      } else if (k === "\x0c") {
        io.stdout(`\x1b[H\x1b[2J${this.linePrompt()}${this.editor.line}${"\b".repeat(this.editor.line.length - this.editor.cur)}`);
      } else if (this.editor.key(k, out) === "enter") {
        io.stdout("\r\n");
        const text = this.more + this.editor.line;
        this.editor.reset();
        if (!complete(text, this.s)) {
          this.more = `${text}\n`;
          io.stdout("> ");
          continue;
        }
        this.more = "";
        if (text.trim()) this.history.push(text);
        this.editor.reset();
        this.ttyIn = { text: "", pos: 0, live: { closed: false } };
        this.ttyLine = "";
        const job = new RealtimeJob(this.lineRun(text, tty, this.ttyIn), this.s);
        const code = job.start();
        if (this.exited !== undefined) return { exit: this.exited };
        if (code === undefined) {
          this.job = job;
          this.feed(input.slice(i), io);
          job.done.then(
            () => this.resume(io),
            (e) => {
              console.error("shell:", e);
              this.resume(io);
            },
          );
          return {};
        }
        io.stdout(this.promptLine());
        this.opts.host?.prompted?.();
      }
      if (this.editor.busy) {
        this.editor.hold(input.slice(i));
        return {};
      }
    }
    return {};
  }

  /** A command finished later than it started: the prompt, then what was typed meanwhile. */
  private resume(io: ShellIO): void {
    this.job = undefined;
    if (this.exited !== undefined) return;
    if (this.interrupted) io.stdout("\r\n");
    this.interrupted = false;
    io.stdout(this.promptLine());
    this.opts.host?.prompted?.();
    // What was typed and not read goes to the shell (it shows it again, as readline does).
    const tin = this.ttyIn!;
    const ahead = tin.text.slice(tin.pos).replace(/\n/g, "\r") + this.ttyLine;
    this.ttyLine = "";
    if (ahead) this.feed(ahead, io);
  }

  private *lineRun(src: string, io: ShellIO, stdin: Input): Run<number> {
    try {
      return yield* interactiveLine(src, this.s, io, stdin);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      if (this.s.name === "bash") io.stdout(this.opts.login ? "logout\n" : "exit\n");
      this.end(e.code);
      return e.code;
    }
  }

  private end(code: number): void {
    if (this.exited !== undefined) return;
    this.exited = code;
    this.job?.cancel();
    for (const j of this.s.t.jobs) j.cancel?.();
    this.opts.host?.exit(code);
  }

  /** The terminal is gone (the client left): the running command and the background jobs end. */
  hangup(): void {
    this.job?.cancel();
    for (const j of this.s.t.jobs) j.cancel?.();
  }
}

export const isShell = (name: string) => ["sh", "bash", "ash"].includes(name.replace(/^\/(usr\/)?bin\//, "")) && hasCommand(name);
