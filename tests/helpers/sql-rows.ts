import type { SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";

/** The rows of a raw query on either engine (postgres.js answers an array, PGlite `{ rows }`). */
export async function sqlRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}
