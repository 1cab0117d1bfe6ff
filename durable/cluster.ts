// The Cluster Durable Object: one simulated Kubernetes cluster per session. It owns the cluster's
// SQLite store, serves the Kubernetes API, and wipes itself when the session's lifetime ends.
import { DurableObject } from "cloudflare:workers";
import type { CheckResult, LabView, NodeRole, SessionInfo, SessionInit } from "./contract";
import { ApiServer } from "./api/server";
import { Registry, rfc3339 } from "./api/registry";
import { ApiError, statusResponse } from "./api/status";
import { WatchHub, type SocketHost, type SocketWatch } from "./api/watch";
import { RequestBudget, TOO_MANY_REQUESTS, isLongRunning, tooManyRequests } from "./api/fairness";
import { byPlural } from "./resources";
import { Op, Store } from "./store/store";
import { STANDARD_NAMESPACES, kubernetesService, nodeNames } from "./bootstrap";
import { bootstrapKubeSystem } from "./kubesystem";
import { bootstrapLocalPath } from "./localpathstorage";
import { bootstrapPolicy } from "./rbacpolicy";
import { bootstrapIngressNginx } from "./ingressnginx";
import { Client } from "./controllers/client";
import { EventRecorder } from "./controllers/events";
import { controllers } from "./controllers";
import { ControllerRuntime } from "./controllers/runtime";
import { Clock } from "./nodes/clock";
import { metricsSource } from "./nodes/metrics";
import { nodeAction, registerNode, type Machine, type NodeAction } from "./nodes/lifecycle";
import { podSubresources } from "./nodes/subresources";
import { serviceAccountSubresources } from "./api/tokenrequest";
import { ServiceAccountTokens, SIGNING_KEY_META, attachTokens, generateSigningKey, tokensOf } from "./api/tokens";
import { trafficSubresources } from "./nodes/traffic";
import { LogStore } from "./nodes/logs";
import { FileStore, attachFiles } from "./nodes/runtime/files";
import { endStreams, streamSubresources, type EndStatus } from "./nodes/streams";
import { ContainerStdio } from "./nodes/stdio";
import { KUBELET } from "./nodes/kubelet";
import { keyOf } from "./controllers/types";
import { Workstation } from "./workstation";
import { warningsOf, type ApiInit, type ApiReply } from "./workstation/kubectl/client";
import { TerminalSockets } from "./workstation/terminal";
import { findResults, JSONPath } from "./workstation/kubectl/jsonpath";
import { RUN_LIMIT_MS } from "./workstation/run";
import { checkStep, labView, reachNextStep, runSetup, type LabState, type Run } from "./lab";
import type { Lab } from "../labs/format";

export interface ClusterEnv {
  MAX_OBJECTS_PER_CLUSTER?: string;
  /** The session registry (the Worker's D1 binding): an expiry the alarm carries out is recorded there. */
  DB?: D1Database;
}

interface SessionMeta {
  id: string;
  createdAt: string;
  expiresAt: string;
  nodes: { name: string; role: NodeRole }[];
  /** Machines added to the session that wait for `kubeadm join`. */
  machines?: Machine[];
  clock: "realistic" | "instant";
  origin: string;
}

const WATCH_TAG = "watch";

export class Cluster extends DurableObject<ClusterEnv> {
  private store!: Store;
  private registry!: Registry;
  private hub!: WatchHub;
  private api!: ApiServer;
  private runtime!: ControllerRuntime;
  private workstation!: Workstation;
  private readonly terminals = new TerminalSockets(this.ctx, () => this.workstation);
  /** While the cluster boots, the clock is instant: kube-system is up before the first request. */
  private booting = false;

  constructor(ctx: DurableObjectState, env: ClusterEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.open());
  }

  private open(): void {
    this.sessionCache = undefined;
    this.store = new Store(this.ctx.storage.sql);
    this.registry = new Registry({
      store: this.store,
      now: () => Date.now(),
      maxObjects: Number(this.env.MAX_OBJECTS_PER_CLUSTER ?? 20000),
      jsonPath: { find: findResults, print: (v) => new JSONPath("column", "").printResults([v]) },
    });
    this.loadTokens();
    this.hub = new WatchHub(this.store, () => this.registry.ctx(), this.watchSockets);
    const transaction = <T>(fn: () => T): T => this.store.transaction(this.ctx.storage, fn);
    this.api = new ApiServer(this.registry, this.hub, transaction);
    this.hub.restoreSockets((watch) => this.api.socketWatch(watch));
    for (const [path, handler] of Object.entries({
      ...podSubresources(this.registry, transaction),
      ...serviceAccountSubresources(this.registry),
    }))
      this.api.extra.set(path, handler);
    const logs = new LogStore(this.ctx.storage.sql, new Client(this.registry));
    const files = new FileStore(this.ctx.storage.sql);
    attachFiles(this.registry, files);
    // A process that exits through attach is the kubelet's to report, now.
    const stdio = new ContainerStdio(this.ctx.storage.sql, (pod) => {
      this.runtime.enqueue(KUBELET, keyOf(pod));
      void this.wake();
    });
    // A deleted pod's logs and files go with it.
    this.store.subscribe((changes) => {
      for (const c of changes) {
        if (c.op !== Op.Deleted || !c.key.startsWith("/core/pods/")) continue;
        const uid = (c.prev ?? c.value)?.metadata?.uid;
        if (uid) logs.forget(uid), files.forget(uid), stdio.forget(uid);
      }
    });
    for (const [path, handler] of Object.entries({
      ...trafficSubresources(this.registry, logs),
      ...streamSubresources(this.registry, logs, stdio),
    })) {
      this.api.extra.set(path, handler);
    }
    const client = new Client(this.registry);
    const now = () => Date.now();
    const clockMode = () => (this.booting ? "instant" : (this.session()?.clock ?? "realistic"));
    this.registry.host.metrics = metricsSource(client, clockMode);
    this.workstation = new Workstation({
      sql: this.ctx.storage.sql,
      files,
      reader: client,
      logs,
      api: (method, path, init) => this.inProcess(method, path, init),
      table: () => this.registry.table,
      now,
      kubelet: async (name, action) => void (await this.node({ action, name })),
      machines: () => this.session()?.machines ?? [],
      join: async (name) => void (await this.node({ action: "join", name })),
    });
    this.runtime = new ControllerRuntime(
      this.store,
      this.ctx.storage.sql,
      controllers,
      {
        now,
        client,
        events: new EventRecorder(client, now),
        clock: new Clock(clockMode),
        enqueue: (controller, key) => this.runtime.enqueue(controller, key),
        stdio,
      },
      transaction,
    );
  }

  /** Watches over WebSockets are hibernatable: an idle cluster watched from a browser tab sleeps. */
  private readonly watchSockets: SocketHost = {
    accept: (ws, watch) => {
      this.ctx.acceptWebSocket(ws, [WATCH_TAG]);
      ws.serializeAttachment(watch);
    },
    sockets: () => this.ctx.getWebSockets(WATCH_TAG).map((ws) => ({ ws, watch: ws.deserializeAttachment() as SocketWatch })),
  };

  /** A terminal's keystrokes go to its login; a watch socket's client sends nothing a watch needs. */
  override async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    if (this.terminals.isTerminal(ws)) this.terminals.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.socketGone(ws);
  }

  private socketGone(ws: WebSocket): void {
    if (this.terminals.isTerminal(ws)) this.terminals.closed(ws);
    else this.hub.socketClosed(ws);
  }

  /** The workstation's kubectl calling the API server: a request of this cluster's own, as the admin. */
  private async inProcess(method: string, path: string, init: ApiInit = {}): Promise<ApiReply> {
    const id = this.session()?.id ?? "";
    const headers = new Headers(init.headers);
    if (init.upgrade) {
      headers.set("upgrade", "websocket");
      headers.set("sec-websocket-protocol", init.upgrade);
    }
    const res = await this.fetch(
      new Request(`https://workstation.internal/clusters/${id}${path}`, { method, headers, body: init.body, signal: init.signal }),
    );
    // The controllers react to a write while a real kubectl starts up for the next command (~100 ms),
    // so `kubectl create job …; kubectl get pods` shows the Job's pods: give them a moment here too.
    if (method !== "GET" && this.runtime.pending)
      await Promise.race([this.drain(), new Promise((r) => setTimeout(r, CONTROLLERS_REACT_MS))]);
    const contentType = res.headers.get("content-type") ?? "";
    const warnings = warningsOf(res.headers.get("warning"));
    if (res.webSocket) return { status: res.status, contentType, text: "", webSocket: res.webSocket, warnings };
    if (!init.stream || !res.body || res.status >= 400) return { status: res.status, contentType, text: await res.text(), warnings };
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    init.signal?.addEventListener("abort", () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        init.stream(decoder.decode(value, { stream: true }));
      }
    } catch {
      // cancelled: the reader let go
    }
    return { status: res.status, contentType, text: "", warnings };
  }

  /** The service-account signer over the key the cluster keeps, once it has one. */
  private loadTokens(): void {
    const jwk = this.store.getMeta(SIGNING_KEY_META);
    if (!jwk) return;
    const registry = this.registry;
    attachTokens(
      registry,
      new ServiceAccountTokens(JSON.parse(jwk), { get: (plural, ns, name) => registry.ctx().get(plural, ns, name) }, () => Date.now()),
    );
  }

  private keyGeneration?: Promise<void>;

  /** Generate the cluster's signing key the first time it is needed, and keep it. */
  private ensureTokens(): Promise<void> {
    if (tokensOf(this.registry)) return Promise.resolve();
    return (this.keyGeneration ??= (async () => {
      try {
        const jwk = await generateSigningKey();
        if (!this.store.getMeta(SIGNING_KEY_META)) this.store.setMeta(SIGNING_KEY_META, JSON.stringify(jwk));
        this.loadTokens();
      } finally {
        this.keyGeneration = undefined;
      }
    })());
  }

  /** The session record, cached: it is read on every clock read and request. */
  private sessionCache?: SessionMeta | null;

  private session(): SessionMeta | undefined {
    if (this.sessionCache === undefined) {
      const raw = this.store.getMeta("session");
      this.sessionCache = raw ? JSON.parse(raw) : null;
    }
    return this.sessionCache ?? undefined;
  }

  private saveSession(meta: SessionMeta): void {
    this.store.setMeta("session", JSON.stringify(meta));
    this.sessionCache = meta;
  }

  /** Create the cluster: session metadata, namespaces, nodes, the kubernetes Service. Idempotent. */
  async init(params: SessionInit): Promise<SessionInfo> {
    const existing = this.session();
    if (existing) return this.describe(existing);
    const layout = nodeNames(params.nodes.map((n) => n.role));
    const meta: SessionMeta = {
      id: params.id,
      createdAt: params.createdAt,
      expiresAt: params.expiresAt,
      nodes: layout.filter((_, i) => params.nodes[i].joined !== false),
      machines: layout.flatMap((n, index) => (params.nodes[index].joined === false ? [{ ...n, index }] : [])),
      clock: params.clock ?? "realistic",
      origin: params.origin,
    };
    await this.ensureTokens();
    try {
      this.bootstrap(meta);
    } catch (e) {
      this.sessionCache = undefined; // the transaction rolled back: nothing was saved
      throw e;
    }

    // Bring the control plane up before answering, as a playground's cluster is up when you get it.
    this.booting = true;
    try {
      await this.drain();
    } finally {
      this.booting = false;
    }
    if (params.lab) await this.setUpLab(params.lab);
    await this.wake();
    return this.describe(meta);
  }

  /** A lab's setup, done before the session is handed out; the lab and its progress are kept. */
  private async setUpLab(lab: Lab): Promise<void> {
    const run: Run = (script, limit) => this.workstation.run(script, limit);
    const setup = await runSetup(lab, run);
    if (this.runtime.pending) await this.drain();
    this.saveLab({ lab, verified: lab.steps.map(() => false), setup });
  }

  private labState(): LabState | undefined {
    const raw = this.store.getMeta("lab");
    return raw ? JSON.parse(raw) : undefined;
  }

  private saveLab(state: LabState): void {
    this.store.setMeta("lab", JSON.stringify(state));
  }

  /** GET /api/sessions/:id/lab: the steps and the progress, or null when the session runs no lab. */
  async lab(): Promise<LabView | null> {
    const state = this.labState();
    return state ? labView(state) : null;
  }

  /** POST /api/sessions/:id/lab/steps/:n/check: the step's conditions run in the workstation. */
  async checkLabStep(number: number): Promise<CheckResult | { code: number; message: string; retryAfter?: number }> {
    const state = this.labState();
    if (!state) return { code: 404, message: "this session runs no lab" };
    if (!Number.isInteger(number) || number < 1 || number > state.lab.steps.length)
      return { code: 404, message: `the lab has no step ${number} (its steps are 1 to ${state.lab.steps.length})` };
    // A check runs scripts for up to 15 s each: one at a time per cluster, and only within its
    // budget (the API calls its kubectl makes are charged as any request is).
    if (this.checking) return { code: 429, message: "a check is already running in this session: try again when it ends", retryAfter: 1 };
    const retryAfter = await this.budget.admit(false);
    if (retryAfter !== undefined) return { code: 429, message: TOO_MANY_REQUESTS, retryAfter };
    const run: Run = (script, limit) => this.workstation.run(script, limit);
    this.checking = true;
    let result: CheckResult;
    try {
      result = await checkStep(state, number, run);
    } finally {
      this.checking = false;
    }
    if (this.runtime.pending) await this.wake();
    if (result.passed && !state.verified[number - 1]) {
      // Re-read: another check may have finished meanwhile.
      const now = this.labState()!;
      const first = !now.verified[number - 1];
      now.verified[number - 1] = true;
      this.saveLab(now);
      if (first) await reachNextStep(now.lab, number, run);
    }
    return result;
  }

  /** Create the cluster's objects, in one transaction. */
  private bootstrap(meta: SessionMeta): void {
    const reg = this.registry;
    this.store.transaction(this.ctx.storage, () => {
      this.saveSession(meta);
      const ns = byPlural("namespaces")!;
      const sa = byPlural("serviceaccounts")!;
      for (const name of STANDARD_NAMESPACES) reg.create(ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
      for (const name of STANDARD_NAMESPACES)
        reg.create(sa, name, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
      const client = new Client(reg);
      const now = Date.now();
      const events = new EventRecorder(client, () => now);
      const nodes = meta.nodes.map((n, i) =>
        registerNode(client, events, n.name, n.role, i, now, meta.nodes.length + (meta.machines?.length ?? 0) === 1),
      );
      reg.create(byPlural("services")!, "default", kubernetesService());
      bootstrapKubeSystem(client, nodes[0], now);
      bootstrapLocalPath(client);
      for (const { plural, obj } of bootstrapPolicy()) client.create(plural, obj);
      bootstrapIngressNginx(client);
    });
  }

  private describe(meta: SessionMeta): SessionInfo {
    return {
      id: meta.id,
      createdAt: meta.createdAt,
      expiresAt: meta.expiresAt,
      nodes: meta.nodes,
      ...(meta.machines?.length ? { machines: meta.machines.map(({ name, role }) => ({ name, role })) } : {}),
      clock: meta.clock,
      objects: this.store.objects,
    };
  }

  async info(): Promise<SessionInfo | null> {
    const meta = this.session();
    return meta ? this.describe(meta) : null;
  }

  /** Stop, start, add or remove a node (session API). */
  async node(req: NodeAction): Promise<{ code: number; body: unknown }> {
    const { code, body } = this.store.transaction(this.ctx.storage, () => {
      const meta = this.session();
      const result = nodeAction(new Client(this.registry), Date.now(), req, meta?.machines);
      if (meta) this.saveSession({ ...meta, nodes: result.nodes, machines: result.machines });
      return result;
    });
    await this.wake();
    return { code, body };
  }

  /**
   * Wipe everything this cluster stored, because its session expired or was deleted. Open exec,
   * attach and port-forward streams are told why and closed normally; an expiry is recorded in the
   * session registry too, so the row does not wait for the next request or the cron sweep.
   */
  async destroy(why: "expired" | "deleted" = "expired"): Promise<void> {
    const meta = this.session();
    this.hub.closeAll();
    if (meta) {
      endStreams(this.registry, endStatus(meta, why));
      this.terminals.endAll(endStatus(meta, why));
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.open(); // fresh, empty schema for any late request
    if (meta && why === "expired") await this.recordExpiry(meta.id);
  }

  /** The registry row goes live → expired (never back, never from deleted); the sweep retries a failure. */
  private async recordExpiry(id: string): Promise<void> {
    try {
      await this.env.DB?.prepare("UPDATE sessions SET state = 'expired' WHERE id = ? AND state = 'live'").bind(id).run();
    } catch (e) {
      console.error(`recording the expiry of session ${id}:`, e);
    }
  }

  /** The drain running now, if one is: it takes what is queued meanwhile, and sets the alarm when it ends. */
  private draining?: Promise<void>;

  /**
   * Reconcile until the queue is empty (joining the drain running now, if any), then set the alarm. An
   * alarm is set as a drain starts, too: should the process die mid-drain, it picks the work up again.
   */
  private drain(): Promise<void> {
    if (!this.draining) {
      void this.ctx.storage.setAlarm(Date.now() + DRAIN_WATCHDOG_MS);
      this.draining = this.runtime
        .drain()
        .finally(() => (this.draining = undefined))
        .then(() => this.wake());
    }
    return this.draining;
  }

  /**
   * Set the alarm: now if there is work queued, else the earliest timer or the session's expiry. While
   * a drain runs there is nothing to set (it does, as it ends): a request answered mid-burst does not
   * wait for a storage write of its own.
   */
  private async wake(): Promise<void> {
    const meta = this.session();
    if (!meta || this.draining) return;
    const at = this.runtime.pending ? Date.now() : Math.min(this.runtime.nextTimer() ?? Infinity, Date.parse(meta.expiresAt));
    await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const meta = this.session();
    if (!meta || Date.parse(meta.expiresAt) <= Date.now()) return this.destroy();
    await this.drain();
  }

  /** Whether a lab check is running (they run one at a time). */
  private checking = false;

  /** This cluster's share of the thread (durable/api/fairness.ts): checked before anything is parsed. */
  private readonly budget = new RequestBudget(() => Date.now());

  override async fetch(request: Request): Promise<Response> {
    // A terminal holds its request as long as it is open, as exec does; a script run is work, and counts.
    const retryAfter = await this.budget.admit(
      isLongRunning(request.url) || /^\/workstation\/[^/]+\/terminal$/.test(new URL(request.url).pathname),
    );
    if (retryAfter !== undefined) return tooManyRequests(retryAfter);
    const start = performance.now();
    try {
      return await this.serve(request);
    } finally {
      this.budget.charge(performance.now() - start);
    }
  }

  private async serve(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const workstation = /^\/workstation\/([^/]+)\/(terminal|run)$/.exec(url.pathname);
    if (workstation) {
      const refusal = await this.refusal(workstation[1]);
      if (refusal) return refusal;
      return workstation[2] === "terminal" ? this.terminals.accept(request) : this.runScript(request);
    }
    const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return statusResponse(new ApiError(404, "NotFound", "the server could not find the requested resource"));
    const [, id, path = "/"] = match;
    const refusal = await this.refusal(id);
    if (refusal) return refusal;
    // A drain compacts as it goes; writes that wake no controller still need their history compacted.
    if (!this.draining) this.store.compact();
    await this.ensureTokens();
    const response = await this.api.handle(request, path, `/clusters/${id}`);
    if (this.runtime.pending) await this.wake();
    return response;
  }

  /** POST /api/sessions/:id/run: the script is the body; the answer its exit code and output. */
  private async runScript(request: Request): Promise<Response> {
    if (request.method !== "POST")
      return statusResponse(new ApiError(405, "MethodNotAllowed", "the run endpoint takes a POST of a shell script"));
    const body = await request.arrayBuffer();
    if (body.byteLength > MAX_SCRIPT_BYTES)
      return statusResponse(
        new ApiError(413, "RequestEntityTooLarge", `the script is ${body.byteLength} bytes; at most ${MAX_SCRIPT_BYTES} are run`),
      );
    let script: string;
    try {
      script = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
    } catch {
      return statusResponse(new ApiError(400, "BadRequest", "the script is not valid UTF-8"));
    }
    const result = await this.workstation.run(script, RUN_LIMIT_MS);
    if (this.runtime.pending) await this.wake();
    return Response.json(result);
  }

  /** Why a request for session `id` cannot be served (it is not this cluster's, or it expired), if it cannot. */
  private async refusal(id: string): Promise<Response | undefined> {
    const meta = this.session();
    if (!meta || meta.id !== id) {
      return statusResponse(
        new ApiError(
          401,
          "Unauthorized",
          `kubeplay session ${id} does not exist or was deleted; start a new one with \`kubeplay create cluster\` or POST /api/sessions`,
        ),
      );
    }
    if (Date.parse(meta.expiresAt) <= Date.now()) {
      await this.destroy();
      return statusResponse(
        new ApiError(
          401,
          "Unauthorized",
          `kubeplay session ${id} expired at ${meta.expiresAt}; its cluster and data are gone. Start a new one with \`kubeplay create cluster\` or POST /api/sessions`,
        ),
      );
    }
    return undefined;
  }
}

/** What a run may be: a script, not a payload. */
const MAX_SCRIPT_BYTES = 64 << 10;
/** How long a write by the workstation's kubectl waits for the controllers to react before it returns. */
const CONTROLLERS_REACT_MS = 50;
/** When the alarm set as a drain starts fires, unless the drain's end sets it first. */
const DRAIN_WATCHDOG_MS = 5_000;

/** What ends a stream when the cluster goes: 410 Expired or Gone, and how to start again. */
function endStatus(meta: SessionMeta, why: "expired" | "deleted"): EndStatus {
  const again = "Start a new one with `kubeplay create cluster` or POST /api/sessions";
  return why === "expired"
    ? {
        status: "Failure",
        reason: "Expired",
        code: 410,
        message: `kubeplay session ${meta.id} expired at ${meta.expiresAt}; its cluster and data are gone. ${again}`,
      }
    : {
        status: "Failure",
        reason: "Gone",
        code: 410,
        message: `kubeplay session ${meta.id} was deleted; its cluster and data are gone. ${again}`,
      };
}
