/**
 * Everything the console's case page shows, loaded in one place and parsed with the schemas the
 * writers use (stored check evidence through lib/checks/evidence.ts): the page renders what this
 * returns and never reads the database or guesses a stored shape. Each load is an audited view.
 */
import { listCaseEvents } from "@/lib/db/queries/cases";
import { getCheckFailure, getLatestCheckRun, MONITORING_TASK } from "@/lib/db/queries/checks";
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import { listDeliveryLogForCase } from "@/lib/db/queries/outbox";
import {
  getCaseById,
  getOpenReviewTask,
  listCaseDecisions,
  listRoundApprovals,
  listTraderCases,
} from "@/lib/db/queries/review";
import { listActiveStaff, listStaffByIds } from "@/lib/db/queries/staff";
import { getTraderById } from "@/lib/db/queries/traders";
import { readCheckEvidence, type ReadEvidence } from "@/lib/checks/evidence";
import type { CaseCheckRow } from "@/lib/db/schema";
import { isFinalRejection } from "@/lib/kyc/case-state";
import { loadCaseProgress, loadRejection } from "@/lib/kyc/submission";
import { hasRole } from "@/lib/staff/auth";
import { approvalBlocker, auditCaseView, OPEN_STATUSES } from "./decisions";
import { loadCaseHits } from "./screening-hits";
import type { Reviewer } from "./types";

export type CheckLine = Pick<CaseCheckRow, "id" | "check" | "outcome" | "riskPoints"> & {
  evidence: ReadEvidence;
};

export async function getCaseFile(staff: Reviewer, caseId: string) {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) return null;
  await auditCaseView(staff, kycCase.id, "case_page");
  const [
    trader,
    progress,
    events,
    documents,
    decisions,
    approvals,
    history,
    latestRun,
    failure,
    hits,
    blocker,
    monitoringTask,
    deliveryLog,
    rejection,
  ] = await Promise.all([
    getTraderById(kycCase.traderId),
    loadCaseProgress(kycCase),
    listCaseEvents(kycCase.id),
    listCurrentDocuments(kycCase.id),
    listCaseDecisions(kycCase.id),
    listRoundApprovals(kycCase.id),
    listTraderCases(kycCase.traderId),
    getLatestCheckRun(kycCase.id),
    getCheckFailure(kycCase.id),
    loadCaseHits(kycCase),
    approvalBlocker(kycCase),
    getOpenReviewTask(kycCase.id, MONITORING_TASK),
    listDeliveryLogForCase(kycCase.id),
    loadRejection(kycCase),
  ]);
  const team = hasRole(staff, "approver") ? await listActiveStaff() : [];
  const named = await listStaffByIds([
    ...new Set([
      ...decisions.map((d) => d.staffId),
      ...hits.flatMap((h) => h.judgments.map((j) => j.staffId)),
      ...(kycCase.assignedTo ? [kycCase.assignedTo] : []),
    ]),
  ]);
  const names = new Map(named.map((p) => [p.id, p.displayName]));
  const open = OPEN_STATUSES.has(kycCase.status);
  const reviewable = ["submitted", "resubmitted", "in_review"].includes(kycCase.status);
  const checksOfRound = latestRun?.run.round === kycCase.round ? latestRun : undefined;
  return {
    kycCase,
    trader,
    progress,
    events,
    documents: documents.filter((d) => d.status !== "pending"),
    decisions,
    history: history.filter((c) => c.id !== kycCase.id),
    checks: checksOfRound
      ? {
          run: checksOfRound.run,
          lines: checksOfRound.results.map((r): CheckLine => ({
            id: r.id,
            check: r.check,
            outcome: r.outcome,
            riskPoints: r.riskPoints,
            evidence: readCheckEvidence(r.check, r.evidence),
          })),
        }
      : null,
    /** A failed run of the current round, shown with a retry control. */
    checkFailure: failure && failure.round === kycCase.round && !checksOfRound ? failure : null,
    hits,
    monitoringTask: monitoringTask ?? null,
    deliveryLog,
    rejection,
    team,
    nameOf: (id: string | null) => (id ? (names.get(id) ?? id.slice(0, 8)) : null),
    approval: {
      blocker,
      signedByMe: approvals.some((a) => a.staffId === staff.id),
      signedByOther: approvals.some((a) => a.staffId !== staff.id),
      signatures: approvals.length,
    },
    can: {
      claim: open && !kycCase.assignedTo,
      approve: reviewable,
      reject: open,
      requestInformation: reviewable,
      resumeReview: kycCase.status === "action_required",
      revoke: kycCase.status === "approved" && hasRole(staff, "approver"),
      reopen: kycCase.status === "rejected" && hasRole(staff, "admin"),
      retryChecks: reviewable && !checksOfRound,
      export: hasRole(staff, "approver"),
      judgeHits: open || monitoringTask !== undefined,
      replayDeliveries: hasRole(staff, "admin"),
    },
    finalRejection: isFinalRejection(kycCase),
  };
}

export type CaseFile = NonNullable<Awaited<ReturnType<typeof getCaseFile>>>;
