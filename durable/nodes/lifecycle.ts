// Node lifecycle actions requested through the session API (like removing an instance in
// play-with-k8s, or `kubeadm join`): stop and start a node's kubelet, add a node, remove one.
// The node lifecycle controller (controllers/nodelifecycle.ts) does the rest: NotReady after the
// grace period, taints, evictions, leases, garbage-collecting a removed node's pods.
import type { Client } from "../controllers/client";
import { EventRecorder } from "../controllers/events";
import type { NodeRole } from "../contract";
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { nodeNames, nodeObject, nodeStatus } from "../bootstrap";
import { KUBELET_STOPPED, kubeletRunning } from "../resources/heartbeat";

export type NodeAction =
  | { action: "stop"; name: string }
  | { action: "start"; name: string }
  | { action: "add"; role: NodeRole }
  | { action: "remove"; name: string };

/** What the session API answers: an HTTP code and a JSON body (the Node, or a Status). */
export interface NodeActionResult {
  code: number;
  body: Obj;
  /** The cluster's nodes after the action, for the session's metadata. */
  nodes: { name: string; role: NodeRole }[];
}

export const roleOf = (node: Obj): NodeRole =>
  node.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined ? "control-plane" : "worker";

const notFound = (name: string): Obj => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: `nodes "${name}" not found`,
  reason: "NotFound",
  details: { name, kind: "nodes" },
  code: 404,
});

/** The events of a kubelet starting on a node (kubelet.go, kubelet_node_status.go). */
export function kubeletStartEvents(events: EventRecorder, node: Obj): void {
  const name = node.metadata.name;
  const kubelet = { component: "kubelet", host: name };
  const ref = { ...node, metadata: { ...node.metadata, uid: name } }; // the kubelet's node ref uses the name as uid
  events.record(ref, "Normal", "Starting", "Starting kubelet.", kubelet);
  events.record(ref, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods", kubelet);
  for (const s of ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"])
    events.record(ref, "Normal", s, `Node ${name} status is now: ${s}`, kubelet);
}

/** The next node of a role: names and subnets go on from the highest in use (never reusing a
 *  podCIDR of a live node). */
function nextNode(nodes: Obj[], role: NodeRole): { name: string; index: number } {
  const names = new Set(nodes.map((n) => n.metadata.name));
  const roles: NodeRole[] = nodes.map(roleOf);
  let name = "";
  for (let i = 1; !name; i++) {
    const candidate = nodeNames([...roles, ...Array(i).fill(role)]).pop()!.name;
    if (!names.has(candidate)) name = candidate;
  }
  const used = nodes.map((n) => Number(String(n.spec?.podCIDR ?? "").split(".")[2]) || 0);
  return { name, index: Math.max(nodes.length - 1, ...used) + 1 };
}

function layout(client: Client): { name: string; role: NodeRole }[] {
  return client
    .list("nodes")
    .sort(
      (a, b) =>
        Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp) ||
        a.metadata.name.localeCompare(b.metadata.name),
    )
    .map((n) => ({ name: n.metadata.name, role: roleOf(n) }));
}

/** Register a node as `kubeadm init/join` leaves it: the Node with its status, and the events of its
 *  kubelet, kube-proxy and the node controller. Returns the Node. */
export function registerNode(
  client: Client,
  events: EventRecorder,
  name: string,
  role: NodeRole,
  index: number,
  now: number,
  onlyNode = false,
): Obj {
  const node = client.create("nodes", nodeObject(name, role, index, onlyNode));
  const ready = client.updateStatus("nodes", { ...node, status: nodeStatus(name, index, rfc3339(now)) });
  kubeletStartEvents(events, ready);
  events.record({ ...ready, metadata: { ...ready.metadata, uid: name } }, "Normal", "NodeReady", `Node ${name} status is now: NodeReady`, {
    component: "kubelet",
    host: name,
  });
  events.record(ready, "Normal", "Starting", "", { component: "kube-proxy", host: name });
  events.record(ready, "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`, {
    component: "node-controller",
  });
  return ready;
}

/** Apply a node action (in one transaction); returns what the session API answers. */
export function nodeAction(client: Client, now: number, req: NodeAction): NodeActionResult {
  const events = new EventRecorder(client, () => now);
  const done = (code: number, body: Obj) => ({ code, body, nodes: layout(client) });
  switch (req.action) {
    case "stop":
    case "start": {
      const node = client.get("nodes", undefined, req.name);
      if (!node) return done(404, notFound(req.name));
      if (kubeletRunning(node) === (req.action === "start")) return done(200, node);
      const updated = client.patch("nodes", undefined, req.name, (n) => {
        n.metadata.annotations ??= {};
        if (req.action === "stop") n.metadata.annotations[KUBELET_STOPPED] = rfc3339(now);
        else delete n.metadata.annotations[KUBELET_STOPPED];
      })!;
      if (req.action === "start") kubeletStartEvents(events, updated);
      return done(200, updated);
    }
    case "add": {
      const { name, index } = nextNode(client.list("nodes"), req.role);
      return done(201, registerNode(client, events, name, req.role, index, now));
    }
    case "remove": {
      const node = client.get("nodes", undefined, req.name);
      if (!node) return done(404, notFound(req.name));
      client.delete("nodes", undefined, req.name);
      return done(200, node);
    }
  }
}
