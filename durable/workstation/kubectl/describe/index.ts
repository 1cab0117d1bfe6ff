// `kubectl describe` as kubectl 1.33 computes it client-side (k8s.io/kubectl/pkg/describe): one
// describer per kind kubectl has one for, the generic describer for the rest.
//
// The reader is asked for these resources (plural, ".group" for the named groups):
//   get:  "leases.coordination.k8s.io" (a node's Lease in kube-node-lease; undefined when absent)
//   (a claim's describer lists "pods" of its namespace, with no selector, for Used By)
//   list: "events" (field selector involvedObject.name=…,involvedObject.namespace=…[,involvedObject.kind=…][,involvedObject.uid=…];
//          namespace undefined lists all namespaces), "pods" (label selector of a controller, or the
//          node's field selector spec.nodeName=…,status.phase!=Succeeded,status.phase!=Failed over all
//          namespaces), "replicasets.apps", "endpointslices.discovery.k8s.io" (label selector
//          kubernetes.io/service-name=…), "secrets", "resourcequotas", "limitranges".
// A list may reject with an error whose `code` (or `status`) is the API status: 404 for a resource
// the server does not serve (a namespace's quotas and limit ranges are then left out), 403 for the
// node's pods ("Pods: not authorized"); other failures are handled as kubectl handles them.
import { describeConfigMap } from "./configmap";
import { describeDaemonSet } from "./daemonset";
import { describeStatefulSet } from "./statefulset";
import { describeDeployment } from "./deployment";
import { describeEndpointSlice, describeEndpoints } from "./endpoints";
import type { DescribeOptions, DescribeReader } from "./format";
import { describeCronJob, describeJob } from "./job";
import { describeNamespace } from "./namespace";
import { describeIngress, describeIngressClass, describeNetworkPolicy } from "./networking";
import { describeNode } from "./node";
import { describePod } from "./pod";
import { describeLimitRange, describePodDisruptionBudget, describePriorityClass, describeResourceQuota } from "./policy";
import { describeReplicaSet } from "./replicaset";
import { describeReplicationController } from "./replicationcontroller";
import { describeSecret } from "./secret";
import { describeService } from "./service";
import { describeServiceAccount } from "./serviceaccount";
import { describeHorizontalPodAutoscaler } from "./horizontalpodautoscaler";
import { describeRole, describeRoleBinding } from "./rbac";
import { describePersistentVolume, describePersistentVolumeClaim, describeStorageClass } from "./storage";

export type { DescribeOptions, DescribeReader } from "./format";
export { describeGeneric } from "./generic";

// biome-ignore lint/suspicious/noExplicitAny: the object is JSON as the API serves it
export type Describer = (obj: any, reader: DescribeReader, opts: DescribeOptions) => Promise<string>;

const describers: Record<string, Describer> = {
  "/Pod": describePod,
  "/ReplicationController": describeReplicationController,
  "/Secret": (obj) => describeSecret(obj),
  "/Service": describeService,
  "/ServiceAccount": describeServiceAccount,
  "/Node": describeNode,
  "/Namespace": (obj, reader) => describeNamespace(obj, reader),
  "/Endpoints": describeEndpoints,
  "/ConfigMap": describeConfigMap,
  "/PersistentVolume": describePersistentVolume,
  "/PersistentVolumeClaim": describePersistentVolumeClaim,
  "/ResourceQuota": (obj) => describeResourceQuota(obj),
  "/LimitRange": (obj) => describeLimitRange(obj),
  "policy/PodDisruptionBudget": describePodDisruptionBudget,
  "scheduling.k8s.io/PriorityClass": describePriorityClass,
  "storage.k8s.io/StorageClass": describeStorageClass,
  "discovery.k8s.io/EndpointSlice": describeEndpointSlice,
  "batch/Job": describeJob,
  "batch/CronJob": describeCronJob,
  "apps/Deployment": describeDeployment,
  "apps/DaemonSet": describeDaemonSet,
  "apps/StatefulSet": describeStatefulSet,
  "apps/ReplicaSet": describeReplicaSet,
  "rbac.authorization.k8s.io/Role": describeRole,
  "rbac.authorization.k8s.io/ClusterRole": describeRole,
  "rbac.authorization.k8s.io/RoleBinding": describeRoleBinding,
  "rbac.authorization.k8s.io/ClusterRoleBinding": describeRoleBinding,
  "networking.k8s.io/Ingress": describeIngress,
  "networking.k8s.io/IngressClass": describeIngressClass,
  "networking.k8s.io/NetworkPolicy": (obj) => describeNetworkPolicy(obj),
  "autoscaling/HorizontalPodAutoscaler": describeHorizontalPodAutoscaler,
};

/** The describers kubectl 1.33 has for the kinds we serve; undefined for a kind without one (the
 *  caller then uses describeGeneric). */
export function describerFor(kind: string, group: string): Describer | undefined {
  return describers[`${group}/${kind}`];
}
