// Courses: a class behind one school address starts its sessions under a course key, which has a
// quota of its own (live sessions, creations a minute) and the embedding origins its labs may be
// framed by, instead of the per-address limits. A course key sits in a course page's HTML, so it is
// public, like a publishable key: it can only spend the course's quota. The teacher's view of the
// class needs the course's teacher token, which never leaves the teacher's hands.
import { Hono, type Context } from "hono";
import type { LabView } from "../durable/contract";
import { clusterStub } from "./auth";
import type { AppEnv, Env } from "./env";
import { courseSessions, createdSince } from "./registry";
import { notFound, status, statusResponse, tooManyRequests, unauthorized } from "./status";
import { bearerToken } from "./token";

export interface Course {
  key: string;
  title: string;
  /** Live sessions the course may hold at once. */
  sessions: number;
  /** Sessions it may start a minute. */
  perMinute: number;
  /** Who may frame its labs: a CSP frame-ancestors source list. */
  origins: string[];
  /** The bearer token of the teacher's view. */
  teacher: string;
}

/** The courses an operator configured (COURSES: JSON `{"<key>": {title, sessions, perMinute, origins, teacher}}`). */
export function courses(env: Env): Map<string, Course> {
  const out = new Map<string, Course>();
  if (!env.COURSES?.trim()) return out;
  let doc: Record<string, Partial<Course>>;
  try {
    doc = JSON.parse(env.COURSES);
  } catch (e) {
    console.error(`COURSES is not valid JSON, so no course is served: ${(e as Error).message}`);
    return out;
  }
  for (const [key, c] of Object.entries(doc ?? {})) {
    if (typeof c?.teacher !== "string" || c.teacher.length < 16) {
      console.error(`course ${key}: its teacher token must be a string of at least 16 characters; the course is not served`);
      continue;
    }
    out.set(key, {
      key,
      title: typeof c.title === "string" ? c.title : key,
      sessions: Number.isInteger(c.sessions) && c.sessions! > 0 ? c.sessions! : 40,
      perMinute: Number.isInteger(c.perMinute) && c.perMinute! > 0 ? c.perMinute! : 40,
      origins: Array.isArray(c.origins) ? c.origins.filter((o) => typeof o === "string") : [],
      teacher: c.teacher,
    });
  }
  return out;
}

/** Why the course cannot start a session now, if it cannot: an unknown key, a full course, or too many at once. */
export async function courseRefusal(env: Env, key: string, now: Date): Promise<Response | undefined> {
  const course = courses(env).get(key);
  if (!course)
    return statusResponse(
      status(403, "Forbidden", `unknown course key ${JSON.stringify(key)}: ask the course's teacher for the page that embeds its labs`),
    );
  const live = await courseSessions(env.DB, key, now);
  if (live.length >= course.sessions)
    return statusResponse(
      status(
        403,
        "Forbidden",
        `the course "${course.title}" has ${live.length} live sessions, its limit; one frees itself when it expires (the next at ${live[0].expiresAt})`,
      ),
    );
  const recent = await createdSince(env.DB, key, new Date(now.getTime() - 60_000));
  if (recent >= course.perMinute)
    return tooManyRequests(
      `the course "${course.title}" started ${recent} sessions in the last minute, its limit; try again in a minute`,
      60,
    );
  return undefined;
}

/** frame-ancestors for an embedded lab page: the course's origins when it names a course, else the deployment's list. */
export function frameAncestors(c: Context<AppEnv>): string {
  const course = c.req.query("course") ? courses(c.env).get(c.req.query("course")!) : undefined;
  if (course) return course.origins.length ? course.origins.join(" ") : "'none'";
  return c.env.EMBED_ORIGINS?.trim() || "*";
}

export const courseRoutes = new Hono<AppEnv>();

/** The teacher's view: the class's live sessions, each learner's name and step progress. */
courseRoutes.get("/:key/sessions", async (c) => {
  const course = courses(c.env).get(c.req.param("key"));
  const token = bearerToken(c.req.raw.headers);
  if (!course || !token || !(await sameSecret(token, course.teacher)))
    return course ? unauthorized() : notFound(`no course ${c.req.param("key")}`);
  const live = await courseSessions(c.env.DB, course.key, new Date());
  const views = await Promise.all(
    live.map((s) =>
      clusterStub(c.env, s.id)
        .lab()
        .catch(() => null),
    ),
  );
  return c.json({
    course: course.title,
    sessions: live.map((s, i) => ({
      id: s.id,
      learner: s.learner ?? "",
      lab: s.lab ?? "",
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      ...(views[i] ? { progress: progressOf(views[i]!) } : {}),
    })),
  });
});

const progressOf = (v: LabView) => ({ ...v.progress, completed: v.completed, steps: v.steps.map((s) => s.verified) });

/** Compare two secrets in constant time (their digests, so lengths do not show). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const digest = async (s: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(x, y);
}
