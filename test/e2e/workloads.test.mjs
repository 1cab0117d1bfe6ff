// Workload controllers and the garbage collector with the real kubectl: the hello-node tutorial
// (create, scale, set image, rollout status/history/undo, delete), the nginx ReplicationController
// that heals, a DaemonSet on every worker, and the three deletion propagation policies.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";
import { NGINX_RC } from "./lib/manifests.mjs";

let server;
let s; // instant clock
let slow; // realistic clock, to watch a rollout progress

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sh", "-c", "sleep 3600"]
`;

const json = (out) => JSON.parse(out);
const rows = (out) =>
  out
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s{2,}/));
const running = (sess, selector) => json(sess.k(`get pods -l ${selector} -o json`)).items.filter((p) => !p.metadata.deletionTimestamp);

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  slow = await server.createSession({});
});

after(async () => {
  await server?.stop();
});

test("hello-node: create deployment makes <deploy>-<hash> and <rs>-<5 chars> pods", async () => {
  assert.equal(s.k("create deployment hello-node --image=registry.k8s.io/echoserver:1.4").trim(), "deployment.apps/hello-node created");
  const d = await eventually(() => {
    const d = json(s.k("get deployment hello-node -o json"));
    return d.status?.readyReplicas === 1 && d;
  });
  assert.equal(d.metadata.annotations["deployment.kubernetes.io/revision"], "1");
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.status.observedGeneration, 1);
  assert.deepEqual(
    d.status.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`),
    ["Available=True/MinimumReplicasAvailable", "Progressing=True/NewReplicaSetAvailable"],
  );

  const rs = json(s.k("get rs -o json")).items;
  assert.equal(rs.length, 1);
  const hash = rs[0].metadata.labels["pod-template-hash"];
  assert.equal(rs[0].metadata.name, `hello-node-${hash}`);
  assert.equal(rs[0].metadata.ownerReferences[0].kind, "Deployment");

  const deployTable = s.k("get deployments");
  assert.match(deployTable, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
  assert.match(deployTable, /^hello-node\s+1\/1\s+1\s+1\s+\d+s$/m);
  assert.match(s.k("get rs"), new RegExp(`^NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\nhello-node-${hash}\\s+1\\s+1\\s+1\\s+`));
  const pods = s.k("get pods");
  assert.match(pods, new RegExp(`^hello-node-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}\\s+1/1\\s+Running\\s+0\\s+`, "m"));

  const events = s.k("get events --field-selector involvedObject.kind=Deployment");
  assert.match(
    events,
    new RegExp(`Normal\\s+ScalingReplicaSet\\s+deployment/hello-node\\s+Scaled up replica set hello-node-${hash} from 0 to 1`),
  );
  assert.match(
    s.k("get events --field-selector involvedObject.kind=ReplicaSet"),
    /SuccessfulCreate\s+replicaset\/hello-node-\w+\s+Created pod: hello-node-\w+-\w{5}/,
  );
});

test("hello-node: scale to 4", async () => {
  assert.equal(s.k("scale deployments/hello-node --replicas=4").trim(), "deployment.apps/hello-node scaled");
  await eventually(() => running(s, "app=hello-node").filter((p) => p.status.phase === "Running").length === 4);
  assert.match(s.k("get deployment hello-node"), /hello-node\s+4\/4\s+4\s+4/);
  assert.match(s.k("describe deployment hello-node"), /Scaled up replica set hello-node-\w+ from 1 to 4/);
});

test("hello-node: set image rolls out a new ReplicaSet; history and undo keep the revisions", async () => {
  s.k("set image deployment/hello-node echoserver=registry.k8s.io/echoserver:1.10");
  s.k(["annotate", "deployment/hello-node", "kubernetes.io/change-cause=update to 1.10"]);
  const status = s.k("rollout status deployment/hello-node --timeout=60s");
  assert.match(status, /deployment "hello-node" successfully rolled out/);
  const rs = json(s.k("get rs -o json")).items.sort(
    (a, b) => a.metadata.annotations["deployment.kubernetes.io/revision"] - b.metadata.annotations["deployment.kubernetes.io/revision"],
  );
  assert.equal(rs.length, 2);
  assert.deepEqual(
    rs.map((r) => [r.metadata.annotations["deployment.kubernetes.io/revision"], r.spec.replicas]),
    [
      ["1", 0],
      ["2", 4],
    ],
  );
  const history = s.k("rollout history deployment/hello-node");
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+update to 1.10\n/);
  await eventually(() => running(s, "app=hello-node").every((p) => p.spec.containers[0].image.endsWith(":1.10")));

  assert.match(s.k("rollout undo deployment/hello-node"), /deployment.apps\/hello-node rolled back/);
  s.k("rollout status deployment/hello-node --timeout=60s");
  const after = json(s.k("get rs -o json")).items;
  const back = after.find((r) => r.metadata.name === rs[0].metadata.name);
  assert.equal(back.metadata.annotations["deployment.kubernetes.io/revision"], "3");
  assert.equal(back.metadata.annotations["deployment.kubernetes.io/revision-history"], "1");
  assert.equal(back.spec.replicas, 4);
  assert.match(s.k("rollout history deployment/hello-node"), /REVISION\s+CHANGE-CAUSE\n2\s+update to 1.10\n3\s+/);
  assert.equal(json(s.k("get deployment hello-node -o json")).metadata.annotations["deployment.kubernetes.io/revision"], "3");
});

test("hello-node: delete deployment shows Terminating pods, then nothing", async () => {
  await eventually(() => running(s, "app=hello-node").filter((p) => p.status.phase === "Running").length === 4);
  assert.equal(s.k("delete deployment hello-node --wait=false").trim(), 'deployment.apps "hello-node" deleted');
  await eventually(() => /Terminating/.test(s.k("get pods -l app=hello-node")) || !s.k("get pods -l app=hello-node").trim(), {
    interval: 20,
  });
  await eventually(() => s.kubectl("get pods,rs -l app=hello-node").out.includes("No resources found"));
});

test("a rollout with the realistic clock prints the real progress lines", async () => {
  slow.k("create deployment web --image=nginx:1.27 --replicas=3");
  slow.k("rollout status deployment/web --timeout=90s");
  slow.k("set image deployment/web nginx=nginx:1.28");
  const out = slow.k("rollout status deployment/web --timeout=90s");
  assert.match(out, /Waiting for deployment "web" rollout to finish: \d out of 3 new replicas have been updated\.\.\./);
  assert.match(out, /deployment "web" successfully rolled out\n$/);
});

test("nginx ReplicationController keeps 2 replicas and replaces a deleted pod", async () => {
  const file = s.file("nginx-rc.yaml", NGINX_RC);
  assert.equal(s.k(`create -f ${file}`).trim(), "replicationcontroller/nginx-controller created");
  await eventually(() => running(s, "name=nginx").filter((p) => p.status.phase === "Running").length === 2);
  const before = running(s, "name=nginx").map((p) => p.metadata.name);
  for (const n of before) assert.match(n, /^nginx-controller-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.match(s.k("get rc"), /^nginx-controller\s+2\s+2\s+2\s+/m);
  s.k(`delete pod ${before[0]} --wait=false`);
  const healed = await eventually(() => {
    const now = running(s, "name=nginx").map((p) => p.metadata.name);
    return now.length === 2 && !now.includes(before[0]) && now;
  });
  assert.ok(healed.includes(before[1]));
  const events = s.k("get events --field-selector involvedObject.kind=ReplicationController");
  assert.match(events, /SuccessfulCreate\s+replicationcontroller\/nginx-controller\s+Created pod: nginx-controller-\w{5}/);
  assert.equal(json(s.k("get rc nginx-controller -o json")).status.replicas, 2);
});

test("a DaemonSet runs one pod on each worker node", async () => {
  const workers = json(s.k("get nodes -o json")).items.filter((n) => !(n.spec.taints ?? []).some((t) => t.effect === "NoSchedule"));
  s.k(`apply -f ${s.file("ds.yaml", DAEMONSET)}`);
  const pods = await eventually(() => {
    const p = running(s, "app=node-agent");
    return p.length === workers.length && p.every((x) => x.spec.nodeName) && p;
  });
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), workers.map((n) => n.metadata.name).sort());
  for (const p of pods) {
    assert.match(p.metadata.name, /^node-agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(
      p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values,
      [p.spec.nodeName],
    );
    assert.ok(p.spec.tolerations.some((t) => t.key === "node.kubernetes.io/unschedulable"));
    assert.ok(p.metadata.labels["controller-revision-hash"]);
  }
  const table = s.k("get ds");
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
  const n = workers.length;
  await eventually(() => new RegExp(`^node-agent\\s+${n}\\s+${n}\\s+${n}\\s+${n}\\s+${n}\\s+<none>\\s+`, "m").test(s.k("get ds")));
  assert.match(s.k("get controllerrevisions"), /^node-agent-\w+\s+daemonset.apps\/node-agent\s+1\s+/m);
  assert.equal(rows(s.k("get ds node-agent")).length, 1);
});

test("delete propagation: orphan keeps pods, foreground waits for dependents", async () => {
  s.k("create deployment keep --image=nginx --replicas=2");
  await eventually(() => running(s, "app=keep").length === 2);
  s.k("delete deployment keep --cascade=orphan");
  await eventually(() => json(s.k("get rs -l app=keep -o json")).items.every((r) => !r.metadata.ownerReferences));
  assert.equal(running(s, "app=keep").length, 2);

  s.k("create deployment fg --image=nginx --replicas=2");
  await eventually(() => running(s, "app=fg").length === 2);
  s.k("delete deployment fg --cascade=foreground --wait=false");
  const d = s.kubectl("get deployment fg -o json");
  if (d.code === 0) assert.deepEqual(json(d.stdout).metadata.finalizers, ["foregroundDeletion"]);
  await eventually(() => s.kubectl("get deployment fg").code !== 0 && s.kubectl("get pods -l app=fg").out.includes("No resources found"));
});
