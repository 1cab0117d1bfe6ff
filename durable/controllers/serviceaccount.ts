// The serviceaccounts controller (a `default` ServiceAccount in every namespace) and the
// root-ca-cert-publisher (a `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace),
// both recreating what gets deleted, neither touching namespaces being deleted.
import type { Obj } from "../resources/types";
import type { Controller, ControllerContext, Key } from "./types";

export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/**
 * A PEM-looking CA certificate, stable per cluster (derived from `seed`, e.g. kube-system's uid):
 * the DER framing of a real kubeadm CA ("MIIDBTCCAe2gAwIBAgII…") followed by deterministic bytes.
 */
export function clusterCA(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const bytes: number[] = [];
  for (let i = 0; i < 768; i++) {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    bytes.push(h & 0xff);
  }
  const body =
    "MIIDBTCCAe2gAwIBAgII" +
    btoa(String.fromCharCode(...bytes))
      .slice(0, 1400 - 20)
      .replace(/=+$/, "") +
    "==";
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** Namespaces that take new content. */
function openNamespace(c: ControllerContext, name: string): Obj | undefined {
  const ns = c.client.get("namespaces", undefined, name);
  return ns && !ns.metadata.deletionTimestamp && ns.status?.phase !== "Terminating" ? ns : undefined;
}

const nsOf =
  (objectName: string) =>
  (obj: Obj): Key[] =>
    obj.metadata?.name === objectName && obj.metadata.namespace ? [obj.metadata.namespace] : [];

export const serviceAccountController: Controller = {
  name: "serviceaccount-controller",
  primary: "namespaces",
  watches: [{ plural: "namespaces" }, { plural: "serviceaccounts", map: nsOf("default") }],
  reconcile(name, c) {
    if (!openNamespace(c, name)) return;
    c.client.ensure("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: name } });
  },
};

export const rootCACertPublisher: Controller = {
  name: "root-ca-cert-publisher",
  primary: "namespaces",
  watches: [{ plural: "namespaces" }, { plural: "configmaps", map: nsOf(ROOT_CA_CONFIGMAP) }],
  reconcile(name, c) {
    if (!openNamespace(c, name)) return;
    const seed = c.client.get("namespaces", undefined, "kube-system")?.metadata.uid ?? "kubeplay";
    const data = { "ca.crt": clusterCA(seed) };
    const cm = c.client.get("configmaps", name, ROOT_CA_CONFIGMAP);
    if (!cm) {
      c.client.create("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { "kubernetes.io/description": DESCRIPTION } },
        data,
      });
      return;
    }
    if (JSON.stringify(cm.data) === JSON.stringify(data) && cm.metadata.annotations?.["kubernetes.io/description"]) return;
    c.client.update("configmaps", {
      ...cm,
      metadata: { ...cm.metadata, annotations: { ...(cm.metadata.annotations ?? {}), "kubernetes.io/description": DESCRIPTION } },
      data,
    });
  },
};
