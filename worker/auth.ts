// Session authentication at the edge: token signature first (no storage, no Durable Object), then the
// registry for sessions that ended early or expired.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { signingSecret, type AppEnv, type Env } from "./env";
import { endSession, getSession, type SessionRow } from "./registry";
import { status, statusResponse, unauthorized } from "./status";
import { bearerToken, verifyToken, type TokenClaims } from "./token";

const HOW_TO_RENEW = 'start a new one with "kubeplay create cluster" or POST /api/sessions';

export const notConfigured = () =>
  statusResponse(
    status(503, "ServiceUnavailable", "kubeplay is not configured: set the KUBEPLAY_SECRET secret (wrangler secret put KUBEPLAY_SECRET)"),
  );

export const sessionExpired = (id: string, at: string | Date) =>
  statusResponse(
    status(
      401,
      "Unauthorized",
      `the kubeplay session "${id}" expired at ${new Date(at).toISOString()}; its cluster is gone, ${HOW_TO_RENEW}`,
    ),
  );

export const sessionDeleted = (id: string) =>
  statusResponse(status(401, "Unauthorized", `the kubeplay session "${id}" was deleted; its cluster is gone, ${HOW_TO_RENEW}`));

export const clusterStub = (env: Env, id: string) => env.CLUSTER.get(env.CLUSTER.idFromName(id));

/** Marks a session expired and wipes its cluster; safe to repeat (the sweep and lazy checks both call it). */
export async function expireSession(env: Env, id: string): Promise<void> {
  // Only the call that moves the row out of "live" wakes the cluster; its own alarm is the backstop.
  forgetSession(id);
  if (await endSession(env.DB, id, "expired")) await clusterStub(env, id).destroy("expired");
}

// Live registry rows seen recently, so the hot path (every kubectl call) skips a D1 round trip. A delete
// through this isolate evicts at once; elsewhere a deleted session stays "live" here for at most LIVE_TTL_MS,
// during which its cluster is already wiped (the Durable Object refuses requests it has no session for).
const LIVE_TTL_MS = 30_000;
const liveRows = new Map<string, { row: SessionRow; until: number }>();

async function registryRow(env: Env, id: string, now: number): Promise<SessionRow | undefined> {
  const hit = liveRows.get(id);
  if (hit && hit.until > now) return hit.row;
  const row = await getSession(env.DB, id);
  if (liveRows.size > 10_000) liveRows.clear();
  if (row?.state === "live") liveRows.set(id, { row, until: Math.min(now + LIVE_TTL_MS, Date.parse(row.expiresAt)) });
  else liveRows.delete(id);
  return row;
}

export const forgetSession = (id: string) => liveRows.delete(id);

export interface Authorized {
  claims: TokenClaims;
  row: SessionRow;
  token: string;
}

/** The cookie that carries a session's token to its API server proxy (see proxyCookieToken). */
export const proxyCookieName = (id: string) => `kubeplay-proxy-${id}`;

const PROXY_PATH = /^\/clusters\/[a-z2-7]+\/api\/v1\/namespaces\/[^/]+\/(?:services|pods)\/[^/]+\/proxy(?:\/|$)/;

/**
 * The token of the proxy cookie, for a GET or HEAD through the API server proxy only: a tab the web
 * console opens on a Service or pod port cannot send an Authorization header. The cookie is
 * SameSite=Strict, so another site cannot make the browser send it.
 */
function proxyCookieToken(c: Context<AppEnv>, id: string): string | undefined {
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return undefined;
  if (!PROXY_PATH.test(new URL(c.req.url).pathname)) return undefined;
  return getCookie(c, proxyCookieName(id));
}

/** Authorizes the request for session `id`, or returns the 401/503 Status response to send. */
export async function authorize(c: Context<AppEnv>, id: string): Promise<Authorized | Response> {
  const token = bearerToken(c.req.raw.headers) ?? proxyCookieToken(c, id);
  if (!token) return unauthorized();
  const secret = signingSecret(c.env, new URL(c.req.url));
  if (!secret) return notConfigured();
  const claims = await verifyToken(secret, token);
  if (!claims || claims.id !== id) return unauthorized();

  const now = Date.now();
  if (claims.expiresAt.getTime() <= now) {
    // The cluster's alarm normally wiped it already; make sure, without delaying the answer.
    c.executionCtx.waitUntil(expireSession(c.env, id).catch(() => {}));
    return sessionExpired(id, claims.expiresAt);
  }
  const row = await registryRow(c.env, id, now);
  if (!row) return unauthorized();
  if (row.state === "deleted") return sessionDeleted(id);
  if (row.state === "expired") return sessionExpired(id, row.expiresAt);
  return { claims, row, token };
}

/** Middleware for /api/sessions/:id/…: the session's token, checked before any handler runs. */
export const sessionAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = await authorize(c, c.req.param("id") ?? "");
  if (auth instanceof Response) return auth;
  c.set("auth", auth);
  await next();
};
