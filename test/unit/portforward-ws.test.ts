// Port-forward in WebSocket channels (v4.channel.k8s.io), as the client libraries speak it, and
// the flags of exec and logs spelt the way those libraries spell them.
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env";
import { applyMigrations } from "./d1";
import { messageBytes } from "../../durable/nodes/streams/channel";
import { WebSocketPortForward, channelMessage, forwardedPorts, readChannelMessage } from "../../durable/nodes/streams/portforward-ws";
import type { Obj } from "../../durable/resources/types";

const testEnv = env as unknown as Env;
const ORIGIN = "https://127.0.0.1:8787";
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

beforeAll(applyMigrations);

describe("the channels of a WebSocket port-forward", () => {
  const pod: Obj = { metadata: { name: "web", uid: "0123456789abcdef0123456789abcdef0123" } };
  const http = (_p: Obj, port: number, req: { path: string }) =>
    port === 80
      ? { kind: "http" as const, status: 200, headers: { "Content-Type": "text/plain" }, body: `you asked for ${req.path}` }
      : { refused: true as const };

  it("opens every channel with its port, little-endian, then carries the connection's bytes", () => {
    const sent: (Uint8Array | string)[] = [];
    let closed = 0;
    const f = new WebSocketPortForward(
      (m) => sent.push(m),
      () => closed++,
      pod,
      [80, 8080],
      http as never,
      false,
    );
    f.start();
    expect(sent.map((m) => [...(m as Uint8Array)])).toEqual([
      [0, 80, 0],
      [1, 80, 0],
      [2, 0x90, 0x1f],
      [3, 0x90, 0x1f],
    ]);
    sent.length = 0;
    f.receive(channelMessage(0, enc("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), false) as Uint8Array);
    const reply = readChannelMessage(sent[0] as Uint8Array, false)!;
    expect(reply.channel).toBe(0);
    expect(dec(reply.data)).toBe("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\nyou asked for /x");
    expect(closed).toBe(0); // port 8080 is still open
    f.receive(channelMessage(2, enc("GET / HTTP/1.1\r\n\r\n"), false) as Uint8Array);
    const error = readChannelMessage(sent[1] as Uint8Array, false)!;
    expect(error.channel).toBe(3);
    expect(dec(error.data)).toMatch(
      /^error forwarding port 8080 to pod 0123456789abcdef0123456789abcdef0123, uid : .*connect: connection refused/,
    );
    expect(closed).toBe(1);
  });

  it("speaks base64 text messages under v4.base64.channel.k8s.io", () => {
    const sent: (Uint8Array | string)[] = [];
    const f = new WebSocketPortForward(
      (m) => sent.push(m),
      () => {},
      pod,
      [80],
      http as never,
      true,
    );
    f.start();
    expect(sent).toEqual(["0UAA=", "1UAA="]);
    f.receive(enc(channelMessage(0, enc("GET /b HTTP/1.1\r\n\r\n"), true) as string));
    expect(dec(readChannelMessage(enc(sent[2] as string), true)!.data)).toMatch(/you asked for \/b$/);
  });

  it("reads the ports as the kubelet's NewV4Options does", () => {
    expect(forwardedPorts(new URLSearchParams("ports=80,8080&ports=9000"))).toEqual([80, 8080, 9000]);
    expect(forwardedPorts(new URLSearchParams(""))).toEqual({ error: 'query parameter "port" is required' });
    expect(forwardedPorts(new URLSearchParams("ports=http"))).toEqual({
      error: 'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax',
    });
    expect(forwardedPorts(new URLSearchParams("ports=0"))).toEqual({ error: 'port "0" must be > 0' });
  });
});

describe("through the API server", () => {
  interface Created {
    id: string;
    token: string;
    server: string;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const stubOf = (id: string) => testEnv.CLUSTER.get(testEnv.CLUSTER.idFromName(id));

  async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function clusterWithNginx(address: string): Promise<Created> {
    const s = (await (
      await SELF.fetch(`${ORIGIN}/api/sessions?clock=instant`, { method: "POST", headers: { "cf-connecting-ip": address } })
    ).json()) as Created;
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }] }] },
    };
    const res = await SELF.fetch(`${s.server}/api/v1/namespaces/default/pods`, {
      method: "POST",
      headers: { ...bearer(s.token), "content-type": "application/json" },
      body: JSON.stringify(pod),
    });
    expect(res.status).toBe(201);
    await until(async () => {
      await runDurableObjectAlarm(stubOf(s.id));
      const p = (await (await SELF.fetch(`${s.server}/api/v1/namespaces/default/pods/web`, { headers: bearer(s.token) })).json()) as Obj;
      return p.status?.phase === "Running" ? true : undefined;
    }, "the pod to run");
    return s;
  }

  async function open(url: string, token: string, protocol: string) {
    const res = await SELF.fetch(url, { headers: { ...bearer(token), upgrade: "websocket", "sec-websocket-protocol": protocol } });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe(protocol);
    const ws = res.webSocket!;
    const messages: Uint8Array[] = [];
    let closed: number | undefined;
    ws.addEventListener("message", (e) => void messageBytes(e.data).then((b) => messages.push(b)));
    ws.addEventListener("close", (e) => {
      closed = e.code;
      ws.close();
    });
    ws.accept();
    return { ws, messages, closed: () => closed };
  }

  it("forwards an HTTP request to nginx in v4.channel.k8s.io channels and closes when it is done", async () => {
    const s = await clusterWithNginx("198.51.100.31");
    const pf = await open(`${s.server}/api/v1/namespaces/default/pods/web/portforward?ports=80`, s.token, "v4.channel.k8s.io");
    await until(async () => (pf.messages.length >= 2 ? true : undefined), "the port announcements");
    expect(pf.messages.slice(0, 2).map((m) => [...m])).toEqual([
      [0, 80, 0],
      [1, 80, 0],
    ]);
    pf.ws.send(channelMessage(0, enc("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), false) as Uint8Array);
    const code = await until(async () => pf.closed(), "the socket to close");
    expect(code).toBe(1000);
    const data = pf.messages
      .slice(2)
      .filter((m) => m[0] === 0)
      .map((m) => dec(m.subarray(1)))
      .join("");
    expect(data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(data).toContain("<title>Welcome to nginx!</title>");
  });

  it("answers 400 with the kubelet's words when no port is given", async () => {
    const s = await clusterWithNginx("198.51.100.32");
    const res = await SELF.fetch(`${s.server}/api/v1/namespaces/default/pods/web/portforward`, {
      headers: { ...bearer(s.token), upgrade: "websocket", "sec-websocket-protocol": "v4.channel.k8s.io" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('query parameter "port" is required\n');
  });

  it("runs exec with stdout=True and reads logs with timestamps=True", async () => {
    const s = await clusterWithNginx("198.51.100.33");
    const exec = await open(
      `${s.server}/api/v1/namespaces/default/pods/web/exec?command=echo&command=hello&stdout=True&stderr=True&stdin=False&tty=False`,
      s.token,
      "v4.channel.k8s.io",
    );
    await until(async () => exec.closed(), "the exec to end");
    expect(
      exec.messages
        .filter((m) => m[0] === 1)
        .map((m) => dec(m.subarray(1)))
        .join(""),
    ).toBe("hello\n");
    expect(dec(exec.messages.find((m) => m[0] === 3)!.subarray(1))).toBe('{"metadata":{},"status":"Success"}');
    const logs = await (
      await SELF.fetch(`${s.server}/api/v1/namespaces/default/pods/web/log?timestamps=True`, { headers: bearer(s.token) })
    ).text();
    expect(logs.split("\n")[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
  });
});

describe("paced WebSocket messages", () => {
  it("sends one message at a time, a few milliseconds apart, merging what queues on one channel", async () => {
    const { PacedSender, PACE_MS } = await import("../../durable/nodes/streams/paced");
    const sent: { at: number; bytes: number[] }[] = [];
    const start = Date.now();
    const p = new PacedSender({ send: (m: Uint8Array) => void sent.push({ at: Date.now() - start, bytes: [...m] }) });
    p.frame(new Uint8Array([1, 97]));
    p.frame(new Uint8Array([1, 98]));
    p.frame(new Uint8Array([1, 99]));
    p.frame(new Uint8Array([2, 100]));
    let closedAt = -1;
    p.run(() => void (closedAt = sent.length));
    expect(sent.map((s) => s.bytes)).toEqual([[1, 97]]); // the first goes at once
    await new Promise((r) => setTimeout(r, 10 * PACE_MS));
    expect(sent.map((s) => s.bytes)).toEqual([
      [1, 97],
      [1, 98, 99],
      [2, 100],
    ]);
    expect(closedAt).toBe(3);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(PACE_MS - 1);
  });
});
