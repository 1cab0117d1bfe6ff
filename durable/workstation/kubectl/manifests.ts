// What `-f` names: files, directories (their .yaml, .yml and .json files, -R into subdirectories) or
// `-` for stdin, each a stream of YAML or JSON documents; a List's items are objects of their own.
import { parseAllDocuments } from "yaml";
import { resolvePath } from "../../fs";
import { KubectlError, resourceOf, servedTable, type Resource } from "./client";
import type { Kube } from "./types";

export interface Manifest {
  obj: any;
  /** Where it came from, as kubectl names it in errors ("pod.yaml", "STDIN"). */
  source: string;
  resource: Resource;
}

const MANIFEST = /\.(ya?ml|json)$/;

function files(k: Kube, name: string, recursive: boolean): { source: string; text: string }[] {
  if (name === "-") return [{ source: "STDIN", text: k.stdin }];
  if (/^https?:\/\//.test(name)) throw k.notYet("reading manifests from a URL");
  const path = resolvePath(name, k.cwd);
  if (k.fs.isDir(path)) {
    const out: { source: string; text: string }[] = [];
    for (const entry of (k.fs.list(path) ?? []).sort()) {
      const child = `${path}/${entry}`;
      if (k.fs.isDir(child)) {
        if (recursive) out.push(...files(k, `${name.replace(/\/$/, "")}/${entry}`, true));
      } else if (MANIFEST.test(entry)) out.push({ source: `${name.replace(/\/$/, "")}/${entry}`, text: k.fs.read(child) ?? "" });
    }
    return out;
  }
  const text = k.fs.read(path);
  if (text === undefined) throw new KubectlError(`error: the path "${name}" does not exist`);
  return [{ source: name, text }];
}

/** The resource of an object's apiVersion and kind, as the RESTMapper finds it. */
export function resourceFor(apiVersion: string, kind: string, source: string): Resource {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const def = servedTable().all.find((d) => d.group === group && d.version === version && d.kind === kind && !d.plural.includes("/"));
  if (!def)
    throw new KubectlError(
      `error: resource mapping not found for name: "" namespace: "" from "${source}": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`,
    );
  return resourceOf(def);
}

export function readManifests(k: Kube, names: string[], recursive = false): Manifest[] {
  if (!names.length) throw new KubectlError("error: must specify one of -f and -k");
  const out: Manifest[] = [];
  for (const name of names)
    for (const { source, text } of files(k, name, recursive)) {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length)
          throw new KubectlError(`error: error parsing ${source}: error converting YAML to JSON: yaml: ${doc.errors[0].message}`);
        const obj = doc.toJSON();
        if (obj == null) continue;
        const items =
          obj.kind === "List" || (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items))
            ? obj.items
            : [obj];
        for (const item of items) {
          if (!item?.kind)
            throw new KubectlError(
              `error: error validating "${source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false`,
            );
          if (!item.apiVersion)
            throw new KubectlError(
              `error: error validating "${source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false`,
            );
          out.push({ obj: item, source, resource: resourceFor(item.apiVersion, item.kind, source) });
        }
      }
    }
  return out;
}

/** The namespace an object goes to: its own, else the command's; -n that disagrees is refused. */
export function namespaceOf(m: Manifest, k: Kube): string | undefined {
  if (!m.resource.def.namespaced) return undefined;
  const own = m.obj.metadata?.namespace;
  if (own && k.explicitNamespace && own !== k.namespace)
    throw new KubectlError(
      `error: the namespace from the provided object "${own}" does not match the namespace "${k.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  return own ?? k.namespace;
}
