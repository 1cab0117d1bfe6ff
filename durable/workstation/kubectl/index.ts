// The workstation's kubectl: the command line read as kubectl 1.33's cobra reads it, each verb a
// module, the cluster reached in-process. What it does not do says so and points to the real kubectl.
import type { HostCall, HostProgram } from "../../shell/types";
import { GLOBAL_FLAGS, parse, str, strs, UsageError, type FlagSpec } from "./args";
import { KubectlError, withTable, type ApiCall } from "./client";
import { builtins, type ResourceTable } from "../../resources";
import { loadKubeconfig, noServer } from "./kubeconfig";
import type { Kube, KubectlRun, Verb } from "./types";
import { get } from "./get";
import { apply, create, del, replace } from "./apply";
import { run } from "./run";
import { expose, label, annotate, scale } from "./edit";
import { logs } from "./logs";
import { apiResources, apiVersions, CLIENT_VERSION, clusterInfo, version } from "./info";
import { config } from "./config";
import { describe } from "./describe-verb";
import { explain } from "./explain-verb";
import { attach, exec } from "./exec";
import { rollout } from "./rollout";
import { set } from "./set";
import { cordon, drain, taint, uncordon } from "./nodes";
import { auth, patch, wait } from "./misc";
import { edit } from "./edit-verb";
import { portForward, type Listen } from "./portforward";
import { cp } from "./cp";
import { events } from "./events";
import { debug } from "./debug";
import { top } from "./top";
import { autoscale } from "./autoscale";

export type { ApiCall } from "./client";
export { kubectlCompletions } from "./complete";

/** The verbs kubectl has, as its completion offers them. */
export const verbNames = () => [...Object.keys(VERBS), "port-forward", ...LATER].sort();

const VERBS: Record<string, Verb> = {
  get,
  describe,
  explain,
  create,
  apply,
  delete: del,
  replace,
  run,
  expose,
  scale,
  label,
  annotate,
  logs,
  exec,
  attach,
  rollout,
  set,
  cordon,
  uncordon,
  drain,
  taint,
  patch,
  wait,
  auth,
  edit,
  version,
  "cluster-info": clusterInfo,
  "api-resources": apiResources,
  "api-versions": apiVersions,
  config,
  cp,
  events,
  debug,
  top,
  autoscale,
};

/** kubectl's commands this one knows of but does not carry out yet. */
const LATER = ["proxy", "diff", "kustomize", "certificate", "plugin", "completion", "alpha", "options"];

/** The first argument that is not a flag (or a global flag's value): the verb, as cobra finds it. */
function verbOf(argv: string[]): { verb?: string; rest: string[] } {
  const valued = new Set(
    GLOBAL_FLAGS.filter((f) => f.kind !== "bool").flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (valued.has(a)) i++;
      continue;
    }
    return { verb: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: argv };
}

/** What the host gives kubectl beyond the API: where port-forward listens. */
export interface KubectlHost {
  listen?: Listen;
  /** The kinds the cluster serves (its discovery), custom resources included. */
  table?: () => ResourceTable;
}

function* main(argv: string[], api: ApiCall, call: HostCall, host: KubectlHost): KubectlRun {
  const { verb, rest } = verbOf(argv);
  if (!verb) {
    call.io.stdout(HELP);
    return 0;
  }
  const impl = verb === "port-forward" ? portForward(host.listen) : VERBS[verb];
  if (!impl) {
    if (LATER.includes(verb)) throw notYet(`kubectl ${verb}`);
    throw new KubectlError(`error: unknown command "${verb}" for "kubectl"${suggest(verb)}`);
  }
  let p: ReturnType<typeof parse>;
  try {
    p = parse(rest, [...GLOBAL_FLAGS, ...(impl.flags as FlagSpec[])]);
  } catch (e) {
    if (e instanceof UsageError) throw new KubectlError(`error: ${e.message}\nSee 'kubectl ${verb} --help' for usage.`);
    throw e;
  }
  const config = loadKubeconfig(call.fs, { ...call.env, PWD: call.cwd }, str(p, "kubeconfig"), str(p, "context"));
  // Without a kubeconfig kubectl dials localhost:8080, where nothing listens (a worker node's root).
  if (!config.found && !str(p, "server") && verb !== "config" && !(verb === "version" && p.flags.get("client"))) {
    if (verb === "version") call.io.stdout(`Client Version: ${CLIENT_VERSION.gitVersion}\nKustomize Version: v5.6.0\n`);
    throw noServer();
  }
  const flagNs = str(p, "namespace");
  const k: Kube = {
    // kubectl's warning handler prints each of the server's warnings on stderr as it comes.
    api: async (method, path, init = {}) => {
      // --as and --as-group: the Impersonate-* headers; the API server checks and honours them.
      const as = str(p, "as");
      const headers = as
        ? {
            ...init.headers,
            "impersonate-user": as,
            ...(strs(p, "as-group").length ? { "impersonate-group": strs(p, "as-group").join(",") } : {}),
          }
        : init.headers;
      const reply = await api(method, path, { ...init, headers });
      for (const w of reply.warnings ?? []) call.io.stderr(`Warning: ${w}\n`);
      return reply;
    },
    io: call.io,
    fs: call.fs,
    cwd: call.cwd,
    env: call.env,
    stdin: call.stdin,
    tty: call.tty,
    namespace: flagNs || config.context?.namespace || "default",
    explicitNamespace: !!flagNs,
    config,
    now: () => Date.now(),
    notYet,
  };
  return yield* impl.run(p, k);
}

function notYet(what: string): KubectlError {
  return new KubectlError(
    `error: ${what} is not available in kubeplay's web terminal yet; use the real kubectl with this session's kubeconfig ("Use your own kubectl" on the session page)`,
  );
}

/** cobra's "Did you mean this?" (SuggestionsMinimumDistance 2, or a prefix). */
function suggest(typed: string): string {
  const names = [...Object.keys(VERBS), ...LATER].filter((n) => n.startsWith(typed) || distance(typed, n) <= 2).sort();
  return names.length ? `\n\nDid you mean this?\n${names.map((n) => `\t${n}\n`).join("")}` : "";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** The host program: kubectl's errors go to stderr with its exit status; a Ctrl-C passes through. */
export function kubectl(api: ApiCall, host: KubectlHost = {}): HostProgram {
  return function* (argv, call) {
    try {
      return yield* withTable(main(argv, api, call, host), host.table ?? (() => builtins));
    } catch (e) {
      if (!(e instanceof KubectlError)) throw e;
      call.io.stderr(e.text.endsWith("\n") ? e.text : `${e.text}\n`);
      return e.code;
    }
  };
}

const HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;
