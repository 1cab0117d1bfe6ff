// Pod subresources served by the simulated control plane rather than the generic engine:
// pods/binding (the scheduler's bind, pkg/registry/core/pod/storage BindingREST) and pods/eviction
// (drain, EvictionREST: refused while the pod's PodDisruptionBudget allows no disruption).
import { decodeBody, type SubresourceHandler } from "../api/server";
import { keyOf, rfc3339, type Registry } from "../api/registry";
import { ApiError, badRequest, conflict, methodNotAllowed } from "../api/status";
import { Op } from "../store/store";
import type { Obj, ResourceDef } from "../resources/types";
import { byPlural } from "../resources";
import { chargeEviction } from "../resources/poddisruptionbudget";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";

const podsDef = () => byPlural("pods")!;

/** Set or replace a pod condition, keeping lastTransitionTime when the status does not change. */
export function putPodCondition(status: Obj, cond: Obj, now: number): void {
  const list: Obj[] = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? list[i] : undefined;
  const next = {
    type: cond.type,
    status: cond.status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : rfc3339(now),
    ...(cond.reason ? { reason: cond.reason } : {}),
    ...(cond.message ? { message: cond.message } : {}),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
}

/**
 * BindingREST.assignPod: set spec.nodeName and PodScheduled=True on an unbound pod, written straight
 * to storage (as the real registry does, past the pod update validation that forbids the change).
 */
export function bindPod(
  registry: Registry,
  namespace: string,
  name: string,
  node: string,
  opts: { uid?: string; annotations?: Record<string, string>; dryRun?: boolean } = {},
): Obj {
  const def = podsDef();
  const fail = (why: string) => conflict("pods/binding", "", name, why);
  const pod = registry.get(def, namespace, name);
  if (opts.uid && opts.uid !== pod.metadata.uid)
    throw fail(`Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${pod.metadata.uid}`);
  if (pod.metadata.deletionTimestamp) throw fail(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw fail(`pod ${name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`);
  if ((pod.spec?.schedulingGates ?? []).length) throw fail(`pod ${name} has non-empty .spec.schedulingGates`);
  const next = structuredClone(pod);
  next.spec.nodeName = node;
  if (opts.annotations && Object.keys(opts.annotations).length)
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...opts.annotations };
  next.status ??= {};
  putPodCondition(next.status, { type: "PodScheduled", status: "True" }, registry.ctx().now);
  if (opts.dryRun) return next;
  return registry.store.put(keyOf(def, namespace, name), Op.Updated, next, pod);
}

/**
 * EvictionREST.Create: charge the pod's PodDisruptionBudget (or refuse with its 429), mark the pod
 * DisruptionTarget (unless it has finished) and delete it gracefully with the eviction's delete options.
 */
export function evictPod(registry: Registry, namespace: string, name: string, deleteOptions: Obj = {}, dryRun = false): void {
  const def = podsDef();
  const pod = registry.get(def, namespace, name);
  const charged = chargeEviction(pod, registry.ctx().list("poddisruptionbudgets", namespace) as PodDisruptionBudget[], registry.ctx().now);
  if (charged && !dryRun) {
    const pdbDef = byPlural("poddisruptionbudgets")!;
    registry.mutate(pdbDef, namespace, charged.pdb.metadata!.name!, (p) => ({ ...p, status: charged.status }), { subresource: "status" });
  }
  const pre = deleteOptions.preconditions ?? {};
  const terminal = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  if (!terminal && !pod.metadata.deletionTimestamp && !dryRun) {
    registry.mutate(
      def,
      namespace,
      name,
      (p) => {
        delete p.metadata.resourceVersion;
        p.status ??= {};
        putPodCondition(
          p.status,
          { type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" },
          registry.ctx().now,
        );
        return p;
      },
      { subresource: "status" },
    );
  }
  registry.delete(def, namespace, name, {
    dryRun,
    gracePeriodSeconds: deleteOptions.gracePeriodSeconds ?? undefined,
    propagationPolicy: deleteOptions.propagationPolicy,
    preconditions: pre.uid || pre.resourceVersion ? pre : undefined,
  });
}

/** A create body in JSON, YAML or Kubernetes protobuf (decoded like every other body). */
async function decode(request: Request, kind: string): Promise<Obj> {
  const body = await decodeBody(request, kind);
  if (!body)
    throw badRequest(
      `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: unexpected end of JSON input`,
    );
  return body;
}

/** The Status a successful create of a subresource answers: 201 with code 201. */
const created = () =>
  new Response(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }), {
    status: 201,
    headers: { "content-type": "application/json" },
  });

export function podSubresources(registry: Registry, transaction: <T>(fn: () => T) => T): Record<string, SubresourceHandler> {
  const dryRunOf = (url: URL) => url.searchParams.getAll("dryRun").includes("All");
  const binding: SubresourceHandler = async (req: Request, def: ResourceDef, ns: string | undefined, name: string, url: URL) => {
    if (req.method !== "POST") throw methodNotAllowed(req.method, "pods/binding");
    const b = await decode(req, "Binding");
    if (b.metadata?.name && b.metadata.name !== name) throw badRequest("name in URL does not match name in Binding object");
    const target = b.target ?? {};
    if (target.kind && target.kind !== "Node")
      throw new ApiError(
        422,
        "Invalid",
        `Binding "${name}" is invalid: target.kind: Invalid value: ${JSON.stringify(target.kind)}: must be empty or 'Node'`,
        {
          name,
          kind: "Binding",
          causes: [
            {
              reason: "FieldValueInvalid",
              message: `Invalid value: ${JSON.stringify(target.kind)}: must be empty or 'Node'`,
              field: "target.kind",
            },
          ],
        },
      );
    if (!target.name)
      throw new ApiError(422, "Invalid", `Binding "${name}" is invalid: target.name: Required value`, {
        name,
        kind: "Binding",
        causes: [{ reason: "FieldValueRequired", message: "Required value", field: "target.name" }],
      });
    transaction(() =>
      bindPod(registry, ns!, name, target.name, { uid: b.metadata?.uid, annotations: b.metadata?.annotations, dryRun: dryRunOf(url) }),
    );
    void def;
    return created();
  };
  const eviction: SubresourceHandler = async (req: Request, _def: ResourceDef, ns: string | undefined, name: string, url: URL) => {
    if (req.method !== "POST") throw methodNotAllowed(req.method, "pods/eviction");
    const e = await decode(req, "Eviction");
    if (e.metadata?.name && e.metadata.name !== name) throw badRequest("name in URL does not match name in Eviction object");
    const opts: Obj = e.deleteOptions ?? {};
    transaction(() => evictPod(registry, ns!, name, opts, dryRunOf(url) || (opts.dryRun ?? []).includes("All")));
    return created();
  };
  return { "pods/binding": binding, "pods/eviction": eviction };
}
