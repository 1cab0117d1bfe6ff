// `kubectl create <kind> NAME …` and `kubectl run`: the objects kubectl's generators build
// (k8s.io/kubectl/pkg/cmd/create), empty Go structs included, so `--dry-run=client -o yaml` prints
// what kubectl prints — the way learners write their manifests.
import { resolvePath } from "../../fs";
import { type Parsed, int, str, strs } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage, type Resource } from "./client";
import { formatObjects } from "./get";
import { groupHelp } from "./help";
import { x509KeyPairError } from "./tlspair";
import type { Kube, KubectlRun } from "./types";
import type { HTTPIngressPath } from "kubernetes-types/networking/v1";

export const GENERATOR_FLAGS = [
  { name: "image", kind: "strings" },
  { name: "replicas", short: "r", kind: "int" },
  { name: "port", kind: "int" },
  { name: "from-literal", kind: "strings" },
  { name: "from-file", kind: "strings" },
  { name: "from-env-file", kind: "strings" },
  { name: "tcp", kind: "strings" },
  { name: "node-port", kind: "int" },
  { name: "clusterip", kind: "string" },
  { name: "type", kind: "string" },
  { name: "schedule", kind: "string" },
  { name: "restart", kind: "string" },
  { name: "from", kind: "string" },
  { name: "append-hash", kind: "bool" },
  { name: "cert", kind: "string" },
  { name: "key", kind: "string" },
  { name: "docker-server", kind: "string" },
  { name: "docker-username", kind: "string" },
  { name: "docker-password", kind: "string" },
  { name: "docker-email", kind: "string" },
  { name: "verb", kind: "strings" },
  { name: "resource", kind: "strings" },
  { name: "resource-name", kind: "strings" },
  { name: "non-resource-url", kind: "strings" },
  { name: "aggregation-rule", kind: "strings" },
  { name: "role", kind: "string" },
  { name: "clusterrole", kind: "string" },
  { name: "user", kind: "strings" },
  { name: "group", kind: "strings" },
  { name: "serviceaccount", kind: "strings" },
  { name: "class", kind: "string" },
  { name: "rule", kind: "strings" },
  { name: "default-backend", kind: "string" },
  { name: "annotation", kind: "strings" },
] as const;

/** A container's name from its image, as kubectl derives it ("nginx:1.27" → "nginx", "registry.k8s.io/e2e-test-images/agnhost:2.39" → "agnhost"). */
export const containerName = (image: string) =>
  image
    .replace(/[@:].*$/, "")
    .replace(/^.*\//, "")
    .replace(/[^a-z0-9-]/g, "-");

const pairs = (items: string[]): [string, string][] =>
  items.map((item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new KubectlError(`error: invalid literal source ${item}, expected key=value`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });

function fromFiles(k: Kube, items: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const item of items) {
    const eq = item.indexOf("=");
    const [key, file] = eq > 0 ? [item.slice(0, eq), item.slice(eq + 1)] : [item.replace(/^.*\//, ""), item];
    const path = resolvePath(file, k.cwd);
    if (k.fs.isDir(path)) {
      for (const entry of k.fs.list(path) ?? [])
        if (!k.fs.isDir(`${path}/${entry}`)) out.push([entry, k.fs.read(`${path}/${entry}`) ?? ""]);
      continue;
    }
    const text = k.fs.read(path);
    if (text === undefined) throw new KubectlError(`error: error reading ${file}: no such file or directory`);
    out.push([key, text]);
  }
  return out;
}

/** Go's base64.StdEncoding of a string's UTF-8 bytes. */
const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/** A file `create secret tls` reads, failing in os.ReadFile's words. */
function readFile(k: Kube, file: string): string {
  const text = k.fs.read(resolvePath(file, k.cwd));
  if (text === undefined)
    throw new KubectlError(
      k.fs.isDir(resolvePath(file, k.cwd))
        ? `error: Cannot read file ${file}, read ${file}: is a directory`
        : `error: Cannot read file ${file}, open ${file}: no such file or directory`,
    );
  return text;
}

/** The Secret of `create secret generic|tls|docker-registry` (create_secret*.go's newSecretObj and fillers). */
function secret(sub: string, p: Parsed, k: Kube, name: string): any {
  const object = (type: string | undefined, entries: [string, string][]) => ({
    kind: "Secret",
    apiVersion: "v1",
    metadata: meta(name),
    ...(entries.length ? { data: Object.fromEntries(entries.map(([key, v]) => [key, base64(v)])) } : {}),
    ...(type ? { type } : {}),
  });
  if (sub === "generic") return object(str(p, "type"), [...fromFiles(k, strs(p, "from-file")), ...pairs(strs(p, "from-literal"))]);
  if (sub === "tls") {
    const cert = str(p, "cert");
    const key = str(p, "key");
    if (!cert || !key) throw new KubectlError("error: key and cert must be specified");
    return object("kubernetes.io/tls", [
      ["tls.crt", readFile(k, cert)],
      ["tls.key", readFile(k, key)],
    ]);
  }
  const files = strs(p, "from-file").map((f) => (f.includes("=") ? f : `.dockerconfigjson=${f}`));
  const username = str(p, "docker-username") ?? "";
  const password = str(p, "docker-password") ?? "";
  const server = str(p, "docker-server") ?? "https://index.docker.io/v1/";
  if (!files.length && (!username || !password || !server))
    throw new KubectlError(
      "error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required",
    );
  if (files.length) return object("kubernetes.io/dockerconfigjson", fromFiles(k, files));
  // DockerConfigEntry's fields are omitempty; Go's encoder escapes HTML characters.
  const entry = { username, password, email: str(p, "docker-email"), auth: base64(`${username}:${password}`) };
  const json = JSON.stringify({ auths: { [server]: Object.fromEntries(Object.entries(entry).filter(([, v]) => v)) } }).replace(
    /[<>&]/g,
    (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
  );
  return object("kubernetes.io/dockerconfigjson", [[".dockerconfigjson", json]]);
}

// Objects are built in their Go structs' field order: `-o json` of a dry run prints them so (YAML sorts).
const meta = (name: string, labels?: Record<string, string>) => ({ name, creationTimestamp: null, ...(labels ? { labels } : {}) });

const SERVICE_TYPES = { clusterip: "ClusterIP", externalname: "ExternalName", loadbalancer: "LoadBalancer", nodeport: "NodePort" };

/** create_ingress.go's ruleRegex: host/path=svcname:svcport[,tls[=secret]]. */
const INGRESS_RULE = /^(?<host>[\w*\-.]*)(?<path>\/.*)=(?<svcname>[\w-]+):(?<svcport>[\w-]+)(,(?<istls>tls)=?(?<secretname>[\w-]+)?)?/;

/** parseServiceBackendPort: intstr.Parse makes a number of what parses as one. */
const backendPort = (port: string) =>
  /^-?\d+$/.test(port) && Math.abs(Number(port)) < 2 ** 31 ? { number: Number(port) } : { name: port };

/** buildIngressBackendSvc. */
const ingressBackend = (service: string) => {
  const [name, port] = service.split(":");
  return { service: { name, port: backendPort(port) } };
};

/** create_ingress.go's Validate and createIngress: the Ingress `create ingress` builds. */
function ingress(p: Parsed, name: string): Record<string, unknown> {
  const rules = strs(p, "rule");
  const annotations = strs(p, "annotation");
  const defaultBackend = str(p, "default-backend") ?? "";
  if (!defaultBackend && !rules.length)
    throw new KubectlError(
      "error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)",
    );
  for (const rule of rules)
    if (!INGRESS_RULE.test(rule))
      throw new KubectlError(`error: rule ${rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`);
  for (const a of annotations)
    if (!a.includes("=")) throw new KubectlError(`error: annotation ${a} is invalid and should be in format key=[value]`);
  if (defaultBackend && defaultBackend.split(":").length !== 2)
    throw new KubectlError("error: default-backend should be in format servicename:serviceport");
  // buildTLSRules: one entry per secret, gathering the hosts of the rules that name it.
  const tls: { hosts?: string[]; secretName?: string }[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const parts = rule.split(",");
    if (parts.length !== 2) continue;
    const host = rule.split("/")[0];
    const secretName = parts[1].split("=");
    const secret = secretName.length > 1 ? secretName[1] : "";
    if (seen.has(host)) continue;
    seen.add(host);
    const same = tls.find((t) => (t.secretName ?? "") === secret);
    if (same) {
      (same.hosts ??= []).push(host);
      continue;
    }
    const entry = { ...(host ? { hosts: [host] } : {}), ...(secret ? { secretName: secret } : {}) };
    if (entry.hosts || entry.secretName) tls.push(entry);
  }
  // buildIngressRules: paths of one host share a rule; a trailing * is pathType Prefix, else Exact.
  const built: { host?: string; http: { paths: HTTPIngressPath[] } }[] = [];
  for (const rule of rules) {
    const noTLS = rule.split(",")[0];
    const slash = noTLS.indexOf("/");
    const host = noTLS.slice(0, slash);
    const [pathPart, service] = noTLS.slice(slash + 1).split("=");
    let path = `/${pathPart}`;
    let pathType = "Exact";
    if (path.endsWith("*")) {
      pathType = "Prefix";
      path = path.slice(0, -1);
    }
    const entry = { path, pathType, backend: ingressBackend(service) };
    const same = built.find((r) => (r.host ?? "") === host);
    if (same) same.http.paths.push(entry);
    else built.push({ ...(host ? { host } : {}), http: { paths: [entry] } });
  }
  const className = str(p, "class") ?? "";
  return {
    kind: "Ingress",
    apiVersion: "networking.k8s.io/v1",
    metadata: {
      name,
      creationTimestamp: null,
      ...(annotations.length
        ? { annotations: Object.fromEntries(annotations.map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)])) }
        : {}),
    },
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      ...(defaultBackend ? { defaultBackend: ingressBackend(defaultBackend) } : {}),
      ...(tls.length ? { tls } : {}),
      ...(built.length ? { rules: built } : {}),
    },
    status: { loadBalancer: {} },
  };
}

/** A command group run without its subcommand: kubectl prints the group's help. */
class GroupHelp {
  constructor(readonly group: string) {}
}

/** The object `create <kind>` builds, and the resource it is written to. */
function build(p: Parsed, k: Kube): { obj: any; resource: Resource } {
  const [kind, ...rest] = p.args;
  const sub = kind === "secret" || kind === "service" || kind === "svc" ? rest.shift() : undefined;
  const name = rest[0];
  // cmdutil's NameFromCommandArgs, in the words of the command's full name.
  const need = (command: string) => {
    if (rest.length !== 1)
      throw new KubectlError(
        `error: exactly one NAME is required, got ${rest.length}\nSee 'kubectl create ${command}${sub ? ` ${sub}` : ""} -h' for help and examples`,
      );
  };
  const subcommands =
    kind === "secret"
      ? ["generic", "tls", "docker-registry"]
      : kind === "service" || kind === "svc"
        ? Object.keys(SERVICE_TYPES)
        : undefined;
  if (subcommands && !subcommands.includes(sub ?? "")) {
    if (sub === undefined) throw new GroupHelp(kind === "secret" ? "create secret" : "create service");
    throw new KubectlError(
      `error: unknown command "${[sub, ...rest].join(" ")}"\nSee 'kubectl create ${kind === "secret" ? "secret" : "service"} -h' for help and examples`,
    );
  }
  switch (kind) {
    case "namespace":
    case "ns":
      need("namespace");
      return {
        resource: findResource("namespaces"),
        obj: { kind: "Namespace", apiVersion: "v1", metadata: meta(name), spec: {}, status: {} },
      };
    case "deployment":
    case "deploy": {
      const images = strs(p, "image");
      if (!images.length) throw new KubectlError('error: required flag(s) "image" not set');
      need("deployment");
      const command = p.dash ?? [];
      if (images.length > 1 && command.length) throw new KubectlError("error: cannot specify multiple --image options and command");
      const port = int(p, "port");
      const labels = { app: name };
      const containers = images.map((image) => ({
        name: containerName(image),
        image,
        ...(command.length ? { command } : {}),
        ...(port !== undefined ? { ports: [{ containerPort: port }] } : {}),
        resources: {},
      }));
      return {
        resource: findResource("deployments.apps"),
        obj: {
          kind: "Deployment",
          apiVersion: "apps/v1",
          metadata: meta(name, labels),
          spec: {
            replicas: int(p, "replicas") ?? 1,
            selector: { matchLabels: labels },
            template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
            strategy: {},
          },
          status: {},
        },
      };
    }
    case "configmap":
    case "cm": {
      need("configmap");
      const data = Object.fromEntries([...fromFiles(k, strs(p, "from-file")), ...pairs(strs(p, "from-literal"))]);
      return {
        resource: findResource("configmaps"),
        obj: { kind: "ConfigMap", apiVersion: "v1", metadata: meta(name), ...(Object.keys(data).length ? { data } : {}) },
      };
    }
    case "secret":
      need("secret");
      return { resource: findResource("secrets"), obj: secret(sub as string, p, k, name) };
    case "serviceaccount":
    case "sa":
      need("serviceaccount");
      return { resource: findResource("serviceaccounts"), obj: { kind: "ServiceAccount", apiVersion: "v1", metadata: meta(name) } };
    case "service":
    case "svc": {
      const type = SERVICE_TYPES[sub as keyof typeof SERVICE_TYPES];
      need("service");
      const ports = strs(p, "tcp").map((spec) => {
        const [port, target = port] = spec.split(":");
        return {
          name: `${port}-${target}`,
          protocol: "TCP",
          port: Number(port),
          targetPort: Number(target),
          ...(type === "NodePort" && int(p, "node-port") ? { nodePort: int(p, "node-port") } : {}),
        };
      });
      const clusterIP = str(p, "clusterip");
      return {
        resource: findResource("services"),
        obj: {
          kind: "Service",
          apiVersion: "v1",
          metadata: meta(name, { app: name }),
          spec: { ports, selector: { app: name }, ...(clusterIP ? { clusterIP } : {}), type },
          status: { loadBalancer: {} },
        },
      };
    }
    case "ingress":
    case "ing":
      need("ingress");
      return { resource: findResource("ingresses.networking.k8s.io"), obj: ingress(p, name) };
    case "job": {
      need("job");
      const images = strs(p, "image");
      if (!images.length && !str(p, "from")) throw new KubectlError("error: either --image or --from must be specified");
      const command = p.dash ?? [];
      return {
        resource: findResource("jobs.batch"),
        obj: {
          kind: "Job",
          apiVersion: "batch/v1",
          metadata: meta(name),
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: {
                containers: [{ name, image: images[0], ...(command.length ? { command } : {}), resources: {} }],
                restartPolicy: "Never",
              },
            },
          },
          status: {},
        },
      };
    }
    case "cronjob":
    case "cj": {
      need("cronjob");
      const images = strs(p, "image");
      const command = p.dash ?? [];
      return {
        resource: findResource("cronjobs.batch"),
        obj: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: meta(name),
          spec: {
            schedule: str(p, "schedule") ?? "",
            jobTemplate: {
              metadata: { name, creationTimestamp: null },
              spec: {
                template: {
                  metadata: { creationTimestamp: null },
                  spec: {
                    containers: [{ name, image: images[0], ...(command.length ? { command } : {}), resources: {} }],
                    restartPolicy: str(p, "restart") ?? "OnFailure",
                  },
                },
              },
            },
          },
          status: {},
        },
      };
    }
    case "role":
      need("role");
      return { resource: findResource("roles.rbac.authorization.k8s.io"), obj: roleObject(p, k, "Role", name) };
    case "clusterrole":
      need("clusterrole");
      return { resource: findResource("clusterroles.rbac.authorization.k8s.io"), obj: roleObject(p, k, "ClusterRole", name) };
    case "rolebinding":
      need("rolebinding");
      return { resource: findResource("rolebindings.rbac.authorization.k8s.io"), obj: bindingObject(p, "RoleBinding", name) };
    case "clusterrolebinding":
      need("clusterrolebinding");
      if (!str(p, "clusterrole")) throw new KubectlError('error: required flag(s) "clusterrole" not set');
      return { resource: findResource("clusterrolebindings.rbac.authorization.k8s.io"), obj: bindingObject(p, "ClusterRoleBinding", name) };
    default:
      throw k.notYet(`kubectl create ${kind}`);
  }
}

const RBAC = "rbac.authorization.k8s.io";
const VALID_RESOURCE_VERBS = [
  "*",
  "get",
  "delete",
  "list",
  "create",
  "update",
  "patch",
  "watch",
  "proxy",
  "deletecollection",
  "use",
  "bind",
  "escalate",
  "impersonate",
];
const VALID_NON_RESOURCE_VERBS = ["*", "get", "post", "put", "delete", "patch", "head", "options"];
/** create_role.go's specialVerbs: verbs only some resources have. */
const SPECIAL_VERBS: Record<string, [string, string][]> = {
  use: [
    ["policy", "podsecuritypolicies"],
    ["extensions", "podsecuritypolicies"],
  ],
  bind: [
    [RBAC, "roles"],
    [RBAC, "clusterroles"],
  ],
  escalate: [
    [RBAC, "roles"],
    [RBAC, "clusterroles"],
  ],
  impersonate: [
    ["", "users"],
    ["", "serviceaccounts"],
    ["", "groups"],
    ["authentication.k8s.io", "userextras"],
  ],
};

const unique = (list: string[]) => [...new Set(list)];

/** The Role or ClusterRole of `create role|clusterrole` (create_role.go, create_clusterrole.go). */
function roleObject(p: Parsed, k: Kube, kind: "Role" | "ClusterRole", name: string): any {
  let verbs = unique(strs(p, "verb"));
  if (verbs.includes("*")) verbs = ["*"];
  // --resource=deployments.apps/scale: resource, group and subresource; "*" alone stands for all.
  let resources = strs(p, "resource").map((r) => {
    const [main, sub = ""] = r.split(/\/(.*)/s);
    const dot = main.indexOf(".");
    return {
      resource: dot < 0 ? main : main.slice(0, dot),
      group: dot < 0 ? "" : main.slice(dot + 1),
      sub,
      whole: !r.includes("/") && dot < 0,
    };
  });
  const star = resources.find((r) => r.resource === "*" && r.whole);
  if (star) resources = [star];
  const resourceNames = unique(strs(p, "resource-name"));
  const urls = kind === "ClusterRole" ? strs(p, "non-resource-url") : [];
  const aggregation = kind === "ClusterRole" ? strs(p, "aggregation-rule") : [];
  const obj: any = { kind, apiVersion: `${RBAC}/v1`, metadata: meta(name) };
  if (aggregation.length) {
    if (urls.length || verbs.length || resources.length || resourceNames.length)
      throw new KubectlError("error: aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames");
    obj.rules = null;
    obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: Object.fromEntries(pairs(aggregation)) }] };
    return obj;
  }
  if (!verbs.length) throw new KubectlError("error: at least one verb must be specified");
  if (kind === "Role" && !resources.length) throw new KubectlError("error: at least one resource must be specified");
  if (kind === "ClusterRole" && !resources.length && !urls.length)
    throw new KubectlError("error: one of resource or nonResourceURL must be specified");
  if (resources.length)
    for (const v of verbs) if (!VALID_RESOURCE_VERBS.includes(v)) k.io.stderr(`Warning: '${v}' is not a standard resource verb\n`);
  // The RESTMapper's group of each resource, and validateResource's refusals.
  const mapped = resources.map((r) => {
    if (!r.resource) throw new KubectlError("error: resource must be specified if apiGroup/subresource specified");
    if (r.resource === "*") return { group: r.group, resource: r.resource, sub: r.sub, known: true };
    try {
      const def = findResource(r.group ? `${r.resource}.${r.group}` : r.resource).def;
      return { group: def.group, resource: def.plural, sub: r.sub, known: true };
    } catch {
      return { ...r, known: false };
    }
  });
  for (const m of mapped) {
    if (m.resource === "*") break;
    let ok = m.known;
    for (const v of verbs) {
      const special = SPECIAL_VERBS[v];
      if (!special) continue;
      if (!special.some(([g, res]) => g === m.group && res === m.resource))
        throw new KubectlError(`error: can not perform '${v}' on '${m.resource}' in group '${m.group}'`);
      ok = true;
    }
    // The RESTMapper's NoResourceMatchError, which kubectl prints without its "error: ".
    if (!ok) throw new KubectlError(`the server doesn't have a resource type "${m.resource}"${m.group ? ` in group "${m.group}"` : ""}`);
  }
  if (urls.length) {
    for (const v of verbs)
      if (!VALID_NON_RESOURCE_VERBS.includes(v)) throw new KubectlError(`error: invalid verb: '${v}' for nonResourceURL`);
    for (const u of urls) {
      if (u === "*") continue;
      if (!u.startsWith("/")) throw new KubectlError("error: nonResourceURL should start with /");
      if (u.slice(0, -1).includes("*"))
        throw new KubectlError("error: nonResourceURL only supports wildcard matches when '*' is at the end");
    }
  }
  // generateResourcePolicyRules: one rule per API group, groups in sorted order, then the URLs' rule.
  const byGroup = new Map<string, string[]>();
  for (const m of mapped) {
    const res = m.sub ? `${m.resource}/${m.sub}` : m.resource;
    const list = byGroup.get(m.group) ?? [];
    if (!list.includes(res)) list.push(res);
    byGroup.set(m.group, list);
  }
  obj.rules = [...byGroup.keys()].sort().map((g) => ({
    verbs,
    apiGroups: [g],
    resources: byGroup.get(g),
    ...(resourceNames.length ? { resourceNames } : {}),
  }));
  if (urls.length) obj.rules.push({ verbs, nonResourceURLs: urls });
  return obj;
}

/** The RoleBinding or ClusterRoleBinding of `create rolebinding|clusterrolebinding`. */
function bindingObject(p: Parsed, kind: "RoleBinding" | "ClusterRoleBinding", name: string): any {
  const role = kind === "RoleBinding" ? str(p, "role") : undefined;
  const clusterRole = str(p, "clusterrole");
  if (kind === "RoleBinding" && !role === !clusterRole)
    throw new KubectlError("error: exactly one of clusterrole or role must be specified");
  const subjects = [
    ...strs(p, "user").map((n) => ({ kind: "User", apiGroup: RBAC, name: n })),
    ...strs(p, "group").map((n) => ({ kind: "Group", apiGroup: RBAC, name: n })),
    ...strs(p, "serviceaccount").map((sa) => {
      const parts = sa.split(":");
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw new KubectlError("error: serviceaccount must be <namespace>:<name>");
      return { kind: "ServiceAccount", name: parts[1], namespace: parts[0] };
    }),
  ];
  return {
    kind,
    apiVersion: `${RBAC}/v1`,
    metadata: meta(name),
    ...(subjects.length ? { subjects } : {}),
    roleRef: { apiGroup: RBAC, kind: role ? "Role" : "ClusterRole", name: role ?? clusterRole },
  };
}

/** A typed object as Go's json.MarshalIndent prints it: its field order, 4 spaces, HTML characters escaped. */
const typedJson = (obj: unknown) =>
  `${JSON.stringify(obj, null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;

/** How `kubectl create <kind>` words a failure to create, by kind (`run` and `create namespace` do not). */
function failurePrefix(obj: any): string | undefined {
  switch (obj.kind) {
    case "Deployment":
    case "ConfigMap":
    case "CronJob":
    case "Job":
    case "ServiceAccount":
    case "RoleBinding":
    case "ClusterRoleBinding":
    case "Ingress":
      return `failed to create ${obj.kind.toLowerCase()}: `;
    case "Secret":
      return "failed to create secret ";
    case "Service":
      return `failed to create ${obj.spec?.type} service: `;
    default:
      return undefined;
  }
}

/** Write (or print, under --dry-run=client) what a generator built. */
export function* submit(p: Parsed, k: Kube, resource: Resource, obj: any, verb = "created"): KubectlRun {
  const dry = str(p, "dry-run");
  const output = str(p, "output");
  const name = obj.metadata?.name;
  if (dry === "client" || dry === "" || dry === "true") {
    if (resource.def.namespaced && k.explicitNamespace) obj.metadata.namespace = k.namespace;
    k.io.stdout(
      output === "json"
        ? typedJson(obj)
        : output
          ? formatObjects(output, [{ obj, resource }], true)
          : `${resource.kindName}/${name} ${verb} (dry run)\n`,
    );
    return 0;
  }
  const path = resource.path(resource.def.namespaced ? k.namespace : undefined) + (dry === "server" ? "?dryRun=All" : "");
  const r = yield* awaitHost(k.api("POST", path, { body: JSON.stringify(obj), headers: { "content-type": "application/json" } }));
  if (r.status >= 400) {
    // Most generators wrap the server's error in their own words (create_deployment.go and the rest).
    const prefix = failurePrefix(obj);
    let message = statusMessage(r);
    if (prefix) message = `error: ${prefix}${JSON.parse(r.text).message}`;
    throw new KubectlError(message);
  }
  const created = JSON.parse(r.text);
  k.io.stdout(
    output
      ? formatObjects(output, [{ obj: created, resource }], true)
      : `${resource.kindName}/${name} ${verb}${dry === "server" ? " (server dry run)" : ""}\n`,
  );
  return 0;
}

export function* createGenerator(p: Parsed, k: Kube): KubectlRun {
  let built: ReturnType<typeof build>;
  try {
    built = build(p, k);
  } catch (e) {
    if (e instanceof GroupHelp) return groupHelp(e.group, k);
    throw e;
  }
  const { obj, resource } = built;
  if (obj.type === "kubernetes.io/tls") {
    const failure = yield* awaitHost(x509KeyPairError(atob(obj.data["tls.crt"]), atob(obj.data["tls.key"])));
    if (failure) throw new KubectlError(`error: ${failure}`);
  }
  return yield* submit(p, k, resource, obj);
}
