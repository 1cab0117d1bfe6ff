// /healthz, /livez and /readyz as kube-apiserver's healthz package serves them: "ok", or with
// `?verbose` one line per check and "<name> check passed"; `?exclude=<check>` leaves a check out
// (verbose says so), and /<endpoint>/<check> answers for one check alone. kubeplay's control plane
// is one process that is up whenever it answers, so every check passes.

/** The checks kube-apiserver v1.33 registers on every endpoint, in its order (its post-start hooks). */
const POST_START_HOOKS = [
  "start-apiserver-admission-initializer",
  "generic-apiserver-start-informers",
  "priority-and-fairness-config-consumer",
  "priority-and-fairness-filter",
  "storage-object-count-tracker-hook",
  "start-apiextensions-informers",
  "start-apiextensions-controllers",
  "crd-informer-synced",
  "start-system-namespaces-controller",
  "start-cluster-authentication-info-controller",
  "start-kube-apiserver-identity-lease-controller",
  "start-kube-apiserver-identity-lease-garbage-collector",
  "start-legacy-token-tracking-controller",
  "start-service-ip-repair-controllers",
  "rbac/bootstrap-roles",
  "scheduling/bootstrap-system-priority-classes",
  "priority-and-fairness-config-producer",
  "bootstrap-controller",
  "start-kubernetes-service-cidr-controller",
  "aggregator-reload-proxy-client-cert",
  "start-kube-aggregator-informers",
  "apiservice-status-local-available-controller",
  "apiservice-status-remote-available-controller",
  "apiservice-registration-controller",
  "apiservice-discovery-controller",
  "kube-apiserver-autoregistration",
].map((h) => `poststarthook/${h}`);
const AGGREGATOR = [
  "autoregister-completion",
  "poststarthook/apiservice-openapi-controller",
  "poststarthook/apiservice-openapiv3-controller",
];

export type HealthEndpoint = "healthz" | "livez" | "readyz";

/** The checks of one endpoint: readyz adds etcd-readiness, informer-sync and the shutdown check. */
export function healthChecks(endpoint: HealthEndpoint): string[] {
  const head = endpoint === "readyz" ? ["ping", "log", "etcd", "etcd-readiness", "informer-sync"] : ["ping", "log", "etcd"];
  return [...head, ...POST_START_HOOKS, ...AGGREGATOR, ...(endpoint === "readyz" ? ["shutdown"] : [])];
}

/** The body of a health request, or undefined when the path names no check of the endpoint (a 404). */
export function healthBody(path: string, query: URLSearchParams): string | undefined {
  const m = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(path);
  if (!m) return undefined;
  const endpoint = m[1] as HealthEndpoint;
  const checks = healthChecks(endpoint);
  const one = m[2];
  if (one) return checks.includes(one) ? "ok" : undefined;
  if (!query.has("verbose")) return "ok";
  // The exclude list is comma-separated or repeated; each name is trimmed.
  const excluded = new Set(
    query
      .getAll("exclude")
      .flatMap((e) => e.split(","))
      .map((e) => e.trim())
      .filter(Boolean),
  );
  const lines = checks.map((c) => (excluded.has(c) ? `[+]${c} excluded: ok` : `[+]${c} ok`));
  const unknown = [...excluded].filter((e) => !checks.includes(e));
  if (unknown.length) lines.push(`warn: some health checks cannot be excluded: no matches for ${unknown.map((u) => `"${u}"`).join(",")}`);
  return `${lines.join("\n")}\n${endpoint} check passed\n`;
}
