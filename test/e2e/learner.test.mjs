// What a learner types in a CKAD/CKA-style lab, with kubectl 1.33, compared with what a real v1.33
// cluster prints: labelling a running pod (no spurious warnings), `kubectl create token`,
// `kubectl auth can-i` / `auth whoami`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

const V = "1.33";
let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const k = (args, opts = {}) => s.kubectl(args, { version: V, ...opts });

test("label and annotate a running pod: no unknown-field warning for the kubelet's status", async () => {
  assert.equal(k("run web --image=nginx --port=80 --expose").code, 0);
  await eventually(() => s.k("get pod web -o jsonpath={.status.containerStatuses[0].state.running.startedAt}"));
  // The kubelet reports containerStatuses[].user (v1.31+); a patch sends the object back to validation.
  assert.ok(s.k("get pod web -o jsonpath={.status.containerStatuses[0].user.linux.uid}").length > 0);
  for (const cmd of ["label pod web tier=fe", "label pod web tier=be --overwrite", "annotate pod web note=x"]) {
    const r = k(cmd);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.stderr, /unknown field/, `${cmd}: ${r.stderr}`);
  }
  const r = k("label pod web tier=x");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: 'tier' already has a value \(be\), and --overwrite is false$/m);
});

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

test("kubectl create token: a bound service-account token, its defaults and the real errors", () => {
  assert.equal(k("create sa robot").code, 0);
  const uid = s.k("get sa robot -o jsonpath={.metadata.uid}");
  const r = k("create token robot");
  assert.equal(r.code, 0, r.out);
  const c = claims(r.stdout.trim());
  assert.equal(c.sub, "system:serviceaccount:default:robot");
  assert.deepEqual(c.aud, ["https://kubernetes.default.svc.cluster.local"]);
  assert.equal(c.exp - c.iat, 3600);
  assert.deepEqual(c["kubernetes.io"], { namespace: "default", serviceaccount: { name: "robot", uid } });

  const v = claims(k("create token robot --duration=10m --audience=vault").stdout.trim());
  assert.deepEqual([v.aud, v.exp - v.iat], [["vault"], 600]);

  const y = k("create token robot -o json");
  const tr = JSON.parse(y.stdout);
  assert.equal(tr.kind, "TokenRequest");
  assert.equal(tr.apiVersion, "authentication.k8s.io/v1");
  assert.equal(tr.spec.expirationSeconds, 3600);
  assert.ok(Math.abs(Date.parse(tr.status.expirationTimestamp) - (Date.now() + 3600_000)) < 10_000, tr.status.expirationTimestamp);

  const short = k("create token robot --duration=1m");
  assert.equal(short.code, 1);
  assert.equal(
    short.stderr.trim(),
    'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
  );
  const missing = k("create token nobody");
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'error: failed to create token: serviceaccounts "nobody" not found');
});

test("kubectl auth can-i / can-i --list / whoami: the admin may do anything, an impersonated user only the basics", () => {
  const yes = k("auth can-i create deployments");
  assert.deepEqual([yes.code, yes.stdout], [0, "yes\n"]);
  assert.equal(k(["auth", "can-i", "*", "*"]).stdout, "yes\n");
  const sa = k("auth can-i list pods --as=system:serviceaccount:default:robot");
  assert.deepEqual([sa.code, sa.stdout], [1, "no\n"]);
  assert.equal(k("auth can-i get /healthz --as=bob").stdout, "yes\n");
  assert.equal(k("auth can-i create selfsubjectaccessreviews.authorization.k8s.io --as=bob").stdout, "yes\n");
  // A kind the server lacks: kubectl warns, the authorizer still answers.
  const missing = k("auth can-i create widgets");
  assert.equal(missing.stdout, "yes\n");
  assert.match(missing.stderr, /Warning: the server doesn't have a resource type 'widgets'/);
  // A cluster-scoped kind asked about in a namespace: kubectl says so from discovery.
  const clusterScoped = k("auth can-i create priorityclasses");
  assert.equal(clusterScoped.stdout, "yes\n");
  assert.match(clusterScoped.stderr, /Warning: resource 'priorityclasses' is not namespace scoped in group 'scheduling.k8s.io'/);
  assert.deepEqual([k("auth can-i create jobs").stderr, k("auth can-i create cronjobs").stdout], ["", "yes\n"]);

  const list = k("auth can-i --list").stdout.split("\n");
  assert.match(list[0], /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
  assert.match(list[1], /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/);
  const bob = k("auth can-i --list --as=bob").stdout;
  assert.doesNotMatch(bob, /\*\.\*/);
  assert.match(bob, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  assert.match(bob, /^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/m);

  assert.match(
    k("auth whoami").stdout,
    /^ATTRIBUTE\s+VALUE\nUsername\s+kubernetes-admin\nGroups\s+\[kubeadm:cluster-admins system:authenticated\]\n$/,
  );
  const who = JSON.parse(k("auth whoami --as=system:serviceaccount:dev:x -o json").stdout);
  assert.deepEqual(who.status.userInfo, {
    username: "system:serviceaccount:dev:x",
    groups: ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"],
  });
  // Create-only kinds: listing them is not allowed.
  const get = k("get selfsubjectaccessreviews");
  assert.equal(get.code, 1);
  assert.match(get.stderr, /the server does not allow this method on the requested resource/);
});

test("curl to the API: /version always indented, JSON and errors indented for curl and ?pretty=true, compact for kubectl", async () => {
  const curl = { "user-agent": "curl/8.5.0" };
  const v = await s.api("/version", { headers: {} });
  assert.match(v.text, /^\{\n  "major": "1",\n  "minor": "33",\n/);
  assert.match(v.text, /\n\}$/);
  const err = await s.api("/api/v1/namespaces/default/configmaps/nope", { headers: curl });
  assert.equal(err.status, 404);
  assert.equal(err.text, JSON.stringify(err.json, null, 2));
  assert.match(err.text, /^\{\n  "kind": "Status",\n  "apiVersion": "v1",\n/);
  const list = await s.api("/api/v1/namespaces/default/services?pretty=true");
  assert.equal(list.text, JSON.stringify(list.json, null, 2));
  const compact = await s.api("/api/v1/namespaces/default/services", { headers: { "user-agent": "kubectl/v1.33.1" } });
  assert.equal(compact.text, JSON.stringify(compact.json));
  // kubectl get --raw passes the bytes through.
  assert.match(k("get --raw /version").stdout, /^\{\n  "major": "1",/);
});

test("curl to the API server from a pod: version for anyone, discovery with the service-account token, resources forbidden by RBAC", async () => {
  assert.equal(k("run api-client --image=nginx").code, 0);
  await eventually(() => s.k("get pod api-client -o jsonpath={.status.containerStatuses[0].ready}") === "true");
  const curl = (path, token = true) =>
    k([
      "exec",
      "api-client",
      "--",
      "sh",
      "-c",
      `curl -sk ${token ? '-H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" ' : ""}https://kubernetes.default.svc${path}`,
    ]).stdout;
  assert.equal(JSON.parse(curl("/version", false)).gitVersion, "v1.33.1");
  assert.match(curl("/version", false), /^\{\n  "major": "1",/);
  assert.equal(JSON.parse(curl("/api", false)).message, 'forbidden: User "system:anonymous" cannot get path "/api"');
  assert.equal(JSON.parse(curl("/api")).kind, "APIVersions");
  const pods = JSON.parse(curl("/api/v1/namespaces/default/pods"));
  assert.deepEqual(
    [pods.code, pods.reason, pods.message],
    [
      403,
      "Forbidden",
      'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    ],
  );
  // A token from `kubectl create token` authenticates as its service account.
  const tok = k("create token robot").stdout.trim();
  const r = JSON.parse(
    k(["exec", "api-client", "--", "curl", "-sk", "-H", `Authorization: Bearer ${tok}`, "https://kubernetes.default.svc/api/v1/nodes"])
      .stdout,
  );
  assert.equal(
    r.message,
    'nodes is forbidden: User "system:serviceaccount:default:robot" cannot list resource "nodes" in API group "" at the cluster scope',
  );
});
