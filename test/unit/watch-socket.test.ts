// Watches over WebSockets: the API server's framing (one JSON event a text message), selectors as
// on a streamed watch, and a watch socket taken back after the Durable Object hibernated.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Store } from "../../durable/store/store";
import { Registry } from "../../durable/api/registry";
import { ApiServer } from "../../durable/api/server";
import { WatchHub, type SocketHost, type SocketWatch } from "../../durable/api/watch";
import { byPlural } from "../../durable/resources";
import type { Obj } from "../../durable/resources/types";

const TOKEN_PROTOCOL = "base64url.bearer.authorization.k8s.io.dG9rZW4";

/** A socket as the hub sees it: what was sent, and whether it was closed. */
class FakeSocket {
  sent: Obj[] = [];
  closed?: number;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code: number) {
    this.closed = code;
  }
}

function inCluster<T>(fn: (c: { store: Store; registry: Registry; storage: DurableObjectStorage }) => Promise<T>): Promise<T> {
  const ns = (env as unknown as { CLUSTER: DurableObjectNamespace }).CLUSTER;
  return runInDurableObject(ns.get(ns.newUniqueId()), async (_i, state) => {
    const store = new Store(state.storage.sql);
    const registry = new Registry({ store, now: () => Date.parse("2025-05-01T12:00:00Z"), maxObjects: 10_000 });
    registry.create(byPlural("namespaces")!, undefined, { metadata: { name: "default" } });
    return fn({ store, registry, storage: state.storage });
  });
}

/** A hub and API server over `store` whose sockets are `host`'s. */
function serve(c: { store: Store; registry: Registry; storage: DurableObjectStorage }, host: SocketHost) {
  const hub = new WatchHub(c.store, () => c.registry.ctx(), host);
  const api = new ApiServer(c.registry, hub, (f) => c.store.transaction(c.storage, f));
  return { hub, api };
}

const configMap = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, namespace: "default", labels },
  data: { k: "v" },
});
const events = (s: FakeSocket) => s.sent.map((e) => `${e.type} ${e.object.metadata.name}`);
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("watch over a WebSocket", () => {
  it("answers 101 with the client's non-token subprotocol and sends one JSON event a message", () =>
    inCluster(async (c) => {
      c.registry.create(byPlural("configmaps")!, "default", configMap("before"));
      const accepted: { ws: WebSocket; watch: SocketWatch }[] = [];
      const host: SocketHost = {
        accept: (ws, watch) => {
          ws.accept();
          accepted.push({ ws, watch });
        },
        sockets: () => accepted,
      };
      const { api } = serve(c, host);
      const url = "https://k8s.test/clusters/abc/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dweb";
      const res = await api.handle(
        new Request(url, { headers: { upgrade: "websocket", "sec-websocket-protocol": `${TOKEN_PROTOCOL}, base64.binary.k8s.io` } }),
        "/api/v1/namespaces/default/configmaps",
        "/clusters/abc",
      );
      expect(res.status).toBe(101);
      expect(res.headers.get("sec-websocket-protocol")).toBe("base64.binary.k8s.io");
      expect(accepted[0].watch).toEqual({ url, accept: null });
      const client = res.webSocket!;
      client.accept();
      const got: string[] = [];
      client.addEventListener("message", (m) => {
        const e = JSON.parse(m.data as string);
        got.push(`${e.type} ${e.object.kind} ${e.object.metadata.name}`);
      });
      c.registry.create(byPlural("configmaps")!, "default", configMap("web", { app: "web" }));
      c.registry.create(byPlural("configmaps")!, "default", configMap("other", { app: "db" }));
      await settle();
      expect(got).toEqual(["ADDED ConfigMap web"]);
    }));

  it("is taken back after hibernation from what the socket kept, follows commits and stops when the client closes", () =>
    inCluster(async (c) => {
      const socket = new FakeSocket();
      const ws = socket as unknown as WebSocket;
      const kept: SocketWatch = { url: "https://k8s.test/clusters/abc/api/v1/namespaces/default/configmaps?watch=true", accept: null };
      // A fresh object (as after a wake-up) finds the socket that hibernated.
      const { hub, api } = serve(c, { accept: () => {}, sockets: () => [{ ws, watch: kept }] });
      hub.restoreSockets((w) => api.socketWatch(w));
      c.registry.create(byPlural("configmaps")!, "default", configMap("after-wake"));
      c.registry.delete(byPlural("configmaps")!, "default", "after-wake");
      await settle();
      expect(events(socket)).toEqual(["ADDED after-wake", "DELETED after-wake"]);
      hub.socketClosed(ws);
      expect(socket.closed).toBe(1000);
      c.registry.create(byPlural("configmaps")!, "default", configMap("later"));
      await settle();
      expect(events(socket)).toHaveLength(2);
    }));

  it("closes a kept socket whose watch no longer parses", () =>
    inCluster(async (c) => {
      const socket = new FakeSocket();
      const { hub, api } = serve(c, {
        accept: () => {},
        sockets: () => [
          { ws: socket as unknown as WebSocket, watch: { url: "https://k8s.test/api/v1/nosuchthings?watch=1", accept: null } },
        ],
      });
      hub.restoreSockets((w) => api.socketWatch(w));
      expect(socket.closed).toBe(1000);
      expect(hub.size).toBe(0);
    }));
});
