// metrics-server and the HorizontalPodAutoscaler with the real kubectl: `kubectl top` over
// metrics.k8s.io (idle servers, busy programs, CPU limits, node totals), the docs' "HorizontalPodAutoscaler
// Walkthrough" (php-apache, `kubectl autoscale`, a load generator, scale-up, then scale-down after the
// stabilisation window) on the instant clock, autoscaling/v1 over the same object, and validation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KUBECTL, Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });

/** `kubectl top` rows as objects keyed by the header's columns. */
function rows(out) {
  const [header, ...lines] = out.trim().split("\n");
  const cols = header.trim().split(/\s+/);
  return lines.map((l) =>
    Object.fromEntries(
      l
        .trim()
        .split(/\s+/)
        .map((v, i) => [cols[i], v]),
    ),
  );
}
const milli = (v) => Number(v.replace(/m$/, ""));
const mib = (v) => Number(v.replace(/Mi$/, ""));

/** The docs' php-apache Deployment and Service (application/php-apache.yaml). */
const PHP_APACHE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
`;

const BUSY = `apiVersion: v1
kind: Pod
metadata:
  name: spin
spec:
  containers:
  - name: spin
    image: busybox
    command: ["sh", "-c", "while true; do :; done"]
    resources:
      limits:
        cpu: 300m
  - name: idle
    image: busybox
    command: ["sleep", "3600"]
`;

test("kubectl top pods: an idle nginx costs about a millicore and 3Mi, a busy loop its CPU limit, dd from /dev/zero a whole core; --containers and --sort-by order them", async () => {
  k("run web --image=nginx");
  apply(BUSY);
  k(["run", "dd", "--image=busybox", "--", "dd", "if=/dev/zero", "of=/dev/null"]);
  k("wait --for=condition=Ready pod/web pod/spin pod/dd --timeout=30s");
  const pods = await eventually(() => {
    const r = kubectl("top pods");
    return r.code === 0 && rows(r.stdout).length === 3 && rows(r.stdout);
  });
  const by = Object.fromEntries(pods.map((p) => [p.NAME, p]));
  assert.ok(
    milli(by.web["CPU(cores)"]) <= 3 && mib(by.web["MEMORY(bytes)"]) >= 2 && mib(by.web["MEMORY(bytes)"]) <= 5,
    JSON.stringify(by.web),
  );
  const spin = milli(by.spin["CPU(cores)"]);
  assert.ok(spin <= 300 && spin >= 297, `the loop is throttled at its 300m limit, never above: ${by.spin["CPU(cores)"]}`);
  assert.ok(Math.abs(milli(by.dd["CPU(cores)"]) - 1000) <= 5, `dd spins a core: ${by.dd["CPU(cores)"]}`);
  const sorted = rows(k("top pods --sort-by=cpu")).map((p) => p.NAME);
  assert.deepEqual(sorted, ["dd", "spin", "web"]);
  const containers = rows(k("top pod spin --containers"));
  assert.deepEqual(
    containers.map((c) => [c.POD, c.NAME]),
    [
      ["spin", "idle"],
      ["spin", "spin"],
    ],
  );
  assert.equal(containers[0]["CPU(cores)"], "0m", "sleep uses no CPU");
});

test("kubectl top nodes: each Ready node's usage covers its pods plus its own system processes, as a share of allocatable", async () => {
  const nodes = rows(k("top nodes"));
  const allocatable = JSON.parse(k("get nodes -o json")).items;
  assert.deepEqual(
    nodes.map((n) => n.NAME),
    allocatable.map((n) => n.metadata.name).sort(),
  );
  const podsOn = {};
  for (const p of JSON.parse(k("get pods -A -o json")).items) podsOn[`${p.metadata.namespace}/${p.metadata.name}`] = p.spec.nodeName;
  const podRows = rows(k("top pods -A"));
  for (const n of nodes) {
    const node = allocatable.find((x) => x.metadata.name === n.NAME);
    const cores = Number(node.status.allocatable.cpu);
    assert.equal(Number(n["CPU(%)"].replace("%", "")), Math.trunc((milli(n["CPU(cores)"]) / (cores * 1000)) * 100), n.NAME);
    const pods = podRows.filter((p) => podsOn[`${p.NAMESPACE}/${p.NAME}`] === n.NAME);
    const podCPU = pods.reduce((a, p) => a + milli(p["CPU(cores)"]), 0);
    const podMem = pods.reduce((a, p) => a + mib(p["MEMORY(bytes)"]), 0);
    // Rounding: each pod's millicores round up, so the node may read a few under their sum.
    assert.ok(milli(n["CPU(cores)"]) >= podCPU - pods.length, `${n.NAME}: ${n["CPU(cores)"]} for pods using ${podCPU}m`);
    assert.ok(mib(n["MEMORY(bytes)"]) >= podMem + 200, `${n.NAME}: ${n["MEMORY(bytes)"]} for pods using ${podMem}Mi`);
  }
  assert.ok(milli(nodes.find((n) => n.NAME === podsOn["default/dd"])["CPU(cores)"]) >= 1000, "the node running dd is a core busy");
});

test("kubectl top reads the same figures twice within a scrape window, and kubectl 1.32 prints them too", async () => {
  // metrics-server scrapes every 15 s: both reads go early in one window.
  if (Date.now() % 15_000 > 10_000) await new Promise((r) => setTimeout(r, 15_100 - (Date.now() % 15_000)));
  const a = k("top pods -A --sort-by=memory");
  const b = s.k("top pods -A --sort-by=memory", { version: "default" });
  assert.equal(b, a);
  assert.match(a, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s+\n/);
});

test("kubectl top of a missing pod or node, of an empty namespace and with a bad --sort-by answers as metrics-server and kubectl do; metrics.k8s.io discovery and wire format", () => {
  const missing = kubectl("top pod nosuch");
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "default/nosuch" not found\n');
  assert.equal(kubectl("top node nosuch").stderr, 'Error from server (NotFound): node "nosuch" not found\n');
  k("create namespace empty");
  const none = kubectl("top pods -n empty");
  assert.deepEqual([none.code, none.stderr], [0, "No resources found in empty namespace.\n"]);
  assert.equal(kubectl("top pods --sort-by=disk").stderr, "error: --sort-by accepts only cpu or memory\n");
  const discovery = JSON.parse(k("get --raw /apis/metrics.k8s.io/v1beta1"));
  assert.deepEqual(
    discovery.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs]),
    [
      ["nodes", "NodeMetrics", false, ["get", "list"]],
      ["pods", "PodMetrics", true, ["get", "list"]],
    ],
  );
  const pm = JSON.parse(k("get --raw /apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web"));
  assert.equal(pm.window, "15s");
  assert.match(pm.containers[0].usage.cpu, /^\d+n$/);
  assert.match(pm.containers[0].usage.memory, /^\d+Ki$/);
});

test("the HorizontalPodAutoscaler walkthrough: kubectl autoscale, a load generator scales php-apache up, and without load it scales back down after the stabilisation window", async () => {
  apply(PHP_APACHE);
  k("rollout status deployment/php-apache --timeout=30s");
  assert.equal(
    k("autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10"),
    "horizontalpodautoscaler.autoscaling/php-apache autoscaled\n",
  );
  const stored = JSON.parse(k("get hpa php-apache -o json"));
  assert.equal(stored.apiVersion, "autoscaling/v2");
  assert.deepEqual(stored.spec.metrics, [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
  ]);
  const idle = await eventually(() => {
    const out = k("get hpa");
    return /cpu: \d%\/50%/.test(out) && out;
  });
  assert.match(idle, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n/);
  assert.match(idle, /\nphp-apache\s+Deployment\/php-apache\s+cpu: [01]%\/50%\s+1\s+10\s+1\s+\d+s\n$/);

  // The docs' load generator: an interactive pod that is removed when its loop is interrupted.
  const generator = s.terminal(
    `${KUBECTL["1.33"]} run -i --tty load-generator --rm --image=busybox:1.28 --restart=Never -- /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"`,
    ["\x03"],
    { firstAfter: 10_000, timeout: 40_000 },
  );
  const scaled = await eventually(
    () => {
      const hpa = JSON.parse(k("get hpa php-apache -o json"));
      return hpa.status.currentReplicas > 1 && hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization <= 60 && hpa;
    },
    { timeout: 30_000 },
  );
  assert.ok(scaled.status.currentReplicas >= 4 && scaled.status.currentReplicas <= 10, `replicas ${scaled.status.currentReplicas}`);
  const ups = k(
    "get events --field-selector involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale -o jsonpath={.items[*].message}",
  );
  assert.match(ups, /^New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
  const conditions = Object.fromEntries(scaled.status.conditions.map((c) => [c.type, [c.status, c.reason]]));
  assert.deepEqual(conditions.ScalingActive, ["True", "ValidMetricFound"]);
  assert.equal(k("get deployment php-apache -o jsonpath={.spec.replicas}"), String(scaled.status.currentReplicas));

  const ended = await generator;
  assert.match(ended.out, /\^Cpod "load-generator" deleted\r?\npod default\/load-generator terminated \(Error\)/);
  const down = await eventually(() => JSON.parse(k("get hpa php-apache -o json")).status.currentReplicas === 1, { timeout: 30_000 });
  assert.ok(down);
  const events = k(
    "get events --field-selector involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale -o jsonpath={.items[*].message}",
  );
  assert.match(events, /New size: 1; reason: All metrics below target$/);
  const described = k("describe hpa php-apache");
  assert.match(described, /\nReference:\s+Deployment\/php-apache\n/);
  assert.match(described, /\n {2}resource cpu on pods {2}\(as a percentage of request\): {2}\d+% \(\d+m\) \/ 50%\n/);
  assert.match(described, /\nDeployment pods:\s+1 current \/ 1 desired\n/);
});

test("autoscaling/v1 serves the same HorizontalPodAutoscaler with its CPU target, and an HPA without a target defaults to 80%", async () => {
  const v1 = JSON.parse(k("get --raw /apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/php-apache"));
  assert.equal(v1.apiVersion, "autoscaling/v1");
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  assert.equal(typeof v1.status.currentCPUUtilizationPercentage, "number");
  assert.ok(JSON.parse(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/conditions"]).some((c) => c.type === "ScalingActive"));
  const created = JSON.parse(
    k(["create", "-f", "-", "-o", "json"], {
      input: JSON.stringify({
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web" },
        spec: { scaleTargetRef: { apiVersion: "v1", kind: "Pod", name: "web" }, maxReplicas: 3 },
      }),
    }),
  );
  assert.equal(created.spec.minReplicas, 1);
  const v2 = JSON.parse(k("get hpa web -o json"));
  assert.deepEqual(v2.spec.metrics, [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
  ]);
  // A Pod has no scale subresource: the controller says so.
  const failed = await eventually(() =>
    k("get events --field-selector involvedObject.name=web,reason=FailedGetScale -o jsonpath={.items[0].message}"),
  );
  assert.equal(failed, "the server could not find the requested resource");
  const cond = JSON.parse(k("get hpa web -o json")).status.conditions.find((c) => c.type === "AbleToScale");
  assert.deepEqual([cond.status, cond.reason], ["False", "FailedGetScale"]);
});

test("an invalid HorizontalPodAutoscaler is refused with the API server's field errors", () => {
  const r = kubectl(["apply", "-f", "-"], {
    input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: bad}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 3
  maxReplicas: 2
  behavior: {scaleDown: {policies: [{type: Pods, value: 0, periodSeconds: 15}]}}
`,
  });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'The HorizontalPodAutoscaler "bad" is invalid: \n* spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`\n* spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero\n',
  );
  // A bad target reference is reported alone: metrics and behavior are checked only after it.
  const r2 = kubectl(["apply", "-f", "-"], {
    input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: bad}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment}
  maxReplicas: 2
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}}]
`,
  });
  assert.equal(r2.stderr, 'The HorizontalPodAutoscaler "bad" is invalid: spec.scaleTargetRef.name: Required value\n');
});

test("without a serving metrics-server, kubectl top and the HPA get the aggregator's 503; scaled back, both work again", async () => {
  k("-n kube-system scale deployment metrics-server --replicas=0");
  const down = await eventually(() => {
    const r = kubectl("top nodes");
    return r.code === 1 && r;
  });
  assert.equal(
    down.stderr,
    "Error from server (ServiceUnavailable): the server is currently unable to handle the request (get nodes.metrics.k8s.io)\n",
  );
  const hpa = await eventually(() => {
    const c = JSON.parse(k("get hpa php-apache -o json")).status.conditions.find((x) => x.type === "ScalingActive");
    return c?.status === "False" && c;
  });
  assert.equal(
    hpa.message,
    "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)",
  );
  k("-n kube-system scale deployment metrics-server --replicas=1");
  await eventually(() => kubectl("top nodes").code === 0);
});
