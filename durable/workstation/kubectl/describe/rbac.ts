// RoleDescriber, ClusterRoleDescriber, RoleBindingDescriber and ClusterRoleBindingDescriber: a role's
// rules broken down to one group, resource and verb each, compacted back by verb
// (k8s.io/kubectl/pkg/util/rbac, the same algorithm as the API server's) and sorted by their Go String().
import type { ClusterRole, PolicyRule, RoleBinding } from "kubernetes-types/rbac/v1";
import { breakdownRule, compactRules } from "../../../api/rbac";
import { LEVEL_0, LEVEL_1, printAnnotationsMultiline, printLabelsMultiline, tabbedString } from "./format";

/** Go's %v of a []string. */
const goList = (list: readonly string[] | undefined) => `[${(list ?? []).join(" ")}]`;

/** The generated PolicyRule.String(), by which rbac.SortableRuleSlice sorts. */
const ruleString = (r: PolicyRule) =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

/** CombineResourceGroup: "deployments.apps/scale". */
export function combineResourceGroup(resources: readonly string[] | undefined, groups: readonly string[] | undefined): string {
  if (!resources?.length) return "";
  const slash = resources[0].indexOf("/");
  const [base, sub] = slash < 0 ? [resources[0], undefined] : [resources[0].slice(0, slash), resources[0].slice(slash + 1)];
  let out = base;
  if (groups?.length && groups[0] !== "") out += `.${groups[0]}`;
  return sub !== undefined ? `${out}/${sub}` : out;
}

export async function describeRole(role: ClusterRole): Promise<string> {
  const rules = compactRules((role.rules ?? []).flatMap(breakdownRule)).sort((a, b) => {
    const [x, y] = [ruleString(a), ruleString(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${role.metadata?.name ?? ""}\n`);
    printLabelsMultiline(w, "Labels", role.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", role.metadata?.annotations);
    w.write(LEVEL_0, "PolicyRule:\n");
    w.write(LEVEL_1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    w.write(LEVEL_1, "---------\t-----------------\t--------------\t-----\n");
    for (const r of rules)
      w.write(
        LEVEL_1,
        `${combineResourceGroup(r.resources, r.apiGroups)}\t${goList(r.nonResourceURLs)}\t${goList(r.resourceNames)}\t${goList(r.verbs)}\n`,
      );
  });
}

export async function describeRoleBinding(binding: RoleBinding): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${binding.metadata?.name ?? ""}\n`);
    printLabelsMultiline(w, "Labels", binding.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", binding.metadata?.annotations);
    w.write(LEVEL_0, "Role:\n");
    w.write(LEVEL_1, `Kind:\t${binding.roleRef?.kind ?? ""}\n`);
    w.write(LEVEL_1, `Name:\t${binding.roleRef?.name ?? ""}\n`);
    w.write(LEVEL_0, "Subjects:\n");
    w.write(LEVEL_1, "Kind\tName\tNamespace\n");
    w.write(LEVEL_1, "----\t----\t---------\n");
    for (const s of binding.subjects ?? []) w.write(LEVEL_1, `${s.kind}\t${s.name}\t${s.namespace ?? ""}\n`);
  });
}
