// The storage a fresh playground ships with, as k3s and the kubeadm playgrounds (Killercoda) do: the
// local-path provisioner in local-path-storage (rancher/local-path-provisioner v0.0.31's manifest,
// with k3s's tolerations and its storage directory) and `local-path`, the default StorageClass.
// Its pod runs on the control-plane node so the workers stay the learner's; the provisioning itself
// is durable/controllers/localpath.ts, which works while that pod runs.
import type { Obj } from "./resources/types";
import type { Client } from "./controllers/client";
import { LOCAL_PATH, LOCAL_PATH_APP, LOCAL_PATH_CONFIG, LOCAL_PATH_NAMESPACE } from "./controllers/localpath";
import { DEFAULT_CLASS_ANNOTATION } from "./resources/storagehelpers";

const SERVICE_ACCOUNT = "local-path-provisioner-service-account";
/** k3s keeps its local-path volumes here. */
export const LOCAL_PATH_DIR = "/var/lib/rancher/k3s/storage";

export function localPathConfig(): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: LOCAL_PATH_CONFIG, namespace: LOCAL_PATH_NAMESPACE },
    data: {
      "config.json": `{\n  "nodePathMap":[\n  {\n    "node":"DEFAULT_PATH_FOR_NON_LISTED_NODES",\n    "paths":["${LOCAL_PATH_DIR}"]\n  }\n  ]\n}`,
      setup: '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"',
      teardown: '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"',
      "helperPod.yaml":
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n  priorityClassName: system-node-critical\n  tolerations:\n    - key: node.kubernetes.io/disk-pressure\n      operator: Exists\n      effect: NoSchedule\n  containers:\n  - name: helper-pod\n    image: busybox\n    imagePullPolicy: IfNotPresent",
    },
  };
}

export function localPathDeployment(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: LOCAL_PATH_APP, namespace: LOCAL_PATH_NAMESPACE },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: LOCAL_PATH_APP } },
      template: {
        metadata: { labels: { app: LOCAL_PATH_APP } },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT,
          priorityClassName: "system-node-critical",
          nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
          ],
          containers: [
            {
              name: LOCAL_PATH_APP,
              image: "rancher/local-path-provisioner:v0.0.31",
              imagePullPolicy: "IfNotPresent",
              command: ["local-path-provisioner", "--debug", "start", "--config", "/etc/config/config.json"],
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/config/" }],
              env: [
                { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                { name: "CONFIG_MOUNT_PATH", value: "/etc/config/" },
              ],
            },
          ],
          volumes: [{ name: "config-volume", configMap: { name: LOCAL_PATH_CONFIG } }],
        },
      },
    },
  };
}

export function localPathStorageClass(): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "local-path", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: LOCAL_PATH,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
}

/** Create the provisioner's namespace, account, config and Deployment, and the default class. */
export function bootstrapLocalPath(client: Client): void {
  client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: LOCAL_PATH_NAMESPACE } });
  client.create("serviceaccounts", {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: SERVICE_ACCOUNT, namespace: LOCAL_PATH_NAMESPACE },
  });
  client.create("configmaps", localPathConfig());
  client.create("deployments", localPathDeployment());
  client.create("storageclasses", localPathStorageClass());
}
