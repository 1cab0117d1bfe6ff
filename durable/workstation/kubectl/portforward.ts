// `kubectl port-forward (POD | TYPE/NAME) [LOCAL:]REMOTE…`: listens on the node's 127.0.0.1 until
// Ctrl-C (or its job is killed), relaying each connection to the pod (a Service's port to its target).
import type { Pod } from "kubernetes-types/core/v1";
import type { Parsed } from "./args";
import { awaitHost, KubectlError } from "./client";
import { podFor } from "./pods";
import type { Kube, KubectlRun, Verb } from "./types";

/** Where the node listens: the workstation's forwards (portforward.ts beside the workstation). */
export type Listen = (
  port: number,
  forward: { namespace: string; pod: string; port: number; handling(): void },
) => (() => void) | undefined;

const USAGE = "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples";

/** A Service's port as the pod's: its targetPort, a name looked up in the pod's containers. */
function* remotePort(k: Kube, arg: string, pod: Pod, port: number): Generator<any, number, void> {
  const [type, name] = arg.includes("/") ? [arg.slice(0, arg.indexOf("/")), arg.slice(arg.indexOf("/") + 1)] : ["pods", arg];
  if (!/^(svc|services?)$/.test(type)) return port;
  const r = yield* awaitHost(k.api("GET", `/api/v1/namespaces/${k.namespace}/services/${name}`));
  const sp = (JSON.parse(r.text).spec?.ports ?? []).find((x: { port: number }) => x.port === port);
  if (!sp) throw new KubectlError(`error: Service ${name} does not have a service port ${port}`);
  const target = sp.targetPort ?? port;
  if (typeof target === "number") return target;
  const named = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((cp) => cp.name === target);
  if (!named) throw new KubectlError(`error: Pod '${pod.metadata?.name}' does not have a named port '${target}'`);
  return named.containerPort;
}

function portForwardRun(listen: Listen | undefined) {
  return function* (p: Parsed, k: Kube): KubectlRun {
    if (!listen) throw k.notYet("kubectl port-forward here");
    const [target, ...specs] = p.args;
    if (!target || !specs.length) throw new KubectlError(USAGE);
    const pod = yield* podFor(target, k, USAGE);
    if (pod.status?.phase !== "Running")
      throw new KubectlError(`error: unable to forward port because pod is not running. Current status=${pod.status?.phase}`);
    const closers: (() => void)[] = [];
    try {
      for (const spec of specs) {
        const m = /^(\d*):?(\d+)$/.exec(spec);
        if (!m) throw new KubectlError(`error: Error parsing local port '${spec}': strconv.ParseUint: parsing "${spec}": invalid syntax`);
        const remote = Number(m[2]);
        const local = spec.includes(":") ? Number(m[1]) || 30000 + Math.floor(Math.random() * 30000) : remote;
        const to = yield* remotePort(k, target, pod, remote);
        const close = listen(local, {
          namespace: pod.metadata?.namespace ?? k.namespace,
          pod: pod.metadata?.name ?? "",
          port: to,
          handling: () => k.io.stdout(`Handling connection for ${local}\n`),
        });
        if (!close)
          throw new KubectlError(
            `Unable to listen on port ${local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:${local}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{${local} ${to}}]`,
          );
        closers.push(close);
        k.io.stdout(`Forwarding from 127.0.0.1:${local} -> ${to}\nForwarding from [::1]:${local} -> ${to}\n`);
      }
      // It runs until it is stopped (Ctrl-C, or kill of its job).
      yield* awaitHost(new Promise<never>(() => {}));
      return 0;
    } finally {
      for (const close of closers) close();
    }
  };
}

export const portForward = (listen: Listen | undefined): Verb => ({
  flags: [
    { name: "address", kind: "strings" },
    { name: "pod-running-timeout", kind: "string" },
  ],
  run: portForwardRun(listen),
});
