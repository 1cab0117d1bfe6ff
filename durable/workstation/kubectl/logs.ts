// `kubectl logs`: a container's log from the kubelet (the pod's log subresource), followed with -f
// until Ctrl-C or the container ends.
import { type Parsed, bool, int, str } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage } from "./client";
import type { Kube, KubectlRun, Verb } from "./types";

const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

/** The pod a TYPE/NAME stands for (a workload's first pod, as kubectl picks one). */
function* podOf(p: Parsed, k: Kube): Generator<any, any, void> {
  const arg = p.args[0];
  if (!arg)
    throw new KubectlError(
      "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
    );
  const [type, name] = arg.includes("/") ? [arg.slice(0, arg.indexOf("/")), arg.slice(arg.indexOf("/") + 1)] : ["pods", arg];
  const resource = findResource(type);
  const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const obj = JSON.parse(r.text);
  if (resource.def.kind === "Pod") return obj;
  const selector =
    obj.spec?.selector?.matchLabels ??
    (resource.def.kind === "Service" || resource.def.kind === "ReplicationController" ? obj.spec?.selector : undefined);
  if (!selector)
    throw new KubectlError(`error: cannot get the logs from ${resource.kindName}: selector for ${resource.kindName} not implemented`);
  const q = new URLSearchParams({
    labelSelector: Object.entries(selector)
      .map(([a, b]) => `${a}=${b}`)
      .join(","),
  });
  const list = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${k.namespace}/pods?${q}`));
  const pods = JSON.parse(list.text).items ?? [];
  if (!pods.length) throw new KubectlError(`error: timed out waiting for the condition`);
  if (pods.length > 1) k.io.stderr(`Found ${pods.length} pods, using pod/${pods[0].metadata.name}\n`);
  return pods[0];
}

function* logsRun(p: Parsed, k: Kube): KubectlRun {
  const pod = yield* podOf(p, k);
  let container = str(p, "container");
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  if (!container) {
    container = pod.metadata?.annotations?.[DEFAULT_CONTAINER] ?? names[0];
    if (names.length > 1 && !pod.metadata?.annotations?.[DEFAULT_CONTAINER])
      k.io.stderr(`Defaulted container "${container}" out of: ${names.join(", ")}\n`);
  }
  const q = new URLSearchParams({ container: container ?? "" });
  const tail = int(p, "tail");
  if (tail !== undefined && tail >= 0) q.set("tailLines", String(tail));
  if (bool(p, "previous")) q.set("previous", "true");
  if (bool(p, "timestamps")) q.set("timestamps", "true");
  if (str(p, "since")) q.set("sinceSeconds", String(seconds(str(p, "since")!)));
  const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/log`;
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
