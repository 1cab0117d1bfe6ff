// The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole
// with an aggregationRule holds the union of the rules of every other ClusterRole its selectors
// match, in selector order and then name order, each distinct rule once. `admin`, `edit` and
// `view` are built this way from the aggregate-to-* labels.
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1";
import type { Obj } from "../resources/types";
import { selects } from "../api/selectors";
import { keyOf, type Controller, type ControllerContext, type Key } from "./types";

const sameRule = (a: PolicyRule, b: PolicyRule) => JSON.stringify(normal(a)) === JSON.stringify(normal(b));
const normal = (r: PolicyRule) => [r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []];

/** The rules an aggregated role should hold, from all cluster roles (pure). */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const matched = all
      .filter((r) => r.metadata?.name !== role.metadata?.name && selects(selector as Obj, r.metadata?.labels ?? {}))
      .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    for (const r of matched) for (const rule of r.rules ?? []) if (!rules.some((x) => sameRule(x, rule))) rules.push(rule);
  }
  return rules;
}

function reconcile(key: Key, c: ControllerContext): void {
  const role = c.client.get("clusterroles", undefined, key) as ClusterRole | undefined;
  if (!role?.aggregationRule) return;
  const want = aggregatedRules(role, c.client.list("clusterroles") as ClusterRole[]);
  if (JSON.stringify((role.rules ?? []).map(normal)) === JSON.stringify(want.map(normal))) return;
  c.client.patch("clusterroles", undefined, key, (o) => {
    o.rules = want;
  });
}

export const clusterRoleAggregation: Controller = {
  name: "clusterrole-aggregation-controller",
  primary: "clusterroles",
  watches: [
    // Any role's labels or rules may change what an aggregated role holds.
    {
      plural: "clusterroles",
      map: (_obj, _prev, c) => c.client.list("clusterroles", undefined, (r) => !!r.aggregationRule).map(keyOf),
    },
  ],
  reconcile,
};
