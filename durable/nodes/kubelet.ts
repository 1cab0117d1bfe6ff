// The simulated kubelet of every node: a controller over pods bound to nodes that walks each pod
// through the stage table (stages.ts), writes its status once per reconcile, records the kubelet's
// events, and removes terminated pods. Pods on a stopped node do not move.
import type { Controller, ControllerContext } from "../controllers/types";
import { keyOf, splitKey } from "../controllers/types";
import type { Container } from "kubernetes-types/core/v1";
import type { Obj } from "../resources/types";
import { observePod, podCache } from "../scheduler/cache";
import { kubeletRunning, KUBELET_STOPPED } from "../resources/heartbeat";
import { imageInfo } from "./runtime/images";
import { advance, stages, type StageContext } from "./stages";
import { ephemeralStages } from "./ephemeral";
import { containerRun } from "./runtime/container";
import { probeTimeline } from "./runtime/probes";
import { terminationMessage } from "./runtime/termination";

export const KUBELET = "kubelet";

/** The kubelet's lifecycle table: the pod's own containers, then `kubectl debug`'s ephemeral ones. */
const kubeletStages = [...stages, ...ephemeralStages];

/** The next free IP of a /24 podCIDR after the highest one in use (host-local IPAM, .1 is the bridge). */
export function nextPodIP(cidr: string, used: Set<string>): string {
  const base = cidr.split("/")[0].split(".").slice(0, 3).join(".");
  let highest = 1;
  for (const ip of used) if (ip.startsWith(`${base}.`)) highest = Math.max(highest, Number(ip.split(".")[3]));
  for (let i = 0; i < 253; i++) {
    const n = ((highest - 1 + i) % 253) + 2; // highest+1 … 254, then 2 …
    const ip = `${base}.${n}`;
    if (!used.has(ip)) return ip;
  }
  throw new Error(`no free pod IP in ${cidr}`);
}

function stageContext(c: ControllerContext, node: Obj): StageContext {
  const images = new Set<string>(((node.status?.images ?? []) as Obj[]).flatMap((i) => i.names ?? []));
  return {
    now: c.now(),
    node,
    clock: c.clock,
    allocateIP: () => nextPodIP(node.spec?.podCIDR ?? "10.244.0.0/24", podCache(c).ipsOn(node.metadata.name)),
    imagePresent: (image) => images.has(imageInfo(image).image),
    // The container's program, run on a virtual clock from its start, decides when it exits.
    // A shell reading its stdin ends when attach makes it (stdio.ts).
    exitOf: (pod, container, startedAt) =>
      c.stdio?.exitOf(pod, container, startedAt) ?? containerRun(pod, container, startedAt, c.client).exit,
    memoryOf: (pod, container, startedAt) => containerRun(pod, container, startedAt, c.client).memory,
    terminationMessage: (pod, container, startedAt, exit) =>
      terminationMessage(container as Container, containerRun(pod, container, startedAt, c.client), exit),
    probes: (pod, container, startedAt) => probeTimeline(pod, container, startedAt, (s) => c.clock.seconds(s), c.client),
  };
}

/** node.status.images gains what was pulled (names: repo@digest and repo:tag, like containerd). */
function recordImages(c: ControllerContext, node: Obj, pod: Obj): void {
  const have = new Set<string>(((node.status?.images ?? []) as Obj[]).flatMap((i) => i.names ?? []));
  const add = (
    [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
      ...(pod.status?.ephemeralContainerStatuses ?? []),
    ] as Obj[]
  )
    .filter((s) => s.imageID && !have.has(s.image))
    .map((s) => ({ names: [s.imageID, s.image], sizeBytes: imageInfo(s.image).sizeBytes }));
  if (!add.length) return;
  c.client.patch(
    "nodes",
    undefined,
    node.metadata.name,
    (n) => {
      const list: Obj[] = n.status.images ?? [];
      for (const img of add) if (!list.some((i) => (i.names ?? []).includes(img.names[1]))) list.push(img);
      n.status.images = list;
    },
    { status: true },
  );
}

export const kubelet: Controller = {
  name: KUBELET,
  primary: "pods",
  watches: [
    {
      plural: "pods",
      map(obj, _prev, c) {
        const current = observePod(c, obj);
        return current?.spec?.nodeName ? [keyOf(current)] : [];
      },
    },
    {
      // A kubelet that starts again picks up its pods.
      plural: "nodes",
      map(node, prev, c) {
        const was = prev?.metadata?.annotations?.[KUBELET_STOPPED];
        const is = node.metadata?.annotations?.[KUBELET_STOPPED];
        return prev && was && !is ? podCache(c).podsOn(node.metadata.name) : [];
      },
    },
  ],
  reconcile(key, c) {
    const { namespace, name } = splitKey(key);
    const pod = c.client.current("pods", namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const node = c.client.current("nodes", undefined, nodeName);
    if (!node || !kubeletRunning(node)) return;
    const k = stageContext(c, node);
    const work = structuredClone(pod);
    const result = advance(work, k, kubeletStages);
    const source = { component: KUBELET, host: nodeName };
    for (const e of result.events) c.events.record(pod, e.type, e.reason, e.message, source, e.fieldPath, e.at);
    if (result.remove) {
      c.client.delete("pods", namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      return;
    }
    if (result.changed) {
      const written = c.client.patch("pods", namespace, name, (p) => void (p.status = work.status), { status: true });
      if (written) recordImages(c, node, written); // the pod cache follows the commit (observePod)
    }
    return result.wakeIn !== undefined ? { requeueAfter: result.wakeIn } : undefined;
  },
};
