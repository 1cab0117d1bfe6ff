// The contract of the simulated shells: what a command sees (its context) and where it writes.
import type { Obj } from "../resources/types";
import type { VirtualFS } from "../nodes/fs";

export interface ShellIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Output goes to a terminal (`exec -it`): programs such as curl then skip their progress meter. */
  tty?: boolean;
  /** Raw bytes to stdout, where the sink takes them (exec's stdout): tar, cat of a binary file. */
  stdoutBytes?(b: Uint8Array): void;
}

/** The cluster network as a container sees it (durable/nodes/network.ts). */
export type { Network } from "../nodes/network";
import type { Network } from "../nodes/network";

export interface ShellContext {
  env: Record<string, string>;
  cwd: string;
  hostname: string;
  fs: VirtualFS;
  net: Network;
  /** Wall-clock ms; the interpreter adds its own virtual time (sleep) on top. */
  now(): number;
  pod?: Obj;
  container?: Obj;
}
