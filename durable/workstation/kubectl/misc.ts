// patch, wait and auth (can-i, whoami): requests kubectl makes and the words it prints for them.
import { parse as parseYaml } from "yaml";
import type { PolicyRule } from "kubernetes-types/rbac/v1";
import { type Parsed, bool, str } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage, type Resource } from "./client";
import { formatObjects, requested } from "./get";
import { jsonPath } from "./jsonpath";
import { TabWriter } from "./printers";
import type { Kube, KubectlRun, Verb } from "./types";

const PATCH_TYPES: Record<string, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

function* patchRun(p: Parsed, k: Kube): KubectlRun {
  const text = str(p, "patch");
  if (text === undefined) throw new KubectlError("error: must specify --patch or --patch-file containing the contents of the patch");
  const type = str(p, "type") ?? "strategic";
  if (!PATCH_TYPES[type]) throw new KubectlError(`error: --type must be one of [json merge strategic], not "${type}"`);
  // yaml.ToJSON: a patch that starts as JSON does is sent as it is (the server judges it).
  let body: string;
  if (/^\s*[{[]/.test(text)) body = text;
  else
    try {
      body = JSON.stringify(parseYaml(text));
    } catch (e) {
      throw new KubectlError(`error: unable to parse "${text}": yaml: ${(e as Error).message.split("\n")[0]}`);
    }
  let status = 0;
  for (const { resource, names } of requested(p.args)) {
    for (const name of names) {
      const before = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
      if (before.status >= 400) throw new KubectlError(statusMessage(before));
      const dry = str(p, "dry-run") === "server" ? "?dryRun=All" : "";
      const r = yield* awaitHost(
        k.api("PATCH", `${resource.path(k.namespace, name)}${dry}`, {
          body,
          headers: { "content-type": PATCH_TYPES[type] },
        }),
      );
      if (r.status >= 400) {
        k.io.stderr(`${statusMessage(r)}\n`);
        status = 1;
        continue;
      }
      const after = JSON.parse(r.text);
      const changed = JSON.parse(before.text).metadata?.resourceVersion !== after.metadata?.resourceVersion;
      const output = str(p, "output");
      k.io.stdout(
        output
          ? formatObjects(output, [{ obj: after, resource }], true)
          : `${resource.kindName}/${name} patched${changed ? "" : " (no change)"}\n`,
      );
    }
  }
  return status;
}

/** --for=condition=X[=value], --for=delete, --for=jsonpath='{…}'[=value]: is it met by this object (undefined: gone)? */
function met(forSpec: string, obj: any | undefined): boolean {
  if (forSpec === "delete") return obj === undefined;
  if (!obj) return false;
  if (forSpec.startsWith("condition=")) {
    const [cond, want = "true"] = forSpec.slice(10).split("=");
    const c = (obj.status?.conditions ?? []).find((x: any) => x.type?.toLowerCase() === cond.toLowerCase());
    return !!c && String(c.status).toLowerCase() === want.toLowerCase();
  }
  if (forSpec.startsWith("jsonpath=")) {
    const expr = forSpec.slice(9);
    const m = /^(.*\})(?:=(.*))?$/.exec(expr);
    if (!m)
      throw new KubectlError(
        "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'",
      );
    const value = jsonPath(m[1], obj);
    return m[2] === undefined ? value !== "" : value === m[2];
  }
  throw new KubectlError(`error: unrecognized condition: "${forSpec}"`);
}

/** A Go duration ("30s", "1m", "2m30s") in ms. */
export function durationMs(d: string): number {
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g))
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "s"];
  return ms;
}

function* waitRun(p: Parsed, k: Kube): KubectlRun {
  const forSpec = str(p, "for") ?? "";
  if (!/^(delete|condition=|jsonpath=)/.test(forSpec)) throw new KubectlError(`error: unrecognized condition: ${JSON.stringify(forSpec)}`);
  const timeout = durationMs(str(p, "timeout") ?? "30s");
  const targets: { resource: Resource; name: string }[] = [];
  for (const { resource, names } of requested(p.args)) {
    if (names.length) for (const name of names) targets.push({ resource, name });
    else {
      const q = new URLSearchParams();
      if (str(p, "selector")) q.set("labelSelector", str(p, "selector")!);
      const r = yield* awaitHost(k.api("GET", `${resource.path(k.namespace)}${q.size ? `?${q}` : ""}`));
      for (const o of JSON.parse(r.text).items ?? []) targets.push({ resource, name: o.metadata.name });
      if (!targets.length && !bool(p, "all")) throw new KubectlError("error: no matching resources found");
    }
  }
  if (!targets.length) throw new KubectlError("error: resource name may not be empty");
  const deadline = k.now() + timeout;
  for (const t of targets) {
    let existed = false;
    for (;;) {
      const r = yield* awaitHost(k.api("GET", t.resource.path(k.namespace, t.name)));
      if (r.status === 404 && forSpec !== "delete") throw new KubectlError(statusMessage(r));
      const obj = r.status === 404 ? undefined : JSON.parse(r.text);
      existed ||= obj !== undefined;
      if (met(forSpec, obj)) break;
      if (k.now() >= deadline) throw new KubectlError(`error: timed out waiting for the condition on ${t.resource.def.plural}/${t.name}`);
      yield { sleep: 250 };
    }
    // Waiting for the deletion of what was never there: nothing to wait for, nothing said.
    if (existed || forSpec !== "delete") k.io.stdout(`${t.resource.kindName}/${t.name} condition met\n`);
  }
  return 0;
}

/** An RBAC rule as SelfSubjectRulesReview answers it and kubectl's rbac utilities handle it. */
type Rule = PolicyRule;

/** rbacutil.BreakdownRule: one rule per group, resource, verb (and name), or per URL and verb. */
function breakdownRule(r: Rule): Rule[] {
  const out: Rule[] = [];
  for (const group of r.apiGroups ?? [])
    for (const resource of r.resources ?? [])
      for (const verb of r.verbs)
        if (r.resourceNames?.length)
          for (const name of r.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
  for (const url of r.nonResourceURLs ?? []) for (const verb of r.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

/** rbacutil.CompactRules: the verbs of rules on one group, resource (and name) gathered into one. */
function compactRules(rules: Rule[]): Rule[] {
  const compacted: Rule[] = [];
  const simple = new Map<string, Rule>();
  for (const r of rules) {
    const isSimple =
      (r.resourceNames?.length ?? 0) <= 1 && !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      compacted.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...r, verbs: [...r.verbs] });
    else for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
  }
  return [...compacted, ...simple.values()];
}

/** Go's fmt %v of a string slice. */
const goList = (xs: string[] | undefined) => `[${(xs ?? []).join(" ")}]`;
/** PolicyRule's generated String(), which rbacutil.SortableRuleSlice sorts by. */
const ruleString = (r: Rule) =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

/** describe.CombineResourceGroup: "deployments.apps", "pods/log". */
function combineResourceGroup(resources: string[] | undefined, groups: string[] | undefined): string {
  if (!resources?.length) return "";
  const [resource, sub] = resources[0].split(/\/(.*)/s);
  return `${resource}${groups?.[0] ? `.${groups[0]}` : ""}${sub !== undefined ? `/${sub}` : ""}`;
}

/** `kubectl auth can-i --list`: the SelfSubjectRulesReview of the namespace, broken down, compacted
 *  and sorted as cani.go's printStatus does. */
function* canIList(p: Parsed, k: Kube, args: string[]): KubectlRun {
  if (args.length) throw new KubectlError("error: list option must be specified with no arguments");
  if (bool(p, "quiet") || bool(p, "all-namespaces") || str(p, "subresource"))
    throw new KubectlError("error: list option can't be specified with neither quiet, all-namespaces nor subresource options");
  const r = yield* awaitHost(
    k.api("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", {
      body: JSON.stringify({ kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", spec: { namespace: k.namespace } }),
      headers: { "content-type": "application/json" },
    }),
  );
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const status = JSON.parse(r.text).status ?? {};
  if (status.incomplete) k.io.stderr(`Warning: the list may be incomplete: ${status.evaluationError ?? ""}\n`);
  const rules: Rule[] = [
    ...(status.resourceRules ?? []).map((x: Rule) => ({
      verbs: x.verbs,
      apiGroups: x.apiGroups,
      resources: x.resources,
      resourceNames: x.resourceNames,
    })),
    ...(status.nonResourceRules ?? []).map((x: Rule) => ({ verbs: x.verbs, nonResourceURLs: x.nonResourceURLs })),
  ];
  const compact = compactRules(rules.flatMap(breakdownRule));
  const sorted = compact
    .map((rule, i) => ({ rule, key: ruleString(rule), i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  let out = "";
  const w = new TabWriter((s) => void (out += s));
  if (!bool(p, "no-headers")) w.write("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
  for (const { rule } of sorted)
    w.write(
      `${combineResourceGroup(rule.resources, rule.apiGroups)}\t${goList(rule.nonResourceURLs)}\t${goList(rule.resourceNames)}\t${goList(rule.verbs)}\n`,
    );
  w.flush();
  k.io.stdout(out);
  return 0;
}

function* authRun(p: Parsed, k: Kube): KubectlRun {
  const [sub, ...args] = p.args;
  if (sub === "whoami") {
    const r = yield* awaitHost(
      k.api("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
        body: JSON.stringify({ kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1", metadata: {}, status: { userInfo: {} } }),
        headers: { "content-type": "application/json" },
      }),
    );
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    const ui = JSON.parse(r.text).status?.userInfo ?? {};
    let out = "";
    const w = new TabWriter((s) => void (out += s));
    w.write("ATTRIBUTE\tVALUE\n");
    if (ui.username) w.write(`Username\t${ui.username}\n`);
    if (ui.uid) w.write(`UID\t${ui.uid}\n`);
    if (ui.groups?.length) w.write(`Groups\t[${ui.groups.join(" ")}]\n`);
    w.flush();
    k.io.stdout(out);
    return 0;
  }
  if (sub !== "can-i") throw k.notYet(`kubectl auth ${sub ?? ""}`.trim());
  if (bool(p, "list")) return yield* canIList(p, k, args);
  const [verb, target] = args;
  if (!verb || !target)
    throw new KubectlError(
      "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.",
    );
  if (bool(p, "no-headers")) throw new KubectlError("error: --no-headers cannot be set without --list specified");
  const [type, name] = target.includes("/")
    ? [target.slice(0, target.indexOf("/")), target.slice(target.indexOf("/") + 1)]
    : [target, undefined];
  let resource: string;
  let group: string;
  let namespaced = true;
  try {
    const found = findResource(type);
    [resource, group, namespaced] = [found.def.plural, found.def.group, found.def.namespaced];
  } catch {
    k.io.stderr(`Warning: the server doesn't have a resource type '${type}'\n\n`);
    [resource, group] = [type, ""];
  }
  const attributes = {
    namespace: bool(p, "all-namespaces") || !namespaced ? "" : k.namespace,
    verb,
    group,
    resource,
    ...(name ? { name } : {}),
    ...(str(p, "subresource") ? { subresource: str(p, "subresource") } : {}),
  };
  const r = yield* awaitHost(
    k.api("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      body: JSON.stringify({
        kind: "SelfSubjectAccessReview",
        apiVersion: "authorization.k8s.io/v1",
        spec: { resourceAttributes: attributes },
      }),
      headers: { "content-type": "application/json" },
    }),
  );
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  const st = JSON.parse(r.text).status ?? {};
  if (st.allowed) k.io.stdout("yes\n");
  else k.io.stdout(`no${st.reason ? ` - ${st.reason}` : ""}${st.evaluationError ? ` - ${st.evaluationError}` : ""}\n`);
  // Said after the answer, as kubectl's warning printer does.
  if (!namespaced && !bool(p, "all-namespaces")) k.io.stderr(`Warning: resource '${resource}' is not namespace scoped\n\n`);
  return st.allowed ? 0 : 1;
}

export const patch: Verb = {
  flags: [
    { name: "patch", short: "p", kind: "string" },
    { name: "type", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "dry-run", kind: "string" },
    { name: "subresource", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "local", kind: "bool" },
  ],
  run: patchRun,
};
export const wait: Verb = {
  flags: [
    { name: "for", kind: "string" },
    { name: "timeout", kind: "string" },
    { name: "selector", short: "l", kind: "string" },
    { name: "all", kind: "bool" },
    { name: "all-namespaces", short: "A", kind: "bool" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "output", short: "o", kind: "string" },
  ],
  run: waitRun,
};
export const auth: Verb = {
  flags: [
    { name: "list", kind: "bool" },
    { name: "all-namespaces", short: "A", kind: "bool" },
    { name: "subresource", kind: "string" },
    { name: "quiet", short: "q", kind: "bool" },
    { name: "no-headers", kind: "bool" },
    { name: "output", short: "o", kind: "string" },
  ],
  run: authRun,
};
