// StatefulSets with the real kubectl, following the docs' "StatefulSet Basics" tutorial: the headless
// Service nginx and the StatefulSet web, ordered creation, stable hostnames and DNS names, a claim per
// pod that outlives it, scaling up and down in order, RollingUpdate with a partition, OnDelete,
// rollout status/history/undo, Parallel management, the claim retention policy, and the refusal of
// updates to fixed fields.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { KUBECTL, Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({
    clock: "instant",
    nodes: [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }],
  });
});

after(async () => {
  await server?.stop();
});

const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });
const json = (args) => JSON.parse(k([...args, "-o", "json"]));

const WEB = (name = "web", extra = "") => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: "nginx"
  replicas: 2
  selector:
    matchLabels:
      app: ${name === "web" ? "nginx" : name}
${extra}  template:
    metadata:
      labels:
        app: ${name === "web" ? "nginx" : name}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.21
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
`;

const podNames = (sel) =>
  k(["get", "pods", "-l", sel, "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']).trim().split("\n").filter(Boolean).sort();
const readyCount = (name) => json(["get", "sts", name]).status?.readyReplicas ?? 0;
/** The set reports n ready replicas and its n live pods are Ready. */
const waitReady = (name, n) =>
  eventually(
    () => {
      const sel = name === "web" ? "app=nginx" : `app=${name}`;
      const pods = json(["get", "pods", "-l", sel]).items.filter((p) => !p.metadata.deletionTimestamp);
      const ready = pods.filter((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      return readyCount(name) === n && json(["get", "sts", name]).status.replicas === n && ready.length === n;
    },
    { timeout: 60_000 },
  );
/** Events of the set, oldest first, as "reason message". */
const setEvents = (name) =>
  json(["get", "events", "--field-selector", `involvedObject.kind=StatefulSet,involvedObject.name=${name}`])
    .items.sort(
      (a, b) =>
        Date.parse(a.firstTimestamp ?? a.eventTime) - Date.parse(b.firstTimestamp ?? b.eventTime) ||
        a.metadata.resourceVersion - b.metadata.resourceVersion,
    )
    .map((e) => `${e.reason} ${e.message}`);

test("the tutorial's web StatefulSet creates web-0, then web-1 once web-0 is Running and Ready", async () => {
  apply(SERVICE);
  // The watch starts before the set exists and sees every pod change from the first one on.
  const child = spawn(KUBECTL["1.33"], ["get", "pods", "-w", "-l", "app=nginx"], { env: { ...process.env, KUBECONFIG: s.kubeconfigPath } });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500));
  apply(WEB());
  await eventually(() => /^web-1\s+1\/1\s+Running/m.test(out), { timeout: 60_000 });
  child.kill();
  const lines = out.trim().split("\n");
  const web0Running = lines.findIndex((l) => /^web-0\s+1\/1\s+Running/.test(l));
  const web1First = lines.findIndex((l) => l.startsWith("web-1"));
  assert.ok(web0Running > 0 && web1First > web0Running, out);
  assert.match(lines[web1First], /^web-1\s+0\/1\s+Pending\s+0\s+0s$/);
  await waitReady("web", 2);
  const events = setEvents("web");
  const i0 = events.indexOf("SuccessfulCreate create Pod web-0 in StatefulSet web successful");
  const i1 = events.indexOf("SuccessfulCreate create Pod web-1 in StatefulSet web successful");
  assert.ok(events.includes("SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success"), events.join("\n"));
  assert.ok(i0 >= 0 && i1 > i0, events.join("\n"));
  // web-1 was created only after web-0 became Ready.
  const web0 = json(["get", "pod", "web-0"]);
  const web1 = json(["get", "pod", "web-1"]);
  const ready0 = Date.parse(web0.status.conditions.find((c) => c.type === "Ready").lastTransitionTime);
  assert.ok(Date.parse(web1.metadata.creationTimestamp) >= ready0);
  assert.match(k(["get", "sts", "web"]), /^NAME\s+READY\s+AGE\nweb\s+2\/2\s+\d+s\n$/);
  assert.match(
    k(["get", "sts", "web", "-o", "wide"]),
    /^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\nweb\s+2\/2\s+\S+\s+nginx\s+registry\.k8s\.io\/nginx-slim:0\.21\n$/,
  );
});

test("each pod has its ordinal identity: hostname, subdomain, labels, owner", () => {
  for (const i of [0, 1]) {
    assert.equal(k(["exec", `web-${i}`, "--", "sh", "-c", "hostname"]), `web-${i}\n`);
    const pod = json(["get", "pod", `web-${i}`]);
    assert.equal(pod.spec.hostname, `web-${i}`);
    assert.equal(pod.spec.subdomain, "nginx");
    assert.equal(pod.metadata.labels["statefulset.kubernetes.io/pod-name"], `web-${i}`);
    assert.equal(pod.metadata.labels["apps.kubernetes.io/pod-index"], String(i));
    assert.equal(pod.metadata.ownerReferences[0].kind, "StatefulSet");
    assert.deepEqual(pod.spec.volumes[0], { name: "www", persistentVolumeClaim: { claimName: `www-web-${i}` } });
  }
});

test("the headless Service gives each pod a DNS name, and its own name all ready pods (busybox:1.28's nslookup)", () => {
  const ip0 = json(["get", "pod", "web-0"]).status.podIP;
  const ip1 = json(["get", "pod", "web-1"]).status.podIP;
  const dns = (name, host) =>
    kubectl(["run", "-i", "--rm", "--restart=Never", "--image", "busybox:1.28", name, "--", "nslookup", host], { timeout: 60_000 });
  const server = "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n";
  assert.equal(
    dns("dns-test", "web-0.nginx").stdout,
    `${server}Name:      web-0.nginx\nAddress 1: ${ip0} web-0.nginx.default.svc.cluster.local\npod "dns-test" deleted\n`,
  );
  const all = dns("dns-test2", "nginx.default.svc.cluster.local").stdout;
  assert.ok(
    all.includes(`${ip0} web-0.nginx.default.svc.cluster.local`) && all.includes(`${ip1} web-1.nginx.default.svc.cluster.local`),
    all,
  );
  const missing = dns("dns-test3", "web-9.nginx");
  assert.match(missing.stdout, /nslookup: can't resolve 'web-9\.nginx'\n/);
});

test("the claims are Bound and what was written there survives the pods' deletion", async () => {
  const pvcs = k(["get", "pvc", "-l", "app=nginx"]);
  assert.match(pvcs, /^www-web-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path/m);
  assert.match(pvcs, /^www-web-1\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path/m);
  for (const i of [0, 1]) k(["exec", `web-${i}`, "--", "sh", "-c", 'echo "$(hostname)" > /usr/share/nginx/html/index.html']);
  const uids = [0, 1].map((i) => json(["get", "pod", `web-${i}`]).metadata.uid);
  // --wait=false: with the instant clock the new web-N can exist before kubectl's wait starts
  // listing, and kubectl would then wait for a deletion it already missed.
  k(["delete", "pod", "-l", "app=nginx", "--wait=false"]);
  await eventually(() => [0, 1].every((i) => kubectl(["get", "pod", `web-${i}`, "-o", "jsonpath={.metadata.uid}"]).stdout !== uids[i]), {
    timeout: 30_000,
  });
  await waitReady("web", 2);
  for (const i of [0, 1]) assert.equal(k(["exec", `web-${i}`, "--", "curl", "-s", "http://localhost/"]), `web-${i}\n`);
});

test("scaling up adds the next ordinals in order; scaling down removes the highest first and keeps the claims", async () => {
  k(["scale", "sts", "web", "--replicas=5"]);
  await waitReady("web", 5);
  assert.deepEqual(podNames("app=nginx"), ["web-0", "web-1", "web-2", "web-3", "web-4"]);
  const created = setEvents("web").filter((e) => /create Pod web-[234] /.test(e));
  assert.deepEqual(
    created.map((e) => e.match(/web-\d/)[0]),
    ["web-2", "web-3", "web-4"],
  );
  k(["patch", "sts", "web", "-p", '{"spec":{"replicas":3}}']);
  await eventually(() => podNames("app=nginx").length === 3 && readyCount("web") === 3, { timeout: 60_000 });
  const deleted = setEvents("web").filter((e) => e.startsWith("SuccessfulDelete"));
  assert.deepEqual(deleted.slice(-2), [
    "SuccessfulDelete delete Pod web-4 in StatefulSet web successful",
    "SuccessfulDelete delete Pod web-3 in StatefulSet web successful",
  ]);
  // Retain (the default): the claims of web-3 and web-4 stay.
  assert.match(k(["get", "pvc", "www-web-3", "www-web-4", "-o", "name"]), /www-web-3\n.*www-web-4/s);
});

test("RollingUpdate with a partition updates only the ordinals at or above it; rollout status and history follow", async () => {
  k(["patch", "statefulset", "web", "-p", '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}']);
  k([
    "patch",
    "statefulset",
    "web",
    "--type=json",
    "-p",
    '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.k8s.io/nginx-slim:0.24"}]',
  ]);
  const image = (i) => json(["get", "pod", `web-${i}`]).spec.containers[0].image;
  await eventually(() => image(2) === "registry.k8s.io/nginx-slim:0.24" && readyCount("web") === 3, { timeout: 60_000 });
  assert.equal(image(1), "registry.k8s.io/nginx-slim:0.21");
  assert.equal(image(0), "registry.k8s.io/nginx-slim:0.21");
  const st = json(["get", "sts", "web"]).status;
  assert.notEqual(st.currentRevision, st.updateRevision);
  assert.equal(st.updatedReplicas, 1);
  assert.equal(k(["rollout", "status", "sts/web", "--timeout=30s"]), "partitioned roll out complete: 1 new pods have been updated...\n");

  k(["patch", "statefulset", "web", "-p", '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}}}}']);
  const out = k(["rollout", "status", "statefulset/web", "--timeout=60s"]);
  assert.match(out, /partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/);
  for (const i of [0, 1, 2]) assert.equal(image(i), "registry.k8s.io/nginx-slim:0.24");
  const done = json(["get", "sts", "web"]).status;
  assert.equal(done.currentRevision, done.updateRevision);
  assert.equal(json(["get", "pod", "web-0"]).metadata.labels["controller-revision-hash"], done.updateRevision);
  assert.equal(
    k(["rollout", "history", "statefulset/web"]),
    "statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n",
  );
  const revs = json(["get", "controllerrevisions", "-l", "app=nginx"])
    .items.map((r) => r.revision)
    .sort();
  assert.deepEqual(revs, [1, 2]);
});

test("rollout undo goes back to the previous revision's template", async () => {
  assert.equal(k(["rollout", "undo", "statefulset/web"]), "statefulset.apps/web rolled back\n");
  await eventually(() => json(["get", "sts", "web"]).spec.template.spec.containers[0].image === "registry.k8s.io/nginx-slim:0.21");
  k(["rollout", "status", "statefulset/web", "--timeout=60s"]);
  await eventually(() => json(["get", "pod", "web-0"]).spec.containers[0].image === "registry.k8s.io/nginx-slim:0.21", { timeout: 60_000 });
  // The undone template is revision 1 again, re-numbered 3.
  assert.equal(
    k(["rollout", "history", "statefulset/web"]),
    "statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n",
  );
});

test("OnDelete updates a pod only when it is deleted", async () => {
  k(["patch", "statefulset", "web", "-p", '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
  k(["set", "image", "sts/web", "nginx=registry.k8s.io/nginx-slim:0.24"]);
  await eventually(() => json(["get", "sts", "web"]).status.observedGeneration === json(["get", "sts", "web"]).metadata.generation);
  await new Promise((r) => setTimeout(r, 1500));
  const image = (i) => json(["get", "pod", `web-${i}`]).spec.containers[0].image;
  assert.equal(image(2), "registry.k8s.io/nginx-slim:0.21");
  const r = kubectl(["rollout", "status", "sts/web"]);
  assert.equal(r.stderr, "error: rollout status is only available for RollingUpdate strategy type\n");
  const uid = json(["get", "pod", "web-1"]).metadata.uid;
  k(["delete", "pod", "web-1"]);
  await eventually(() => json(["get", "pod", "web-1"]).metadata.uid !== uid && image(1) === "registry.k8s.io/nginx-slim:0.24", {
    timeout: 30_000,
  });
  assert.equal(image(2), "registry.k8s.io/nginx-slim:0.21");
});

test("Parallel creates every pod without waiting for the ones before it", async () => {
  apply(WEB("par", '  podManagementPolicy: "Parallel"\n').replace("replicas: 2", "replicas: 3"));
  await waitReady("par", 3);
  const pods = ["par-0", "par-1", "par-2"].map((n) => json(["get", "pod", n]));
  const firstReady = Math.min(...pods.map((p) => Date.parse(p.status.conditions.find((c) => c.type === "Ready").lastTransitionTime)));
  // All three were created before any became ready (OrderedReady would wait for par-0).
  for (const p of pods) assert.ok(Date.parse(p.metadata.creationTimestamp) <= firstReady, p.metadata.name);
  k(["scale", "sts", "par", "--replicas=0"]);
  await eventually(() => podNames("app=par").length === 0, { timeout: 30_000 });
});

test("persistentVolumeClaimRetentionPolicy Delete removes claims on scale-down and with the set; Retain keeps them", async () => {
  const policy = "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Delete\n";
  apply(WEB("ret", policy).replace("replicas: 2", "replicas: 3"));
  await waitReady("ret", 3);
  const owners = (n) => (json(["get", "pvc", n]).metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}/${r.controller}`);
  assert.deepEqual(owners("www-ret-2"), ["StatefulSet/ret/true"]);
  k(["scale", "sts", "ret", "--replicas=2"]);
  await eventually(() => kubectl(["get", "pvc", "www-ret-2"]).code !== 0, { timeout: 30_000 });
  assert.equal(kubectl(["get", "pvc", "www-ret-2"]).stderr, 'Error from server (NotFound): persistentvolumeclaims "www-ret-2" not found\n');
  k(["delete", "sts", "ret"]);
  await eventually(() => k(["get", "pvc", "-l", "app=ret", "-o", "name"]) === "", { timeout: 30_000 });
  // The default Retain policy: web's claims have no owners and stay after web is gone.
  assert.deepEqual(owners("www-web-0"), []);
  k(["delete", "sts", "par"]);
  await eventually(() => podNames("app=par").length === 0);
  assert.equal(k(["get", "pvc", "-l", "app=par", "-o", "name"]).trim().split("\n").length, 3);
});

test("the API server refuses updates to fixed fields and invalid specs", () => {
  const r = kubectl(["patch", "sts", "web", "-p", '{"spec":{"serviceName":"other"}}']);
  assert.equal(
    r.stderr,
    `The StatefulSet "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n`,
  );
  const bad = kubectl(["apply", "-f", "-"], { input: WEB("bad", '  podManagementPolicy: "Sometimes"\n') });
  assert.equal(
    bad.stderr,
    `The StatefulSet "bad" is invalid: spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'\n`,
  );
  const sts = json(["get", "sts", "web"]);
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
  assert.equal(sts.spec.volumeClaimTemplates[0].spec.volumeMode, "Filesystem");
  assert.equal(sts.spec.revisionHistoryLimit, 10);
});
