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
  /** `joined: false` makes a machine that waits for `kubeadm join` (play-with-k8s' "add new instance"). */
  | { action: "add"; role: NodeRole; joined?: boolean }
  /** `kubeadm join` on a machine that waits for it. */
  | { action: "join"; name: string }
  | { action: "remove"; name: string };

/** A machine added to the session that has not run `kubeadm join`: no Node yet, only its name and
 *  the address it will have. */
export interface Machine {
  name: string;
  role: NodeRole;
  index: number;
}

/** What the session API answers: an HTTP code and a JSON body (the Node, or a Status). */
export interface NodeActionResult {
  code: number;
  body: Obj;
  /** The cluster's nodes after the action, for the session's metadata. */
  nodes: { name: string; role: NodeRole }[];
  /** The machines still waiting to join. */
  machines: Machine[];
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

/** The next node of a role: names and subnets go on from the highest in use by a node or a waiting
 *  machine (never reusing a podCIDR of a live node). */
function nextNode(nodes: Obj[], machines: Machine[], role: NodeRole): Machine {
  const names = new Set([...nodes.map((n) => n.metadata.name), ...machines.map((m) => m.name)]);
  const roles: NodeRole[] = [...nodes.map(roleOf), ...machines.map((m) => m.role)];
  let name = "";
  for (let i = 1; !name; i++) {
    const candidate = nodeNames([...roles, ...Array(i).fill(role)]).pop()!.name;
    if (!names.has(candidate)) name = candidate;
  }
  const used = [...nodes.map((n) => Number(String(n.spec?.podCIDR ?? "").split(".")[2]) || 0), ...machines.map((m) => m.index)];
  return { name, role, index: Math.max(nodes.length + machines.length - 1, ...used) + 1 };
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

/** What the session API says of a machine waiting to join. */
const machineBody = (m: Machine): Obj => ({ name: m.name, role: m.role, joined: false });

/** Apply a node action (in one transaction) given the machines waiting to join; returns what the
 *  session API answers. */
export function nodeAction(client: Client, now: number, req: NodeAction, waiting: Machine[] = []): NodeActionResult {
  const events = new EventRecorder(client, () => now);
  let machines = waiting;
  const done = (code: number, body: Obj) => ({ code, body, nodes: layout(client), machines });
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
      const machine = nextNode(client.list("nodes"), machines, req.role);
      if (req.joined === false) {
        machines = [...machines, machine];
        return done(201, machineBody(machine));
      }
      return done(201, registerNode(client, events, machine.name, req.role, machine.index, now));
    }
    case "join": {
      const machine = machines.find((m) => m.name === req.name);
      if (!machine) return done(404, notFound(req.name));
      machines = machines.filter((m) => m !== machine);
      return done(201, registerNode(client, events, machine.name, machine.role, machine.index, now));
    }
    case "remove": {
      const machine = machines.find((m) => m.name === req.name);
      if (machine) {
        machines = machines.filter((m) => m !== machine);
        return done(200, machineBody(machine));
      }
      const node = client.get("nodes", undefined, req.name);
      if (!node) return done(404, notFound(req.name));
      client.delete("nodes", undefined, req.name);
      return done(200, node);
    }
  }
}
