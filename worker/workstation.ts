// /api/sessions/:id/terminal and /api/sessions/:id/run: the session's workstation (docs/terminal.md),
// served by its Cluster Durable Object; the token is checked here first.
import { Hono, type Context } from "hono";
import { clusterStub, sessionAuth } from "./auth";
import type { AppEnv } from "./env";
import { SESSION_HEADER } from "../durable/contract";

export const workstation = new Hono<AppEnv>();

workstation.use("/:id/terminal", sessionAuth);
workstation.use("/:id/run", sessionAuth);

/** The request as the cluster takes it: its workstation path, the session named. */
function forward(c: Context<AppEnv>, what: "terminal" | "run"): Promise<Response> {
  const id = c.req.param("id")!;
  const url = new URL(c.req.url);
  url.pathname = `/workstation/${id}/${what}`;
  url.search = "";
  const request = new Request(url, c.req.raw);
  request.headers.set(SESSION_HEADER, id);
  return clusterStub(c.env, id).fetch(request);
}

workstation.get("/:id/terminal", (c) => forward(c, "terminal"));
workstation.post("/:id/run", (c) => forward(c, "run"));
