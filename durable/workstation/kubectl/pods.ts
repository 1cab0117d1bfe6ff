// The pod a command works on (logs, exec, attach): POD, or TYPE/NAME of a workload whose first pod
// kubectl picks, and the container it defaults to.
import type { Pod } from "kubernetes-types/core/v1";
import { awaitHost, findResource, KubectlError, statusMessage } from "./client";
import type { Kube } from "./types";

const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

/** `found`: say which of several pods was picked, as `kubectl logs` does (exec and attach do not). */
export function* podFor(arg: string | undefined, k: Kube, usage: string, found = false): Generator<any, Pod, void> {
  if (!arg) throw new KubectlError(usage);
  const [type, name] = arg.includes("/") ? [arg.slice(0, arg.indexOf("/")), arg.slice(arg.indexOf("/") + 1)] : ["pods", arg];
  const resource = findResource(type);
  const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
  // logs looks the pod up through its own helper, whose error names the namespace.
  if (r.status === 404 && found && resource.def.kind === "Pod")
    throw new KubectlError(`error: error from server (NotFound): pods "${name}" not found in namespace "${k.namespace}"`);
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const obj = JSON.parse(r.text);
  if (resource.def.kind === "Pod") return obj;
  const selector: Record<string, string> | undefined =
    obj.spec?.selector?.matchLabels ??
    (resource.def.kind === "Service" || resource.def.kind === "ReplicationController" ? obj.spec?.selector : undefined);
  if (!selector) throw new KubectlError(`error: cannot attach to ${resource.kindName}: selector for ${resource.kindName} not implemented`);
  const q = new URLSearchParams({
    labelSelector: Object.entries(selector)
      .map(([a, b]) => `${a}=${b}`)
      .join(","),
  });
  const list = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${k.namespace}/pods?${q}`));
  const pods: Pod[] = JSON.parse(list.text).items ?? [];
  if (!pods.length) throw new KubectlError("error: timed out waiting for the condition");
  if (found && pods.length > 1) k.io.stderr(`Found ${pods.length} pods, using pod/${pods[0].metadata?.name}\n`);
  return pods[0];
}

/** podcmd.AllContainerNames: the containers, then the ephemeral and init ones, marked. */
export function allContainerNames(pod: Pod): string {
  return [
    ...(pod.spec?.containers ?? []).map((c) => c.name),
    ...(pod.spec?.ephemeralContainers ?? []).map((c) => `${c.name} (ephem)`),
    ...(pod.spec?.initContainers ?? []).map((c) => `${c.name} (init)`),
  ].join(", ");
}

/** podcmd.FindOrDefaultContainerByName's choice without a name: the default-container annotation
 *  when it names one, else the first container, said (to `say`, stderr unless given) when the pod
 *  has others, ephemeral and init ones included. */
export function containerOf(pod: Pod, given: string | undefined, k: Kube, say = (text: string) => k.io.stderr(text)): string {
  if (given) return given;
  const spec = pod.spec;
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER];
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])];
  if (annotated && all.some((c) => c.name === annotated)) return annotated;
  const first = spec?.containers?.[0]?.name ?? "";
  if ((spec?.containers?.length ?? 0) > 1 || spec?.initContainers?.length || spec?.ephemeralContainers?.length)
    say(`Defaulted container "${first}" out of: ${allContainerNames(pod)}\n`);
  return first;
}
