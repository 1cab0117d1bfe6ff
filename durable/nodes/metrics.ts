// metrics-server's view of the cluster: node and pod usage (metrics.k8s.io/v1beta1 NodeMetrics and
// PodMetrics), computed when read from what the simulated containers do (runtime/usage.ts) — never
// written, so an idle cluster costs nothing. Request load is what the containers' own programs send
// (a load generator's loop, as a rate over its run) spread over the ready endpoints of the Service
// they dial as kube-proxy spreads it, plus the requests pods answered live.
import type { Pod, Node } from "kubernetes-types/core/v1";
import type { Obj } from "../resources/types";
import { parseQuantity } from "../resources/podtemplate";
import { isPodReady } from "../controllers/util";
import { ApiError } from "../api/status";
import { containerArgv, containerRun, expandedContainer, containerEnv, type ContainerRun } from "./runtime/container";
import { imageBehaviour } from "./runtime/images";
import { listener, servedRate } from "./runtime/servers";
import { readyEndpoints, type ClusterReader } from "./runtime/network";
import { busyCores, containerUsage, kibibytes, METRICS_WINDOW_MS, nanocores, spins, systemUsage } from "./runtime/usage";
import type { ClockMode } from "./clock";

export interface ContainerMetrics {
  name: string;
  cpu: number;
  memory: number;
}
export interface PodUsage {
  namespace: string;
  name: string;
  uid: string;
  containers: ContainerMetrics[];
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "sleep", "stress"]);

/** The request a client's call needs at least (a round trip), so a loop without sleeps has a rate. */
const MIN_REQUEST_MS = 4;

const startedAtOf = (pod: Obj, name: string) =>
  Date.parse(((pod.status?.containerStatuses ?? []) as Obj[]).find((s) => s.name === name)?.state?.running?.startedAt ?? "");

/** The window metrics-server last scraped before `now`: its end, and its index (the jitter's seed). */
export function scrapeOf(now: number): { at: number; index: number } {
  const index = Math.floor(now / METRICS_WINDOW_MS);
  return { at: index * METRICS_WINDOW_MS, index };
}

/** Is the metrics-server Deployment's pod serving (the APIService is Available)? */
export function metricsServerReady(reader: ClusterReader): boolean {
  return reader.list("pods", "kube-system").some((p) => p.metadata?.labels?.["k8s-app"] === "metrics-server" && isPodReady(p));
}

type Running = { pod: Pod & Obj; c: Obj; startedAt: number; run: ContainerRun };

/**
 * Usage of every running pod at `now`. A container counts once metrics-server has scraped it
 * (started before the last scrape; at once on the instant clock).
 */
export function podUsages(reader: ClusterReader, now: number, mode: ClockMode): PodUsage[] {
  const { at, index } = scrapeOf(now);
  const seen = mode === "instant" ? now : at;
  const pods = reader.list("pods").filter((p) => p.status?.phase === "Running" && p.spec?.nodeName) as (Pod & Obj)[];
  const nodes = new Map<string, Node & Obj>((reader.list("nodes") as (Node & Obj)[]).map((n) => [n.metadata!.name!, n]));
  const running: Running[] = [];
  for (const pod of pods)
    for (const c of (pod.spec?.containers ?? []) as Obj[]) {
      const startedAt = startedAtOf(pod, c.name);
      if (Number.isNaN(startedAt) || startedAt > seen) continue;
      running.push({ pod, c, startedAt, run: containerRun(pod, c, startedAt, reader) });
    }

  // Requests per second each pod's container answers, from the programs that send them.
  const served = new Map<string, number>(); // "<pod uid>/<container>"
  const sentBy = new Map<Running, number>();
  const byIP = new Map<string, Pod & Obj>(pods.filter((p) => p.status?.podIP).map((p) => [p.status!.podIP!, p]));
  const services = reader.list("services");
  const addServed = (pod: Obj, port: number, rate: number) => {
    const c = listener(pod, port) ?? pod.spec?.containers?.[0];
    if (c) served.set(`${pod.metadata.uid}/${c.name}`, (served.get(`${pod.metadata.uid}/${c.name}`) ?? 0) + rate);
  };
  for (const r of running) {
    if (!r.run.requests) continue;
    const total = Object.values(r.run.requests).reduce((a, b) => a + b, 0);
    const span = Math.max(r.run.ran ?? 0, total * MIN_REQUEST_MS) / 1000;
    if (!span) continue;
    // On the realistic clock the generator counts for the part of the window it ran in.
    const share = mode === "instant" ? 1 : Math.max(0, Math.min(1, (at - r.startedAt) / METRICS_WINDOW_MS));
    let sent = 0;
    for (const [dest, count] of Object.entries(r.run.requests)) {
      const rate = (count / span) * share;
      sent += rate;
      const [ip, p] = [dest.slice(0, dest.lastIndexOf(":")), Number(dest.slice(dest.lastIndexOf(":") + 1))];
      const svc = services.find((s) => (s.spec?.clusterIPs ?? [s.spec?.clusterIP]).includes(ip));
      if (svc) {
        const svcPort = ((svc.spec?.ports ?? []) as Obj[]).find((sp) => sp.port === p);
        const endpoints = svcPort ? readyEndpoints(reader, svc, svcPort) : [];
        for (const e of endpoints) {
          const target = byIP.get(e.ip);
          if (target) addServed(target, e.port, rate / endpoints.length);
        }
      } else if (byIP.has(ip)) addServed(byIP.get(ip)!, p, rate);
    }
    sentBy.set(r, sent);
  }

  const out = new Map<string, PodUsage>();
  for (const r of running) {
    const { pod, c } = r;
    const uid = pod.metadata!.uid!;
    const behaviour = imageBehaviour(c.image);
    const { argv } = containerArgv(expandedContainer(c, containerEnv(pod, c, undefined, behaviour)), behaviour);
    // A shell or sleep the pod's command runs costs a shell's footprint; any other program is the image's.
    const own = !SHELLS.has((argv[0] ?? "").replace(/^.*\//, ""));
    const live = own ? servedRate(uid, now) : 0;
    const node = nodes.get(pod.spec!.nodeName!);
    const busy = r.run.exit && r.run.exit.at <= now ? 0 : Math.max(busyCores(argv), spins(r.run) ? 1 : 0);
    const usage = containerUsage(
      {
        image: c.image ?? "",
        own,
        served: (served.get(`${uid}/${c.name}`) ?? 0) + live,
        sent: sentBy.get(r) ?? 0,
        busy,
        heldBytes: r.run.memory && r.run.memory.at <= now ? r.run.memory.bytes : 0,
        cpuLimit: c.resources?.limits?.cpu !== undefined ? parseQuantity(c.resources.limits.cpu) : undefined,
        nodeCores: parseQuantity(node?.status?.allocatable?.cpu ?? "2") || 2,
      },
      `${uid}|${c.name}|${index}`,
    );
    const p =
      out.get(uid) ?? out.set(uid, { namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, uid, containers: [] }).get(uid)!;
    p.containers.push({ name: c.name, ...usage });
  }
  return [...out.values()];
}

/** Node usage: its pods plus its own processes; only nodes the kubelet answers for (Ready). */
export function nodeUsages(reader: ClusterReader, pods: PodUsage[], now: number): { node: Obj; cpu: number; memory: number }[] {
  const { index } = scrapeOf(now);
  const onNode = new Map<string, { cpu: number; memory: number }>();
  for (const p of pods) {
    const nodeName = reader.get("pods", p.namespace, p.name)?.spec?.nodeName;
    const sum = onNode.get(nodeName) ?? onNode.set(nodeName, { cpu: 0, memory: 0 }).get(nodeName)!;
    for (const c of p.containers) (sum.cpu += c.cpu), (sum.memory += c.memory);
  }
  return reader
    .list("nodes")
    .filter((n) => ((n.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True"))
    .map((node) => {
      const own = systemUsage("node-role.kubernetes.io/control-plane" in (node.metadata?.labels ?? {}), `${node.metadata.uid}|${index}`);
      const pods = onNode.get(node.metadata.name) ?? { cpu: 0, memory: 0 };
      return { node, cpu: own.cpu + pods.cpu, memory: own.memory + pods.memory };
    });
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const WINDOW = `${METRICS_WINDOW_MS / 1000}s`;

/** What metrics.k8s.io serves (the hooks of resources/metrics.ts). */
export interface MetricsSource {
  nodes(now: number): Obj[];
  pods(now: number): Obj[];
}

/** The metrics API over a cluster reader: 503 while metrics-server is not serving, as the aggregator answers. */
export function metricsSource(reader: ClusterReader, mode: () => ClockMode): MetricsSource {
  // The aggregator answers an unavailable APIService without a Status; client-go's generic error then
  // names the request, as kubectl prints it.
  const unavailable = (plural: string) =>
    new ApiError(503, "ServiceUnavailable", `the server is currently unable to handle the request (get ${plural}.metrics.k8s.io)`);
  return {
    pods(now) {
      if (!metricsServerReady(reader)) throw unavailable("pods");
      const { at } = scrapeOf(now);
      return podUsages(reader, now, mode()).map((p) => {
        const pod = reader.get("pods", p.namespace, p.name);
        return {
          kind: "PodMetrics",
          apiVersion: "metrics.k8s.io/v1beta1",
          metadata: { name: p.name, namespace: p.namespace, creationTimestamp: rfc3339(now), labels: pod?.metadata?.labels ?? {} },
          timestamp: rfc3339(at),
          window: WINDOW,
          containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: nanocores(c.cpu), memory: kibibytes(c.memory) } })),
        };
      });
    },
    nodes(now) {
      if (!metricsServerReady(reader)) throw unavailable("nodes");
      const { at } = scrapeOf(now);
      return nodeUsages(reader, podUsages(reader, now, mode()), now).map(({ node, cpu, memory }) => ({
        kind: "NodeMetrics",
        apiVersion: "metrics.k8s.io/v1beta1",
        metadata: { name: node.metadata.name, creationTimestamp: rfc3339(now), labels: node.metadata?.labels ?? {} },
        timestamp: rfc3339(at),
        window: WINDOW,
        usage: { cpu: nanocores(cpu), memory: kibibytes(memory) },
      }));
    },
  };
}
