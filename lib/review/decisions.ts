/**
 * What compliance staff do to a case, each action checked, applied through the case state
 * machine and audited:
 *
 * - claim / assign / take over: who works on it. Once someone has claimed an open case, only they
 *   decide on it (approve as first signature, reject, ask for more, take it back from the trader);
 *   anyone else first takes it over, explicitly and audited. Co-signing and judging screening
 *   hits are a second person's work by design and need no claim;
 * - approve: only when the automated checks of the current submission round have run, no screening
 *   hit is confirmed and every hit is cleared (lib/review/screening-hits.ts), and the round was
 *   screened against the lists in force now (lib/kyc/cases.ts); for a case that needs four eyes, as
 *   the first signature, the case being approved when a second, different staff member with the
 *   approver role co-signs. The database refuses an approval that breaks the rules on checks,
 *   lists, hits or signatures (triggers, migrations 0008, 0012, 0022 and 0037);
 * - reject with a catalog reason that fits the case's level, in any open state: `retry` reasons let
 *   the trader fix the named items and send again (at most MAX_RETRY_ROUNDS times; the next retry
 *   rejection is final), `final` ones close the case;
 * - request more information (named steps and documents of the case's level — the selfie where
 *   the level has one — each document with an optional reason, and a message), and take a case
 *   waiting on the trader back into review;
 * - revoke an approval (final reason; approver), reopen a rejection (admin, with a reason);
 * - decline a level upgrade: rejecting a case that has an approved level (an upgrade is open)
 *   declines the upgrade only — the case is approved again at the level it had, which stayed in
 *   force throughout (lib/kyc/upgrade.ts). Taking that approval back too is a revoke afterwards.
 */
import { appendAuditEvent, auditInTransaction } from "@/lib/db/queries/audit";
import { listCaseEvents, type Tx } from "@/lib/db/queries/cases";
import { replaceCaseSearchTerms } from "@/lib/db/queries/queue";
import {
  getCheckFailure,
  getRoundRun,
  keepApprovedRoundRisk,
  roundScreenedOnCurrentLists,
} from "@/lib/db/queries/checks";
import { HOLD_TASK_KINDS, approvalOnHold } from "@/lib/db/queries/hold-tasks";
import { PERIODIC_REVIEW_TASK } from "@/lib/db/queries/periodic-review";
import {
  assignCase,
  closeReviewTask,
  countRetryRejections,
  getCaseById,
  insertSignature,
  listRoundApprovals,
  lockStaffAccount,
} from "@/lib/db/queries/review";
import type { KycCase } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError, type ReviewReason } from "@/lib/errors";
import { rescreenCase } from "@/lib/checks/rescreen";
import { runCaseChecks } from "@/lib/checks/run";
import {
  APPROVAL_ON_HOLD_MESSAGE,
  changeCaseStatus,
  SCREENING_OUTDATED_MESSAGE,
} from "@/lib/kyc/cases";
import {
  declineUpgradeData,
  rejectData,
  reopenData,
  requestActionData,
  revokeData,
} from "@/lib/kyc/case-event-data";
import { approvedRoundOf } from "@/lib/kyc/case-state";
import { latestRenewalNotice } from "@/lib/kyc/renewal";
import { approvedInputs, putBackApprovedInputs } from "@/lib/kyc/upgrade";
import { restoreRenewalNotice } from "@/lib/db/queries/renewal";
import { restoreApprovedVendorCapture } from "@/lib/db/queries/vendors";
import type { RequestedItem } from "@/lib/kyc/requirements";
import { requestedItemsSchema } from "@/lib/kyc/submission";
import { hasRole } from "@/lib/staff/auth";
import { getLevel } from "@/lib/kyc/levels";
import { listActiveStaff } from "@/lib/db/queries/staff";
import { APPROVED_AUDIT, approvalAuditData } from "./approval-record";
import { OPEN_STATUSES, REVIEWABLE_STATUSES } from "./controls";
import { needsFourEyes } from "./risk";
import { findReason, reasonFitsLevel } from "./reasons";
import { hitBlocker, loadCaseHits, MIN_REASON_LENGTH } from "./screening-hits";
import { searchTermsOfAnswers } from "./search";
import { mustBeAsShown, type ShownCase } from "./shown-case";
import type { Reviewer } from "./types";

export type { Reviewer } from "./types";

/** Statuses in which staff can still decide: every status but the closed ones. */
export { OPEN_STATUSES };

async function loadCase(caseId: string): Promise<KycCase> {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  return kycCase;
}

const refuse = (
  code: "CONFLICT" | "FORBIDDEN" | "BAD_REQUEST",
  reason: ReviewReason,
  message: string,
) => new AppError(code, message, { reason });

const audited = (staff: Reviewer, action: string, caseId: string, data: Record<string, unknown>) =>
  auditInTransaction({ actorType: "staff", actorId: staff.id, action, caseId, data });

/**
 * A submitted case enters review when a reviewer first acts on it: on the case the page showed,
 * as the decision that follows (which then expects the sequence this move left).
 */
async function inReview(
  staff: Reviewer,
  kycCase: KycCase,
  shown: ShownCase | undefined,
  now: Date,
): Promise<KycCase> {
  if (kycCase.status === "submitted" || kycCase.status === "resubmitted") {
    const { moved } = await changeCaseStatus({
      kycCase,
      event: "start_review",
      actor: { type: "staff", id: staff.id },
      guard: stillAsShown(shown),
      now,
    });
    return moved;
  }
  if (kycCase.status !== "in_review")
    throw refuse(
      "CONFLICT",
      "not_reviewable",
      `the case is ${kycCase.status}, not waiting for review`,
    );
  return kycCase;
}

/** Deciding on an open case someone else claimed needs a take-over first. */
function mustHoldClaim(staff: Reviewer, kycCase: KycCase): void {
  if (kycCase.assignedTo && kycCase.assignedTo !== staff.id)
    throw refuse("CONFLICT", "not_assignee", "someone else claimed this case; take it over first");
}

/**
 * The same rule again inside the status change's transaction, on the locked row: a take-over
 * that lands between the first check and the change rolls the decision back.
 */
const holdsClaim = (staff: Reviewer) => async (_tx: unknown, moved: KycCase) =>
  mustHoldClaim(staff, moved);

/**
 * The page's sequence again, on the row as it was under the lock: a hit, a verdict, a notice or
 * a colleague's move that committed after the first comparison and before the lock would
 * otherwise slip under a decision taken on the page of before.
 */
const stillAsShown =
  (shown: ShownCase | undefined) => async (_tx: unknown, _moved: KycCase, before: KycCase) =>
    mustBeAsShown(before, shown);

/** Both guards, the page's sequence first (the case changed: nothing else was read right). */
const asShownAndHeld =
  (staff: Reviewer, shown: ShownCase | undefined) =>
  async (tx: unknown, moved: KycCase, before: KycCase) => {
    await stillAsShown(shown)(tx, moved, before);
    await holdsClaim(staff)(tx, moved);
  };

/** The sequence a decision expects after `inReview`: the page's, or the start of review's own. */
const expectedAfter = (kycCase: KycCase): ShownCase => ({ eventSeq: kycCase.eventSeq });

/**
 * Takes an open case over from whoever holds it, in the open and audited (`case.taken_over`,
 * with the previous assignee). Conditional on the assignee the caller saw, so two people taking
 * over at once do not both believe they hold it.
 */
export async function takeOverCase(staff: Reviewer, caseId: string, now = new Date()) {
  const kycCase = await loadCase(caseId);
  if (!OPEN_STATUSES.has(kycCase.status))
    throw refuse("CONFLICT", "not_open", `the case is ${kycCase.status}; nothing to take over`);
  if (kycCase.assignedTo === staff.id) return;
  const taken = await assignCase({
    caseId,
    staffId: staff.id,
    onlyIfUnassigned: kycCase.assignedTo === null,
    expectedAssignee: kycCase.assignedTo ?? undefined,
    now,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "case.taken_over",
      caseId,
      data: { from: kycCase.assignedTo },
      occurredAt: now,
    },
  });
  if (!taken) throw new AppError("CONFLICT", "the assignment changed meanwhile");
}

/** Claiming and assigning are for open cases: a decided case has no work to hold. */
function mustBeOpen(kycCase: KycCase): void {
  if (!OPEN_STATUSES.has(kycCase.status))
    throw refuse("CONFLICT", "not_open", `the case is ${kycCase.status}; nothing to claim`);
}

export async function claimCase(staff: Reviewer, caseId: string, now = new Date()) {
  const kycCase = await loadCase(caseId);
  mustBeOpen(kycCase);
  // Already one's own (a second click, a page read before one's own claim): nothing changes.
  if (kycCase.assignedTo === staff.id) return;
  const claimed = await assignCase({
    caseId,
    staffId: staff.id,
    onlyIfUnassigned: true,
    inStatus: OPEN_STATUSES,
    now,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "case.claimed",
      caseId,
      occurredAt: now,
    },
  });
  if (claimed) return;
  // Decided, or claimed, meanwhile: say which, from the case as it is now.
  const current = await loadCase(caseId);
  mustBeOpen(current);
  if (current.assignedTo === staff.id) return;
  throw refuse("CONFLICT", "claimed_by_other", "someone else claimed this case first");
}

export async function assignCaseTo(
  staff: Reviewer,
  caseId: string,
  assignee: string | null,
  now = new Date(),
) {
  if (!hasRole(staff, "approver"))
    throw refuse("FORBIDDEN", "needs_approver", "assigning needs an approver");
  mustBeOpen(await loadCase(caseId));
  // The case page offers active accounts only; a posted id of a disabled one is refused too.
  if (assignee !== null && !(await listActiveStaff()).some((s) => s.id === assignee))
    throw refuse("BAD_REQUEST", "unknown_staff", "that person has no active console account");
  const assigned = await assignCase({
    caseId,
    staffId: assignee,
    onlyIfUnassigned: false,
    inStatus: OPEN_STATUSES,
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
  if (!assigned) throw refuse("CONFLICT", "not_open", "the case was decided meanwhile");
}

export type ApprovalBlocker =
  | "not_reviewable"
  | "checks_running"
  | "checks_failed"
  | "confirmed_match"
  | "likely_hit_open"
  | "hit_unjudged"
  | "screening_outdated"
  | "approval_on_hold";

const BLOCKER_MESSAGES: Record<ApprovalBlocker, string> = {
  not_reviewable: "the case is not waiting for a decision",
  checks_running: "the automated checks of this submission are still running",
  checks_failed: "the automated checks of this submission failed; retry them first",
  confirmed_match: "a screening hit was confirmed as a match: the case cannot be approved",
  likely_hit_open: "a likely screening hit is not cleared by two people",
  hit_unjudged: "a screening hit has not been judged",
  screening_outdated: SCREENING_OUTDATED_MESSAGE,
  approval_on_hold: APPROVAL_ON_HOLD_MESSAGE,
};

/**
 * Why the case cannot be approved now, or null: what the console shows beside the control. The
 * case page, which shows the hits and the screening's freshness anyway, hands over its own
 * requests for them (`asked`) so each is asked once.
 */
export async function approvalBlocker(
  kycCase: KycCase,
  asked: {
    hits?: ReturnType<typeof loadCaseHits>;
    screenedOnCurrentLists?: Promise<boolean>;
  } = {},
): Promise<ApprovalBlocker | null> {
  if (!REVIEWABLE_STATUSES.has(kycCase.status)) return "not_reviewable";
  // An upgrade builds on the approval in force; while that approval is in doubt, approving the
  // upgrade would grant more on it. Keeping or withdrawing it comes first. The approval asks
  // again under the case row's lock (lib/kyc/cases.ts); this early answer is for the page and
  // for a four-eyes first signature, which changes no status.
  if (await approvalOnHold(kycCase)) return "approval_on_hold";
  const run = await getRoundRun(kycCase.id, kycCase.round);
  if (!run) {
    const failure = await getCheckFailure(kycCase.id);
    return failure?.round === kycCase.round ? "checks_failed" : "checks_running";
  }
  // Hits first: they are the reviewer's work either way, and a re-screening only adds to them.
  return (
    hitBlocker(await (asked.hits ?? loadCaseHits(kycCase))) ??
    ((await (asked.screenedOnCurrentLists ?? roundScreenedOnCurrentLists(kycCase.id)))
      ? null
      : "screening_outdated")
  );
}

export type ApproveResult = { status: "approved" } | { status: "awaiting_co_sign" };

/**
 * Four eyes as they stand when the approval commits, on the locked case: the co-signer is an
 * active approver now (a role lowered or an account disabled since the request began refuses
 * it), and another active account's signature of the open review is there. A signature counts
 * only while its signer could give it now: any active account for the first one, which a
 * reviewer may give; an active approver for the one that completes. The accounts' rows stay
 * held until the approval commits, so a role change or a disabling waits for it. The database's
 * trigger asks the same (migration 0048).
 */
async function mustHaveFourEyes(tx: Tx, staff: Reviewer, caseId: string): Promise<void> {
  const account = await lockStaffAccount(tx, staff.id);
  if (!account || account.disabledAt !== null || !hasRole(account, "approver"))
    throw refuse(
      "FORBIDDEN",
      "co_sign_needs_approver",
      "co-signing a high-risk approval needs an approver",
    );
  const signed = await listRoundApprovals(caseId, { tx, lockSigners: true });
  if (!signed.some((d) => d.staffId !== staff.id))
    throw refuse(
      "CONFLICT",
      "changed",
      "the first signature no longer counts (its signer's account changed); reload",
    );
}

export async function approveCase(
  staff: Reviewer,
  caseId: string,
  shown: ShownCase | undefined,
  now = new Date(),
): Promise<ApproveResult> {
  const current = await loadCase(caseId);
  mustBeAsShown(current, shown);
  const blocker = await approvalBlocker(current);
  if (blocker) throw refuse("CONFLICT", blocker, BLOCKER_MESSAGES[blocker]);
  // A signature exists only in review (a submitted case has not started its round's review).
  const coSign =
    current.fourEyesRequired &&
    current.status === "in_review" &&
    (await listRoundApprovals(caseId)).some((d) => d.staffId !== staff.id);
  if (!coSign) mustHoldClaim(staff, current);
  const kycCase = await inReview(staff, current, shown, now);
  const expected = expectedAfter(kycCase);
  const approve = () =>
    changeCaseStatus({
      kycCase,
      event: "approve",
      actor: { type: "staff", id: staff.id },
      decision: { staffId: staff.id, decision: "approve" },
      guard: async (tx, moved, before) => {
        await (coSign ? stillAsShown(expected) : asShownAndHeld(staff, expected))(
          tx,
          moved,
          before,
        );
        if (before.fourEyesRequired) await mustHaveFourEyes(tx, staff, caseId);
      },
      // What this approval counted, at its own time: the evidence export reads it back rather
      // than applying later rules and account changes to it (lib/review/approval-record.ts).
      alsoInTransaction: async (tx) => {
        const counted = await listRoundApprovals(caseId, { tx });
        await auditInTransaction({
          actorType: "staff",
          actorId: staff.id,
          action: APPROVED_AUDIT,
          caseId,
          // The approver's own signature counts whatever the clocks say (a review opening stamped
          // by a host whose clock runs ahead would leave it out of the round's list).
          data: approvalAuditData.parse({
            signers: [...new Set([...counted.map((d) => d.staffId), staff.id])],
          }),
          occurredAt: now,
        })(tx);
      },
      now,
    }).then(() => ({ status: "approved" as const }));

  if (!kycCase.fourEyesRequired) return approve();
  const signed = await listRoundApprovals(caseId);
  const byOthers = signed.filter((d) => d.staffId !== staff.id);
  if (byOthers.length === 0) {
    if (signed.length > 0)
      throw refuse(
        "CONFLICT",
        "already_signed",
        "you already signed; a second, different approver must co-sign",
      );
    await insertSignature({
      caseId,
      staffId: staff.id,
      check: (locked) => mustBeAsShown(locked, expected),
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
    throw refuse(
      "FORBIDDEN",
      "co_sign_needs_approver",
      "co-signing a high-risk approval needs an approver",
    );
  return approve();
}

export type RejectOutcome = {
  kind: "retry" | "final" | "upgrade_declined" | "renewal_declined";
  retryLimitReached: boolean;
};

export async function rejectCase(
  staff: Reviewer,
  caseId: string,
  input: { reasonCode: string; internalNote?: string; shown: ShownCase | undefined },
  now = new Date(),
): Promise<RejectOutcome> {
  const reason = findReason(input.reasonCode);
  if (!reason) throw refuse("BAD_REQUEST", "unknown_reason", "unknown reason");
  const note = input.internalNote?.trim().slice(0, 2000) || null;
  const kycCase = await loadCase(caseId);
  if (kycCase.status === "approved")
    return revokeApproval(staff, kycCase, reason.code, note, now, input.shown);
  // A withdrawal meant for the approval must not become the "no" to an upgrade begun since.
  mustBeAsShown(kycCase, input.shown);
  if (!OPEN_STATUSES.has(kycCase.status))
    throw refuse("CONFLICT", "not_open", `the case is ${kycCase.status}; nothing to decide`);
  mustHoldClaim(staff, kycCase);
  if (!reasonFitsLevel(reason, getLevel(kycCase.level)))
    throw refuse(
      "BAD_REQUEST",
      "reason_not_for_level",
      `reason ${reason.code} names an item the ${kycCase.level} level does not have`,
    );
  if (kycCase.approvedLevel !== null) {
    // A match confirmed on the trader: the approval in force cannot stand, so the "no" to the
    // upgrade takes it back (an approver, a final reason) instead of going back to it.
    if (hitBlocker(await loadCaseHits(kycCase)) === "confirmed_match")
      return revokeApproval(staff, kycCase, reason.code, note, now, input.shown);
    return declineUpgrade(
      kycCase,
      reason.code,
      { type: "staff", staff, note, shown: input.shown },
      now,
    );
  }
  const { maxRetryRounds } = env().review;
  const retryLimitReached =
    reason.kind === "retry" && (await countRetryRejections(caseId)) >= maxRetryRounds;
  const kind = retryLimitReached ? "final" : reason.kind;
  await changeCaseStatus({
    kycCase,
    event: "reject",
    actor: { type: "staff", id: staff.id },
    data: rejectData.parse({
      reasonCode: reason.code,
      kind,
      items: kind === "retry" ? reason.items : [],
      ...(retryLimitReached ? { retryLimitReached: true, maxRetryRounds } : {}),
    }),
    decision: {
      staffId: staff.id,
      decision: "reject",
      reasonCode: reason.code,
      internalNote: note,
      data: { kind, ...(retryLimitReached ? { retryLimitReached: true } : {}) },
    },
    close: kind === "final",
    guard: asShownAndHeld(staff, input.shown),
    alsoInTransaction: audited(staff, "case.rejected", caseId, {
      reasonCode: reason.code,
      kind,
      retryLimitReached,
    }),
    now,
  });
  return { kind, retryLimitReached };
}

/**
 * Who says "no" to an upgrade: a reviewer holding the claim, or the system for the retention
 * purge, on an upgrade the trader left as a draft past the draft period (lib/retention/purge.ts).
 * The move, what it puts back and what the CRM and cTrader hear are the same; the system's
 * records no reviewer decision, checks its own rule again under the case's row lock (`guard`),
 * discards what the trader never sent (`discard`, in the same transaction) and audits the rule
 * and its dates under its own action.
 */
export type UpgradeDecliner =
  | { type: "staff"; staff: Reviewer; note: string | null; shown: ShownCase | undefined }
  | {
      type: "system";
      id: string;
      /**
       * Under the row lock; `approvedRound` is the round put back, null when the approved round's
       * inputs could not be read (nothing would be restored).
       */
      guard: (tx: Tx, before: KycCase, approvedRound: number | null) => Promise<void>;
      /** Discards what was never sent; returns the audit entry's own data (rule, dates, files). */
      discard: (tx: Tx) => Promise<Record<string, unknown>>;
      audit: { action: string };
    };

/**
 * The "no" to a level upgrade: the case returns to approved at its approved level. A screening
 * hit confirmed as a match meanwhile refuses it: that approval cannot stand, and is revoked.
 *
 * An early renewal (started on the notice, before the document expired: same level, approval in
 * force) declined is the same move back to approved, told as a renewal. The submit froze the
 * refused document's expiry on the case; the one the approval rests on comes back, with its
 * notice, so the sweep still expires the case on the old date and the trader can renew again.
 *
 * Either way what the trader changed meanwhile never becomes the case's facts: the answers and
 * documents of the approved round are put back (the approval rests on them), and the declined
 * rounds stay as history for the reviewer (case_submissions, replaced files, the export).
 */
export async function declineUpgrade(
  kycCase: KycCase,
  reasonCode: string,
  by: UpgradeDecliner,
  now: Date,
): Promise<RejectOutcome> {
  if (hitBlocker(await loadCaseHits(kycCase)) === "confirmed_match")
    throw refuse(
      "CONFLICT",
      "confirmed_match",
      "a screening hit was confirmed as a match: revoke the approval instead",
    );
  const renewal = kycCase.level === kycCase.approvedLevel;
  const timeline = await listCaseEvents(kycCase.id);
  const notice = renewal ? latestRenewalNotice(timeline) : null;
  const kind = renewal ? "renewal_declined" : "upgrade_declined";
  const approved = await approvedInputs(kycCase.id, timeline);
  const data = declineUpgradeData.parse({
    reasonCode,
    fromLevel: kycCase.level,
    toLevel: kycCase.approvedLevel,
    restoredRound: approved?.round ?? null,
    ...(renewal && { renewal: true, documentExpiresOn: notice?.documentExpiresOn ?? null }),
    ...(by.type === "system" && { lapsed: true }),
  });
  await changeCaseStatus({
    kycCase,
    event: "decline_upgrade",
    actor: by.type === "staff" ? { type: "staff", id: by.staff.id } : { type: "system", id: by.id },
    data,
    declined: renewal ? "renewal" : "upgrade",
    ...(by.type === "staff"
      ? {
          decision: {
            staffId: by.staff.id,
            decision: "reject",
            reasonCode,
            internalNote: by.note,
            data: { kind },
          },
          guard: asShownAndHeld(by.staff, by.shown),
        }
      : { guard: (tx, _moved, before) => by.guard(tx, before, approved?.round ?? null) }),
    alsoInTransaction: async (tx, moved) => {
      const retiredDocumentIds = approved ? await putBackApprovedInputs(tx, approved, now) : [];
      // Back on the approved answers, the case is at least as risky as they were assessed: the
      // declined round's checks scored answers just discarded. Four eyes follow the level kept
      // (the new round asked for them until its checks ran).
      const risk = await keepApprovedRoundRisk(tx, {
        caseId: kycCase.id,
        approvedRound:
          approved?.round ?? approvedRoundOf([...timeline].sort((a, b) => a.id - b.id)),
        fourEyes: (level) => needsFourEyes(level, env().review.fourEyesMinRisk),
        now,
      });
      // The vendor's verdict the approval rests on is the case's again, not the refused round's.
      const vendorCapture = approved
        ? await restoreApprovedVendorCapture(tx, {
            caseId: kycCase.id,
            approvedRound: approved.round,
            now,
          })
        : null;
      // The console finds the case by the approved names and document number again, not by the
      // refused round's; marked as indexed at the current round so the worker leaves it.
      if (approved)
        await replaceCaseSearchTerms(
          tx,
          kycCase.id,
          moved.round,
          searchTermsOfAnswers(approved.answers),
        );
      // Which capture came back, if one did: the reference the approval's verdict is under.
      const restored = {
        ...(vendorCapture && {
          restoredVendorReference: vendorCapture.verdictReference ?? vendorCapture.sessionReference,
        }),
        ...(risk.raised && { restoredRiskLevel: risk.level }),
      };
      if (by.type === "staff")
        await audited(by.staff, `case.${kind}`, kycCase.id, {
          ...data,
          retiredDocumentIds,
          ...restored,
        })(tx);
      else
        await auditInTransaction({
          actorType: "system",
          actorId: by.id,
          action: by.audit.action,
          caseId: kycCase.id,
          traderId: kycCase.traderId,
          data: {
            ...data,
            retiredDocumentIds,
            ...restored,
            ...(await by.discard(tx)),
          },
          occurredAt: now,
        })(tx);
      if (notice) await restoreRenewalNotice(tx, kycCase.id, notice);
    },
    now,
  });
  return { kind, retryLimitReached: false };
}

/**
 * Taking back an approval (a monitoring hit confirmed, fraud found later): a final rejection of
 * the approved case, or of an upgrade open on it once a match is confirmed, by an approver, which
 * also closes an open monitoring, late vendor verdict or periodic review task.
 */
async function revokeApproval(
  staff: Reviewer,
  kycCase: KycCase,
  reasonCode: string,
  note: string | null,
  now: Date,
  shown: ShownCase | undefined,
): Promise<RejectOutcome> {
  const reason = findReason(reasonCode);
  if (!reason || reason.kind !== "final")
    throw refuse(
      "BAD_REQUEST",
      "revoke_needs_final",
      "an approval is taken back with a final reason",
    );
  if (!hasRole(staff, "approver"))
    throw refuse("FORBIDDEN", "needs_approver", "taking back an approval needs an approver");
  mustBeAsShown(kycCase, shown);
  await changeCaseStatus({
    kycCase,
    event: "revoke",
    actor: { type: "staff", id: staff.id },
    data: revokeData.parse({ reasonCode: reason.code, kind: "final", items: [] }),
    decision: {
      staffId: staff.id,
      decision: "reject",
      reasonCode: reason.code,
      internalNote: note,
      data: { kind: "final", revoked: true },
    },
    // From an open upgrade, the holder's decision like any on an open case.
    guard: kycCase.status === "approved" ? stillAsShown(shown) : asShownAndHeld(staff, shown),
    close: true,
    alsoInTransaction: async (tx) => {
      await audited(staff, "case.approval_revoked", kycCase.id, { reasonCode: reason.code })(tx);
      // A periodic review of an approval no longer in force has nothing left to review: left
      // open, it would stay on the case page for good, its "Review completed" refused.
      for (const kind of [...HOLD_TASK_KINDS, PERIODIC_REVIEW_TASK])
        await closeReviewTask({
          caseId: kycCase.id,
          kind,
          staffId: staff.id,
          resolution: "revoked",
          now,
          tx,
        });
    },
    now,
  });
  return { kind: "final", retryLimitReached: false };
}

export async function requestMoreInformation(
  staff: Reviewer,
  caseId: string,
  input: {
    items: RequestedItem[];
    message: string;
    internalNote?: string;
    shown: ShownCase | undefined;
  },
  now = new Date(),
): Promise<void> {
  const items = requestedItemsSchema.safeParse(input.items);
  const message = input.message.trim().slice(0, 2000);
  if (!items.success || items.data.length === 0)
    throw refuse("BAD_REQUEST", "items_required", "name at least one step or document to redo");
  if (!message)
    throw refuse("BAD_REQUEST", "message_required", "a message for the trader is required");
  const current = await loadCase(caseId);
  const level = getLevel(current.level);
  // What the level never asked for cannot be asked again: a step outside it would open nothing,
  // and a selfie is taken only where the level has one (the upload API refuses it elsewhere).
  const foreign = items.data.find((i) =>
    i.kind === "step"
      ? !level.steps.includes(i.step)
      : i.documentType === "selfie" && !level.documents.includes("selfie"),
  );
  if (foreign)
    throw refuse(
      "BAD_REQUEST",
      "item_not_for_level",
      `${foreign.kind === "step" ? foreign.step : foreign.documentType} is not part of the ${level.id} level`,
    );
  mustBeAsShown(current, input.shown);
  mustHoldClaim(staff, current);
  const kycCase = await inReview(staff, current, input.shown, now);
  // The event's and the decision's data are one: the items the trader is asked for.
  const data = requestActionData.parse({ items: items.data });
  await changeCaseStatus({
    kycCase,
    event: "request_action",
    actor: { type: "staff", id: staff.id },
    messageForTrader: message,
    data,
    decision: {
      staffId: staff.id,
      decision: "request_action",
      messageForTrader: message,
      internalNote: input.internalNote?.slice(0, 2000) || null,
      data,
    },
    guard: asShownAndHeld(staff, expectedAfter(kycCase)),
    alsoInTransaction: audited(staff, "case.action_requested", caseId, { items: items.data }),
    now,
  });
}

/**
 * A case waiting on the trader comes back to review (the reviewer has what they need), as the
 * page showed it: taken back on a page of before, the reviewer would resume a review they never
 * saw (a colleague's new request, a re-screening hit), and the signatures given since would stop
 * counting on it (REVIEW_OPENINGS).
 */
export async function resumeReview(
  staff: Reviewer,
  caseId: string,
  shown: ShownCase | undefined,
  now = new Date(),
) {
  const kycCase = await loadCase(caseId);
  mustBeAsShown(kycCase, shown);
  if (kycCase.status !== "action_required")
    throw refuse(
      "CONFLICT",
      "not_waiting",
      `the case is ${kycCase.status}, not waiting on the trader`,
    );
  mustHoldClaim(staff, kycCase);
  await changeCaseStatus({
    kycCase,
    event: "resume_review",
    actor: { type: "staff", id: staff.id },
    guard: asShownAndHeld(staff, shown),
    alsoInTransaction: audited(staff, "case.review_resumed", caseId, {}),
    now,
  });
}

/**
 * An admin reopens a rejected case (a final rejection given in error, a retry the trader cannot
 * do): back to review, with the reason audited and a status change the CRM and cTrader hear of.
 * Only the rejection the admin's page showed: one reopened and rejected again since (another
 * reason, perhaps a sanctions match) is `changed`.
 */
export async function reopenCase(
  staff: Reviewer,
  caseId: string,
  input: { reason: string; shown: ShownCase | undefined },
  now = new Date(),
): Promise<void> {
  if (!hasRole(staff, "admin"))
    throw refuse("FORBIDDEN", "needs_admin", "only an admin can reopen a rejected case");
  const reason = input.reason.trim().slice(0, 2000);
  if (reason.length < MIN_REASON_LENGTH)
    throw refuse("BAD_REQUEST", "reason_required", "write why the case is reopened");
  const kycCase = await loadCase(caseId);
  mustBeAsShown(kycCase, input.shown);
  if (kycCase.status !== "rejected")
    throw refuse("CONFLICT", "not_rejected", `the case is ${kycCase.status}, not rejected`);
  try {
    await changeCaseStatus({
      kycCase,
      event: "reopen",
      actor: { type: "staff", id: staff.id },
      data: reopenData.parse({ reason }),
      decision: { staffId: staff.id, decision: "reopen", internalNote: reason },
      guard: stillAsShown(input.shown),
      alsoInTransaction: audited(staff, "case.reopened", caseId, { reason }),
      now,
    });
  } catch (error) {
    // The one-open-case-per-trader index: the trader has another case open.
    if (
      error instanceof Error &&
      /kyc_cases_one_open_per_trader/.test(String(error.cause ?? error))
    )
      throw refuse("CONFLICT", "other_case_open", "the trader has another open case");
    throw error;
  }
}

/**
 * A reviewer runs the checks of the current round again (after a failure, or when they are
 * overdue), now, instead of waiting for the sweep's back-off; or, when they ran on lists that
 * have changed since, screens the round against the current ones (lib/checks/rescreen.ts), which
 * is what its approval needs. Audited once it ran, with what it did (the runs it recorded, or its
 * failure), never when refused; a failure is recorded and shown like any other.
 */
export async function retryChecks(staff: Reviewer, caseId: string, now = new Date()) {
  const kycCase = await loadCase(caseId);
  const done = Boolean(await getRoundRun(kycCase.id, kycCase.round));
  // Run, but on the lists of before: the same request screens the case against today's.
  const rescreen =
    done &&
    REVIEWABLE_STATUSES.has(kycCase.status) &&
    !(await roundScreenedOnCurrentLists(kycCase.id));
  if (done && !rescreen)
    throw refuse("CONFLICT", "checks_done", "the checks of this submission have run");
  if (rescreen) {
    // Audited by the re-screening with what it did (lib/checks/rescreen.ts rescreenCase).
    await rescreenCase(kycCase, now, { staffId: staff.id });
    // Screened by this request or, meanwhile, by an import's re-screening: either is what the
    // approval needs. Neither: the answers could not be screened.
    if (!(await roundScreenedOnCurrentLists(kycCase.id)))
      throw refuse("CONFLICT", "checks_failed", "the case's answers could not be screened");
    return;
  }
  // Audited by the run with what it did: a retry refused because a run is in flight, or the
  // round was checked meanwhile (or by a run it could not stop), did not happen.
  try {
    await runCaseChecks(caseId, { now, requestedBy: { staffId: staff.id } });
  } catch (error) {
    if (error instanceof AppError && error.code !== "INTERNAL") throw error;
    throw refuse(
      "CONFLICT",
      "checks_failed",
      "the checks failed again; the error is shown on the case",
    );
  }
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

export { closeUnreadableMonitoringTask, judgeScreeningHit } from "./screening-hits";
