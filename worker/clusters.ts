// /clusters/:id/* — the Kubernetes API of one session, served by its Cluster Durable Object.
import { Hono, type Context } from "hono";
import { SESSION_HEADER } from "../durable/contract";
import { MAX_REQUEST_BYTES } from "../durable/api/limits";
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
  return clusterStub(c.env, id).fetch(await toCluster(c.req.raw, c.req.url, id));
}

/**
 * The request as the cluster gets it: same method, headers, body (and WebSocket upgrade), with the
 * session named. A body of declared length within the API server's limit is read here first: a
 * cluster that answers without reading it (a 415, a 403) would otherwise leave the client's
 * connection waiting for it to be drained, and the client's next request stalls behind it.
 */
async function toCluster(raw: Request, url: string, id: string): Promise<Request> {
  const length = Number(raw.headers.get("content-length") ?? Number.NaN);
  const body = raw.body && length <= MAX_REQUEST_BYTES ? await raw.arrayBuffer() : raw.body;
  const request = new Request(url, { method: raw.method, headers: raw.headers, body, redirect: "manual" });
  request.headers.set(SESSION_HEADER, id);
  return request;
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
  return clusterStub(c.env, id).fetch(await toCluster(c.req.raw, url.toString(), id));
}
