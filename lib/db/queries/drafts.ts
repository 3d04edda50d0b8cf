import { eq, sql } from "drizzle-orm";
import { getDb } from "../client";
import { caseDrafts, type CaseDraft } from "../schema";
import { preparedPerHandle } from "./prepared";

export async function upsertDraft(values: {
  caseId: string;
  step: string;
  payload: string;
  completedAt: Date | null;
  now: Date;
}): Promise<void> {
  const db = await getDb();
  await db
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
    });
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
