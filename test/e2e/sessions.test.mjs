// Sessions end to end: the kubeplay CLI, kind configs, expiry (data gone, clear 401), deletion.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Server, KUBECTL, request } from "./lib/harness.mjs";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "cli", "kubeplay.mjs");
let server;
const dir = mkdtempSync(join(tmpdir(), "kubeplay-cli-"));

function kubeplay(args) {
  const res = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, KUBEPLAY_SERVER: server.origin, HOME: dir, KUBECONFIG: "" },
    encoding: "utf8",
    cwd: dir,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function kubectl(args, kubeconfig) {
  const res = spawnSync(KUBECTL.default, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: "utf8" });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

before(async () => {
  server = await Server.start();
});
after(async () => {
  await server?.stop();
});

test("kubeplay create cluster with the tutorial's kind config, get clusters, delete cluster", () => {
  const kind = join(dir, "kind.yaml");
  writeFileSync(
    kind,
    "kind: Cluster\napiVersion: kind.sigs.k8s.io/v1alpha3\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n",
  );
  const kc = join(dir, "config");
  const created = kubeplay(["create", "cluster", "--config", kind, "--lifetime", "90m", "--kubeconfig", kc]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim(), `export KUBECONFIG=${kc}`);
  const nodes = kubectl(["get", "nodes", "--no-headers"], kc);
  assert.equal(nodes.stdout.trim().split("\n").length, 3);
  assert.match(nodes.stdout, /controlplane\s+Ready\s+control-plane/);

  const list = kubeplay(["get", "clusters", "--kubeconfig", kc]);
  assert.equal(list.code, 0, list.stderr);
  const id = readFileSync(kc, "utf8").match(/current-context: kubeplay-([a-z0-9]+)/)[1];
  assert.match(list.stdout, new RegExp(`${id}\\s+live`));

  const del = kubeplay(["delete", "cluster", "--name", id, "--kubeconfig", kc]);
  assert.equal(del.code, 0, del.stderr);
  assert.doesNotMatch(readFileSync(kc, "utf8"), new RegExp(`kubeplay-${id}`));
});

test("a deleted session's token is refused with a clear Status", async () => {
  const s = await server.createSession({});
  const del = await request(`${server.origin}/api/sessions/${s.id}`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } });
  assert.ok(del.status === 200 || del.status === 204, del.text);
  const res = await s.api("/api/v1/namespaces");
  assert.equal(res.status, 401);
  assert.equal(res.json.kind, "Status");
  assert.match(res.json.message, /deleted/);
});

test("an expired session is refused and its data is gone from the cluster's storage", async () => {
  const s = await server.createSession({ lifetime: "4s" });
  const marker = `precious-${s.id}`;
  assert.equal(
    s.k(["create", "configmap", "precious", `--from-literal=a=${marker}`, "--validate=false"]).trim(),
    "configmap/precious created",
  );
  assert.ok(server.storedRowsContaining(marker) > 0, "the ConfigMap is in the cluster's SQLite before expiry");
  await new Promise((r) => setTimeout(r, 5000));
  const res = await s.api("/api/v1/namespaces/default/configmaps/precious");
  assert.equal(res.status, 401);
  assert.equal(res.json.reason, "Unauthorized");
  assert.match(res.json.message, /expired at \d{4}-\d\d-\d\dT/);
  assert.match(res.json.message, /kubeplay create cluster|POST \/api\/sessions/);
  const info = await request(`${server.origin}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
  assert.ok(info.status === 401 || info.json?.state === "expired", info.text);
  const k = s.kubectl("get configmaps");
  assert.notEqual(k.code, 0);
  assert.equal(server.storedRowsContaining(marker), 0, "no row of any cluster's SQLite holds the ConfigMap after expiry");
});

test("bad session requests get clear errors", async () => {
  const post = (body, ct = "application/json") =>
    request(`${server.origin}/api/sessions`, { method: "POST", headers: { "content-type": ct }, body });
  const tooLong = await post(JSON.stringify({ lifetime: "48h" }));
  assert.equal(tooLong.status, 422);
  assert.match(tooLong.json.message, /lifetime/);
  const badYaml = await post("kind: Cluster\n  nodes: [", "application/yaml");
  assert.equal(badYaml.status, 400);
  const badRole = await post(JSON.stringify({ nodes: [{ role: "master" }] }));
  assert.equal(badRole.status, 422);
  const noToken = await request(`${server.origin}/api/sessions/abc`);
  assert.equal(noToken.status, 401);
});
