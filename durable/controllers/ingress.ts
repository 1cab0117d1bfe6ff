// ingress-nginx's status and event side: while a controller pod of ingress-nginx runs, every
// Ingress of a class it serves (controller k8s.io/ingress-nginx) gets the InternalIP of the nodes
// its controller pods run on in status.loadBalancer.ingress (--report-node-internal-ip-address, as
// minikube's addon runs it), and a "Sync … Scheduled for sync" event each time the controller's
// informer sees it added or changed (its own status write included, hence the real "x2"). With no
// controller pod left the address is taken back (--update-status-on-shutdown). The routing itself is
// the simulated network's (durable/nodes/runtime/ingressproxy.ts).
import type { Ingress } from "kubernetes-types/networking/v1";
import type { Obj } from "../resources/types";
import { classServedBy, INGRESS_NGINX } from "../resources/ingress";
import { isPodReady } from "./util";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";

export { INGRESS_NGINX } from "../resources/ingress";
export const INGRESS_NGINX_NAMESPACE = "ingress-nginx";
export const INGRESS_NGINX_CONTROLLER = "ingress-nginx-controller";
/** The labels of the controller's pods (the Helm chart's and the static manifests'). */
export const INGRESS_NGINX_LABELS = {
  "app.kubernetes.io/component": "controller",
  "app.kubernetes.io/instance": "ingress-nginx",
  "app.kubernetes.io/name": "ingress-nginx",
};

const SOURCE = { component: "nginx-ingress-controller" };

/** The controller's running, ready pods. */
export function controllerPods(list: (plural: string, namespace?: string) => Obj[]): Obj[] {
  return list("pods", INGRESS_NGINX_NAMESPACE).filter(
    (p) =>
      p.metadata?.labels?.["app.kubernetes.io/name"] === "ingress-nginx" &&
      p.metadata?.labels?.["app.kubernetes.io/component"] === "controller" &&
      !p.metadata?.deletionTimestamp &&
      p.status?.phase === "Running" &&
      isPodReady(p),
  );
}

/** The address list to publish: the controller pods' nodes' InternalIPs, sorted as the controller sorts them. */
export function publishedAddresses(pods: Obj[], nodes: Obj[]): { ip: string }[] {
  const ips = new Set<string>();
  for (const p of pods) {
    const node = nodes.find((n) => n.metadata?.name === p.spec?.nodeName);
    const ip = ((node?.status?.addresses ?? []) as Obj[]).find((a) => a.type === "InternalIP")?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort().map((ip) => ({ ip }));
}

/** The generation of each Ingress the controller has announced, by uid (a restarted controller announces them again). */
const announced = new Map<string, number>();

function reconcile(key: Key, c: ControllerContext): void {
  const { namespace, name } = splitKey(key);
  const ing = c.client.get("ingresses", namespace, name) as Ingress | undefined;
  if (!ing || ing.metadata?.deletionTimestamp) return;
  const list = (plural: string, ns?: string) => c.client.list(plural, ns);
  const pods = controllerPods(list);
  // Another controller's Ingress: neither its events nor its status are ours.
  if (!classServedBy(ing, c.client.list("ingressclasses"), INGRESS_NGINX)) return;
  if (pods.length && announced.get(ing.metadata!.uid!) !== ing.metadata?.generation) {
    announced.set(ing.metadata!.uid!, ing.metadata!.generation!);
    c.events.record(ing as Obj, "Normal", "Sync", "Scheduled for sync", SOURCE);
  }
  const want = pods.length ? publishedAddresses(pods, c.client.list("nodes")) : [];
  const have = (ing.status?.loadBalancer?.ingress ?? []).map((i) => ({ ip: i.ip }));
  if (JSON.stringify(want) === JSON.stringify(have)) return;
  const updated = c.client.patch(
    "ingresses",
    namespace,
    name,
    (o) => {
      o.status = { ...(o.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
    },
    { status: true },
  );
  if (updated && pods.length) c.events.record(updated, "Normal", "Sync", "Scheduled for sync", SOURCE);
}

const allIngresses = (_: Obj, __: Obj | undefined, c: ControllerContext): Key[] => c.client.list("ingresses").map(keyOf);

export const ingressNginxController: Controller = {
  name: "nginx-ingress-controller",
  primary: "ingresses",
  watches: [
    { plural: "ingresses" },
    {
      plural: "pods",
      map: (pod, prev, c) =>
        pod.metadata?.namespace === INGRESS_NGINX_NAMESPACE && pod.metadata?.labels?.["app.kubernetes.io/name"] === "ingress-nginx"
          ? allIngresses(pod, prev, c)
          : [],
    },
    { plural: "ingressclasses", map: allIngresses },
  ],
  reconcile,
};
