// A node's own filesystem, as a hostPath volume shows it (`kubectl debug node/…` mounts / at /host):
// a small, believable kubeadm node — its OS release, hostname, the static pods' manifests on a
// control-plane node, the kubelet's config, the log directories.
import { stringify } from "yaml";
import type { Obj } from "../../resources/types";

/** What hostPath reads of the cluster (the mirror pods of the node's static pods). */
export interface HostReader {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
}

const STATIC = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/** The static pod's manifest, as kubeadm wrote it (the mirror pod without what the API server added). */
function manifest(mirror: Obj, component: string): string {
  const { nodeName: _n, ...spec } = mirror.spec ?? {};
  const labels = mirror.metadata?.labels;
  return stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...(labels ? { labels } : {}), name: component, namespace: "kube-system" },
    spec,
    status: {},
  });
}

/** The node's files (absolute paths). */
function nodeFiles(node: string, reader?: HostReader): Record<string, string> {
  const files: Record<string, string> = {
    "/etc/os-release":
      'PRETTY_NAME="Ubuntu 22.04.5 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.5 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nSUPPORT_URL="https://help.ubuntu.com/"\nBUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\nPRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\nUBUNTU_CODENAME=jammy\n',
    "/etc/hostname": `${node}\n`,
    "/var/lib/kubelet/config.yaml":
      'apiVersion: kubelet.config.k8s.io/v1beta1\nauthentication:\n  anonymous:\n    enabled: false\n  webhook:\n    cacheTTL: 0s\n    enabled: true\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: Webhook\ncgroupDriver: systemd\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\ncontainerRuntimeEndpoint: ""\nkind: KubeletConfiguration\nrotateCertificates: true\nstaticPodPath: /etc/kubernetes/manifests\n',
    "/var/log/syslog": "",
  };
  for (const component of STATIC) {
    const mirror = reader?.get("pods", "kube-system", `${component}-${node}`);
    if (mirror) files[`/etc/kubernetes/manifests/${component}.yaml`] = manifest(mirror, component);
  }
  return files;
}

/** The files of a hostPath volume of a pod on `node`, relative to the volume's path. */
export function hostPathFiles(node: string | undefined, path: string, reader?: HostReader): Record<string, string> {
  if (!node) return {};
  const root = path.replace(/\/+$/, "");
  const out: Record<string, string> = {};
  for (const [p, data] of Object.entries(nodeFiles(node, reader))) if (p.startsWith(`${root}/`)) out[p.slice(root.length + 1)] = data;
  return out;
}
