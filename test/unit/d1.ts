// The registry's D1 migrations, applied to the test database (for tests that go through the Worker).
import { applyD1Migrations, env } from "cloudflare:test";
import type { Env } from "../../worker/env";

declare global {
  interface ImportMeta {
    glob<T>(pattern: string, options: { query: string; import: string; eager: true }): Record<string, T>;
  }
}

const migrations = import.meta.glob<string>("../../migrations/*.sql", { query: "?raw", import: "default", eager: true });

export async function applyMigrations(): Promise<void> {
  const list = Object.entries(migrations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sql]) => ({
      name,
      queries: sql
        .split("--> statement-breakpoint")
        .map((q) => q.trim())
        .filter(Boolean),
    }));
  await applyD1Migrations((env as unknown as Env).DB, list);
}
