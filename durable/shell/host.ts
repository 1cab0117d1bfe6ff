// For host programs (shell/types.ts HostProgram): waiting for the host inside the shell's run.
import type { HostPause } from "./types";

/** Wait for the host's promise inside the shell (real time only): its value, or its error thrown. */
export function* awaitHost<T>(p: Promise<T>): Generator<HostPause, T, void> {
  let settled: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then(
    (value) => (settled = { ok: true, value }),
    (error) => (settled = { ok: false, error }),
  );
  while (!settled) yield { until: p };
  const s = settled as { ok: true; value: T } | { ok: false; error: unknown };
  if (!s.ok) throw s.error;
  return s.value;
}
