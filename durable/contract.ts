// What crosses from the Worker to a Cluster Durable Object (RPC types only).

export type NodeRole = "control-plane" | "worker";

export interface SessionInit {
  id: string;
  /** ISO timestamps. */
  createdAt: string;
  expiresAt: string;
  /** Node layout in order; names are derived by the cluster (controlplane, node01, …). */
  nodes: { role: NodeRole }[];
  /** "realistic" (default) or "instant" delays for the simulated nodes. */
  clock?: "realistic" | "instant";
  /** Public origin the session was created through, e.g. https://127.0.0.1:8787. */
  origin: string;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  expiresAt: string;
  nodes: { name: string; role: NodeRole }[];
  /** Machines added with `"joined": false` that wait for `kubeadm join`; absent when none. */
  machines?: { name: string; role: NodeRole }[];
  clock: "realistic" | "instant";
  objects: number;
}

/** Header the Worker sets on requests it forwards, after verifying the token. */
export const SESSION_HEADER = "x-kubeplay-session";
