// What crosses from the Worker to a Cluster Durable Object (RPC types only).
import type { Lab } from "../labs/format";

export type NodeRole = "control-plane" | "worker";

export interface SessionInit {
  id: string;
  /** ISO timestamps. */
  createdAt: string;
  expiresAt: string;
  /** Node layout in order; names are derived by the cluster (controlplane, node01, …). Workers with
   *  `joined: false` (last) are machines that wait for `kubeadm join` in their shell. */
  nodes: { role: NodeRole; joined?: boolean }[];
  /** "realistic" (default) or "instant" delays for the simulated nodes. */
  clock?: "realistic" | "instant";
  /** Public origin the session was created through, e.g. https://127.0.0.1:8787. */
  origin: string;
  /** The lab the session runs: its setup is done before the session is handed out. */
  lab?: Lab;
}

/** A lab as the learner's page sees it: steps without their solutions, and the progress so far. */
export interface LabView {
  title: string;
  description: string;
  language: string;
  /** Markdown shown before the steps. */
  intro?: string;
  /** What an imported scenario asks that kubeplay cannot do, with the reasons. */
  notes?: string[];
  steps: { number: number; title: string; text: string; hint?: string; verified: boolean }[];
  finish?: string;
  progress: { verified: number; total: number };
  completed: boolean;
}

/** A step's check: each condition, and why the failing ones failed. */
export interface CheckResult {
  step: number;
  passed: boolean;
  conditions: { description: string; passed: boolean; output?: string }[];
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
