// `kubectl logs`: a container's log from the kubelet (the pod's log subresource), followed with -f
// until Ctrl-C or the container ends.
import { type Parsed, bool, int, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { containerOf, podFor } from "./pods";
import type { Kube, KubectlRun, Verb } from "./types";

const LOGS_USAGE =
  "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

function* logsRun(p: Parsed, k: Kube): KubectlRun {
  const pod = yield* podFor(p.args[0], k, LOGS_USAGE, true);
  const given = str(p, "container");
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  if (given && !all.some((c) => c.name === given))
    throw new KubectlError(`error: container ${given} is not valid for pod ${pod.metadata?.name}`);
  const q = new URLSearchParams({ container: containerOf(pod, given, k) });
  const tail = int(p, "tail");
  if (tail !== undefined && tail >= 0) q.set("tailLines", String(tail));
  if (bool(p, "previous")) q.set("previous", "true");
  if (bool(p, "timestamps")) q.set("timestamps", "true");
  if (str(p, "since")) q.set("sinceSeconds", String(seconds(str(p, "since")!)));
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log`;
  if (!bool(p, "follow")) {
    const r = yield* awaitHost(k.api("GET", `${path}?${q}`));
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    k.io.stdout(r.text);
    return 0;
  }
  q.set("follow", "true");
  const abort = new AbortController();
  try {
    const r = yield* awaitHost(k.api("GET", `${path}?${q}`, { stream: (t) => k.io.stdout(t), signal: abort.signal }));
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    return 0;
  } finally {
    abort.abort();
  }
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
  ],
  run: logsRun,
};
