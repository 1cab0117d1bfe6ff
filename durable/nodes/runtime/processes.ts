// What `ps` sees: the processes of the container's PID namespace. A container alone sees its own
// process as PID 1; an ephemeral container with targetContainerName joins the target's namespace
// (kubectl debug --target), shareProcessNamespace puts the pod's containers in one behind the
// sandbox's /pause, and hostPID shows the node's own processes.
import type { Obj } from "../../resources/types";
import { imageBehaviour } from "./images";
import { containerArgv } from "./container";
import type { Process } from "../../shell/types";
import type { Container } from "kubernetes-types/core/v1";
import { containerIdentity, effectiveSecurityContext, imageAccounts, userName } from "./security";

export type { Process } from "../../shell/types";

/** The command lines a container's processes show (servers that retitle themselves as they do). */
function commandsOf(c: Obj, pod?: Obj): { user: string; command: string }[] {
  const behaviour = imageBehaviour(c.image);
  const { argv, own } = containerArgv(c, behaviour);
  const user = userOf(pod, c);
  // A runAsUser leaves a server no root to drop privileges from: all its processes are that user.
  const forced = pod && effectiveSecurityContext(pod, c as Container).runAsUser !== undefined;
  if (own && behaviour.titles) return behaviour.titles.map((t) => (forced || t.user === "root" ? { ...t, user } : t));
  return [{ user, command: argv.join(" ") || "sh" }];
}

/** The user a container's processes show as: its uid's name in the image's /etc/passwd, else the number. */
function userOf(pod: Obj | undefined, c: Obj | undefined): string {
  if (!pod || !c) return "root";
  return userName(imageAccounts(c.image), containerIdentity(pod, c as Container).uid);
}

/** What a node shows to a hostPID pod: init, the runtime, the kubelet and the control plane's pieces. */
const HOST = [
  "/sbin/init",
  "/lib/systemd/systemd-journald",
  "/usr/local/bin/containerd",
  "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock",
  "/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=$(NODE_NAME)",
];

/** The processes of a pod's shared PID namespace behind the sandbox's /pause, each with its container. */
function sharedProcesses(pod: Obj): { pid: number; user: string; command: string; container?: Obj }[] {
  const out: { pid: number; user: string; command: string; container?: Obj }[] = [{ pid: 1, user: "65535", command: "/pause" }];
  const spec = pod.spec ?? {};
  for (const k of [...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as Obj[])
    for (const p of commandsOf(k, pod)) out.push({ ...p, pid: out.at(-1)!.pid + 7, container: k });
  return out;
}

/** The container whose process `pid` is in the pod's shared PID namespace (what /proc/PID/root opens). */
export function sharedPidContainer(pod: Obj, pid: number): Obj | undefined {
  return pod.spec?.shareProcessNamespace ? sharedProcesses(pod).find((p) => p.pid === pid)?.container : undefined;
}

/**
 * The processes visible from container `c` of `pod`, then `ps`. `self` is a shell started beside
 * the container's own process (`kubectl exec … -- sh`): it shows after them; a container's own
 * program is PID 1 and has none.
 */
export function processTable(pod: Obj | undefined, c: Obj | undefined, self?: string): Process[] {
  const own = c ? commandsOf(c, pod)[0] : { user: "root", command: "sh" };
  const me = userOf(pod, c);
  const spec = pod?.spec ?? {};
  const out: Process[] = [];
  let pid = 1;
  const add = (p: { user: string; command: string }, at = pid) => {
    out.push({ pid: at, ...p });
    pid = at + 1;
  };
  if (spec.hostPID) {
    for (const command of HOST) add({ user: "root", command }, pid === 1 ? 1 : pid + 300);
    add(own, pid + 4000);
  } else if (spec.shareProcessNamespace) {
    for (const p of sharedProcesses(pod!)) add({ user: p.user, command: p.command }, p.pid);
  } else if (c?.targetContainerName) {
    const target = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((k: Obj) => k.name === c.targetContainerName);
    for (const p of target ? commandsOf(target, pod) : []) add(p, out.length ? pid + 28 : 1);
    add(own, pid + 6);
  } else if (c)
    for (const p of commandsOf(c, pod)) add(p, pid === 1 ? 1 : pid === 2 ? 29 : pid); // nginx's workers fork after its entrypoint's scripts
  else add(own);
  if (self) add({ user: me, command: self }, pid + 6);
  out.push({ pid: pid + 5, user: me, command: "ps" });
  return out;
}
