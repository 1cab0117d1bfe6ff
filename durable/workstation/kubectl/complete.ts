// Tab completion of kubectl's arguments, as `source <(kubectl completion bash)` gives it: verbs,
// resource types (api-resources -o name), the names of the cluster's objects, namespaces after -n,
// config's subcommands and contexts; file names after -f.
import type { VirtualFS } from "../../fs";
import { GLOBAL_FLAGS } from "./args";
import { findResource, servedTable, useTable, type ApiCall } from "./client";
import type { ResourceTable } from "../../resources";
import { loadKubeconfig } from "./kubeconfig";

const TYPED = ["get", "describe", "delete", "edit", "label", "annotate", "patch", "scale", "explain", "wait", "rollout", "set"];
const PODS = ["logs", "exec", "attach", "port-forward", "cp"];
const CREATE = [
  "clusterrole",
  "clusterrolebinding",
  "configmap",
  "cronjob",
  "deployment",
  "ingress",
  "job",
  "namespace",
  "poddisruptionbudget",
  "priorityclass",
  "quota",
  "role",
  "rolebinding",
  "secret",
  "service",
  "serviceaccount",
  "token",
];
const CONFIG = [
  "current-context",
  "delete-cluster",
  "delete-context",
  "delete-user",
  "get-clusters",
  "get-contexts",
  "get-users",
  "rename-context",
  "set",
  "set-cluster",
  "set-context",
  "set-credentials",
  "unset",
  "use-context",
  "view",
];

/** api-resources -o name: "pods", "deployments.apps" (not the verb-less unserved kinds). */
const resourceNames = () =>
  servedTable()
    .groupVersions.flatMap((gv) => servedTable().inGroupVersion(gv))
    .flatMap((d) => (d.plural.includes("/") || d.unserved ? [] : [`${d.plural}${d.group ? `.${d.group}` : ""}`]));

async function names(api: ApiCall, type: string, namespace: string | undefined): Promise<string[]> {
  const resource = findResource(type);
  const r = await api("GET", resource.path(namespace));
  if (r.status >= 400) return [];
  return (JSON.parse(r.text).items ?? []).map((o: { metadata?: { name?: string } }) => o.metadata?.name ?? "");
}

export function kubectlCompletions(
  api: ApiCall,
  verbs: string[],
  fs: VirtualFS,
  env: Record<string, string>,
  argv: string[],
  word: string,
  table?: ResourceTable,
): string[] | Promise<string[]> | undefined {
  // What reads the table below runs before the first wait.
  if (table) useTable(table);
  const valued = new Set(
    GLOBAL_FLAGS.filter((f) => f.kind !== "bool").flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]),
  );
  const positional: string[] = [];
  let namespace: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-n" || a === "--namespace") namespace = argv[++i];
    else if (a.startsWith("--namespace=")) namespace = a.slice(12);
    else if (a.startsWith("-")) {
      if (valued.has(a)) i++;
    } else positional.push(a);
  }
  const prev = argv[argv.length - 1];
  if (prev === "-f" || prev === "--filename" || prev === "--kubeconfig") return undefined;
  let config: ReturnType<typeof loadKubeconfig> | undefined;
  try {
    config = loadKubeconfig(fs, env);
  } catch {}
  const ns = namespace ?? config?.context?.namespace ?? "default";
  const safe = (p: Promise<string[]>) => p.catch(() => [] as string[]);
  if (prev === "-n" || prev === "--namespace") return safe(names(api, "namespaces", undefined));
  const [verb, ...rest] = positional;
  if (verb === undefined) return verbs;
  if (TYPED.includes(verb)) {
    if (word.includes("/")) {
      const type = word.slice(0, word.indexOf("/"));
      return safe(names(api, type, ns).then((xs) => xs.map((x) => `${type}/${x}`)));
    }
    if (verb === "rollout" && rest.length === 0) return ["history", "pause", "restart", "resume", "status", "undo"];
    if (verb === "set" && rest.length === 0) return ["env", "image", "resources", "selector", "serviceaccount", "subject"];
    const types = verb === "rollout" || verb === "set" ? rest.slice(1) : rest;
    if (!types.length || types[0].includes("/")) return types.length ? safe(Promise.resolve([])) : resourceNames();
    return safe(names(api, types[0].split(",")[0], ns));
  }
  if (PODS.includes(verb) && rest.length === 0) return safe(names(api, "pods", ns));
  if (verb === "create" && rest.length === 0) return CREATE;
  if (verb === "config") {
    if (rest.length === 0) return CONFIG;
    if (["use-context", "delete-context", "rename-context", "set-context"].includes(rest[0]))
      return (config?.doc.contexts ?? []).map((c: { name: string }) => c.name);
  }
  if (verb === "api-resources" || verb === "version" || verb === "cluster-info") return [];
  return undefined;
}
