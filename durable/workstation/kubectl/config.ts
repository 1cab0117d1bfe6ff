// `kubectl config`: the kubeconfig's contexts, read and edited in the workstation's file.
import { type Parsed, bool, str } from "./args";
import { KubectlError } from "./client";
import { printYaml } from "./printers";
import { groupHelp } from "./help";
import type { Kube, KubectlRun, Verb } from "./types";

/** `config view` hides credentials as kubectl does (--raw shows them). */
function redacted(doc: any): any {
  const copy = structuredClone(doc);
  for (const c of copy.clusters ?? [])
    if (c.cluster?.["certificate-authority-data"]) c.cluster["certificate-authority-data"] = "DATA+OMITTED";
  for (const u of copy.users ?? [])
    for (const key of ["client-certificate-data", "client-key-data", "token"])
      if (u.user?.[key]) u.user[key] = key === "client-certificate-data" ? "DATA+OMITTED" : "REDACTED";
  return copy;
}

function* configRun(p: Parsed, k: Kube): KubectlRun {
  const [sub, ...args] = p.args;
  const cfg = k.config;
  const doc = cfg.doc;
  switch (sub) {
    case "view": {
      let view = bool(p, "raw") ? doc : redacted(doc);
      if (bool(p, "minify")) {
        const ctx = (view.contexts ?? []).filter((c: any) => c.name === cfg.current);
        const cluster = ctx[0]?.context?.cluster;
        const user = ctx[0]?.context?.user;
        view = {
          ...view,
          clusters: (view.clusters ?? []).filter((c: any) => c.name === cluster),
          contexts: ctx,
          users: (view.users ?? []).filter((u: any) => u.name === user),
        };
      }
      k.io.stdout(str(p, "output") === "json" ? `${JSON.stringify(view, null, 4)}\n` : printYaml([view], false));
      return 0;
    }
    case "current-context":
      if (!cfg.current) throw new KubectlError("error: current-context is not set");
      k.io.stdout(`${cfg.current}\n`);
      return 0;
    case "get-contexts": {
      const rows = (doc.contexts ?? []).map((c: any) => [
        c.name === cfg.current ? "*" : "",
        c.name,
        c.context?.cluster ?? "",
        c.context?.user ?? "",
        c.context?.namespace ?? "",
      ]);
      const all: string[][] = [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"], ...rows];
      const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
      k.io.stdout(
        `${all
          .map((r: string[]) =>
            r
              .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3)))
              .join("")
              .trimEnd(),
          )
          .join("\n")}\n`,
      );
      return 0;
    }
    case "get-clusters":
      k.io.stdout(`NAME\n${(doc.clusters ?? []).map((c: any) => `${c.name}\n`).join("")}`);
      return 0;
    case "use-context":
    case "use": {
      const name = args[0];
      if (!(doc.contexts ?? []).some((c: any) => c.name === name))
        throw new KubectlError(`error: no context exists with the name: "${name}"`);
      doc["current-context"] = name;
      cfg.save();
      k.io.stdout(`Switched to context "${name}".\n`);
      return 0;
    }
    case "set-context": {
      const name = bool(p, "current") ? cfg.current : args[0];
      if (!name) throw new KubectlError("error: you must specify a non-empty context name or --current");
      doc.contexts ??= [];
      let entry = doc.contexts.find((c: any) => c.name === name);
      const existed = !!entry;
      if (!entry) doc.contexts.push((entry = { context: {}, name }));
      entry.context ??= {};
      for (const key of ["namespace", "cluster", "user"]) {
        const v = str(p, key);
        if (v !== undefined) entry.context[key] = v;
      }
      cfg.save();
      k.io.stdout(`Context "${name}" ${existed ? "modified" : "created"}.\n`);
      return 0;
    }
    case undefined:
      return groupHelp("config", k);
    default:
      throw k.notYet(`kubectl config ${sub}`);
  }
}

export const config: Verb = {
  flags: [
    { name: "raw", kind: "bool" },
    { name: "minify", kind: "bool" },
    { name: "flatten", kind: "bool" },
    { name: "output", short: "o", kind: "string" },
    { name: "current", kind: "bool" },
  ],
  run: configRun,
};
