import { min, sql } from "drizzle-orm";
import { getDb } from "../client";
import { screeningLists, traders } from "../schema";

/** A real round trip through the query builder: proves connectivity and that migrations ran. */
export async function pingDatabase(): Promise<void> {
  const db = await getDb();
  await db
    .select({ one: sql<number>`1` })
    .from(traders)
    .limit(1);
}

/** When the oldest imported screening list's current version was imported (null: none yet). */
export async function getOldestScreeningListImport(): Promise<Date | null> {
  const db = await getDb();
  const [row] = await db.select({ at: min(screeningLists.importedAt) }).from(screeningLists);
  return row?.at ? new Date(row.at) : null;
}
