// Node lifecycle actions requested through the session API (like removing an instance in
// play-with-k8s, or `kubeadm join`): stop, start, add, remove. (To be implemented.)
import type { Client } from "../controllers/client";
import type { NodeRole } from "../contract";
import { ApiError } from "../api/status";

export type NodeAction =
  | { action: "stop"; name: string }
  | { action: "start"; name: string }
  | { action: "add"; role: NodeRole }
  | { action: "remove"; name: string };

/** Apply a node action; returns the affected Node object. */
export function nodeAction(_client: Client, _now: number, req: NodeAction): unknown {
  throw new ApiError(501, "NotImplemented", `node action ${req.action} is not implemented yet`);
}
