// The resource quota controller (pkg/controller/resourcequota): keeps every quota's status.hard in
// step with its spec and status.used with what the objects of its namespace use. Level-triggered:
// a change to anything a quota can count requeues the quotas of that namespace, and a reconcile
// recomputes the usage from scratch.
import type { ResourceQuota } from "kubernetes-types/core/v1";
import { countableKinds, quotaUsage } from "../resources/admission";
import { formatList, parseList } from "../resources/quota";
import { stableStringify } from "../resources/podtemplate";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key, type Watch } from "./types";

/** The desired status of a quota: its hard limits and their usage now. */
export function quotaStatus(rq: ResourceQuota, c: ControllerContext): ResourceQuota["status"] {
  const ctx = { now: c.now(), get: c.client.get.bind(c.client), list: (plural: string, ns?: string) => c.client.list(plural, ns) };
  return { hard: formatList(parseList(rq.spec?.hard as Record<string, unknown>)), used: formatList(quotaUsage(rq, ctx)) };
}

function reconcile(key: Key, c: ControllerContext): void {
  const { namespace, name } = splitKey(key);
  const rq = c.client.get("resourcequotas", namespace, name) as ResourceQuota | undefined;
  if (!rq || rq.metadata?.deletionTimestamp) return;
  const status = quotaStatus(rq, c);
  if (stableStringify(status) === stableStringify(rq.status ?? {})) return;
  c.client.patch(
    "resourcequotas",
    namespace,
    name,
    (cur) => {
      cur.status = status;
    },
    { status: true },
  );
}

/** Any object a quota may count concerns the quotas of its namespace. */
const quotasOfNamespace: Watch["map"] = (obj, _prev, c) =>
  obj.metadata?.namespace ? c.client.list("resourcequotas", obj.metadata.namespace).map(keyOf) : [];

export const resourceQuotaController: Controller = {
  name: "resourcequota-controller",
  primary: "resourcequotas",
  watches: [
    { plural: "resourcequotas" },
    ...countableKinds()
      .filter((k) => k.plural !== "resourcequotas" && k.plural !== "events" && k.plural !== "leases")
      .map((k) => ({ plural: k.plural, map: quotasOfNamespace })),
  ],
  reconcile,
};
