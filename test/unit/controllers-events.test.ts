// Event expiry (--event-ttl): an event lives an hour after its last write.
import { describe, expect, it } from "vitest";
import type { Obj } from "../../durable/resources/types";
import { EVENT_TTL_MS, eventTTL, lastWritten } from "../../durable/controllers/eventttl";
import type { ControllerContext } from "../../durable/controllers/types";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function context(events: Map<string, Obj>, now: number): ControllerContext {
  return {
    now: () => now,
    client: {
      get: (_p: string, ns: string, name: string) => events.get(`${ns}/${name}`),
      delete: (_p: string, ns: string, name: string) => events.delete(`${ns}/${name}`),
    },
  } as unknown as ControllerContext;
}

describe("event TTL", () => {
  const event = (last: number): Obj => ({
    metadata: { name: "p.1", namespace: "default", creationTimestamp: iso(T0) },
    firstTimestamp: iso(T0),
    lastTimestamp: iso(last),
  });

  it("counts from the last write: a repeated event lives on", () => {
    expect(lastWritten(event(T0 + 600_000))).toBe(T0 + 600_000);
    expect(lastWritten({ metadata: { creationTimestamp: iso(T0) }, eventTime: "2026-01-01T00:05:00.123456Z" })).toBe(T0 + 300_123);
    expect(
      lastWritten({ metadata: { creationTimestamp: iso(T0) }, series: { count: 3, lastObservedTime: "2026-01-01T00:20:00.000000Z" } }),
    ).toBe(T0 + 1_200_000);
  });

  it("requeues until the hour is up, then deletes", () => {
    const events = new Map([["default/p.1", event(T0 + 60_000)]]);
    expect(eventTTL.reconcile("default/p.1", context(events, T0 + 120_000))).toEqual({ requeueAfter: EVENT_TTL_MS - 60_000 });
    expect(events.size).toBe(1);
    expect(eventTTL.reconcile("default/p.1", context(events, T0 + 60_000 + EVENT_TTL_MS))).toBeUndefined();
    expect(events.size).toBe(0);
    expect(eventTTL.reconcile("default/p.1", context(events, T0 + 2 * EVENT_TTL_MS))).toBeUndefined(); // already gone
  });
});
