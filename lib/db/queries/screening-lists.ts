import { and, asc, eq, sql } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { readListEntry, type ListEntry } from "@/lib/screening/types";
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
 * version is already this one and its entries read: they are left alone and only the list's
 * check time and validators move on (the source confirmed it). A stored version with an
 * unreadable entry is written again from the same bytes, which is how an operator repairs it.
 * Each entry is checked against the schema its readers use: one that does not fit fails the
 * import of this source, and the version in force stays.
 */
export async function replaceScreeningList(input: {
  source: string;
  version: string;
  format: string;
  entries: readonly ListEntry[];
  now: Date;
  origin?: ListOrigin;
}): Promise<boolean> {
  const entries = input.entries.map((entry) => {
    const read = readListEntry(entry, { source: input.source, entryId: entry.id });
    if (!read.ok)
      throw new AppError("BAD_REQUEST", `${input.source}: entry ${entry.id}: ${read.problem}`);
    return read.entry;
  });
  const db = await getDb();
  return db.transaction(async (tx) => {
    // A new version waits for approvals in flight, and they for it (listVersionsLock).
    await tx.execute(sql`select pg_advisory_xact_lock(${LIST_VERSIONS_LOCK_KEY})`);
    const [current] = await tx
      .select()
      .from(screeningLists)
      .where(eq(screeningLists.source, input.source))
      .for("update");
    if (current?.version === input.version && current.unreadableEntry === null) {
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
      entryCount: entries.length,
      unreadableEntry: null,
      ...confirmed(input.origin, input.now),
    };
    await tx
      .insert(screeningLists)
      .values({ source: input.source, ...row })
      .onConflictDoUpdate({ target: screeningLists.source, set: row });
    await tx.delete(screeningEntries).where(eq(screeningEntries.source, input.source));
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      await tx.insert(screeningEntries).values(
        entries.slice(i, i + INSERT_CHUNK).map((entry) => ({
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

/** A stored entry that does not read as a list entry, and why. */
export type UnreadableEntry = { source: string; entryId: string; problem: string };

/**
 * Every stored entry, in a stable order (source, id), each read with the schema the import wrote
 * it with. An entry that does not read is returned apart, never dropped: the caller decides.
 */
export async function loadScreeningEntries(): Promise<{
  entries: ListEntry[];
  unreadable: UnreadableEntry[];
}> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(screeningEntries)
    .orderBy(asc(screeningEntries.source), asc(screeningEntries.entryId));
  const entries: ListEntry[] = [];
  const unreadable: UnreadableEntry[] = [];
  for (const row of rows) {
    const read = readListEntry(row.entry, row);
    if (read.ok) entries.push(read.entry);
    else unreadable.push({ source: row.source, entryId: row.entryId, problem: read.problem });
  }
  return { entries, unreadable };
}

/**
 * Notes on the list that `version` of it holds an unreadable entry (health, the console and the
 * next import read it). A version replaced meanwhile is left alone: its entries are new.
 */
export async function markScreeningListUnreadable(
  source: string,
  version: string,
  entryId: string,
): Promise<void> {
  const db = await getDb();
  await db
    .update(screeningLists)
    .set({ unreadableEntry: entryId })
    .where(and(eq(screeningLists.source, source), eq(screeningLists.version, version)));
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
