/**
 * Which console controls the person looking at a case gets, and why a control is withheld: the
 * role rules and the claim rule of lib/review, stated once for the page. The actions enforce the
 * same rules (decisions.ts, screening-hits.ts); this only decides what is shown, so a control is
 * never enabled for someone the action would refuse.
 *
 * A control that does not apply to the case's state is absent (undefined); one that applies but
 * is not this person's to use is present, disabled, with the reason the page shows.
 */
import type { CaseStatus } from "@/lib/db/schema";
import { AWAITING_DECISION_STATUSES, approvalInForce } from "@/lib/kyc/case-state";
import { hasRole } from "@/lib/staff/auth";
import type { ControlWhy } from "./console-messages";
import type { ApprovalBlocker } from "./decisions";
import type { HitJudgment, ReviewedHit } from "./screening-hits";
import type { Reviewer } from "./types";

export type Control = { enabled: true } | { enabled: false; why: ControlWhy };

const yes: Control = { enabled: true };
const no = (why: ControlWhy): Control => ({ enabled: false, why });

export const OPEN_STATUSES: ReadonlySet<CaseStatus> = new Set([
  "draft",
  "submitted",
  "resubmitted",
  "in_review",
  "action_required",
]);
export const REVIEWABLE_STATUSES: ReadonlySet<CaseStatus> = new Set(AWAITING_DECISION_STATUSES);

export type ControlFacts = {
  status: CaseStatus;
  assignedTo: string | null;
  fourEyesRequired: boolean;
  blocker: ApprovalBlocker | null;
  /** Approval signatures of the current round. */
  signedByMe: boolean;
  signedByOther: boolean;
  /** The checks of the current round have run. */
  checksOfRound: boolean;
  /** No run of the current round screened it against the lists in force (a list changed). */
  screeningOutdated?: boolean;
  /** A vendor's concerning verdict after the approval waits for a person (lib/review/late-verdict.ts). */
  vendorVerdictOpen?: boolean;
  /** The level approved and in force (also while an upgrade is open), or null. */
  approvedLevel?: string | null;
  /**
   * An open monitoring task whose record of its hits does not read, and why the case's hits do
   * not let it close yet (null: they do) — lib/review/screening-hits.ts.
   */
  unreadableMonitoringTask?: { hitsBlocker: ControlWhy | null };
  /** A screening hit of the case is confirmed as a match (lib/review/screening-hits.ts). */
  confirmedMatch?: boolean;
};

/** Someone else holds the open case: deciding on it needs an explicit take-over first. */
export function claimedByOther(staff: Pick<Reviewer, "id">, f: ControlFacts): boolean {
  return OPEN_STATUSES.has(f.status) && f.assignedTo !== null && f.assignedTo !== staff.id;
}

/**
 * A co-signature is the second person's work by design (four eyes): it needs the approver role,
 * not the claim. Everything else that decides the case needs the claim, or no claim at all.
 */
function approveControl(staff: Reviewer, f: ControlFacts): Control {
  if (f.blocker) return no(f.blocker);
  if (f.fourEyesRequired && f.signedByOther)
    return hasRole(staff, "approver") ? yes : no("co_sign_needs_approver");
  if (f.signedByMe) return no("waiting_for_co_sign");
  if (claimedByOther(staff, f)) return no("not_assignee");
  return yes;
}

export function caseControls(staff: Reviewer, f: ControlFacts) {
  const open = OPEN_STATUSES.has(f.status);
  const reviewable = REVIEWABLE_STATUSES.has(f.status);
  const holder = claimedByOther(staff, f) ? no("not_assignee") : yes;
  const when = (applies: boolean, control: Control) => (applies ? control : undefined);
  // A match confirmed during an upgrade: its "no" withdraws the approval in force
  // (lib/review/decisions.ts rejectCase), an approver's call, on the case they hold.
  const withdrawUpgrade = open && Boolean(f.approvedLevel) && f.confirmedMatch === true;
  return {
    claim: when(open && !f.assignedTo, yes),
    takeOver: when(claimedByOther(staff, f), yes),
    approve: when(reviewable, approveControl(staff, f)),
    /** The approve button co-signs another person's signature. */
    coSign: reviewable && f.fourEyesRequired && f.signedByOther,
    reject: when(open && !withdrawUpgrade, holder),
    revoke: when(
      f.status === "approved" || withdrawUpgrade,
      !hasRole(staff, "approver") ? no("withdraw_needs_approver") : withdrawUpgrade ? holder : yes,
    ),
    /** Keeping the approval despite the vendor's late verdict: an approver's call, like a revoke. */
    keepApproval: when(
      approvalInForce(f) && f.vendorVerdictOpen === true,
      hasRole(staff, "approver") ? yes : no("needs_approver"),
    ),
    /** Closing an unreadable monitoring task once every hit is cleared: an approver's call. */
    closeMonitoringTask: when(
      f.unreadableMonitoringTask !== undefined,
      !hasRole(staff, "approver")
        ? no("needs_approver")
        : f.unreadableMonitoringTask?.hitsBlocker
          ? no(f.unreadableMonitoringTask.hitsBlocker)
          : yes,
    ),
    requestInformation: when(reviewable, holder),
    resumeReview: when(f.status === "action_required", holder),
    reopen: when(f.status === "rejected", hasRole(staff, "admin") ? yes : no("reopen_needs_admin")),
    retryChecks: when(reviewable && (!f.checksOfRound || f.screeningOutdated === true), yes),
    assign: when(hasRole(staff, "approver"), yes),
    export: hasRole(staff, "approver") ? yes : no("export_needs_approver"),
    replayDeliveries: hasRole(staff, "admin") ? yes : no("replay_needs_admin"),
  };
}

export type CaseControls = ReturnType<typeof caseControls>;

/**
 * Whether a case's screening hits may be judged at all: while the case is open, and after that
 * only while ongoing monitoring holds it (a re-screening hit on an approved case). A closed case's
 * hits are its record, not work. The page and judgeScreeningHit both ask this.
 */
export function hitsJudgeable(status: CaseStatus, monitoringOpen: boolean): boolean {
  return OPEN_STATUSES.has(status) || monitoringOpen;
}

/**
 * Whether a standing clearing is an approver's. One that does not record its judge's role is from
 * before roles were recorded: hitState counts it as an approver's; `roleless` says how to take it.
 */
function clearedByApprover(
  judgments: readonly Pick<HitJudgment, "verdict" | "role">[],
  roleless: boolean,
): boolean {
  return judgments.some(
    (j) =>
      j.verdict === "false_positive" &&
      (j.role === undefined ? roleless : hasRole({ role: j.role }, "approver")),
  );
}

/**
 * Whether this person may not add a clearing to a likely hit for want of the approver role. A
 * likely hit is cleared by two people, one of them an approver (hitState): a reviewer's clearing
 * completes it only beside an approver's. A clearing that does not record its judge's role is not
 * taken for an approver's here (fail closed: such a hit needs an approver, as it always did).
 */
export function clearingNeedsApprover(
  staff: Reviewer,
  level: ReviewedHit["level"],
  state: ReviewedHit["state"],
  judgments: readonly Pick<HitJudgment, "verdict" | "role">[],
): boolean {
  if (level !== "likely" || state !== "awaiting_second" || hasRole(staff, "approver")) return false;
  return !clearedByApprover(judgments, false);
}

/**
 * Whether this person has cleared the hit already, so that another clearing of theirs adds
 * nothing. The one exception is the approver's clearing a likely hit still waits for, given by
 * someone who cleared it as a reviewer and has been made an approver since: it counts as the
 * approver's, though not as a second person (hitState, and the database's approval guard). A
 * clearing without a recorded role counts as an approver's there, so it leaves nothing to add.
 */
export function clearedAlready(
  staff: Reviewer,
  level: ReviewedHit["level"],
  state: ReviewedHit["state"],
  judgments: readonly Pick<HitJudgment, "staffId" | "verdict" | "role">[],
): boolean {
  if (!judgments.some((j) => j.staffId === staff.id)) return false;
  const approversClearingAwaited =
    level === "likely" &&
    state === "awaiting_second" &&
    hasRole(staff, "approver") &&
    !clearedByApprover(judgments, true);
  return !approversClearingAwaited;
}

/**
 * The verdicts this person may give on one hit (judgeScreeningHit's rules): none once it is
 * settled; a false positive not twice by the same person (clearedAlready), and a likely hit's
 * clearing that would complete it without an approver's not at all (clearingNeedsApprover).
 */
export function hitControls(
  staff: Reviewer,
  hit: Pick<ReviewedHit, "level" | "state" | "judgments">,
  judgeable: boolean,
): { falsePositive?: Control; confirm?: Control } {
  if (!judgeable || hit.state === "cleared" || hit.state === "confirmed") return {};
  const falsePositive = clearedAlready(staff, hit.level, hit.state, hit.judgments)
    ? no("already_judged")
    : clearingNeedsApprover(staff, hit.level, hit.state, hit.judgments)
      ? no("second_needs_approver")
      : yes;
  return { falsePositive, confirm: yes };
}
