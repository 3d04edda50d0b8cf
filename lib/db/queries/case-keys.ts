import { and, asc, eq, isNotNull, like, ne, type AnyColumn } from "drizzle-orm";
import { getDb } from "../client";
import { caseDrafts, caseKeys, caseSubmissions, documents, type CaseKeyRow } from "../schema";
import type { Tx } from "./cases";

export async function getCaseKey(caseId: string): Promise<CaseKeyRow | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(caseKeys).where(eq(caseKeys.caseId, caseId));
  return row;
}

/** Stores a new case key unless one exists; either way returns the one that is stored. */
export async function insertCaseKeyOrGet(values: {
  caseId: string;
  wrappedKey: string;
  keyId: string;
}): Promise<CaseKeyRow> {
  const db = await getDb();
  const [created] = await db.insert(caseKeys).values(values).onConflictDoNothing().returning();
  if (created) return created;
  const existing = await getCaseKey(values.caseId);
  if (!existing) throw new Error("insertCaseKeyOrGet: no key after conflict");
  return existing;
}

/** Live keys wrapped by another app key than `keyId` (what keys:rotate re-wraps), a batch. */
export async function listCaseKeysWrappedByOther(keyId: string, limit: number) {
  const db = await getDb();
  return db
    .select()
    .from(caseKeys)
    .where(and(isNotNull(caseKeys.wrappedKey), ne(caseKeys.keyId, keyId)))
    .orderBy(asc(caseKeys.caseId))
    .limit(limit);
}

/** Swaps the wrapping only if nobody changed (or destroyed) the key since it was read. */
export async function rewrapCaseKey(values: {
  caseId: string;
  fromWrapped: string;
  toWrapped: string;
  keyId: string;
  now: Date;
}): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(caseKeys)
    .set({ wrappedKey: values.toWrapped, keyId: values.keyId, rewrappedAt: values.now })
    .where(and(eq(caseKeys.caseId, values.caseId), eq(caseKeys.wrappedKey, values.fromWrapped)))
    .returning({ caseId: caseKeys.caseId });
  return rows.length === 1;
}

/** Destroys the case's key for good (in the purge's transaction); a case without one gets a destroyed row. */
export async function destroyCaseKey(tx: Tx, caseId: string, now: Date): Promise<void> {
  await tx
    .insert(caseKeys)
    .values({ caseId, wrappedKey: null, keyId: null, destroyedAt: now })
    .onConflictDoUpdate({
      target: caseKeys.caseId,
      set: { wrappedKey: null, keyId: null, destroyedAt: now },
    });
}

/** One case value still sealed directly under an app key (`v1.`), from before case keys. */
export type LegacyCaseValue =
  | { table: "case_drafts"; caseId: string; step: string; value: string }
  | { table: "case_submissions"; caseId: string; round: number; value: string }
  | { table: "documents"; caseId: string; id: string; value: string };

export async function listLegacyCaseValues(limit: number): Promise<LegacyCaseValue[]> {
  const db = await getDb();
  const legacy = (column: AnyColumn) => like(column, "v1.%");
  const drafts = await db
    .select({ caseId: caseDrafts.caseId, step: caseDrafts.step, value: caseDrafts.payload })
    .from(caseDrafts)
    .where(legacy(caseDrafts.payload))
    .limit(limit);
  const submissions = await db
    .select({
      caseId: caseSubmissions.caseId,
      round: caseSubmissions.round,
      value: caseSubmissions.payload,
    })
    .from(caseSubmissions)
    .where(legacy(caseSubmissions.payload))
    .limit(limit);
  const names = await db
    .select({ caseId: documents.caseId, id: documents.id, value: documents.originalName })
    .from(documents)
    .where(legacy(documents.originalName))
    .limit(limit);
  return [
    ...drafts.map((r) => ({ table: "case_drafts" as const, ...r })),
    ...submissions.map((r) => ({ table: "case_submissions" as const, ...r })),
    ...names.map((r) => ({ table: "documents" as const, ...r, value: r.value ?? "" })),
  ];
}

/** Replaces one legacy value with its re-encryption, only if it is still the value read. */
export async function replaceLegacyCaseValue(item: LegacyCaseValue, next: string): Promise<void> {
  const db = await getDb();
  if (item.table === "case_drafts")
    await db
      .update(caseDrafts)
      .set({ payload: next })
      .where(
        and(
          eq(caseDrafts.caseId, item.caseId),
          eq(caseDrafts.step, item.step),
          eq(caseDrafts.payload, item.value),
        ),
      );
  else if (item.table === "case_submissions")
    await db
      .update(caseSubmissions)
      .set({ payload: next })
      .where(
        and(
          eq(caseSubmissions.caseId, item.caseId),
          eq(caseSubmissions.round, item.round),
          eq(caseSubmissions.payload, item.value),
        ),
      );
  else
    await db
      .update(documents)
      .set({ originalName: next })
      .where(and(eq(documents.id, item.id), eq(documents.originalName, item.value)));
}
