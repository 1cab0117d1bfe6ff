#!/usr/bin/env node
// `npm start`: run kubeplay locally at https://127.0.0.1:${PORT:-8787}, offline, with no Cloudflare account:
// a local signing secret in .dev.vars, local D1 migrations, then `wrangler dev` with persisted state.
// Any [vars] knob set in the environment (e.g. MAX_SESSIONS_PER_CLIENT=100 npm start) overrides wrangler.toml.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, appendFileSync, watch } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = process.env.PORT || "8787";
const persist = process.env.KUBEPLAY_STATE_DIR || join(root, ".wrangler", "state");
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  CI: process.env.CI ?? "1",
  // wrangler's debug log (it writes one per run whatever the log level) stays with the state it belongs to.
  WRANGLER_LOG_PATH: process.env.WRANGLER_LOG_PATH ?? join(persist, "logs"),
};
// wrangler dev's DevTools proxy turns on the inspector's Network domain, so every call from the Worker
// into a cluster's Durable Object sends three events through wrangler's proxy to its Node process,
// which appends each to that debug log: over 40 % of the server's CPU per request, and 12 MB of
// log a minute under load. It runs only when DevTools are asked for (--inspector-port, as the memory
// benchmark does). wrangler has no flag for it: this variable is how it leaves the inspector to a
// debugger that is already attached.
if (!process.argv.slice(2).some((a) => a.startsWith("--inspector-port"))) env.VSCODE_INSPECTOR_OPTIONS = "kubeplay: no DevTools proxy";
const KNOBS = [
  "SESSION_LIFETIME",
  "MAX_SESSION_LIFETIME",
  "MAX_NODES",
  "MAX_SESSIONS_PER_CLIENT",
  "MAX_OBJECTS_PER_CLUSTER",
  "SESSION_RATE_LIMIT",
  "EMBED_ORIGINS",
  "COURSES",
];

// 1. A random local signing secret, kept across restarts so issued kubeconfigs stay valid.
const devVars = join(root, ".dev.vars");
const current = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
if (!/^KUBEPLAY_SECRET\s*=/m.test(current)) {
  const sep = current && !current.endsWith("\n") ? "\n" : "";
  appendFileSync(devVars, `${sep}KUBEPLAY_SECRET="${randomBytes(32).toString("base64url")}"\n`, { mode: 0o600 });
  console.log("kubeplay: wrote a local KUBEPLAY_SECRET to .dev.vars");
}

// 2. The session registry's schema, applied to the local D1 database (non-interactive).
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "kubeplay", "--local", "--persist-to", persist], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
if (migrate.status !== 0) {
  console.error("kubeplay: applying D1 migrations failed");
  process.exit(migrate.status ?? 1);
}

// 3. The web console, built once before the server starts; an edit under web/ rebuilds it, and
// wrangler dev reloads when its assets change.
const buildWeb = () => spawnSync(process.execPath, [join(root, "scripts", "build-web.mjs")], { cwd: root, env, stdio: "inherit" }).status;
if (buildWeb() !== 0) {
  console.error("kubeplay: building the web console failed");
  process.exit(1);
}
let rebuild;
watch(join(root, "web"), { recursive: true }, () => {
  clearTimeout(rebuild);
  rebuild = setTimeout(buildWeb, 200);
});

// 4. The server. HTTPS because kubectl only sends bearer tokens over TLS (wrangler makes a self-signed cert).
const vars = KNOBS.filter((k) => process.env[k]).flatMap((k) => ["--var", `${k}:${process.env[k]}`]);
const args = [
  "dev",
  "--local",
  "--local-protocol",
  "https",
  "--ip",
  "127.0.0.1",
  "--port",
  port,
  "--persist-to",
  persist,
  "--show-interactive-dev-session=false",
  ...vars,
  ...process.argv.slice(2),
];
const child = spawn(wrangler, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signal === "SIGINT" ? 2 : 15) : 1)));
