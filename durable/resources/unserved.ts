// Kinds a v1.33 kubeadm cluster serves that kubeplay does not simulate. Left out of discovery, kubectl
// would blame them on missing CRDs ("ensure CRDs are installed first"); so they are listed with no
// verbs — kubectl's RESTMapper still maps them, `kubectl api-resources` leaves verb-less resources
// out — and every request for one answers a Status that names kubeplay and the kind.
// A kind drops out of this list by itself as soon as the resource table serves it.
import type { ResourceDef } from "./types";

interface Unserved {
  gv: string;
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  /** Why, when it is not only "not yet". */
  why?: string;
}

const WEBHOOKS = "admission webhooks are not called: no container runs to answer them";
const CEL_POLICIES = "admission policies are not evaluated";
const CSI = "no CSI driver runs here; volumes come from the local-path provisioner";
const FLOW_CONTROL = "API priority and fairness is not configurable here";
const SERVICE_IPS = "Service IP allocation is not exposed as objects here";

const KUBE_1_33: Unserved[] = [
  { gv: "v1", kind: "Binding", plural: "bindings", namespaced: true, why: "bind a pod with its binding subresource (pods/<name>/binding)" },
  { gv: "v1", kind: "LimitRange", plural: "limitranges", namespaced: true, shortNames: ["limits"] },
  { gv: "v1", kind: "PodTemplate", plural: "podtemplates", namespaced: true },
  { gv: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true, shortNames: ["quota"] },
  { gv: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", plural: "mutatingwebhookconfigurations", why: WEBHOOKS },
  { gv: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", plural: "validatingadmissionpolicies", why: CEL_POLICIES },
  {
    gv: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    plural: "validatingadmissionpolicybindings",
    why: CEL_POLICIES,
  },
  {
    gv: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    plural: "validatingwebhookconfigurations",
    why: WEBHOOKS,
  },
  { gv: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", shortNames: ["crd", "crds"] },
  { gv: "apiregistration.k8s.io/v1", kind: "APIService", plural: "apiservices", why: "aggregated API servers are not simulated" },
  { gv: "authentication.k8s.io/v1", kind: "TokenReview", plural: "tokenreviews" },
  { gv: "autoscaling/v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", namespaced: true, shortNames: ["hpa"] },
  { gv: "autoscaling/v1", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", namespaced: true, shortNames: ["hpa"] },
  {
    gv: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    plural: "certificatesigningrequests",
    shortNames: ["csr"],
    why: "no certificates are signed here; act as another user with `kubectl --as=<user>`",
  },
  { gv: "flowcontrol.apiserver.k8s.io/v1", kind: "FlowSchema", plural: "flowschemas", why: FLOW_CONTROL },
  { gv: "flowcontrol.apiserver.k8s.io/v1", kind: "PriorityLevelConfiguration", plural: "prioritylevelconfigurations", why: FLOW_CONTROL },
  { gv: "networking.k8s.io/v1", kind: "IPAddress", plural: "ipaddresses", shortNames: ["ip"], why: SERVICE_IPS },
  { gv: "networking.k8s.io/v1", kind: "ServiceCIDR", plural: "servicecidrs", why: SERVICE_IPS },
  { gv: "node.k8s.io/v1", kind: "RuntimeClass", plural: "runtimeclasses", why: "every node simulates one container runtime" },
  { gv: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true, shortNames: ["pdb"] },
  { gv: "scheduling.k8s.io/v1", kind: "PriorityClass", plural: "priorityclasses", shortNames: ["pc"] },
  { gv: "storage.k8s.io/v1", kind: "CSIDriver", plural: "csidrivers", why: CSI },
  { gv: "storage.k8s.io/v1", kind: "CSINode", plural: "csinodes", why: CSI },
  { gv: "storage.k8s.io/v1", kind: "CSIStorageCapacity", plural: "csistoragecapacities", namespaced: true, why: CSI },
  { gv: "storage.k8s.io/v1", kind: "VolumeAttachment", plural: "volumeattachments", why: CSI },
];

/** What every request for an unserved kind is told. */
function message(u: Unserved): string {
  return `kubeplay does not serve ${u.kind} (${u.gv}) yet${u.why ? `: ${u.why}` : ""}`;
}

/** The kinds of KUBE_1_33 whose group and plural `served` does not serve at any version, as
 *  discovery entries: no verbs, no columns, and the message in `unserved`. */
export function unservedDefs(served: readonly ResourceDef[]): ResourceDef[] {
  const have = new Set(served.map((d) => `${d.group}/${d.plural}`));
  return KUBE_1_33.flatMap((u) => {
    const [group, version] = u.gv.includes("/") ? u.gv.split("/") : ["", u.gv];
    if (have.has(`${group}/${u.plural}`)) return [];
    const def: ResourceDef = {
      group,
      version,
      kind: u.kind,
      plural: u.plural,
      singular: u.kind.toLowerCase(),
      namespaced: u.namespaced ?? false,
      ...(u.shortNames ? { shortNames: u.shortNames } : {}),
      verbs: [],
      openapi: "",
      columns: [],
      row: () => [],
      unserved: message(u),
    };
    return [def];
  });
}
