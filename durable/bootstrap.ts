// What a fresh kubeadm cluster holds at its first request: the standard namespaces, their default
// ServiceAccounts, the `kubernetes` Service, and one Node per node of the session's layout.
import type { NodeRole } from "./contract";
import type { Obj } from "./resources/types";
import { KUBE_VERSION } from "./api/server";

export const STANDARD_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** Node names in the play-with-k8s / killercoda style: controlplane, node01, node02 … */
export function nodeNames(roles: NodeRole[]): { name: string; role: NodeRole }[] {
  let cp = 0;
  let worker = 0;
  return roles.map((role) => {
    if (role === "control-plane") return { role, name: cp++ === 0 ? "controlplane" : `controlplane${String(cp).padStart(2, "0")}` };
    worker++;
    return { role, name: `node${String(worker).padStart(2, "0")}` };
  });
}

/** The node's internal IP: 172.30.1.2, 172.30.2.2, … (one subnet per node, like killercoda). */
export const nodeIP = (index: number) => `172.30.${index + 1}.2`;
export const podCIDR = (index: number) => `10.244.${index}.0/24`;

/**
 * A Node as it registers. A control-plane node carries kubeadm's NoSchedule taint, except the only
 * node of a one-node cluster: kind and the kubeadm playgrounds remove it there, so pods schedule.
 */
export function nodeObject(name: string, role: NodeRole, index: number, onlyNode = false): Obj {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
  };
  if (role === "control-plane") {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels,
      annotations: {
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: podCIDR(index),
      podCIDRs: [podCIDR(index)],
      ...(role === "control-plane" && !onlyNode
        ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }
        : {}),
    },
  };
}

export function nodeStatus(name: string, index: number, now: string): Obj {
  const resources = {
    cpu: "2",
    "ephemeral-storage": "20134592Ki",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: "2030940Ki",
    pods: "110",
  };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    capacity: resources,
    allocatable: { ...resources, "ephemeral-storage": "18556039957", memory: "1928540Ki" },
    conditions: [
      condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ],
    addresses: [
      { type: "InternalIP", address: nodeIP(index) },
      { type: "Hostname", address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: hex(name, 32),
      systemUUID: uuidish(name),
      bootID: uuidish(`${name}-boot`),
      kernelVersion: "5.15.0-126-generic",
      osImage: "Ubuntu 22.04.5 LTS",
      containerRuntimeVersion: "containerd://1.7.27",
      kubeletVersion: KUBE_VERSION.gitVersion,
      kubeProxyVersion: KUBE_VERSION.gitVersion,
      operatingSystem: "linux",
      architecture: "amd64",
    },
  };
}

/** Stable pseudo-random hex derived from a seed (FNV-1a), so node identities look real. */
function hex(seed: string, len: number): string {
  let out = "";
  let h = 0x811c9dc5;
  while (out.length < len) {
    for (const c of seed + out.length) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, len);
}

function uuidish(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function kubernetesService(): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: {
      type: "ClusterIP",
      clusterIP: "10.96.0.1",
      clusterIPs: ["10.96.0.1"],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
      sessionAffinity: "None",
    },
  };
}
