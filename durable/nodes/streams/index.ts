// The streaming pod subresources (pods/exec, pods/attach, pods/portforward), registered in the
// API server's `extra` handlers by durable/cluster.ts.
import type { SubresourceHandler } from "../../api/server";
import type { Registry } from "../../api/registry";
import { Client } from "../../controllers/client";
import { podHTTP } from "../runtime/network";
import type { LogStore } from "../logs";
import type { ContainerStdio } from "../stdio";
import type { Obj } from "../../resources/types";
import { containerContext } from "../runtime/container";
import { execHandler } from "./exec";
import { portForwardHandler } from "./portforward";
import { OpenStreams, type EndStatus } from "./channel";

export type { EndStatus };

/** The streams open on each cluster, by the cluster's registry (one per Durable Object instance). */
const openStreams = new WeakMap<Registry, OpenStreams>();

/** End every exec, attach and port-forward stream open on this cluster with `status` (it is going away). */
export function endStreams(registry: Registry, status: EndStatus): void {
  openStreams.get(registry)?.endAll(status);
}

export function streamSubresources(registry: Registry, logs: LogStore, stdio: ContainerStdio): Record<string, SubresourceHandler> {
  const client = new Client(registry);
  const now = () => Date.now();
  const streams = new OpenStreams();
  openStreams.set(registry, streams);
  const deps = {
    registry,
    streams,
    // What an exec'd process sees is what the container's own program sees.
    context: (pod: Obj, container: Obj) =>
      containerContext(pod, container, client, now(), logs, undefined, false, (exit) => stdio.recordExit(pod, container, exit)),
    attach: { logs, stdio, reader: client, now, get: (ns: string, name: string) => client.get("pods", ns, name) },
  };
  return {
    "pods/exec": execHandler(deps, "exec"),
    "pods/attach": execHandler(deps, "attach"),
    "pods/portforward": portForwardHandler({
      registry,
      streams,
      http: (pod, port, req, remote) => podHTTP(pod, port, req, remote, now(), logs, client),
    }),
  };
}
