// `kubectl edit`: the object as YAML in the page's editor pane, under kubectl's header; what is
// saved goes back as a merge patch of the differences, and a refusal reopens the file with the
// reasons on top, as k8s.io/kubectl/pkg/cmd/util/editor does.
import { parse as parseYaml } from "yaml";
import type { Parsed } from "./args";
import { awaitHost, KubectlError } from "./client";
import { requested } from "./get";
import { printYaml } from "./printers";
import type { Kube, KubectlRun, Verb } from "./types";

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** cmdutil.StripComments: the lines that are not comments. */
const stripComments = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("#"))
    .join("\n");

/** A JSON merge patch that turns `a` into `b` (jsonpatch.CreateMergePatch). */
export function mergeDiff(a: any, b: any): any {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(b ?? {})) {
    const [x, y] = [a?.[key], b[key]];
    if (y && typeof y === "object" && !Array.isArray(y) && x && typeof x === "object" && !Array.isArray(x)) {
      const sub = mergeDiff(x, y);
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) patch[key] = y;
  }
  for (const key of Object.keys(a ?? {})) if (!(key in (b ?? {}))) patch[key] = null;
  return patch;
}

const reasonText = (head: string, other: string[]) =>
  `# ${head}${other.length ? ":" : ""}\n${other.map((o) => `# * ${o.replace(/\n/g, "\n# ")}\n`).join("")}#\n`;

function* editRun(p: Parsed, k: Kube): KubectlRun {
  const edit = k.tty?.edit;
  if (!edit) throw k.notYet("kubectl edit outside the web terminal (its editor pane is where the object opens)");
  const wanted = requested(p.args);
  const target = wanted[0];
  if (!target?.names.length)
    throw new KubectlError("error: kubeplay's kubectl edit opens one named object at a time (kubectl edit TYPE NAME)");
  const { resource } = target;
  const name = target.names[0];
  const path = resource.path(k.namespace, name);
  const got = yield* awaitHost(k.api("GET", path));
  if (got.status >= 400)
    throw new KubectlError(JSON.parse(got.text).message ? `Error from server (NotFound): ${JSON.parse(got.text).message}` : got.text);
  // kubectl edit leaves managedFields out of the buffer (it has no --show-managed-fields here).
  const { managedFields: _, ...metadata } = JSON.parse(got.text).metadata ?? {};
  const original = { ...JSON.parse(got.text), metadata };
  const originalYaml = printYaml([original], false);
  let body = originalYaml;
  let reasons = "";
  const file = `/tmp/kubectl-edit-${Math.random().toString().slice(2, 11)}.yaml`;
  for (;;) {
    const saved = yield* awaitHost(edit({ path: file, content: HEADER + reasons + body, keys: "vi" }));
    if (saved === undefined || (reasons && stripComments(saved) === stripComments(body))) {
      if (reasons) throw new KubectlError(`error: Edit cancelled, no valid changes were saved.`);
      k.io.stderr("Edit cancelled, no changes made.\n");
      return 0;
    }
    const edited = stripComments(saved);
    if (!reasons && edited === stripComments(originalYaml)) {
      k.io.stderr("Edit cancelled, no changes made.\n");
      return 0;
    }
    if (!edited.trim()) {
      k.io.stderr("Edit cancelled, saved file was empty.\n");
      return 0;
    }
    let obj: any;
    try {
      obj = parseYaml(edited);
    } catch (e) {
      reasons = reasonText(`The edited file had a syntax error: ${(e as Error).message.split("\n")[0]}`, []);
      body = edited;
      continue;
    }
    const patch = mergeDiff(original, obj);
    if (!Object.keys(patch).length) {
      k.io.stdout(`${resource.kindName}/${name} skipped\n`);
      return 0;
    }
    const r = yield* awaitHost(
      k.api("PATCH", path, { body: JSON.stringify(patch), headers: { "content-type": "application/merge-patch+json" } }),
    );
    if (r.status < 400) {
      k.io.stdout(`${resource.kindName}/${name} edited\n`);
      return 0;
    }
    const status = JSON.parse(r.text);
    const causes: string[] = (status.details?.causes ?? []).map((c: { field?: string; message?: string }) => `${c.field}: ${c.message}`);
    reasons = reasonText(
      `${resource.def.plural}${resource.def.group ? `.${resource.def.group}` : ""} "${name}" was not valid`,
      causes.length ? causes : [status.message],
    );
    body = edited;
  }
}

export const edit: Verb = {
  flags: [
    { name: "output", short: "o", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
    { name: "record", kind: "bool" },
    { name: "save-config", kind: "bool" },
    { name: "windows-line-endings", kind: "bool" },
    { name: "validate", kind: "string" },
    { name: "subresource", kind: "string" },
  ],
  run: editRun,
};
