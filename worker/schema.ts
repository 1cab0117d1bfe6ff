// The D1 session registry (drizzle-orm). Generate migrations with `npm run db:generate`.
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { NodeRole } from "../durable/contract";

export type SessionState = "live" | "expired" | "deleted";

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    /** ISO 8601 timestamps (sortable as text). */
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    nodes: text("nodes", { mode: "json" }).$type<{ role: NodeRole }[]>().notNull(),
    state: text("state", { enum: ["live", "expired", "deleted"] })
      .$type<SessionState>()
      .notNull()
      .default("live"),
    /** SHA-256 of the creator's address keyed with the secret: quotas without storing addresses. */
    clientHash: text("client_hash").notNull(),
    /** The course key the session was started under (its quota, its teacher's view); null for none. */
    course: text("course"),
    /** The name the learner gave, for the teacher's view; null when none was given. */
    learner: text("learner"),
    /** The catalogue lab it runs, by name; null for none or an inline lab. */
    lab: text("lab"),
    /** Keyed hash of the creator's address, its Idempotency-Key and the request body: a retried
     *  request finds the session it created instead of starting a second one. Null without a key. */
    requestKey: text("request_key"),
  },
  (t) => [
    index("sessions_client_state").on(t.clientHash, t.state),
    index("sessions_state_expires").on(t.state, t.expiresAt),
    index("sessions_course_state").on(t.course, t.state),
    uniqueIndex("sessions_request_key").on(t.requestKey),
  ],
);

export type SessionRow = typeof sessions.$inferSelect;
