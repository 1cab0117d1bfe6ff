// Liveness and readiness probes as the kubelet's prober runs them (exec, httpGet, tcpSocket), turned
// into a timeline: a container's program is deterministic, so the probe results at every period are
// known in advance — when readiness flips, when liveness gives up. Nothing ticks while nobody looks.
import type { Obj } from "../../resources/types";
import { containerFS } from "./files";
import { imageBehaviour } from "./images";
import { podHTTP, type ClusterReader } from "./network";
import { listener } from "./servers";
import { containerContext, containerRun, PROGRAM_HORIZON } from "./container";
import { runCommand } from "../../shell";

export interface ProbeResult {
  ok: boolean;
  message: string;
}

/** The container port a probe names (a number, or a named containerPort). */
function probePort(c: Obj, port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(String(port))) return Number(port);
  return ((c.ports ?? []) as Obj[]).find((p) => p.name === port)?.containerPort;
}

/** One probe at time `at` of the run started at `startedAt` (the container's files as they are then). */
export function probeOnce(probe: Obj, pod: Obj, c: Obj, at: number, startedAt: number, reader?: ClusterReader): ProbeResult {
  const ip = pod.status?.podIP ?? "";
  // An image we know nothing about (a user's app, a control-plane component) serves what its probes
  // ask for: only the catalogue's servers can be judged.
  const behaviour = imageBehaviour(c.image);
  const unknown = behaviour.kind === "generic" && !behaviour.http;
  if (probe.exec) {
    // The container's files at `at`; what the probe's command writes stays with it.
    const fs = containerFS(pod, c, at, { reader, startedAt, persist: false });
    const ctx = containerContext(pod, c, reader, at, undefined, fs);
    let out = "";
    const code = runCommand(probe.exec.command ?? [], ctx, { stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
    return { ok: code === 0, message: out };
  }
  if (probe.httpGet) {
    const port = probePort(c, probe.httpGet.port);
    const scheme = String(probe.httpGet.scheme ?? "HTTP").toLowerCase();
    const path = probe.httpGet.path ?? "/";
    const url = `${scheme}://${probe.httpGet.host ?? ip}:${port}${path.startsWith("/") ? path : `/${path}`}`;
    if (port === undefined) return { ok: false, message: `Get "${url}": dial tcp: address ${probe.httpGet.port}: invalid port` };
    const headers: Record<string, string> = { host: `${ip}:${port}`, "user-agent": "kube-probe/1.33", accept: "*/*" };
    for (const h of (probe.httpGet.httpHeaders ?? []) as Obj[]) headers[String(h.name).toLowerCase()] = h.value;
    const reply = podHTTP(pod, port, { method: "GET", path, headers }, ip.replace(/\.\d+$/, ".1"), at);
    if ("refused" in reply && unknown) return { ok: true, message: "" };
    if ("refused" in reply) return { ok: false, message: `Get "${url}": dial tcp ${ip}:${port}: connect: connection refused` };
    if (reply.kind !== "http") return { ok: false, message: `Get "${url}": EOF` };
    if (reply.status >= 200 && reply.status < 400) return { ok: true, message: "" };
    return { ok: false, message: `HTTP probe failed with statuscode: ${reply.status}` };
  }
  const port = probePort(c, probe.tcpSocket?.port ?? probe.grpc?.port);
  if (port !== undefined && (listener(pod, port) || unknown)) return { ok: true, message: "" };
  return { ok: false, message: `dial tcp ${ip}:${port}: connect: connection refused` };
}

export interface ProbeTimeline {
  /** Liveness: when the kubelet kills the container, and the last failure's message. */
  kill?: { at: number; message: string; failures: number; probe?: "Startup" };
  /** Startup: when the startup probe first succeeds (the container counts as started from then). */
  started?: number;
  /** Readiness: when Ready flips (alternating, starting from not ready). */
  ready: { at: number; ready: boolean; message: string }[];
}

const MAX_PROBES = 5000;

/** Walk the probe periods of one probe; `outcome(i)` is memoized per state of the program's files. */
function walk(
  probe: Obj,
  startedAt: number,
  delay: (s: number) => number,
  end: number,
  result: (at: number) => ProbeResult,
  visit: (at: number, r: ProbeResult) => boolean,
): void {
  const first = startedAt + delay(probe.initialDelaySeconds ?? 0);
  const period = (probe.periodSeconds ?? 10) * 1000;
  for (let i = 0, at = first; i < MAX_PROBES && at <= end; i++, at += period) if (visit(at, result(at))) return;
}

const cache = new Map<string, ProbeTimeline>();

/** The probe timeline of a container run started at `startedAt`. */
export function probeTimeline(pod: Obj, c: Obj, startedAt: number, delay: (s: number) => number, reader?: ClusterReader): ProbeTimeline {
  const key = `${pod.metadata?.uid}/${c.name}/${startedAt}/${pod.status?.podIP}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const run = containerRun(pod, c, startedAt, reader);
  const end = Math.min(run.exit?.at ?? Infinity, startedAt + PROGRAM_HORIZON);
  // The result changes only when the program's files change: memoize per number of file events.
  // An app server of the catalogue's answers by the time it has run (agnhost liveness): ask each time.
  const timed = !!imageBehaviour(c.image).http;
  const memo = (probe: Obj) => {
    const seen = new Map<number, ProbeResult>();
    return (at: number) => {
      if (timed && probe.httpGet) return probeOnce(probe, pod, c, at, startedAt, reader);
      const n = probe.exec ? (run.files ?? []).filter((f) => f.at <= at).length : 0;
      let r = seen.get(n);
      if (!r) seen.set(n, (r = probeOnce(probe, pod, c, at, startedAt, reader)));
      return r;
    };
  };
  const out: ProbeTimeline = { ready: [] };
  // A startup probe holds the other probes back until it succeeds; failing failureThreshold times, it kills.
  let started = -Infinity;
  if (c.startupProbe) {
    const threshold = c.startupProbe.failureThreshold ?? 3;
    let fails = 0;
    started = Infinity;
    walk(c.startupProbe, startedAt, delay, end, memo(c.startupProbe), (at, r) => {
      if (r.ok) started = out.started = at;
      else if (++fails >= threshold) out.kill = { at, message: r.message, failures: threshold, probe: "Startup" };
      return r.ok || !!out.kill;
    });
  }
  if (c.livenessProbe && started < Infinity) {
    const threshold = c.livenessProbe.failureThreshold ?? 3;
    let fails = 0;
    walk(c.livenessProbe, startedAt, delay, end, memo(c.livenessProbe), (at, r) => {
      if (at <= started) return false;
      fails = r.ok ? 0 : fails + 1;
      if (fails < threshold) return false;
      out.kill = { at, message: r.message, failures: threshold };
      return true;
    });
  }
  if (c.readinessProbe && started < Infinity) {
    const p = c.readinessProbe;
    const failT = p.failureThreshold ?? 3;
    const okT = p.successThreshold ?? 1;
    let ready = false;
    let oks = 0;
    let fails = 0;
    const stop = Math.min(end, out.kill?.at ?? Infinity);
    walk(p, startedAt, delay, stop, memo(p), (at, r) => {
      if (at <= started) return false;
      oks = r.ok ? oks + 1 : 0;
      fails = r.ok ? 0 : fails + 1;
      if (!ready && oks >= okT) {
        ready = true;
        out.ready.push({ at, ready, message: "" });
      } else if (ready && fails >= failT) {
        ready = false;
        out.ready.push({ at, ready, message: r.message });
      }
      return false;
    });
  }
  if (cache.size > 500) cache.delete(cache.keys().next().value!);
  cache.set(key, out);
  return out;
}
