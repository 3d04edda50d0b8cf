/**
 * What compliance staff do to a case, each action checked, applied through the case state
 * machine and audited:
 *
 * - claim / assign: who works on it;
 * - approve: directly, or for a case that needs four eyes, as the first signature; the case is
 *   approved only when a second, different staff member with the approver role co-signs (the
 *   database refuses the approval otherwise, see lib/db/schema/case-decisions.ts);
 * - reject with a catalog reason: `retry` reasons let the trader fix the named items and send
 *   again, `final` ones close the case;
 * - request more information: named steps and documents, with a message for the trader.
 */
import { appendAuditEvent, auditInTransaction } from "@/lib/db/queries/audit";
import {
  assignCase,
  getCaseById,
  insertDecision,
  insertSignature,
  listRoundApprovals,
  setCaseRisk,
} from "@/lib/db/queries/review";
import type { KycCase, StaffRole } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { changeCaseStatus } from "@/lib/kyc/cases";
import type { RequestedItem } from "@/lib/kyc/requirements";
import { requestedItemsSchema } from "@/lib/kyc/submission";
import { hasRole } from "@/lib/staff/auth";
import { findReason } from "./reasons";

export type Reviewer = { id: string; role: StaffRole };

export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

async function loadCase(caseId: string): Promise<KycCase> {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case");
  return kycCase;
}

const audited = (staff: Reviewer, action: string, caseId: string, data: Record<string, unknown>) =>
  auditInTransaction({ actorType: "staff", actorId: staff.id, action, caseId, data });

/** A submitted case enters review when a reviewer first acts on it. */
async function inReview(staff: Reviewer, kycCase: KycCase, now: Date): Promise<KycCase> {
  if (kycCase.status === "submitted" || kycCase.status === "resubmitted") {
    await changeCaseStatus({
      kycCase,
      event: "start_review",
      actor: { type: "staff", id: staff.id },
      now,
    });
    return loadCase(kycCase.id);
  }
  if (kycCase.status !== "in_review")
    throw new AppError("CONFLICT", `the case is ${kycCase.status}, not waiting for review`);
  return kycCase;
}

export async function claimCase(staff: Reviewer, caseId: string, now = new Date()) {
  await loadCase(caseId);
  const claimed = await assignCase({
    caseId,
    staffId: staff.id,
    onlyIfUnassigned: true,
    now,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "case.claimed",
      caseId,
      occurredAt: now,
    },
  });
  if (!claimed) throw new AppError("CONFLICT", "someone else claimed this case first");
}

export async function assignCaseTo(
  staff: Reviewer,
  caseId: string,
  assignee: string | null,
  now = new Date(),
) {
  if (!hasRole(staff, "approver")) throw new AppError("FORBIDDEN", "assigning needs an approver");
  await loadCase(caseId);
  await assignCase({
    caseId,
    staffId: assignee,
    onlyIfUnassigned: false,
    now,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "case.assigned",
      caseId,
      data: { assignee },
      occurredAt: now,
    },
  });
}

/** Records the risk the checks (or a reviewer) found; at or above the threshold, four eyes. */
export async function applyRiskLevel(caseId: string, level: RiskLevel): Promise<boolean> {
  const threshold = env().review.fourEyesMinRisk;
  const fourEyes = RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(threshold);
  await setCaseRisk(caseId, level, fourEyes);
  return fourEyes;
}

export type ApproveResult = { status: "approved" } | { status: "awaiting_co_sign" };

export async function approveCase(
  staff: Reviewer,
  caseId: string,
  now = new Date(),
): Promise<ApproveResult> {
  const kycCase = await inReview(staff, await loadCase(caseId), now);
  const approve = () =>
    changeCaseStatus({
      kycCase,
      event: "approve",
      actor: { type: "staff", id: staff.id },
      decision: { staffId: staff.id, decision: "approve" },
      alsoInTransaction: audited(staff, "case.approved", caseId, {}),
      now,
    }).then(() => ({ status: "approved" as const }));

  if (!kycCase.fourEyesRequired) return approve();
  const signed = await listRoundApprovals(caseId);
  const byOthers = signed.filter((d) => d.staffId !== staff.id);
  if (byOthers.length === 0) {
    if (signed.length > 0)
      throw new AppError(
        "CONFLICT",
        "you already signed; a second, different approver must co-sign",
      );
    await insertSignature({
      caseId,
      staffId: staff.id,
      now,
      audit: {
        actorType: "staff",
        actorId: staff.id,
        action: "case.approval_signed",
        caseId,
        occurredAt: now,
      },
    });
    return { status: "awaiting_co_sign" };
  }
  if (!hasRole(staff, "approver"))
    throw new AppError("FORBIDDEN", "co-signing a high-risk approval needs an approver");
  return approve();
}

export async function rejectCase(
  staff: Reviewer,
  caseId: string,
  input: { reasonCode: string; internalNote?: string },
  now = new Date(),
): Promise<{ kind: "retry" | "final" }> {
  const reason = findReason(input.reasonCode);
  if (!reason) throw new AppError("BAD_REQUEST", "unknown reason");
  const note = input.internalNote?.slice(0, 2000) || null;
  const kycCase = await inReview(staff, await loadCase(caseId), now);
  await changeCaseStatus({
    kycCase,
    event: "reject",
    actor: { type: "staff", id: staff.id },
    data: { reasonCode: reason.code, kind: reason.kind, items: reason.items },
    decision: {
      staffId: staff.id,
      decision: "reject",
      reasonCode: reason.code,
      internalNote: note,
      data: { kind: reason.kind },
    },
    close: reason.kind === "final",
    alsoInTransaction: audited(staff, "case.rejected", caseId, { reasonCode: reason.code }),
    now,
  });
  return { kind: reason.kind };
}

export async function requestMoreInformation(
  staff: Reviewer,
  caseId: string,
  input: { items: RequestedItem[]; message: string; internalNote?: string },
  now = new Date(),
): Promise<void> {
  const items = requestedItemsSchema.safeParse(input.items);
  const message = input.message.trim().slice(0, 2000);
  if (!items.success || items.data.length === 0)
    throw new AppError("BAD_REQUEST", "name at least one step or document to redo");
  if (!message) throw new AppError("BAD_REQUEST", "a message for the trader is required");
  const kycCase = await inReview(staff, await loadCase(caseId), now);
  await changeCaseStatus({
    kycCase,
    event: "request_action",
    actor: { type: "staff", id: staff.id },
    messageForTrader: message,
    data: { items: items.data },
    decision: {
      staffId: staff.id,
      decision: "request_action",
      messageForTrader: message,
      internalNote: input.internalNote?.slice(0, 2000) || null,
      data: { items: items.data },
    },
    alsoInTransaction: audited(staff, "case.action_requested", caseId, { items: items.data }),
    now,
  });
}

/** Every staff view of a trader's data is recorded. */
export async function auditCaseView(staff: Reviewer, caseId: string, what: string) {
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "case.viewed",
    caseId,
    data: { what },
  });
}

/**
 * A reviewer's verdict on one screening hit: a false positive (recorded, the hit stays as
 * evidence) or a confirmed match (recorded; the case then needs a `sanctions_match` rejection,
 * which the reviewer takes as a separate, deliberate decision).
 */
export async function judgeScreeningHit(
  staff: Reviewer,
  caseId: string,
  input: { entryId: string; verdict: "false_positive" | "confirmed"; note?: string },
  now = new Date(),
): Promise<void> {
  if (!/^[A-Za-z0-9:_.-]{1,80}$/.test(input.entryId))
    throw new AppError("BAD_REQUEST", "unknown list entry");
  await loadCase(caseId);
  await insertDecision({
    caseId,
    staffId: staff.id,
    decision: input.verdict === "confirmed" ? "screening_confirmed" : "screening_false_positive",
    internalNote: input.note?.slice(0, 2000) || null,
    data: { entryId: input.entryId },
    now,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: `screening.${input.verdict}`,
      caseId,
      data: { entryId: input.entryId },
      occurredAt: now,
    },
  });
}
