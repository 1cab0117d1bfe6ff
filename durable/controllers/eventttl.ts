// Events expire like the API server's etcd leases (--event-ttl, 1 h by default): an event is gone an
// hour after it was last written, so `kubectl get events` shows the last hour, as on a real cluster.
import type { Obj } from "../resources/types";
import type { Controller } from "./types";
import { splitKey } from "./types";

export const EVENT_TTL_MS = 3600_000;

/** When an event was last written: the newest of its timestamps (a repeat bumps lastTimestamp / series). */
export function lastWritten(e: Obj): number {
  const times = [e.lastTimestamp, e.series?.lastObservedTime, e.eventTime, e.metadata?.creationTimestamp].map((t) =>
    t ? Date.parse(t) : NaN,
  );
  return Math.max(...times.filter((t) => !Number.isNaN(t)), 0);
}

export const eventTTL: Controller = {
  name: "event-ttl",
  primary: "events",
  watches: [{ plural: "events" }],
  reconcile(key, c) {
    const { namespace, name } = splitKey(key);
    const event = c.client.get("events", namespace, name);
    if (!event) return;
    const left = lastWritten(event) + EVENT_TTL_MS - c.now();
    if (left > 0) return { requeueAfter: left };
    c.client.delete("events", namespace, name);
  },
};
