// /clusters/:id/* — the Kubernetes API of one session, served by its Cluster Durable Object.
import { Hono, type Context } from "hono";
import { SESSION_HEADER } from "../durable/contract";
import { authorize, clusterStub } from "./auth";
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
