// End-to-end harness: runs the real server (`npm start` → wrangler dev) on a free port with a fresh
// state directory, creates sessions through the public API, and drives the real kubectl binaries.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import https from "node:https";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** kubectl binaries by minor version; "default" is /usr/bin/kubectl. */
export const KUBECTL = {
  default: "/usr/bin/kubectl",
  ...Object.fromEntries([27, 28, 29, 30, 31, 32, 33].map((m) => [`1.${m}`, `/usr/lib/google-cloud-sdk/bin/kubectl.1.${m}`])),
};
export const KUBECTL_VERSIONS = Object.keys(KUBECTL).filter((v) => v !== "default" && existsSync(KUBECTL[v]));

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** An HTTPS request to the local server (self-signed certificate). */
export function request(url, { method = "GET", headers = {}, body } = {}, retried = false) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    // A kept-alive connection the server closed just as it was reused resets before any answer: the
    // request never reached the server, so it is sent again once on a new connection (as Node's docs
    // advise for req.reusedSocket).
    req.on("error", (e) =>
      req.reusedSocket && e.code === "ECONNRESET" && !retried
        ? request(url, { method, headers, body }, true).then(resolve, reject)
        : reject(e),
    );
    if (body !== undefined) req.write(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    req.end();
  });
}

/** The server runs in its own process group (so stop() can end wrangler and workerd together); make
 *  sure that group dies with us even when we are killed or time out, or workerd lingers, busy. */
const children = new Set();
function killOnExit(child) {
  if (!children.size) {
    process.once("exit", () => {
      for (const c of children) {
        try {
          process.kill(-c.pid, "SIGKILL");
        } catch {}
      }
    });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
      process.once(signal, () => process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1)));
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** Log lines of a server error (after ANSI colours are removed). */
const SERVER_ERROR_LINES = [
  /^\[wrangler:[a-z]+\] [A-Z]+ \S+ 500\b/, // a request answered 500
  /\binternal error\b/, // durable/api/server.ts: an exception that is not an ApiError
  /\breconcile \S+ failed\b/, // durable/controllers/runtime.ts
  /\bUncaught\b/, // workerd: an exception nobody caught
  // wrangler: console.error of the Worker, or the Worker failed (exceeded memory, crashed, …); not a
  // rebuild that failed because a source file changed half-way while the server ran.
  /^✘ \[ERROR\] (?!Build failed)/,
];
// Not server errors, and logged by the runtime with nothing of ours on the stack:
// - "Uncaught Error: Network connection lost." when the client of a proxied WebSocket (exec, attach,
//   port-forward) drops its TCP connection after the stream ended;
// - "disconnected: ::write(…): Broken pipe" when a client went away while its response was written.
const RUNTIME_NOISE =
  /Uncaught Error: Network connection lost\.$|disconnected: ::write\(fd, buffer\.begin\(\), buffer\.size\(\)\): Broken pipe$/;
const ANSI = /\x1b\[[0-9;]*m/g;
/** Running as a test: under `node --test` (which sets NODE_TEST_CONTEXT) or a *.test.mjs file run directly. */
const UNDER_TEST = Boolean(process.env.NODE_TEST_CONTEXT) || /\.test\.m?js$/.test(process.argv[1] ?? "");

export class Server {
  constructor(port, child, stateDir, logs) {
    this.port = port;
    this.child = child;
    this.stateDir = stateDir;
    this.logs = logs;
    this.origin = `https://127.0.0.1:${port}`;
  }

  /** Start `npm start` on a free port (extra arguments go to `wrangler dev`, e.g. --inspector-port);
   *  resolves when /healthz answers. */
  static async start(extraEnv = {}, wranglerArgs = []) {
    const port = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), "kubeplay-e2e-"));
    const child = spawn(process.execPath, [join(root, "scripts", "start.mjs"), ...wranglerArgs], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        KUBEPLAY_STATE_DIR: stateDir,
        MAX_SESSIONS_PER_CLIENT: "1000",
        SESSION_RATE_LIMIT: "off",
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const logs = [];
    child.stdout.on("data", (d) => logs.push(d.toString()));
    child.stderr.on("data", (d) => logs.push(d.toString()));
    const server = new Server(port, child, stateDir, logs);
    killOnExit(child);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${logs.join("")}`);
      try {
        const res = await request(`${server.origin}/healthz`);
        if (res.status === 200) break;
      } catch {}
      if (Date.now() > deadline) {
        await server.stop({ allowServerErrors: true });
        throw new Error(`server did not start in time:\n${logs.join("")}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return server;
  }

  /**
   * The server's log lines that show a server error: requests `wrangler dev` logged as answered
   * 500, and what the server prints when it fails ("internal error" from the API server, a failed
   * reconcile, an uncaught exception, wrangler's own ✘ [ERROR] lines).
   */
  serverErrors() {
    return this.logs
      .join("")
      .split("\n")
      .map((line) => line.replace(ANSI, "").trimEnd())
      .filter((line) => SERVER_ERROR_LINES.some((re) => re.test(line)) && !RUNTIME_NOISE.test(line));
  }

  /**
   * Stop the server. Under node:test (the e2e suites) it then throws when the server logged a
   * server error (see serverErrors), so every suite's `after(() => server.stop())` fails on a 500
   * nobody asserted on; `{ allowServerErrors: true }` skips that check.
   */
  async stop({ allowServerErrors = !UNDER_TEST } = {}) {
    await this.#end();
    const errors = allowServerErrors ? [] : this.serverErrors();
    if (errors.length) {
      const log = join(tmpdir(), `kubeplay-server-${this.port}.log`);
      writeFileSync(log, this.logs.join(""));
      throw new Error(`the server logged ${errors.length} server error line(s) (whole log: ${log}):\n${errors.join("\n")}`);
    }
  }

  async #end() {
    if (this.child.exitCode === null) {
      try {
        process.kill(-this.child.pid, "SIGTERM");
      } catch {}
      await new Promise((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-this.child.pid, "SIGKILL");
          } catch {}
          r();
        }, 5000);
        this.child.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** POST /api/sessions; returns the session with a kubeconfig file written to disk. */
  /**
   * How many rows of the clusters' own SQLite databases (every Durable Object's, every table, as
   * `wrangler dev` persists them) contain `text`: what a cluster really keeps, read past the API.
   */
  storedRowsContaining(text) {
    const script = `
import glob, sqlite3, sys
n = 0
for f in glob.glob(sys.argv[1] + "/v3/do/*-Cluster/*.sqlite"):
    if f.endswith("/metadata.sqlite"): continue
    db = sqlite3.connect(f"file:{f}?mode=ro", uri=True)
    for (t,) in db.execute("select name from sqlite_master where type='table'"):
        for row in db.execute(f'select * from "{t}"'):
            n += any(sys.argv[2].encode() in (c if isinstance(c, bytes) else str(c).encode()) for c in row)
print(n)`;
    const res = spawnSync("python3", ["-c", script, this.stateDir, text], { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`reading the clusters' storage failed: ${res.stderr}`);
    return Number(res.stdout.trim());
  }

  async createSession(body = {}, contentType = "application/json") {
    const res = await request(`${this.origin}/api/sessions`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`create session: ${res.status} ${res.text}`);
    return new Session(this, res.json);
  }
}

export class Session {
  constructor(host, info) {
    Object.assign(this, info); // id, createdAt, expiresAt, server (the cluster URL), token, kubeconfig
    this.host = host;
    this.dir = mkdtempSync(join(tmpdir(), "kubeplay-kc-"));
    this.kubeconfigPath = join(this.dir, "config");
    writeFileSync(this.kubeconfigPath, info.kubeconfig);
  }

  /** Run kubectl (version "default" or "1.27" … "1.33") with this session's kubeconfig. */
  kubectl(args, { version = "default", input, env = {}, timeout = 60_000 } = {}) {
    const argv = typeof args === "string" ? splitArgs(args) : args;
    const res = spawnSync(KUBECTL[version], argv, {
      input,
      env: { ...process.env, KUBECONFIG: this.kubeconfigPath, HOME: this.dir, ...env },
      encoding: "utf8",
      timeout,
      cwd: this.dir,
    });
    return { code: res.status, stdout: res.stdout ?? "", stderr: res.stderr ?? "", out: (res.stdout ?? "") + (res.stderr ?? "") };
  }

  /** kubectl that must succeed; returns stdout. */
  k(args, opts) {
    const r = this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${typeof args === "string" ? args : args.join(" ")} failed (${r.code}):\n${r.out}`);
    return r.stdout;
  }

  /**
   * Run a command line in a pseudo-terminal (util-linux `script`), as a learner at a terminal would:
   * `keys` are typed one by one, the first after `firstAfter` ms, then every `between` ms. Resolves
   * with what the terminal showed and the exit code (killed after `timeout`).
   */
  terminal(cmd, keys, { firstAfter = 1500, between = 700, timeout = 30_000 } = {}) {
    return new Promise((resolve) => {
      const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
        env: { ...process.env, KUBECONFIG: this.kubeconfigPath, HOME: this.dir },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      let i = 0;
      const type = () => {
        if (i < keys.length) child.stdin.write(keys[i++]);
        if (i < keys.length) setTimeout(type, between);
      };
      setTimeout(type, firstAfter);
      const t = setTimeout(() => child.kill("SIGKILL"), timeout);
      child.on("exit", (code) => {
        clearTimeout(t);
        resolve({ out, code });
      });
    });
  }

  /** Write a file into the session's working directory. */
  file(name, content) {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** A raw request to this session's cluster (path like /api/v1/pods) with its token. */
  api(path, opts = {}) {
    return request(`${this.server}${path}`, {
      ...opts,
      headers: { authorization: `Bearer ${this.token}`, ...(opts.headers ?? {}) },
    });
  }
}

/** Split a command line on spaces, honouring single and double quotes. */
export function splitArgs(s) {
  const out = [];
  let cur = "";
  let quote = null;
  let has = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (cur || has) out.push(cur);
      cur = "";
      has = false;
    } else cur += ch;
  }
  if (cur || has) out.push(cur);
  return out;
}

/** Poll fn until it returns a truthy value (or throw after timeout). */
export async function eventually(fn, { timeout = 20_000, interval = 200 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
