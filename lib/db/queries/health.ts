import { sql } from "drizzle-orm";
import { getDb } from "../client";
import { traders } from "../schema";

/** A real round trip through the query builder: proves connectivity and that migrations ran. */
export async function pingDatabase(): Promise<void> {
  const db = await getDb();
  await db
    .select({ one: sql<number>`1` })
    .from(traders)
    .limit(1);
}
