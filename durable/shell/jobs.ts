// The applets that let time pass or run other commands: sleep, timeout, watch, xargs. They are
// generators (see Applet in applets.ts): time passes where they yield, so the same code waits for
// real in a terminal and advances the virtual clock in a container's program.
import { execute, isProgram, nowOf, pause, ShellSignal, type Pause, type Run, type ShellState } from "./interp";
import type { Applet, AppletCall } from "./applets";
import { strftime } from "./applets";

/** sleep's operand: "5", "0.5", "1m", "2h", "inf". */
export function durationMs(arg: string): number | undefined {
  if (arg === "inf" || arg === "infinity") return Infinity;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  return Number(m[1]) * { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!;
}

/**
 * Run `g` for at most `ms` of (virtual or real) time. When the time is up, `signal` is delivered to
 * it where it waits; returns its status, or "expired" when it was ended that way. Signals thrown at
 * this generator (Ctrl-C) are passed on to `g`.
 */
function* bounded(g: Run, ms: number, s: ShellState, signal: ShellSignal): Run<number | "expired"> {
  const deadline = nowOf(s) + ms;
  let r = g.next();
  while (!r.done) {
    const p: Pause = r.value;
    const left = deadline - nowOf(s);
    if (left <= 0 || ("sleep" in p && p.sleep >= left)) {
      if (left > 0) {
        const e = yield* forward({ sleep: left });
        if (e) {
          r = g.throw(e.error);
          continue;
        }
      }
      try {
        r = g.throw(signal);
      } catch (e) {
        if (e === signal) return "expired";
        throw e;
      }
      // It trapped the signal and would run on: timeout ends it all the same.
      g.return(0);
      return "expired";
    }
    const e = yield* forward(p);
    r = e ? g.throw(e.error) : g.next();
  }
  return r.value;
}

/** Yield `p`; what the driver throws in (a signal) is returned, for the caller to pass on. */
function* forward(p: Pause): Generator<Pause, { error: unknown } | undefined, void> {
  try {
    yield p;
  } catch (error) {
    return { error };
  }
  return undefined;
}

function* sleep(args: string[], { io }: AppletCall): Run {
  if (!args.length) {
    io.stderr("sleep: missing operand\n");
    return 1;
  }
  let ms = 0;
  for (const a of args) {
    const v = durationMs(a);
    if (v === undefined) {
      io.stderr(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    ms += v;
  }
  yield* pause(ms);
  return 0;
}

/** timeout [-s SIG] DURATION COMMAND…: 124 when the command had to be ended. */
function* timeout(args: string[], call: AppletCall): Run {
  const { s, io } = call;
  const gnu = call.flavour === "gnu";
  let sig: ShellSignal["name"] = "TERM";
  let i = 0;
  for (; i < args.length && args[i].startsWith("-") && args[i] !== "-"; i++) {
    if (args[i] === "-s") {
      const name = (args[++i] ?? "").replace(/^SIG/, "").toUpperCase();
      if (name === "INT" || name === "TERM" || name === "HUP" || name === "KILL") sig = name;
    } else if (args[i] === "-k") i++;
    else if (args[i] === "--") {
      i++;
      break;
    }
  }
  const rest = args.slice(i);
  if (rest.length < 2) {
    io.stderr(gnu ? "Try 'timeout --help' for more information.\n" : "Usage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS\n");
    return gnu ? 125 : 1;
  }
  const ms = durationMs(rest[0]);
  if (ms === undefined) {
    io.stderr(
      gnu
        ? `timeout: invalid time interval '${rest[0]}'\nTry 'timeout --help' for more information.\n`
        : `timeout: invalid number '${rest[0]}'\n`,
    );
    return 125;
  }
  const r = yield* bounded(execute(rest.slice(1), s, io, call.stdin), ms, s, new ShellSignal(sig));
  return r === "expired" ? (sig === "KILL" ? 137 : 124) : r;
}

/** watch [-n SEC] [-t] COMMAND: the screen cleared, a header, the output, every period, until ^C. */
function* watch(args: string[], call: AppletCall): Run {
  const { s, io } = call;
  let period = 2;
  let header = true;
  let i = 0;
  for (; i < args.length && args[i].startsWith("-"); i++) {
    const a = args[i];
    if (a === "-n") period = Number(args[++i]);
    else if (a.startsWith("-n")) period = Number(a.slice(2));
    else if (a === "-t" || a === "--no-title") header = false;
    else if (a === "--") {
      i++;
      break;
    }
  }
  const cmd = args.slice(i);
  if (!cmd.length || !Number.isFinite(period)) {
    io.stderr(call.flavour === "gnu" ? "Usage:\n watch [options] command\n" : "Usage: watch [-n SEC] [-t] PROG ARGS\n");
    return 1;
  }
  if (call.flavour === "gnu" && period < 0.1) period = 0.1;
  const width = 80;
  const text = cmd.join(" ");
  for (;;) {
    let screen = "\x1b[H\x1b[J";
    if (header) {
      const now = nowOf(s);
      if (call.flavour === "gnu") {
        // procps-ng: "Every 1.0s: CMD" on the left, "host: date" on the right.
        const right = `${s.ctx.hostname}: ${strftime("%a %b %e %H:%M:%S %Y", now)}`;
        const left = `Every ${period.toFixed(1)}s: ${text}`;
        screen += `${left.padEnd(width - right.length - 1).slice(0, width - right.length - 1)} ${right}\n\n`;
      } else {
        const date = strftime("%Y-%m-%d %H:%M:%S", now);
        screen += `${`Every ${period.toFixed(1)}s: ${text}`.padEnd(width - date.length - 1).slice(0, width - date.length - 1)}${date}\n\n`;
      }
    }
    io.stdout(screen);
    // The command runs through `sh -c`, as both watches do.
    yield* execute(["sh", "-c", text], s, io, "");
    yield* pause(period * 1000);
  }
}

/** The items of xargs' input: blank-separated, with quotes and backslashes (or NUL-separated with -0). */
function xargsItems(input: string, nul: boolean): string[] {
  if (nul) return input.split("\0").filter((x, k, all) => x !== "" || k < all.length - 1);
  const out: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === "'" || c === '"') {
      const end = input.indexOf(c, i + 1);
      cur += input.slice(i + 1, end < 0 ? input.length : end);
      has = true;
      i = end < 0 ? input.length : end;
    } else if (c === "\\") {
      cur += input[++i] ?? "";
      has = true;
    } else if (/\s/.test(c)) {
      if (cur || has) out.push(cur);
      cur = "";
      has = false;
    } else cur += c;
  }
  if (cur || has) out.push(cur);
  return out;
}

/** xargs [-n N] [-I R] [-0] [-t] [COMMAND…]: build command lines from stdin and run them. */
function* xargs(args: string[], call: AppletCall): Run {
  const { s, io } = call;
  let max = Infinity;
  let replace: string | undefined;
  let nul = false;
  let trace = false;
  let noEmpty = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith("-"); i++) {
    const a = args[i];
    if (a === "-n") max = Number(args[++i]);
    else if (/^-n\d+$/.test(a)) max = Number(a.slice(2));
    else if (a === "-I") replace = args[++i];
    else if (a.startsWith("-I")) replace = a.slice(2);
    else if (a === "-0" || a === "--null") nul = true;
    else if (a === "-t") trace = true;
    else if (a === "-r" || a === "--no-run-if-empty") noEmpty = true;
    else if (a === "--") {
      i++;
      break;
    }
  }
  const cmd = args.slice(i).length ? args.slice(i) : ["echo"];
  let lines: string[][];
  if (replace !== undefined) {
    const items = nul ? call.stdin.split("\0") : call.stdin.split("\n").map((l) => l.replace(/^\s+/, ""));
    lines = items.filter((l) => l !== "").map((item) => cmd.map((w) => w.split(replace!).join(item)));
  } else {
    const items = xargsItems(call.stdin, nul);
    lines = [];
    for (let k = 0; k < items.length; k += Number.isFinite(max) ? max : items.length || 1)
      lines.push([...cmd, ...items.slice(k, k + (Number.isFinite(max) ? max : items.length))]);
    if (!items.length && !noEmpty) lines.push(cmd); // both xargs run the command once on empty input
  }
  let status = 0;
  for (const argv of lines) {
    if (trace) io.stderr(`${argv.join(" ")}\n`);
    // xargs runs programs (no shell builtins or functions): one the image lacks is xargs' error.
    if (!isProgram(argv[0], s)) {
      io.stderr(`xargs: ${argv[0]}: No such file or directory\n`);
      return 127;
    }
    const st = yield* execute(argv, { ...s, funcs: {} }, io, "");
    if (st === 255) {
      io.stderr(`xargs: ${argv[0]}: exited with status 255; aborting\n`);
      return 124;
    }
    if (st !== 0) status = 123;
  }
  return status;
}

export const JOB_APPLETS: Record<string, Applet> = { sleep, timeout, watch, xargs };
