// The RBAC policy a kubeadm v1.33 cluster starts with: kube-apiserver's bootstrap roles and bindings
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go, controller_policy.go,
// namespace_policy.go, as their testdata/*.yaml print them), labelled and annotated as the API
// server reconciles them, then what `kubeadm init` adds. Written in a compact form and expanded here.
import type { PolicyRule, Subject } from "kubernetes-types/rbac/v1";
import type { Obj } from "./resources/types";

const API = "rbac.authorization.k8s.io/v1";
const RBAC = "rbac.authorization.k8s.io";
const BOOTSTRAP_META = {
  annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
  labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
};

const RW = "create,delete,deletecollection,patch,update";
const READ = "get,list,watch";
const EVENTS = r("create,patch,update", ",events.k8s.io", "events");

/** A resource rule: comma-separated verbs, groups ("" is the core group) and resources. */
function r(verbs: string, groups: string, resources: string, names?: string): PolicyRule {
  return {
    apiGroups: groups.split(","),
    resources: resources.split(","),
    ...(names ? { resourceNames: names.split(",") } : {}),
    verbs: verbs.split(","),
  };
}
const url = (verbs: string, urls: string): PolicyRule => ({ nonResourceURLs: urls.split(","), verbs: verbs.split(",") });

type Who = `User:${string}` | `Group:${string}` | `SA:${string}`;
function subject(who: Who): Subject {
  const [kind, name] = [who.slice(0, who.indexOf(":")), who.slice(who.indexOf(":") + 1)];
  if (kind === "SA") {
    const [namespace, sa] = name.split("/");
    return { kind: "ServiceAccount", name: sa, namespace };
  }
  return { apiGroup: RBAC, kind, name };
}

const agg = (to: string) => ({ clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${to}`]: "true" } }] });

/** ClusterRoles of policy.go: [name, rules, extra labels, aggregationRule]. */
const CLUSTER_ROLES: [string, PolicyRule[] | null, Record<string, string>?, Obj?][] = [
  ["admin", null, {}, agg("admin")],
  ["cluster-admin", [r("*", "*", "*"), url("*", "*")]],
  ["edit", null, { "rbac.authorization.k8s.io/aggregate-to-admin": "true" }, agg("edit")],
  [
    "system:aggregate-to-admin",
    [
      r("create", "authorization.k8s.io", "localsubjectaccessreviews"),
      r("create,delete,deletecollection,get,list,patch,update,watch", RBAC, "rolebindings,roles"),
    ],
    { "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
  ],
  [
    "system:aggregate-to-edit",
    [
      r(READ, "", "pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy"),
      r("impersonate", "", "serviceaccounts"),
      r(RW, "", "pods,pods/attach,pods/exec,pods/portforward,pods/proxy"),
      r("create", "", "pods/eviction"),
      r(
        RW,
        "",
        "configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy",
      ),
      r("create", "", "serviceaccounts/token"),
      r(
        RW,
        "apps",
        "daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale",
      ),
      r(RW, "autoscaling", "horizontalpodautoscalers"),
      r(RW, "batch", "cronjobs,jobs"),
      r(
        RW,
        "extensions",
        "daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale",
      ),
      r(RW, "policy", "poddisruptionbudgets"),
      r(RW, "networking.k8s.io", "ingresses,networkpolicies"),
      r("create,delete,deletecollection,get,list,patch,update,watch", "coordination.k8s.io", "leases"),
    ],
    { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
  ],
  [
    "system:aggregate-to-view",
    [
      r(
        READ,
        "",
        "configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status",
      ),
      r(
        READ,
        "",
        "bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status",
      ),
      r(READ, "", "namespaces"),
      r(READ, "discovery.k8s.io", "endpointslices"),
      r(
        READ,
        "apps",
        "controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status",
      ),
      r(READ, "autoscaling", "horizontalpodautoscalers,horizontalpodautoscalers/status"),
      r(READ, "batch", "cronjobs,cronjobs/status,jobs,jobs/status"),
      r(
        READ,
        "extensions",
        "daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale",
      ),
      r(READ, "policy", "poddisruptionbudgets,poddisruptionbudgets/status"),
      r(READ, "networking.k8s.io", "ingresses,ingresses/status,networkpolicies"),
    ],
    { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
  ],
  [
    "system:auth-delegator",
    [r("create", "authentication.k8s.io", "tokenreviews"), r("create", "authorization.k8s.io", "subjectaccessreviews")],
  ],
  [
    "system:basic-user",
    [
      r("create", "authorization.k8s.io", "selfsubjectaccessreviews,selfsubjectrulesreviews"),
      r("create", "authentication.k8s.io", "selfsubjectreviews"),
    ],
  ],
  [
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    [r("create", "certificates.k8s.io", "certificatesigningrequests/nodeclient")],
  ],
  [
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    [r("create", "certificates.k8s.io", "certificatesigningrequests/selfnodeclient")],
  ],
  [
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    [r("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client")],
  ],
  [
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    [r("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client-kubelet")],
  ],
  [
    "system:certificates.k8s.io:kubelet-serving-approver",
    [r("approve", "certificates.k8s.io", "signers", "kubernetes.io/kubelet-serving")],
  ],
  ["system:certificates.k8s.io:legacy-unknown-approver", [r("approve", "certificates.k8s.io", "signers", "kubernetes.io/legacy-unknown")]],
  ["system:discovery", [url("get", "/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/")]],
  ["system:heapster", [r(READ, "", "events,namespaces,nodes,pods"), r(READ, "extensions", "deployments")]],
  ["system:kube-aggregator", [r(READ, "", "endpoints,services")]],
  [
    "system:kube-controller-manager",
    [
      EVENTS,
      r("create", "coordination.k8s.io", "leases"),
      r("get,update", "coordination.k8s.io", "leases", "kube-controller-manager"),
      r("create", "", "secrets,serviceaccounts"),
      r("delete", "", "secrets"),
      r("get", "", "configmaps,namespaces,secrets,serviceaccounts"),
      r("update", "", "secrets,serviceaccounts"),
      r("create", "authentication.k8s.io", "tokenreviews"),
      r("create", "authorization.k8s.io", "subjectaccessreviews"),
      r("list,watch", "*", "*"),
      r("create", "", "serviceaccounts/token"),
    ],
  ],
  ["system:kube-dns", [r("list,watch", "", "endpoints,services")]],
  [
    "system:kube-scheduler",
    [
      EVENTS,
      r("create", "coordination.k8s.io", "leases"),
      r("get,update", "coordination.k8s.io", "leases", "kube-scheduler"),
      r(READ, "", "nodes"),
      r("delete,get,list,watch", "", "pods"),
      r("create", "", "bindings,pods/binding"),
      r("patch,update", "", "pods/status"),
      r(READ, "", "replicationcontrollers,services"),
      r(READ, "apps,extensions", "replicasets"),
      r(READ, "apps", "statefulsets"),
      r(READ, "policy", "poddisruptionbudgets"),
      r(READ, "", "persistentvolumeclaims,persistentvolumes"),
      r("create", "authentication.k8s.io", "tokenreviews"),
      r("create", "authorization.k8s.io", "subjectaccessreviews"),
      r(READ, "storage.k8s.io", "csinodes"),
      r(READ, "", "namespaces"),
      r(READ, "storage.k8s.io", "csidrivers"),
      r(READ, "storage.k8s.io", "csistoragecapacities"),
    ],
  ],
  [
    "system:kubelet-api-admin",
    [r(READ, "", "nodes"), r("proxy", "", "nodes"), r("*", "", "nodes/log,nodes/metrics,nodes/proxy,nodes/stats")],
  ],
  ["system:monitoring", [url("get", "/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*")]],
  [
    "system:node",
    [
      r("create", "authentication.k8s.io", "tokenreviews"),
      r("create", "authorization.k8s.io", "localsubjectaccessreviews,subjectaccessreviews"),
      r(READ, "", "services"),
      r("create,get,list,watch", "", "nodes"),
      r("patch,update", "", "nodes/status"),
      r("patch,update", "", "nodes"),
      r("create,patch,update", "", "events"),
      r(READ, "", "pods"),
      r("create,delete", "", "pods"),
      r("patch,update", "", "pods/status"),
      r("create", "", "pods/eviction"),
      r(READ, "", "configmaps,secrets"),
      r("get", "", "persistentvolumeclaims,persistentvolumes"),
      r("get", "", "endpoints"),
      r("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests"),
      r("create,delete,get,patch,update", "coordination.k8s.io", "leases"),
      r("get", "storage.k8s.io", "volumeattachments"),
      r("create", "", "serviceaccounts/token"),
      r("get,patch,update", "", "persistentvolumeclaims/status"),
      r(READ, "storage.k8s.io", "csidrivers"),
      r("create,delete,get,patch,update", "storage.k8s.io", "csinodes"),
      r(READ, "node.k8s.io", "runtimeclasses"),
    ],
  ],
  ["system:node-bootstrapper", [r("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests")]],
  ["system:node-problem-detector", [r("get", "", "nodes"), r("patch", "", "nodes/status"), EVENTS]],
  [
    "system:node-proxier",
    [r("list,watch", "", "endpoints,services"), r(READ, "", "nodes"), EVENTS, r("list,watch", "discovery.k8s.io", "endpointslices")],
  ],
  [
    "system:persistent-volume-provisioner",
    [
      r("create,delete,get,list,watch", "", "persistentvolumes"),
      r("get,list,update,watch", "", "persistentvolumeclaims"),
      r(READ, "storage.k8s.io", "storageclasses"),
      r("watch", "", "events"),
      EVENTS,
    ],
  ],
  ["system:public-info-viewer", [url("get", "/healthz,/livez,/readyz,/version,/version/")]],
  ["system:service-account-issuer-discovery", [url("get", "/.well-known/openid-configuration,/openid/v1/jwks")]],
  [
    "system:volume-scheduler",
    [
      r("get,list,patch,update,watch", "", "persistentvolumes"),
      r(READ, "storage.k8s.io", "storageclasses"),
      r("get,list,patch,update,watch", "", "persistentvolumeclaims"),
    ],
  ],
  ["view", null, { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }, agg("view")],
];

/** ClusterRoleBindings of policy.go: [name (= its ClusterRole), subjects]. */
const CLUSTER_ROLE_BINDINGS: [string, Who[]][] = [
  ["cluster-admin", ["Group:system:masters"]],
  ["system:basic-user", ["Group:system:authenticated"]],
  ["system:discovery", ["Group:system:authenticated"]],
  ["system:kube-controller-manager", ["User:system:kube-controller-manager"]],
  ["system:kube-dns", ["SA:kube-system/kube-dns"]],
  ["system:kube-scheduler", ["User:system:kube-scheduler"]],
  ["system:monitoring", ["Group:system:monitoring"]],
  ["system:node", []],
  ["system:node-proxier", ["User:system:kube-proxy"]],
  ["system:public-info-viewer", ["Group:system:authenticated", "Group:system:unauthenticated"]],
  ["system:service-account-issuer-discovery", ["Group:system:serviceaccounts"]],
  ["system:volume-scheduler", ["User:system:kube-scheduler"]],
];

/** controller_policy.go: each controller's role, bound to its service account in kube-system (the
 *  roles of feature-gated controllers that are off by default in v1.33 are left out). */
const CONTROLLER_ROLES: [string, PolicyRule[]][] = [
  [
    "attachdetach-controller",
    [
      r("list,watch", "", "persistentvolumeclaims,persistentvolumes"),
      r(READ, "", "nodes"),
      r("patch,update", "", "nodes/status"),
      r("list,watch", "", "pods"),
      EVENTS,
      r("create,delete,get,list,watch", "storage.k8s.io", "volumeattachments"),
      r(READ, "storage.k8s.io", "csidrivers"),
      r(READ, "storage.k8s.io", "csinodes"),
    ],
  ],
  [
    "certificate-controller",
    [
      r("delete,get,list,watch", "certificates.k8s.io", "certificatesigningrequests"),
      r("update", "certificates.k8s.io", "certificatesigningrequests/approval,certificatesigningrequests/status"),
      r("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client-kubelet"),
      r(
        "sign",
        "certificates.k8s.io",
        "signers",
        "kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/legacy-unknown",
      ),
      r("create", "authorization.k8s.io", "subjectaccessreviews"),
      EVENTS,
    ],
  ],
  ["clusterrole-aggregation-controller", [r("escalate,get,list,patch,update,watch", RBAC, "clusterroles")]],
  [
    "cronjob-controller",
    [
      r("get,list,update,watch", "batch", "cronjobs"),
      r("create,delete,get,list,patch,update,watch", "batch", "jobs"),
      r("update", "batch", "cronjobs/status"),
      r("update", "batch", "cronjobs/finalizers"),
      r("delete,list,watch", "", "pods"),
      EVENTS,
    ],
  ],
  [
    "daemon-set-controller",
    [
      r(READ, "apps,extensions", "daemonsets"),
      r("update", "apps,extensions", "daemonsets/status"),
      r("update", "apps,extensions", "daemonsets/finalizers"),
      r("list,watch", "", "nodes"),
      r("create,delete,list,patch,watch", "", "pods"),
      r("create", "", "pods/binding"),
      r("create,delete,get,list,patch,update,watch", "apps", "controllerrevisions"),
      EVENTS,
    ],
  ],
  [
    "deployment-controller",
    [
      r("get,list,update,watch", "apps,extensions", "deployments"),
      r("update", "apps,extensions", "deployments/status"),
      r("update", "apps,extensions", "deployments/finalizers"),
      r("create,delete,get,list,patch,update,watch", "apps,extensions", "replicasets"),
      r("get,list,update,watch", "", "pods"),
      EVENTS,
    ],
  ],
  [
    "disruption-controller",
    [
      r(READ, "apps,extensions", "deployments"),
      r(READ, "apps,extensions", "replicasets"),
      r(READ, "", "replicationcontrollers"),
      r(READ, "policy", "poddisruptionbudgets"),
      r(READ, "apps", "statefulsets"),
      r("update", "policy", "poddisruptionbudgets/status"),
      r("patch,update", "", "pods/status"),
      r("get", "*", "*/scale"),
      EVENTS,
    ],
  ],
  [
    "endpoint-controller",
    [
      r(READ, "", "pods,services"),
      r("create,delete,get,list,update,watch", "", "endpoints"),
      r("create", "", "endpoints/restricted"),
      EVENTS,
    ],
  ],
  [
    "endpointslice-controller",
    [
      r(READ, "", "nodes,pods,services"),
      r("update", "", "services/finalizers"),
      r("create,delete,get,list,update,watch", "discovery.k8s.io", "endpointslices"),
      EVENTS,
    ],
  ],
  [
    "endpointslicemirroring-controller",
    [
      r(READ, "", "endpoints,services"),
      r("update", "", "services/finalizers"),
      r("update", "", "endpoints/finalizers"),
      r("create,delete,get,list,update,watch", "discovery.k8s.io", "endpointslices"),
      EVENTS,
    ],
  ],
  [
    "ephemeral-volume-controller",
    [r(READ, "", "pods"), r("update", "", "pods/finalizers"), r("create,get,list,watch", "", "persistentvolumeclaims"), EVENTS],
  ],
  [
    "expand-controller",
    [
      r("get,list,patch,update,watch", "", "persistentvolumes"),
      r("patch,update", "", "persistentvolumeclaims/status"),
      r(READ, "", "persistentvolumeclaims"),
      EVENTS,
    ],
  ],
  ["generic-garbage-collector", [r("delete,get,list,patch,update,watch", "*", "*"), EVENTS]],
  [
    "horizontal-pod-autoscaler",
    [
      r(READ, "autoscaling", "horizontalpodautoscalers"),
      r("update", "autoscaling", "horizontalpodautoscalers/status"),
      r("get,update", "*", "*/scale"),
      r("list,watch", "", "pods"),
      r("list,watch", "metrics.k8s.io", "pods"),
      r(READ, "custom.metrics.k8s.io", "*"),
      r(READ, "external.metrics.k8s.io", "*"),
      EVENTS,
    ],
  ],
  [
    "job-controller",
    [
      r("get,list,patch,update,watch", "batch", "jobs"),
      r("update", "batch", "jobs/status"),
      r("update", "batch", "jobs/finalizers"),
      r("create,delete,list,patch,watch", "", "pods"),
      EVENTS,
    ],
  ],
  [
    "legacy-service-account-token-cleaner",
    [r("get", "", "configmaps", "kube-apiserver-legacy-service-account-token-tracking"), r("delete,patch", "", "secrets")],
  ],
  [
    "namespace-controller",
    [
      r("delete,get,list,watch", "", "namespaces"),
      r("update", "", "namespaces/finalize,namespaces/status"),
      r("delete,deletecollection,get,list,watch", "*", "*"),
    ],
  ],
  [
    "node-controller",
    [
      r("delete,get,list,patch,update,watch", "", "nodes"),
      r("patch,update", "", "nodes/status"),
      r("patch,update", "", "pods/status"),
      r("delete,get,list,watch", "", "pods"),
      EVENTS,
    ],
  ],
  [
    "persistent-volume-binder",
    [
      r("create,delete,get,list,update,watch", "", "persistentvolumes"),
      r("update", "", "persistentvolumes/status"),
      r("get,list,update,watch", "", "persistentvolumeclaims"),
      r("update", "", "persistentvolumeclaims/status"),
      r("create,delete,get,list,watch", "", "pods"),
      r(READ, "storage.k8s.io", "storageclasses"),
      r("list,watch", "", "nodes"),
      EVENTS,
      r("watch", "", "events"),
    ],
  ],
  ["pod-garbage-collector", [r("delete,list,watch", "", "pods"), r(READ, "", "nodes"), r("patch", "", "pods/status")]],
  ["pv-protection-controller", [r("get,list,update,watch", "", "persistentvolumes"), EVENTS]],
  [
    "pvc-protection-controller",
    [
      r("get,list,update,watch", "", "persistentvolumeclaims"),
      r("update", "", "persistentvolumeclaims/status"),
      r(READ, "", "pods"),
      EVENTS,
    ],
  ],
  [
    "replicaset-controller",
    [
      r("get,list,update,watch", "apps,extensions", "replicasets"),
      r("update", "apps,extensions", "replicasets/status"),
      r("update", "apps,extensions", "replicasets/finalizers"),
      r("create,delete,list,patch,watch", "", "pods"),
      EVENTS,
    ],
  ],
  [
    "replication-controller",
    [
      r("get,list,update,watch", "", "replicationcontrollers"),
      r("update", "", "replicationcontrollers/status"),
      r("update", "", "replicationcontrollers/finalizers"),
      r("create,delete,list,patch,watch", "", "pods"),
      EVENTS,
    ],
  ],
  ["resourcequota-controller", [r("list,watch", "*", "*"), r("update", "", "resourcequotas/status"), EVENTS]],
  ["root-ca-cert-publisher", [r("create,update", "", "configmaps"), EVENTS]],
  ["route-controller", [r("list,watch", "", "nodes"), r("patch", "", "nodes/status"), EVENTS]],
  ["service-account-controller", [r("create", "", "serviceaccounts"), EVENTS]],
  [
    "service-cidrs-controller",
    [
      r("get,list,patch,update,watch", "networking.k8s.io", "servicecidrs"),
      r("patch,update", "networking.k8s.io", "servicecidrs/finalizers"),
      r("patch,update", "networking.k8s.io", "servicecidrs/status"),
      r(READ, "networking.k8s.io", "ipaddresses"),
      EVENTS,
    ],
  ],
  ["service-controller", [r(READ, "", "services"), r("patch,update", "", "services/status"), r("list,watch", "", "nodes"), EVENTS]],
  [
    "statefulset-controller",
    [
      r("list,watch", "", "pods"),
      r(READ, "apps", "statefulsets"),
      r("update", "apps", "statefulsets/status"),
      r("update", "apps", "statefulsets/finalizers"),
      r("create,delete,get,patch,update", "", "pods"),
      r("create,delete,get,list,patch,update,watch", "apps", "controllerrevisions"),
      r("create,get,list,watch", "", "persistentvolumeclaims"),
      r("delete,update", "", "persistentvolumeclaims"),
      r("update", "", "pods/finalizers"),
      EVENTS,
    ],
  ],
  ["ttl-after-finished-controller", [r("delete,get,list,watch", "batch", "jobs"), EVENTS]],
  ["ttl-controller", [r("list,patch,update,watch", "", "nodes"), EVENTS]],
  [
    "validatingadmissionpolicy-status-controller",
    [
      r(READ, "admissionregistration.k8s.io", "validatingadmissionpolicies"),
      r("get,patch,update", "admissionregistration.k8s.io", "validatingadmissionpolicies/status"),
      EVENTS,
    ],
  ],
];

/** What `kubeadm init` writes besides: its roles and bindings (not labelled as the API server's). */
const KUBEADM_CLUSTER_ROLES: [string, PolicyRule[]][] = [
  ["kubeadm:get-nodes", [r("get", "", "nodes")]],
  ["system:coredns", [r("list,watch", "", "endpoints,services,pods,namespaces"), r("list,watch", "discovery.k8s.io", "endpointslices")]],
];
const BOOTSTRAP_TOKEN = "Group:system:bootstrappers:kubeadm:default-node-token" as const;
const KUBEADM_CLUSTER_ROLE_BINDINGS: [string, string, Who[]][] = [
  ["kubeadm:cluster-admins", "cluster-admin", ["Group:kubeadm:cluster-admins"]],
  ["kubeadm:get-nodes", "kubeadm:get-nodes", [BOOTSTRAP_TOKEN]],
  ["kubeadm:kubelet-bootstrap", "system:node-bootstrapper", [BOOTSTRAP_TOKEN]],
  ["kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", [BOOTSTRAP_TOKEN]],
  [
    "kubeadm:node-autoapprove-certificate-rotation",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    ["Group:system:nodes"],
  ],
  ["kubeadm:node-proxier", "system:node-proxier", ["SA:kube-system/kube-proxy"]],
  ["system:coredns", "system:coredns", ["SA:kube-system/coredns"]],
];

/** Namespaced roles: [namespace, name, rules, bootstrap?] and their bindings [namespace, name, role, subjects, bootstrap?]. */
const ROLES: [string, string, PolicyRule[], boolean][] = [
  ["kube-public", "kubeadm:bootstrap-signer-clusterinfo", [r("get", "", "configmaps", "cluster-info")], false],
  [
    "kube-public",
    "system:controller:bootstrap-signer",
    [r("get,list,watch", "", "configmaps"), r("update", "", "configmaps", "cluster-info"), EVENTS],
    true,
  ],
  [
    "kube-system",
    "extension-apiserver-authentication-reader",
    [r("get,list,watch", "", "configmaps", "extension-apiserver-authentication")],
    true,
  ],
  ["kube-system", "kube-proxy", [r("get", "", "configmaps", "kube-proxy")], false],
  ["kube-system", "kubeadm:kubelet-config", [r("get", "", "configmaps", "kubelet-config")], false],
  ["kube-system", "kubeadm:nodes-kubeadm-config", [r("get", "", "configmaps", "kubeadm-config")], false],
  [
    "kube-system",
    "system::leader-locking-kube-controller-manager",
    [r("watch", "", "configmaps"), r("get,update", "", "configmaps", "kube-controller-manager")],
    true,
  ],
  [
    "kube-system",
    "system::leader-locking-kube-scheduler",
    [r("watch", "", "configmaps"), r("get,update", "", "configmaps", "kube-scheduler")],
    true,
  ],
  ["kube-system", "system:controller:bootstrap-signer", [r("get,list,watch", "", "secrets")], true],
  ["kube-system", "system:controller:cloud-provider", [r("create,get,list,watch", "", "configmaps")], true],
  ["kube-system", "system:controller:token-cleaner", [r("delete,get,list,watch", "", "secrets"), EVENTS], true],
];
const ROLE_BINDINGS: [string, string, string, Who[], boolean][] = [
  ["kube-public", "kubeadm:bootstrap-signer-clusterinfo", "kubeadm:bootstrap-signer-clusterinfo", ["User:system:anonymous"], false],
  ["kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", ["SA:kube-system/bootstrap-signer"], true],
  ["kube-system", "kube-proxy", "kube-proxy", [BOOTSTRAP_TOKEN], false],
  ["kube-system", "kubeadm:kubelet-config", "kubeadm:kubelet-config", ["Group:system:nodes", BOOTSTRAP_TOKEN], false],
  ["kube-system", "kubeadm:nodes-kubeadm-config", "kubeadm:nodes-kubeadm-config", [BOOTSTRAP_TOKEN, "Group:system:nodes"], false],
  [
    "kube-system",
    "system::extension-apiserver-authentication-reader",
    "extension-apiserver-authentication-reader",
    ["User:system:kube-controller-manager", "User:system:kube-scheduler"],
    true,
  ],
  [
    "kube-system",
    "system::leader-locking-kube-controller-manager",
    "system::leader-locking-kube-controller-manager",
    ["User:system:kube-controller-manager", "SA:kube-system/kube-controller-manager"],
    true,
  ],
  [
    "kube-system",
    "system::leader-locking-kube-scheduler",
    "system::leader-locking-kube-scheduler",
    ["User:system:kube-scheduler", "SA:kube-system/kube-scheduler"],
    true,
  ],
  ["kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", ["SA:kube-system/bootstrap-signer"], true],
  ["kube-system", "system:controller:cloud-provider", "system:controller:cloud-provider", ["SA:kube-system/cloud-provider"], true],
  ["kube-system", "system:controller:token-cleaner", "system:controller:token-cleaner", ["SA:kube-system/token-cleaner"], true],
];

const meta = (name: string, bootstrap: boolean, labels: Record<string, string> = {}, namespace?: string): Obj => ({
  name,
  ...(namespace ? { namespace } : {}),
  ...(bootstrap ? { annotations: { ...BOOTSTRAP_META.annotations }, labels: { ...BOOTSTRAP_META.labels, ...labels } } : {}),
});

const clusterRole = (
  name: string,
  rules: PolicyRule[] | null,
  bootstrap: boolean,
  labels?: Record<string, string>,
  aggregationRule?: Obj,
): Obj => ({
  apiVersion: API,
  kind: "ClusterRole",
  metadata: meta(name, bootstrap, labels),
  ...(aggregationRule ? { aggregationRule } : {}),
  ...(rules ? { rules } : {}),
});

const binding = (
  kind: "ClusterRoleBinding" | "RoleBinding",
  name: string,
  roleKind: string,
  role: string,
  who: Who[],
  bootstrap: boolean,
  namespace?: string,
): Obj => ({
  apiVersion: API,
  kind,
  metadata: meta(name, bootstrap, {}, namespace),
  roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
  ...(who.length ? { subjects: who.map(subject) } : {}),
});

/** Every RBAC object of a fresh cluster, by plural, in the order they are written. */
export function bootstrapPolicy(): { plural: string; obj: Obj }[] {
  const out: { plural: string; obj: Obj }[] = [];
  const add = (plural: string) => (obj: Obj) => out.push({ plural, obj });
  for (const [name, rules, labels, aggregation] of CLUSTER_ROLES) add("clusterroles")(clusterRole(name, rules, true, labels, aggregation));
  for (const [name, rules] of CONTROLLER_ROLES) add("clusterroles")(clusterRole(`system:controller:${name}`, rules, true));
  for (const [name, rules] of KUBEADM_CLUSTER_ROLES) add("clusterroles")(clusterRole(name, rules, false));
  for (const [name, who] of CLUSTER_ROLE_BINDINGS)
    add("clusterrolebindings")(binding("ClusterRoleBinding", name, "ClusterRole", name, who, true));
  for (const [name] of CONTROLLER_ROLES) {
    const full = `system:controller:${name}`;
    add("clusterrolebindings")(binding("ClusterRoleBinding", full, "ClusterRole", full, [`SA:kube-system/${name}`], true));
  }
  for (const [name, role, who] of KUBEADM_CLUSTER_ROLE_BINDINGS)
    add("clusterrolebindings")(binding("ClusterRoleBinding", name, "ClusterRole", role, who, false));
  for (const [ns, name, rules, bootstrap] of ROLES)
    add("roles")({ apiVersion: API, kind: "Role", metadata: meta(name, bootstrap, {}, ns), rules });
  for (const [ns, name, role, who, bootstrap] of ROLE_BINDINGS)
    add("rolebindings")(binding("RoleBinding", name, "Role", role, who, bootstrap, ns));
  return out;
}
