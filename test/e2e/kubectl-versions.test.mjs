// The same core journey with every kubectl from 1.27 to 1.33: discovery, apply (create, unchanged,
// configured), get formats, explain (OpenAPI v2 for old clients, v3 for new), scale, delete.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, KUBECTL, KUBECTL_VERSIONS } from "./lib/harness.mjs";

let server;
before(async () => {
  server = await Server.start();
});
after(async () => {
  await server?.stop();
});

const manifest = (image) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-node
spec:
  replicas: 1
  selector:
    matchLabels: {app: hello-node}
  template:
    metadata:
      labels: {app: hello-node}
    spec:
      containers:
      - name: echoserver
        image: ${image}
`;

test("every kubectl from 1.27 to 1.33 is installed (a missing one would silently drop its journey)", () => {
  const wanted = Object.keys(KUBECTL).filter((v) => v !== "default");
  assert.deepEqual(wanted, ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"]);
  assert.deepEqual(
    KUBECTL_VERSIONS,
    wanted,
    `missing: ${wanted
      .filter((v) => !KUBECTL_VERSIONS.includes(v))
      .map((v) => KUBECTL[v])
      .join(", ")}`,
  );
});

for (const version of KUBECTL_VERSIONS) {
  test(`kubectl ${version}`, async () => {
    const s = await server.createSession({ clock: "instant" });
    const k = (args) => s.k(args, { version });
    // 1.27 prints version.Info{…GitVersion:"v1.27.x"…}, later ones just the version.
    assert.match(
      k("version"),
      new RegExp(
        `Client Version: (v|version.Info.*GitVersion:"v)${version.replace(".", "\\.")}\\.[\\s\\S]*Server Version: (v|version.Info.*GitVersion:"v)1\\.33\\.`,
      ),
    );
    assert.match(k("get nodes"), /controlplane\s+Ready\s+control-plane/);
    const f = s.file("hello.yaml", manifest("registry.k8s.io/echoserver:1.4"));
    assert.equal(k(`apply -f ${f}`).trim(), "deployment.apps/hello-node created");
    assert.equal(k(`apply -f ${f}`).trim(), "deployment.apps/hello-node unchanged");
    s.file("hello.yaml", manifest("registry.k8s.io/echoserver:1.10"));
    assert.equal(k(`apply -f ${f}`).trim(), "deployment.apps/hello-node configured");
    assert.match(k("rollout status deployment/hello-node --timeout=60s"), /deployment "hello-node" successfully rolled out/);
    assert.match(k("get deployments"), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nhello-node\s+1\/1\s+1\s+1\s+\d+s/);
    assert.match(k("get deploy hello-node -o yaml"), /image: registry\.k8s\.io\/echoserver:1\.10/);
    assert.match(k("explain pods.spec.containers"), /FIELD: containers <\[\]Container>|RESOURCE: containers <\[\]Object>/);
    assert.match(k("scale deployment hello-node --replicas=4"), /scaled/);
    assert.equal(k(["get", "deploy", "hello-node", "-o", "jsonpath={.spec.replicas}"]), "4");
    const bad = s.kubectl(["apply", "-f", s.file("bad.yaml", manifest("nginx").replace("replicas: 1", "replicas: 1\n  bogus: true"))], {
      version,
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "spec.bogus"/);
    assert.match(k("delete deployment hello-node"), /deployment.apps "hello-node" deleted/);
  });
}
