import { sql } from "drizzle-orm";
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

/**
 * When the least recently confirmed screening list was last confirmed by its source (imported,
 * or found unchanged); null: none imported yet.
 */
export async function getOldestScreeningListImport(): Promise<Date | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      at: sql<
        Date | string | null
      >`min(coalesce(${screeningLists.checkedAt}, ${screeningLists.importedAt}))`,
    })
    .from(screeningLists);
  return row?.at ? new Date(row.at) : null;
}
