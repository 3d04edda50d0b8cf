import { asc, eq } from "drizzle-orm";
import type { ListEntry } from "@/lib/screening/types";
import { getDb } from "../client";
import { screeningEntries, screeningLists, type ScreeningList } from "../schema";

const INSERT_CHUNK = 1000;

export async function listScreeningLists(): Promise<ScreeningList[]> {
  const db = await getDb();
  return db.select().from(screeningLists).orderBy(asc(screeningLists.source));
}

/**
 * Replaces one source's list and entries in one transaction. Returns false (and writes nothing)
 * when the stored version is already this one: importing the same file twice is a no-op.
 */
export async function replaceScreeningList(input: {
  source: string;
  version: string;
  format: string;
  entries: readonly ListEntry[];
  now: Date;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(screeningLists)
      .where(eq(screeningLists.source, input.source))
      .for("update");
    if (current?.version === input.version) return false;
    const row = {
      version: input.version,
      format: input.format,
      importedAt: input.now,
      entryCount: input.entries.length,
    };
    await tx
      .insert(screeningLists)
      .values({ source: input.source, ...row })
      .onConflictDoUpdate({ target: screeningLists.source, set: row });
    await tx.delete(screeningEntries).where(eq(screeningEntries.source, input.source));
    for (let i = 0; i < input.entries.length; i += INSERT_CHUNK) {
      await tx.insert(screeningEntries).values(
        input.entries.slice(i, i + INSERT_CHUNK).map((entry) => ({
          source: input.source,
          entryId: entry.id,
          entry,
        })),
      );
    }
    return true;
  });
}

/** Every stored entry, in a stable order (source, id). */
export async function loadScreeningEntries(): Promise<ListEntry[]> {
  const db = await getDb();
  const rows = await db
    .select({ entry: screeningEntries.entry })
    .from(screeningEntries)
    .orderBy(asc(screeningEntries.source), asc(screeningEntries.entryId));
  return rows.map((r) => r.entry);
}
