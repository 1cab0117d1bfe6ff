// A per-cluster request budget in the spirit of API Priority and Fairness. The Cluster Durable
// Object owns its tenant, so the budget lives there and is checked before a request is parsed.
//
// What is shared is time on one thread (every Durable Object of a local `wrangler dev`, or of one
// isolate deployed), so the budget is handler time: a token bucket of milliseconds. A request that
// finds tokens runs at once; so does one that arrives alone (no other request of its cluster within
// a few ms), because a sequential client (kubectl, a test suite, a LIST of 10,000 pods after
// another) uses one seat, the least APF gives any flow, and only concurrency beyond it is what a
// flood adds. Concurrent requests of a cluster in debt wait in one FIFO queue, released one at a
// time as tokens come back; past the queue's length or its wait limit they are refused with 429 —
// as APF refuses when its queues are full or a request waited too long. A refusal is held (for
// about its Retry-After, which grows while the flood goes on), so a flooder cannot spin on cheap
// refusals: what it costs the neighbours is its connections' rate, and holding divides that.
// Long-running requests (exec, attach, port-forward, log, proxy) are never held, as APF exempts
// them; watches are held like any request, as APF does. Every request's time counts, the start of
// the long-running ones included.
import { ApiError, statusResponse } from "./status";

export interface BudgetLimits {
  /** Handler time given back per second. 250 ms is a quarter of the thread: four clusters flooding
   *  at once still leave the rest of the isolate answering. */
  rateMsPerSecond: number;
  /** The bucket: 500 ms of handler time (125 requests at the least cost) at full speed, so a burst
   *  of concurrent requests (a cold discovery fetching every group version at once, a browser
   *  console's first page) is served before the rate applies; sequential use never needs it. A
   *  larger bucket lets a flood run unchecked for longer: each 500 ms of it is about a second of
   *  a saturated thread for the neighbours. */
  burstMs: number;
  /** The least a request costs: what it costs outside the handler (the Worker's token check and
   *  routing, the call into the object; locally also wrangler's proxy: about 3 ms of CPU a request
   *  in all, measured, and 4 with a margin), which the handler's clock does not see. Deployed, the clock stands still while a
   *  handler runs (it moves only on I/O), so there most requests cost just this: about 60
   *  concurrent requests a second once the bucket is spent. */
  minCostMs: number;
  /** How long a request that finds its cluster in debt looks for company: a flood's next request
   *  arrives within it (a 64-connection flood through the local proxy arrives every ~4.5 ms), a
   *  sequential client's cannot, as it waits for this answer. */
  aloneMs: number;
  /** How many requests may wait: above kubectl's and client-go's own parallelism (discovery, a
   *  bench's 16 connections), below a flood's. */
  queueLength: number;
  /** The longest wait, after which a request is refused (APF waits up to 15 s; client-go retries a
   *  429 after Retry-After, so waiting longer here only holds connections). */
  maxWaitMs: number;
}

export const BUDGET: BudgetLimits = { rateMsPerSecond: 250, burstMs: 500, minCostMs: 4, aloneMs: 5, queueLength: 32, maxWaitMs: 1000 };

/** apiserver's tooManyRequests (server/filters/maxinflight.go). */
export const TOO_MANY_REQUESTS = "Too many requests, please try again later.";

/** The 429 as the API server words it (apierrors.NewTooManyRequests), Retry-After in seconds. */
export function tooManyRequests(retryAfterSeconds: number): Response {
  return statusResponse(
    new ApiError(429, "TooManyRequests", TOO_MANY_REQUESTS, { retryAfterSeconds }, { "retry-after": String(retryAfterSeconds) }),
  );
}

/** APF's long-running requests (BasicLongRunningRequestCheck with kube-apiserver's sets): the
 *  proxy verb and the attach, exec, log, portforward and proxy subresources. `url` is the whole
 *  request URL; its path is `[/clusters/<id>]/api[s/<group>]/<version>/[namespaces/<ns>/]<plural>/<name>/<sub>`. */
export function isLongRunning(url: string): boolean {
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2)).split("?")[0];
  return LONG_RUNNING.test(path);
}
const LONG_RUNNING =
  /^(?:\/clusters\/[^/]+)?\/(?:api|apis\/[^/]+)\/[^/]+\/(?:proxy\/|(?:namespaces\/[^/]+\/)?[^/]+\/[^/]+\/(?:attach|exec|log|portforward|proxy)(?:\/|$))/;

interface Waiter {
  deadline: number;
  resolve(retryAfter: number | undefined): void;
}

const timer = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RequestBudget {
  private tokens: number;
  private at: number;
  private readonly queue: Waiter[] = [];
  /** When the last request arrived. */
  private lastArrival = -Infinity;
  /** Requests that found the cluster in debt and are looking whether they came alone. */
  private arriving = 0;
  private pumping = false;
  private readonly drops: DroppedRequests;

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void> = timer,
    private readonly limits: BudgetLimits = BUDGET,
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = limits.burstMs;
    this.at = now();
    this.drops = new DroppedRequests();
  }

  /** Wait for the budget: undefined to serve the request, or the Retry-After (s) of its refusal. */
  async admit(longRunning: boolean): Promise<number | undefined> {
    this.refill();
    const sinceLast = this.at - this.lastArrival;
    this.lastArrival = this.at;
    // In debt, a request that came alone is served at once too: none arrived within the last few
    // ms, so it is not one of many (a sequential client, between the answer and its next request,
    // is a round trip and a handler apart; a flood's requests a few ms).
    const alone = sinceLast > this.limits.aloneMs;
    if (longRunning || ((this.tokens > 0 || alone) && !this.queue.length && !this.arriving)) return this.take();
    // Else wait a moment for the requests that come right behind this one, to see whether it is
    // alone (a sequential client, served however deep the debt) or one of many.
    this.arriving++;
    await this.sleep(this.limits.aloneMs);
    this.arriving--;
    if (!this.arriving && !this.queue.length) return this.take();
    if (this.queue.length >= this.limits.queueLength) {
      // Held for between half and all of the wait limit or of the Retry-After, whichever is longer
      // (a client that honours Retry-After loses nothing), jittered: refusals released together
      // would come back together, a burst the neighbours feel.
      const hold = Math.max(this.limits.maxWaitMs, this.drops.retryAfter * 1000);
      await this.sleep(Math.round(hold * (0.5 + this.random() / 2)));
      return this.refuse();
    }
    return new Promise((resolve) => {
      this.queue.push({ deadline: this.now() + this.limits.maxWaitMs, resolve });
      this.pump();
    });
  }

  /** A served request took `ms` of handler time (its least cost was taken when it was admitted).
   *  The debt is bounded by what half a wait repays, so requests that queue behind a long sequential
   *  run (a script, and a request its last pipeline stage sent as it ended) are served within their
   *  wait, not refused at its end. */
  charge(ms: number): void {
    this.refill();
    const floor = -(this.limits.maxWaitMs * this.limits.rateMsPerSecond) / 2000;
    this.tokens = Math.max(floor, this.tokens - Math.max(0, ms - this.limits.minCostMs));
  }

  /** How many requests are waiting (for tests and figures). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Admit: the least cost is taken at once, so requests admitted together see each other. */
  private take(): undefined {
    this.tokens -= this.limits.minCostMs;
    return undefined;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.limits.burstMs, this.tokens + ((now - this.at) * this.limits.rateMsPerSecond) / 1000);
    this.at = now;
  }

  private refuse(): number {
    const unix = Math.floor(this.now() / 1000);
    this.drops.record(unix);
    return this.drops.retryAfter;
  }

  /** Release the queue's head whenever there are tokens, one at a time (the next after the released
   *  one has run), and refuse the heads whose wait is over. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        while (this.queue.length) {
          this.refill();
          const now = this.now();
          while (this.queue.length && this.queue[0].deadline <= now) this.queue.shift()!.resolve(this.refuse());
          if (!this.queue.length) break;
          if (this.tokens > 0) {
            this.queue.shift()!.resolve(this.take());
            await this.sleep(0);
            continue;
          }
          const refilled = Math.ceil((-this.tokens * 1000) / this.limits.rateMsPerSecond);
          await this.sleep(Math.max(1, Math.min(refilled, this.queue[0].deadline - now)));
        }
      } finally {
        this.pumping = false;
      }
    })();
  }
}

/**
 * The Retry-After of a refusal, as APF computes it (util/flowcontrol/dropped_requests_tracker.go):
 * it starts at 1 s, doubles (up to 32 s, at most once per its own length) when at least three times
 * its value were dropped in the last Retry-After seconds, and shrinks by one when fewer than its
 * value were. Reconsidered when a drop opens a new second.
 */
export class DroppedRequests {
  static readonly MAX = 32;
  retryAfter = 1;
  private history: { unix: number; count: number }[] = [];
  private currentUnix = 0;
  private currentCount = 0;
  private updatedUnix = 0;

  record(unix: number): void {
    if (unix === this.currentUnix) {
      this.currentCount++;
      return;
    }
    this.history.push({ unix: this.currentUnix, count: this.currentCount });
    this.history = this.history.filter((h) => unix - h.unix <= DroppedRequests.MAX);
    this.currentUnix = unix;
    this.currentCount = 1;
    this.update(unix);
  }

  private update(unix: number): void {
    let dropped = 0;
    for (const h of this.history) if (unix - h.unix <= this.retryAfter && h.unix < unix) dropped += h.count;
    if (unix - this.updatedUnix >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(this.retryAfter * 2, DroppedRequests.MAX);
      this.updatedUnix = unix;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) {
      this.retryAfter--;
    }
  }
}
