import { eq } from "drizzle-orm";
import { getDb } from "../client";
import { passCursors } from "../schema";

/** Where the pass `name` stopped last (the last row it read), or undefined: at the head. */
export async function getPassCursor(name: string): Promise<string | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ after: passCursors.after })
    .from(passCursors)
    .where(eq(passCursors.name, name));
  return row?.after ?? undefined;
}

/** Saves where the pass `name` stopped (undefined: it reached the end, the next starts at the head). */
export async function setPassCursor(
  name: string,
  after: string | undefined,
  now: Date,
): Promise<void> {
  const db = await getDb();
  const row = { after: after ?? null, updatedAt: now };
  await db
    .insert(passCursors)
    .values({ name, ...row })
    .onConflictDoUpdate({ target: passCursors.name, set: row });
}
