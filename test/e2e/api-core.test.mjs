// The API server core with the real kubectl: sessions, CRUD, apply, edit, patch, label, watch,
// output formats, explain, discovery, bad input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Server, eventually, KUBECTL } from "./lib/harness.mjs";
import { MYAPP_POD as MYAPP } from "./lib/manifests.mjs";

let server;
let s; // the main session

const deployment = (image, replicas = 2, extraEnv = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
        env:
        - name: A
          value: "1"${extraEnv}
`;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

test("session API answers with id, expiry, server and a kubeconfig", async () => {
  assert.match(s.id, /^[a-z0-9]{10,}$/);
  assert.equal(s.server, `${server.origin}/clusters/${s.id}`);
  assert.ok(Date.parse(s.expiresAt) > Date.now());
  assert.match(s.kubeconfig, new RegExp(`current-context: kubeplay-${s.id}`));
});

test("kubectl get nodes and namespaces answer from the first request", () => {
  const nodes = s.k("get nodes");
  assert.match(nodes, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
  assert.match(nodes, /controlplane\s+Ready\s+control-plane\s+\d+s\s+v1\.33\.\d+/);
  assert.match(nodes, /node01\s+Ready\s+<none>/);
  assert.match(nodes, /node02\s+Ready\s+<none>/);
  const ns = s.k("get ns");
  for (const name of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
    assert.match(ns, new RegExp(`${name}\\s+Active\\s+\\d+s`));
  }
  assert.match(s.k("get nodes -o wide"), /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
});

test("create -f, get in every output format, delete", () => {
  const file = s.file("myapp-pod.yaml", MYAPP);
  assert.equal(s.k(`create -f ${file}`).trim(), "pod/myapp created");
  const again = s.kubectl(`create -f ${file}`);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*myapp-pod.yaml": pods "myapp" already exists/);

  // The instant clock runs the pod at once; what `get pods` shows depends on when it looks.
  assert.match(
    s.k("get pods"),
    /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nmyapp\s+[01]\/1\s+(Pending|ContainerCreating|Running)\s+0\s+\d+s\n/,
  );
  const yaml = s.k("get pod myapp -o yaml");
  assert.match(yaml, /^apiVersion: v1\nkind: Pod\n/);
  assert.match(yaml, /uid: [0-9a-f-]{36}/);
  assert.match(yaml, /resourceVersion: "\d+"/);
  assert.match(yaml, /imagePullPolicy: IfNotPresent/);
  assert.match(yaml, /terminationMessagePath: \/dev\/termination-log/);
  const obj = JSON.parse(s.k("get pod myapp -o json"));
  assert.equal(obj.metadata.namespace, "default");
  assert.equal(obj.spec.containers[0].image, "username/myapp:0.0.1");
  assert.equal(s.k("get pods -o name").trim(), "pod/myapp");
  assert.equal(s.k(["get", "pod", "myapp", "-o", "jsonpath={.spec.containers[0].ports[0].containerPort}"]), "80");
  assert.match(
    s.k(["get", "pods", "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image"]),
    /^NAME\s+IMAGE\nmyapp\s+username\/myapp:0\.0\.1\n$/,
  );
  assert.match(s.k("get pods -o wide"), /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  assert.match(s.k("get pods --show-labels"), /LABELS/);
  assert.match(s.k("get pods -A"), /^NAMESPACE\s+NAME\s+READY/);
  assert.match(s.k(`delete -f ${file}`), /pod "myapp" deleted/);
  const gone = s.kubectl("get pod myapp");
  assert.match(gone.stderr, /Error from server \(NotFound\): pods "myapp" not found/);
});

test("apply creates, is unchanged the second time, configures a changed manifest", () => {
  const f = s.file("web.yaml", deployment("nginx:1.25"));
  assert.equal(s.k(`apply -f ${f}`).trim(), "deployment.apps/web created");
  assert.equal(s.k(`apply -f ${f}`).trim(), "deployment.apps/web unchanged");
  s.file("web.yaml", deployment("nginx:1.26", 3));
  assert.equal(s.k(`apply -f ${f}`).trim(), "deployment.apps/web configured");
  const d = JSON.parse(s.k("get deploy web -o json"));
  assert.equal(d.spec.replicas, 3);
  assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.26");
  assert.equal(d.metadata.generation, 2);
  assert.ok(d.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"].includes("nginx:1.26"));
  // Removing an env var from the manifest removes it from the object (three-way merge).
  s.file("web.yaml", deployment("nginx:1.26", 3).replace(/\s+env:[\s\S]*$/, "\n"));
  assert.equal(s.k(`apply -f ${f}`).trim(), "deployment.apps/web configured");
  const d2 = JSON.parse(s.k("get deploy web -o json"));
  assert.equal(d2.spec.template.spec.containers[0].env, undefined);
  assert.equal(d2.spec.template.spec.containers[0].ports[0].containerPort, 80);
});

test("edit with KUBE_EDITOR, patch of all three types, label, annotate, scale, set image", () => {
  s.k("create configmap cfg --from-literal=a=1");
  const editor = s.file("editor.sh", '#!/bin/sh\nsed -i \'s/^  a: "1"/  a: "2"/\' "$1"\n');
  const edited = s.kubectl("edit configmap cfg", { env: { KUBE_EDITOR: `sh ${editor}` } });
  assert.equal(edited.code, 0, edited.out);
  assert.match(edited.stdout, /configmap\/cfg edited/);
  assert.equal(s.k(["get", "cm", "cfg", "-o", "jsonpath={.data.a}"]), "2");

  assert.match(s.k(["patch", "cm", "cfg", "-p", '{"data":{"b":"3"}}']), /configmap\/cfg patched/);
  assert.match(s.k(["patch", "cm", "cfg", "--type=merge", "-p", '{"data":{"a":null}}']), /patched/);
  assert.match(s.k(["patch", "cm", "cfg", "--type=json", "-p", '[{"op":"add","path":"/data/c","value":"4"}]']), /patched/);
  assert.deepEqual(JSON.parse(s.k("get cm cfg -o json")).data, { b: "3", c: "4" });
  const bad = s.kubectl(["patch", "cm", "cfg", "--type=json", "-p", '[{"op":"test","path":"/data/b","value":"nope"}]']);
  assert.notEqual(bad.code, 0);

  assert.match(s.k("label deploy web tier=frontend"), /deployment.apps\/web labeled/);
  assert.match(s.k("get deploy -l tier=frontend"), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s/);
  assert.match(s.k("get deploy -l 'tier in (backend)'").trim() || "No resources", /No resources|^$/);
  assert.match(s.k("label deploy web tier-"), /unlabeled/);
  assert.match(s.k("annotate deploy web note=hello"), /annotated/);
  assert.equal(s.k(["get", "deploy", "web", "-o", "jsonpath={.metadata.annotations.note}"]), "hello");
  assert.match(s.k("scale deploy web --replicas=5"), /deployment.apps\/web scaled/);
  assert.equal(s.k(["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]), "5");
  assert.match(s.k("set image deployment/web nginx=nginx:1.27"), /deployment.apps\/web image updated/);
  assert.equal(s.k(["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]), "nginx:1.27");
});

test("get -w streams changes", async () => {
  const child = spawn(KUBECTL.default, ["get", "configmaps", "-w", "--request-timeout=30s"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await eventually(() => /cfg/.test(out));
    s.k("create configmap watched --from-literal=x=y");
    await eventually(() => /watched\s+1\s+\d+s/.test(out));
  } finally {
    child.kill();
  }
});

test("explain, api-resources, version, cluster-info", () => {
  assert.match(s.k("explain pods"), /KIND:\s+Pod\nVERSION:\s+v1\n[\s\S]*DESCRIPTION:\n\s+Pod is a collection of containers/);
  assert.match(s.k("explain deployment.spec.strategy"), /FIELD: strategy <DeploymentStrategy>[\s\S]*rollingUpdate/);
  const res = s.k("api-resources");
  assert.match(res, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
  assert.match(res, /pods\s+po\s+v1\s+true\s+Pod/);
  assert.match(res, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
  assert.match(s.k("version"), /Server Version: v1\.33\.\d+/);
  // --raw drops the kubeconfig server's path: bare Kubernetes paths are served for the token's session.
  assert.equal(JSON.parse(s.k("get --raw /api/v1/namespaces/default/services/kubernetes")).spec.clusterIP, "10.96.0.1");
});

test("a second session's token is refused on the first session's cluster", async () => {
  const other = await server.createSession({});
  const res = await other.api("/api/v1/namespaces", {});
  assert.equal(res.status, 200);
  const cross = await fetchWithToken(`${s.server}/api/v1/pods`, other.token);
  assert.equal(cross.status, 401);
  assert.equal(cross.json.kind, "Status");
  assert.equal(cross.json.reason, "Unauthorized");
  const none = await fetchWithToken(`${s.server}/api/v1/pods`, "");
  assert.equal(none.status, 401);
});

test("bad input gets the right Status", async () => {
  const post = (path, body, contentType = "application/json") =>
    s.api(path, { method: "POST", headers: { "content-type": contentType }, body });
  const malformed = await post("/api/v1/namespaces/default/configmaps", "{not json");
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.reason, "BadRequest");
  const badName = await post(
    "/api/v1/namespaces/default/configmaps",
    JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } }),
  );
  assert.equal(badName.status, 422);
  assert.match(
    badName.json.message,
    /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
  );
  const unknown = s.kubectl(["create", "-f", s.file("bad.yaml", MYAPP.replace("  containers:", "  bogus: 1\n  containers:"))]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown field "spec.bogus"/);
  const nons = s.kubectl("get pods -n nope");
  assert.match(nons.out, /No resources found in nope namespace/);
  const create = s.kubectl(["create", "-n", "nope", "-f", s.file("myapp2.yaml", MYAPP)]);
  assert.match(create.stderr, /namespaces "nope" not found/);
  const big = await post("/api/v1/namespaces/default/configmaps", "x".repeat(3 * 1024 * 1024 + 10));
  assert.equal(big.status, 413);
  assert.equal(big.json.reason, "RequestEntityTooLarge");
});

async function fetchWithToken(url, token) {
  const { request } = await import("./lib/harness.mjs");
  return request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}
