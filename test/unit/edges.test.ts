// The edges of a session through the Worker: malformed requests are 400s, the end of a session ends
// its streams cleanly and is recorded at once, and the creation limits are charged fairly.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env";
import { applyMigrations } from "./d1";
import { messageBytes } from "../../durable/nodes/streams/channel";
import { SpdyFramer, type Frame } from "../../durable/nodes/streams/spdy";

const testEnv = env as unknown as Env;
const ORIGIN = "https://127.0.0.1:8787";

beforeAll(applyMigrations);

interface Created {
  id: string;
  token: string;
  server: string;
  expiresAt: string;
}

/** POST /api/sessions from one address (each test has its own, so limits do not leak between tests). */
const create = (address: string, query = "?clock=instant") =>
  SELF.fetch(`${ORIGIN}/api/sessions${query}`, { method: "POST", headers: { "cf-connecting-ip": address } });
const session = async (address: string, query?: string) => {
  const res = await create(address, query);
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const stubOf = (id: string) => testEnv.CLUSTER.get(testEnv.CLUSTER.idFromName(id));
const rowState = async (id: string) =>
  (await testEnv.DB.prepare("SELECT state FROM sessions WHERE id = ?").bind(id).first<{ state: string }>())?.state;

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A client end of a WebSocket upgrade, with everything it receives and how it closed. */
async function openSocket(url: string, token: string, protocol: string) {
  const res = await SELF.fetch(url, { headers: { ...bearer(token), upgrade: "websocket", "sec-websocket-protocol": protocol } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: Uint8Array[] = [];
  let closed: { code: number } | undefined;
  ws.addEventListener("message", (e) => void messageBytes(e.data).then((b) => messages.push(b)));
  ws.addEventListener("close", (e) => {
    closed = { code: e.code };
    ws.close(); // answer the close handshake
  });
  ws.accept();
  return { ws, messages, closed: () => closed };
}

/** Move the session's expiry into the past and run the Durable Object's alarm, as it runs at expiry. */
async function expire(id: string): Promise<void> {
  const stub = stubOf(id);
  await runInDurableObject(stub, (instance) => {
    const c = instance as unknown as { session(): object; saveSession(meta: object): void };
    c.saveSession({ ...c.session(), expiresAt: new Date(Date.now() - 1000).toISOString() });
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

async function runningPod(s: Created): Promise<void> {
  const pods = `${s.server}/api/v1/namespaces/default/pods`;
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web" },
    spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }] }] },
  };
  const res = await SELF.fetch(pods, {
    method: "POST",
    headers: { ...bearer(s.token), "content-type": "application/json" },
    body: JSON.stringify(pod),
  });
  expect(res.status).toBe(201);
  await until(async () => {
    const p = (await (await SELF.fetch(`${pods}/web`, { headers: bearer(s.token) })).json()) as { status?: { phase?: string } };
    return p.status?.phase === "Running" ? true : undefined;
  }, "the pod to run");
}

describe("malformed requests", () => {
  it("answers a malformed percent-escape in a path with a 400 Status, prefixed or routed by token", async () => {
    const s = await session("192.0.2.1");
    for (const base of [s.server, ORIGIN]) {
      for (const [escape, message] of [
        ["%zz", 'invalid URL escape "%zz"'],
        ["%ff", 'invalid URL escape "%ff": not UTF-8'],
      ]) {
        const res = await SELF.fetch(`${base}/api/v1/namespaces/${escape}/pods`, { headers: bearer(s.token) });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message,
          reason: "BadRequest",
          code: 400,
        });
      }
    }
  });

  it("answers malformed field and label selectors with a 400 Status and the apiserver's words", async () => {
    const s = await session("192.0.2.2");
    const list = (q: string) => SELF.fetch(`${s.server}/api/v1/namespaces/default/pods?${q}`, { headers: bearer(s.token) });
    for (const [q, message] of [
      [`fieldSelector=${encodeURIComponent("metadata.name===")}`, "invalid field selector: unescaped character in value: 61"],
      [`labelSelector=${encodeURIComponent("a in (")}`, "unable to parse requirement: found '', expected: ',', ')' or identifier"],
      [`labelSelector=${encodeURIComponent("!!")}`, "unable to parse requirement: found '!', expected: identifier"],
    ]) {
      const res = await list(q);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400, message });
    }
  });
});

describe("malformed escapes on the Worker's own routes", () => {
  it("never answers 500", async () => {
    const s = await session("192.0.2.8");
    for (const path of [
      "/api/sessions/%zz",
      "/api/sessions/%ff/kubeconfig",
      "/api/sessions/%zz/nodes/%ff",
      "/clusters/%zz/api",
      "/clusters/%ff",
      "/apis/%zz",
      "/openapi/v3/%ff",
      "/%zz",
      "/api/sessions/%zz/terminal",
    ]) {
      for (const method of ["GET", "DELETE", "POST"]) {
        const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers: bearer(s.token) });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });
});

describe("the end of a session", () => {
  it("marks the registry row expired when the cluster's alarm wipes it", async () => {
    const s = await session("192.0.2.3", "?lifetime=1s");
    expect(await rowState(s.id)).toBe("live");
    await new Promise((r) => setTimeout(r, 1100));
    await runDurableObjectAlarm(stubOf(s.id)); // false if the alarm has already run by itself
    expect(await rowState(s.id)).toBe("expired");
  });

  it("ends an open exec stream with a Status on the error channel, then a normal close", async () => {
    const s = await session("192.0.2.4");
    await runningPod(s);
    const exec = await openSocket(
      `${s.server}/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true`,
      s.token,
      "v5.channel.k8s.io",
    );
    await until(async () => (exec.messages.length ? true : undefined), "the shell's prompt");
    await expire(s.id);
    const closed = await until(async () => exec.closed(), "the exec stream to close");
    expect(closed.code).toBe(1000);
    const error = exec.messages.find((m) => m[0] === 3)!;
    const status = JSON.parse(new TextDecoder().decode(error.subarray(1)));
    expect(status).toMatchObject({ status: "Failure", reason: "Expired", code: 410 });
    expect(status.message).toMatch(
      /expired at .*; its cluster and data are gone\. Start a new one with `kubeplay create cluster` or POST \/api\/sessions$/,
    );
    expect(await rowState(s.id)).toBe("expired");
  });

  it("ends an open port-forward with the reason on each error stream, GOAWAY and a normal close", async () => {
    const s = await session("192.0.2.5");
    await runningPod(s);
    const pf = await openSocket(`${s.server}/api/v1/namespaces/default/pods/web/portforward`, s.token, "SPDY/3.1+portforward.k8s.io");
    const client = new SpdyFramer();
    pf.ws.send(client.synStream(1, { streamtype: ["error"], port: ["80"], requestid: ["0"] }));
    pf.ws.send(client.synStream(3, { streamtype: ["data"], port: ["80"], requestid: ["0"] }));
    const reader = new SpdyFramer();
    const frames: Frame[] = [];
    await until(async () => {
      for (const m of pf.messages.splice(0)) frames.push(...reader.push(m));
      return frames.filter((f) => f.type === "syn_reply").length === 2 ? true : undefined;
    }, "both streams to be accepted");
    await expire(s.id);
    const closed = await until(async () => pf.closed(), "the port-forward to close");
    expect(closed.code).toBe(1000);
    for (const m of pf.messages.splice(0)) frames.push(...reader.push(m));
    const onError = frames.find((f): f is Extract<Frame, { type: "data" }> => f.type === "data" && f.streamId === 1 && f.data.length > 0)!;
    expect(new TextDecoder().decode(onError.data)).toMatch(new RegExp(`^kubeplay session ${s.id} expired at .*kubeplay create cluster`));
    expect(frames.some((f) => f.type === "goaway")).toBe(true);
  });

  it("tells an exec stream its session was deleted", async () => {
    const s = await session("192.0.2.6");
    await runningPod(s);
    const exec = await openSocket(
      `${s.server}/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true`,
      s.token,
      "v4.channel.k8s.io",
    );
    await until(async () => (exec.messages.length ? true : undefined), "the shell's prompt");
    expect((await SELF.fetch(`${ORIGIN}/api/sessions/${s.id}`, { method: "DELETE", headers: bearer(s.token) })).status).toBe(200);
    expect((await until(async () => exec.closed(), "the exec stream to close")).code).toBe(1000);
    const status = JSON.parse(new TextDecoder().decode(exec.messages.find((m) => m[0] === 3)!.subarray(1)));
    expect(status).toMatchObject({
      status: "Failure",
      reason: "Gone",
      code: 410,
      message: `kubeplay session ${s.id} was deleted; its cluster and data are gone. Start a new one with \`kubeplay create cluster\` or POST /api/sessions`,
    });
    expect(await rowState(s.id)).toBe("deleted");
  });
});

describe("creation limits", () => {
  it("does not charge the creation rate limit for a creation refused at the live-session cap", async () => {
    const address = "192.0.2.7";
    const live: Created[] = [];
    for (let i = 0; i < 5; i++) live.push(await session(address)); // MAX_SESSIONS_PER_CLIENT
    // Six refusals at the cap: had they been charged, the limiter (10 a minute) would be spent by now.
    for (let i = 0; i < 6; i++) {
      const res = await create(address);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ reason: "Forbidden", message: expect.stringContaining("too many live sessions") });
    }
    expect((await SELF.fetch(`${ORIGIN}/api/sessions/${live[0].id}`, { method: "DELETE", headers: bearer(live[0].token) })).status).toBe(
      200,
    );
    expect((await create(address)).status).toBe(201);
  });
});
