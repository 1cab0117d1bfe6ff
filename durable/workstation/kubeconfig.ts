// /etc/kubernetes/admin.conf as kubeadm writes it (and the playgrounds copy to ~/.kube/config): the
// API server on the control-plane node's address, port 6443, the cluster CA, the kubernetes-admin user.
import type { Obj } from "../resources/types";
import type { ClusterReader } from "../nodes/runtime/network";
import { seededHex } from "../nodes/runtime/images";
import { printYaml } from "./kubectl/printers";

const b64 = (s: string) => btoa(s);

/** A client certificate for kubernetes-admin. Nothing checks it (the workstation's kubectl is the
 *  cluster's own); it is there so the file reads as the real one does. */
function clientPair(seed: string): { cert: string; key: string } {
  const body = (label: string, n: number) =>
    (seededHex(`${seed}/${label}`, n).match(/.{2}/g) ?? []).map((h) => String.fromCharCode(Number.parseInt(h, 16))).join("");
  const pem = (kind: string, raw: string) =>
    `-----BEGIN ${kind}-----\n${(btoa(raw).match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${kind}-----\n`;
  return { cert: pem("CERTIFICATE", body("cert", 760)), key: pem("RSA PRIVATE KEY", body("key", 1190)) };
}

export function adminKubeconfig(node: Obj | undefined, reader: ClusterReader): string {
  const ip = ((node?.status?.addresses ?? []) as Obj[]).find((a) => a.type === "InternalIP")?.address ?? "127.0.0.1";
  const ca = reader.get("configmaps", "kube-system", "kube-root-ca.crt")?.data?.["ca.crt"] ?? "";
  const { cert, key } = clientPair(node?.metadata?.uid ?? ip);
  return printYaml(
    [
      {
        apiVersion: "v1",
        clusters: [{ cluster: { "certificate-authority-data": b64(ca), server: `https://${ip}:6443` }, name: "kubernetes" }],
        contexts: [{ context: { cluster: "kubernetes", user: "kubernetes-admin" }, name: "kubernetes-admin@kubernetes" }],
        "current-context": "kubernetes-admin@kubernetes",
        kind: "Config",
        preferences: {},
        users: [{ name: "kubernetes-admin", user: { "client-certificate-data": b64(cert), "client-key-data": b64(key) } }],
      },
    ],
    false,
  );
}
