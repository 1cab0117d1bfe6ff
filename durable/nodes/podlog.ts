// pods/log: the API server's LogREST (options, container defaulting and validation) in front of the
// simulated kubelet's getContainerLogs (container state checks, since/tail/timestamps/limitBytes,
// follow). Lines come from the LogStore: the container program's lines computed lazily, plus the
// lines traffic appended (nginx access log …).
import type { SubresourceHandler } from "../api/server";
import type { Registry } from "../api/registry";
import { badRequest, invalid, methodNotAllowed } from "../api/status";
import { queryBool } from "../api/query";
import { invalid as fieldInvalid, forbidden as fieldForbidden } from "../resources/validation";
import type { FieldError, Obj } from "../resources/types";

export interface LogLine {
  at: number;
  text: string;
  /** Set for a line the program wrote to stderr (attach without a tty keeps them apart). */
  stream?: "stderr";
}

/** What pods/log reads of the LogStore (durable/nodes/logs.ts). */
export interface LogReader {
  read(
    pod: Obj,
    container: string,
    opts: { previous?: boolean; sinceTime?: number; tailLines?: number },
    now: number,
  ): { lines: LogLine[] };
  subscribe(podUid: string, container: string, fn: () => void): () => void;
}

export interface LogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: number;
  limitBytes?: number;
}

/** How often a follow stream looks for lines the program produced by itself (they are computed lazily). */
export const FOLLOW_POLL_MS = 500;

const int = (q: URLSearchParams, k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
const bool = queryBool;

/** Parse and validate PodLogOptions (validation.ValidatePodLogOptions). */
export function parseLogOptions(q: URLSearchParams, name: string): LogOptions {
  const errs: FieldError[] = [];
  const opts: LogOptions = {
    container: q.get("container") || undefined,
    follow: bool(q, "follow"),
    previous: bool(q, "previous"),
    timestamps: bool(q, "timestamps"),
    tailLines: int(q, "tailLines"),
    sinceSeconds: int(q, "sinceSeconds"),
    limitBytes: int(q, "limitBytes"),
  };
  const since = q.get("sinceTime");
  if (since) {
    const t = Date.parse(since);
    if (Number.isNaN(t))
      throw badRequest(
        `parsing time ${JSON.stringify(since)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(since)} as "2006"`,
      );
    opts.sinceTime = t;
  }
  for (const k of ["tailLines", "sinceSeconds", "limitBytes"] as const) {
    const v = opts[k];
    if (v !== undefined && !Number.isInteger(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(q.get(k))}: invalid syntax`);
  }
  if (opts.tailLines !== undefined && opts.tailLines < 0)
    errs.push(fieldInvalid("tailLines", opts.tailLines, "must be greater than or equal to 0"));
  if (opts.limitBytes !== undefined && opts.limitBytes < 1)
    errs.push(fieldInvalid("limitBytes", opts.limitBytes, "must be greater than 0"));
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined)
    errs.push(fieldForbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
  if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1)
    errs.push(fieldInvalid("sinceSeconds", opts.sinceSeconds, "must be greater than 0"));
  if (errs.length) throw invalid("PodLogOptions", "", name, errs);
  return opts;
}

/** The API server's validateContainer: default the only container, else insist on a valid name. */
export function chooseContainer(pod: Obj, container: string | undefined): string {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map(
    (c: Obj) => c.name as string,
  );
  const name = pod.metadata.name;
  if (!container) {
    const main: Obj[] = pod.spec?.containers ?? [];
    if (main.length === 1) return main[0].name;
    if (main.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The status of a container (app, init or ephemeral). */
export function containerStatus(pod: Obj, container: string): Obj | undefined {
  const st = pod.status ?? {};
  return [...(st.containerStatuses ?? []), ...(st.initContainerStatuses ?? []), ...(st.ephemeralContainerStatuses ?? [])].find(
    (s: Obj) => s.name === container,
  );
}

/** The kubelet's validateContainerLogStatus: is there a log to read for this container? */
export function checkLogStatus(pod: Obj, container: string, previous: boolean): void {
  const podName = pod.metadata.name;
  const q = (s: string) => JSON.stringify(s);
  const s = containerStatus(pod, container);
  if (!s) throw badRequest(`container ${q(container)} in pod ${q(podName)} is not available`);
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container ${q(container)} in pod ${q(podName)} not found`);
    return;
  }
  if (running) return;
  if (terminated) {
    if (!terminated.containerID && !last?.containerID) throw badRequest(`container ${q(container)} in pod ${q(podName)} is terminated`);
    return;
  }
  if (last) {
    if (!last.containerID) throw badRequest(`container ${q(container)} in pod ${q(podName)} is terminated`);
    return;
  }
  if (waiting) {
    const why =
      waiting.reason === "ErrImagePull"
        ? "image can't be pulled"
        : waiting.reason === "ImagePullBackOff"
          ? "trying and failing to pull image"
          : waiting.reason;
    throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: ${why}`);
  }
  throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start - no logs yet`);
}

/**
 * A line's time as the kubelet prints --timestamps: types.RFC3339NanoFixed, always nine fractional
 * digits (pkg/kubelet/kuberuntime/logs timeFormatOut). containerd stamps in nanoseconds; the
 * sub-millisecond digits are derived from the line so a re-read prints the same.
 */
export function rfc3339Nano(at: number, seed: string): string {
  let h = 0x811c9dc5;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const iso = new Date(at).toISOString(); // 2026-11-21T22:01:02.123Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(h % 1_000_000).padStart(6, "0")}Z`;
}

export const formatLine = (l: LogLine, timestamps: boolean) =>
  `${timestamps ? `${rfc3339Nano(l.at, `${l.at}|${l.text}`)} ` : ""}${l.text}\n`;

/** Lines after a cursor (time, and how many lines at exactly that time were already sent). */
function after(lines: LogLine[], cursor: { at: number; n: number }): LogLine[] {
  let seen = 0;
  return lines.filter((l) => {
    if (l.at < cursor.at) return false;
    if (l.at === cursor.at && seen < cursor.n) {
      seen++;
      return false;
    }
    return true;
  });
}

function advanceCursor(cursor: { at: number; n: number }, lines: LogLine[]): void {
  for (const l of lines) {
    if (l.at === cursor.at) cursor.n++;
    else if (l.at > cursor.at) [cursor.at, cursor.n] = [l.at, 1];
  }
}

/** Is this container instance still running (a follow stream ends when it exits)? */
const stillRunning = (pod: Obj | undefined, container: string, restart: number) => {
  const s = pod && !pod.metadata.deletionTimestamp ? containerStatus(pod, container) : undefined;
  return !!s?.state?.running && (s.restartCount ?? 0) === restart;
};

/**
 * Follow one run of a container (the one running in `pod`) from a cursor: `emit` gets the lines its
 * program writes (computed lazily, so looked for every FOLLOW_POLL_MS) and the lines traffic appends
 * (at once) and says whether to go on; `end` is called once, when the run stops (exit, restart, pod
 * gone) or `emit` says stop. Returns the stop for a client that leaves. Used by `logs -f` and attach.
 */
export function followLog(o: {
  logs: LogReader;
  pod: Obj;
  container: string;
  cursor: { at: number; n: number };
  get(): Obj | undefined;
  now(): number;
  emit(lines: LogLine[]): boolean;
  end(): void;
}): () => void {
  const restart = containerStatus(o.pod, o.container)?.restartCount ?? 0;
  let closed = false;
  const stop = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    unsubscribe();
  };
  const poll = () => {
    if (closed) return;
    const current = o.get();
    const { cursor } = o;
    const fresh = after(
      o.logs.read(current ?? o.pod, o.container, { sinceTime: cursor.at === -Infinity ? undefined : cursor.at }, o.now()).lines,
      cursor,
    );
    advanceCursor(cursor, fresh);
    const more = fresh.length ? o.emit(fresh) : true;
    if (!more || !stillRunning(current, o.container, restart)) {
      stop();
      o.end();
    }
  };
  const timer = setInterval(poll, FOLLOW_POLL_MS);
  const unsubscribe = o.logs.subscribe(o.pod.metadata.uid, o.container, () => queueMicrotask(poll));
  return stop;
}

export function podLogHandler(registry: Registry, logs: LogReader, now: () => number = () => Date.now()): SubresourceHandler {
  return (req, def, ns, name, url) => {
    if (req.method !== "GET") throw methodNotAllowed(req.method, "pods/log");
    const opts = parseLogOptions(url.searchParams, name);
    const pod = registry.get(def, ns, name);
    const container = chooseContainer(pod, opts.container);
    // identity: a compressed stream would be buffered, and `logs -f` would see nothing until the end.
    const headers = { "content-type": "text/plain", "cache-control": "no-cache, private", "content-encoding": "identity" };
    if (!pod.spec?.nodeName) return new Response("", { headers }); // LogLocation: no host yet, no location, no logs
    checkLogStatus(pod, container, opts.previous);

    const t = now();
    const since = opts.sinceSeconds !== undefined ? t - opts.sinceSeconds * 1000 : opts.sinceTime;
    let all = logs.read(pod, container, { previous: opts.previous, sinceTime: since }, t).lines;
    if (since !== undefined) all = all.filter((l) => l.at >= since);
    const lines = opts.tailLines === undefined ? all : opts.tailLines === 0 ? [] : all.slice(-opts.tailLines);

    const enc = new TextEncoder();
    let budget = opts.limitBytes ?? Infinity;
    /** Encode lines within the byte budget (limitBytes may cut a line, as the kubelet's LimitWriter does). */
    const chunk = (ls: LogLine[]): Uint8Array => {
      let bytes = enc.encode(ls.map((l) => formatLine(l, opts.timestamps)).join(""));
      if (bytes.length > budget) bytes = bytes.slice(0, budget);
      budget -= bytes.length;
      return bytes;
    };
    const first = chunk(lines);
    const restart = containerStatus(pod, container)?.restartCount ?? 0;
    if (!opts.follow || opts.previous || budget <= 0 || !stillRunning(pod, container, restart)) return new Response(first, { headers });

    // Follow: send what is there, then new lines as they are appended or as the program produces them.
    // The cursor stands after every line there is, not only the --tail sent: lines of the same
    // instant that the tail left out are not sent later as new.
    const cursor = { at: -Infinity, n: 0 };
    advanceCursor(cursor, all);
    if (!all.length) cursor.at = (since ?? -Infinity) > t ? since! : t; // nothing there: only lines from now on
    let stop = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        if (first.length) ctl.enqueue(first);
        stop = followLog({
          logs,
          pod,
          container,
          cursor,
          get: () => tryGet(registry, def, ns, name),
          now,
          emit(fresh) {
            const bytes = chunk(fresh);
            if (bytes.length) ctl.enqueue(bytes);
            return budget > 0;
          },
          end() {
            try {
              ctl.close();
            } catch {
              // already cancelled by the client
            }
          },
        });
      },
      cancel() {
        stop();
      },
    });
    return new Response(stream, { headers });
  };
}

function tryGet(registry: Registry, def: Parameters<Registry["get"]>[0], ns: string | undefined, name: string): Obj | undefined {
  try {
    return registry.get(def, ns, name);
  } catch {
    return undefined;
  }
}
