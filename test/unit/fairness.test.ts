// Fair time: the reconcile loop runs in short slices and lets waiting requests in between, and a
// cluster's request budget serves sequential clients at once, queues concurrent ones in debt,
// refuses a flood with the API server's 429 and Retry-After, and never holds long-running requests.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ControllerRuntime, SLICE_MS, TURN_MS, nextSliceCap } from "../../durable/controllers/runtime";
import type { Controller, ControllerContext } from "../../durable/controllers/types";
import { Op, Store } from "../../durable/store/store";
import {
  DroppedRequests,
  RequestBudget,
  TOO_MANY_REQUESTS,
  isLongRunning,
  tooManyRequests,
  type BudgetLimits,
} from "../../durable/api/fairness";

/** A runtime over `controllers` in a fresh Durable Object, with `wall` as its wall clock. */
function inRuntime<T>(controllers: Controller[], wall: () => number, fn: (runtime: ControllerRuntime) => Promise<T>): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  return runInDurableObject(ns.get(ns.newUniqueId()), async (_i, state) => {
    const store = new Store(state.storage.sql);
    const context = { now: () => Date.now() } as unknown as ControllerContext;
    const runtime = new ControllerRuntime(store, state.storage.sql, controllers, context, (f) => store.transaction(state.storage, f), wall);
    return fn(runtime);
  });
}

/** A runtime whose one controller advances `wall` by `costMs` per reconcile and counts them. */
function withRuntime<T>(costMs: number, fn: (r: { runtime: ControllerRuntime; reconciled: () => number }) => Promise<T>): Promise<T> {
  let wall = 0;
  let reconciled = 0;
  const slow: Controller = {
    name: "slow",
    primary: "configmaps",
    watches: [],
    reconcile() {
      wall += costMs;
      reconciled++;
    },
  };
  return inRuntime(
    [slow],
    () => wall,
    async (runtime) => {
      for (let i = 0; i < 100; i++) runtime.enqueue("slow", `default/cm-${i}`);
      return fn({ runtime, reconciled: () => reconciled });
    },
  );
}

/** When a task queued with setTimeout(0) just before the drain ran, in reconciles done by then. */
async function taskRunsAfter(runtime: ControllerRuntime, reconciled: () => number): Promise<{ before: number; drained: boolean }> {
  let before = -1;
  let drained = false;
  setTimeout(() => (before = reconciled()), 0);
  await runtime.drain().then(() => (drained = true));
  return { before, drained };
}

describe("reconcile slices", () => {
  it("lets a task queued during the drain run after about SLICE_MS of reconciles", () =>
    withRuntime(2, async ({ runtime, reconciled }) => {
      const { before } = await taskRunsAfter(runtime, reconciled);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThanOrEqual(Math.ceil(SLICE_MS / 2)); // 2 ms each, until SLICE_MS have passed
      expect(reconciled()).toBe(100);
      expect(runtime.pending).toBe(false);
    }));

  it("lets a task of three turns in a row (a request's hops through the thread) finish between two slices", () =>
    withRuntime(2, async ({ runtime, reconciled }) => {
      const seen: number[] = []; // reconciles done when each turn ran
      const hop = () => {
        seen.push(reconciled());
        if (seen.length < 3) setTimeout(hop, 0);
      };
      setTimeout(hop, 0);
      await runtime.drain();
      expect(seen[0]).toBeGreaterThan(0);
      expect(seen).toEqual([seen[0], seen[0], seen[0]]);
    }));

  it("ends a slice before a reconcile that, at its last cost, would run past SLICE_MS", () =>
    withRuntime(SLICE_MS * 0.6, async ({ runtime, reconciled }) => {
      const { before } = await taskRunsAfter(runtime, reconciled);
      expect(before).toBe(1); // a second would end at 1.2 × SLICE_MS
      expect(reconciled()).toBe(100);
    }));

  it("ends a slice by count when the clock stands still", () =>
    withRuntime(0, async ({ runtime, reconciled }) => {
      const { before } = await taskRunsAfter(runtime, reconciled);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThanOrEqual(20);
      expect(reconciled()).toBe(100);
    }));

  it("gives every controller a turn while an earlier one's queue keeps refilling", () => {
    let wall = 0;
    let refills = 0;
    let refillsBeforeOther = -1;
    let runtime: ControllerRuntime | undefined;
    const refilling: Controller = {
      name: "refilling",
      primary: "configmaps",
      watches: [],
      reconcile() {
        wall += 1;
        if (++refills < 1000) runtime!.enqueue("refilling", `default/cm-${refills}`);
      },
    };
    const other: Controller = {
      name: "other",
      primary: "configmaps",
      watches: [],
      reconcile() {
        wall += 1;
        refillsBeforeOther = refills;
      },
    };
    return inRuntime(
      [refilling, other],
      () => wall,
      async (r) => {
        runtime = r;
        r.enqueue("refilling", "default/cm-0");
        r.enqueue("other", "default/cm-0");
        await r.drain();
        expect(refills).toBe(1000);
        expect(refillsBeforeOther).toBeGreaterThan(0);
        expect(refillsBeforeOther).toBeLessThanOrEqual(TURN_MS + SLICE_MS); // after one turn of the first, not after all 1,000
      },
    );
  });

  it("recalibrates the count cap from the time a full slice took", () => {
    expect(nextSliceCap(20, 20, SLICE_MS / 2)).toBe(40);
    expect(nextSliceCap(20, 20, SLICE_MS * 2)).toBe(10);
    expect(nextSliceCap(20, 20, 0)).toBe(40); // no time measured: grow
    expect(nextSliceCap(20, 20, SLICE_MS * 40)).toBe(1);
    expect(nextSliceCap(400, 400, 1)).toBe(500);
    expect(nextSliceCap(20, 7, 30)).toBe(20); // the queue ran dry or the clock ended it
  });
});

describe("watch predicates", () => {
  it("an update the watch's concerns() refuses wakes nobody; creations, deletions and the updates it accepts do", () => {
    const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
    return runInDurableObject(ns.get(ns.newUniqueId()), async (_i, state) => {
      const store = new Store(state.storage.sql);
      const woken: string[] = [];
      const watcher: Controller = {
        name: "watcher",
        primary: "configmaps",
        watches: [{ plural: "configmaps", concerns: (obj, prev) => obj.data?.x !== prev.data?.x }],
        reconcile: (key) => void woken.push(key),
      };
      const context = { now: () => Date.now() } as unknown as ControllerContext;
      const runtime = new ControllerRuntime(store, state.storage.sql, [watcher], context, (f) => store.transaction(state.storage, f));
      await runtime.drain(); // the first drain's resync, of nothing
      const key = "/core/configmaps/default/a";
      const cm = (x: string, y: string) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "a", namespace: "default" },
        data: { x, y },
      });
      const wakes: number[] = [];
      const write = async (op: Op, value: ReturnType<typeof cm>, prev?: ReturnType<typeof cm>) => {
        store.put(key, op, value, prev);
        await runtime.drain();
        wakes.push(woken.splice(0).length);
      };
      await write(Op.Created, cm("1", "1"));
      await write(Op.Updated, cm("1", "2"), cm("1", "1"));
      await write(Op.Updated, cm("2", "2"), cm("1", "2"));
      await write(Op.Deleted, cm("2", "2"), cm("2", "2"));
      expect(wakes).toEqual([1, 0, 1, 1]);
    });
  });
});

/** A fake clock with timers: sleep(ms) resolves when advance() passes its time. */
function fakeTime() {
  let now = 0;
  let seq = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  const flush = async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: now + ms, seq: seq++, resolve })),
    /** Run every timer due up to `until` (ms), in order. */
    async advance(until: number) {
      for (;;) {
        await flush();
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const t = timers[0];
        if (!t || t.at > until) break;
        timers.shift();
        now = Math.max(now, t.at);
        t.resolve();
      }
      now = Math.max(now, until);
    },
  };
}

const LIMITS: BudgetLimits = { rateMsPerSecond: 100, burstMs: 10, minCostMs: 10, aloneMs: 0, queueLength: 4, maxWaitMs: 1000 };

describe("request budget", () => {
  it("serves a sequential client at once, however deep in debt", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, LIMITS);
    for (let i = 0; i < 100; i++) {
      const admitted = budget.admit(false);
      await time.advance(time.now());
      expect(await admitted).toBeUndefined();
      budget.charge(50);
    }
    expect(time.now()).toBe(0);
  });

  it("serves a request in debt at once when none came within aloneMs before it; one that follows closer first looks for company", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, { ...LIMITS, aloneMs: 5 });
    budget.charge(1000);
    const servedAt: number[] = [];
    const request = async () => {
      expect(await budget.admit(false)).toBeUndefined();
      servedAt.push(time.now());
    };
    await request();
    await time.advance(30);
    await request();
    await time.advance(33); // 3 ms after the last one, a sequential client's quick next request
    const third = request();
    await time.advance(60);
    await third;
    expect(servedAt).toEqual([0, 30, 38]);
  });

  it("queues concurrent requests in debt, releases them at the refill rate and refuses the overflow after the wait limit", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, LIMITS);
    const served: number[] = [];
    const refused: { at: number; retryAfter: number }[] = [];
    const request = async () => {
      const retryAfter = await budget.admit(false);
      if (retryAfter !== undefined) return refused.push({ at: time.now(), retryAfter });
      served.push(time.now());
      budget.charge(10);
    };
    const all = Promise.all(Array.from({ length: 8 }, request));
    await time.advance(2000);
    await all;
    // One on the bucket, four from the queue, 10 ms of tokens apart (100 ms at 100 ms/s).
    expect(served.length).toBe(5);
    for (let i = 2; i < served.length; i++) expect(served[i] - served[i - 1]).toBeGreaterThanOrEqual(99);
    expect(served[served.length - 1]).toBeLessThan(LIMITS.maxWaitMs);
    // The queue holds four; the other three are refused, held for half to all of the wait limit.
    expect(refused.map((r) => r.retryAfter)).toEqual([1, 1, 1]);
    for (const r of refused) expect(r.at).toBeGreaterThanOrEqual(LIMITS.maxWaitMs / 2), expect(r.at).toBeLessThanOrEqual(LIMITS.maxWaitMs);
  });

  it("holds an overflow refusal for its Retry-After once that has grown past the wait limit", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, { ...LIMITS, rateMsPerSecond: 1 }, () => 0);
    budget.charge(1000);
    const holds: { retryAfter: number; heldMs: number }[] = [];
    const request = async () => {
      const start = time.now();
      const retryAfter = await budget.admit(false);
      if (retryAfter !== undefined) holds.push({ retryAfter, heldMs: time.now() - start });
    };
    // Waves of 20 concurrent requests, one a second: the queue of four is full, so most are refused,
    // and three times Retry-After's worth of drops a second doubles it.
    const waves: Promise<unknown>[] = [];
    for (let second = 0; second < 12; second++) {
      waves.push(Promise.all(Array.from({ length: 20 }, request)));
      await time.advance(time.now() + 1000);
    }
    await time.advance(time.now() + 60_000);
    await Promise.all(waves);
    const grown = holds.filter((h) => h.retryAfter >= 4);
    expect(grown.length).toBeGreaterThan(0);
    // Held for half (the jitter source gives 0) of the Retry-After in force when it arrived: past
    // the one-second wait limit once Retry-After is 4 s.
    for (const h of holds) expect(h.heldMs).toBeGreaterThanOrEqual(LIMITS.maxWaitMs / 2);
    expect(Math.max(...grown.map((h) => h.heldMs))).toBeGreaterThanOrEqual(2000);
  });

  it("serves two requests that queue behind a long sequential one within their wait", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, { ...LIMITS, minCostMs: 1 });
    budget.charge(60_000);
    const answers = Promise.all([budget.admit(false), budget.admit(false)]);
    await time.advance(LIMITS.maxWaitMs);
    expect(await answers).toEqual([undefined, undefined]);
  });

  it("refuses a queued request whose wait is over", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, { ...LIMITS, rateMsPerSecond: 1, queueLength: 10 });
    budget.charge(1000);
    const answers = Promise.all([budget.admit(false), budget.admit(false), budget.admit(false)]);
    await time.advance(5000);
    // The first is served once half a wait has repaid the debt; its least cost (10 s at 1 ms/s) outlasts the others' waits.
    expect(await answers).toEqual([undefined, 1, 1]);
    expect(budget.waiting).toBe(0);
  });

  it("never holds a long-running request", async () => {
    const time = fakeTime();
    const budget = new RequestBudget(time.now, time.sleep, LIMITS);
    budget.charge(1000);
    const queued = [budget.admit(false), budget.admit(false)];
    await time.advance(0);
    expect(await budget.admit(true)).toBeUndefined();
    await time.advance(5000);
    await Promise.all(queued);
  });
});

describe("Retry-After", () => {
  it("doubles after three times its value of drops and shrinks when drops stop, as APF's tracker does", () => {
    const d = new DroppedRequests();
    for (let i = 0; i < 3; i++) d.record(1);
    expect(d.retryAfter).toBe(1);
    d.record(2);
    expect(d.retryAfter).toBe(2);
    d.record(3); // 4 drops in the last 2 s: fewer than 6, not fewer than 2
    expect(d.retryAfter).toBe(2);
    d.record(10);
    expect(d.retryAfter).toBe(1);
  });

  it("stops at 32 seconds", () => {
    const d = new DroppedRequests();
    for (let s = 1; s < 200; s++) for (let i = 0; i < 100; i++) d.record(s);
    expect(d.retryAfter).toBe(DroppedRequests.MAX);
  });
});

describe("the refusal", () => {
  it("is the API server's 429 Status with Retry-After", async () => {
    const res = tooManyRequests(4);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("4");
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: TOO_MANY_REQUESTS,
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 4 },
      code: 429,
    });
    expect(TOO_MANY_REQUESTS).toBe("Too many requests, please try again later.");
  });
});

describe("long-running requests", () => {
  const base = "https://127.0.0.1:8787/clusters/abc";
  it.each([
    "/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true",
    "/api/v1/namespaces/default/pods/web/attach",
    "/api/v1/namespaces/default/pods/web/portforward?ports=80",
    "/api/v1/namespaces/default/pods/web/log?follow=true",
    "/api/v1/namespaces/default/services/web/proxy/index.html",
    "/api/v1/nodes/node-1/proxy/metrics",
    "/api/v1/proxy/namespaces/default/pods/web",
  ])("%s is long-running", (path) => expect(isLongRunning(base + path)).toBe(true));

  it.each([
    "/api/v1/namespaces/default/pods?watch=true",
    "/api/v1/watch/namespaces/default/pods",
    "/api/v1/namespaces/default/configmaps/exec",
    "/api/v1/namespaces/default/pods/exec",
    "/apis/apps/v1/namespaces/default/deployments/web/scale",
    "/version",
  ])("%s is not", (path) => expect(isLongRunning(base + path)).toBe(false));

  it("is recognised without the /clusters prefix too", () => {
    expect(isLongRunning("https://x/api/v1/namespaces/a/pods/b/exec")).toBe(true);
  });
});
