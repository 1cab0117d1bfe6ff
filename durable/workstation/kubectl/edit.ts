// Changing live objects from the command line: expose, scale, label, annotate.
import { type Parsed, bool, int, str } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage, type Resource } from "./client";
import { formatObjects, requested } from "./get";
import { submit } from "./generators";
import type { Kube, KubectlRun, Verb } from "./types";

const MERGE = { "content-type": "application/merge-patch+json" };

/** The objects the arguments name (TYPE NAME… or TYPE/NAME…), read from the server. */
function* targets(p: Parsed, k: Kube, args = p.args): Generator<any, { resource: Resource; obj: any }[], void> {
  const out: { resource: Resource; obj: any }[] = [];
  for (const { resource, names } of requested(args)) {
    for (const name of names) {
      const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      out.push({ resource, obj: JSON.parse(r.text) });
    }
  }
  return out;
}

function* exposeRun(p: Parsed, k: Kube): KubectlRun {
  const [{ resource, obj }] = yield* targets(p, k);
  const kind = resource.def.kind;
  let selector: Record<string, string> | undefined;
  if (kind === "Pod") selector = obj.metadata?.labels;
  else if (kind === "Service") selector = obj.spec?.selector;
  else if (kind === "ReplicationController") selector = obj.spec?.selector;
  else selector = obj.spec?.selector?.matchLabels;
  if (!selector || !Object.keys(selector).length)
    throw new KubectlError(
      `error: couldn't retrieve selectors via --selector flag or introspection: the ${kind.toLowerCase()} has no labels`,
    );
  const containers: any[] = kind === "Pod" ? (obj.spec?.containers ?? []) : (obj.spec?.template?.spec?.containers ?? []);
  const introspected = containers.flatMap((c) => c.ports ?? []);
  const port = int(p, "port") ?? introspected[0]?.containerPort;
  if (port === undefined) throw new KubectlError("error: couldn't find port via --port flag or introspection");
  const target = str(p, "target-port");
  const type = str(p, "type");
  const name = str(p, "name") ?? obj.metadata.name;
  const ports = (int(p, "port") !== undefined || introspected.length <= 1 ? [{ containerPort: port }] : introspected).map(
    (cp: any, i: number, all: any[]) => ({
      ...(all.length > 1 ? { name: `port-${i + 1}` } : {}),
      port: cp.containerPort,
      protocol: str(p, "protocol") ?? cp.protocol ?? "TCP",
      targetPort: target === undefined ? cp.containerPort : /^\d+$/.test(target) ? Number(target) : target,
    }),
  );
  const svc = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { creationTimestamp: null, ...(obj.metadata?.labels ? { labels: obj.metadata.labels } : {}), name },
    spec: { ports, selector, ...(type ? { type } : {}) },
    status: { loadBalancer: {} },
  };
  return yield* submit(p, k, findResource("services"), svc, "exposed");
}

function* scaleRun(p: Parsed, k: Kube): KubectlRun {
  const replicas = int(p, "replicas");
  if (replicas === undefined) throw new KubectlError('error: required flag(s) "replicas" not set');
  if (replicas < 0) throw new KubectlError("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
  const wanted = requested(p.args);
  if (!wanted.length)
    throw new KubectlError(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  let status = 0;
  for (const { resource, names } of wanted) {
    if (!resource.def.subresources?.scale)
      throw new KubectlError(`error: no scaler has been implemented for {"${resource.def.group}" "${resource.def.kind}"}`);
    for (const name of names) {
      const current = int(p, "current-replicas");
      if (current !== undefined) {
        const r = yield* awaitHost(k.api("GET", `${resource.path(k.namespace, name)}/scale`));
        if (r.status < 400 && JSON.parse(r.text).spec?.replicas !== current)
          throw new KubectlError(`error: Expected replicas to be ${current}, was ${JSON.parse(r.text).spec?.replicas}`);
      }
      const r = yield* awaitHost(
        k.api("PATCH", `${resource.path(k.namespace, name)}/scale`, { body: JSON.stringify({ spec: { replicas } }), headers: MERGE }),
      );
      if (r.status === 404) throw new KubectlError(`error: no objects passed to scale ${JSON.parse(r.text).message}`);
      if (r.status >= 400) {
        k.io.stderr(`${statusMessage(r)}\n`);
        status = 1;
        continue;
      }
      k.io.stdout(`${resource.kindName}/${name} scaled\n`);
    }
  }
  return status;
}

/** label and annotate: KEY=VALUE to set, KEY- to remove, on each named object. */
function metadataVerb(field: "labels" | "annotations", done: string): Verb {
  return {
    flags: [
      { name: "overwrite", kind: "bool" },
      { name: "all", kind: "bool" },
      { name: "selector", short: "l", kind: "string" },
      { name: "list", kind: "bool" },
      { name: "output", short: "o", kind: "string" },
      { name: "dry-run", kind: "string" },
      { name: "resource-version", kind: "string" },
    ],
    *run(p, k) {
      const changes = p.args.filter((a) => a.includes("=") || a.endsWith("-"));
      const objects = p.args.filter((a) => !changes.includes(a));
      if (!changes.length && !bool(p, "list"))
        throw new KubectlError(`error: at least one ${field === "labels" ? "label" : "annotation"} update is required`);
      const list = yield* targets(p, k, objects);
      for (const { resource, obj } of list) {
        const current: Record<string, string> = obj.metadata?.[field] ?? {};
        const patch: Record<string, string | null> = {};
        for (const c of changes) {
          if (c.endsWith("-") && !c.includes("=")) {
            const key = c.slice(0, -1);
            if (key in current) patch[key] = null;
            else k.io.stderr(`${field === "labels" ? "label" : "annotation"} "${key}" not found.\n`);
            continue;
          }
          const [key, value] = [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)];
          if (key in current && current[key] !== value && !bool(p, "overwrite"))
            throw new KubectlError(`error: '${key}' already has a value (${current[key]}), and --overwrite is false`);
          if (current[key] !== value) patch[key] = value;
        }
        const name = `${resource.kindName}/${obj.metadata.name}`;
        if (!Object.keys(patch).length) {
          k.io.stdout(`${name} not ${done}\n`);
          continue;
        }
        // label.go's updateDataChangeMsg: an object that got shorter without --overwrite was unlabeled.
        const after = Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, v]) => v !== null));
        const message =
          field === "labels" && !bool(p, "overwrite") && JSON.stringify(after).length < JSON.stringify(current).length ? "unlabeled" : done;
        const r = yield* awaitHost(
          k.api("PATCH", resource.path(obj.metadata.namespace, obj.metadata.name), {
            body: JSON.stringify({ metadata: { [field]: patch } }),
            headers: MERGE,
          }),
        );
        if (r.status >= 400) throw new KubectlError(statusMessage(r));
        const output = str(p, "output");
        k.io.stdout(output ? formatObjects(output, [{ obj: JSON.parse(r.text), resource }], true) : `${name} ${message}\n`);
      }
      return 0;
    },
  };
}

export const expose: Verb = {
  flags: [
    { name: "port", kind: "int" },
    { name: "target-port", kind: "string" },
    { name: "type", kind: "string" },
    { name: "name", kind: "string" },
    { name: "protocol", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "dry-run", kind: "string" },
    { name: "selector", kind: "string" },
  ],
  run: exposeRun,
};
export const scale: Verb = {
  flags: [
    { name: "replicas", kind: "int" },
    { name: "current-replicas", kind: "int" },
    { name: "timeout", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "selector", short: "l", kind: "string" },
    { name: "all", kind: "bool" },
  ],
  run: scaleRun,
};
export const label = metadataVerb("labels", "labeled");
export const annotate = metadataVerb("annotations", "annotated");
