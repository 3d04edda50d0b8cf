import { defineConfig } from "drizzle-kit";

// Generation needs no database; `npm run db:migrate` (scripts/db-migrate.ts) applies migrations
// to PostgreSQL or PGlite with the same code the app runs at start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema/index.ts",
  out: "./drizzle",
});
