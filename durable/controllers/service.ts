// The service controller's LoadBalancer part, as a bare-metal cluster with MetalLB (or `minikube
// tunnel`) behaves: a LoadBalancer Service shows EXTERNAL-IP <pending>, then after a short delay gets
// an address in status.loadBalancer.ingress. Addresses come from a MetalLB-style pool on the node
// network, 172.18.255.200–172.18.255.250 (the range the MetalLB/kind docs use), lowest free first,
// one per Service. Events are the real service controller's EnsuringLoadBalancer / EnsuredLoadBalancer.
// (ClusterIPs and NodePorts are allocated synchronously by the Service storage: resources/service.ts.)
import type { Obj } from "../resources/types";
import type { Controller, ControllerContext } from "./types";
import { namespaceClosed } from "./endpoints";

export const LB_POOL = { prefix: "172.18.255.", first: 200, last: 250 };
const SOURCE = { component: "service-controller" };

/** The lowest pool address no other Service holds, if any. */
export function nextLoadBalancerIP(services: Obj[], self: Obj): string | undefined {
  const held = new Set<string>();
  for (const s of services) {
    if (s.metadata.uid === self.metadata.uid) continue;
    for (const ing of s.status?.loadBalancer?.ingress ?? []) if (ing.ip) held.add(ing.ip);
  }
  for (let i = LB_POOL.first; i <= LB_POOL.last; i++) if (!held.has(LB_POOL.prefix + i)) return LB_POOL.prefix + i;
  return undefined;
}

/** The Ensuring event already recorded for this Service (its lastTimestamp starts the delay). */
function ensuringEvent(c: ControllerContext, svc: Obj): Obj | undefined {
  return c.client.list(
    "events",
    svc.metadata.namespace,
    (e) => e.involvedObject?.uid === svc.metadata.uid && e.reason === "EnsuringLoadBalancer",
  )[0];
}

export const serviceController: Controller = {
  name: "service-controller",
  primary: "services",
  watches: [{ plural: "services" }],
  reconcile(key, c) {
    const [namespace, name] = key.split("/");
    const svc = c.client.get("services", namespace, name);
    if (!svc || svc.metadata.deletionTimestamp || svc.spec?.type !== "LoadBalancer" || svc.spec?.loadBalancerClass) return;
    if (svc.status?.loadBalancer?.ingress?.length || namespaceClosed(c, namespace)) return;
    const ensuring = ensuringEvent(c, svc);
    if (!ensuring) {
      c.events.record(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", SOURCE);
      const wait = c.clock.delay("loadBalancer");
      if (wait > 0) return { requeueAfter: wait };
    } else {
      const due = Date.parse(ensuring.lastTimestamp) + (c.clock.mode === "instant" ? 0 : 1000);
      if (c.now() < due) return { requeueAfter: due - c.now() };
    }
    const ip = nextLoadBalancerIP(c.client.list("services"), svc);
    if (!ip) {
      c.events.record(
        svc,
        "Warning",
        "SyncLoadBalancerFailed",
        "Error syncing load balancer: failed to ensure load balancer: no available IPs in the address pool",
        SOURCE,
      );
      return;
    }
    c.client.patch(
      "services",
      namespace,
      name,
      (s) => {
        s.status = { ...(s.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } };
      },
      { status: true },
    );
    c.events.record(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", SOURCE);
  },
};
