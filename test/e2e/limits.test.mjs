// The playground's own limits with the values a deployment has on (the other suites turn them off):
// the per-address cap on live sessions, the creation rate limit, the per-cluster object cap.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Server, request } from "./lib/harness.mjs";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "cli", "kubeplay.mjs");
const MAX_SESSIONS = 3;
const RATE_LIMIT = 10; // wrangler.toml [[ratelimits]] simple = { limit = 10, period = 60 }
const MAX_OBJECTS = 500; // above what a fresh cluster holds (its RBAC policy, add-ons, kube-system)
let server;

before(async () => {
  server = await Server.start({
    SESSION_RATE_LIMIT: "on",
    MAX_SESSIONS_PER_CLIENT: String(MAX_SESSIONS),
    MAX_OBJECTS_PER_CLUSTER: String(MAX_OBJECTS),
  });
});
after(async () => {
  await server?.stop();
});

const create = (headers = {}) =>
  request(`${server.origin}/api/sessions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
const remove = (s) =>
  request(`${server.origin}/api/sessions/${s.id}`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } });
let created = 0; // creations charged to this address's rate limit so far

/** `n` new sessions, each 201. */
async function createMany(n) {
  const sessions = [];
  for (let i = 0; i < n; i++) {
    const res = await create();
    assert.equal(res.status, 201, res.text);
    sessions.push(res.json);
    created++;
  }
  return sessions;
}

test("the per-address cap refuses one session too many with a 403 naming the sessions that hold the places, and kubeplay get clusters lists them", async () => {
  const live = await createMany(MAX_SESSIONS);
  const refused = await create();
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.kind, "Status");
  assert.equal(refused.json.reason, "Forbidden");
  assert.match(refused.json.message, new RegExp(`^too many live sessions from your address \\(the limit is ${MAX_SESSIONS}\\)`));
  for (const s of live) assert.ok(refused.json.message.includes(`${s.id} (expires ${s.expiresAt})`), refused.json.message);
  assert.match(refused.json.message, /kubeplay delete cluster --name ID/);

  // The CLI, with a kubeconfig that holds none of their tokens, still shows what holds the places.
  const home = mkdtempSync(join(tmpdir(), "kubeplay-limits-"));
  const list = spawnSync(process.execPath, [cli, "get", "clusters"], {
    env: { ...process.env, HOME: home, KUBECONFIG: "", KUBEPLAY_SERVER: server.origin },
    encoding: "utf8",
  });
  assert.equal(list.status, 0, list.stderr);
  for (const s of live)
    assert.match(
      list.stdout,
      new RegExp(`^${s.id}\\s+live\\s+${s.expiresAt.replace(/\.000Z$/, "")}\\S*\\s+\\S+\\s+-\\s+${server.origin}$`, "m"),
    );
  assert.match(list.stderr, /only a holder of their token can delete them/);

  // Deleting one with its token frees its place.
  assert.equal((await remove(live[0])).status, 200);
  const again = await create();
  assert.equal(again.status, 201, again.text);
  created++;
  for (const s of [...live.slice(1), again.json]) assert.equal((await remove(s)).status, 200);
});

test("a creation retried with the same Idempotency-Key gets the session the first attempt started, even at the per-address cap; once that session is deleted the key is refused with 409", async () => {
  const key = `"${crypto.randomUUID()}"`;
  const withKey = (k) => create({ "idempotency-key": k });
  const first = await withKey(key);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers["idempotent-replayed"], undefined);
  created++;
  const others = await createMany(MAX_SESSIONS - 1);
  assert.equal((await create()).status, 403, "the address is at its cap");

  const retry = await withKey(key);
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.headers["idempotent-replayed"], "true");
  assert.deepEqual(retry.json, first.json, "the same session, token and kubeconfig");
  const live = (await request(`${server.origin}/api/sessions`)).json.sessions.map((s) => s.id);
  assert.deepEqual(live.sort(), [first.json.id, ...others.map((s) => s.id)].sort());

  const invalidKey = await withKey("two words");
  assert.equal(invalidKey.status, 400, invalidKey.text);
  assert.equal(invalidKey.json.message, "invalid Idempotency-Key header: it must be 1 to 255 visible ASCII characters, such as a UUID");

  assert.equal((await remove(first.json)).status, 200);
  const afterDelete = await withKey(key);
  assert.equal(afterDelete.status, 409, afterDelete.text);
  assert.equal(afterDelete.json.reason, "Conflict");
  assert.equal(
    afterDelete.json.message,
    `the session ${first.json.id} this Idempotency-Key started has ended (deleted); a new session needs a new key`,
  );
  for (const s of others) assert.equal((await remove(s)).status, 200);
});

test("the creation rate limit answers 429 TooManyRequests with Retry-After once an address has created 10 sessions in a minute", async () => {
  // The limiter counts per fixed minute, so creations that straddle a minute's end may get up to
  // twice the limit before the refusal; never more.
  let limited;
  for (let attempt = 0; attempt <= 2 * RATE_LIMIT; attempt++) {
    const res = await create();
    if (res.status === 429) {
      limited = res;
      break;
    }
    assert.equal(res.status, 201, `creation ${created + 1}: ${res.text}`);
    created++;
    assert.equal((await remove(res.json)).status, 200);
  }
  assert.ok(limited, `no 429 after ${created} creations`);
  assert.ok(created >= RATE_LIMIT, `refused after only ${created} creations`);
  assert.equal(limited.status, 429, limited.text);
  assert.equal(limited.json.reason, "TooManyRequests");
  assert.equal(limited.headers["retry-after"], "60");
  assert.equal(limited.json.details.retryAfterSeconds, 60);
});

test("the per-cluster object cap refuses the object past it with 403 exceeded quota, and deleting one makes room", async () => {
  // A session created before the rate limit ran out would do; this server's sessions all ran
  // into it, so the cluster comes from a second address the limit has not seen.
  const res = await request(`${server.origin}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.7" },
    body: "{}",
  });
  assert.equal(res.status, 201, res.text);
  const s = { ...res.json };
  const api = (path, opts = {}) =>
    request(`${s.server}${path}`, {
      ...opts,
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json", ...opts.headers },
    });
  const cm = (name) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
  let n = 0;
  let last;
  for (; n < MAX_OBJECTS; n++) {
    last = await api("/api/v1/namespaces/default/configmaps", { method: "POST", body: cm(`cm-${n}`) });
    if (last.status !== 201) break;
  }
  assert.equal(last.status, 403, last.text);
  assert.ok(n > 0 && n < MAX_OBJECTS, `${n} ConfigMaps fitted beside the cluster's own objects`);
  assert.equal(last.json.reason, "Forbidden");
  assert.equal(
    last.json.message,
    `configmaps "cm-${n}" is forbidden: exceeded quota: this playground cluster holds at most ${MAX_OBJECTS} objects`,
  );
  assert.equal((await api("/api/v1/namespaces/default/configmaps/cm-0", { method: "DELETE" })).status, 200);
  assert.equal((await api("/api/v1/namespaces/default/configmaps", { method: "POST", body: cm(`cm-${n}`) })).status, 201);
});
