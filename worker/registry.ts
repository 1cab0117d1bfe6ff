// Session registry queries (D1 through drizzle-orm).
import { and, count, eq, gt, gte, isNull, lte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { NodeRole } from "../durable/contract";
import { sessions, type SessionRow, type SessionState } from "./schema";

export type { SessionRow, SessionState };

const db = (d1: D1Database) => drizzle(d1, { schema: { sessions } });

export async function insertSession(
  d1: D1Database,
  row: {
    id: string;
    createdAt: string;
    expiresAt: string;
    nodes: { role: NodeRole }[];
    clientHash: string;
    course?: string;
    learner?: string;
    lab?: string;
    requestKey?: string;
  },
): Promise<boolean> {
  // A concurrent request with the same key inserted first: this one made nothing.
  const res = await db(d1)
    .insert(sessions)
    .values({ ...row, state: "live" })
    .onConflictDoNothing({ target: sessions.requestKey })
    .run();
  return res.meta.changes === 1;
}

/** The session a request with this key started, whatever became of it. */
export async function sessionByRequestKey(d1: D1Database, requestKey: string): Promise<SessionRow | undefined> {
  return db(d1).select().from(sessions).where(eq(sessions.requestKey, requestKey)).get();
}

export async function getSession(d1: D1Database, id: string): Promise<SessionRow | undefined> {
  return db(d1).select().from(sessions).where(eq(sessions.id, id)).get();
}

/** Live, unexpired sessions created from one (hashed) address outside any course (a course's count
 *  against the course), the next to expire first. */
export async function liveSessions(
  d1: D1Database,
  clientHash: string,
  now: Date,
): Promise<Pick<SessionRow, "id" | "createdAt" | "expiresAt" | "nodes">[]> {
  return db(d1)
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, nodes: sessions.nodes })
    .from(sessions)
    .where(
      and(
        eq(sessions.clientHash, clientHash),
        isNull(sessions.course),
        eq(sessions.state, "live"),
        gt(sessions.expiresAt, now.toISOString()),
      ),
    )
    .orderBy(sessions.expiresAt);
}

/** A course's live, unexpired sessions, the next to expire first. */
export async function courseSessions(
  d1: D1Database,
  course: string,
  now: Date,
): Promise<Pick<SessionRow, "id" | "createdAt" | "expiresAt" | "learner" | "lab">[]> {
  return db(d1)
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, learner: sessions.learner, lab: sessions.lab })
    .from(sessions)
    .where(and(eq(sessions.course, course), eq(sessions.state, "live"), gt(sessions.expiresAt, now.toISOString())))
    .orderBy(sessions.expiresAt);
}

/** How many sessions a course started since `since`, whatever became of them. */
export async function createdSince(d1: D1Database, course: string, since: Date): Promise<number> {
  const [row] = await db(d1)
    .select({ n: count() })
    .from(sessions)
    .where(and(eq(sessions.course, course), gte(sessions.createdAt, since.toISOString())));
  return row?.n ?? 0;
}

/** Moves a session out of "live" (never back); returns whether this call changed it. */
export async function endSession(d1: D1Database, id: string, state: Exclude<SessionState, "live">): Promise<boolean> {
  const res = await db(d1)
    .update(sessions)
    .set({ state })
    .where(and(eq(sessions.id, id), eq(sessions.state, "live")))
    .run();
  return (res.meta.changes ?? 0) > 0;
}

/** Live sessions whose expiry has passed (for the cron sweep), oldest first. */
export async function overdueSessions(d1: D1Database, now: Date, limit = 100): Promise<string[]> {
  const rows = await db(d1)
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.state, "live"), lte(sessions.expiresAt, now.toISOString())))
    .orderBy(sessions.expiresAt)
    .limit(limit);
  return rows.map((r) => r.id);
}
