import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../client";
import { documents, type DocumentRow } from "../schema";

/** The case's documents the trader sees: not superseded by a newer upload of the same side. */
export async function listCurrentDocuments(caseId: string): Promise<DocumentRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(documents)
    .where(and(eq(documents.caseId, caseId), isNull(documents.replacedAt)));
}
