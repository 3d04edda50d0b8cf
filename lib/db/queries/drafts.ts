import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "../client";
import { caseDrafts, caseSubmissions, type CaseDraft, type CaseSubmission } from "../schema";
import { lockCaseForWrite, type Tx } from "./cases";
import { retireCurrentDocuments } from "./documents";
import { preparedPerHandle } from "./prepared";

export type DraftWrite =
  { written: true; version: number } | { written: false; why: "not_editable" | "stale" };

/**
 * Saves a step's draft while the case is editable, checked under the case row lock a submit
 * also takes (see lockCaseForWrite): a save that started before a submit and lands after it is
 * refused. With `expectedVersion` (autosaves) the write applies only to that version of the
 * draft (0: none yet): an autosave typed before the trader's "Save and continue" and arriving
 * after it finds a newer version and changes nothing.
 */
export async function upsertDraft(values: {
  caseId: string;
  step: string;
  payload: string;
  completedAt: Date | null;
  now: Date;
  editable: ReadonlySet<string>;
  expectedVersion?: number;
  /**
   * With the write, in its transaction: the case's current files of this document type stop
   * being its documents (marked replaced, kept as evidence), with an audit event.
   */
  retire?: {
    documentType: string;
    audit: { actorId: string; traderId: string; data: Record<string, unknown> };
  };
}): Promise<DraftWrite> {
  const db = await getDb();
  return db.transaction(async (tx): Promise<DraftWrite> => {
    const status = await lockCaseForWrite(tx, values.caseId);
    if (!status || !values.editable.has(status)) return { written: false, why: "not_editable" };
    const [row] = await tx
      .insert(caseDrafts)
      .values({
        caseId: values.caseId,
        step: values.step,
        payload: values.payload,
        completedAt: values.completedAt,
        updatedAt: values.now,
      })
      .onConflictDoUpdate({
        target: [caseDrafts.caseId, caseDrafts.step],
        set: {
          payload: values.payload,
          completedAt: values.completedAt,
          updatedAt: values.now,
          version: sql`${caseDrafts.version} + 1`,
        },
        setWhere:
          values.expectedVersion === undefined
            ? undefined
            : sql`${caseDrafts.version} = ${values.expectedVersion}`,
      })
      .returning({ version: caseDrafts.version });
    // A first save expected version 0 but found a row: someone saved first.
    if (!row || (values.expectedVersion === 0 && row.version !== 1))
      return { written: false, why: "stale" };
    if (values.retire)
      await retireCurrentDocuments(tx, {
        caseId: values.caseId,
        documentType: values.retire.documentType,
        audit: values.retire.audit,
        now: values.now,
      });
    return { written: true, version: row.version };
  });
}

/** What the trader sent in one round, frozen in the submit's transaction. */
export async function insertCaseSubmission(
  tx: Tx,
  row: typeof caseSubmissions.$inferInsert,
): Promise<void> {
  await tx.insert(caseSubmissions).values(row);
}

export async function listCaseSubmissions(caseId: string): Promise<CaseSubmission[]> {
  const db = await getDb();
  return db
    .select()
    .from(caseSubmissions)
    .where(eq(caseSubmissions.caseId, caseId))
    .orderBy(asc(caseSubmissions.round));
}

/** The version of each step's draft, as the screen needs it to autosave against. */
export async function getDraftVersion(caseId: string, step: string): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ version: caseDrafts.version })
    .from(caseDrafts)
    .where(and(eq(caseDrafts.caseId, caseId), eq(caseDrafts.step, step)));
  return row?.version ?? 0;
}

/** Prepared: every screen render of the flow and the status screen reads the drafts. */
const draftsQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(caseDrafts)
    .where(eq(caseDrafts.caseId, sql.placeholder("caseId")))
    .prepare("list_case_drafts"),
);

export async function listDrafts(caseId: string): Promise<CaseDraft[]> {
  return draftsQuery(await getDb()).execute({ caseId });
}
