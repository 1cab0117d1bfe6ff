// Parsing and validating a session request: JSON options or a kind `Cluster` config (YAML).
// Decoding problems are 400 BadRequest; values that decode but are not allowed are 422 Invalid with causes.
import { parse as parseYaml } from "yaml";
import type { NodeRole } from "../durable/contract";
import { formatDuration, parseDuration, type Limits } from "./env";
import type { StatusCause } from "./status";

export interface SessionRequest {
  lifetimeMs: number;
  /** The request named its lifetime (so a lab's own does not replace it). */
  lifetimeAsked: boolean;
  nodes: { role: NodeRole }[];
  clock: "realistic" | "instant";
  /** A lab: its catalogue name, or the lab itself (labs/format.ts reads it). */
  lab?: unknown;
  /** A course key: the session counts against the course's quota instead of the address's. */
  course?: string;
  /** The name a learner gave, shown to the course's teacher. */
  learner?: string;
}

/** The longest learner name kept. */
const MAX_LEARNER = 64;

export type ParseResult =
  | { ok: true; value: SessionRequest }
  | { ok: false; code: 400; message: string }
  | { ok: false; code: 422; message: string; causes: StatusCause[] };

export const DEFAULT_NODES: { role: NodeRole }[] = [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }];
const ROLES: NodeRole[] = ["control-plane", "worker"];
const CLOCKS = ["realistic", "instant"] as const;
const KIND_API_VERSION = "kind.x-k8s.io/v1alpha4";
/** kind's current config version and the older ones tutorials still show (same `nodes` shape). */
const KIND_API_VERSIONS = [KIND_API_VERSION, "kind.sigs.k8s.io/v1alpha3", "kind.sigs.k8s.io/v1alpha2"];
const JSON_FIELDS = new Set(["lifetime", "nodes", "clock", "lab", "course", "learner"]);

/** Query parameters (`?lifetime=90m&clock=instant`) override fields of the body, so a kind config can stay pure. */
export interface Overrides {
  lifetime?: string | null;
  clock?: string | null;
}

export function parseSessionRequest(body: string, contentType: string | null, limits: Limits, overrides: Overrides = {}): ParseResult {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  let doc: unknown = {};
  if (body.trim() !== "") {
    try {
      // YAML is a superset of JSON, so a body without a declared type is read as YAML.
      doc = type.endsWith("json") ? JSON.parse(body) : parseYaml(body, { uniqueKeys: true });
    } catch (e) {
      const what = type.endsWith("json") ? "JSON" : "YAML";
      return { ok: false, code: 400, message: `invalid ${what} in request body: ${(e as Error).message.split("\n")[0]}` };
    }
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, code: 400, message: "request body must be a JSON object or a kind Cluster config" };
  }
  const obj = doc as Record<string, unknown>;

  const isKind = "kind" in obj || "apiVersion" in obj;
  if (isKind) {
    if (obj.kind !== "Cluster" || !KIND_API_VERSIONS.includes(String(obj.apiVersion))) {
      return {
        ok: false,
        code: 400,
        message: `unsupported config: expected kind: Cluster, apiVersion: ${KIND_API_VERSION} (got kind: ${String(obj.kind)}, apiVersion: ${String(obj.apiVersion)})`,
      };
    }
  } else {
    const unknown = Object.keys(obj).filter((k) => !JSON_FIELDS.has(k));
    if (unknown.length)
      return { ok: false, code: 400, message: `unknown field "${unknown[0]}" (allowed: lifetime, nodes, clock, lab, course, learner)` };
  }

  const causes: StatusCause[] = [];
  const nodes = parseNodes(obj.nodes, isKind, limits.maxNodes, causes);

  const lifetimeText = overrides.lifetime ?? (isKind ? undefined : obj.lifetime);
  let lifetimeMs = limits.lifetimeMs;
  if (lifetimeText !== undefined) {
    const ms = typeof lifetimeText === "string" ? parseDuration(lifetimeText) : null;
    if (ms === null || ms < 1000) {
      causes.push(invalidValue("lifetime", lifetimeText, "must be a duration of at least 1s, such as 90m or 4h"));
    } else if (ms > limits.maxLifetimeMs) {
      causes.push(
        invalidValue(
          "lifetime",
          lifetimeText,
          `must be at most ${formatDuration(limits.maxLifetimeMs)}: sessions cannot be longer or extended`,
        ),
      );
    } else lifetimeMs = ms;
  }

  const clockValue = overrides.clock ?? (isKind ? undefined : obj.clock) ?? "realistic";
  if (!CLOCKS.includes(clockValue as (typeof CLOCKS)[number])) causes.push(unsupported("clock", clockValue, CLOCKS));

  if (!isKind && obj.course !== undefined && (typeof obj.course !== "string" || !obj.course))
    causes.push(invalidValue("course", obj.course, "must be a course key"));
  const learner = !isKind && typeof obj.learner === "string" ? obj.learner.trim() : "";
  if (
    !isKind &&
    obj.learner !== undefined &&
    (typeof obj.learner !== "string" || learner.length > MAX_LEARNER || /[\p{Cc}]/u.test(learner))
  )
    causes.push(invalidValue("learner", obj.learner, `must be a name of at most ${MAX_LEARNER} characters`));

  if (causes.length) {
    const detail = causes.map((c) => `${c.field}: ${c.message}`);
    return {
      ok: false,
      code: 422,
      message: `invalid session request: ${detail.length === 1 ? detail[0] : `[${detail.join(", ")}]`}`,
      causes,
    };
  }
  return {
    ok: true,
    value: {
      lifetimeMs,
      lifetimeAsked: lifetimeText !== undefined,
      nodes,
      clock: clockValue as SessionRequest["clock"],
      ...(obj.lab !== undefined && !isKind ? { lab: obj.lab } : {}),
      ...(typeof obj.course === "string" && !isKind ? { course: obj.course } : {}),
      ...(learner ? { learner } : {}),
    },
  };
}

function parseNodes(raw: unknown, isKind: boolean, maxNodes: number, causes: StatusCause[]): { role: NodeRole }[] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return DEFAULT_NODES;
  if (!Array.isArray(raw)) {
    causes.push(invalidValue("nodes", raw, "must be a list of nodes, e.g. [{role: control-plane}, {role: worker}]"));
    return [];
  }
  if (raw.length > maxNodes) {
    causes.push({ reason: "FieldValueTooMany", field: "nodes", message: `Too many: ${raw.length}: must have at most ${maxNodes} items` });
  }
  const nodes: { role: NodeRole }[] = [];
  raw.forEach((n, i) => {
    const field = `nodes[${i}].role`;
    if (typeof n !== "object" || n === null || Array.isArray(n)) {
      causes.push(invalidValue(`nodes[${i}]`, n, "must be an object with a role"));
      return;
    }
    // kind defaults a missing role to control-plane; the JSON API asks for it explicitly.
    const role = (n as { role?: unknown }).role ?? (isKind ? "control-plane" : undefined);
    if (role === undefined) causes.push({ reason: "FieldValueRequired", field, message: "Required value" });
    else if (!ROLES.includes(role as NodeRole)) causes.push(unsupported(field, role, ROLES));
    else nodes.push({ role: role as NodeRole });
  });
  if (nodes.length && !causes.length) {
    const firstWorker = nodes.findIndex((n) => n.role === "worker");
    const lateCp = firstWorker < 0 ? -1 : nodes.findIndex((n, i) => i > firstWorker && n.role === "control-plane");
    if (firstWorker === 0) {
      causes.push(invalidValue("nodes[0].role", "worker", "the first node must be a control-plane node"));
    } else if (lateCp >= 0) {
      causes.push(invalidValue(`nodes[${lateCp}].role`, "control-plane", "control-plane nodes must come before worker nodes"));
    }
  }
  return nodes;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", field, message: `Invalid value: ${show(value)}: ${detail}` };
}

function unsupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  return {
    reason: "FieldValueNotSupported",
    field,
    message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
  };
}
