// Events as the real components record them (client-go's EventRecorder + EventCorrelator): one
// core/v1 Event per (object, reason, message, source), repeated occurrences aggregated into its
// count and lastTimestamp, so `kubectl describe` and `kubectl get events` read like a real cluster.
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { ApiError } from "../api/status";
import type { Client } from "./client";

export interface EventSource {
  /** e.g. "kubelet", "default-scheduler", "replicaset-controller". */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

export type EventType = "Normal" | "Warning";

/** How many distinct events the correlator remembers for aggregation (client-go keeps an LRU too). */
const MAX_CORRELATED = 4096;

export class EventRecorder {
  /** Aggregation key → event name, for counting repeats (lost on restart: a repeat then starts a new event). */
  private readonly recent = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly client: Client,
    private readonly now: () => number,
  ) {}

  /**
   * Record an event about `obj`. `fieldPath` names a part of it, e.g. `spec.containers{nginx}`.
   * Objects in no namespace (nodes) get their events in "default", as the real components do.
   */
  record(obj: Obj, type: EventType, reason: string, message: string, source: EventSource, fieldPath?: string, at?: number): void {
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
    const key = [
      involved.kind,
      namespace,
      involved.name,
      involved.uid,
      fieldPath ?? "",
      reason,
      message,
      source.component,
      source.host ?? "",
      type,
    ].join("\u0000");
    // A component reporting late what it saw earlier (the kubelet's probe failures before a kill) gives the time it saw it.
    const ts = rfc3339(at ?? this.now());
    const seen = this.recent.get(key);
    if (seen) {
      const updated = this.client.patch("events", namespace, seen, (ev) => {
        ev.count = (ev.count ?? 1) + 1;
        ev.lastTimestamp = ts;
      });
      if (updated) return;
    }
    // Named `<object>.<UnixNano in hex>` like client-go, so events list in the order they happened.
    const name = `${obj.metadata.name}.${(BigInt(this.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    if (this.recent.size >= MAX_CORRELATED) this.recent.clear();
    this.recent.set(key, name);
    // Like client-go's event sink, a rejected event (e.g. in a namespace being terminated) is
    // dropped: recording never fails the component that reports it.
    try {
      this.create(namespace, name, involved, reason, message, source, ts, type);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private create(
    namespace: string,
    name: string,
    involved: Obj,
    reason: string,
    message: string,
    source: EventSource,
    ts: string,
    type: EventType,
  ): void {
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
