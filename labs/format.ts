// The lab format (docs/labs.md): a YAML document with a title, the cluster it needs, a hidden setup,
// steps of Markdown with their checks, hints and solutions, and a finish text. Parsing is strict —
// an unknown field or a wrong type is an error naming its path, as a teacher's CI wants it — and
// every check becomes one shell script run in the workstation (passes on exit 0, as Killercoda's
// `verify`), so a declarative assertion and a hand-written script are checked the same way,
// server-side, where the page cannot fake them. Pure: the Worker, the cluster and the CLI share it.
import { parse as parseYaml } from "yaml";

export type Role = "control-plane" | "worker";

export interface Lab {
  title: string;
  description: string;
  /** BCP 47 tag of the text: "en", "zh". */
  language: string;
  /** Markdown shown before the steps. */
  intro?: string;
  /** Workers with `joined: false` (after the others) are machines that wait for `kubeadm join`. */
  cluster: { nodes: { role: Role; joined?: boolean }[]; lifetime?: string; clock: "realistic" | "instant" };
  /** Done before the learner arrives, out of sight: manifests applied, then the script run. */
  setup: { manifests?: string; script?: string };
  steps: Step[];
  finish?: string;
  /** What an imported scenario asks that kubeplay cannot do, each with the reason (never from YAML). */
  notes?: string[];
}

export interface Step {
  title: string;
  /** Markdown; ```bash {run} blocks are typed into the terminal on click, ```yaml {copy} blocks copy. */
  text: string;
  hint?: string;
  /** What a teacher's `kubeplay lab test` types to solve the step (a shell script). */
  solution?: string;
  /** Run out of sight when the step is reached: the first step's after the setup, the others' once
   *  the step before passed (Killercoda's per-step background scripts). */
  background?: string;
  checks: Check[];
}

/** A reference to an object, as kubectl names it. */
interface Ref {
  kind: string;
  name: string;
  namespace?: string;
}

export type Check =
  | { script: string; description: string }
  | { exists: Ref }
  | { field: Ref & { path: string; equals?: string; matches?: string } }
  | { count: { kind: string; namespace?: string; selector?: string; equals?: number; atLeast?: number } }
  | { event: { reason: string; object?: string; namespace?: string } }
  /** A URL fetched from the control-plane node, or a Service's port reached through its ClusterIP. */
  | { request: { url?: string; service?: string; namespace?: string; port?: number; path?: string; matches: string } };

export interface LabError {
  field: string;
  message: string;
}

export type Parsed = { ok: true; lab: Lab } | { ok: false; errors: LabError[] };

const CHECK_KINDS = ["script", "exists", "field", "count", "event", "request"] as const;

/** Read a lab from its YAML (or JSON) text, or from the object a JSON request carried. */
export function parseLab(source: string | unknown): Parsed {
  let doc: unknown = source;
  if (typeof source === "string") {
    try {
      doc = parseYaml(source, { uniqueKeys: true, maxAliasCount: 100 });
    } catch (e) {
      return { ok: false, errors: [{ field: "", message: `invalid YAML: ${(e as Error).message.split("\n")[0]}` }] };
    }
  }
  const errors: LabError[] = [];
  const r = new Reader(errors);
  const top = r.object(doc, "", ["title", "description", "language", "intro", "cluster", "setup", "steps", "finish"]);
  const clusterDoc = r.object(top.cluster ?? {}, "cluster", ["nodes", "lifetime", "clock"]);
  const nodes = (r.array(clusterDoc.nodes ?? [{ role: "control-plane" }, { role: "worker" }], "cluster.nodes") ?? []).map((n, i) => {
    const node = r.object(n, `cluster.nodes[${i}]`, ["role", "joined"]);
    const role = r.oneOf(node.role, `cluster.nodes[${i}].role`, ["control-plane", "worker"]) as Role;
    if (node.joined === undefined) return { role };
    if (typeof node.joined !== "boolean") errors.push({ field: `cluster.nodes[${i}].joined`, message: "must be true or false" });
    return { role, joined: node.joined === true };
  });
  const waiting = nodes.findIndex((n) => n.joined === false);
  if (waiting >= 0 && (nodes[waiting].role !== "worker" || nodes.slice(waiting).some((n) => n.joined !== false)))
    errors.push({ field: `cluster.nodes[${waiting}].joined`, message: "only workers may wait for kubeadm join, after the joined nodes" });
  if (nodes.filter((n) => n.role === "control-plane").length !== 1 || nodes[0]?.role !== "control-plane")
    errors.push({ field: "cluster.nodes", message: "must have exactly one control-plane node, first" });
  if (
    clusterDoc.lifetime !== undefined &&
    !(typeof clusterDoc.lifetime === "string" && /^(\d+h)?(\d+m)?(\d+s)?$/.test(clusterDoc.lifetime) && clusterDoc.lifetime)
  )
    errors.push({
      field: "cluster.lifetime",
      message: `Invalid value: ${JSON.stringify(clusterDoc.lifetime)}: must be a duration such as 90m or 4h`,
    });
  const setupDoc = r.object(top.setup ?? {}, "setup", ["manifests", "script"]);
  const stepsDoc = r.array(top.steps, "steps") ?? [];
  if (!stepsDoc.length && !errors.some((e) => e.field === "steps"))
    errors.push({ field: "steps", message: "a lab needs at least one step" });
  const lab: Lab = {
    title: r.text(top.title, "title") ?? "",
    description: r.text(top.description, "description", true) ?? "",
    language: r.text(top.language, "language", true) ?? "en",
    intro: r.text(top.intro, "intro", true),
    cluster: {
      nodes,
      lifetime: r.text(clusterDoc.lifetime, "cluster.lifetime", true),
      clock: (r.oneOf(clusterDoc.clock ?? "realistic", "cluster.clock", ["realistic", "instant"]) ?? "realistic") as
        | "realistic"
        | "instant",
    },
    setup: { manifests: r.text(setupDoc.manifests, "setup.manifests", true), script: r.text(setupDoc.script, "setup.script", true) },
    steps: stepsDoc.map((s, i) => {
      const at = `steps[${i}]`;
      const step = r.object(s, at, ["title", "text", "hint", "solution", "background", "checks"]);
      const checks = (r.array(step.checks, `${at}.checks`) ?? []).map((c, j) => readCheck(r, c, `${at}.checks[${j}]`));
      if (!checks.length && !errors.some((e) => e.field === `${at}.checks`))
        errors.push({ field: `${at}.checks`, message: "a step needs at least one check" });
      return {
        title: r.text(step.title, `${at}.title`) ?? "",
        text: r.text(step.text, `${at}.text`) ?? "",
        hint: r.text(step.hint, `${at}.hint`, true),
        solution: r.text(step.solution, `${at}.solution`, true),
        background: r.text(step.background, `${at}.background`, true),
        checks: checks.filter((c): c is Check => c !== undefined),
      };
    }),
    finish: r.text(top.finish, "finish", true),
  };
  return errors.length ? { ok: false, errors } : { ok: true, lab };
}

function readCheck(r: Reader, doc: unknown, at: string): Check | undefined {
  const obj = r.object(doc, at, [...CHECK_KINDS, "description"]);
  const kinds = CHECK_KINDS.filter((k) => k in obj);
  if (kinds.length !== 1) {
    r.errors.push({ field: at, message: `must have exactly one of ${CHECK_KINDS.join(", ")}` });
    return undefined;
  }
  const [kind] = kinds;
  const ref = (o: unknown, path: string, extra: string[] = []) => {
    const x = r.object(o, path, ["kind", "name", "namespace", ...extra]);
    return {
      kind: r.text(x.kind, `${path}.kind`) ?? "",
      name: r.text(x.name, `${path}.name`) ?? "",
      namespace: r.text(x.namespace, `${path}.namespace`, true),
    };
  };
  switch (kind) {
    case "script":
      return { script: r.text(obj.script, `${at}.script`) ?? "", description: r.text(obj.description, `${at}.description`) ?? "" };
    case "exists":
      if (obj.description !== undefined) r.errors.push({ field: `${at}.description`, message: "only a script check has a description" });
      return { exists: ref(obj.exists, `${at}.exists`) };
    case "field": {
      const path = `${at}.field`;
      const f = ref(obj.field, path, ["path", "equals", "matches"]);
      const raw = (obj.field ?? {}) as Record<string, unknown>;
      const field = {
        ...f,
        path: r.text(raw.path, `${path}.path`) ?? "",
        equals: r.scalar(raw.equals, `${path}.equals`),
        matches: r.text(raw.matches, `${path}.matches`, true),
      };
      if ((field.equals === undefined) === (field.matches === undefined))
        r.errors.push({ field: path, message: "must have one of equals, matches" });
      return { field };
    }
    case "count": {
      const path = `${at}.count`;
      const c = r.object(obj.count, path, ["kind", "namespace", "selector", "equals", "atLeast"]);
      const count = {
        kind: r.text(c.kind, `${path}.kind`) ?? "",
        namespace: r.text(c.namespace, `${path}.namespace`, true),
        selector: r.text(c.selector, `${path}.selector`, true),
        equals: r.count(c.equals, `${path}.equals`),
        atLeast: r.count(c.atLeast, `${path}.atLeast`),
      };
      if ((count.equals === undefined) === (count.atLeast === undefined))
        r.errors.push({ field: path, message: "must have one of equals, atLeast" });
      return { count };
    }
    case "event": {
      const path = `${at}.event`;
      const e = r.object(obj.event, path, ["reason", "object", "namespace"]);
      return {
        event: {
          reason: r.text(e.reason, `${path}.reason`) ?? "",
          object: r.text(e.object, `${path}.object`, true),
          namespace: r.text(e.namespace, `${path}.namespace`, true),
        },
      };
    }
    case "request": {
      const path = `${at}.request`;
      const q = r.object(obj.request, path, ["url", "service", "namespace", "port", "path", "matches"]);
      const request = {
        url: r.text(q.url, `${path}.url`, true),
        service: r.text(q.service, `${path}.service`, true),
        namespace: r.text(q.namespace, `${path}.namespace`, true),
        port: r.count(q.port, `${path}.port`),
        path: r.text(q.path, `${path}.path`, true),
        matches: r.text(q.matches, `${path}.matches`) ?? "",
      };
      if ((request.url === undefined) === (request.service === undefined))
        r.errors.push({ field: path, message: "must have one of url, service" });
      if (request.service !== undefined && request.port === undefined)
        r.errors.push({ field: `${path}.port`, message: "required with service" });
      return { request };
    }
  }
}

/** Strict reading of untyped YAML: each wrong shape is an error at its path. */
class Reader {
  constructor(readonly errors: LabError[]) {}

  object(v: unknown, at: string, fields: string[]): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.errors.push({ field: at, message: "must be a mapping" });
      return {};
    }
    for (const k of Object.keys(v))
      if (!fields.includes(k)) this.errors.push({ field: at ? `${at}.${k}` : k, message: `unknown field (allowed: ${fields.join(", ")})` });
    return v as Record<string, unknown>;
  }

  array(v: unknown, at: string): unknown[] | undefined {
    if (v === undefined) {
      this.errors.push({ field: at, message: "required" });
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.errors.push({ field: at, message: "must be a list" });
      return undefined;
    }
    return v;
  }

  text(v: unknown, at: string, optional = false): string | undefined {
    if (v === undefined || v === null) {
      if (!optional) this.errors.push({ field: at, message: "required" });
      return undefined;
    }
    if (typeof v !== "string") {
      this.errors.push({ field: at, message: "must be a string" });
      return undefined;
    }
    if (!optional && !v.trim()) this.errors.push({ field: at, message: "must not be empty" });
    return v;
  }

  /** A string, or a number or boolean read as YAML wrote it ("4", "true"). */
  scalar(v: unknown, at: string): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
    this.errors.push({ field: at, message: "must be a string or a number" });
    return undefined;
  }

  count(v: unknown, at: string): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      this.errors.push({ field: at, message: "must be a whole number, 0 or more" });
      return undefined;
    }
    return v;
  }

  oneOf(v: unknown, at: string, values: string[]): string | undefined {
    if (typeof v !== "string" || !values.includes(v)) {
      this.errors.push({
        field: at,
        message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${values.map((x) => `"${x}"`).join(", ")}`,
      });
      return undefined;
    }
    return v;
  }
}

/** A word for sh, single-quoted. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const nsFlag = (ns: string | undefined) => (ns ? ` -n ${shellQuote(ns)}` : "");

/** What a check verifies, in the words a failing check says, and the script that verifies it. */
export function checkScript(check: Check): { description: string; script: string } {
  if ("script" in check) return { description: check.description, script: check.script };
  if ("exists" in check) {
    const { kind, name, namespace } = check.exists;
    return {
      description: `${kind} ${name} exists${namespace ? ` in namespace ${namespace}` : ""}`,
      script: `kubectl get ${shellQuote(kind)} ${shellQuote(name)}${nsFlag(namespace)} -o name`,
    };
  }
  if ("field" in check) {
    const { kind, name, namespace, path, equals, matches } = check.field;
    const get = `kubectl get ${shellQuote(kind)} ${shellQuote(name)}${nsFlag(namespace)} -o jsonpath=${shellQuote(path)}`;
    return equals !== undefined
      ? { description: `${kind} ${name} has ${path} = ${JSON.stringify(equals)}`, script: `test "$(${get})" = ${shellQuote(equals)}` }
      : { description: `${kind} ${name} has ${path} matching /${matches}/`, script: `${get} | grep -Eq ${shellQuote(matches ?? "")}` };
  }
  if ("count" in check) {
    const { kind, namespace, selector, equals, atLeast } = check.count;
    const list = `kubectl get ${shellQuote(kind)}${nsFlag(namespace)}${selector ? ` -l ${shellQuote(selector)}` : ""} -o name | wc -l`;
    const what = `${kind}${selector ? ` matching ${selector}` : ""}${namespace ? ` in namespace ${namespace}` : ""}`;
    return equals !== undefined
      ? { description: `exactly ${equals} ${what}`, script: `test "$(${list})" -eq ${equals}` }
      : { description: `at least ${atLeast} ${what}`, script: `test "$(${list})" -ge ${atLeast}` };
  }
  if ("event" in check) {
    const { reason, object, namespace } = check.event;
    const [kind, name] = object?.includes("/") ? object.split("/", 2) : [undefined, object];
    const selector = [
      `reason=${reason}`,
      ...(kind ? [`involvedObject.kind=${kindName(kind)}`] : []),
      ...(name ? [`involvedObject.name=${name}`] : []),
    ].join(",");
    return {
      description: `an event ${reason}${object ? ` of ${object}` : ""} was recorded`,
      script: `test -n "$(kubectl get events${namespace ? nsFlag(namespace) : " -A"} --field-selector ${shellQuote(selector)} -o name)"`,
    };
  }
  const { url, service, namespace, port, path = "/", matches } = check.request;
  // Nodes do not use the cluster's DNS: a Service is reached at its ClusterIP, as from a node's shell.
  const target = url
    ? shellQuote(url)
    : `"http://$(kubectl get service ${shellQuote(service ?? "")}${nsFlag(namespace)} -o jsonpath='{.spec.clusterIP}'):${port}"${shellQuote(path)}`;
  const what =
    url ?? `service ${service}${namespace ? ` in namespace ${namespace}` : ""} on port ${port}${path === "/" ? "" : ` at ${path}`}`;
  return {
    description: `${what} answers with a body matching /${matches}/`,
    script: `curl -s --max-time 5 ${target} | grep -Eq ${shellQuote(matches)}`,
  };
}

/** The Kind an event's involvedObject names for a kubectl resource word ("deployment" → "Deployment"). */
function kindName(word: string): string {
  const known: Record<string, string> = {
    deploy: "Deployment",
    deployment: "Deployment",
    rs: "ReplicaSet",
    replicaset: "ReplicaSet",
    po: "Pod",
    pod: "Pod",
    svc: "Service",
    service: "Service",
    node: "Node",
    no: "Node",
    job: "Job",
    cronjob: "CronJob",
    ds: "DaemonSet",
    daemonset: "DaemonSet",
    sts: "StatefulSet",
    statefulset: "StatefulSet",
  };
  return known[word.toLowerCase()] ?? word;
}
