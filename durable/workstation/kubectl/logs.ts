// `kubectl logs`: a container's log from the kubelet (the pod's log subresource), followed with -f
// until Ctrl-C or the container ends.
import { type Parsed, bool, int, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { containerOf, podFor } from "./pods";
import type { Kube, KubectlRun, Verb } from "./types";
import type { Pod } from "kubernetes-types/core/v1";

const LOGS_USAGE =
  "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

/** A selector's logs show the last 10 lines of each pod unless --tail says otherwise (logs.go selectorTail). */
const SELECTOR_TAIL = 10;
const MAX_FOLLOW = 5;

function* logsRun(p: Parsed, k: Kube): KubectlRun {
  const selector = str(p, "selector");
  if (selector !== undefined) return yield* selectorLogs(p, k, selector);
  const pod = yield* podFor(p.args[0], k, LOGS_USAGE, true);
  const given = str(p, "container");
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  if (given && !all.some((c) => c.name === given))
    throw new KubectlError(`error: container ${given} is not valid for pod ${pod.metadata?.name}`);
  return yield* streamLogs(p, k, [{ pod, container: containerOf(pod, given, k) }], int(p, "tail"));
}

/** The log subresource's URL for one container, with the options given. */
function logURL(p: Parsed, pod: Pod, container: string, tail: number | undefined, follow: boolean): string {
  const q = new URLSearchParams({ container });
  if (follow) q.set("follow", "true");
  if (tail !== undefined && tail >= 0) q.set("tailLines", String(tail));
  if (bool(p, "previous")) q.set("previous", "true");
  if (bool(p, "timestamps")) q.set("timestamps", "true");
  if (str(p, "since")) q.set("sinceSeconds", String(seconds(str(p, "since")!)));
  return `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log?${q}`;
}

/** Containers' logs printed one after the other, or followed together until Ctrl-C or their end;
 *  each line prefixed with its source under --prefix. */
function* streamLogs(p: Parsed, k: Kube, streams: { pod: Pod; container: string }[], tail: number | undefined): KubectlRun {
  if (!bool(p, "follow")) {
    for (const { pod, container } of streams) {
      const r = yield* awaitHost(k.api("GET", logURL(p, pod, container, tail, false)));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      k.io.stdout(bool(p, "prefix") ? prefixLines(`[pod/${pod.metadata?.name}/${container}] `, r.text) : r.text);
    }
    return 0;
  }
  const writer = (pod: Pod, container: string) =>
    bool(p, "prefix") ? prefixed(`[pod/${pod.metadata?.name}/${container}] `, (t) => k.io.stdout(t)) : (t: string) => k.io.stdout(t);
  const abort = new AbortController();
  try {
    const replies = yield* awaitHost(
      Promise.all(
        streams.map(({ pod, container }) =>
          k.api("GET", logURL(p, pod, container, tail, true), { stream: writer(pod, container), signal: abort.signal }),
        ),
      ),
    );
    const failed = replies.find((r) => r.status >= 400);
    if (failed) throw new KubectlError(statusMessage(failed));
    return 0;
  } finally {
    abort.abort();
  }
}

/** Every line of a whole log prefixed (a last line without its newline too, as ReadBytes returns it). */
const prefixLines = (prefix: string, text: string) =>
  text
    .split(/(?<=\n)/)
    .filter(Boolean)
    .map((l) => prefix + l)
    .join("");

/** A writer that puts `prefix` before every line, as logs.go's prefixingWriter does for each line
 *  DefaultConsumeRequest reads; a line split across chunks waits for its end. */
function prefixed(prefix: string, write: (t: string) => void): (t: string) => void {
  let partial = "";
  return (t) => {
    const pieces = (partial + t).split(/(?<=\n)/);
    partial = pieces[pieces.length - 1].endsWith("\n") ? "" : (pieces.pop() ?? "");
    if (pieces.length) write(pieces.map((l) => prefix + l).join(""));
  };
}

/** `kubectl logs -l SELECTOR`: every matching pod's log (its default container, or all with --all-containers). */
function* selectorLogs(p: Parsed, k: Kube, selector: string): KubectlRun {
  if (p.args.length === 1)
    throw new KubectlError("error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples");
  if (p.args.length > 1) throw new KubectlError(LOGS_USAGE);
  const r = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${k.namespace}/pods?${new URLSearchParams({ labelSelector: selector })}`));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const pods: Pod[] = JSON.parse(r.text).items ?? [];
  if (!pods.length) {
    k.io.stderr(`No resources found in ${k.namespace} namespace.\n`);
    return 0;
  }
  const streams = pods.flatMap((pod) =>
    bool(p, "all-containers")
      ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => ({ pod, container: c.name as string }))
      : [{ pod, container: containerOf(pod, str(p, "container"), k) }],
  );
  const max = int(p, "max-log-requests") ?? MAX_FOLLOW;
  if (bool(p, "follow") && streams.length > 1 && streams.length > max)
    throw new KubectlError(
      `error: you are attempting to follow ${streams.length} log streams, but maximum allowed concurrency is ${max}, use --max-log-requests to increase the limit`,
    );
  return yield* streamLogs(p, k, streams, int(p, "tail") ?? SELECTOR_TAIL);
}

/** A Go duration ("10s", "5m", "1h") in whole seconds. */
function seconds(d: string): number {
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) total += Number(n) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as "h"];
  if (!total) throw new KubectlError(`error: invalid argument "${d}" for "--since" flag: time: invalid duration "${d}"`);
  return Math.ceil(total);
}

export const logs: Verb = {
  flags: [
    { name: "container", short: "c", kind: "string" },
    { name: "follow", short: "f", kind: "bool" },
    { name: "previous", short: "p", kind: "bool" },
    { name: "tail", kind: "int" },
    { name: "timestamps", kind: "bool" },
    { name: "since", kind: "string" },
    { name: "selector", short: "l", kind: "string" },
    { name: "all-containers", kind: "bool" },
    { name: "prefix", kind: "bool" },
    { name: "max-log-requests", kind: "int" },
  ],
  run: logsRun,
};
