import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations for the D1 registry into migrations/ (applied by wrangler).
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/schema.ts",
  out: "./migrations",
});
