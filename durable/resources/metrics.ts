// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (k8s.io/metrics pkg/apis/metrics/v1beta1), as
// metrics-server's aggregated API serves them: read-only, computed on read from the simulated
// containers (durable/nodes/metrics.ts supplies them through Ctx.metrics). Table columns are
// metrics-server's own (pkg/api/table.go): Name, CPU, Memory, Window.
import type { Obj, PrinterColumn, ResourceDef } from "./types";
import { nameColumn } from "./printers";
import { parseCanonical, formatCanonical } from "./quantity";
import { notFound } from "../api/status";

const columns: PrinterColumn[] = [
  nameColumn,
  { name: "CPU", type: "string", description: "CPU usage", priority: 0 },
  { name: "Memory", type: "string", description: "Memory usage", priority: 0 },
  { name: "Window", type: "string", description: "Interval used to calculate CPU usage", priority: 0 },
];

/** Sum of quantities in their own format (the pod's containers), as resource.Quantity.Add does. */
function sum(values: string[]): string {
  const parsed = values.map((v) => parseCanonical(v)).filter((p) => p !== undefined);
  if (!parsed.length) return "0";
  const scale = Math.min(...parsed.map((p) => p.scale));
  const unscaled = parsed.reduce((a, p) => a + p.unscaled * 10n ** BigInt(p.scale - scale), 0n);
  return formatCanonical({ ...parsed[0], unscaled, scale });
}

const base = {
  group: "metrics.k8s.io",
  version: "v1beta1",
  verbs: ["get", "list"],
  columns,
};

export const nodeMetrics: ResourceDef = {
  ...base,
  kind: "NodeMetrics",
  plural: "nodes",
  singular: "",
  namespaced: false,
  openapi: "io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics",
  row: (m: Obj) => [m.metadata?.name, m.usage?.cpu ?? "0", m.usage?.memory ?? "0", m.window ?? ""],
  virtual: (ctx) => ctx.metrics?.nodes(ctx.now) ?? [],
  // metrics-server's NodeMetrics storage: the node lister's NotFound, else its own.
  missing: (_ns, name, ctx) =>
    ctx.get("nodes", undefined, name) ? notFound("nodemetrics", "metrics.k8s.io", name) : notFound("node", "", name),
};

export const podMetrics: ResourceDef = {
  ...base,
  kind: "PodMetrics",
  plural: "pods",
  singular: "",
  namespaced: true,
  openapi: "io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics",
  row: (m: Obj) => {
    const containers: Obj[] = m.containers ?? [];
    return [
      m.metadata?.name,
      sum(containers.map((c) => c.usage?.cpu ?? "0")),
      sum(containers.map((c) => c.usage?.memory ?? "0")),
      m.window ?? "",
    ];
  },
  virtual: (ctx) => ctx.metrics?.pods(ctx.now) ?? [],
  // metrics-server names the pod as namespace/name, and core's pods when the pod itself is missing.
  missing: (ns, name, ctx) =>
    ctx.get("pods", ns, name) ? notFound("podmetrics", "metrics.k8s.io", `${ns}/${name}`) : notFound("pods", "", `${ns}/${name}`),
};

export default [nodeMetrics, podMetrics];
