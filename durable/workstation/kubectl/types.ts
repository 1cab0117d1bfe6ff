// What every kubectl verb is given: the API, the shell's streams and files, and the namespace the
// flags and the kubeconfig's context decide.
import type { VirtualFS } from "../../fs";
import type { HostCall, HostPause, ShellIO } from "../../shell/types";
import type { FlagSpec, Parsed } from "./args";
import type { ApiCall, KubectlError } from "./client";
import type { Kubeconfig } from "./kubeconfig";

export interface Kube {
  api: ApiCall;
  io: ShellIO;
  fs: VirtualFS;
  cwd: string;
  env: Record<string, string>;
  stdin: string;
  /** The terminal, when kubectl runs in the foreground of one (exec -it puts it in raw mode). */
  tty?: HostCall["tty"];
  /** -n, else the context's namespace, else "default". */
  namespace: string;
  /** -n was given (then a manifest's other namespace is an error). */
  explicitNamespace: boolean;
  config: Kubeconfig;
  now(): number;
  /** The refusal of what this kubectl does not do (yet): says so and points to the real one. */
  notYet(what: string): KubectlError;
}

export type KubectlRun = Generator<HostPause, number, void>;

export interface Verb {
  flags: readonly FlagSpec[];
  run(p: Parsed, k: Kube): KubectlRun;
}
