// The shell's own commands: echo as each shell has it, local/return, export/unset/cd, set and its
// options, trap, read, eval/source, jobs/kill/wait. `builtins` answers undefined for anything else.
import { resolvePath } from "../fs";
import { APPLETS } from "./applets";
import { arith } from "./arith";
import type { ShellIO } from "./types";
import { moreInput } from "./pipes";
import {
  BUILTINS,
  dialectOf,
  environ,
  errPrefix,
  escapeClass,
  execute,
  ExitSignal,
  LoopSignal,
  programsOf,
  ReturnSignal,
  script,
  setVar,
  type ShellSignal,
  SIGNUMS,
  type BackgroundJob,
  type Input,
  type Run,
  type ShellState,
} from "./interp";

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
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
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

const TRAP_CONDS: Record<string, string> = {
  EXIT: "EXIT",
  "0": "EXIT",
  INT: "INT",
  SIGINT: "INT",
  "2": "INT",
  TERM: "TERM",
  SIGTERM: "TERM",
  "15": "TERM",
  HUP: "HUP",
  SIGHUP: "HUP",
  "1": "HUP",
};

/** The shell's own commands; undefined when `name` is not one. */
export function* builtins(name: string, args: string[], s: ShellState, io: ShellIO, inp: Input): Run<number | undefined> {
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
        io.stderr(
          d === "bash"
            ? `${errPrefix(s)}local: can only be used in a function\n`
            : d === "dash"
              ? `${errPrefix(s)}local: not in a function\n`
              : `${s.name}: local: line 0: not in a function\n`,
        );
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
        const shown =
          dialectOf(s) === "bash" ? (k: string, v: string) => `declare -x ${k}="${v}"\n` : (k: string, v: string) => `export ${k}='${v}'\n`;
        for (const [k, v] of Object.entries(environ(s)).sort()) io.stdout(shown(k, v));
      }
      return 0;
    case "unset":
      for (const a of args.filter((a) => a !== "-v" && a !== "-f")) {
        if (args.includes("-f")) delete s.funcs[a];
        else {
          delete s.vars[a];
          delete s.arrays[a];
          s.exported.delete(a);
        }
      }
      return 0;
    case "cd": {
      const target = args[0] === "-" ? (s.vars.OLDPWD ?? s.cwd) : (args[0] ?? s.vars.HOME ?? "/");
      const dir = resolvePath(target, s.cwd);
      if (!s.ctx.fs.isDir(dir)) {
        const d = dialectOf(s);
        io.stderr(
          d === "bash"
            ? `${errPrefix(s)}cd: ${args[0]}: No such file or directory\n`
            : d === "dash"
              ? `${errPrefix(s)}cd: can't cd to ${args[0]}\n`
              : `${s.name}: cd: line 0: can't cd to ${args[0]}: No such file or directory\n`,
        );
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
      while (inp.live && !inp.live.closed && inp.text.indexOf("\n", inp.pos) < 0) yield moreInput(inp.live);
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
      const fields =
        targets.length === 1 && names.length
          ? [line.replace(new RegExp(`^[${escapeClass(ifs)}]+|[${escapeClass(ifs)}]+$`, "g"), "")]
          : splitIFS(line, ifs, targets.length);
      if (!names.length) s.vars.REPLY = line;
      else targets.forEach((t, i) => setVar(s, t, fields[i] ?? ""));
      return end < 0 ? 1 : 0;
    }
    case "exec": {
      // The command replaces the shell: its status is the shell's. Without one, `exec` only keeps
      // its redirections (kubeplay applies them to the exec line alone).
      if (!args.length) return 0;
      throw new ExitSignal(yield* execute(args, s, io, inp));
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
    case "alias":
      return alias(args, s, io);
    case "unalias": {
      if (args[0] === "-a") {
        s.aliases = {};
        return 0;
      }
      let st = 0;
      for (const a of args) {
        if (s.aliases[a] === undefined) {
          io.stderr(`${errPrefix(s)}unalias: ${a}: not found\n`);
          st = 1;
        } else delete s.aliases[a];
      }
      return st;
    }
    case "history": {
      if (!s.history) return 0;
      if (args[0] === "-c") {
        s.history.length = 0;
        return 0;
      }
      const n = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args[0]) : s.history.length;
      const from = Math.max(0, s.history.length - n);
      io.stdout(
        s.history
          .slice(from)
          .map((line, i) => `${String(from + i + 1).padStart(5)}  ${line}\n`)
          .join(""),
      );
      return 0;
    }
    case "type":
    case "command": {
      if (name === "command" && args[0] !== "-v") return args.length ? yield* execute(args, s, io, inp) : 0;
      const names = name === "command" ? args.slice(1) : args;
      let st = 0;
      for (const n of names) {
        if (s.aliases[n] !== undefined)
          io.stdout(name === "type" ? `${n} is aliased to \`${s.aliases[n]}'\n` : `alias ${n}='${s.aliases[n]}'\n`);
        else if (s.funcs[n]) io.stdout(name === "type" ? `${n} is a function\n` : `${n}\n`);
        else if (BUILTINS.has(n)) io.stdout(name === "type" ? `${n} is a shell builtin\n` : `${n}\n`);
        else if (s.ctx.hostPrograms?.[n]) io.stdout(name === "type" ? `${n} is /usr/bin/${n}\n` : `/usr/bin/${n}\n`);
        else if (APPLETS[n] && (!programsOf(s) || programsOf(s)!.program(n)))
          io.stdout(name === "type" ? `${n} is /bin/${n}\n` : `/bin/${n}\n`);
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

/** `alias` lists, shows or sets aliases, as bash prints them: `alias k='kubectl'`. */
function alias(args: string[], s: ShellState, io: ShellIO): number {
  const show = (name: string) => `alias ${name}='${s.aliases[name].replace(/'/g, "'\\''")}'\n`;
  if (!args.length || (args.length === 1 && args[0] === "-p")) {
    io.stdout(Object.keys(s.aliases).sort().map(show).join(""));
    return 0;
  }
  let st = 0;
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq > 0) s.aliases[a.slice(0, eq)] = a.slice(eq + 1);
    else if (s.aliases[a] !== undefined) io.stdout(show(a));
    else {
      io.stderr(`${errPrefix(s)}alias: ${a}: not found\n`);
      st = 1;
    }
  }
  return st;
}

/** The job a `%N` or pid names. */
function jobOf(spec: string, s: ShellState): BackgroundJob | undefined {
  if (spec === "%%" || spec === "%+" || spec === "%") return s.t.jobs[s.t.jobs.length - 1];
  if (spec.startsWith("%")) return s.t.jobs.find((j) => j.id === Number(spec.slice(1)));
  return s.t.jobs.find((j) => j.pid === Number(spec));
}

const STATE_NAMES: Record<ShellSignal["name"], string> = {
  INT: "Interrupt",
  TERM: "Terminated",
  HUP: "Hangup",
  KILL: "Killed",
  PIPE: "Broken pipe",
};

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
    const state = !done
      ? "Running"
      : j.signal
        ? STATE_NAMES[j.signal]
        : j.code === 0
          ? "Done"
          : bash
            ? `Exit ${j.code}`
            : `Done(${j.code})`;
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
      // A trapped signal ends `wait` at once (with 128+n); its trap runs next.
      if (s.t.pending?.length && s.t.pid1 === s) return 128 + SIGNUMS[s.t.pending[0]];
      const wake = s.t.nextWake?.();
      yield { sleep: wake === undefined ? 20 : Math.max(0, wake - s.t.elapsed), interruptible: true };
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
  const names: Record<string, ShellSignal["name"]> = {
    INT: "INT",
    TERM: "TERM",
    HUP: "HUP",
    KILL: "KILL",
    "2": "INT",
    "15": "TERM",
    "1": "HUP",
    "9": "KILL",
  };
  let i = 0;
  if (args[0] === "-s") {
    sig = names[(args[1] ?? "").replace(/^SIG/, "").toUpperCase()] ?? sig;
    i = 2;
  } else if (args[0]?.startsWith("-") && args[0].length > 1) {
    sig = names[args[0].slice(1).replace(/^SIG/, "").toUpperCase()] ?? sig;
    i = 1;
  }
  const targets = args.slice(i);
  // Processes that are not this shell's jobs (PID 1, another exec's shell) are the runtime's to
  // signal: kill as the container's own program does it, with its messages.
  if (s.ctx.kill && targets.length && targets.every((t) => /^-?\d+$/.test(t) && !jobOf(t, s))) {
    const status = APPLETS.kill(args, { s, io, stdin: "", flavour: programsOf(s)?.program("kill") ?? "busybox" });
    if (typeof status === "number") return status;
  }
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
      if (t.startsWith("%"))
        io.stderr(
          d === "bash"
            ? `${errPrefix(s)}kill: ${t}: no such job\n`
            : d === "dash"
              ? `${errPrefix(s)}kill: No such job: ${t}\n`
              : `${s.name}: kill: line 0: ${t}: no such job\n`,
        );
      else
        io.stderr(
          d === "bash"
            ? `${errPrefix(s)}kill: (${t}) - No such process\n`
            : d === "dash"
              ? `${errPrefix(s)}kill: No such process\n`
              : `${s.name}: can't kill pid ${t}: No such process\n`,
        );
      st = 1;
      continue;
    }
    j.kill?.(sig);
  }
  return st;
}

function setBuiltin(args: string[], s: ShellState, io: ShellIO): number {
  if (!args.length) {
    for (const [k, v] of Object.entries(s.vars).sort(([a], [b]) => (a < b ? -1 : 1)))
      if (/^[A-Za-z_]/.test(k)) io.stdout(`${k}='${v.replace(/'/g, `'\\''`)}'\n`);
    return 0;
  }
  const names: Record<string, keyof ShellState["opts"]> = {
    e: "errexit",
    u: "nounset",
    x: "xtrace",
    errexit: "errexit",
    nounset: "nounset",
    xtrace: "xtrace",
    pipefail: "pipefail",
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      s.args = args.slice(i + 1);
      return 0;
    }
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
    for (const [cond, action] of Object.entries(s.traps))
      io.stdout(`trap -- '${action.replace(/'/g, `'\\''`)}' ${bash && cond !== "EXIT" ? `SIG${cond}` : cond}\n`);
    return 0;
  }
  if (args[0] === "--") args = args.slice(1);
  const [action, ...conds] = /^\d+$/.test(args[0]) ? ["-", ...args] : args;
  for (const c of conds) {
    const cond = TRAP_CONDS[c.toUpperCase()] ?? TRAP_CONDS[c];
    if (!cond) {
      io.stderr(
        dialectOf(s) === "bash" ? `${errPrefix(s)}trap: ${c}: invalid signal specification\n` : `${errPrefix(s)}trap: ${c}: bad trap\n`,
      );
      return 1;
    }
    if (action === "-") delete s.traps[cond];
    else s.traps[cond] = action;
  }
  return 0;
}

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
