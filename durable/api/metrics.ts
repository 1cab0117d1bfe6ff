// /metrics: the API server's request counter in the Prometheus text format, as kube-apiserver's
// endpoints/metrics package labels it. The counts live in this Durable Object's memory, like a
// real apiserver process's: they start again from zero when the object restarts.
import { queryBool } from "./query";

const LABELS = ["code", "component", "dry_run", "group", "resource", "scope", "subresource", "verb", "version"] as const;
export type RequestLabels = Record<(typeof LABELS)[number], string>;

/** Connect subresources (rest.Connecter): counted as CONNECT whatever the HTTP method. */
const CONNECT = new Set(["exec", "attach", "portforward", "proxy"]);

/**
 * The labels of one request without its code, as MonitorRequest records them: resource requests
 * with component "apiserver", the verb after cleanVerb (LIST, WATCH, APPLY, CONNECT …) and the
 * scope (resource, namespace or cluster); the health paths as non-resource requests with the path
 * as subresource; undefined for what the real server does not instrument this way.
 */
export function requestLabels(
  method: string,
  path: string,
  query: URLSearchParams,
  contentType: string,
): Omit<RequestLabels, "code"> | undefined {
  const base = { component: "", dry_run: "", group: "", resource: "", scope: "", subresource: "", verb: "", version: "" };
  const health = /^\/(healthz|livez|readyz)$/.exec(path);
  if (health) return { ...base, subresource: path, verb: "GET" };
  const segs = path.split("/").filter(Boolean);
  let group = "",
    version: string,
    rest: string[];
  if (segs[0] === "api" && segs.length >= 3) [version, rest] = [segs[1], segs.slice(2)];
  else if (segs[0] === "apis" && segs.length >= 4) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  let watch = false;
  if (rest[0] === "watch") (watch = true), (rest = rest.slice(1));
  let namespaced = false;
  if (rest[0] === "namespaces" && rest.length >= 3 && !["status", "finalize"].includes(rest[2]))
    (namespaced = true), (rest = rest.slice(2));
  const [resource, name, subresource = ""] = rest;
  if (!resource) return undefined;
  const scope = name ? "resource" : namespaced ? "namespace" : "cluster";
  let verb: string;
  if (CONNECT.has(subresource)) verb = "CONNECT";
  else if (method === "GET" || method === "HEAD") verb = watch || queryBool(query, "watch") ? "WATCH" : name ? "GET" : "LIST";
  else if (method === "PATCH") verb = contentType === "application/apply-patch+yaml" ? "APPLY" : "PATCH";
  else if (method === "DELETE" && !name) verb = "DELETECOLLECTION";
  else verb = method;
  const dryRun = query.getAll("dryRun").join(",");
  return { ...base, component: "apiserver", dry_run: dryRun, group, resource, scope, subresource, verb, version };
}

export class RequestMetrics {
  private readonly counts = new Map<string, number>();

  record(labels: Omit<RequestLabels, "code">, code: number): void {
    const key = JSON.stringify(LABELS.map((l) => (l === "code" ? String(code) : labels[l])));
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The exposition: HELP and TYPE, then one sample per label set, sorted as client_golang sorts them. */
  render(): string {
    const lines = [
      "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
      "# TYPE apiserver_request_total counter",
    ];
    const samples = [...this.counts].map(([key, n]) => {
      const values = JSON.parse(key) as string[];
      return { values, n };
    });
    samples.sort((a, b) => {
      for (let i = 0; i < LABELS.length; i++) if (a.values[i] !== b.values[i]) return a.values[i] < b.values[i] ? -1 : 1;
      return 0;
    });
    for (const { values, n } of samples) {
      const labels = LABELS.map((l, i) => `${l}="${escapeLabel(values[i])}"`).join(",");
      lines.push(`apiserver_request_total{${labels}} ${n}`);
    }
    return lines.join("\n") + "\n";
  }
}

/** The text format's escaping of a label value: backslash, double quote and newline. */
const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
