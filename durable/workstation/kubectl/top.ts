// `kubectl top node|pod` (k8s.io/kubectl/pkg/cmd/top and pkg/metricsutil v0.33.1): usage read from
// metrics.k8s.io/v1beta1, printed as metricsutil's TopCmdPrinter prints it (millicores rounded up,
// whole MiB rounded down, percentages of the node's allocatable).
import type { Node, Pod } from "kubernetes-types/core/v1";
import { type Parsed, bool, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { goSort, Quantity } from "./describe/format";
import { TabWriter } from "./printers";
import type { HostPause } from "../../shell/types";
import type { Kube, KubectlRun, Verb } from "./types";

interface Usage {
  cpu?: string;
  memory?: string;
}
interface NodeMetrics {
  metadata: { name: string };
  usage: Usage;
}
interface PodMetrics {
  metadata: { name: string; namespace: string };
  containers: { name: string; usage: Usage }[];
}

const METRICS = "/apis/metrics.k8s.io/v1beta1";
/** top_pod.go's metricsCreationDelay: a pod younger than this may not have been scraped yet. */
const METRICS_CREATION_DELAY_MS = 2 * 60_000;

const cpuOf = (u: Usage) => Quantity.parse(u.cpu);
const memoryOf = (u: Usage) => Quantity.parse(u.memory, "BinarySI");

function* getJSON<T>(k: Kube, path: string): Generator<HostPause, T, void> {
  const r = yield* awaitHost(k.api("GET", path));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  return JSON.parse(r.text) as T;
}

/** SupportedMetricsAPIVersionAvailable: metrics.k8s.io/v1beta1 among the server's groups. */
function* metricsAvailable(k: Kube): Generator<HostPause, void, void> {
  const groups = yield* getJSON<{ groups?: { name: string; versions?: { version: string }[] }[] }>(k, "/apis");
  const ok = (groups.groups ?? []).some((g) => g.name === "metrics.k8s.io" && (g.versions ?? []).some((v) => v.version === "v1beta1"));
  if (!ok) throw new KubectlError("error: Metrics API not available");
}

const query = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return q.size ? `?${q}` : "";
};

/** printAllResourceUsages: "12m", "34Mi", and the share of what is available when known. */
function usageCells(cpu: Quantity, memory: Quantity, available?: { cpu?: string; memory?: string }): string {
  let s = `${cpu.milliValue()}m\t`;
  if (available?.cpu !== undefined) s += `${Math.trunc((cpu.milliValue() / Quantity.parse(available.cpu).milliValue()) * 100)}%\t`;
  s += `${Math.trunc(memory.value() / (1024 * 1024))}Mi\t`;
  if (available?.memory !== undefined) s += `${Math.trunc((memory.milliValue() / Quantity.parse(available.memory).milliValue()) * 100)}%\t`;
  return s;
}

function validateSort(p: Parsed): string {
  const sortBy = str(p, "sort-by") ?? "";
  if (sortBy && sortBy !== "cpu" && sortBy !== "memory") throw new KubectlError("error: --sort-by accepts only cpu or memory");
  return sortBy;
}

function* topNode(p: Parsed, k: Kube, name?: string): KubectlRun {
  const sortBy = validateSort(p);
  const selector = str(p, "selector");
  if (name && selector) throw new KubectlError("error: only one of NAME or --selector can be provided");
  yield* metricsAvailable(k);
  const metrics: NodeMetrics[] = name
    ? [yield* getJSON<NodeMetrics>(k, `${METRICS}/nodes/${name}`)]
    : (yield* getJSON<{ items: NodeMetrics[] }>(k, `${METRICS}/nodes${query({ labelSelector: selector })}`)).items;
  if (!metrics.length) throw new KubectlError("error: metrics not available yet");
  const nodes: Node[] = name
    ? [yield* getJSON<Node>(k, `/api/v1/nodes/${name}`)]
    : (yield* getJSON<{ items: Node[] }>(k, `/api/v1/nodes${query({ labelSelector: selector })}`)).items;
  const available = new Map(
    nodes.map((n) => [n.metadata?.name ?? "", (bool(p, "show-capacity") ? n.status?.capacity : n.status?.allocatable) ?? {}]),
  );
  goSort(metrics, (a, b) =>
    sortBy === "cpu"
      ? cpuOf(a.usage).milliValue() > cpuOf(b.usage).milliValue()
      : sortBy === "memory"
        ? memoryOf(a.usage).value() > memoryOf(b.usage).value()
        : a.metadata.name < b.metadata.name,
  );
  let out = "";
  const w = new TabWriter((s) => (out += s));
  if (!bool(p, "no-headers")) w.write("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
  for (const m of metrics) {
    w.write(`${m.metadata.name}\t${usageCells(cpuOf(m.usage), memoryOf(m.usage), available.get(m.metadata.name) ?? {})}\n`);
    available.delete(m.metadata.name);
  }
  // Nodes metrics-server has no figures for (NotReady): a line of <unknown>.
  for (const n of available.keys()) w.write(`${n}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n`);
  w.flush();
  k.io.stdout(out);
  return 0;
}

/** Go's Duration.String (to the millisecond: the age kubectl prints is measured at its own clock). */
function goDuration(ms: number): string {
  const h = Math.floor(ms / 3600_000);
  const m = Math.floor((ms % 3600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, "");
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/** checkPodAge: a pod long past its first scrape without metrics is an error of its own. */
function checkPodAge(pod: Pod, k: Kube): void {
  const age = k.now() - Date.parse(pod.metadata?.creationTimestamp ?? "");
  if (age > METRICS_CREATION_DELAY_MS)
    throw new KubectlError(
      `error: Metrics not available for pod ${pod.metadata?.namespace}/${pod.metadata?.name}, age: ${goDuration(age)}`,
    );
}

function podTotals(m: PodMetrics): { cpu: Quantity; memory: Quantity } {
  let cpu = Quantity.parse("0");
  let memory = Quantity.parse("0");
  for (const c of m.containers) (cpu = cpu.add(cpuOf(c.usage))), (memory = memory.add(memoryOf(c.usage)));
  return { cpu, memory };
}

function* topPod(p: Parsed, k: Kube, name?: string): KubectlRun {
  const sortBy = validateSort(p);
  const labelSelector = str(p, "selector");
  const fieldSelector = str(p, "field-selector");
  if (name && (labelSelector || fieldSelector)) throw new KubectlError("error: only one of NAME or selector can be provided");
  const all = bool(p, "all-namespaces");
  yield* metricsAvailable(k);
  const base = all ? `${METRICS}/pods` : `${METRICS}/namespaces/${k.namespace}/pods`;
  const metrics: PodMetrics[] = name
    ? [yield* getJSON<PodMetrics>(k, `${base}/${name}`)]
    : (yield* getJSON<{ items: PodMetrics[] }>(k, `${base}${query({ labelSelector, fieldSelector })}`)).items;
  if (!metrics.length) {
    // verifyEmptyMetrics: pods that exist but are not scraped yet, or really none.
    const pods: Pod[] = name
      ? [yield* getJSON<Pod>(k, `/api/v1/namespaces/${k.namespace}/pods/${name}`)]
      : (yield* getJSON<{ items: Pod[] }>(k, `/api/v1/namespaces/${k.namespace}/pods${query({ labelSelector, fieldSelector })}`)).items;
    if (pods.length) {
      for (const pod of pods) checkPodAge(pod, k);
      throw new KubectlError("error: metrics not available yet");
    }
    k.io.stderr(all ? "No resources found\n" : `No resources found in ${k.namespace} namespace.\n`);
    return 0;
  }
  const containers = bool(p, "containers");
  let out = "";
  const w = new TabWriter((s) => (out += s));
  let columns = 3;
  if (!bool(p, "no-headers")) {
    if (all) w.write("NAMESPACE\t"), columns++;
    if (containers) w.write("POD\t"), columns++;
    w.write("NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
  }
  const totals = metrics.map(podTotals);
  const order = metrics.map((_, i) => i);
  goSort(order, (i, j) => {
    if (sortBy === "cpu") return totals[i].cpu.milliValue() > totals[j].cpu.milliValue();
    if (sortBy === "memory") return totals[i].memory.value() > totals[j].memory.value();
    const [a, b] = [metrics[i].metadata, metrics[j].metadata];
    if (all && a.namespace !== b.namespace) return a.namespace < b.namespace;
    return a.name < b.name;
  });
  for (const i of order) {
    const m = metrics[i];
    const ns = all ? `${m.metadata.namespace}\t` : "";
    if (containers) {
      const cs = [...m.containers];
      goSort(cs, (a, b) =>
        sortBy === "cpu"
          ? cpuOf(a.usage).milliValue() > cpuOf(b.usage).milliValue()
          : sortBy === "memory"
            ? memoryOf(a.usage).value() > memoryOf(b.usage).value()
            : a.name < b.name,
      );
      for (const c of cs) w.write(`${ns}${m.metadata.name}\t${c.name}\t${usageCells(cpuOf(c.usage), memoryOf(c.usage))}\n`);
    } else w.write(`${ns}${m.metadata.name}\t${usageCells(totals[i].cpu, totals[i].memory)}\n`);
  }
  if (bool(p, "sum")) {
    let cpu = Quantity.parse("0");
    let memory = Quantity.parse("0");
    for (const t of totals) (cpu = cpu.add(t.cpu)), (memory = memory.add(t.memory));
    w.write(`${"\t".repeat(columns - 2)}________\t________\t\n${"\t".repeat(columns - 3)}\t${usageCells(cpu, memory)}\n`);
  }
  w.flush();
  k.io.stdout(out);
  return 0;
}

const TOP_HELP = `Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]

Use "kubectl top <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;

export const top: Verb = {
  flags: [
    { name: "selector", short: "l", kind: "string" },
    { name: "field-selector", kind: "string" },
    { name: "sort-by", kind: "string" },
    { name: "no-headers", kind: "bool" },
    { name: "show-capacity", kind: "bool" },
    { name: "use-protocol-buffers", kind: "bool" },
    { name: "containers", kind: "bool" },
    { name: "all-namespaces", short: "A", kind: "bool" },
    { name: "sum", kind: "bool" },
  ],
  *run(p, k) {
    const [sub, name, ...extra] = p.args;
    // cmdutil.DefaultSubCommandRun: the group's help on stderr, exit 1.
    if (!sub) {
      k.io.stderr(TOP_HELP);
      return 1;
    }
    const node = ["node", "nodes", "no"].includes(sub);
    if (extra.length && (node || ["pod", "pods", "po"].includes(sub)))
      throw new KubectlError(`error: ${node ? "node" : "pod"} [NAME | -l label]\nSee 'kubectl top ${sub} -h' for help and examples`);
    if (node) return yield* topNode(p, k, name);
    if (["pod", "pods", "po"].includes(sub)) return yield* topPod(p, k, name);
    throw new KubectlError(`error: unknown command "${p.args.join(" ")}" for "kubectl top"`);
  },
};
