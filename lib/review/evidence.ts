/**
 * The evidence export a supervisor asks for: one JSON document per case with the trader's data
 * (decrypted), the checks, every status change and decision with who and when, and the hashes
 * of the documents as stored — enough to show what was decided, by whom, on which evidence.
 */
import { listCaseEvents } from "@/lib/db/queries/cases";
import { listAllCaseDocuments } from "@/lib/db/queries/documents";
import { getCaseById, listCaseDecisions } from "@/lib/db/queries/review";
import { getTraderById } from "@/lib/db/queries/traders";
import { AppError } from "@/lib/errors";
import { loadCaseProgress } from "@/lib/kyc/submission";

export const EVIDENCE_FORMAT = "inapp-kyc.case-evidence.v1";

export async function caseEvidence(caseId: string, now = new Date()) {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case");
  const [trader, progress, events, decisions, documents] = await Promise.all([
    getTraderById(kycCase.traderId),
    loadCaseProgress(kycCase),
    listCaseEvents(caseId),
    listCaseDecisions(caseId),
    listAllCaseDocuments(caseId),
  ]);
  return {
    format: EVIDENCE_FORMAT,
    exportedAt: now.toISOString(),
    case: kycCase,
    trader: trader && {
      id: trader.id,
      ctraderUserId: trader.ctraderUserId,
      tradingLogin: trader.tradingLogin,
      email: trader.email,
    },
    data: Object.fromEntries(
      Object.entries(progress.drafts).map(([step, d]) => [
        step,
        { completed: d?.completed, data: d?.data ?? null, updatedAt: d?.updatedAt },
      ]),
    ),
    documents: documents
      .filter((d) => d.status !== "pending")
      .map((d) => ({
        id: d.id,
        documentType: d.documentType,
        side: d.side,
        status: d.status,
        contentType: d.contentType,
        sizeBytes: d.sizeBytes,
        sha256: d.sha256,
        phash: d.phash,
        quality: d.quality,
        confirmedAt: d.confirmedAt,
        replacedAt: d.replacedAt,
      })),
    timeline: events,
    decisions,
  };
}
