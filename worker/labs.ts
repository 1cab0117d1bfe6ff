// /api/sessions/:id/lab and /api/sessions/:id/lab/steps/:n/check: a lab session's steps and
// progress, and its checks (docs/labs.md), answered by its Cluster Durable Object; token checked here.
// Labs of the catalogue are the web console's static files (web/labs/<name>.yaml), read through ASSETS.
import { Hono, type Context } from "hono";
import { parseLab, type Lab, type Parsed } from "../labs/format";
import { importScenario, type ScenarioFiles } from "../labs/killercoda";
import { clusterStub, sessionAuth } from "./auth";
import type { AppEnv } from "./env";
import { invalid, notFound, tooManyRequests } from "./status";

export const labs = new Hono<AppEnv>();
/** /api/labs: what works on labs without a session (`kubeplay lab lint`). */
export const labTools = new Hono<AppEnv>();

/** POST /api/labs/lint: a lab's text (or a Killercoda scenario's files as JSON, `{"killercoda": {…}}`)
 *  checked as a session request would check it, nothing started. A scenario's answer carries the lab
 *  it reads as, solutions included: they are the caller's own. */
labTools.post("/lint", async (c) => {
  const text = await c.req.text();
  const scenario = c.req.header("content-type")?.startsWith("application/json") ? scenarioOf(text) : undefined;
  const lab = checked(scenario ? importScenario(scenario) : parseLab(text));
  if (lab instanceof Response) return lab;
  return c.json({
    title: lab.title,
    language: lab.language,
    steps: lab.steps.length,
    checks: lab.steps.reduce((n, s) => n + s.checks.length, 0),
    ...(scenario ? { notes: lab.notes ?? [], lab } : {}),
  });
});

/** The files of a Killercoda scenario, when a JSON body is one. */
function scenarioOf(text: string): ScenarioFiles | undefined {
  try {
    const doc = JSON.parse(text);
    return isScenario(doc) ? doc.killercoda : undefined;
  } catch {
    return undefined;
  }
}

function isScenario(doc: unknown): doc is { killercoda: ScenarioFiles } {
  const files = (doc as { killercoda?: unknown } | null)?.killercoda;
  return typeof files === "object" && files !== null && Object.values(files).every((v) => typeof v === "string");
}

labs.use("/:id/lab", sessionAuth);
labs.use("/:id/lab/*", sessionAuth);

labs.get("/:id/lab", async (c) => {
  const view = await clusterStub(c.env, c.req.param("id")).lab();
  return view ? c.json(view) : notFound(`session ${c.req.param("id")} runs no lab`);
});

labs.post("/:id/lab/steps/:n/check", async (c) => {
  const result = await clusterStub(c.env, c.req.param("id")).checkLabStep(Number(c.req.param("n")));
  if (!("code" in result)) return c.json(result);
  return result.code === 429 ? tooManyRequests(result.message, result.retryAfter ?? 1) : notFound(result.message);
});

/** Catalogue names: a file stem of web/labs, with the language after a dot ("hello-node", "hello-node.zh"). */
const LAB_NAME = /^[a-z0-9][a-z0-9-]{0,62}(\.[a-z]{2})?$/;

/** The lab a session request names or carries, read and checked; or the 422 that says what is wrong. */
export async function resolveLab(c: Context<AppEnv>, raw: unknown): Promise<Lab | Response> {
  if (isScenario(raw)) return checked(importScenario(raw.killercoda));
  if (typeof raw !== "string") return checked(parseLab(raw));
  // A catalogue lab is a YAML file, or a Killercoda scenario the build bundled as its files.
  const asset = async (file: string) => {
    const res = await c.env.ASSETS.fetch(new Request(new URL(`/labs/${file}`, c.req.url)));
    return res.ok ? res.text() : undefined;
  };
  if (LAB_NAME.test(raw)) {
    const yaml = await asset(`${raw}.yaml`);
    if (yaml !== undefined) return checked(parseLab(yaml));
    const bundle = await asset(`${raw}.killercoda.json`);
    if (bundle !== undefined) return checked(importScenario(JSON.parse(bundle)));
  }
  return invalid(`invalid session request: lab: Not found: ${JSON.stringify(raw)}: no lab of that name in the catalogue`, [
    { reason: "FieldValueNotFound", field: "lab", message: `Not found: ${JSON.stringify(raw)}` },
  ]);
}

/** The lab read, or the 422 Status that lists what is wrong with it, field by field. */
function checked(parsed: Parsed | ReturnType<typeof importScenario>): Lab | Response {
  if (parsed.ok) return parsed.lab;
  const causes = parsed.errors.map((e) => ({ reason: "FieldValueInvalid", field: e.field ? `lab.${e.field}` : "lab", message: e.message }));
  const detail = causes.map((x) => `${x.field}: ${x.message}`);
  return invalid(`invalid lab: ${detail.length === 1 ? detail[0] : `[${detail.join(", ")}]`}`, causes);
}
