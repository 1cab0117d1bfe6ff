// The Worker's bindings and configuration knobs (wrangler.toml [vars], secrets, .dev.vars).
import type { Cluster } from "../durable/cluster";

export interface Env {
  CLUSTER: DurableObjectNamespace<Cluster>;
  DB: D1Database;
  SESSION_RATE_LIMITER: RateLimit;
  ASSETS: Fetcher;
  /** HMAC key for session tokens (wrangler secret put KUBEPLAY_SECRET; .dev.vars locally). */
  KUBEPLAY_SECRET?: string;
  /** Default lifetime of a session, a Go-style duration ("4h", "90m"). */
  SESSION_LIFETIME?: string;
  /** Longest lifetime a request may ask for; asking more is refused (400), not clamped. */
  MAX_SESSION_LIFETIME?: string;
  MAX_NODES?: string;
  MAX_SESSIONS_PER_CLIENT?: string;
  MAX_OBJECTS_PER_CLUSTER?: string;
  /** "off" disables the per-address creation rate limit (local test runs). */
  SESSION_RATE_LIMIT?: string;
  /** Who may frame /embed/… pages: a CSP frame-ancestors source list ("*" by default; "'none'" for nobody). */
  EMBED_ORIGINS?: string;
  /** Courses and their quotas, as JSON (worker/courses.ts); a secret, since it holds teacher tokens. */
  COURSES?: string;
}

export type AppEnv = { Bindings: Env; Variables: { auth: import("./auth").Authorized } };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration such as "4h", "90m", "1h30m", "45s" into milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(s)) return null;
  let ms = 0;
  for (const [, num, , unit] of s.matchAll(/(\d+(\.\d+)?)(ms|h|m|s)/g)) ms += Number(num) * UNITS[unit!]!;
  return Math.round(ms);
}

/** Formats milliseconds the way Go prints a duration, trimmed of zero parts: 4h, 1h30m, 90s → 1m30s. */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}

const DEFAULT_LIFETIME = 4 * 3_600_000;

export interface Limits {
  lifetimeMs: number;
  maxLifetimeMs: number;
  maxNodes: number;
  maxSessionsPerClient: number;
}

export function limits(env: Env): Limits {
  const maxLifetimeMs = parseDuration(env.MAX_SESSION_LIFETIME ?? "") ?? DEFAULT_LIFETIME;
  const lifetimeMs = Math.min(parseDuration(env.SESSION_LIFETIME ?? "") ?? DEFAULT_LIFETIME, maxLifetimeMs);
  return {
    lifetimeMs,
    maxLifetimeMs,
    maxNodes: positiveInt(env.MAX_NODES, 10),
    maxSessionsPerClient: positiveInt(env.MAX_SESSIONS_PER_CLIENT, 5),
  };
}

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** True for origins that can only be the local dev server. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

// Used only when KUBEPLAY_SECRET is unset AND the request came to a loopback origin, i.e. `wrangler dev`
// without .dev.vars; a deployed Worker without the secret refuses to issue or accept tokens.
const LOCAL_DEV_SECRET = "kubeplay-local-dev-secret-not-for-production";

export function signingSecret(env: Env, url: URL): string | null {
  if (env.KUBEPLAY_SECRET) return env.KUBEPLAY_SECRET;
  return isLoopback(url.hostname) ? LOCAL_DEV_SECRET : null;
}
