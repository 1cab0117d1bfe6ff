// The subresources helper "traffic" serves: pods/log, and the API server proxy for services, pods
// and nodes. Registered in the Cluster next to podSubresources.
import type { SubresourceHandler } from "../api/server";
import type { Registry } from "../api/registry";
import { Client } from "../controllers/client";
import { podLogHandler, type LogReader } from "./podlog";
import { proxyHandlers } from "./proxy";
import type { LogAppender } from "./runtime/servers";

export function trafficSubresources(
  registry: Registry,
  logs: LogReader & LogAppender,
  now: () => number = () => Date.now(),
): Record<string, SubresourceHandler> {
  return { "pods/log": podLogHandler(registry, logs, now), ...proxyHandlers(registry, new Client(registry), logs, now) };
}
