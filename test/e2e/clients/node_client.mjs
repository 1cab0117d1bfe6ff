// @kubernetes/client-node against a kubeplay cluster: a list/create/watch/log/exec journey.
// Usage: node node_client.mjs KUBECONFIG NAMESPACE
// Prints one line per step; exits non-zero at the first step that fails.
import * as k8s from "@kubernetes/client-node";
import { PassThrough } from "node:stream";

const [kubeconfig, namespace] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);

const step = (name, value) => console.log(`${name}: ${value}`);

const namespaces = await core.listNamespace();
step(
  "namespaces",
  namespaces.items
    .map((n) => n.metadata.name)
    .sort()
    .join(","),
);

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "journey", labels: { app: "journey" } },
  spec: {
    containers: [
      {
        name: "main",
        image: "busybox",
        command: ["sh", "-c", "echo started; sleep 3600"],
        resources: { requests: { cpu: "0.25", memory: "64Mi" } },
      },
    ],
  },
};
const created = await core.createNamespacedPod({ namespace, body: pod });
step("created", `${created.metadata.name} ${created.spec.containers[0].resources.requests.cpu}`);

// Watch until the pod runs.
const phase = await new Promise((resolve, reject) => {
  let request;
  const timer = setTimeout(() => reject(new Error("the pod did not run within 60 s")), 60_000);
  new k8s.Watch(kc)
    .watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector: "app=journey", allowWatchBookmarks: true },
      (type, obj) => {
        if (obj?.status?.phase === "Running") {
          clearTimeout(timer);
          request?.abort();
          resolve(`${type} ${obj.status.phase}`);
        }
      },
      (err) => err && err.name !== "AbortError" && reject(err),
    )
    .then((r) => (request = r), reject);
});
step("watched", phase);

const log = await core.readNamespacedPodLog({ name: "journey", namespace, container: "main" });
step("log", log.trim());

const stdout = new PassThrough();
const stderr = new PassThrough();
let out = "";
stdout.on("data", (d) => (out += d));
const status = await new Promise((resolve, reject) => {
  new k8s.Exec(kc)
    .exec(namespace, "journey", "main", ["sh", "-c", "echo from exec; hostname"], stdout, stderr, null, false, resolve)
    .catch(reject);
});
step("exec", `${out.trim().replace(/\n/g, " | ")} (${status.status})`);

const list = await core.listNamespacedPod({ namespace, labelSelector: "app=journey" });
step("listed", list.items.map((p) => `${p.metadata.name}=${p.status.phase}`).join(","));
