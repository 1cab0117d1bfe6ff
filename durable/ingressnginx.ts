// The ingress controller a fresh playground ships with, as minikube's ingress addon installs it
// (ingress-nginx v1.12's static manifest): namespace ingress-nginx, its ServiceAccounts and
// ConfigMap, the controller Deployment, its NodePort Service (80 and 443 on ports 3xxxx of every
// node) and its webhook's Service, the two admission Jobs whose pods stay Completed, and the
// `nginx` IngressClass, marked default. The pod runs on the control-plane node so the
// workers stay the learner's. What the controller does is durable/controllers/ingress.ts (status,
// events) and durable/nodes/runtime/ingressproxy.ts (routing requests).
import type { Client } from "./controllers/client";
import type { Obj } from "./resources/types";
import { INGRESS_NGINX, INGRESS_NGINX_CONTROLLER, INGRESS_NGINX_LABELS, INGRESS_NGINX_NAMESPACE } from "./controllers/ingress";
import { DEFAULT_INGRESS_CLASS } from "./resources/ingress";

const NAME_LABELS = { "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" };
const LABELS = { ...INGRESS_NGINX_LABELS, "app.kubernetes.io/part-of": "ingress-nginx", "app.kubernetes.io/version": "1.12.1" };
export const INGRESS_NGINX_IMAGE = "registry.k8s.io/ingress-nginx/controller:v1.12.1";

export function ingressNginxDeployment(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: INGRESS_NGINX_CONTROLLER, namespace: INGRESS_NGINX_NAMESPACE, labels: LABELS },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      minReadySeconds: 0,
      selector: { matchLabels: INGRESS_NGINX_LABELS },
      template: {
        metadata: { labels: { ...LABELS, "gcp-auth-skip-secret": "true" } },
        spec: {
          serviceAccountName: "ingress-nginx",
          terminationGracePeriodSeconds: 0,
          dnsPolicy: "ClusterFirst",
          nodeSelector: { "kubernetes.io/os": "linux", "node-role.kubernetes.io/control-plane": "" },
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
          containers: [
            {
              name: "controller",
              image: INGRESS_NGINX_IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: [
                "/nginx-ingress-controller",
                "--election-id=ingress-nginx-leader",
                "--controller-class=k8s.io/ingress-nginx",
                "--watch-ingress-without-class=true",
                `--configmap=$(POD_NAMESPACE)/${INGRESS_NGINX_CONTROLLER}`,
                "--report-node-internal-ip-address",
                "--validating-webhook=:8443",
                "--validating-webhook-certificate=/usr/local/certificates/cert",
                "--validating-webhook-key=/usr/local/certificates/key",
              ],
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                { name: "LD_PRELOAD", value: "/usr/local/lib/libmimalloc.so" },
              ],
              ports: [
                { name: "http", containerPort: 80, hostPort: 80, protocol: "TCP" },
                { name: "https", containerPort: 443, hostPort: 443, protocol: "TCP" },
                { name: "webhook", containerPort: 8443, protocol: "TCP" },
              ],
              livenessProbe: {
                httpGet: { path: "/healthz", port: 10254, scheme: "HTTP" },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 1,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: {
                httpGet: { path: "/healthz", port: 10254, scheme: "HTTP" },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 1,
                successThreshold: 1,
                failureThreshold: 3,
              },
              resources: { requests: { cpu: "100m", memory: "90Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                runAsGroup: 82,
                runAsNonRoot: true,
                runAsUser: 101,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
        },
      },
    },
  };
}

export function ingressNginxService(): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: INGRESS_NGINX_CONTROLLER, namespace: INGRESS_NGINX_NAMESPACE, labels: LABELS },
    spec: {
      type: "NodePort",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
      selector: INGRESS_NGINX_LABELS,
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: "http", appProtocol: "http" },
        { name: "https", port: 443, protocol: "TCP", targetPort: "https", appProtocol: "https" },
      ],
    },
  };
}

/** The Service of the controller's validating webhook. */
export function admissionService(): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${INGRESS_NGINX_CONTROLLER}-admission`, namespace: INGRESS_NGINX_NAMESPACE, labels: LABELS },
    spec: {
      type: "ClusterIP",
      selector: INGRESS_NGINX_LABELS,
      ports: [{ name: "https-webhook", port: 443, targetPort: "webhook", appProtocol: "https" }],
    },
  };
}

const ADMISSION_LABELS = { ...LABELS, "app.kubernetes.io/component": "admission-webhook" };

/** The install's two Jobs (admission-create, admission-patch), whose pods stay Completed. */
export function admissionJob(step: "create" | "patch"): Obj {
  const args =
    step === "create"
      ? [
          "create",
          `--host=${INGRESS_NGINX_CONTROLLER}-admission,${INGRESS_NGINX_CONTROLLER}-admission.$(POD_NAMESPACE).svc`,
          "--namespace=$(POD_NAMESPACE)",
          "--secret-name=ingress-nginx-admission",
        ]
      : [
          "patch",
          "--webhook-name=ingress-nginx-admission",
          "--namespace=$(POD_NAMESPACE)",
          "--patch-mutating=false",
          "--secret-name=ingress-nginx-admission",
          "--patch-failure-policy=Fail",
        ];
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `ingress-nginx-admission-${step}`, namespace: INGRESS_NGINX_NAMESPACE, labels: ADMISSION_LABELS },
    spec: {
      template: {
        metadata: { name: `ingress-nginx-admission-${step}`, labels: ADMISSION_LABELS },
        spec: {
          containers: [
            {
              name: step,
              image: "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.5.2",
              imagePullPolicy: "IfNotPresent",
              args,
              env: [{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsGroup: 65532,
                runAsNonRoot: true,
                runAsUser: 65532,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
          restartPolicy: "OnFailure",
          serviceAccountName: "ingress-nginx-admission",
        },
      },
    },
  };
}

export function nginxIngressClass(): Obj {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: "nginx", labels: LABELS, annotations: { [DEFAULT_INGRESS_CLASS]: "true" } },
    spec: { controller: INGRESS_NGINX },
  };
}

/** Create the controller's namespace, account, config, Deployment, Service and its IngressClass. */
export function bootstrapIngressNginx(client: Client): void {
  client.create("namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: INGRESS_NGINX_NAMESPACE, labels: NAME_LABELS },
  });
  client.create("serviceaccounts", {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "ingress-nginx", namespace: INGRESS_NGINX_NAMESPACE, labels: LABELS },
    automountServiceAccountToken: true,
  });
  client.create("configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: INGRESS_NGINX_CONTROLLER, namespace: INGRESS_NGINX_NAMESPACE, labels: LABELS },
    data: { "allow-snippet-annotations": "false" },
  });
  client.create("serviceaccounts", {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "ingress-nginx-admission", namespace: INGRESS_NGINX_NAMESPACE, labels: ADMISSION_LABELS },
    automountServiceAccountToken: true,
  });
  client.create("services", ingressNginxService());
  client.create("services", admissionService());
  client.create("deployments", ingressNginxDeployment());
  client.create("jobs", admissionJob("create"));
  client.create("jobs", admissionJob("patch"));
  client.create("ingressclasses", nginxIngressClass());
}
