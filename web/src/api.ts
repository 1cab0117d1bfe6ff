// The public HTTP API as the web console uses it: the session API, and the cluster's Kubernetes API
// with the session's bearer token (REST, and watches over WebSockets with the token in the
// subprotocol, as the API server accepts from browsers).

// The lab API's answers are typed by the cluster's contract (docs/labs.md).
import type { CheckResult, LabView } from "../../durable/contract";
export type { CheckResult, LabView };

export interface SessionNode {
  role: "control-plane" | "worker";
}

export interface Session {
  id: string;
  createdAt: string;
  expiresAt: string;
  server: string;
  token: string;
  nodes: SessionNode[];
  /** The catalogue lab it runs, if it was started for one (a reset starts the lab again). */
  lab?: string;
  /** The course it counts against, and the name its learner gave (a reset keeps both). */
  course?: string;
  learner?: string;
}

/** What a session is started as: a layout, or a catalogue lab, either under a course. */
export type SessionRequest = ({ nodes: SessionNode[] } | { lab: string }) & { lifetime?: string; course?: string; learner?: string };

export interface Limits {
  defaultLifetime: string;
  maxLifetime: string;
  maxNodes: number;
  maxSessionsPerClient: number;
}

/** A refusal of the API, with the Status message the server gave. */
export class ApiRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** What a refusal means for the learner, in a sentence (the server's message says which limit). */
export function refusalText(e: unknown): string {
  if (e instanceof ApiRefusal) {
    // A course's own limits are worded by the server (they name the course); an address's are explained here.
    const fromAddress = /from your address/.test(e.message);
    if (e.code === 429 && fromAddress)
      return `Too many clusters were started from your address in the last minute. Try again in ${e.retryAfterSeconds ?? 60} seconds.`;
    if (e.code === 403 && fromAddress)
      return `You already have as many live clusters as one address may: ${e.message.replace(/^too many live sessions from your address /, "")}. Delete one below or wait until one expires.`;
    if (e.code === 503) return `kubeplay cannot start a cluster right now: ${e.message}`;
    return `The cluster could not be started: ${e.message}`;
  }
  return "kubeplay could not be reached. Check your connection and try again.";
}

async function refusal(res: Response): Promise<ApiRefusal> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const status = await res.json();
    if (status?.message) message = status.message;
  } catch {}
  const retry = Number(res.headers.get("retry-after"));
  return new ApiRefusal(res.status, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** Answers worth sending the same request again for: the way to the server failed, or the server
 *  asks for a retry (Retry-After on a 409 or 503). */
const transient = (res: Response) =>
  res.status === 502 || res.status === 504 || ((res.status === 503 || res.status === 409) && res.headers.has("retry-after"));

/** POST /api/sessions, retried with the same Idempotency-Key when the answer is lost or transient:
 *  the server gives a retry the session the first attempt started, so one click is one cluster. */
async function postSession(body: string): Promise<Response> {
  // getRandomValues, unlike randomUUID, also works on a page served over plain http from another host.
  const key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const headers = { "content-type": "application/json", "idempotency-key": key };
  for (let attempt = 1; ; attempt++) {
    const last = attempt === 6;
    let res: Response | undefined;
    try {
      res = await fetch("/api/sessions", { method: "POST", headers, body });
      if (last || !transient(res)) return res;
    } catch (e) {
      if (last) throw e;
    }
    const asked = Number(res?.headers.get("retry-after"));
    const backoff = Math.min(2000, 250 * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, Number.isFinite(asked) && asked > 0 ? asked * 1000 : backoff));
  }
}

export async function createSession(body: SessionRequest): Promise<Session> {
  const res = await postSession(JSON.stringify(body));
  if (res.status !== 201) throw await refusal(res);
  const s = await res.json();
  const session: Session = { id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt, server: s.server, token: s.token, nodes: [] };
  if (body.course) session.course = body.course;
  if (body.learner) session.learner = body.learner;
  if ("lab" in body) {
    // The lab chose the layout: ask what it is.
    session.lab = body.lab;
    session.nodes = (await sessionInfo(s.id, s.token)).nodes.map(({ role }) => ({ role }));
  } else session.nodes = body.nodes;
  return session;
}

export async function labOf(s: { id: string; token: string }): Promise<LabView | undefined> {
  const res = await fetch(`/api/sessions/${s.id}/lab`, { headers: { authorization: `Bearer ${s.token}` } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw await refusal(res);
  return res.json();
}

/** The server runs the step's checks; the page only shows what it found. */
export async function checkStep(s: { id: string; token: string }, step: number): Promise<CheckResult> {
  const res = await fetch(`/api/sessions/${s.id}/lab/steps/${step}/check`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}` },
  });
  if (!res.ok) throw await refusal(res);
  return res.json();
}

export async function serverLimits(): Promise<Limits> {
  const res = await fetch("/api/sessions");
  if (!res.ok) throw await refusal(res);
  return (await res.json()).limits;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The session as the server knows it, or the refusal (401 once it expired or was deleted). */
export async function sessionInfo(
  id: string,
  token: string,
): Promise<{ state: string; expiresAt: string; nodes: { name: string; role: SessionNode["role"] }[] }> {
  const res = await fetch(`/api/sessions/${id}`, { headers: auth(token) });
  if (!res.ok) throw await refusal(res);
  return res.json();
}

export async function deleteSession(id: string, token: string): Promise<void> {
  const res = await fetch(`/api/sessions/${id}`, { method: "DELETE", headers: auth(token) });
  // Already gone is what deleting wants.
  if (!res.ok && res.status !== 401) throw await refusal(res);
}

export async function kubeconfig(id: string, token: string): Promise<string> {
  const res = await fetch(`/api/sessions/${id}/kubeconfig`, { headers: auth(token) });
  if (!res.ok) throw await refusal(res);
  return res.text();
}

/** GET a Kubernetes path of the session's cluster (JSON). */
export async function kube<T = unknown>(s: { id: string; token: string }, path: string): Promise<T> {
  const res = await fetch(`/clusters/${s.id}${path}`, { headers: { ...auth(s.token), accept: "application/json" } });
  if (!res.ok) throw await refusal(res);
  return res.json();
}

export interface WatchEvent<T = unknown> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/** The token as the API server takes it from a browser's WebSocket: base64url in a subprotocol. */
export function bearerProtocol(token: string): string {
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(token)));
  return `base64url.bearer.authorization.k8s.io.${b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/**
 * Watch a collection over a WebSocket: the current objects as ADDED, then every change. The
 * socket is the server's to keep through its hibernation, so an idle tab costs the cluster nothing.
 * `onClose` hears when it ends (the session ended, or the network dropped).
 */
export function watch<T>(
  s: { id: string; token: string },
  path: string,
  onEvent: (e: WatchEvent<T>) => void,
  onClose: (code: number) => void,
): WebSocket {
  const url = new URL(`/clusters/${s.id}${path}${path.includes("?") ? "&" : "?"}watch=1`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, [bearerProtocol(s.token)]);
  ws.addEventListener("message", (m) => onEvent(JSON.parse(m.data as string)));
  ws.addEventListener("close", (e) => onClose(e.code));
  return ws;
}

/** POST /api/sessions/:id/run: a script in the workstation, its exit code and output. */
export async function runScript(
  s: { id: string; token: string },
  script: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const res = await fetch(`/api/sessions/${s.id}/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "text/plain" },
    body: script,
  });
  if (!res.ok) {
    const status = await res.json().catch(() => ({}));
    throw new ApiRefusal(res.status, status.message ?? res.statusText);
  }
  return res.json();
}
