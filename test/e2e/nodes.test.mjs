// The scheduler, the simulated kubelet and node lifecycle with the real kubectl: the myapp Pod's
// journey, FailedScheduling, cordon/uncordon/drain, node stop/start/add/remove through the session API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually, request } from "./lib/harness.mjs";

let server;
let s;

const MYAPP = `apiVersion: v1
kind: Pod
metadata:
  name: myapp
spec:
  containers:
  - name: nginx
    image: nginx
    ports:
    - containerPort: 80
`;

const nodeApi = (path, method = "POST", body) =>
  retry(() =>
    request(`${server.origin}/api/sessions/${s.id}/nodes${path}`, {
      method,
      headers: {
        authorization: `Bearer ${s.token}`,
        "content-type": "application/json",
        "content-length": String(body === undefined ? 0 : Buffer.byteLength(JSON.stringify(body))),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );

/** Retry once when an idle keep-alive socket was closed under us (ECONNRESET). */
async function retry(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e.code !== "ECONNRESET") throw e;
    return fn();
  }
}

/** POST a JSON body to the cluster. */
const post = (path, obj) => {
  const body = JSON.stringify(obj);
  return retry(() =>
    s.api(path, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      body,
    }),
  );
};

const podJson = (name) => JSON.parse(s.k(`get pod ${name} -o json`));

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});
after(async () => server?.stop());

test("myapp: Pending → Running with IP and node, events, Terminating then gone", async () => {
  s.file("myapp.yaml", MYAPP);
  s.k("create -f myapp.yaml");
  const wide = await eventually(() => {
    const out = s.k("get pod myapp -o wide");
    return /Running/.test(out) && out;
  });
  assert.match(wide, /myapp\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node0\d/);
  const pod = podJson("myapp");
  assert.equal(pod.status.phase, "Running");
  assert.match(pod.status.containerStatuses[0].containerID, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.equal(pod.status.containerStatuses[0].image, "docker.io/library/nginx:latest");
  assert.match(pod.status.containerStatuses[0].imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.deepEqual(
    pod.status.conditions.map((c) => c.type),
    ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"],
  );
  assert.equal(pod.status.hostIPs[0].ip, pod.status.hostIP);
  const describe = s.k("describe pod myapp");
  assert.match(
    describe,
    new RegExp(`Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/myapp to ${pod.spec.nodeName}`),
  );
  assert.match(describe, /Pulling\s+\S+\s+kubelet\s+Pulling image "nginx"/);
  assert.match(
    describe,
    /Pulled\s+\S+\s+kubelet\s+Successfully pulled image "nginx" in \S+ \(\S+ including waiting\)\. Image size: 72195292 bytes\./,
  );
  assert.match(describe, /Created\s+\S+\s+kubelet\s+Created container: nginx/);
  assert.match(describe, /Started\s+\S+\s+kubelet\s+Started container nginx/);

  s.k("delete pod myapp --wait=false");
  assert.match(s.k("get pod myapp"), /Terminating/);
  await eventually(() => /NotFound/.test(s.kubectl("get pod myapp").out));
  assert.match(s.k("get events --field-selector involvedObject.name=myapp"), /Killing.*Stopping container nginx/);
});

test("a pod with an impossible nodeSelector stays Pending with FailedScheduling", async () => {
  s.k(["run", "pinned", "--image=nginx", `--overrides={"spec":{"nodeSelector":{"disk":"ssd"}}}`]);
  const msg =
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  await eventually(() => s.k("describe pod pinned").includes(msg));
  assert.match(s.k("get pod pinned"), /Pending/);
  const cond = podJson("pinned").status.conditions.find((c) => c.type === "PodScheduled");
  assert.deepEqual([cond.status, cond.reason, cond.message], ["False", "Unschedulable", msg]);
  // A node that starts to match gets the pod (pending pods are retried when nodes change).
  s.k("label node node02 disk=ssd");
  await eventually(() => podJson("pinned").spec.nodeName === "node02");
  s.k("delete pod pinned --grace-period=0 --force");
});

test("cordon, drain (evictions) and uncordon", async () => {
  s.k(["run", "bare1", "--image=nginx", `--overrides={"spec":{"nodeName":"node01"}}`]);
  await eventually(() => podJson("bare1").status.phase === "Running");
  assert.match(s.k("cordon node01"), /node\/node01 cordoned/);
  assert.match(s.k("get nodes"), /node01\s+Ready,SchedulingDisabled/);
  await eventually(() =>
    JSON.parse(s.k("get node node01 -o json")).spec.taints?.some(
      (t) => t.key === "node.kubernetes.io/unschedulable" && t.effect === "NoSchedule",
    ),
  );
  // Bare pods need --force; the eviction API deletes them gracefully. metrics-server, wherever it was
  // scheduled, has an emptyDir: the flags a course gives drain for a kubeadm cluster's add-ons.
  const drain = s.kubectl("drain node01 --ignore-daemonsets --delete-emptydir-data --force");
  assert.equal(drain.code, 0, drain.out);
  assert.match(drain.out, /evicting pod default\/bare1/);
  assert.match(drain.out, /node\/node01 drained/);
  assert.match(s.kubectl("get pod bare1").out, /NotFound/);
  // New pods avoid the cordoned node.
  s.k("run after-cordon --image=nginx");
  await eventually(() => podJson("after-cordon").spec.nodeName === "node02");
  assert.match(s.k("uncordon node01"), /node\/node01 uncordoned/);
  await eventually(() => !(JSON.parse(s.k("get node node01 -o json")).spec.taints ?? []).length);
  s.k("delete pod after-cordon --grace-period=0 --force");
});

test("eviction subresource answers like the real API server", async () => {
  const res = await post("/api/v1/namespaces/default/pods/nope/eviction", {
    apiVersion: "policy/v1",
    kind: "Eviction",
    metadata: { name: "nope", namespace: "default" },
  });
  assert.equal(res.status, 404);
  assert.equal(res.json.message, 'pods "nope" not found');
  s.k(["run", "bound", "--image=nginx", `--overrides={"spec":{"nodeName":"node02"}}`]);
  const bind = await post("/api/v1/namespaces/default/pods/bound/binding", {
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name: "bound" },
    target: { kind: "Node", name: "node01" },
  });
  assert.equal(bind.status, 409);
  assert.equal(bind.json.message, 'Operation cannot be fulfilled on pods/binding "bound": pod bound is already assigned to node "node02"');
  s.k("delete pod bound --grace-period=0 --force");
});

test("node stop → NotReady, pods evicted and Terminating; start → Ready; add and remove nodes", async () => {
  s.k(["run", "victim", "--image=nginx", `--overrides={"spec":{"nodeName":"node02"}}`]);
  await eventually(() => podJson("victim").status.phase === "Running");
  s.k("create deployment web --image=nginx --replicas=4");

  const stop = await nodeApi("/node02/stop");
  assert.equal(stop.status, 200, stop.text);
  assert.equal(stop.json.metadata.name, "node02");
  await eventually(() => /node02\s+NotReady/.test(s.k("get nodes")));
  const node = JSON.parse(s.k("get node node02 -o json"));
  assert.equal(node.status.conditions.find((c) => c.type === "Ready").message, "Kubelet stopped posting node status.");
  assert.deepEqual(node.spec.taints.map((t) => `${t.key}:${t.effect}`).sort(), [
    "node.kubernetes.io/unreachable:NoExecute",
    "node.kubernetes.io/unreachable:NoSchedule",
  ]);
  assert.match(s.k("describe node node02"), /NodeNotReady\s+\S+\s+node-controller\s+Node node02 status is now: NodeNotReady/);
  // After the (instant-clock) toleration the bare pod is evicted and stays Terminating on the dead node.
  await eventually(() => /victim\s+\S+\s+Terminating/.test(s.k("get pods")));
  assert.match(
    s.k("get events --field-selector involvedObject.name=victim"),
    /TaintManagerEviction.*Marking for deletion Pod default\/victim/,
  );
  // Pods of a ReplicaSet are recreated on the nodes left (once the ReplicaSet controller exists).
  await eventually(
    () => {
      const pods = JSON.parse(s.k("get pods -l app=web -o json")).items;
      if (!pods.length) return true; // no ReplicaSet controller in this build
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 4 && live.every((p) => p.spec.nodeName && p.spec.nodeName !== "node02");
    },
    { timeout: 30_000 },
  );

  const start = await nodeApi("/node02/start");
  assert.equal(start.status, 200);
  await eventually(() => /node02\s+Ready\s/.test(s.k("get nodes")));
  await eventually(() => /NotFound/.test(s.kubectl("get pod victim").out)); // the kubelet finishes the deletion
  assert.ok(!(JSON.parse(s.k("get node node02 -o json")).spec.taints ?? []).length);

  const add = await nodeApi("", "POST", { role: "worker" });
  assert.equal(add.status, 201, add.text);
  assert.equal(add.json.metadata.name, "node03");
  await eventually(() => /node03\s+Ready/.test(s.k("get nodes")));
  await eventually(() => s.k("get leases -n kube-node-lease").includes("node03"));
  assert.match(s.k("get events --field-selector involvedObject.name=node03"), /RegisteredNode/);
  const info = await request(`${server.origin}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
  assert.deepEqual(
    info.json.nodes.map((n) => n.name),
    ["controlplane", "node01", "node02", "node03"],
  );

  const rm = await nodeApi("/node03", "DELETE");
  assert.equal(rm.status, 200);
  await eventually(() => !s.k("get nodes").includes("node03"));
  assert.equal((await nodeApi("/nope", "DELETE")).status, 404);
  assert.equal((await nodeApi("", "POST", { role: "gpu" })).status, 422);
});

test("lazy heartbeats: an idle node's lease and heartbeat move on read", async () => {
  const lease = JSON.parse(s.k("get lease node01 -n kube-node-lease -o json"));
  assert.equal(lease.spec.holderIdentity, "node01");
  assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(lease.metadata.ownerReferences[0].kind, "Node");
});
