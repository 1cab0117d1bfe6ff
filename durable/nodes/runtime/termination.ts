// The termination message the kubelet puts in an exited container's status
// (kuberuntime_container.go getTerminationMessage / readLastStringFromContainerLogs): what the
// program left in its terminationMessagePath, or, with FallbackToLogsOnError and a failed exit, the
// tail of its log.
import type { Container } from "kubernetes-types/core/v1";
import type { ProgramRun } from "../../shell";

/** kubecontainer.MaxContainerTerminationMessageLength: the file is read from its last 4 KiB. */
export const MAX_MESSAGE_BYTES = 4 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLength / LogLines: the log fallback's limits. */
export const MAX_LOG_BYTES = 2 * 1024;
export const MAX_LOG_LINES = 80;

const utf8 = new TextEncoder();
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** The last `max` bytes of `text` (tail.ReadAtMost, circbuf): a cut may split a character, as there. */
export function lastBytes(text: string, max: number): string {
  const b = utf8.encode(text);
  return b.length <= max ? text : decode(b.subarray(b.length - max));
}

/** The log's fallback: its last 80 lines (stdout and stderr as written), then their last 2048 bytes. */
export function logTail(lines: { text: string }[]): string {
  return lastBytes(
    lines
      .slice(-MAX_LOG_LINES)
      .map((l) => `${l.text}\n`)
      .join(""),
    MAX_LOG_BYTES,
  );
}

/**
 * The message of a run that ended at `exit.at` with `exit.code`: the file's content as the program
 * last left it (its last 4 KiB); when the file is missing or empty, the policy is
 * FallbackToLogsOnError and the exit failed, the log's tail.
 */
export function terminationMessage(c: Container, run: Pick<ProgramRun, "lines" | "files">, exit: { code: number; at: number }): string {
  const path = c.terminationMessagePath ?? "/dev/termination-log";
  let data: string | undefined;
  for (const f of run.files ?? []) if (f.at <= exit.at && f.path === path) data = f.data;
  const fallback = c.terminationMessagePolicy === "FallbackToLogsOnError" && exit.code !== 0;
  if (data) return lastBytes(data, MAX_MESSAGE_BYTES);
  return fallback ? logTail(run.lines.filter((l) => l.at <= exit.at)) : "";
}
