// `kubectl set image|env`: a strategic merge patch of the pod template (or the pod) that names the
// containers by name, as k8s.io/kubectl/pkg/cmd/set does.
import { type Parsed, str } from "./args";
import { awaitHost, KubectlError, statusMessage } from "./client";
import { formatObjects, requested } from "./get";
import { groupHelp } from "./help";
import type { Kube, KubectlRun, Verb } from "./types";

const MERGE = { "content-type": "application/strategic-merge-patch+json" };

/** Where a kind keeps its pod spec, as a path of keys. */
function podSpecPath(kind: string): string[] {
  if (kind === "Pod") return ["spec"];
  if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "spec"];
  return ["spec", "template", "spec"];
}

const dig = (o: any, path: string[]) => path.reduce((x, key) => x?.[key], o);
const nest = (path: string[], leaf: any) => path.reduceRight((inner, key) => ({ [key]: inner }), leaf);

function* setRun(p: Parsed, k: Kube): KubectlRun {
  const [sub, ...rest] = p.args;
  if (sub !== "image" && sub !== "env") {
    if (!sub) return groupHelp("set", k);
    throw k.notYet(`kubectl set ${sub}`);
  }
  const changes = rest.filter((a) => a.includes("=") || (sub === "env" && a.endsWith("-")));
  const objects = rest.filter((a) => !changes.includes(a));
  if (!objects.length) throw new KubectlError("error: one or more resources must be specified as <resource> <name> or <resource>/<name>");
  if (!changes.length)
    throw new KubectlError(
      sub === "image" ? "error: at least one image update is required" : "error: at least one environment variable must be provided",
    );
  let status = 0;
  for (const { resource, names } of requested(objects)) {
    for (const name of names) {
      const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      const obj = JSON.parse(r.text);
      const path = podSpecPath(resource.def.kind);
      const spec = dig(obj, path);
      if (!spec) throw new KubectlError(`error: ${resource.kindName}/${name} does not contain a pod template`);
      const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      const patched: any[] = [];
      let ok = true;
      if (sub === "image") {
        for (const c of changes) {
          const [cname, image] = [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)];
          const hit = cname === "*" ? containers : containers.filter((x) => x.name === cname);
          if (!hit.length) {
            k.io.stderr(`error: unable to find container named "${cname}"\n`);
            ok = false;
          }
          for (const x of hit) if (x.image !== image) patched.push({ name: x.name, image });
        }
      } else {
        const container = str(p, "container");
        const env = changes.map((c) =>
          c.endsWith("-")
            ? { name: c.slice(0, -1), $patch: "delete" }
            : { name: c.slice(0, c.indexOf("=")), value: c.slice(c.indexOf("=") + 1) },
        );
        for (const x of spec.containers ?? [])
          if (!container || container === "*" || x.name === container) patched.push({ name: x.name, env });
      }
      if (!ok) {
        status = 1;
        continue;
      }
      if (!patched.length) continue;
      const byList: Record<string, any[]> = {};
      for (const x of patched)
        ((spec.initContainers ?? []).some((i: any) => i.name === x.name)
          ? (byList.initContainers ??= [])
          : (byList.containers ??= [])
        ).push(x);
      const w = yield* awaitHost(
        k.api("PATCH", resource.path(k.namespace, name), { body: JSON.stringify(nest(path, byList)), headers: MERGE }),
      );
      if (w.status >= 400) throw new KubectlError(`error: failed to patch ${sub} update to pod template: ${JSON.parse(w.text).message}`);
      const output = str(p, "output");
      k.io.stdout(
        output
          ? formatObjects(output, [{ obj: JSON.parse(w.text), resource }], true)
          : `${resource.kindName}/${name} ${sub === "image" ? "image" : "env"} updated\n`,
      );
    }
  }
  return status;
}

export const set: Verb = {
  flags: [
    { name: "container", short: "c", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "dry-run", kind: "string" },
    { name: "all", kind: "bool" },
    { name: "selector", short: "l", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "local", kind: "bool" },
    { name: "record", kind: "bool" },
  ],
  run: setRun,
};
