// RBAC with the real kubectl: the docs' read-only pod-reader Role for jane, a pod's service-account
// token with curl before and after a binding, impersonation refused to a non-admin, `kubectl create
// clusterrole` with its flags, aggregation into `view`, the escalation check, the review kinds, and
// the API server's refusals of invalid objects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

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

const POD_READER = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  namespace: default
  name: pod-reader
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "watch", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
  namespace: default
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
`;

test("the bootstrap policy is served: cluster-admin, the aggregated roles, system:* roles and kubeadm's bindings", () => {
  const roles = k("get clusterroles -o name").split("\n");
  for (const name of [
    "cluster-admin",
    "admin",
    "edit",
    "view",
    "system:basic-user",
    "system:node",
    "system:controller:deployment-controller",
  ])
    assert.ok(roles.includes(`clusterrole.rbac.authorization.k8s.io/${name}`), name);
  const admin = JSON.parse(k("get clusterrole cluster-admin -o json"));
  assert.deepEqual(admin.metadata.labels, { "kubernetes.io/bootstrapping": "rbac-defaults" });
  assert.deepEqual(admin.metadata.annotations, { "rbac.authorization.kubernetes.io/autoupdate": "true" });
  const crb = k("get clusterrolebinding kubeadm:cluster-admins -o wide").split("\n");
  assert.match(crb[0], /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS$/);
  assert.match(crb[1], /^kubeadm:cluster-admins\s+ClusterRole\/cluster-admin\s+\d+s\s+kubeadm:cluster-admins\s*$/);
  assert.match(k("get clusterrolebinding system:coredns -o wide"), /ClusterRole\/system:coredns\s+\d+s\s+kube-system\/coredns/);
  assert.match(k("get roles -n kube-system"), /^NAME\s+CREATED AT\n/);
  // view holds the rules aggregated into it by the controller.
  const view = JSON.parse(k("get clusterrole view -o json"));
  assert.ok(view.rules.some((r) => r.resources.includes("pods") && r.verbs.includes("list")));
  assert.ok(!view.rules.some((r) => r.resources.includes("secrets")));
});

test("the docs' read-only role: jane may get pods in default, not delete them, not read secrets", () => {
  apply(POD_READER);
  assert.equal(kubectl("auth can-i get pods --as jane").stdout.trim(), "yes");
  const del = kubectl("auth can-i delete pods --as jane");
  assert.deepEqual([del.code, del.stdout.trim()], [1, "no"]);
  const pods = kubectl("--as jane get pods");
  assert.equal(pods.code, 0, pods.stderr);
  assert.equal(pods.stderr.trim(), "No resources found in default namespace.");
  const secrets = kubectl("--as jane get secrets");
  assert.equal(secrets.code, 1);
  assert.equal(
    secrets.stderr.trim(),
    'Error from server (Forbidden): secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"',
  );
  assert.match(
    kubectl("--as jane get pods -n kube-system").stderr,
    /pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"/,
  );
  assert.equal(
    kubectl("--as bob get nodes controlplane").stderr.trim(),
    'Error from server (Forbidden): nodes "controlplane" is forbidden: User "bob" cannot get resource "nodes" in API group "" at the cluster scope',
  );
  const list = kubectl("auth can-i --list --as jane").stdout;
  assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get watch list\]$/m);
  assert.match(k("get rolebinding read-pods -o wide"), /read-pods\s+Role\/pod-reader\s+\d+s\s+jane\s*$/m);
});

test("impersonating a service account acts with its groups", () => {
  assert.equal(
    kubectl("--as=system:serviceaccount:default:default get pods").stderr.trim(),
    'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  const who = kubectl("auth whoami --as=system:serviceaccount:default:default -o json");
  assert.deepEqual(JSON.parse(who.stdout).status.userInfo.groups, [
    "system:serviceaccounts",
    "system:serviceaccounts:default",
    "system:authenticated",
  ]);
});

test("a pod's service-account token is authorized by RBAC: refused before a binding, served after; it may not impersonate", async () => {
  k("run api-client --image=nginx");
  await eventually(() => s.k("get pod api-client -o jsonpath={.status.containerStatuses[0].ready}") === "true");
  const curl = (path, extra = "") =>
    JSON.parse(
      k([
        "exec",
        "api-client",
        "--",
        "sh",
        "-c",
        `curl -sk ${extra} -H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" https://kubernetes.default.svc${path}`,
      ]),
    );
  const before = curl("/api/v1/namespaces/default/pods");
  assert.deepEqual(
    [before.code, before.message],
    [
      403,
      'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    ],
  );
  k("create rolebinding default-view --clusterrole=view --serviceaccount=default:default");
  const after = curl("/api/v1/namespaces/default/pods");
  assert.equal(after.kind, "PodList");
  assert.deepEqual(
    after.items.map((p) => p.metadata.name),
    ["api-client"],
  );
  assert.equal(curl("/api/v1/namespaces/default/pods/api-client").metadata.name, "api-client");
  // view does not read secrets, and the binding is the namespace's only.
  assert.equal(curl("/api/v1/namespaces/default/secrets").code, 403);
  assert.equal(curl("/api/v1/namespaces/kube-system/pods").code, 403);
  const imp = curl("/api/v1/namespaces/default/pods", '-H "Impersonate-User: bob"');
  assert.deepEqual(
    [imp.code, imp.message],
    [
      403,
      'users "bob" is forbidden: User "system:serviceaccount:default:default" cannot impersonate resource "users" in API group "" at the cluster scope',
    ],
  );
});

test("kubectl create clusterrole with --verb and --resource, and aggregation into view, edit and admin", async () => {
  k("create clusterrole pod-watcher --verb=get,list,watch --resource=pods,deployments.apps");
  const role = JSON.parse(k("get clusterrole pod-watcher -o json"));
  assert.deepEqual(role.rules, [
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
  ]);
  apply(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-viewer
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list]}
`);
  const widgets = (name) => JSON.parse(k(["get", "clusterrole", name, "-o", "json"])).rules.some((r) => r.resources.includes("widgets"));
  await eventually(() => widgets("view") && widgets("edit") && widgets("admin"));
  k("label clusterrole widget-viewer rbac.authorization.k8s.io/aggregate-to-view-");
  await eventually(() => !widgets("view") && !widgets("admin"));
});

test("a Role granting more than its writer holds is refused; bind and the writer's own rights are honoured", () => {
  k("create namespace dev");
  k("create rolebinding jane-admin --clusterrole=admin --user=jane -n dev");
  assert.equal(kubectl("create role ok --verb=get --resource=pods -n dev --as jane").code, 0);
  const bad = kubectl("create role bad --verb=get,list --resource=nodes,pods -n dev --as jane");
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr.trim(),
    'Error from server (Forbidden): roles.rbac.authorization.k8s.io "bad" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}',
  );
  const bind = kubectl("create rolebinding x --clusterrole=cluster-admin --user=bob -n dev --as jane");
  assert.match(
    bind.stderr,
    /rolebindings\.rbac\.authorization\.k8s\.io "x" is forbidden: user "jane" .* not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/,
  );
  assert.equal(kubectl("create rolebinding y --clusterrole=view --user=bob -n dev --as jane").code, 0);
  // Writing cluster roles is not enough to set an aggregationRule.
  k("create clusterrole role-writer --verb=create,get --resource=clusterroles.rbac.authorization.k8s.io");
  k("create clusterrolebinding ops-role-writer --clusterrole=role-writer --user=ops");
  const agg = kubectl("create clusterrole gatherer --aggregation-rule=a=b --as ops");
  assert.equal(
    agg.stderr.trim(),
    'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule',
  );
});

test("auth reconcile creates roles and bindings; SubjectAccessReview and LocalSubjectAccessReview are answered", () => {
  const file = s.file(
    "recon.yaml",
    `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: recon, namespace: default}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: recon, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: recon}
subjects:
- {kind: User, name: ann, apiGroup: rbac.authorization.k8s.io}
`,
  );
  const rec = k(["auth", "reconcile", "-f", file]);
  assert.match(rec, /role\.rbac\.authorization\.k8s\.io\/recon reconciled/);
  assert.equal(kubectl("auth can-i get configmaps --as ann").stdout.trim(), "yes");
  const resources = k("api-resources --api-group=authorization.k8s.io -o name").split("\n").filter(Boolean);
  assert.deepEqual(resources, [
    "localsubjectaccessreviews.authorization.k8s.io",
    "selfsubjectaccessreviews.authorization.k8s.io",
    "selfsubjectrulesreviews.authorization.k8s.io",
    "subjectaccessreviews.authorization.k8s.io",
  ]);
  const sar = JSON.parse(
    k(["create", "--validate=false", "-o", "json", "-f", "-"], {
      input: `apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: jane
  resourceAttributes: {verb: list, resource: pods, namespace: default}
`,
    }),
  );
  assert.deepEqual(sar.status, {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to User "jane"',
  });
});

test("invalid roles and bindings get the API server's messages; roleRef cannot change", () => {
  const noVerbs = kubectl(["apply", "-f", "-"], {
    input: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: empty, namespace: default}
rules:
- {apiGroups: [""], resources: [pods], verbs: []}
- {nonResourceURLs: ["/healthz"], verbs: [get]}
`,
  });
  assert.equal(
    noVerbs.stderr.trim(),
    'The Role "empty" is invalid: \n* rules[0].verbs: Required value: verbs must contain at least one value\n* rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  );
  const badKind = kubectl(["apply", "-f", "-"], {
    input: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bad}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
subjects:
- {kind: ServiceAccount, name: default}
`,
  });
  assert.equal(
    badKind.stderr.trim(),
    'The ClusterRoleBinding "bad" is invalid: \n* roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"\n* subjects[0].namespace: Required value',
  );
  const change = kubectl(["patch", "rolebinding", "read-pods", "-p", '{"roleRef":{"name":"other"}}']);
  assert.equal(
    change.stderr.trim(),
    'The RoleBinding "read-pods" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef',
  );
});
