import { eq, sql } from "drizzle-orm";
import { getDb } from "../client";
import { caseDrafts, type CaseDraft } from "../schema";

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

export async function listDrafts(caseId: string): Promise<CaseDraft[]> {
  const db = await getDb();
  return db.select().from(caseDrafts).where(eq(caseDrafts.caseId, caseId));
}
