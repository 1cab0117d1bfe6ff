// Every controller of the simulated control plane, in the order a drain turn visits them.
import type { Controller } from "./types";
import { serviceController } from "./service";
import { endpointsController } from "./endpoints";
import { endpointSliceController } from "./endpointslice";
import { namespaceController } from "./namespace";
import { rootCACertPublisher, serviceAccountController } from "./serviceaccount";
import { deploymentController } from "./deployment";
import { replicaSetController, replicationControllerController } from "./replicaset";
import { daemonSetController } from "./daemonset";
import { statefulSetController } from "./statefulset";
import { garbageCollector } from "./garbagecollector";
import { scheduler } from "../scheduler";
import { kubelet } from "../nodes/kubelet";
import { nodeLifecycle } from "./nodelifecycle";
import { eventTTL } from "./eventttl";
import { jobController } from "./job";
import { cronJobController } from "./cronjob";
import { ttlAfterFinishedController } from "./ttlafterfinished";
import { claimBinder, volumeBinder } from "./persistentvolume";
import { localPathDeleter, localPathProvisioner } from "./localpath";
import { pvProtection, pvcProtection } from "./storageprotection";
import { ephemeralVolumeController } from "./ephemeralvolume";
import { clusterRoleAggregation } from "./clusterroleaggregation";
import { ingressNginxController } from "./ingress";
import { customResourceDefinitionController } from "./customresourcedefinition";
import { resourceQuotaController } from "./resourcequota";
import { disruptionController } from "./disruption";
import { horizontalPodAutoscalerController } from "./horizontalpodautoscaler";

export const controllers: Controller[] = [
  deploymentController,
  replicaSetController,
  replicationControllerController,
  daemonSetController,
  statefulSetController,
  cronJobController,
  jobController,
  ttlAfterFinishedController,
  ephemeralVolumeController,
  scheduler,
  claimBinder,
  volumeBinder,
  localPathProvisioner,
  localPathDeleter,
  pvcProtection,
  pvProtection,
  kubelet,
  nodeLifecycle,
  garbageCollector,
  serviceController,
  endpointsController,
  endpointSliceController,
  ingressNginxController,
  namespaceController,
  customResourceDefinitionController,
  serviceAccountController,
  rootCACertPublisher,
  eventTTL,
  clusterRoleAggregation,
  resourceQuotaController,
  disruptionController,
  horizontalPodAutoscalerController,
];
