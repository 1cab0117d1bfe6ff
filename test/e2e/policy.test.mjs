// Policy with the real kubectl: the docs' "Configure Memory and CPU Quotas for a Namespace" task (the
// second pod refused with the quota's message, status.used kept by the controller), object-count
// quotas refusing a Deployment's pods (the ReplicaSet's FailedCreate event), LimitRange defaults and
// bounds at admission, a PodDisruptionBudget refusing evictions and holding up `kubectl drain`, and a
// PriorityClass whose pods preempt lower-priority ones.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

/** A new cluster: a control plane and two workers, on the instant clock. */
const fresh = () => server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }] });

before(async () => {
  server = await Server.start();
  s = await fresh();
});

after(async () => {
  await server?.stop();
});

const json = (out) => JSON.parse(out);
/** kubectl 1.33, the version the workstation's kubectl follows. */
const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml, ns) => k(["apply", ...(ns ? ["-n", ns] : []), "-f", "-"], { input: yaml });
/** The cells of a printed table (columns are two or more spaces apart), ages as <age>. */
const cells = (text) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => line.split(/\s{2,}/).map((c) => (/^\d+(?:s|m|h)(?:\d+s)?$/.test(c) ? "<age>" : c)));

// https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/quota-memory-cpu-namespace/
const QUOTA_MEM_CPU = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: mem-cpu-demo
spec:
  hard:
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
`;
const QUOTA_MEM_CPU_POD = `apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo
spec:
  containers:
  - name: quota-mem-cpu-demo-ctr
    image: nginx
    resources:
      limits:
        memory: "800Mi"
        cpu: "800m"
      requests:
        memory: "600Mi"
        cpu: "400m"
`;
const QUOTA_MEM_CPU_POD_2 = `apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo-2
spec:
  containers:
  - name: quota-mem-cpu-demo-2-ctr
    image: redis
    resources:
      limits:
        memory: "1Gi"
        cpu: "800m"
      requests:
        memory: "700Mi"
        cpu: "400m"
`;

test("the docs' memory and CPU quota: the first pod is charged, the second refused with the quota's message", async () => {
  k("create namespace quota-mem-cpu-example");
  apply(QUOTA_MEM_CPU, "quota-mem-cpu-example");
  apply(QUOTA_MEM_CPU_POD, "quota-mem-cpu-example");
  const r = kubectl(["apply", "-n", "quota-mem-cpu-example", "-f", "-"], { input: QUOTA_MEM_CPU_POD_2 });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'Error from server (Forbidden): error when creating "STDIN": pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi\n',
  );
  const q = await eventually(() => {
    const q = json(k("get resourcequota mem-cpu-demo -n quota-mem-cpu-example -o json"));
    assert.equal(q.status?.used?.["requests.cpu"], "400m");
    return q;
  });
  assert.deepEqual(q.status, {
    hard: { "limits.cpu": "2", "limits.memory": "2Gi", "requests.cpu": "1", "requests.memory": "1Gi" },
    used: { "limits.cpu": "800m", "limits.memory": "800Mi", "requests.cpu": "400m", "requests.memory": "600Mi" },
  });
  assert.deepEqual(cells(k("get quota -n quota-mem-cpu-example")), [
    ["NAME", "AGE", "REQUEST", "LIMIT"],
    ["mem-cpu-demo", "<age>", "requests.cpu: 400m/1, requests.memory: 600Mi/1Gi", "limits.cpu: 800m/2, limits.memory: 800Mi/2Gi"],
  ]);
  assert.equal(
    k("describe quota mem-cpu-demo -n quota-mem-cpu-example"),
    [
      "Name:            mem-cpu-demo",
      "Namespace:       quota-mem-cpu-example",
      "Resource         Used   Hard",
      "--------         ----   ----",
      "limits.cpu       800m   2",
      "limits.memory    800Mi  2Gi",
      "requests.cpu     400m   1",
      "requests.memory  600Mi  1Gi",
      "",
    ].join("\n"),
  );
  // A pod that names no cpu or memory is refused by the same quota, container by container.
  const bare = kubectl("run bare --image=nginx -n quota-mem-cpu-example");
  assert.equal(
    bare.stderr,
    'Error from server (Forbidden): pods "bare" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: bare; limits.memory for: bare; requests.cpu for: bare; requests.memory for: bare\n',
  );
  // Deleting the first pod gives its share back.
  k("delete pod quota-mem-cpu-demo -n quota-mem-cpu-example --grace-period=0 --force");
  await eventually(() => json(k("get quota mem-cpu-demo -n quota-mem-cpu-example -o json")).status.used["requests.memory"] === "0");
  apply(QUOTA_MEM_CPU_POD_2, "quota-mem-cpu-example");
});

test("an object-count quota stops a Deployment at its pod count: the ReplicaSet records FailedCreate with the quota's message", async () => {
  k("create namespace counted");
  k("create quota pods-cm --hard=pods=2,configmaps=3,count/deployments.apps=1 -n counted");
  k("create deployment web --image=nginx --replicas=3 -n counted");
  await eventually(() => {
    const events = json(k("get events -n counted --field-selector reason=FailedCreate -o json")).items;
    assert.ok(events.length > 0);
    assert.equal(events[0].involvedObject.kind, "ReplicaSet");
    assert.match(
      events[0].message,
      /^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pods-cm, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    return true;
  });
  assert.equal(json(k("get pods -n counted -o json")).items.length, 2);
  await eventually(() => cells(k("get quota -n counted --no-headers"))[0][2] === "configmaps: 1/3, count/deployments.apps: 1/1, pods: 2/2");
  const second = kubectl("create deployment other --image=nginx -n counted");
  assert.equal(
    second.stderr,
    'error: failed to create deployment: deployments.apps "other" is forbidden: exceeded quota: pods-cm, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1\n',
  );
  const rs = json(k("get rs -n counted -o json")).items[0];
  assert.deepEqual(
    rs.status.conditions.map((c) => [c.type, c.reason]),
    [["ReplicaFailure", "FailedCreate"]],
  );
});

test("a quota with a BestEffort scope counts only best-effort pods, and describe names its scope", async () => {
  k("create namespace scoped");
  k("create quota besteffort --hard=pods=1 --scopes=BestEffort -n scoped");
  k("run a --image=nginx -n scoped");
  const refused = kubectl("run b --image=nginx -n scoped");
  assert.equal(
    refused.stderr,
    'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1\n',
  );
  apply(
    `apiVersion: v1
kind: Pod
metadata: {name: burstable}
spec:
  containers:
  - name: c
    image: nginx
    resources: {requests: {cpu: 100m}}
`,
    "scoped",
  );
  assert.equal(
    k("describe quota besteffort -n scoped"),
    [
      "Name:       besteffort",
      "Namespace:  scoped",
      "Scopes:     BestEffort",
      " * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
      "Resource  Used  Hard",
      "--------  ----  ----",
      "pods      1     1",
      "",
    ].join("\n"),
  );
});

// https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/memory-default-namespace/
const MEMORY_DEFAULTS = `apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
`;
const DEFAULT_MEM_POD = `apiVersion: v1
kind: Pod
metadata:
  name: default-mem-demo
spec:
  containers:
  - name: default-mem-demo-ctr
    image: nginx
`;

test("the docs' default memory LimitRange: a pod without resources gets the defaults and the LimitRanger annotation", () => {
  k("create namespace default-mem-example");
  apply(MEMORY_DEFAULTS, "default-mem-example");
  apply(DEFAULT_MEM_POD, "default-mem-example");
  const pod = json(k("get pod default-mem-demo -n default-mem-example -o json"));
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { memory: "512Mi" }, requests: { memory: "256Mi" } });
  assert.equal(
    pod.metadata.annotations["kubernetes.io/limit-ranger"],
    "LimitRanger plugin set: memory request for container default-mem-demo-ctr; memory limit for container default-mem-demo-ctr",
  );
  assert.equal(pod.status.qosClass, "Burstable");
  assert.deepEqual(
    cells(k("get limits -n default-mem-example")).map((r) => r[0]),
    ["NAME", "mem-limit-range"],
  );
  assert.match(cells(k("get limits -n default-mem-example"))[1][1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(
    k("describe limitrange mem-limit-range -n default-mem-example"),
    [
      "Name:       mem-limit-range",
      "Namespace:  default-mem-example",
      "Type        Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio",
      "----        --------  ---  ---  ---------------  -------------  -----------------------",
      "Container   memory    -    -    256Mi            512Mi          -",
      "",
    ].join("\n"),
  );
});

test("a LimitRange's bounds refuse a pod and a claim with the plugin's messages", () => {
  k("create namespace bounded");
  apply(
    `apiVersion: v1
kind: LimitRange
metadata: {name: bounds}
spec:
  limits:
  - type: Container
    min: {cpu: 100m}
    max: {memory: 1Gi}
  - type: PersistentVolumeClaim
    max: {storage: 2Gi}
`,
    "bounded",
  );
  const p = kubectl(["apply", "-n", "bounded", "-f", "-"], {
    input: `apiVersion: v1
kind: Pod
metadata: {name: x}
spec:
  containers:
  - name: nginx
    image: nginx
    resources:
      requests: {cpu: 50m}
      limits: {memory: 2Gi}
`,
  });
  assert.equal(
    p.stderr,
    'Error from server (Forbidden): error when creating "STDIN": pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]\n',
  );
  const c = kubectl(["create", "-n", "bounded", "-f", "-"], {
    input: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: big}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 5Gi}}
`,
  });
  assert.equal(
    c.stderr,
    'Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi\n',
  );
  // The range's defaults (from min and max) make a bare pod fit.
  k("run fits --image=nginx -n bounded");
  assert.deepEqual(json(k("get pod fits -n bounded -o json")).spec.containers[0].resources, {
    limits: { memory: "1Gi" },
    requests: { cpu: "100m", memory: "1Gi" },
  });
});

test("a PodDisruptionBudget with minAvailable 2 over 2 replicas: its status, the eviction API's 429, and kubectl drain retrying until its timeout", async () => {
  // A cluster of its own: drain would stop at the bare pods of the tests above.
  s = await fresh();
  k("create namespace guarded");
  k("create deployment web --image=nginx --replicas=2 -n guarded");
  k("create pdb web-pdb --selector=app=web --min-available=2 -n guarded");
  k("rollout status deployment/web -n guarded --timeout=60s");
  const pdb = await eventually(() => {
    const p = json(k("get pdb web-pdb -n guarded -o json"));
    return p.status.currentHealthy === 2 && p;
  });
  assert.deepEqual(
    { ...pdb.status, conditions: pdb.status.conditions.map(({ lastTransitionTime, ...c }) => c) },
    {
      currentHealthy: 2,
      desiredHealthy: 2,
      disruptionsAllowed: 0,
      expectedPods: 2,
      observedGeneration: 1,
      conditions: [{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: 1 }],
    },
  );
  assert.deepEqual(cells(k("get pdb -n guarded")), [
    ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
    ["web-pdb", "2", "N/A", "0", "<age>"],
  ]);
  assert.equal(
    k("describe pdb web-pdb -n guarded"),
    [
      "Name:           web-pdb",
      "Namespace:      guarded",
      "Min available:  2",
      "Selector:       app=web",
      "Status:",
      "    Allowed disruptions:  0",
      "    Current:              2",
      "    Desired:              2",
      "    Total:                2",
      "Events:                   <none>",
      "",
    ].join("\n"),
  );
  const pods = json(k("get pods -n guarded -l app=web -o json")).items;
  const victim = pods[0].metadata.name;
  const r = await s.api(`/api/v1/namespaces/guarded/pods/${victim}/eviction`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: victim } }),
  });
  assert.equal(r.status, 429);
  assert.deepEqual(r.json, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: "TooManyRequests",
    details: {
      causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb needs 2 healthy pods and has 2 currently" }],
    },
    code: 429,
  });

  const node = pods[0].spec.nodeName;
  const drain = kubectl(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=7s"], { timeout: 30_000 });
  assert.equal(drain.code, 1);
  assert.ok(drain.stdout.startsWith(`node/${node} cordoned\n`));
  assert.match(drain.stdout, new RegExp(`^evicting pod guarded/${victim}$`, "m"));
  assert.ok(
    drain.stderr.includes(
      `error when evicting pods/"${victim}" -n "guarded" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`,
    ),
  );
  assert.ok(
    drain.stderr.endsWith(
      [
        `There are pending pods in node "${node}" when an error occurred: error when evicting pods/"${victim}" -n "guarded": global timeout reached: 7s`,
        `pod/${victim}`,
        `error: unable to drain node "${node}" due to error: error when evicting pods/"${victim}" -n "guarded": global timeout reached: 7s, continuing command...`,
        "There are pending nodes to be drained:",
        ` ${node}`,
        `error when evicting pods/"${victim}" -n "guarded": global timeout reached: 7s`,
        "",
      ].join("\n"),
    ),
    drain.stderr,
  );
  assert.equal(json(k(`get pod ${victim} -n guarded -o json`)).metadata.deletionTimestamp, undefined);

  // With the budget lowered, the same drain goes through: the pod is evicted, the budget charged.
  k(["patch", "pdb", "web-pdb", "-n", "guarded", "--type=merge", "-p", '{"spec":{"minAvailable":1}}']);
  await eventually(() => json(k("get pdb web-pdb -n guarded -o json")).status.disruptionsAllowed === 1);
  const ok = kubectl(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"], { timeout: 90_000 });
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.stdout, new RegExp(`^pod/${victim} evicted$`, "m"));
  assert.ok(ok.stdout.endsWith(`node/${node} drained\n`));
  k(`uncordon ${node}`);
});

test("the system PriorityClasses are served, a pod naming an unknown class is refused, and a high-priority pod preempts a low-priority one", async () => {
  // A cluster of its own: the workers' cpu must be free but for the fillers.
  s = await fresh();
  assert.deepEqual(cells(k("get pc")), [
    ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"],
    ["system-cluster-critical", "2000000000", "false", "<age>", "PreemptLowerPriority"],
    ["system-node-critical", "2000001000", "false", "<age>", "PreemptLowerPriority"],
  ]);
  const unknown = kubectl(["run", "nope", "--image=nginx", "--overrides", '{"spec":{"priorityClassName":"foo"}}']);
  assert.equal(unknown.stderr, 'Error from server (Forbidden): pods "nope" is forbidden: no PriorityClass with name foo was found\n');

  k("create namespace preempt");
  apply(
    `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: low-priority
value: 1000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority
value: 1000000
globalDefault: false
description: "This priority class should be used for XYZ service pods only."
`,
  );
  assert.equal(
    k("describe pc high-priority"),
    [
      "Name:              high-priority",
      "Value:             1000000",
      "GlobalDefault:     false",
      "PreemptionPolicy:  PreemptLowerPriority",
      "Description:       This priority class should be used for XYZ service pods only.",
      'Annotations:       kubectl.kubernetes.io/last-applied-configuration={"apiVersion":"scheduling.k8s.io/v1","description":"This priority class should be used for XYZ service pods only.","globalDefault":false,"kind":"PriorityClass","metadata":{"annotations":{},"name":"high-priority"},"value":1000000}',
      "",
      "Events:  <none>",
      "",
    ].join("\n"),
  );
  // Two workers of 2 cpus: one low-priority pod of 1500m on each fills them.
  apply(
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: filler}
spec:
  replicas: 2
  selector: {matchLabels: {app: filler}}
  template:
    metadata: {labels: {app: filler}}
    spec:
      priorityClassName: low-priority
      containers:
      - {name: c, image: nginx, resources: {requests: {cpu: 1500m}}}
`,
    "preempt",
  );
  k("rollout status deployment/filler -n preempt --timeout=60s");
  const before = json(k("get pods -n preempt -o json")).items;
  assert.deepEqual(
    before.map((p) => p.spec.priority),
    [1000, 1000],
  );
  apply(
    `apiVersion: v1
kind: Pod
metadata: {name: important}
spec:
  priorityClassName: high-priority
  containers:
  - {name: c, image: nginx, resources: {requests: {cpu: 1500m}}}
`,
    "preempt",
  );
  const running = await eventually(() => {
    const p = json(k("get pod important -n preempt -o json"));
    return p.status.phase === "Running" && p;
  });
  assert.equal(running.spec.priority, 1000000);
  assert.equal(running.status.nominatedNodeName, running.spec.nodeName);
  const victim = before.find((p) => p.spec.nodeName === running.spec.nodeName);
  const preempted = json(k("get events -n preempt --field-selector reason=Preempted -o json")).items;
  assert.deepEqual(
    preempted.map((e) => [e.involvedObject.name, e.message, e.source.component]),
    [[victim.metadata.name, `Preempted by pod ${running.metadata.uid} on node ${running.spec.nodeName}`, "default-scheduler"]],
  );
  const failed = json(k("get events -n preempt --field-selector involvedObject.name=important,reason=FailedScheduling -o json")).items;
  assert.equal(
    failed[0].message,
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.",
  );
  // The victim's replacement cannot preempt back: nothing below its priority is left.
  await eventually(() => {
    const pending = json(k("get pods -n preempt -l app=filler --field-selector status.phase=Pending -o json")).items;
    return pending.length === 1 && pending[0].status.conditions?.[0]?.reason === "Unschedulable" && pending[0];
  });
});
