// /api/sessions/:id/nodes: add, stop, start and remove nodes of a session's cluster (like adding or
// removing an instance in play-with-k8s, or `kubeadm join`; `"joined": false` adds a machine that
// waits for `kubeadm join` in its shell). Same bearer token as the session.
import { Hono, type Context } from "hono";
import { authorize, clusterStub } from "./auth";
import type { AppEnv } from "./env";
import { badRequest, invalid } from "./status";
import type { NodeRole } from "../durable/contract";
import type { NodeAction } from "../durable/nodes/lifecycle";

export const nodes = new Hono<AppEnv>();

const ROLES: NodeRole[] = ["control-plane", "worker"];

async function act(c: Context<AppEnv>, action: NodeAction): Promise<Response> {
  const id = c.req.param("id")!;
  const auth = await authorize(c, id);
  if (auth instanceof Response) return auth;
  const { code, body } = await clusterStub(c.env, id).node(action);
  return c.json(body as object, code as 200);
}

nodes.post("/:id/nodes", async (c) => {
  let body: { role?: unknown; joined?: unknown } = {};
  const text = await c.req.text();
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      return badRequest(`invalid JSON body: ${(e as Error).message}`);
    }
  }
  const role = body?.role ?? "worker";
  if (!ROLES.includes(role as NodeRole))
    return invalid(`role: Unsupported value: ${JSON.stringify(role)}: supported values: "control-plane", "worker"`, [
      {
        reason: "FieldValueNotSupported",
        field: "role",
        message: `Unsupported value: ${JSON.stringify(role)}: supported values: "control-plane", "worker"`,
      },
    ]);
  const joined = body?.joined ?? true;
  if (typeof joined !== "boolean")
    return invalid(`joined: Invalid value: ${JSON.stringify(joined)}: must be true or false`, [
      { reason: "FieldValueInvalid", field: "joined", message: `Invalid value: ${JSON.stringify(joined)}: must be true or false` },
    ]);
  return act(c, { action: "add", role: role as NodeRole, joined });
});

nodes.post("/:id/nodes/:name/stop", (c) => act(c, { action: "stop", name: c.req.param("name") }));
nodes.post("/:id/nodes/:name/start", (c) => act(c, { action: "start", name: c.req.param("name") }));
nodes.delete("/:id/nodes/:name", (c) => act(c, { action: "remove", name: c.req.param("name") }));
