// /api/sessions: create, read, kubeconfig, delete.
import { Hono, type Context } from "hono";
import { setCookie } from "hono/cookie";
import { authorize, clusterStub, forgetSession, notConfigured, proxyCookieName } from "./auth";
import { formatDuration, limits, parseDuration, signingSecret, type AppEnv } from "./env";
import { kubeconfig, serverUrl } from "./kubeconfig";
import { endSession, insertSession, liveSessions, sessionByRequestKey, type SessionRow } from "./registry";
import { parseSessionRequest } from "./session-request";
import { resolveLab } from "./labs";
import { courseRefusal } from "./courses";
import { badRequest, invalid, status, statusResponse, tooManyRequests } from "./status";
import { clientHash, newSessionId, signToken } from "./token";

export const sessions = new Hono<AppEnv>();

const RATE_PERIOD_SECONDS = 60; // wrangler.toml [[ratelimits]] simple.period

/** The creator's address: Cloudflare's CF-Connecting-IP, or one shared bucket on the local dev server. */
const clientAddress = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? "local";

sessions.post("/", async (c) => {
  const origin = new URL(c.req.url).origin;
  const secret = signingSecret(c.env, new URL(c.req.url));
  if (!secret) return notConfigured();
  const client = await clientHash(secret, clientAddress(c));

  const lim = limits(c.env);
  const body = new TextDecoder().decode(await c.req.arrayBuffer());
  const parsed = parseSessionRequest(body, c.req.header("content-type") ?? null, lim, {
    lifetime: c.req.query("lifetime"),
    clock: c.req.query("clock"),
  });
  if (!parsed.ok) return parsed.code === 400 ? badRequest(parsed.message) : invalid(parsed.message, parsed.causes);

  // A retry of a request that already started a session (its answer was lost on the way) gets that
  // session, not a second one: the key is only ever matched for the same address and the same request.
  const key = idempotencyKey(c.req.header("idempotency-key"));
  if (key instanceof Response) return key;
  const requestKey = key === undefined ? undefined : await clientHash(secret, `${client}\u0000${c.req.url}\u0000${key}\u0000${body}`);
  if (requestKey) {
    const earlier = await sessionByRequestKey(c.env.DB, requestKey);
    if (earlier) return replay(c, earlier, secret);
  }

  // A lab brings its own cluster: its nodes, clock and lifetime (within the limits); a clock or
  // lifetime the request names still wins.
  let { nodes, clock, lifetimeMs } = parsed.value;
  const lab = parsed.value.lab === undefined ? undefined : await resolveLab(c, parsed.value.lab);
  if (lab instanceof Response) return lab;
  if (lab) {
    nodes = lab.cluster.nodes;
    if (!c.req.query("clock")) clock = lab.cluster.clock;
    const labLifetime = lab.cluster.lifetime === undefined ? null : parseDuration(lab.cluster.lifetime);
    if (labLifetime !== null && !parsed.value.lifetimeAsked) lifetimeMs = Math.min(labLifetime, lim.maxLifetimeMs);
    if (nodes.length > lim.maxNodes)
      return invalid(`invalid lab: lab.cluster.nodes: Too many: ${nodes.length}: must have at most ${lim.maxNodes} items`, [
        {
          reason: "FieldValueTooMany",
          field: "lab.cluster.nodes",
          message: `Too many: ${nodes.length}: must have at most ${lim.maxNodes} items`,
        },
      ]);
  }

  const now = new Date(Math.floor(Date.now() / 1000) * 1000); // whole seconds, like the token's expiry
  const { course, learner } = parsed.value;
  if (course) {
    // A course's sessions count against the course, not the address the class shares.
    const refusal = await courseRefusal(c.env, course, now);
    if (refusal) return refusal;
  } else {
    const live = await liveSessions(c.env.DB, client, now);
    if (live.length >= lim.maxSessionsPerClient)
      return statusResponse(status(403, "Forbidden", tooManySessions(live, lim.maxSessionsPerClient)));
  }

  // Charged only for requests that would create: a typo in a config or a refusal at the cap costs nothing.
  if (!course && c.env.SESSION_RATE_LIMIT !== "off") {
    const { success } = await c.env.SESSION_RATE_LIMITER.limit({ key: client });
    if (!success) {
      return tooManyRequests("too many sessions created from your address; try again in a minute", RATE_PERIOD_SECONDS);
    }
  }

  const id = newSessionId();
  const expires = new Date(now.getTime() + lifetimeMs);
  const createdAt = now.toISOString();
  const expiresAt = new Date(Math.floor(expires.getTime() / 1000) * 1000).toISOString();
  // Registry first: if the cluster fails to start, the sweep still finds the row and cleans up.
  const labName = typeof parsed.value.lab === "string" ? parsed.value.lab : undefined;
  const row = { id, createdAt, expiresAt, nodes, clientHash: client, course, learner, lab: labName, requestKey };
  if (!(await insertSession(c.env.DB, row))) {
    const earlier = requestKey && (await sessionByRequestKey(c.env.DB, requestKey));
    if (earlier) return replay(c, earlier, secret);
    throw new Error(`session ${id} was not registered`);
  }
  try {
    await clusterStub(c.env, id).init({ id, createdAt, expiresAt, nodes, clock, origin, ...(lab ? { lab } : {}) });
  } catch (e) {
    await endSession(c.env.DB, id, "deleted");
    throw e;
  }
  return created(c, secret, row);
});

async function created(
  c: Context<AppEnv>,
  secret: string,
  s: Pick<SessionRow, "id" | "createdAt" | "expiresAt">,
  headers?: Record<string, string>,
) {
  const origin = new URL(c.req.url).origin;
  const token = await signToken(secret, s.id, new Date(s.expiresAt));
  const { id, createdAt, expiresAt } = s;
  return c.json(
    { id, createdAt, expiresAt, server: serverUrl(origin, id), token, kubeconfig: kubeconfig(origin, id, token) },
    201,
    headers,
  );
}

/** The answer to a request whose key already started a session: that session's, once it has started. */
async function replay(c: Context<AppEnv>, row: SessionRow, secret: string): Promise<Response> {
  const ended = row.state !== "live" ? row.state : row.expiresAt <= new Date().toISOString() ? "expired" : undefined;
  if (ended)
    return statusResponse(
      status(409, "Conflict", `the session ${row.id} this Idempotency-Key started has ended (${ended}); a new session needs a new key`),
    );
  if (!(await clusterStub(c.env, row.id).info()))
    return statusResponse(
      status(409, "Conflict", `session ${row.id}, started by an earlier request with this Idempotency-Key, is still starting; retry`, {
        retryAfterSeconds: 1,
      }),
      { "retry-after": "1" },
    );
  return created(c, secret, row, { "idempotent-replayed": "true" });
}

/** The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header: a string, quoted or not). */
function idempotencyKey(header: string | undefined): string | undefined | Response {
  if (header === undefined) return undefined;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(key) || key.includes('"'))
    return badRequest("invalid Idempotency-Key header: it must be 1 to 255 visible ASCII characters, such as a UUID");
  return key;
}

/** The refusal at the per-address cap: which sessions hold the address's places, how to free one
 *  (only a holder of a session's token can delete it), and when one frees itself. */
function tooManySessions(live: { id: string; expiresAt: string }[], max: number): string {
  const list = live.map((s) => `${s.id} (expires ${s.expiresAt})`).join(", ");
  return (
    `too many live sessions from your address (the limit is ${max}): ${list}; ` +
    `delete one with its token ("kubeplay delete cluster --name ID" where its kubeconfig is, or DELETE /api/sessions/ID), ` +
    `or wait until ${live[0].id} expires at ${live[0].expiresAt}`
  );
}

/** The live sessions created from the caller's address, without their tokens: what holds its places
 *  under the per-address cap ("kubeplay get clusters" shows them beside the ones it has tokens for),
 *  and the limits a new session is created under. */
sessions.get("/", async (c) => {
  const secret = signingSecret(c.env, new URL(c.req.url));
  if (!secret) return notConfigured();
  const origin = new URL(c.req.url).origin;
  const live = await liveSessions(c.env.DB, await clientHash(secret, clientAddress(c)), new Date());
  const lim = limits(c.env);
  return c.json({
    sessions: live.map((s) => ({ ...s, server: serverUrl(origin, s.id) })),
    // What a new session may ask for here (the web console's choices).
    limits: {
      defaultLifetime: formatDuration(lim.lifetimeMs),
      maxLifetime: formatDuration(lim.maxLifetimeMs),
      maxNodes: lim.maxNodes,
      maxSessionsPerClient: lim.maxSessionsPerClient,
    },
  });
});

sessions.get("/:id", async (c) => {
  const id = c.req.param("id");
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  const info = await clusterStub(c.env, id).info();
  const { row } = auth;
  return c.json({
    id,
    state: row.state,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    server: serverUrl(new URL(c.req.url).origin, id),
    nodes: info?.nodes ?? row.nodes,
    ...(info?.machines ? { machines: info.machines } : {}),
    clock: info?.clock,
    objects: info?.objects,
  });
});

sessions.get("/:id/kubeconfig", async (c) => {
  const id = c.req.param("id");
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  return c.body(kubeconfig(new URL(c.req.url).origin, id, auth.token), 200, { "content-type": "application/yaml" });
});

/** Sets the cookie that lets the web console open the cluster's Services and pods through the API
 *  server proxy in a new tab (only there: see authorize). */
sessions.post("/:id/proxy-cookie", async (c) => {
  const id = c.req.param("id");
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  const maxAge = Math.max(0, Math.floor((auth.claims.expiresAt.getTime() - Date.now()) / 1000));
  setCookie(c, proxyCookieName(id), auth.token, { path: `/clusters/${id}/`, secure: true, httpOnly: true, sameSite: "Strict", maxAge });
  return c.body(null, 204);
});

sessions.delete("/:id", async (c) => {
  const id = c.req.param("id");
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  forgetSession(id);
  await endSession(c.env.DB, id, "deleted");
  await clusterStub(c.env, id).destroy("deleted");
  return c.json({ id, state: "deleted", createdAt: auth.row.createdAt, expiresAt: auth.row.expiresAt });
});
