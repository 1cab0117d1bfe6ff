// What kubectl tells of itself and of the server: version, cluster-info, api-resources, api-versions.
import { type Parsed, bool, str } from "./args";
import { awaitHost, KubectlError, servedTable, statusMessage } from "./client";
import { printYaml } from "./printers";
import type { Kube, KubectlRun, Verb } from "./types";

/** The kubectl this one stands for: 1.33.1 as released (kubectl version --client -o json). */
export const CLIENT_VERSION = {
  major: "1",
  minor: "33",
  gitVersion: "v1.33.1",
  gitCommit: "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
  gitTreeState: "clean",
  buildDate: "2025-05-15T08:27:33Z",
  goVersion: "go1.24.2",
  compiler: "gc",
  platform: "linux/amd64",
};
const KUSTOMIZE = "v5.6.0";

function* versionRun(p: Parsed, k: Kube): KubectlRun {
  const output = str(p, "output");
  let server: any;
  if (!bool(p, "client")) {
    const r = yield* awaitHost(k.api("GET", "/version"));
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
    server = JSON.parse(r.text);
  }
  const doc = { clientVersion: CLIENT_VERSION, kustomizeVersion: KUSTOMIZE, ...(server ? { serverVersion: server } : {}) };
  if (output === "json") k.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  else if (output === "yaml") k.io.stdout(`${printYaml([doc], false)}\n`);
  else if (output) throw new KubectlError("error: --output must be 'yaml' or 'json'");
  else
    k.io.stdout(
      `Client Version: ${CLIENT_VERSION.gitVersion}\nKustomize Version: ${KUSTOMIZE}\n${server ? `Server Version: ${server.gitVersion}\n` : ""}`,
    );
  return 0;
}

function* clusterInfoRun(p: Parsed, k: Kube): KubectlRun {
  // Colours only when stdout is a terminal, as kubectl's ct package decides.
  const color = (code: string) => (s: string) => (k.io.tty ? `\x1b[0;${code}m${s}\x1b[0m` : s);
  const [bold, blue] = [color("32"), color("33")];
  if (p.args[0] === "dump") throw k.notYet("kubectl cluster-info dump");
  const server =
    (k.config.doc.clusters ?? []).find((c: any) => c.name === k.config.context?.cluster)?.cluster?.server ?? "https://127.0.0.1:6443";
  const r = yield* awaitHost(k.api("GET", "/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue"));
  let out = `${bold("Kubernetes control plane")} is running at ${blue(server)}\n`;
  if (r.status < 400)
    for (const svc of JSON.parse(r.text).items ?? []) {
      const name = svc.metadata?.labels?.["kubernetes.io/name"] ?? svc.metadata.name;
      const port = svc.spec?.ports?.[0];
      const portName = port?.name ? `${svc.metadata.name}:${port.name}` : svc.metadata.name;
      out += `${bold(name)} is running at ${blue(`${server}/api/v1/namespaces/kube-system/services/${portName}/proxy`)}\n`;
    }
  k.io.stdout(`${out}\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
  return 0;
}

function* apiResourcesRun(p: Parsed, k: Kube): KubectlRun {
  const nameOnly = str(p, "output") === "name";
  const namespaced = p.flags.get("namespaced");
  const group = str(p, "api-group");
  const rows: string[][] = [];
  const seen = new Set<string>();
  // The preferred version of each resource, by group (core first) and then by name, as kubectl sorts
  // them; resources without verbs (the unserved kinds) are left out, as kubectl leaves them out.
  const table = servedTable();
  const defs = table.groupVersions
    .flatMap((gv) => table.inGroupVersion(gv))
    .filter(
      (def) =>
        !def.plural.includes("/") && !def.unserved && !seen.has(`${def.group}/${def.plural}`) && seen.add(`${def.group}/${def.plural}`),
    )
    .sort((a, b) => (a.group === b.group ? a.plural.localeCompare(b.plural) : a.group.localeCompare(b.group)));
  for (const def of defs) {
    if (namespaced !== undefined && def.namespaced !== namespaced) continue;
    if (group !== undefined && def.group !== group) continue;
    rows.push([
      def.plural,
      (def.shortNames ?? []).join(","),
      def.group ? `${def.group}/${def.version}` : def.version,
      String(def.namespaced),
      def.kind,
    ]);
  }
  if (nameOnly) {
    k.io.stdout(rows.map((r) => `${r[0]}${r[2].includes("/") ? `.${r[2].split("/")[0]}` : ""}\n`).join(""));
    return 0;
  }
  const header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"];
  const all = bool(p, "no-headers") ? rows : [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  k.io.stdout(all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join("")).join("\n") + "\n");
  return 0;
}

function* apiVersionsRun(_p: Parsed, k: Kube): KubectlRun {
  k.io.stdout(
    [...servedTable().groupVersions]
      .sort()
      .map((gv) => `${gv}\n`)
      .join(""),
  );
  return 0;
}

export const version: Verb = {
  flags: [
    { name: "client", kind: "bool" },
    { name: "output", short: "o", kind: "string" },
  ],
  run: versionRun,
};
export const clusterInfo: Verb = { flags: [], run: clusterInfoRun };
export const apiResources: Verb = {
  flags: [
    { name: "output", short: "o", kind: "string" },
    { name: "namespaced", kind: "bool" },
    { name: "api-group", kind: "string" },
    { name: "no-headers", kind: "bool" },
    { name: "verbs", kind: "strings" },
    { name: "sort-by", kind: "string" },
    { name: "cached", kind: "bool" },
    { name: "categories", kind: "strings" },
  ],
  run: apiResourcesRun,
};
export const apiVersions: Verb = { flags: [], run: apiVersionsRun };
