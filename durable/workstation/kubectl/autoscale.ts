// `kubectl autoscale` (k8s.io/kubectl/pkg/cmd/autoscale v0.33.1): an autoscaling/v2
// HorizontalPodAutoscaler for each named workload with a scale subresource, a CPU utilization
// target when --cpu-percent is given.
import { type Parsed, int, str } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage } from "./client";
import { submit } from "./generators";
import { requested } from "./get";
import type { Kube, KubectlRun, Verb } from "./types";

const hpas = findResource("horizontalpodautoscalers");

function* autoscaleRun(p: Parsed, k: Kube): KubectlRun {
  const max = int(p, "max");
  if (max === undefined) throw new KubectlError('error: required flag(s) "max" not set');
  const min = int(p, "min") ?? -1;
  const cpu = int(p, "cpu-percent") ?? -1;
  if (max < 1) throw new KubectlError(`error: --max=MAXPODS is required and must be at least 1, max: ${max}`);
  if (max < min) throw new KubectlError(`error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: ${max}, min: ${min}`);
  const wanted = requested(p.args);
  if (!wanted.length)
    throw new KubectlError(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  let count = 0;
  for (const { resource, names } of wanted)
    for (const name of names) {
      const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      const def = resource.def;
      const gv = def.group ? `${def.group}/${def.version}` : def.version;
      if (!def.subresources?.scale)
        throw new KubectlError(
          `error: cannot autoscale a ${def.kind}: could not find scale subresource for ${def.group}/${def.version}, Resource=${def.plural} in discovery information`,
        );
      const hpa = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: str(p, "name") || name, creationTimestamp: null },
        spec: {
          scaleTargetRef: { apiVersion: gv, kind: def.kind, name },
          ...(min > 0 ? { minReplicas: min } : {}),
          maxReplicas: max,
          ...(cpu >= 0
            ? { metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } }] }
            : {}),
        },
        status: { currentMetrics: null, desiredReplicas: 0 },
      };
      const dry = str(p, "dry-run");
      // Client-side dry run prints with the "created" printer; a real create with "autoscaled".
      const status = yield* submit(p, k, hpas, hpa, dry === "client" || dry === "" || dry === "true" ? "created" : "autoscaled");
      if (status) return status;
      count++;
    }
  if (!count) throw new KubectlError("error: no objects passed to autoscale");
  return 0;
}

export const autoscale: Verb = {
  flags: [
    { name: "min", kind: "int" },
    { name: "max", kind: "int" },
    { name: "cpu-percent", kind: "int" },
    { name: "name", kind: "string" },
    { name: "dry-run", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "save-config", kind: "bool" },
    { name: "field-manager", kind: "string" },
    { name: "record", kind: "bool" },
  ],
  run: autoscaleRun,
};
