// Events as the real components record them (client-go's EventRecorder + EventCorrelator): one
// core/v1 Event per (object, reason, message, source), repeated occurrences aggregated into its
// count and lastTimestamp, so `kubectl describe` and `kubectl get events` read like a real cluster.
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import type { Client } from "./client";

export interface EventSource {
  /** e.g. "kubelet", "default-scheduler", "replicaset-controller". */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

export type EventType = "Normal" | "Warning";

/** FNV-1a 64-bit as 16 hex digits: stable event names per aggregation key. */
function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n);
  return h.toString(16).padStart(16, "0");
}

export class EventRecorder {
  constructor(
    private readonly client: Client,
    private readonly now: () => number,
  ) {}

  /**
   * Record an event about `obj`. `fieldPath` names a part of it, e.g. `spec.containers{nginx}`.
   * Objects in no namespace (nodes) get their events in "default", as the real components do.
   */
  record(obj: Obj, type: EventType, reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const namespace = obj.metadata.namespace || "default";
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace || undefined,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const key = [involved.kind, namespace, involved.name, involved.uid, fieldPath ?? "", reason, message, source.component, source.host ?? "", type].join("\u0000");
    const name = `${obj.metadata.name}.${fnv64(key)}`;
    const ts = rfc3339(this.now());
    const updated = this.client.patch("events", namespace, name, (ev) => {
      ev.count = (ev.count ?? 1) + 1;
      ev.lastTimestamp = ts;
    });
    if (updated) return;
    this.client.create("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? "",
    });
  }
}
