#!/usr/bin/env node
// Authorization cost: GET of one pod by a non-admin user (impersonated: Impersonate-User), authorized
// by RBAC through a RoleBinding, with no other bindings than the bootstrap policy's vs with 100
// RoleBindings and 100 ClusterRoleBindings of other users present and the user's the 100th
// RoleBinding. The admin's GET (no rule walk) is the reference. Prints p50/p99, the ratio of the two
// and p99 against the single-object target. Not a pass/fail test.
//   node test/bench/authz.mjs [N]
import { Server, stats, timed, fmt, ratio, printTable, isMain } from "./lib.mjs";
import { TARGET_P99_MS } from "./api-latency.mjs";

const NS = "bench";
const USER = "bench-user";
const json = { "content-type": "application/json" };
const RBAC = "/apis/rbac.authorization.k8s.io/v1";

const must = async (res, want, what) => {
  const r = await res;
  if (r.status !== want) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
};

const binding = (kind, name, subject, namespace) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
  subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: subject }],
});

/** A session with a pod to read and the user's binding, after `others` bindings of other users of each kind. */
async function session(server, others) {
  const s = await server.createSession({ clock: "instant" });
  await must(
    s.api("/api/v1/namespaces", { method: "POST", headers: json, body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } }),
    201,
    "namespace",
  );
  await must(
    s.api(`/api/v1/namespaces/${NS}/pods`, {
      method: "POST",
      headers: json,
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    }),
    201,
    "pod",
  );
  const pad = (i) => String(i).padStart(3, "0");
  for (let i = 0; i < others; i++) {
    await must(
      s.api(`${RBAC}/clusterrolebindings`, {
        method: "POST",
        headers: json,
        body: binding("ClusterRoleBinding", `crb-${pad(i)}`, `other-${i}`),
      }),
      201,
      "crb",
    );
    await must(
      s.api(`${RBAC}/namespaces/${NS}/rolebindings`, {
        method: "POST",
        headers: json,
        body: binding("RoleBinding", `rb-${pad(i)}`, `other-${i}`, NS),
      }),
      201,
      "rb",
    );
  }
  // The user's binding sorts after the others: the walk meets it last.
  await must(
    s.api(`${RBAC}/namespaces/${NS}/rolebindings`, {
      method: "POST",
      headers: json,
      body: binding("RoleBinding", `rb-${pad(others)}`, USER, NS),
    }),
    201,
    "user's rb",
  );
  return s;
}

async function sample(s, n, warmup, headers) {
  const out = [];
  for (let i = 0; i < warmup + n; i++) {
    const { ms, result } = await timed(() => s.api(`/api/v1/namespaces/${NS}/pods/p`, { headers }));
    if (result.status !== 200) throw new Error(`GET pod: ${result.status} ${result.text.slice(0, 300)}`);
    if (i >= warmup) out.push(ms);
  }
  return stats(out);
}

export async function measure(server, { n = 500, warmup = 50 } = {}) {
  const as = { "impersonate-user": USER };
  const few = await session(server, 0);
  const many = await session(server, 99);
  const rows = [
    { what: "admin (no rule walk)", ...(await sample(few, n, warmup, {})) },
    { what: "user, bootstrap bindings only", ...(await sample(few, n, warmup, as)) },
    { what: "user, 100 RoleBindings + 100 ClusterRoleBindings", ...(await sample(many, n, warmup, as)) },
  ];
  return { n, warmup, rows };
}

export function print(result) {
  const [, none, hundred] = result.rows;
  printTable(
    `RBAC authorization cost: GET one pod, keep-alive, sequential (N = ${result.n} after ${result.warmup} warm-up), ms; target single-object p99 ≤ ${TARGET_P99_MS} ms`,
    ["caller", "p50", "p99", "mean", "p99/target"],
    result.rows.map((r) => [r.what, fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.mean, 2), ratio(r.p99, TARGET_P99_MS)]),
  );
  console.log(`100 bindings vs none: p50 ${ratio(hundred.p50, none.p50)}, p99 ${ratio(hundred.p99, none.p99)}`);
}

export async function main({ n = 500 } = {}) {
  const server = await Server.start();
  try {
    const result = await measure(server, { n });
    print(result);
    return result;
  } finally {
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main({ n: Number(process.argv[2] ?? 500) });
