// kube-system as a kubeadm v1.33 cluster has it: the control plane's static pods on the
// control-plane node (mirror pods), CoreDNS (a Deployment behind the kube-dns Service) and kube-proxy
// (a DaemonSet, one pod per node), with the ConfigMaps kubeadm writes.
import type { Obj } from "./resources/types";
import { KUBE_VERSION } from "./api/server";
import { rfc3339 } from "./api/registry";
import type { Client } from "./controllers/client";
import { systemPriorityClasses } from "./resources/priorityclass";

const V = KUBE_VERSION.gitVersion;
const ETCD_VERSION = "3.5.21-0";
const COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.0";

export const KUBE_DNS_IP = "10.96.0.10";

/** One control-plane component as kubeadm writes its manifest to /etc/kubernetes/manifests. */
function staticPod(component: string, node: string, nodeIP: string, image: string, command: string[], extra: Obj = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${node}`,
      namespace: "kube-system",
      labels: { component, tier: "control-plane" },
      annotations: {
        "kubernetes.io/config.hash": hash32(component + node),
        "kubernetes.io/config.mirror": hash32(component + node),
        "kubernetes.io/config.seen": "", // filled at bootstrap
        "kubernetes.io/config.source": "file",
        ...(extra.annotations ?? {}),
      },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      tolerations: [{ effect: "NoExecute", operator: "Exists" }],
      containers: [
        {
          name: component,
          image,
          imagePullPolicy: "IfNotPresent",
          command,
          resources: { requests: { cpu: extra.cpu ?? "250m", ...(extra.memory ? { memory: extra.memory } : {}) } },
        },
      ],
    },
  };
}

export function controlPlanePods(node: string, nodeIP: string): Obj[] {
  return [
    staticPod(
      "etcd",
      node,
      nodeIP,
      `registry.k8s.io/etcd:${ETCD_VERSION}`,
      [
        "etcd",
        `--advertise-client-urls=https://${nodeIP}:2379`,
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        `--initial-advertise-peer-urls=https://${nodeIP}:2380`,
        `--initial-cluster=${node}=https://${nodeIP}:2380`,
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        `--listen-client-urls=https://127.0.0.1:2379,https://${nodeIP}:2379`,
        "--listen-metrics-urls=http://127.0.0.1:2381",
        `--listen-peer-urls=https://${nodeIP}:2380`,
        `--name=${node}`,
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-client-cert-auth=true",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--snapshot-count=10000",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
      ],
      { cpu: "100m", memory: "100Mi", annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://${nodeIP}:2379` } },
    ),
    staticPod(
      "kube-apiserver",
      node,
      nodeIP,
      `registry.k8s.io/kube-apiserver:${V}`,
      [
        "kube-apiserver",
        `--advertise-address=${nodeIP}`,
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        "--etcd-servers=https://127.0.0.1:2379",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
      ],
      { annotations: { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${nodeIP}:6443` } },
    ),
    staticPod(
      "kube-controller-manager",
      node,
      nodeIP,
      `registry.k8s.io/kube-controller-manager:${V}`,
      [
        "kube-controller-manager",
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
      ],
      { cpu: "200m" },
    ),
    staticPod(
      "kube-scheduler",
      node,
      nodeIP,
      `registry.k8s.io/kube-scheduler:${V}`,
      [
        "kube-scheduler",
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
      ],
      { cpu: "100m" },
    ),
  ];
}

export function coreDNSDeployment(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: "25%" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" } },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "coredns",
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
          dnsPolicy: "Default",
          containers: [
            {
              name: "coredns",
              image: COREDNS_IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: ["-conf", "/etc/coredns/Corefile"],
              resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
              ports: [
                { containerPort: 53, name: "dns", protocol: "UDP" },
                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                { containerPort: 9153, name: "metrics", protocol: "TCP" },
              ],
              livenessProbe: {
                httpGet: { path: "/health", port: 8080, scheme: "HTTP" },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: "/ready", port: 8181, scheme: "HTTP" } },
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
            },
          ],
          volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
        },
      },
    },
  };
}

export function kubeDNSService(): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kube-dns",
      namespace: "kube-system",
      labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      clusterIP: KUBE_DNS_IP,
      clusterIPs: [KUBE_DNS_IP],
      selector: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  };
}

export function kubeProxyDaemonSet(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "kube-proxy", namespace: "kube-system", labels: { "k8s-app": "kube-proxy" } },
    spec: {
      selector: { matchLabels: { "k8s-app": "kube-proxy" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-proxy" } },
        spec: {
          priorityClassName: "system-node-critical",
          serviceAccountName: "kube-proxy",
          hostNetwork: true,
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ operator: "Exists" }],
          containers: [
            {
              name: "kube-proxy",
              image: `registry.k8s.io/kube-proxy:${V}`,
              imagePullPolicy: "IfNotPresent",
              command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }],
              securityContext: { privileged: true },
              volumeMounts: [
                { name: "kube-proxy", mountPath: "/var/lib/kube-proxy" },
                { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "kube-proxy", configMap: { name: "kube-proxy", defaultMode: 420 } },
            { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
            { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } },
          ],
        },
      },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
  };
}

/** metrics-server v0.7.2's components.yaml as the kubeadm playgrounds apply it (with
 *  --kubelet-insecure-tls: kubeadm's kubelet serving certificates are self-signed). */
export const METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.7.2";

export function metricsServerDeployment(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "metrics-server", namespace: "kube-system", labels: { "k8s-app": "metrics-server" } },
    spec: {
      selector: { matchLabels: { "k8s-app": "metrics-server" } },
      strategy: { rollingUpdate: { maxUnavailable: 0 } },
      template: {
        metadata: { labels: { "k8s-app": "metrics-server" } },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "metrics-server",
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
          containers: [
            {
              name: "metrics-server",
              image: METRICS_SERVER_IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: [
                "--cert-dir=/tmp",
                "--secure-port=10250",
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--kubelet-use-node-status-port",
                "--metric-resolution=15s",
                "--kubelet-insecure-tls",
              ],
              ports: [{ containerPort: 10250, name: "https", protocol: "TCP" }],
              resources: { requests: { cpu: "100m", memory: "200Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1000,
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [{ name: "tmp-dir", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp-dir", emptyDir: {} }],
        },
      },
    },
  };
}

export function metricsServerService(): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "metrics-server", namespace: "kube-system", labels: { "k8s-app": "metrics-server" } },
    spec: {
      selector: { "k8s-app": "metrics-server" },
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }],
    },
  };
}

/** metrics-server's RBAC from components.yaml: readers of metrics.k8s.io aggregated into view, edit and
 *  admin, and what metrics-server itself reads (nodes' stats, pods, nodes). */
export function metricsServerRBAC(): { plural: string; obj: Obj }[] {
  const API = "rbac.authorization.k8s.io/v1";
  const labels = { "k8s-app": "metrics-server" };
  const sa = [{ kind: "ServiceAccount", name: "metrics-server", namespace: "kube-system" }];
  const ref = (kind: string, name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
  return [
    {
      plural: "clusterroles",
      obj: {
        apiVersion: API,
        kind: "ClusterRole",
        metadata: {
          name: "system:aggregated-metrics-reader",
          labels: {
            ...labels,
            "rbac.authorization.k8s.io/aggregate-to-admin": "true",
            "rbac.authorization.k8s.io/aggregate-to-edit": "true",
            "rbac.authorization.k8s.io/aggregate-to-view": "true",
          },
        },
        rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
      },
    },
    {
      plural: "clusterroles",
      obj: {
        apiVersion: API,
        kind: "ClusterRole",
        metadata: { name: "system:metrics-server", labels },
        rules: [
          { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
          { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
        ],
      },
    },
    {
      plural: "rolebindings",
      obj: {
        apiVersion: API,
        kind: "RoleBinding",
        metadata: { name: "metrics-server-auth-reader", namespace: "kube-system", labels },
        roleRef: ref("Role", "extension-apiserver-authentication-reader"),
        subjects: sa,
      },
    },
    {
      plural: "clusterrolebindings",
      obj: {
        apiVersion: API,
        kind: "ClusterRoleBinding",
        metadata: { name: "metrics-server:system:auth-delegator", labels },
        roleRef: ref("ClusterRole", "system:auth-delegator"),
        subjects: sa,
      },
    },
    {
      plural: "clusterrolebindings",
      obj: {
        apiVersion: API,
        kind: "ClusterRoleBinding",
        metadata: { name: "system:metrics-server", labels },
        roleRef: ref("ClusterRole", "system:metrics-server"),
        subjects: sa,
      },
    },
  ];
}

export function kubeSystemConfigMaps(): Obj[] {
  const cm = (name: string, namespace: string, data: Record<string, string>, labels?: Record<string, string>): Obj => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    data,
  });
  return [
    cm("coredns", "kube-system", {
      Corefile: `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`,
    }),
    cm(
      "kube-proxy",
      "kube-system",
      {
        "config.conf": `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
clusterCIDR: 10.244.0.0/16
kind: KubeProxyConfiguration
mode: ""
`,
      },
      { app: "kube-proxy" },
    ),
    cm("kubeadm-config", "kube-system", {
      ClusterConfiguration: `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${V}
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
proxy: {}
scheduler: {}
`,
    }),
    cm("kubelet-config", "kube-system", {
      kubelet: `apiVersion: kubelet.config.k8s.io/v1beta1
cgroupDriver: systemd
clusterDNS:
- ${KUBE_DNS_IP}
clusterDomain: cluster.local
kind: KubeletConfiguration
`,
    }),
  ];
}

/** The system ServiceAccounts the add-ons run as. */
export const SYSTEM_SERVICE_ACCOUNTS = ["coredns", "kube-proxy", "metrics-server"];

/**
 * Create kube-system's contents. The static pods are mirror pods owned by the control-plane Node;
 * CoreDNS and kube-proxy pods come from their controllers like any other workload.
 */
export function bootstrapKubeSystem(client: Client, controlPlane: Obj, now: number): void {
  // The API server's own system PriorityClasses, before the pods that name them.
  for (const pc of systemPriorityClasses()) client.create("priorityclasses", pc);
  for (const name of SYSTEM_SERVICE_ACCOUNTS) {
    client.create("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: "kube-system" } });
  }
  for (const cm of kubeSystemConfigMaps()) client.create("configmaps", cm);
  client.create("services", kubeDNSService());
  client.create("deployments", coreDNSDeployment());
  client.create("daemonsets", kubeProxyDaemonSet());
  client.create("services", metricsServerService());
  client.create("deployments", metricsServerDeployment());
  for (const { plural, obj } of metricsServerRBAC()) client.create(plural, obj);
  const ip = controlPlane.status.addresses.find((a: Obj) => a.type === "InternalIP").address;
  const owner = { apiVersion: "v1", kind: "Node", name: controlPlane.metadata.name, uid: controlPlane.metadata.uid, controller: true };
  for (const pod of controlPlanePods(controlPlane.metadata.name, ip)) {
    pod.metadata.annotations["kubernetes.io/config.seen"] = new Date(now).toISOString().replace("Z", "000000Z");
    pod.metadata.ownerReferences = [owner];
    client.create("pods", pod);
  }
}
function hash32(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return (h.toString(16) + (h ^ 0x5bd1e995).toString(16)).padEnd(32, "0").slice(0, 32);
}
