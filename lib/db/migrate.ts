import { env } from "@/lib/env";
import { openDatabase } from "./client";
import { migrationJournal } from "./schema-version";

/**
 * `npm run db:migrate`: applies drizzle/ to the configured database (PostgreSQL or PGlite) under
 * the migration lock, whatever MIGRATE_ON_START says, and closes it. Returns what this call
 * applied (nothing when the schema was current or another process applied it meanwhile) and the
 * schema version the database is now at.
 */
export async function migrateConfiguredDatabase(): Promise<{
  kind: string;
  applied: string[];
  current: string;
}> {
  const config = env().database;
  const handle = await openDatabase(config.kind === "postgres" ? { ...config, max: 1 } : config);
  try {
    const applied = await handle.migrate();
    return { kind: handle.kind, applied, current: migrationJournal().at(-1)!.tag };
  } finally {
    await handle.close();
  }
}
