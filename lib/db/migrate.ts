import { env } from "@/lib/env";
import { openDatabase } from "./client";

/** Applies drizzle/ to the configured database (PostgreSQL or PGlite) and closes it. */
export async function migrateConfiguredDatabase(): Promise<{ kind: string }> {
  const config = env().database;
  const handle = await openDatabase(config.kind === "postgres" ? { ...config, max: 1 } : config);
  try {
    await handle.migrate();
    return { kind: handle.kind };
  } finally {
    await handle.close();
  }
}
