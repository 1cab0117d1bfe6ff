// Pipes between the stages of a pipeline run in real time. Each stage but the last runs as a job of
// its own beside the others and writes into a pipe that the next stage reads as it is written, so
// `while true; do date; sleep 1; done | grep 0` prints a line a second and `kubectl get pods -w |
// grep web` follows the watch. The line filters a learner ends such a pipe with (cat, grep, head,
// cut, tr, tee) work through it a batch of whole lines at a time, and `read` takes a line as it
// comes; any other reader gets its input once the writer is done, as a program reading to EOF would.
import type { Input, Pause, Run } from "./interp";
import type { ShellIO } from "./types";

/** How often a command waiting for typed input looks for it. */
export const TTY_POLL_MS = 25;

export interface Pipe {
  /** The reading end: a live input that says when it has more. */
  input: Input;
  write(text: string): void;
  /** The writer is done: the reader sees the end of its input. */
  close(): void;
}

/** What the reader has taken is dropped once it passes this, so a long stream holds only what is unread. */
const COMPACT_AT = 1 << 16;

/** A pipe; a write that would leave more than `limit` unread calls `full` instead (it throws: SIGPIPE). */
export function newPipe(limit: number, full: () => never): Pipe {
  let wake: (() => void) | undefined;
  let waiting: Promise<void> | undefined;
  const live: NonNullable<Input["live"]> = {
    closed: false,
    written: () => {
      waiting ??= new Promise<void>((resolve) => {
        wake = resolve;
      });
      return waiting;
    },
  };
  const input: Input = { text: "", pos: 0, live };
  const notify = () => {
    const w = wake;
    wake = undefined;
    waiting = undefined;
    w?.();
  };
  return {
    input,
    write(text) {
      if (live.closed || !text) return;
      if (input.pos > COMPACT_AT) {
        input.text = input.text.slice(input.pos);
        input.pos = 0;
      }
      if (input.text.length - input.pos + text.length > limit) full();
      input.text += text;
      notify();
    },
    close() {
      live.closed = true;
      notify();
    },
  };
}

/** The pipe an input reads from, if it is one (not a terminal). */
export const pipeOf = (inp: Input) => (inp.live?.written ? inp.live : undefined);

/** Wait for more of a live input: a pipe wakes its reader when written to, a terminal is looked at now and then. */
export const moreInput = (live: NonNullable<Input["live"]>): Pause => (live.written ? { until: live.written() } : { sleep: TTY_POLL_MS });

/** grep's options that keep each line's fate its own (no counts, context or line numbers across lines). */
const GREP_LINE_FLAGS = new Set("EFGiywxoqsHhI");
const GREP_LINE_LONG =
  /^--(colou?r(=\w+)?|line-buffered|ignore-case|invert-match|word-regexp|line-regexp|extended-regexp|fixed-strings|basic-regexp|only-matching|quiet|silent|no-messages|with-filename|no-filename)$/;

/** head's line count, if that is all it is asked (a count from the start). */
function headLines(args: string[]): number | undefined {
  if (!args.length) return 10;
  const [a, b] = args;
  const n = a === "-n" && args.length === 2 ? b : args.length === 1 ? /^(?:-n|--lines=|-)(\d+)$/.exec(a)?.[1] : undefined;
  return n !== undefined && /^\d+$/.test(n) ? Number(n) : undefined;
}

/** Can this filter work through a pipe a batch of lines at a time with the same result as on the whole? */
export function worksLineByLine(prog: string, args: string[]): boolean {
  switch (prog) {
    case "cat":
      return args.every((a) => a === "-");
    case "head":
      return headLines(args) !== undefined;
    case "grep":
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "-e") i++;
        else if (a.startsWith("--")) {
          if (!GREP_LINE_LONG.test(a)) return false;
        } else if (a.startsWith("-") && a.length > 1 && ![...a.slice(1)].every((c) => GREP_LINE_FLAGS.has(c))) return false;
      }
      return true;
    case "cut":
      return true;
    case "tr":
      // Squeezing runs across a batch's end would differ.
      return !args.some((a) => /^-[a-zA-Z]*s/.test(a) || a === "--squeeze-repeats");
    case "tee":
      return args.every((a) => a === "-a" || !a.startsWith("-"));
    default:
      return false;
  }
}

/**
 * Run a filter (one that `worksLineByLine`) over a pipe as it is written: `run(args, text)` runs the applet
 * on one batch of whole lines. grep's status is 0 once any batch matched; `grep -q` and `head` stop
 * as soon as they have what they need, which ends the writers (SIGPIPE).
 */
export function* streamFilter(
  prog: string,
  args: string[],
  inp: Input,
  io: ShellIO,
  run: (args: string[], text: string) => Run<number>,
): Run<number> {
  const live = inp.live!;
  const lines = prog === "head" ? headLines(args)! : 0;
  const quiet = prog === "grep" && args.some((a) => /^-[a-zA-Z]*q/.test(a) || a === "--quiet" || a === "--silent");
  let status = prog === "grep" ? 1 : 0;
  let given = 0;
  if (prog === "head" && lines === 0) return 0;
  // Usage errors come before any input does, and tee makes (or empties) its files at once.
  if (prog !== "head" && prog !== "cat") {
    const first = yield* run(args, "");
    if (prog === "grep" ? first === 2 : first !== 0) return first;
  }
  const appending = prog === "tee" && !args.includes("-a") ? ["-a", ...args] : args;
  for (;;) {
    const end = live.closed ? inp.text.length : inp.text.lastIndexOf("\n") + 1;
    if (end > inp.pos) {
      const batch = inp.text.slice(inp.pos, end);
      inp.pos = end;
      if (prog === "cat") io.stdout(batch);
      else if (prog === "head") {
        let cut = 0;
        while (given < lines && cut < batch.length) {
          const nl = batch.indexOf("\n", cut);
          cut = nl < 0 ? batch.length : nl + 1;
          given++;
        }
        io.stdout(batch.slice(0, cut));
        if (given >= lines) return 0;
      } else {
        const st = yield* run(appending, batch);
        if (prog !== "grep") status = st;
        else if (st === 2) return 2;
        else if (st === 0) {
          status = 0;
          if (quiet) return 0;
        }
      }
    }
    if (live.closed && inp.pos >= inp.text.length) return status;
    yield moreInput(live);
  }
}
