// Container logs. A container's own output (its program through the interpreter, or its image's
// start-up lines) is computed lazily from the container's start time when read — nothing is stored
// for it. Only lines caused by traffic (access logs) are appended as rows, per container run.
import type { Obj } from "../resources/types";
import type { ClusterReader } from "./runtime/network";
import { containerRun } from "./runtime/container";

export interface LogLine {
  at: number;
  text: string;
  /** Set for a line the program wrote to stderr (attach without a tty keeps them apart). */
  stream?: "stderr";
}

export interface LogReadOptions {
  previous?: boolean;
  sinceTime?: number;
  tailLines?: number;
  limitBytes?: number;
  timestamps?: boolean;
}

/** Appended lines kept per container run (the kubelet rotates at 10 MiB; we keep the newest). */
const MAX_ROWS = 5000;

/** Which run of a container `kubectl logs [--previous]` reads (kubelet validateContainerLogStatus). */
export function logRun(
  pod: Obj,
  container: string,
  previous = false,
): { startedAt: number; finishedAt?: number; restart: number } | undefined {
  const s: Obj | undefined = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ].find((x: Obj) => x.name === container);
  if (!s) return undefined;
  const n = s.restartCount ?? 0;
  const last = s.lastState?.terminated;
  const waiting = !!s.state?.waiting;
  const run = (t: Obj, restart: number) => ({
    startedAt: Date.parse(t.startedAt),
    finishedAt: t.finishedAt ? Date.parse(t.finishedAt) : undefined,
    restart,
  });
  // Backing off (waiting with a terminated last state): both read the last exited run, whose
  // number is still restartCount.
  if (previous || waiting) return last?.startedAt ? run(last, waiting ? n : Math.max(0, n - 1)) : undefined;
  const cur = s.state?.running ?? s.state?.terminated;
  return cur?.startedAt ? run(cur, n) : undefined;
}

export class LogStore {
  private listeners = new Map<string, Set<() => void>>();

  /** `reader` lets a program see its environment (ConfigMaps, Secrets, Services) when computed. */
  constructor(
    private readonly sql: SqlStorage,
    private readonly reader?: ClusterReader,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS container_logs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      pod_uid TEXT NOT NULL, container TEXT NOT NULL, restart INTEGER NOT NULL,
      at INTEGER NOT NULL, line TEXT NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS container_logs_run ON container_logs (pod_uid, container, restart, seq)");
  }

  /** A line a container wrote because of traffic (an access-log line), at time `at`. */
  append(podUid: string, container: string, restart: number, line: string, at: number): void {
    this.sql.exec(
      "INSERT INTO container_logs (pod_uid, container, restart, at, line) VALUES (?, ?, ?, ?, ?)",
      podUid,
      container,
      restart,
      at,
      line,
    );
    const count = this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM container_logs WHERE pod_uid = ? AND container = ? AND restart = ?",
        podUid,
        container,
        restart,
      )
      .one().n;
    if (count > MAX_ROWS)
      this.sql.exec(
        "DELETE FROM container_logs WHERE seq IN (SELECT seq FROM container_logs WHERE pod_uid = ? AND container = ? AND restart = ? ORDER BY seq LIMIT ?)",
        podUid,
        container,
        restart,
        count - MAX_ROWS,
      );
    for (const fn of this.listeners.get(`${podUid}/${container}`) ?? []) fn();
  }

  /**
   * What `kubectl logs` prints for a container of `pod` at `now`: the program's lines up to now (or
   * its exit) merged in time order with appended lines, filtered by sinceTime, tailLines, limitBytes.
   * `timestamps` is the caller's formatting (each line's `at`).
   */
  read(pod: Obj, container: string, opts: LogReadOptions, now: number): { lines: LogLine[] } {
    const run = logRun(pod, container, opts.previous);
    const spec: Obj | undefined = [
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ].find((c: Obj) => c.name === container);
    if (!run || !spec || Number.isNaN(run.startedAt)) return { lines: [] };
    const end = Math.min(now, run.finishedAt ?? Infinity);
    const own = containerRun(pod, spec, run.startedAt, this.reader)
      .lines.filter((l) => l.at <= end)
      .map((l): LogLine => (l.stream === "stderr" ? { at: l.at, text: l.text, stream: "stderr" } : { at: l.at, text: l.text }));
    const rows = this.sql
      .exec<{ at: number; line: string }>(
        "SELECT at, line FROM container_logs WHERE pod_uid = ? AND container = ? AND restart = ? ORDER BY seq",
        pod.metadata.uid,
        container,
        run.restart,
      )
      .toArray()
      .map((r) => ({ at: r.at, text: r.line }));
    // Merge (both are in time order); the program's own line first on a tie.
    let lines: LogLine[] = [];
    for (let i = 0, j = 0; i < own.length || j < rows.length; )
      lines.push(j >= rows.length || (i < own.length && own[i].at <= rows[j].at) ? own[i++] : rows[j++]);
    if (opts.sinceTime !== undefined) lines = lines.filter((l) => l.at >= opts.sinceTime!);
    if (opts.tailLines !== undefined) lines = opts.tailLines > 0 ? lines.slice(-opts.tailLines) : [];
    if (opts.limitBytes !== undefined) {
      const out: LogLine[] = [];
      let left = opts.limitBytes;
      for (const l of lines) {
        if (left <= 0) break;
        const size = new TextEncoder().encode(`${l.text}\n`).length;
        out.push(size <= left ? l : { at: l.at, text: l.text.slice(0, left) });
        left -= size;
      }
      lines = out;
    }
    return { lines };
  }

  /** Be told when lines are appended for a container (follow); returns the unsubscribe. */
  subscribe(podUid: string, container: string, fn: () => void): () => void {
    const key = `${podUid}/${container}`;
    const set = this.listeners.get(key) ?? new Set();
    set.add(fn);
    this.listeners.set(key, set);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(key);
    };
  }

  /** Drop a deleted pod's appended lines. */
  forget(podUid: string): void {
    this.sql.exec("DELETE FROM container_logs WHERE pod_uid = ?", podUid);
  }
}
