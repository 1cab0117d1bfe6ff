// A minimal Chrome DevTools Protocol client for the V8 inspector `wrangler dev` exposes
// (--inspector-port). Uses the `ws` package already installed as a dependency of wrangler/miniflare.
import WebSocket from "ws";

export class Inspector {
  /** Connect to the first target listed at http://127.0.0.1:<port>/json (retrying while it comes up). */
  static async connect(port, { timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        const targets = await fetch(`http://127.0.0.1:${port}/json`).then((r) => r.json());
        if (targets.length) {
          const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
          await new Promise((resolve, reject) => {
            ws.once("open", resolve);
            ws.once("error", reject);
          });
          return new Inspector(ws, targets);
        }
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline) throw new Error(`no inspector target on port ${port}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  constructor(ws, targets) {
    this.ws = ws;
    this.targets = targets;
    this.nextId = 1;
    this.waiting = new Map();
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      const w = msg.id !== undefined && this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
      else w.resolve(msg.result);
    });
  }

  send(method, params = {}, timeout = 120_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${method}: no answer from the inspector in ${timeout} ms`));
      }, timeout);
      const settle = (f) => (v) => {
        clearTimeout(timer);
        f(v);
      };
      this.waiting.set(id, { resolve: settle(resolve), reject: settle(reject), method });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** { usedSize, totalSize } of the isolate's JS heap, in bytes. */
  heap() {
    return this.send("Runtime.getHeapUsage");
  }

  /**
   * A full GC. workerd does not answer HeapProfiler.collectGarbage, but V8 collects garbage before
   * taking a heap snapshot; the snapshot's chunks are ignored.
   */
  async gc() {
    await this.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  }

  close() {
    this.ws.close();
  }
}

/** Self time by function of a CDP CPU profile (Profiler.stop's `profile`), largest first. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const agg = new Map();
  for (const [id, us] of dt) {
    const f = byId.get(id).callFrame;
    const file = f.url.split("/").slice(-2).join("/");
    const key = `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
    agg.set(key, (agg.get(key) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    rows: [...agg].sort((a, b) => b[1] - a[1]).map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total })),
  };
}

/** Inclusive time of functions whose name matches, from a CPU profile (for stage breakdowns). */
export function inclusiveTimes(profile, names) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const out = Object.fromEntries(names.map((n) => [n, 0]));
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur).callFrame.functionName;
      if (names.includes(name) && !seen.has(name)) {
        seen.add(name);
        out[name] += us / 1000;
      }
    }
  }
  return out;
}
