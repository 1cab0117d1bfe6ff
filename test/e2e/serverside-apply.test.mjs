// Server-side apply and managedFields with the real kubectl 1.33 and 1.32: apply --server-side
// creates, updates and re-applies without a new resourceVersion, a conflict after `kubectl scale`
// as kubectl prints it, --force-conflicts, --show-managed-fields, the move from client-side apply
// and back, --dry-run=server, and the apply request without a fieldManager.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { basename } from "node:path";
import { Server, KUBECTL } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const VERSIONS = ["1.33", "1.32"];
const kv = (version) => ({
  run: (args, opts = {}) => s.kubectl(args, { version: version === "1.32" ? "default" : version, ...opts }),
  k: (args, opts = {}) => s.k(args, { version: version === "1.32" ? "default" : version, ...opts }),
  /** The manager name the server derives from this kubectl's User-Agent (its binary's name). */
  agent: basename(KUBECTL[version === "1.32" ? "default" : version]),
});

const deployment = (name, replicas = 2, image = "nginx:1.27") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const managed = (kc, name) => JSON.parse(kc.k(["get", "deploy", name, "-o", "json", "--show-managed-fields"])).metadata.managedFields;
const rv = (kc, kind, name) => kc.k(["get", kind, name, "-o", "jsonpath={.metadata.resourceVersion}"]);

for (const version of VERSIONS) {
  const kc = kv(version);

  test(`kubectl ${version}: apply --server-side creates, updates, and re-applies without a new resourceVersion`, () => {
    const name = `ssa-${version.replace(".", "")}`;
    const file = s.file(`${name}.yaml`, deployment(name));
    assert.equal(kc.k(["apply", "--server-side", "-f", file]).trim(), `deployment.apps/${name} serverside-applied`);
    const applied = managed(kc, name).find((e) => e.manager === "kubectl");
    assert.equal(applied.operation, "Apply");
    assert.equal(applied.apiVersion, "apps/v1");
    assert.match(applied.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(applied.fieldsV1, {
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
              },
            },
          },
        },
      },
    });
    const before = rv(kc, "deploy", name);
    assert.equal(kc.k(["apply", "--server-side", "-f", file]).trim(), `deployment.apps/${name} serverside-applied`);
    assert.equal(rv(kc, "deploy", name), before);

    s.file(`${name}.yaml`, deployment(name, 2, "nginx:1.28"));
    kc.k(["apply", "--server-side", "-f", file]);
    assert.equal(kc.k(["get", "deploy", name, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]), "nginx:1.28");
    assert.notEqual(rv(kc, "deploy", name), before);
  });

  test(`kubectl ${version}: a conflict after kubectl scale, then --force-conflicts takes the field`, () => {
    const name = `conflict-${version.replace(".", "")}`;
    const file = s.file(`${name}.yaml`, deployment(name));
    kc.k(["apply", "--server-side", "-f", file]);
    kc.k(["scale", "deploy", name, "--replicas=3"]);
    const scale = managed(kc, name).find((e) => e.subresource === "scale");
    assert.deepEqual(
      { manager: scale.manager, operation: scale.operation, apiVersion: scale.apiVersion, fieldsV1: scale.fieldsV1 },
      { manager: kc.agent, operation: "Update", apiVersion: "apps/v1", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    );
    const refused = kc.run(["apply", "--server-side", "-f", file]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `error: Apply failed with 1 conflict: conflict with "${kc.agent}" with subresource "scale" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
    );
    assert.equal(kc.k(["get", "deploy", name, "-o", "jsonpath={.spec.replicas}"]), "3");
    assert.equal(kc.k(["apply", "--server-side", "--force-conflicts", "-f", file]).trim(), `deployment.apps/${name} serverside-applied`);
    assert.equal(kc.k(["get", "deploy", name, "-o", "jsonpath={.spec.replicas}"]), "2");
    assert.equal(
      managed(kc, name).find((e) => e.subresource === "scale"),
      undefined,
      "the scale entry lost its only field",
    );
  });

  test(`kubectl ${version}: --dry-run=server applies nothing`, () => {
    const name = `dry-${version.replace(".", "")}`;
    const file = s.file(`${name}.yaml`, deployment(name));
    assert.equal(
      kc.k(["apply", "--server-side", "--dry-run=server", "-f", file]).trim(),
      `deployment.apps/${name} serverside-applied (server dry run)`,
    );
    assert.match(kc.run(["get", "deploy", name]).stderr, /NotFound|not found/);
    kc.k(["apply", "--server-side", "-f", file]);
    s.file(`${name}.yaml`, deployment(name, 5));
    kc.k(["apply", "--server-side", "--dry-run=server", "-f", file]);
    assert.equal(kc.k(["get", "deploy", name, "-o", "jsonpath={.spec.replicas}"]), "2");
  });

  test(`kubectl ${version}: client-side apply moves to server-side apply and back`, () => {
    const name = `migrate-${version.replace(".", "")}`;
    const file = s.file(`${name}.yaml`, deployment(name));
    kc.k(["apply", "-f", file]);
    const csa = managed(kc, name).find((e) => e.manager === "kubectl-client-side-apply");
    assert.equal(csa.operation, "Update");
    assert.deepEqual(csa.fieldsV1["f:metadata"]["f:annotations"], {
      ".": {},
      "f:kubectl.kubernetes.io/last-applied-configuration": {},
    });
    // kubectl hands the client-side apply fields to its server-side manager, so nothing conflicts.
    assert.equal(kc.k(["apply", "--server-side", "-f", file]).trim(), `deployment.apps/${name} serverside-applied`);
    const after = managed(kc, name);
    assert.equal(
      after.find((e) => e.manager === "kubectl-client-side-apply"),
      undefined,
    );
    const ssa = after.find((e) => e.manager === "kubectl" && e.operation === "Apply");
    assert.ok(ssa.fieldsV1["f:spec"]["f:replicas"], "server-side apply owns what client-side apply did");
    // Server-side apply by "kubectl" keeps the last-applied annotation in step, so a later
    // client-side apply computes its patch from the right base.
    s.file(`${name}.yaml`, deployment(name, 4));
    kc.k(["apply", "--server-side", "-f", file]);
    const last = JSON.parse(
      kc.k(["get", "deploy", name, "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"]),
    );
    assert.equal(last.spec.replicas, 4);
    s.file(`${name}.yaml`, deployment(name, 1));
    assert.equal(kc.k(["apply", "-f", file]).trim(), `deployment.apps/${name} configured`);
    assert.equal(kc.k(["get", "deploy", name, "-o", "jsonpath={.spec.replicas}"]), "1");
    // The template was never changed by the moves: one ReplicaSet.
    assert.equal(
      kc
        .k(["get", "rs", "-l", `app=${name}`, "-o", "name"])
        .trim()
        .split("\n").length,
      1,
    );
  });
}

test("kubectl get -o yaml hides managedFields unless --show-managed-fields", () => {
  const kc = kv("1.33");
  kc.k(["create", "configmap", "shown", "--from-literal=a=b"]);
  assert.doesNotMatch(kc.k(["get", "cm", "shown", "-o", "yaml"]), /managedFields/);
  const yaml = kc.k(["get", "cm", "shown", "-o", "yaml", "--show-managed-fields"]);
  assert.match(
    yaml,
    /  managedFields:\n  - apiVersion: v1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:data:\n        \.: \{\}\n        f:a: \{\}\n    manager: kubectl-create\n    operation: Update\n    time: "[-0-9T:]+Z"\n/,
  );
});

test("write options: an apply without a fieldManager, a fieldManager over 128 bytes, force on a non-apply patch are refused as invalid", async () => {
  const res = await s.api("/api/v1/namespaces/default/configmaps/nofm", {
    method: "PATCH",
    headers: { "content-type": "application/apply-patch+yaml" },
    body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nofm\n",
  });
  assert.equal(res.status, 422);
  assert.equal(res.json.reason, "Invalid");
  assert.equal(res.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const created = await s.api("/api/v1/namespaces/default/configmaps/nofm?fieldManager=curl", {
    method: "PATCH",
    headers: { "content-type": "application/apply-patch+yaml" },
    body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nofm\ndata:\n  k: v\n",
  });
  assert.equal(created.status, 201);
  assert.deepEqual(created.json.data, { k: "v" });
  assert.equal(created.json.metadata.managedFields[0].manager, "curl");
  const long = await s.api(`/api/v1/namespaces/default/configmaps?fieldManager=${"m".repeat(129)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "long" } }),
  });
  assert.equal(long.status, 422);
  assert.equal(long.json.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
  const forced = await s.api("/api/v1/namespaces/default/configmaps/nofm?force=true", {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json" },
    body: "{}",
  });
  assert.equal(forced.status, 422);
  assert.equal(forced.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
});
