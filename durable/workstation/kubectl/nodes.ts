// Node maintenance: cordon, uncordon, drain (k8s.io/kubectl/pkg/drain: cordon, pick the pods the
// filters allow, evict them through the eviction API and wait until they are gone) and taint.
import type { Node, Pod, Taint } from "kubernetes-types/core/v1";
import { type Parsed, bool } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage } from "./client";
import type { Kube, KubectlRun, Verb } from "./types";
import type { HostPause } from "../../shell/types";
import type { Obj } from "../../resources/types";
import { durationMs } from "./misc";

const MERGE = { "content-type": "application/merge-patch+json" };
const JSON_TYPE = { "content-type": "application/json" };
const nodes = findResource("nodes");

function* getNode(k: Kube, name: string): Generator<any, Node, void> {
  const r = yield* awaitHost(k.api("GET", nodes.path(undefined, name)));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  return JSON.parse(r.text);
}

/** cordon/uncordon one node: "node/x cordoned", or "already cordoned". */
function* setSchedulable(k: Kube, name: string, unschedulable: boolean): KubectlRun {
  const node = yield* getNode(k, name);
  const word = unschedulable ? "cordoned" : "uncordoned";
  if (!!node.spec?.unschedulable === unschedulable) {
    k.io.stdout(`node/${name} already ${word}\n`);
    return 0;
  }
  const r = yield* awaitHost(
    k.api("PATCH", nodes.path(undefined, name), {
      body: JSON.stringify({ spec: { unschedulable: unschedulable || null } }),
      headers: MERGE,
    }),
  );
  if (r.status >= 400) {
    k.io.stderr(`error: unable to ${unschedulable ? "cordon" : "uncordon"} node "${name}": ${JSON.parse(r.text).message}\n`);
    return 1;
  }
  k.io.stdout(`node/${name} ${word}\n`);
  return 0;
}

function names(p: Parsed, verb: string): string[] {
  const args = p.args.map((a) => a.replace(/^(nodes?|no)\//, ""));
  if (!args.length) throw new KubectlError(`error: USAGE: ${verb} NODE [flags]\nSee 'kubectl ${verb} -h' for help and examples`);
  return args;
}

const cordonVerb = (unschedulable: boolean): Verb => ({
  flags: [
    { name: "selector", short: "l", kind: "string" },
    { name: "dry-run", kind: "string" },
  ],
  *run(p, k) {
    let status = 0;
    for (const name of names(p, unschedulable ? "cordon" : "uncordon"))
      status = Math.max(status, yield* setSchedulable(k, name, unschedulable));
    return status;
  },
});

/** Why a pod is or is not evicted (pkg/drain/filters.go), in the filters' order. */
function podFilter(pod: Pod, p: Parsed): { delete: boolean; warning?: string; error?: string } {
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return { delete: true };
  const controller = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (controller?.kind === "DaemonSet")
    return bool(p, "ignore-daemonsets")
      ? { delete: false, warning: "ignoring DaemonSet-managed Pods" }
      : { delete: false, error: "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)" };
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"]) return { delete: false };
  if ((pod.spec?.volumes ?? []).some((v) => v.emptyDir)) {
    if (!bool(p, "delete-emptydir-data"))
      return { delete: false, error: "Pods with local storage (use --delete-emptydir-data to override)" };
    return { delete: true, warning: "deleting Pods with local storage" };
  }
  if (!controller)
    return bool(p, "force")
      ? { delete: true, warning: "deleting Pods that declare no controller" }
      : { delete: false, error: "cannot delete Pods that declare no controller (use --force to override)" };
  return { delete: true };
}

function* drainRun(p: Parsed, k: Kube): KubectlRun {
  const [name] = names(p, "drain");
  let status = yield* setSchedulable(k, name, true);
  const q = new URLSearchParams({ fieldSelector: `spec.nodeName=${name}` });
  const r = yield* awaitHost(k.api("GET", `/api/v1/pods?${q}`));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const pods: Pod[] = JSON.parse(r.text).items ?? [];
  const warnings = new Map<string, string[]>();
  const errors = new Map<string, string[]>();
  const evict: Pod[] = [];
  for (const pod of pods) {
    const f = podFilter(pod, p);
    const id = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (f.warning) warnings.set(f.warning, [...(warnings.get(f.warning) ?? []), id]);
    if (f.error) errors.set(f.error, [...(errors.get(f.error) ?? []), id]);
    if (f.delete) evict.push(pod);
  }
  if (errors.size) {
    const why = [...errors].map(([msg, ids]) => `cannot delete ${msg}: ${ids.join(", ")}`);
    k.io.stderr(
      `error: unable to drain node "${name}" due to error: ${why.length === 1 ? why[0] : `[${why.join(", ")}]`}, continuing command...\n`,
    );
    k.io.stderr(`There are pending nodes to be drained:\n ${name}\n`);
    // An aggregate of errors: kubectl prints each on its own line, without "error: ".
    throw new KubectlError(why.join("\n"));
  }
  if (warnings.size) k.io.stderr(`Warning: ${[...warnings].map(([msg, ids]) => `${msg}: ${ids.join(", ")}`).join("; ")}\n`);
  const options: Obj = {
    kind: "Eviction",
    apiVersion: "policy/v1",
  };
  const grace = p.flags.get("grace-period") as number | undefined;
  if (grace !== undefined && grace >= 0) options.deleteOptions = { gracePeriodSeconds: grace };
  const errs = yield* evictPods(k, evict, body(options), durationMs(String(p.flags.get("timeout") ?? "0s")));
  if (errs.length) {
    const agg = errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`;
    // deleteOrEvictPodsSimple: what is still to go from the node, after the error.
    const left: Pod[] = JSON.parse((yield* awaitHost(k.api("GET", `/api/v1/pods?${q}`))).text).items ?? [];
    const still = left.filter((pod) => podFilter(pod, p).delete);
    if (still.length)
      k.io.stderr(
        `There are pending pods in node "${name}" when an error occurred: ${agg}\n${still.map((x) => `pod/${x.metadata?.name}\n`).join("")}`,
      );
    k.io.stderr(`error: unable to drain node "${name}" due to error: ${agg}, continuing command...\n`);
    k.io.stderr(`There are pending nodes to be drained:\n ${name}\n`);
    throw new KubectlError(errs.join("\n"));
  }
  if (status === 0) k.io.stdout(`node/${name} drained\n`);
  return status;
}

const body = (options: Obj) => (pod: Pod) => ({ ...options, metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace } });

/**
 * Helper.evictPods: every pod's eviction runs side by side, a 429 (a disruption budget) retried
 * every 5s with "evicting pod" said again, until the pod is gone or the global timeout (0: none)
 * passes. Returns the errors, in the order the pods finished.
 */
function* evictPods(k: Kube, pods: Pod[], bodyOf: (pod: Pod) => Obj, timeoutMs: number): Generator<HostPause, string[], void> {
  const deadline = timeoutMs > 0 ? k.now() + timeoutMs : Number.POSITIVE_INFINITY;
  const shown = (pod: Pod) => `pods/"${pod.metadata?.name}" -n "${pod.metadata?.namespace}"`;
  type State = { pod: Pod; evicted: boolean; retryAt: number };
  let active: State[] = pods.map((pod) => ({ pod, evicted: false, retryAt: 0 }));
  const errors: string[] = [];
  while (active.length) {
    const next: State[] = [];
    // First every due eviction (side by side, as kubectl's goroutines), then every wait for deletion.
    for (const st of active) {
      const { pod } = st;
      if (st.evicted || k.now() < st.retryAt) {
        next.push(st);
        continue;
      }
      k.io.stdout(`evicting pod ${pod.metadata?.namespace}/${pod.metadata?.name}\n`);
      if (k.now() >= deadline) {
        errors.push(`error when evicting ${shown(pod)}: global timeout reached: ${goSeconds(timeoutMs)}`);
        continue;
      }
      const e = yield* awaitHost(
        k.api("POST", `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/eviction`, {
          body: JSON.stringify(bodyOf(pod)),
          headers: JSON_TYPE,
        }),
      );
      if (e.status === 404) continue;
      if (e.status === 429) {
        k.io.stderr(`error when evicting ${shown(pod)} (will retry after 5s): ${JSON.parse(e.text).message}\n`);
        next.push({ ...st, retryAt: k.now() + 5000 });
      } else if (e.status >= 400) errors.push(`error when evicting ${shown(pod)}: ${JSON.parse(e.text).message}`);
      else next.push({ ...st, evicted: true });
    }
    active = [];
    for (const st of next) {
      const { pod } = st;
      if (st.evicted) {
        const g = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`));
        if (g.status === 404 || (g.status < 400 && JSON.parse(g.text).metadata?.uid !== pod.metadata?.uid)) {
          k.io.stdout(`pod/${pod.metadata?.name} evicted\n`);
          continue;
        }
      }
      active.push(st);
    }
    if (active.length) yield { sleep: 250 };
  }
  return errors;
}

/** A Go time.Duration's String() of whole seconds and minutes, as the timeout message prints it. */
function goSeconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s % 60}s`;
}

/** KEY[=VALUE]:EFFECT to add, KEY[:EFFECT]- to remove (pkg/cmd/taint/utils.go). */
function parseTaints(specs: string[]): { add: Taint[]; remove: Taint[] } {
  const add: Taint[] = [];
  const remove: Taint[] = [];
  const effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
  for (const spec of specs) {
    if (spec.endsWith("-")) {
      const [key, effect] = spec.slice(0, -1).split(":");
      remove.push({ key, effect: effect ?? "" } as Taint);
      continue;
    }
    const m = /^([^=:]+)(?:=([^:]*))?:(.*)$/.exec(spec);
    if (!m) throw new KubectlError(`error: invalid taint spec: ${spec}`);
    if (!effects.includes(m[3])) throw new KubectlError(`error: invalid taint effect: ${m[3]}, unsupported taint effect`);
    add.push({ key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] });
  }
  return { add, remove };
}

const taintString = (t: Taint) => `${t.key}${t.effect ? `:${t.effect}` : ""}`;

function* taintRun(p: Parsed, k: Kube): KubectlRun {
  const [type, ...rest] = p.args;
  if (!type) throw new KubectlError("error: one or more resources must be specified as <resource> <name>");
  let targets: string[];
  let specs: string[];
  if (type.includes("/")) {
    targets = [type.slice(type.indexOf("/") + 1)];
    specs = rest;
    if (!/^(nodes?|no)$/.test(type.slice(0, type.indexOf("/"))))
      throw new KubectlError(`error: invalid resource type ${type.slice(0, type.indexOf("/"))}, only node types are supported`);
  } else {
    if (!/^(nodes?|no)$/.test(type)) throw new KubectlError(`error: invalid resource type ${type}, only node types are supported`);
    targets = rest.filter((a) => !a.includes(":") && !a.endsWith("-") && !a.includes("="));
    specs = rest.filter((a) => !targets.includes(a));
  }
  if (!specs.length) throw new KubectlError("error: at least one taint update is required");
  const { add, remove } = parseTaints(specs);
  const overwrite = bool(p, "overwrite");
  for (const name of targets) {
    const node = yield* getNode(k, name);
    const old = node.spec?.taints ?? [];
    if (!overwrite) {
      const exists = add.filter((t) => old.some((o) => o.key === t.key && o.effect === t.effect)).map((t) => t.key);
      if (exists.length)
        throw new KubectlError(`error: node ${name} already has ${exists.join(",")} taint(s) with same effect(s) and --overwrite is false`);
    }
    const next: Taint[] = [...add];
    for (const o of old) if (!next.some((t) => t.key === o.key && t.effect === o.effect)) next.push(o);
    const added = old.length !== next.length;
    const missing: string[] = [];
    let deleted = false;
    for (const t of remove) {
      const before = next.length;
      const kept = next.filter((x) => !(x.key === t.key && (!t.effect || x.effect === t.effect)));
      deleted = kept.length !== before;
      if (!deleted) missing.push(`taint ${JSON.stringify(taintString(t))} not found`);
      next.splice(0, next.length, ...kept);
    }
    if (missing.length) throw new KubectlError(`error: ${missing.length === 1 ? missing[0] : `[${missing.join(", ")}]`}`);
    const op = (added && deleted) || overwrite ? "modified" : added ? "tainted" : "untainted";
    const r = yield* awaitHost(
      k.api("PATCH", nodes.path(undefined, name), {
        body: JSON.stringify({ spec: { taints: next.length ? next : null } }),
        headers: MERGE,
      }),
    );
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    k.io.stdout(`node/${name} ${op}\n`);
  }
  return 0;
}

export const cordon = cordonVerb(true);
export const uncordon = cordonVerb(false);
export const drain: Verb = {
  flags: [
    { name: "ignore-daemonsets", kind: "bool" },
    { name: "delete-emptydir-data", kind: "bool" },
    { name: "delete-local-data", kind: "bool" },
    { name: "force", kind: "bool" },
    { name: "grace-period", kind: "int" },
    { name: "timeout", kind: "string" },
    { name: "selector", short: "l", kind: "string" },
    { name: "pod-selector", kind: "string" },
    { name: "disable-eviction", kind: "bool" },
    { name: "dry-run", kind: "string" },
    { name: "skip-wait-for-delete-timeout", kind: "int" },
  ],
  run: drainRun,
};
export const taint: Verb = {
  flags: [
    { name: "overwrite", kind: "bool" },
    { name: "all", kind: "bool" },
    { name: "selector", short: "l", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "dry-run", kind: "string" },
  ],
  run: taintRun,
};
