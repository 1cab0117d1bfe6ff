// Writing objects: `create -f`, `apply -f` (client-side, three-way over the last-applied
// annotation), `replace -f` and `delete`, each printing what kubectl prints per object.
import { type Parsed, bool, int, str, strs } from "./args";
import { awaitHost, KubectlError, statusMessage, type ApiReply, type Resource } from "./client";
import { createGenerator, GENERATOR_FLAGS } from "./generators";
import { formatObjects, requested } from "./get";
import { namespaceOf, readManifests, type Manifest } from "./manifests";
import type { Kube, KubectlRun, Verb } from "./types";

const JSON_TYPE = { "content-type": "application/json" };
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

const fileFlags = [
  { name: "filename", short: "f", kind: "strings" },
  { name: "recursive", short: "R", kind: "bool" },
  { name: "output", short: "o", kind: "string" },
  { name: "dry-run", kind: "string" },
  { name: "validate", kind: "string" },
  { name: "save-config", kind: "bool" },
  { name: "field-manager", kind: "string" },
] as const;

/** The printed line of a written object: "pod/nginx created", or it in the -o format. */
function report(k: Kube, p: Parsed, m: { resource: Resource; obj: any }, verb: string): number {
  const output = str(p, "output");
  const dry = dryRun(p);
  if (output) k.io.stdout(formatObjects(output, [{ obj: m.obj, resource: m.resource }], true));
  else
    k.io.stdout(
      `${m.resource.kindName}/${m.obj.metadata?.name} ${verb}${dry === "client" ? " (dry run)" : dry ? " (server dry run)" : ""}\n`,
    );
  return 0;
}

/** --dry-run: "client", "server" or none ("none", or the flag absent). */
export function dryRun(p: Parsed): "client" | "server" | undefined {
  const v = str(p, "dry-run");
  if (v === undefined || v === "none" || v === "false") return undefined;
  if (v === "client" || v === "server") return v;
  if (v === "" || v === "true") return "client";
  throw new KubectlError(`error: Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

const withDryRun = (path: string, p: Parsed) => (dryRun(p) === "server" ? `${path}${path.includes("?") ? "&" : "?"}dryRun=All` : path);

/** --validate as the fieldValidation of a write (cmdutil.GetValidationDirective; strict by default). */
export function fieldValidation(p: Parsed): "Strict" | "Warn" | "Ignore" {
  const v = (str(p, "validate") ?? "strict").toLowerCase();
  if (v === "strict" || v === "true" || v === "") return "Strict";
  if (v === "warn") return "Warn";
  if (v === "ignore" || v === "false") return "Ignore";
  throw new KubectlError(
    `error: invalid - validate option "${str(p, "validate")}"; must be one of: strict (or true), warn, ignore (or false)`,
  );
}

/** The query of a create, update or patch: dryRun and fieldValidation, as kubectl sends them. */
const withWrite = (path: string, p: Parsed) => {
  const withDry = withDryRun(path, p);
  return `${withDry}${withDry.includes("?") ? "&" : "?"}fieldValidation=${fieldValidation(p)}`;
};

/** The object as the server answered a write, or the error line for it. */
function written(r: ApiReply, action: string, source: string): any {
  if (r.status >= 400) {
    const msg = statusMessage(r);
    // kubectl names the file the object came from in a write's error.
    throw new KubectlError(
      msg.startsWith("Error from server")
        ? msg.replace(/^(Error from server(?: \([^)]*\))?): /, `$1: error when ${action} "${source}": `)
        : msg,
    );
  }
  return JSON.parse(r.text);
}

function* eachManifest(k: Kube, p: Parsed, fn: (m: Manifest) => KubectlRun): KubectlRun {
  const manifests = readManifests(k, strs(p, "filename"), bool(p, "recursive"));
  let status = 0;
  for (const m of manifests) {
    try {
      status = Math.max(status, yield* fn(m));
    } catch (e) {
      if (!(e instanceof KubectlError)) throw e;
      k.io.stderr(`${e.text}\n`);
      status = 1;
    }
  }
  return status;
}

function* createRun(p: Parsed, k: Kube): KubectlRun {
  if (p.args.length) return yield* createGenerator(p, k);
  return yield* eachManifest(k, p, function* (m) {
    const ns = namespaceOf(m, k);
    // The builder sets the namespace it will write to, so a client dry run prints it too.
    if (dryRun(p) === "client") return report(k, p, { ...m, obj: inNamespace(m.obj, ns) }, "created");
    const body = bool(p, "save-config") ? annotated(m.obj) : m.obj;
    const r = yield* awaitHost(k.api("POST", withWrite(m.resource.path(ns), p), { body: JSON.stringify(body), headers: JSON_TYPE }));
    return report(k, p, { resource: m.resource, obj: written(r, "creating", m.source) }, "created");
  });
}

const inNamespace = (obj: any, ns: string | undefined) => (ns ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj);

/** The object with its last-applied-configuration annotation (compact JSON, as kubectl writes it). */
function annotated(obj: any): any {
  const copy = structuredClone(obj);
  const lastApplied = structuredClone(obj);
  if (lastApplied.metadata?.annotations) delete lastApplied.metadata.annotations[LAST_APPLIED];
  copy.metadata ??= {};
  copy.metadata.annotations = { ...copy.metadata.annotations, [LAST_APPLIED]: `${JSON.stringify(sortKeys(lastApplied))}\n` };
  return copy;
}

function sortKeys(v: any): any {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((key) => [key, sortKeys(v[key])]),
    );
  return v;
}

/**
 * The three-way patch of apply: what the new configuration sets that the live object does not have,
 * and nulls for what the last applied configuration set and the new one drops. Lists are sent whole
 * (the server merges the ones with merge keys, as a strategic merge patch does).
 */
export function threeWay(original: any, modified: any, current: any): any {
  const patch: any = {};
  for (const key of Object.keys(modified ?? {})) {
    const m = modified[key];
    const c = current?.[key];
    if (m && typeof m === "object" && !Array.isArray(m) && c && typeof c === "object" && !Array.isArray(c)) {
      const sub = threeWay(original?.[key], m, c);
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (!within(m, c)) patch[key] = m;
  }
  for (const key of Object.keys(original ?? {})) if (!(key in (modified ?? {})) && current && key in current) patch[key] = null;
  return patch;
}

/** Does the live value already hold everything the configuration sets (the server's defaults aside)? */
function within(m: any, c: any): boolean {
  if (Array.isArray(m)) return Array.isArray(c) && m.length === c.length && m.every((x, i) => within(x, c[i]));
  if (m && typeof m === "object")
    return !!c && typeof c === "object" && !Array.isArray(c) && Object.keys(m).every((key) => within(m[key], c[key]));
  return m === c;
}

function* applyRun(p: Parsed, k: Kube): KubectlRun {
  return yield* eachManifest(k, p, function* (m) {
    const ns = namespaceOf(m, k);
    const name = m.obj.metadata?.name;
    if (!name)
      throw new KubectlError(
        `error: error when retrieving current configuration of:\nResource: "${m.resource.def.plural}", GroupVersionKind: ""\nName: "", Namespace: "${ns ?? ""}"\nfrom server for: "${m.source}": resource name may not be empty`,
      );
    const live = yield* awaitHost(k.api("GET", m.resource.path(ns, name)));
    if (live.status === 404) {
      if (dryRun(p) === "client") return report(k, p, { ...m, obj: inNamespace(m.obj, ns) }, "created");
      const r = yield* awaitHost(
        k.api("POST", withWrite(m.resource.path(ns), p), { body: JSON.stringify(annotated(m.obj)), headers: JSON_TYPE }),
      );
      return report(k, p, { resource: m.resource, obj: written(r, "creating", m.source) }, "created");
    }
    if (live.status >= 400) throw new KubectlError(statusMessage(live));
    const current = JSON.parse(live.text);
    const lastText = current.metadata?.annotations?.[LAST_APPLIED];
    if (!lastText)
      k.io.stderr(
        `Warning: resource ${m.resource.def.plural}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
      );
    const original = lastText ? JSON.parse(lastText) : {};
    const modified = annotated(m.obj);
    const patch = threeWay(original, modified, current);
    if (!Object.keys(patch).length) return report(k, p, { resource: m.resource, obj: current }, "unchanged");
    if (dryRun(p) === "client") return report(k, p, { resource: m.resource, obj: current }, "configured");
    const r = yield* awaitHost(
      k.api("PATCH", withWrite(m.resource.path(ns, name), p), {
        body: JSON.stringify(patch),
        headers: { "content-type": "application/strategic-merge-patch+json" },
      }),
    );
    return report(k, p, { resource: m.resource, obj: written(r, "patching", m.source) }, "configured");
  });
}

function* replaceRun(p: Parsed, k: Kube): KubectlRun {
  return yield* eachManifest(k, p, function* (m) {
    const ns = namespaceOf(m, k);
    const name = m.obj.metadata?.name;
    const r = yield* awaitHost(k.api("PUT", withWrite(m.resource.path(ns, name), p), { body: JSON.stringify(m.obj), headers: JSON_TYPE }));
    return report(k, p, { resource: m.resource, obj: written(r, "replacing", m.source) }, "replaced");
  });
}

const deleteFlags = [
  ...fileFlags,
  { name: "selector", short: "l", kind: "string" },
  { name: "field-selector", kind: "string" },
  { name: "all", kind: "bool" },
  { name: "all-namespaces", short: "A", kind: "bool" },
  { name: "grace-period", kind: "int" },
  { name: "force", kind: "bool" },
  { name: "now", kind: "bool" },
  { name: "wait", kind: "bool" },
  { name: "ignore-not-found", kind: "bool" },
  { name: "cascade", kind: "string" },
  { name: "timeout", kind: "string" },
] as const;

const IMMEDIATE =
  "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n";

function* deleteRun(p: Parsed, k: Kube): KubectlRun {
  const force = bool(p, "force");
  let grace = int(p, "grace-period");
  if (bool(p, "now")) grace = 1;
  if (force && grace === undefined) grace = 0;
  if (force && grace === 0) k.io.stderr(IMMEDIATE);
  const cascade = str(p, "cascade") ?? "background";
  const propagation = { background: "Background", foreground: "Foreground", orphan: "Orphan", true: "Background", false: "Orphan" }[
    cascade
  ];
  const options: any = { kind: "DeleteOptions", apiVersion: "v1", ...(propagation ? { propagationPolicy: propagation } : {}) };
  if (grace !== undefined && grace >= 0) options.gracePeriodSeconds = grace;
  const wait = p.flags.get("wait") !== false;
  const targets: { resource: Resource; ns: string | undefined; name: string; source?: string }[] = [];
  if (strs(p, "filename").length) {
    for (const m of readManifests(k, strs(p, "filename"), bool(p, "recursive")))
      targets.push({ resource: m.resource, ns: namespaceOf(m, k), name: m.obj.metadata?.name, source: m.source });
  } else {
    const wanted = requested(p.args);
    if (!wanted.length)
      throw new KubectlError(
        `error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`,
      );
    const selector = str(p, "selector");
    for (const { resource, names } of wanted) {
      if (names.length) {
        for (const name of names) targets.push({ resource, ns: k.namespace, name });
        continue;
      }
      if (!selector && !bool(p, "all") && !str(p, "field-selector"))
        throw new KubectlError(`error: resource(s) were provided, but no name was specified`);
      const q = new URLSearchParams();
      if (selector) q.set("labelSelector", selector);
      if (str(p, "field-selector")) q.set("fieldSelector", str(p, "field-selector")!);
      const ns = bool(p, "all-namespaces") ? undefined : k.namespace;
      const r = yield* awaitHost(k.api("GET", `${resource.path(ns)}?${q}`));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      for (const item of JSON.parse(r.text).items ?? []) targets.push({ resource, ns: item.metadata?.namespace, name: item.metadata.name });
    }
    if (!targets.length) {
      k.io.stderr(bool(p, "all-namespaces") ? "No resources found\n" : `No resources found in ${k.namespace} namespace.\n`);
      return 0;
    }
  }
  let status = 0;
  const deleted: { resource: Resource; ns?: string; name: string; uid?: string }[] = [];
  for (const t of targets) {
    const dry = dryRun(p);
    if (dry === "client") {
      k.io.stdout(
        `${t.resource.def.kind.toLowerCase()}${t.resource.def.group ? `.${t.resource.def.group}` : ""} "${t.name}" deleted (client dry run)\n`,
      );
      continue;
    }
    const r = yield* awaitHost(
      k.api("DELETE", withDryRun(t.resource.path(t.ns, t.name), p), { body: JSON.stringify(options), headers: JSON_TYPE }),
    );
    if (r.status === 404 && bool(p, "ignore-not-found")) continue;
    if (r.status >= 400) {
      const msg = statusMessage(r);
      // An object from a file is named by its file in the error, as for the other writes.
      k.io.stderr(`${t.source ? msg.replace(/^(Error from server(?: \([^)]*\))?): /, `$1: error when deleting "${t.source}": `) : msg}\n`);
      status = 1;
      continue;
    }
    k.io.stdout(`${t.resource.kindName} "${t.name}" deleted${dry ? " (server dry run)" : ""}\n`);
    let uid: string | undefined;
    try {
      uid = JSON.parse(r.text)?.metadata?.uid;
    } catch {}
    if (!dry) deleted.push({ resource: t.resource, ns: t.ns, name: t.name, uid });
  }
  // kubectl waits for what it deleted to be gone (finalizers, graceful termination), unless --wait=false.
  if (wait && !(force && grace === 0))
    for (const d of deleted)
      for (;;) {
        const r = yield* awaitHost(k.api("GET", d.resource.path(d.ns, d.name)));
        if (r.status === 404) break;
        if (d.uid && r.status < 400 && JSON.parse(r.text)?.metadata?.uid !== d.uid) break;
        yield { sleep: 250 };
      }
  return status;
}

export const create: Verb = { flags: [...fileFlags, ...GENERATOR_FLAGS], run: createRun };
export const apply: Verb = {
  flags: [...fileFlags, { name: "prune", kind: "bool" }, { name: "force", kind: "bool" }, { name: "server-side", kind: "bool" }],
  run: applyRun,
};
export const replace: Verb = { flags: [...fileFlags, { name: "force", kind: "bool" }], run: replaceRun };
export const del: Verb = { flags: deleteFlags, run: deleteRun };
