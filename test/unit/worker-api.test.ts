// The Worker end to end inside workerd: session API, auth at the edge, limits, the cron sweep.
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import { applyMigrations } from "./d1";

const testEnv = env as unknown as Env;
const ORIGIN = "https://127.0.0.1:8787";

beforeAll(applyMigrations);

interface Created {
  id: string;
  token: string;
  server: string;
  expiresAt: string;
  kubeconfig: string;
}

async function create(body?: string, type = "application/json", query = ""): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/api/sessions${query}`, { method: "POST", body, headers: { "content-type": type } });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the Worker", () => {
  it("answers /healthz", async () => {
    const res = await SELF.fetch(`${ORIGIN}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });

  it("creates a session, serves its info and kubeconfig, routes only its own token, and deletes it", async () => {
    const res = await create(JSON.stringify({ lifetime: "90m", nodes: [{ role: "control-plane" }, { role: "worker" }], clock: "instant" }));
    expect(res.status).toBe(201);
    const s = (await res.json()) as Created;
    expect(s.id).toMatch(/^[a-z2-7]{16}$/);
    expect(s.server).toBe(`${ORIGIN}/clusters/${s.id}`);
    const kc = parse(s.kubeconfig);
    expect(kc["current-context"]).toBe(`kubeplay-${s.id}`);
    expect(kc.clusters[0].cluster["insecure-skip-tls-verify"]).toBe(true);

    const info = await SELF.fetch(`${ORIGIN}/api/sessions/${s.id}`, { headers: bearer(s.token) });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ id: s.id, state: "live", expiresAt: s.expiresAt });
    const yamlRes = await SELF.fetch(`${ORIGIN}/api/sessions/${s.id}/kubeconfig`, { headers: bearer(s.token) });
    expect(yamlRes.headers.get("content-type")).toBe("application/yaml");
    expect(new TextDecoder().decode(await yamlRes.arrayBuffer())).toBe(s.kubeconfig);

    const other = (await (await create()).json()) as Created;
    for (const headers of [{}, bearer(other.token), bearer(`${s.token}x`)]) {
      const r = await SELF.fetch(`${s.server}/api/v1/namespaces`, { headers });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    }
    expect((await SELF.fetch(`${s.server}/api/v1/namespaces`, { headers: bearer(s.token) })).status).not.toBe(401);

    for (const x of [s, other]) {
      expect((await SELF.fetch(`${ORIGIN}/api/sessions/${x.id}`, { method: "DELETE", headers: bearer(x.token) })).status).toBe(200);
    }
    const gone = await SELF.fetch(`${s.server}/api`, { headers: bearer(s.token) });
    expect(gone.status).toBe(401);
    expect(((await gone.json()) as { message: string }).message).toContain("was deleted");
  });

  it("refuses an expired session with the time and how to start a new one", async () => {
    const s = (await (await create("", "application/json", "?lifetime=1s")).json()) as Created;
    await new Promise((r) => setTimeout(r, 1100));
    const res = await SELF.fetch(`${s.server}/api`, { headers: bearer(s.token) });
    expect(res.status).toBe(401);
    const message = ((await res.json()) as { message: string }).message;
    expect(message).toContain(`expired at ${s.expiresAt}`);
    expect(message).toContain("kubeplay create cluster");
  });

  it("answers bad configs with 400/422 Status", async () => {
    const bad = await create("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: master\n", "application/yaml");
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    const malformed = await create("{", "application/json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
  });

  it("limits bodies to 3 MiB", async () => {
    const res = await create("x".repeat(3145729), "application/json");
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      reason: "RequestEntityTooLarge",
      message: "Request entity too large: limit is 3145728",
      code: 413,
    });
  });

  it("sweeps overdue sessions on the cron trigger", async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await testEnv.DB.prepare(
      "INSERT INTO sessions (id, created_at, expires_at, nodes, state, client_hash) VALUES (?, ?, ?, ?, 'live', 'x')",
    )
      .bind("sweepme", past, past, "[]")
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    const row = await testEnv.DB.prepare("SELECT state FROM sessions WHERE id = ?").bind("sweepme").first<{ state: string }>();
    expect(row?.state).toBe("expired");
  });
});
