// `POST /api/sessions/:id/run`: a script run non-interactively in the workstation, as `bash -c` over
// ssh would run it, with a time limit; what it printed comes back whole.
import { execRealtime } from "../shell";
import type { ShellContext, ShellIO } from "../shell/types";

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** timeout(1)'s status for a command it had to stop. */
const TIMED_OUT = 124;
/** What one run may print (each stream); more is cut, as a lab check needs only the start. */
const MAX_OUTPUT = 1 << 20;

/** The longest a run may take (POST /run, `ssh node01 COMMAND`). */
export const RUN_LIMIT_MS = 30_000;

/** Run `script` with `bash -c` on `ctx`; its output is collected, or passed to `io` as it comes. */
export function scriptRun(ctx: ShellContext, script: string, limitMs: number, io?: ShellIO): Promise<ScriptResult> {
  const out = { stdout: "", stderr: "" };
  const writer = (k: "stdout" | "stderr") => (t: string) => {
    if (io) return io[k](t);
    if (out[k].length < MAX_OUTPUT) out[k] += t.slice(0, MAX_OUTPUT - out[k].length);
  };
  const job = execRealtime(["bash", "-c", script], ctx, { stdout: writer("stdout"), stderr: writer("stderr") });
  const code = job.start();
  if (code !== undefined) return Promise.resolve({ exitCode: code, ...out });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      job.cancel();
      resolve({ exitCode: TIMED_OUT, ...out });
    }, limitMs);
    job.done.then(
      (exitCode) => {
        clearTimeout(timer);
        resolve({ exitCode, ...out });
      },
      (e) => {
        clearTimeout(timer);
        resolve({
          exitCode: 1,
          stdout: out.stdout,
          stderr: `${out.stderr}kubeplay: the script stopped: ${e instanceof Error ? e.message : e}\n`,
        });
      },
    );
  });
}
