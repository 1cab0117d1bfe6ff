// The simulated shells: one-shot commands (exec), programs on a virtual clock (a container's
// command, for its logs and its exit), and an interactive REPL (exec -it).
import { command, ExitSignal, HaltSignal, hasCommand, newState, runScript, type ShellState } from "./interp";
import type { ShellContext, ShellIO } from "./types";

export type { Network, ShellContext, ShellIO } from "./types";
export { hasCommand } from "./interp";

/** Run one command synchronously; returns its exit code. `sleep` does not block. */
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
}

const MAX_LINES = 20_000;

/**
 * Run a container's program from `ctx.now()` (its startedAt) on a virtual clock until it exits or
 * virtual time passes `until`: its output lines with their times, and its exit if it ended. A busy
 * loop without sleeps is cut off by the step budget and counts as running forever.
 */
export function runProgram(argv: string[], ctx: ShellContext, opts: { until: number; maxSteps?: number }): ProgramRun {
  const start = ctx.now();
  const files: { at: number; path: string; data?: string }[] = [];
  const fs = ctx.fs;
  ctx = {
    ...ctx,
    fs: {
      read: (p) => fs.read(p),
      list: (d) => fs.list(d),
      isDir: (p) => fs.isDir(p),
      write: (p, data) => { files.push({ at: start + s.t.elapsed, path: p, data }); fs.write(p, data); },
      remove: (p) => { files.push({ at: start + s.t.elapsed, path: p }); return fs.remove?.(p) ?? false; },
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
    for (const stream of ["stdout", "stderr"] as const) if (partial[stream]) lines.push({ at: start + s.t.elapsed, text: partial[stream], stream });
  };
  let code: number;
  try {
    code = command(argv, s, io, "");
  } catch (e) {
    if (e instanceof ExitSignal) code = e.code;
    else if (e instanceof HaltSignal) {
      flush();
      return { lines, files };
    } else throw e;
  }
  flush();
  // `sleep infinity` as the last command: still running.
  if (!Number.isFinite(s.t.elapsed) || start + s.t.elapsed > opts.until) return { lines: lines.filter((l) => l.at <= opts.until), files };
  return { lines, exit: { code, at: start + s.t.elapsed }, files };
}

/** `sh` reading a pipe (exec -i, attach without a tty): runs each complete line as it arrives, keeping
 *  its state, until `exit` or the end of its input. */
export class PipeShell {
  private readonly s: ShellState;
  private buf = "";
  exited?: number;

  constructor(ctx: ShellContext, name: string) {
    this.s = newState(ctx, { name, maxSteps: 20_000 });
  }

  /** Input arrives; returns the exit code once the shell has exited. */
  feed(text: string, io: ShellIO): number | undefined {
    this.buf += text;
    let nl: number;
    while (this.exited === undefined && (nl = this.buf.indexOf("\n")) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.run(line, io);
    }
    return this.exited;
  }

  /** End of input: what is left runs, then the shell exits with its last status. */
  close(io: ShellIO): number {
    if (this.exited === undefined && this.buf) this.run(this.buf, io);
    this.buf = "";
    return (this.exited ??= this.s.status);
  }

  private run(line: string, io: ShellIO): void {
    this.s.t.steps = 0;
    try {
      this.s.status = runScript(line, this.s, io);
    } catch (e) {
      if (e instanceof ExitSignal) this.exited = e.code;
      else if (!(e instanceof HaltSignal)) throw e;
    }
  }
}

/** The prompt a shell shows: bash's `root@host:/# `, busybox/alpine ash's `/ # `. */
function defaultPrompt(s: ShellState): string {
  return s.name === "bash" ? `root@${s.ctx.hostname}:${s.cwd === s.vars.HOME ? "~" : s.cwd}# ` : `${s.cwd === s.vars.HOME ? "~" : s.cwd} # `;
}

/**
 * A terminal session (exec -it): echoes typed characters, backspace, ^C, ^D, ^U, history with the
 * arrow keys; Enter runs the line. Output uses CRLF as a tty does.
 */
export class InteractiveShell {
  private s: ShellState;
  private line = "";
  private pending = "";
  private history: string[] = [];
  private hpos = 0;

  constructor(ctx: ShellContext, private readonly opts: { prompt?: string; shell?: string } = {}) {
    this.s = newState(ctx, { name: opts.shell ?? "sh", maxSteps: 20_000, interactive: true });
    this.s.vars.HOME ??= "/root";
  }

  banner(): string {
    return "";
  }

  prompt(): string {
    return this.opts.prompt ?? defaultPrompt(this.s);
  }

  feed(bytes: string, io: ShellIO): { exit?: number } {
    const tty: ShellIO = { stdout: (x) => io.stdout(x.replace(/\r?\n/g, "\r\n")), stderr: (x) => io.stderr(x.replace(/\r?\n/g, "\r\n")), tty: true };
    const input = this.pending + bytes;
    this.pending = "";
    for (let i = 0; i < input.length; i++) {
      const c = input[i];
      if (c === "\x1b") {
        const m = /^\x1b\[?[0-9;]*[A-Za-z~]?/.exec(input.slice(i))!;
        if (!/[A-Za-z~]$/.test(m[0])) { this.pending = input.slice(i); break; }
        if (m[0] === "\x1b[A" || m[0] === "\x1b[B") this.recall(m[0] === "\x1b[A" ? -1 : 1, io);
        i += m[0].length - 1;
      } else if (c === "\r" || c === "\n") {
        if (c === "\n" && input[i - 1] === "\r") continue;
        io.stdout("\r\n");
        const line = this.line;
        this.line = "";
        if (line.trim()) { this.history.push(line); this.hpos = this.history.length; }
        const r = this.run(line, tty);
        if (r !== undefined) return { exit: r };
        io.stdout(this.prompt());
      } else if (c === "\x7f" || c === "\b") {
        if (this.line) { this.line = this.line.slice(0, -1); io.stdout("\b \b"); }
      } else if (c === "\x03") {
        this.line = "";
        io.stdout(`^C\r\n${this.prompt()}`);
      } else if (c === "\x04") {
        if (!this.line) {
          if (this.s.name === "bash") io.stdout("exit\r\n");
          return { exit: this.s.status };
        }
      } else if (c === "\x15") {
        io.stdout("\b \b".repeat(this.line.length));
        this.line = "";
      } else if (c === "\x0c") {
        io.stdout(`\x1b[H\x1b[2J${this.prompt()}${this.line}`);
      } else if (c >= " " || c === "\t") {
        if (c === "\t") continue; // no completion
        this.line += c;
        io.stdout(c);
      }
    }
    return {};
  }

  private recall(dir: number, io: ShellIO): void {
    const pos = Math.min(this.history.length, Math.max(0, this.hpos + dir));
    if (pos === this.hpos && dir < 0 && pos === 0 && !this.history.length) return;
    this.hpos = pos;
    io.stdout("\b \b".repeat(this.line.length));
    this.line = this.history[pos] ?? "";
    io.stdout(this.line);
  }

  /** Run a typed line; returns an exit code when the shell ends. */
  private run(line: string, io: ShellIO): number | undefined {
    this.s.t.steps = 0;
    try {
      runScript(line, this.s, io);
    } catch (e) {
      if (e instanceof ExitSignal) {
        if (this.s.name === "bash") io.stdout("exit\n");
        return e.code;
      }
      if (!(e instanceof HaltSignal)) throw e;
    }
    return undefined;
  }
}

export const isShell = (name: string) => ["sh", "bash", "ash"].includes(name.replace(/^\/(usr\/)?bin\//, "")) && hasCommand(name);
