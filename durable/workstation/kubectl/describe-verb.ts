// `kubectl describe`: kubectl 1.33's client-side describers (./describe), reading the cluster through
// the in-process API.
import { type Parsed, bool, str } from "./args";
import { type ApiCall, awaitHost, findResource, KubectlError, statusMessage, type Resource } from "./client";
import { describeGeneric, describerFor, type DescribeReader } from "./describe";
import { requested } from "./get";
import type { Kube, KubectlRun, Verb } from "./types";

/** The describers' reader over the API: "pods", "replicasets.apps" and so on, as findResource reads them. */
function reader(api: ApiCall): DescribeReader {
  const fail = (r: { status: number; text: string }) => Object.assign(new Error(statusMessage(r as never)), { code: r.status });
  return {
    async get(resource, namespace, name) {
      const r = await api("GET", findResource(resource).path(namespace, name));
      if (r.status === 404) return undefined;
      if (r.status >= 400) throw fail(r);
      return JSON.parse(r.text);
    },
    async list(resource, namespace, opts = {}) {
      const q = new URLSearchParams();
      if (opts.labelSelector) q.set("labelSelector", opts.labelSelector);
      if (opts.fieldSelector) q.set("fieldSelector", opts.fieldSelector);
      let found: Resource;
      try {
        found = findResource(resource);
      } catch {
        throw Object.assign(new Error(`the server could not find the requested resource`), { code: 404 });
      }
      const r = await api("GET", `${found.path(namespace)}${q.size ? `?${q}` : ""}`);
      if (r.status >= 400) throw fail(r);
      return JSON.parse(r.text).items ?? [];
    },
  };
}

function* describeRun(p: Parsed, k: Kube): KubectlRun {
  const wanted = requested(p.args);
  if (!wanted.length)
    throw new KubectlError(
      `error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.`,
    );
  const all = bool(p, "all-namespaces");
  const objects: { obj: any; resource: Resource }[] = [];
  const errors: string[] = [];
  for (const { resource, names } of wanted) {
    if (names.length) {
      for (const name of names) {
        const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
        if (r.status === 404 && p.args.length === 2 && names.length === 1) {
          // kubectl then describes the objects whose names start with the one given.
          const list = yield* awaitHost(k.api("GET", resource.path(k.namespace)));
          const matching = (JSON.parse(list.text).items ?? []).filter((o: any) => o.metadata?.name?.startsWith(name));
          if (!matching.length) throw new KubectlError(statusMessage(r));
          for (const obj of matching) objects.push({ obj, resource });
          continue;
        }
        if (r.status >= 400) errors.push(statusMessage(r));
        else objects.push({ obj: JSON.parse(r.text), resource });
      }
    } else {
      const q = new URLSearchParams();
      if (str(p, "selector")) q.set("labelSelector", str(p, "selector")!);
      const r = yield* awaitHost(k.api("GET", `${resource.path(all ? undefined : k.namespace)}${q.size ? `?${q}` : ""}`));
      if (r.status >= 400) errors.push(statusMessage(r));
      else for (const obj of JSON.parse(r.text).items ?? []) objects.push({ obj, resource });
    }
  }
  const read = reader(k.api);
  const opts = { showEvents: p.flags.get("show-events") !== false, now: k.now() };
  let first = true;
  for (const { obj, resource } of objects) {
    const describe = describerFor(resource.def.kind, resource.def.group) ?? describeGeneric;
    const text = yield* awaitHost(describe(obj, read, opts));
    k.io.stdout(first ? text : `\n\n${text}`);
    first = false;
  }
  if (!objects.length && !errors.length) k.io.stderr(all ? "No resources found\n" : `No resources found in ${k.namespace} namespace.\n`);
  for (const e of errors) k.io.stderr(`${e}\n`);
  return errors.length ? 1 : 0;
}

export const describe: Verb = {
  flags: [
    { name: "selector", short: "l", kind: "string" },
    { name: "all-namespaces", short: "A", kind: "bool" },
    { name: "show-events", kind: "bool" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "recursive", short: "R", kind: "bool" },
    { name: "chunk-size", kind: "int" },
  ],
  run: describeRun,
};
