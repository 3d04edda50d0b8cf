import { asc, eq, sql } from "drizzle-orm";
import type { ListEntry } from "@/lib/screening/types";
import { getDb } from "../client";
import { screeningEntries, screeningLists, type ScreeningList } from "../schema";
import { auditInTransaction, type AuditInput } from "./audit";
import type { Tx } from "./cases";

const INSERT_CHUNK = 1000;

export async function listScreeningLists(): Promise<ScreeningList[]> {
  const db = await getDb();
  return db.select().from(screeningLists).orderBy(asc(screeningLists.source));
}

/** Where a version came from: the configured location and the response's validators. */
export type ListOrigin = {
  location: string | null;
  etag?: string | null;
  lastModified?: string | null;
};

function confirmed(origin: ListOrigin = { location: null }, now: Date) {
  return {
    location: origin.location,
    etag: origin.etag ?? null,
    lastModified: origin.lastModified ?? null,
    checkedAt: now,
    failedAt: null,
    failure: null,
  };
}

/**
 * Advisory lock key of the list versions: an import holds it exclusively while it replaces a list,
 * an approval shares it while it asks whether its round was screened on the versions in force
 * (lib/kyc/cases.ts). So no approval commits on versions an import replaced meanwhile, and a
 * re-screening after an import sees every approval made on the versions before it as approved.
 * (0006's audit chain lock is 7274000001, the migrations' 7274000002.)
 */
export const LIST_VERSIONS_LOCK_KEY = 7274000003;

/** Inside an approval's transaction: waits for an import replacing a list, holds off the next. */
export async function shareListVersionsLock(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${LIST_VERSIONS_LOCK_KEY})`);
}

/**
 * Replaces one source's list and entries in one transaction. Returns false when the stored
 * version is already this one: the entries are left alone and only the list's check time and
 * validators move on (the source confirmed it).
 */
export async function replaceScreeningList(input: {
  source: string;
  version: string;
  format: string;
  entries: readonly ListEntry[];
  now: Date;
  origin?: ListOrigin;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // A new version waits for approvals in flight, and they for it (listVersionsLock).
    await tx.execute(sql`select pg_advisory_xact_lock(${LIST_VERSIONS_LOCK_KEY})`);
    const [current] = await tx
      .select()
      .from(screeningLists)
      .where(eq(screeningLists.source, input.source))
      .for("update");
    if (current?.version === input.version) {
      await tx
        .update(screeningLists)
        .set(confirmed(input.origin, input.now))
        .where(eq(screeningLists.source, input.source));
      return false;
    }
    const row = {
      version: input.version,
      format: input.format,
      importedAt: input.now,
      entryCount: input.entries.length,
      ...confirmed(input.origin, input.now),
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

/** A 304 to the conditional GET: the stored version is still the source's. */
export async function markScreeningListUnchanged(source: string, origin: ListOrigin, now: Date) {
  const db = await getDb();
  await db
    .update(screeningLists)
    .set(confirmed(origin, now))
    .where(eq(screeningLists.source, source));
}

/**
 * A fetch or import that failed: noted on the list (when one was imported before) for health,
 * the console and metrics; the entries stay as they are. False: the source has no list yet.
 */
export async function recordScreeningListFailure(
  source: string,
  failure: string,
  now: Date,
): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(screeningLists)
    .set({ failedAt: now, failure: failure.slice(0, 500) })
    .where(eq(screeningLists.source, source))
    .returning({ source: screeningLists.source });
  return rows.length > 0;
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

/**
 * Removes one source's list and its entries, with the audit event `audit` builds from the removed
 * list, in one transaction under the list versions lock like an import: an approval in flight
 * commits on the versions before or waits for the ones after. Null: no such list.
 */
export async function removeScreeningList(
  source: string,
  audit: (removed: ScreeningList) => AuditInput,
): Promise<ScreeningList | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LIST_VERSIONS_LOCK_KEY})`);
    const [removed] = await tx
      .delete(screeningLists)
      .where(eq(screeningLists.source, source))
      .returning();
    // Its entries go with it (on delete cascade).
    if (!removed) return null;
    await auditInTransaction(audit(removed))(tx);
    return removed;
  });
}
