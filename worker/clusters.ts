// /clusters/:id/* — the Kubernetes API of one session, served by its Cluster Durable Object.
import { Hono, type Context } from "hono";
import { SESSION_HEADER } from "../durable/contract";
import { authorize, clusterStub } from "./auth";
import { bearerToken } from "./token";
import { unauthorized } from "./status";
import type { AppEnv } from "./env";

export const clusters = new Hono<AppEnv>();

async function forward(c: Context<AppEnv>): Promise<Response> {
  const id = c.req.param("id")!;
  // The token is checked before the Durable Object is woken: bad tokens cost nothing but a HMAC.
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  const request = new Request(c.req.raw); // same method, URL, headers, body (and WebSocket upgrade)
  request.headers.set(SESSION_HEADER, id);
  return clusterStub(c.env, id).fetch(request);
}

clusters.all("/:id", forward);
clusters.all("/:id/*", forward);

/**
 * Kubernetes paths without the /clusters/<id> prefix (`/api/v1/…`, `/apis/…`, `/version`,
 * `/openapi/…`): `kubectl get --raw /api/v1/…` drops the kubeconfig server's path, so these are
 * served for the session the bearer token names (and verifies, exactly as on the prefixed paths).
 */
export async function forwardByToken(c: Context<AppEnv>): Promise<Response> {
  const id = bearerToken(c.req.raw.headers)?.split(".")[1];
  if (!id) return unauthorized();
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  const url = new URL(c.req.url);
  url.pathname = `/clusters/${id}${url.pathname}`;
  const request = new Request(url, c.req.raw);
  request.headers.set(SESSION_HEADER, id);
  return clusterStub(c.env, id).fetch(request);
}
