#!/usr/bin/env node
// kubeplay: create, list and delete playground clusters in the style of `kind`, and keep ~/.kube/config in sync.
// Talks only to the public HTTP API (POST/GET/DELETE /api/sessions).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml, stringify } from "yaml";
import { scenarioFiles } from "./scenario.mjs";

const DEFAULT_SERVER = "https://127.0.0.1:8787";
const USAGE = `kubeplay creates and manages throwaway Kubernetes playground clusters.

Usage:
  kubeplay create cluster [--config kind.yaml] [--lifetime 90m] [--clock instant] [--server URL] [--kubeconfig PATH]
  kubeplay get clusters [--server URL] [--kubeconfig PATH]
  kubeplay get kubeconfig [--name ID] [--kubeconfig PATH]
  kubeplay delete cluster [--name ID] [--kubeconfig PATH]
  kubeplay lab lint PATH [--server URL]
  kubeplay lab test PATH [--server URL]

lab lint checks a lab file as the server reads it; lab test starts a session with the lab, and for
every step runs its check (which must fail), its solution, then its check again (which must pass).
PATH is a lab's YAML file, or a Killercoda scenario: its folder or its index.json.

The server defaults to $KUBEPLAY_SERVER or ${DEFAULT_SERVER}; the kubeconfig to --kubeconfig, the first
file in $KUBECONFIG, or ~/.kube/config.`;

const OPTIONS = {
  config: { type: "string" },
  lifetime: { type: "string" },
  clock: { type: "string" },
  server: { type: "string" },
  kubeconfig: { type: "string" },
  name: { type: "string", short: "n" },
  help: { type: "boolean", short: "h" },
};

class CliError extends Error {}
const log = (line = "") => process.stderr.write(`${line}\n`);

// ---- HTTP -------------------------------------------------------------------------------------------

const isLoopback = (host) => host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);

/** One HTTP(S) request; the local dev server's self-signed certificate is accepted for loopback hosts only. */
function request(method, url, { body, headers = {} } = {}) {
  const u = new URL(url);
  const mod = u.protocol === "http:" ? http : https;
  const options = { method, headers: { accept: "application/json", ...headers }, timeout: 30_000 };
  if (u.protocol === "https:" && isLoopback(u.hostname)) options.rejectUnauthorized = false;
  return new Promise((resolvePromise, reject) => {
    const req = mod.request(u, options, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      const retryAfter = res.headers["retry-after"] === undefined ? undefined : Number(res.headers["retry-after"]);
      res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), retryAfter }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) =>
      reject(
        new CliError(
          `cannot reach the kubeplay server at ${u.origin}: ${e.message}` + (isLoopback(u.hostname) ? " (is `npm start` running?)" : ""),
        ),
      ),
    );
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** POST /api/sessions, sent again with the same Idempotency-Key when the answer is lost or the server
 *  asks for a retry: the server gives a retry the session the first attempt started. */
async function startSession(url, body, contentType) {
  const headers = { "content-type": contentType, "idempotency-key": randomUUID() };
  for (let attempt = 1; ; attempt++) {
    const last = attempt === 6;
    let res;
    try {
      res = await request("POST", url, { body, headers });
    } catch (e) {
      if (last) throw e;
    }
    const transient =
      res && (res.status === 502 || res.status === 504 || ((res.status === 503 || res.status === 409) && res.retryAfter !== undefined));
    if (res && (last || !transient)) return res;
    const wait = res?.retryAfter > 0 ? res.retryAfter * 1000 : Math.min(2000, 250 * 2 ** (attempt - 1));
    await new Promise((resolvePromise) => setTimeout(resolvePromise, wait));
  }
}

/** The Status message of an error answer, or the raw text. */
function errorMessage(res) {
  try {
    const s = JSON.parse(res.text);
    if (s && s.message) return s.message;
  } catch {}
  return `HTTP ${res.status}: ${res.text.trim().slice(0, 300)}`;
}

// ---- kubeconfig -------------------------------------------------------------------------------------

function kubeconfigPath(flag) {
  if (flag) return resolve(flag);
  const env = (process.env.KUBECONFIG ?? "").split(delimiter).find(Boolean);
  return env ? resolve(env) : join(homedir(), ".kube", "config");
}

function readKubeconfig(path) {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const doc = (text.trim() ? parseYaml(text) : null) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new CliError(`${path} is not a kubeconfig file`);
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    ...doc,
    clusters: doc.clusters ?? [],
    contexts: doc.contexts ?? [],
    users: doc.users ?? [],
  };
}

function writeKubeconfig(path, config) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.kubeplay-${process.pid}`;
  writeFileSync(tmp, stringify(config), { mode: 0o600 }); // it holds bearer tokens
  renameSync(tmp, path);
}

const upsert = (list, entry) => [...list.filter((e) => e.name !== entry.name), entry];

/** Merges an issued kubeconfig into `config` (like kind: replace entries of the same name, set current-context). */
function merge(config, issued) {
  for (const key of ["clusters", "contexts", "users"]) for (const e of issued[key] ?? []) config[key] = upsert(config[key], e);
  config["current-context"] = issued["current-context"];
  return config;
}

/** The kubeplay sessions recorded in a kubeconfig: contexts kubeplay-<id> whose server is <origin>/clusters/<id>. */
function sessionsIn(config) {
  const out = [];
  for (const ctx of config.contexts) {
    const m = /^kubeplay-([a-z0-9]+)$/.exec(ctx.name ?? "");
    if (!m) continue;
    const id = m[1];
    const cluster = config.clusters.find((c) => c.name === ctx.context?.cluster)?.cluster;
    const token = config.users.find((u) => u.name === ctx.context?.user)?.user?.token;
    const sm = /^(.*)\/clusters\/([a-z0-9]+)\/?$/.exec(cluster?.server ?? "");
    if (!sm || sm[2] !== id) continue;
    const exp = /^kp1\.[a-z0-9]+\.(\d+)\./.exec(token ?? "");
    out.push({ id, context: ctx.name, origin: sm[1], token, expiresAt: exp ? new Date(Number(exp[1]) * 1000) : null });
  }
  return out;
}

function pickSession(config, name, path) {
  const all = sessionsIn(config);
  if (name) {
    const id = name.replace(/^kubeplay-/, "");
    const s = all.find((x) => x.id === id);
    if (!s) throw new CliError(`no kubeplay cluster "${id}" in ${path}`);
    return s;
  }
  const current = all.find((x) => x.context === config["current-context"]);
  if (current) return current;
  if (all.length === 1) return all[0];
  throw new CliError(
    all.length
      ? `several kubeplay clusters in ${path}; choose one with --name (see "kubeplay get clusters")`
      : `no kubeplay clusters in ${path}`,
  );
}

function remaining(date) {
  const s = Math.round((date.getTime() - Date.now()) / 1000);
  if (s <= 0) return "expired";
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${m}m` : m ? `${m}m${s % 60}s` : `${s}s`;
}

// ---- commands ---------------------------------------------------------------------------------------

const serverOf = (flags) => (flags.server ?? process.env.KUBEPLAY_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, "");

async function createCluster(flags) {
  const server = serverOf(flags);
  const path = kubeconfigPath(flags.kubeconfig);
  let body = "";
  let contentType = "application/json";
  if (flags.config) {
    body = flags.config === "-" ? readFileSync(0, "utf8") : readFileSync(resolve(flags.config), "utf8");
    contentType = "application/yaml";
  }
  const query = new URLSearchParams();
  if (flags.lifetime) query.set("lifetime", flags.lifetime);
  if (flags.clock) query.set("clock", flags.clock);
  if (flags.name) throw new CliError("--name is not supported by create: the server assigns each cluster a unique id");

  log(`Creating cluster on ${server} ...`);
  const res = await startSession(`${server}/api/sessions${query.size ? `?${query}` : ""}`, body, contentType);
  if (res.status !== 201) throw new CliError(`failed to create cluster: ${errorMessage(res)}`);
  const session = JSON.parse(res.text);
  const info = await request("GET", `${server}/api/sessions/${session.id}`, { headers: { authorization: `Bearer ${session.token}` } });
  const nodes = info.status === 200 ? (JSON.parse(info.text).nodes ?? []) : [];
  log(` ✓ Starting control-plane 🕹️`);
  if (nodes.length) log(` ✓ Preparing nodes ${nodes.map(() => "📦").join(" ")}`);
  writeKubeconfig(path, merge(readKubeconfig(path), parseYaml(session.kubeconfig)));
  log(` ✓ Writing configuration 📜`);
  const context = `kubeplay-${session.id}`;
  log(`Set kubectl context to "${context}"`);
  log(`The cluster "${session.id}" expires at ${session.expiresAt} (in ${remaining(new Date(session.expiresAt))}); it cannot be extended.`);
  log(`You can now use your cluster with:\n`);
  log(`kubectl cluster-info --context ${context}\n`);
  log(`Have a nice day! 👋`);
  process.stdout.write(`export KUBECONFIG=${path}\n`);
}

async function getClusters(flags) {
  const path = kubeconfigPath(flags.kubeconfig);
  const explicit = flags.server ?? process.env.KUBEPLAY_SERVER;
  const known = sessionsIn(readKubeconfig(path)).filter((s) => !explicit || s.origin === explicit.replace(/\/+$/, ""));
  const rows = await Promise.all(
    known.map(async (s) => {
      let state = "unknown";
      try {
        const res = await request("GET", `${s.origin}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
        state =
          res.status === 200
            ? JSON.parse(res.text).state
            : /was deleted/.test(res.text)
              ? "deleted"
              : /expired/.test(res.text)
                ? "expired"
                : `error ${res.status}`;
      } catch {}
      const left = state === "deleted" ? "-" : s.expiresAt ? remaining(s.expiresAt) : "";
      return [s.id, state, s.expiresAt?.toISOString() ?? "<unknown>", left, s.context, s.origin];
    }),
  );
  // The server's sessions from this address that this kubeconfig has no token for (started in a
  // browser, with curl, or with another kubeconfig): they count against the per-address cap too.
  const server = serverOf(flags);
  let others = [];
  try {
    const res = await request("GET", `${server}/api/sessions`);
    if (res.status === 200) others = JSON.parse(res.text).sessions.filter((s) => !known.some((k) => k.id === s.id && k.origin === server));
  } catch {}
  for (const s of others) rows.push([s.id, "live", new Date(s.expiresAt).toISOString(), remaining(new Date(s.expiresAt)), "-", server]);
  if (!rows.length) return log("No kubeplay clusters found.");
  const table = [["NAME", "STATE", "EXPIRES", "REMAINING", "CONTEXT", "SERVER"], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) process.stdout.write(`${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] + 3) : c)).join("")}\n`);
  if (others.length)
    log(
      `Clusters with CONTEXT "-" were started from your address elsewhere (a browser, curl, another kubeconfig); only a holder of their token can delete them.`,
    );
}

async function getKubeconfig(flags) {
  const path = kubeconfigPath(flags.kubeconfig);
  const s = pickSession(readKubeconfig(path), flags.name, path);
  const res = await request("GET", `${s.origin}/api/sessions/${s.id}/kubeconfig`, {
    headers: { authorization: `Bearer ${s.token}`, accept: "application/yaml" },
  });
  if (res.status !== 200) throw new CliError(`failed to get kubeconfig of "${s.id}": ${errorMessage(res)}`);
  process.stdout.write(res.text);
}

async function deleteCluster(flags) {
  const path = kubeconfigPath(flags.kubeconfig);
  const config = readKubeconfig(path);
  const s = pickSession(config, flags.name, path);
  log(`Deleting cluster "${s.id}" ...`);
  try {
    const res = await request("DELETE", `${s.origin}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
    // An expired or already deleted session is gone on the server: just forget it locally.
    if (res.status !== 200 && res.status !== 401) throw new CliError(`failed to delete cluster "${s.id}": ${errorMessage(res)}`);
  } catch (e) {
    if (!(e instanceof CliError) || !/cannot reach/.test(e.message)) throw e;
    log(`WARNING: ${e.message}; removing it from ${path} anyway`);
  }
  const ctx = config.contexts.find((c) => c.name === s.context);
  config.contexts = config.contexts.filter((c) => c.name !== s.context);
  config.clusters = config.clusters.filter((c) => c.name !== ctx?.context?.cluster);
  config.users = config.users.filter((u) => u.name !== ctx?.context?.user);
  if (config["current-context"] === s.context) config["current-context"] = "";
  writeKubeconfig(path, config);
  log(`Deleted cluster "${s.id}" and its context "${s.context}" from ${path}`);
}

// ---- labs ------------------------------------------------------------------------------------------

/** A lab file, or a Killercoda scenario (a folder with an index.json, or that index.json). */
function labSource(positionals) {
  const path = positionals[2];
  if (!path) throw new CliError("a lab file is required: kubeplay lab lint|test PATH");
  const dir = statSync(path).isDirectory() ? path : basename(path) === "index.json" ? dirname(path) : undefined;
  if (dir !== undefined) return { path, scenario: scenarioFiles(dir) };
  return { path, text: readFileSync(path, "utf8") };
}

/** The lab as the server reads it: a scenario's lint answer carries the lab it imports as. */
async function lint(server, source) {
  const res = source.scenario
    ? await request("POST", `${server}/api/labs/lint`, {
        body: JSON.stringify({ killercoda: source.scenario }),
        headers: { "content-type": "application/json" },
      })
    : await request("POST", `${server}/api/labs/lint`, { body: source.text, headers: { "content-type": "application/yaml" } });
  if (res.status !== 200) {
    const status = JSON.parse(res.text);
    // The server names fields within a session request ("lab.steps[0]…"); in a lab file they start at its top.
    for (const cause of status.details?.causes ?? [{ field: "lab", message: status.message }]) {
      const field = cause.field.replace(/^lab\.?/, "");
      log(`${source.path}: ${field ? `${field}: ` : ""}${cause.message}`);
    }
    throw new CliError(`${source.path} is not a valid lab`);
  }
  return JSON.parse(res.text);
}

async function labLint(flags, positionals) {
  const source = labSource(positionals);
  const info = await lint(serverOf(flags), source);
  log(`${source.path}: ok (${info.title}: ${info.steps} steps, ${info.checks} checks)`);
  for (const note of info.notes ?? []) log(`${source.path}: not simulated: ${note}`);
}

/** How long a check may take to turn green after its solution ran (pods take time to be Ready). */
const SETTLE_MS = 90_000;

async function labTest(flags, positionals) {
  const source = labSource(positionals);
  const { path } = source;
  const server = serverOf(flags);
  // Solutions and titles as the server reads the lab (a scenario's come from its Markdown).
  const lab = source.scenario ? (await lint(server, source)).lab : parseLabYaml(source);
  const query = flags.clock ? `?clock=${encodeURIComponent(flags.clock)}` : "";
  const created = await startSession(
    `${server}/api/sessions${query}`,
    JSON.stringify({ lab: source.scenario ? { killercoda: source.scenario } : lab }),
    "application/json",
  );
  if (created.status !== 201) throw new CliError(`${path}: the session did not start: ${errorMessage(created)}`);
  const session = JSON.parse(created.text);
  const auth = { authorization: `Bearer ${session.token}` };
  const call = async (method, p, body) => {
    const res = await request(method, `${server}/api/sessions/${session.id}${p}`, {
      body,
      headers: { ...auth, "content-type": "text/plain" },
    });
    if (res.status !== 200) throw new CliError(`${method} ${p}: ${errorMessage(res)}`);
    return JSON.parse(res.text);
  };
  const failures = [];
  const failed = (r) =>
    r.conditions.filter((c) => !c.passed).map((c) => `${c.description}${c.output ? ` (${c.output.trim().split("\n")[0]})` : ""}`);
  try {
    for (const [i, step] of lab.steps.entries()) {
      const n = i + 1;
      const before = await call("POST", `/lab/steps/${n}/check`);
      // A scenario's step without a verify script has nothing to check: reading it is the step.
      if (before.passed && step.checks.length) failures.push(`step ${n} "${step.title}": its check passes before its solution ran`);
      if (!step.solution) {
        failures.push(`step ${n} "${step.title}": it has no solution to test`);
        continue;
      }
      const ran = await call("POST", "/run", step.solution);
      // A scenario's solution is what its text gives the learner to type, examples with made-up
      // names included: only its check is the judge there.
      if (ran.exitCode !== 0) {
        const why = `its solution exited ${ran.exitCode}: ${(ran.stderr || ran.stdout).trim()}`;
        if (source.scenario) log(`note step ${n}: ${why}`);
        else failures.push(`step ${n} "${step.title}": ${why}`);
      }
      let after;
      for (const deadline = Date.now() + SETTLE_MS; ; await new Promise((r) => setTimeout(r, 1000))) {
        after = await call("POST", `/lab/steps/${n}/check`);
        if (after.passed || Date.now() > deadline) break;
      }
      if (after.passed) log(`ok   step ${n}: ${step.title}`);
      else {
        log(`FAIL step ${n}: ${step.title}`);
        failures.push(`step ${n} "${step.title}": after its solution: ${failed(after).join("; ")}`);
      }
    }
    const view = await call("GET", "/lab");
    if (!view.completed && !failures.length) failures.push("the lab is not completed after every step passed");
  } finally {
    await request("DELETE", `${server}/api/sessions/${session.id}`, { headers: auth }).catch(() => {});
  }
  if (failures.length) {
    for (const f of failures) log(`${path}: ${f}`);
    throw new CliError(`${path}: ${failures.length} problem${failures.length === 1 ? "" : "s"}`);
  }
  log(`${path}: every step fails before its solution and passes after it`);
}

function parseLabYaml({ path, text }) {
  try {
    return parseYaml(text);
  } catch (e) {
    throw new CliError(`${path}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
}

const COMMANDS = {
  "create cluster": createCluster,
  "get clusters": getClusters,
  "get kubeconfig": getKubeconfig,
  "delete cluster": deleteCluster,
  "lab lint": labLint,
  "lab test": labTest,
};

async function main(argv) {
  const { values: flags, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const command = COMMANDS[positionals.slice(0, 2).join(" ")];
  if (flags.help || !command) {
    (command || flags.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return flags.help || positionals.length === 0 ? 0 : 1;
  }
  await command(flags, positionals);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    log(`ERROR: ${e instanceof CliError || e?.code?.startsWith?.("ERR_PARSE_ARGS") || e?.code === "ENOENT" ? e.message : (e?.stack ?? e)}`);
    process.exit(1);
  },
);
