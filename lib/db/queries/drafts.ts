import { and, asc, eq, inArray, isNotNull, isNull, ne, notInArray, or, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  caseDrafts,
  caseSubmissions,
  documents,
  kycCases,
  type CaseDraft,
  type CaseSubmission,
} from "../schema";
import { lockCaseForWrite, type Tx } from "./cases";
import { retireCurrentDocuments, voidPendingUploads } from "./documents";
import { preparedPerHandle } from "./prepared";

export type DraftWrite =
  { written: true; version: number } | { written: false; why: "not_editable" | "stale" | "erased" };

/**
 * Saves a step's draft while the case is editable, checked under the case row lock a submit
 * also takes (see lockCaseForWrite): a save that started before a submit and lands after it is
 * refused, and so is one that waited for the retention purge erasing the case (`erased`). With
 * `expectedVersion` (autosaves) the write applies only to that version of the draft (0: none
 * yet): an autosave typed before the trader's "Save and continue" and arriving after it finds a
 * newer version and changes nothing.
 */
export async function upsertDraft(values: {
  caseId: string;
  step: string;
  payload: string;
  completedAt: Date | null;
  now: Date;
  editable: ReadonlySet<string>;
  expectedVersion?: number;
  /** The autosave writing, kept as the one that made the new version; none: any other write. */
  saveId?: string;
  /**
   * An autosave the writer stopped waiting for: a version that save made from
   * `expectedVersion` is the writer's own, and is written over as if it were the expected one.
   */
  abandonedSave?: string;
  /**
   * With the write, in its transaction: the case's current files of this document type stop
   * being its documents (marked replaced, kept as evidence), with an audit event.
   */
  retire?: {
    documentType: string;
    keepKind?: { kind: string; sides: readonly string[] };
    audit: { actorId: string; traderId: string; data: Record<string, unknown> };
  };
}): Promise<DraftWrite> {
  const db = await getDb();
  return db.transaction(async (tx): Promise<DraftWrite> => {
    const status = await lockCaseForWrite(
      tx,
      values.caseId,
      values.retire ? "exclusive" : "shared",
    );
    if (status === "erased") return { written: false, why: "erased" };
    if (!status || !values.editable.has(status)) return { written: false, why: "not_editable" };
    // A later version expected where no draft exists (the step was never saved here, or the
    // form belongs to another case): stale, and nothing is written.
    const expected = values.expectedVersion;
    const abandoned = values.abandonedSave;
    const overAbandoned =
      expected !== undefined && abandoned !== undefined
        ? and(eq(caseDrafts.saveId, abandoned), eq(caseDrafts.version, expected + 1))
        : undefined;
    const saveId = values.saveId ?? null;
    const [row] =
      values.expectedVersion !== undefined && values.expectedVersion > 0
        ? await tx
            .update(caseDrafts)
            .set({
              payload: values.payload,
              completedAt: values.completedAt,
              updatedAt: values.now,
              version: sql`${caseDrafts.version} + 1`,
              saveId,
            })
            .where(
              and(
                eq(caseDrafts.caseId, values.caseId),
                eq(caseDrafts.step, values.step),
                or(eq(caseDrafts.version, values.expectedVersion), overAbandoned),
              ),
            )
            .returning({ version: caseDrafts.version })
        : await tx
            .insert(caseDrafts)
            .values({
              caseId: values.caseId,
              step: values.step,
              payload: values.payload,
              completedAt: values.completedAt,
              updatedAt: values.now,
              saveId,
            })
            .onConflictDoUpdate({
              target: [caseDrafts.caseId, caseDrafts.step],
              set: {
                payload: values.payload,
                completedAt: values.completedAt,
                updatedAt: values.now,
                version: sql`${caseDrafts.version} + 1`,
                saveId,
              },
              setWhere:
                expected === undefined
                  ? undefined
                  : or(eq(caseDrafts.version, expected), overAbandoned),
            })
            .returning({ version: caseDrafts.version });
    // A first save expected version 0 but found a row: someone saved first (unless it was the
    // abandoned save, which made version 1).
    if (!row || (expected === 0 && row.version !== 1 && !(overAbandoned && row.version === 2)))
      return { written: false, why: "stale" };
    if (values.retire)
      await retireCurrentDocuments(tx, {
        caseId: values.caseId,
        documentType: values.retire.documentType,
        ...(values.retire.keepKind && { keepKind: values.retire.keepKind }),
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

/**
 * A declined upgrade or renewal: the case's answers, current documents and document expiry go
 * back to those of the round its approval decided. The declined rounds stay in case_submissions
 * and their files stay as replaced documents (the evidence trail); nothing of them is in force.
 * Versions keep counting up, so an autosave typed before the decline never applies. Uploads still
 * pending are voided. Returns the documents that stopped being current.
 */
export async function restoreApprovedInputs(
  tx: Tx,
  input: {
    caseId: string;
    drafts: { step: string; payload: string; completedAt: Date | null }[];
    documentIds: string[];
    documentExpiresOn: string | null;
    renewalDueAt: Date | null;
    now: Date;
  },
): Promise<string[]> {
  const { caseId, now } = input;
  const steps = input.drafts.map((d) => d.step);
  await tx
    .delete(caseDrafts)
    .where(
      and(
        eq(caseDrafts.caseId, caseId),
        steps.length > 0 ? notInArray(caseDrafts.step, steps) : undefined,
      ),
    );
  for (const draft of input.drafts)
    await tx
      .insert(caseDrafts)
      .values({ caseId, ...draft, updatedAt: now })
      .onConflictDoUpdate({
        target: [caseDrafts.caseId, caseDrafts.step],
        set: {
          payload: draft.payload,
          completedAt: draft.completedAt,
          updatedAt: now,
          version: sql`${caseDrafts.version} + 1`,
          saveId: null,
        },
      });
  // Retire first: at most one current file per type and side.
  const retired = await tx
    .update(documents)
    .set({ replacedAt: now })
    .where(
      and(
        eq(documents.caseId, caseId),
        isNull(documents.replacedAt),
        ne(documents.status, "pending"),
        input.documentIds.length > 0 ? notInArray(documents.id, input.documentIds) : undefined,
      ),
    )
    .returning({ id: documents.id });
  if (input.documentIds.length > 0)
    await tx
      .update(documents)
      .set({ replacedAt: null })
      .where(
        and(
          eq(documents.caseId, caseId),
          inArray(documents.id, input.documentIds),
          isNotNull(documents.replacedAt),
        ),
      );
  // An upload still on its way was started for the declined round: a round opened while its
  // form is still valid must not confirm it into itself.
  await voidPendingUploads(tx, caseId, now);
  await tx
    .update(kycCases)
    .set({ documentExpiresOn: input.documentExpiresOn, renewalDueAt: input.renewalDueAt })
    .where(eq(kycCases.id, caseId));
  return retired.map((r) => r.id);
}
