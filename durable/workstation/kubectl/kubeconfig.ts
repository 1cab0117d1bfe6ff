// The kubeconfig the workstation's kubectl reads and `kubectl config` edits: $KUBECONFIG, else
// ~/.kube/config (the admin.conf the node was given). Its server and credentials are not used —
// this kubectl is the cluster's own — but its contexts decide the namespace, as they do for kubectl.
import { parse } from "yaml";
import { resolvePath, type VirtualFS } from "../../fs";
import { KubectlError } from "./client";
import { printYaml } from "./printers";

export interface Kubeconfig {
  path: string;
  /** The file was there (without one kubectl dials localhost:8080). */
  found: boolean;
  doc: any;
  /** The current context's name, and its entry. */
  current?: string;
  context?: { cluster?: string; user?: string; namespace?: string };
  save(): void;
}

export function loadKubeconfig(fs: VirtualFS, env: Record<string, string>, explicit?: string, contextFlag?: string): Kubeconfig {
  const home = env.HOME ?? "/root";
  const path = resolvePath(explicit ?? env.KUBECONFIG?.split(":")[0] ?? `${home}/.kube/config`, env.PWD ?? home);
  const text = fs.read(path);
  if (text === undefined && explicit) throw new KubectlError(`error: stat ${explicit}: no such file or directory`);
  let doc: any = {};
  if (text !== undefined) {
    try {
      doc = parse(text) ?? {};
    } catch (e) {
      throw new KubectlError(`error: error loading config file "${path}": ${(e as Error).message}`);
    }
  }
  const current = contextFlag ?? doc["current-context"];
  const context = (doc.contexts ?? []).find((c: any) => c?.name === current)?.context;
  if (contextFlag && !context)
    throw new KubectlError(`Error in configuration: context was not found for specified context: ${contextFlag}`);
  return {
    path,
    found: text !== undefined,
    doc,
    current,
    context,
    save() {
      fs.write(path, printYaml([doc], false));
    },
  };
}

/** kubectl without a usable kubeconfig dials localhost:8080, and finds nothing there. */
export const noServer = () =>
  new KubectlError("The connection to the server localhost:8080 was refused - did you specify the right host or port?");
