// Hostile input (issue 8): each request of test/e2e/lib/hostile-bodies.mjs gets the answer the
// real API server gives (or the 4xx the issue asks for where the real one fails), and after each
// the server still answers /healthz, a neighbouring session still answers, and the target's
// seeded objects are exactly as they were. Last, the server logged no server error at all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { Server, eventually } from "./lib/harness.mjs";
import { CM, SEED_CONFIGMAP, SEED_DEPLOYMENT, hostileCases, send, sendCase } from "./lib/hostile-bodies.mjs";

const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
const REQUEST_TIMEOUT = 60_000;

let server;
let target; // the session the hostile requests go to
let neighbour; // another session on the same server
let seeded; // path → the object as GET answered it after seeding

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: SEED_DEPLOYMENT, labels: { app: "web" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
  },
};

async function created(session, path, body) {
  const res = await session.api(path, { method: "POST", headers: { "content-type": "application/json" }, body });
  assert.equal(res.status, 201, `create ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

/** GET of each seeded object, parsed. */
async function seededNow() {
  const out = {};
  for (const path of Object.keys(seeded)) {
    const res = await target.api(path);
    out[path] = { status: res.status, json: res.json };
  }
  return out;
}

before(async () => {
  server = await Server.start();
  target = await server.createSession({ clock: "instant" });
  neighbour = await server.createSession({ clock: "instant" });
  await created(target, CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SEED_CONFIGMAP }, data: { a: "1", b: "two" } });
  await created(target, DEPLOYMENTS, deployment);
  await created(neighbour, CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "next-door" }, data: { n: "1" } });
  // The Deployment settles (its pods run, its status stops changing) before it is the reference.
  let last;
  await eventually(
    async () => {
      const d = (await target.api(`${DEPLOYMENTS}/${SEED_DEPLOYMENT}`)).json;
      const settled =
        d?.status?.readyReplicas === 2 && d.status.observedGeneration === d.metadata.generation && last === d.metadata.resourceVersion;
      last = d?.metadata?.resourceVersion;
      return settled;
    },
    { timeout: 60_000, interval: 1500 },
  );
  seeded = { [`${CM}/${SEED_CONFIGMAP}`]: undefined, [`${DEPLOYMENTS}/${SEED_DEPLOYMENT}`]: undefined };
  const now = await seededNow();
  for (const [path, { status, json }] of Object.entries(now)) {
    assert.equal(status, 200, `GET ${path}`);
    seeded[path] = json;
  }
});

after(async () => {
  await server?.stop();
});

/** The target's current resourceVersion (of its ConfigMap list). */
async function currentRv() {
  const res = await target.api(CM);
  assert.equal(res.status, 200, `list: ${res.status} ${res.text.slice(0, 200)}`);
  return Number(res.json.metadata.resourceVersion);
}

/** A short description of an answer, for assertion messages. */
function got(res) {
  if (typeof res.status !== "number") return `${res.status}: ${res.error?.message}`;
  const s = res.json?.kind === "Status" ? `${res.json.reason}: ${res.json.message}` : (res.text ?? "").replace(/\s+/g, " ");
  return `${res.status} ${s.length > 300 ? `${s.slice(0, 300)}…` : s}`;
}

function assertStatus(res, { status, reason, message }) {
  assert.equal(res.status, status, `status: got ${got(res)}`);
  assert.equal(res.json?.kind, "Status", `a metav1.Status: got ${got(res)}`);
  assert.equal(res.json.apiVersion, "v1");
  assert.equal(res.json.status, "Failure");
  assert.equal(res.json.code, status, `the Status' code: got ${got(res)}`);
  assert.equal(res.json.reason, reason, `reason: got ${got(res)}`);
  assert.match(res.json.message, message, `message: got ${got(res)}`);
}

/** After each case: the server, the neighbour and the seeded objects are all as before, to a new
 *  client (a connection of its own: the hostile request's kept-alive one may have been left with an
 *  unread body behind an early 413, which is that client's, not the server's, state). */
async function assertIntact() {
  const health = await send(`${server.origin}/healthz`, { timeout: 15_000, agent: false });
  assert.equal(health.status, 200, `/healthz: ${got(health)}`);
  assert.equal(health.text, "ok");
  const next = await send(`${neighbour.server}${CM}/next-door`, {
    headers: { authorization: `Bearer ${neighbour.token}` },
    timeout: 15_000,
    agent: false,
  });
  assert.equal(next.status, 200, `the neighbour's ConfigMap: ${got(next)}`);
  assert.deepEqual(next.json.data, { n: "1" });
  const now = await seededNow();
  for (const [path, before] of Object.entries(seeded)) {
    assert.equal(now[path].status, 200, `GET ${path}`);
    assert.deepEqual(now[path].json, before, `${path} changed`);
  }
}

// Checks of the cases whose right answer is more than one Status (see `outcome` in hostile-bodies).
const outcomes = {
  async "yaml-5000-documents"(res) {
    assert.ok(res.status === 201 || (res.status >= 400 && res.status < 500), `201 or a 4xx: got ${got(res)}`);
    if (res.status === 201) assert.equal(res.json.metadata.name, "doc-0", "the first document is the one created");
    for (const name of ["doc-1", "doc-2", "doc-4999"]) {
      const r = await target.api(`${CM}/${name}`);
      assert.equal(r.status, 404, `${name} must not be stored: ${got(r)}`);
    }
    const list = await target.api(`${CM}?labelSelector=hostile%3Ddocs`);
    assert.equal(list.status, 200);
    assert.ok(list.json.items.length <= 1, `at most doc-0 stored: ${list.json.items.length}`);
  },

  async "unknown-field-1MB"(res) {
    assert.equal(res.status, 201, `created: got ${got(res)}`);
    assert.match(res.headers.warning ?? "", /^299 - "unknown field \\"junk\\""$/, `the Warning header: ${res.headers.warning}`);
    assert.equal(res.json.junk, undefined, "the answer carries no junk");
    const stored = await target.api(`${CM}/junky`);
    assert.equal(stored.status, 200);
    assert.equal(stored.json.junk, undefined, "junk is not stored");
    assert.deepEqual(stored.json.data, { a: "1" });
  },

  async "watch-rv-future"(res) {
    if (res.status === 504) return assertStatus(res, { status: 504, reason: "Timeout", message: /Too large resource version/ });
    assert.equal(res.status, 200, `504, or a 200 stream: got ${got(res)}`);
    const events = res.text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.equal(events.length, 1, `one event: ${res.text.slice(0, 500)}`);
    assert.equal(events[0].type, "ERROR");
    assert.equal(events[0].object.code, 504);
    assert.equal(events[0].object.reason, "Timeout");
    assert.match(events[0].object.message, /^Timeout: Too large resource version: \d+, current: \d+$/);
  },

  async "path-namespace-%zz"(res) {
    assert.equal(res.status, 400, `got ${got(res)}`);
    if (res.json) assert.equal(res.json.reason, "BadRequest");
  },

  async "path-namespace-%ff"(res) {
    if (res.status === 400) return assertStatus(res, { status: 400, reason: "BadRequest", message: /./ });
    assert.equal(res.status, 200, `200 or 400: got ${got(res)}`);
    assert.equal(res.json.kind, "PodList");
    assert.deepEqual(res.json.items, []);
  },

  async "json-invalid-utf8"(res) {
    if (res.status >= 400 && res.status < 500) return assert.equal(res.json?.kind, "Status", `a Status: ${got(res)}`);
    assert.equal(res.status, 201, `201 or a 4xx: got ${got(res)}`);
    const stored = await target.api(`${CM}/utf8`);
    assert.equal(stored.status, 200);
    assert.equal(stored.json.data.k, "a\uFFFD\uFFFDb");
  },
};

const ctx = {};
for (const c of hostileCases()) {
  const answer = c.expect ? `${c.expect.status} ${c.expect.reason}` : c.outcome;
  test(`${c.id} (${c.title}) → ${answer}`, async () => {
    ctx.rv = await currentRv();
    ctx.otherToken = neighbour.token;
    const res = await sendCase(target, c, ctx, { timeout: REQUEST_TIMEOUT });
    if (c.expect) assertStatus(res, c.expect);
    else await outcomes[c.id](res);
  });
  test(`${c.id}: afterwards /healthz, the neighbour and the seeded objects answer as before`, async () => {
    await assertIntact();
  });
}

// 11. A list at a compacted resourceVersion is Expired (etcd3's interpretListError on
// ErrCompacted: "The resourceVersion for the provided list is too old."). History compacts once
// it holds more than ~5000 revisions, or (with byte-bounded compaction) enough superseded bytes:
// first ~1 MB rewrites of one ConfigMap, then small ones, until rv=1 answers 410 or 60 s pass.
test("list at a compacted resourceVersion (rv=1, Exact) → 410 Expired", async (t) => {
  const probe = () => target.api(`${CM}?resourceVersion=1&resourceVersionMatch=Exact`);
  const churn = `${CM}/churn`;
  await created(target, CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "churn" }, data: { v: "0" } });
  const deadline = Date.now() + 60_000;
  let writes = 0;
  let res = await probe();
  const write = async (value) => {
    const r = await target.api(churn, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ data: { v: value } }),
    });
    if (r.status !== 200) return false;
    writes++;
    return true;
  };
  // Phase 1: 100 rewrites of ~900 KB (~90 MB of superseded history).
  const big = "y".repeat(900_000);
  for (let i = 0; i < 100 && res.status !== 410 && Date.now() < deadline; i++) {
    if (!(await write(`${i}${big}`))) break;
    if (i % 20 === 19) res = await probe();
  }
  // Phase 2: small rewrites, 8 at a time, past the revision window.
  let n = 0;
  while (res.status !== 410 && Date.now() < deadline && n < 20_000) {
    const ok = await Promise.all(Array.from({ length: 8 }, () => write(String(n++))));
    if (!ok.every(Boolean)) break;
    if (n % 400 === 0) res = await probe();
  }
  if (res.status !== 410) res = await probe();
  const rv = await currentRv();
  if (res.status !== 410 && rv < 6500) {
    t.skip(
      `history not compacted: ${writes} writes reached revision ${rv} in 60 s, short of the ~6000 after which it compacts (last probe: ${got(res)})`,
    );
    return;
  }
  assertStatus(res, { status: 410, reason: "Expired", message: /^The resourceVersion for the provided list is too old\.$/ });
});

test("list at a compacted resourceVersion: afterwards /healthz, the neighbour and the seeded objects answer as before", async () => {
  await assertIntact();
});

// 12. A flood: a session's concurrent requests beyond its budget wait in its queue, and past the
// queue are refused as the API server's max-in-flight filter refuses (apierrors.NewTooManyRequests).
test("a session flooded by 64 concurrent connections is answered 429 TooManyRequests with Retry-After, never 5xx; its neighbour is answered meanwhile, and its own sequential requests after", async () => {
  const flooder = await server.createSession({ clock: "instant" });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  const headers = { authorization: `Bearer ${flooder.token}` };
  const statuses = {};
  let refusal;
  // Until the first refusal (a 500 ms bucket of handler time lasts a moment), for at least 2 s.
  const start = Date.now();
  const flood = Promise.all(
    Array.from({ length: 64 }, async () => {
      while ((!refusal || Date.now() < start + 2000) && Date.now() < start + 30_000) {
        const r = await send(`${flooder.server}${CM}`, { headers, agent, timeout: REQUEST_TIMEOUT });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 429) refusal ??= r;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 1000));
  const next = await neighbour.api(`${CM}/next-door`);
  await flood;
  agent.destroy();
  assert.equal(next.status, 200, `the neighbour during the flood: ${got(next)}`);
  assert.deepEqual(
    Object.keys(statuses).filter((code) => !(code === "200" || code === "429")),
    [],
    JSON.stringify(statuses),
  );
  assert.ok(refusal, `no 429 in ${JSON.stringify(statuses)}`);
  assertStatus(refusal, { status: 429, reason: "TooManyRequests", message: /^Too many requests, please try again later\.$/ });
  assert.match(refusal.headers["retry-after"], /^[1-9]\d*$/);
  assert.equal(refusal.json.details.retryAfterSeconds, Number(refusal.headers["retry-after"]));
  const after = await flooder.api(CM);
  assert.equal(after.status, 200, `the flooder's own request after the flood: ${got(after)}`);
});

// The zero-5xx sweep: nothing above made the server answer 500 or print an internal error.
test("the server logged no 500 answer, internal error, failed reconcile or uncaught exception", async () => {
  await new Promise((r) => setTimeout(r, 500)); // the last request lines reach the log
  assert.deepEqual(server.serverErrors(), []);
});
