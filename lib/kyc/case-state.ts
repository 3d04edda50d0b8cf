/**
 * The KYC case state machine, as data and one pure function. Nothing else decides whether a
 * status change is legal; lib/db/queries/cases.ts applies a decided transition atomically.
 *
 *   draft ──submit──▶ submitted ──start_review──▶ in_review ──approve──▶ approved ──expire──▶ expired
 *                                                  ▲  │  │                 │                    │
 *                                   resume_review  │  │  └reject──▶ rejected ◀──revoke──┘       │
 *                                                  │  ▼request_action     │  ├─retry──▶ draft    │
 *          resubmitted ◀──resubmit── action_required                      │  └─reopen─▶ in_review│
 *               └──start_review──▶ in_review                   draft ◀──renew─────────────────┘
 *
 * A renewal started on the notice (`renew` from approved) and never submitted also `expire`s
 * from its draft when the document it was to replace runs out.
 *
 * No open case is stuck: staff can reject a case in every open state (and take back an
 * approval with `revoke`, also from an upgrade open on it), take a case waiting on the trader
 * back into review, and an admin can reopen a rejection. Who may fire what: the trader submits,
 * resubmits and starts again; staff and the automated checks (system) review; expiry comes from
 * the system or the broker (staff).
 * `newRound` events start a submission round (lib/db/schema/kyc-cases.ts: `round`).
 *
 * Level upgrades: `upgrade` takes an approved case back to draft at a higher level (from a launch's
 * `kycType` or the broker's CRM); the approved level stays in force meanwhile. `decline_upgrade` is
 * staff's "no" to the upgrade: the case is approved again at the level it had (`approvedLevel:
 * "restore"`, only for a case with an approved level). The system fires it too, for the retention
 * purge, on an upgrade the trader left as a draft past the draft period (lib/retention/purge.ts):
 * the same move, told apart by its actor and its data (`lapsed`). Every approval records the level
 * approved (`approvedLevel: "set"`); a revoke or an expiry ends it (`"clear"`).
 */
import type { CaseStatus } from "@/lib/db/schema";

export const CASE_EVENTS = {
  submit: { from: ["draft"], to: "submitted", actors: ["trader"], newRound: true },
  start_review: {
    from: ["submitted", "resubmitted"],
    to: "in_review",
    actors: ["staff", "system"],
  },
  approve: {
    from: ["in_review"],
    to: "approved",
    actors: ["staff", "system"],
    approvedLevel: "set",
  },
  reject: {
    from: ["draft", "submitted", "resubmitted", "in_review", "action_required"],
    to: "rejected",
    actors: ["staff"],
  },
  request_action: { from: ["in_review"], to: "action_required", actors: ["staff", "system"] },
  resume_review: { from: ["action_required"], to: "in_review", actors: ["staff"] },
  resubmit: { from: ["action_required"], to: "resubmitted", actors: ["trader"], newRound: true },
  retry: { from: ["rejected"], to: "draft", actors: ["trader"] },
  reopen: { from: ["rejected"], to: "in_review", actors: ["staff"], reopens: true },
  /**
   * Wherever an approval is in force: approved, or an upgrade (or early renewal) of it open, with
   * its approved level (lib/db/queries/cases.ts matches only such a case). A match confirmed
   * during the upgrade leaves nothing to go back to: the approval is withdrawn, not kept.
   */
  revoke: {
    from: ["approved", "draft", "submitted", "resubmitted", "in_review", "action_required"],
    to: "rejected",
    actors: ["staff"],
    approvedLevel: "clear",
  },
  /** From a draft only for a renewal never submitted (lib/kyc/renewal.ts's sweep picks those). */
  expire: {
    from: ["approved", "draft"],
    to: "expired",
    actors: ["system", "staff"],
    approvedLevel: "clear",
  },
  /** From an approval only while a renewal notice is out (lib/kyc/renewal.ts checks that). */
  renew: { from: ["approved", "expired"], to: "draft", actors: ["trader"] },
  upgrade: { from: ["approved"], to: "draft", actors: ["trader", "system"] },
  decline_upgrade: {
    from: ["draft", "submitted", "resubmitted", "in_review", "action_required"],
    to: "approved",
    actors: ["staff", "system"],
    approvedLevel: "restore",
  },
} as const satisfies Record<
  string,
  {
    from: readonly CaseStatus[];
    to: CaseStatus;
    actors: readonly Actor[];
    newRound?: boolean;
    reopens?: boolean;
    approvedLevel?: "set" | "restore" | "clear";
  }
>;

export type Actor = "trader" | "staff" | "system";
export type CaseEvent = keyof typeof CASE_EVENTS;

/** Whether a timeline event started a submission round: the n-th of them froze round n. */
export function startsRound(event: string): boolean {
  return Object.hasOwn(CASE_EVENTS, event) && "newRound" in CASE_EVENTS[event as CaseEvent];
}

/**
 * The round the case's latest approval decided: the submissions before that `approve` (a decline
 * is not an approval, so after one the earlier approval still decides). Null without an approval.
 * `events` in commit order.
 */
export function approvedRoundOf(events: readonly { event: string }[]): number | null {
  return latestApprovalOf(events)?.round ?? null;
}

/** The case's latest `approve` event with the round it decided (approvedRoundOf); null without. */
export function latestApprovalOf<E extends { event: string }>(
  events: readonly E[],
): { event: E; round: number } | null {
  const index = events.findLastIndex((e) => e.event === "approve");
  const event = events[index];
  if (!event) return null;
  return { event, round: events.slice(0, index).filter((e) => startsRound(e.event)).length };
}

/**
 * The events that open a review afresh: the round's review starting, a case taken back into
 * review from the trader (who may have changed answers and documents meanwhile without sending
 * the case again), or an admin reopening a rejection (or a withdrawn approval). Approvals signed
 * before the latest of them were not given on the review now open: four eyes count only those
 * after it (lib/db/queries/review.ts listRoundApprovals, and the database's trigger,
 * drizzle/0047), and so does the evidence.
 */
export const REVIEW_OPENINGS = [
  "start_review",
  "resume_review",
  "reopen",
] as const satisfies readonly CaseEvent[];

export function opensReview(event: string): boolean {
  return (REVIEW_OPENINGS as readonly string[]).includes(event);
}

/** Whether a timeline event moved the machine (not a notice such as RENEWAL_DUE_EVENT). */
export function isMove(event: string): boolean {
  return Object.hasOwn(CASE_EVENTS, event);
}

/**
 * Timeline entries that change nothing: the renewal notice is recorded on the approved case
 * (lib/db/queries/renewal.ts) without a move of the machine.
 */
export const RENEWAL_DUE_EVENT = "renewal_due";

/**
 * An open periodic review task closed because the trader's business relationship ended
 * (lib/db/queries/retention.ts upsertRelationshipEnd): the console's history of the case says
 * why the review went; the trader is not told.
 */
export const PERIODIC_REVIEW_CLOSED_EVENT = "periodic_review_closed";

/** Every event a case's timeline (case_events.event) can hold; the console names each one. */
export const CASE_TIMELINE_EVENTS: readonly string[] = [
  ...Object.keys(CASE_EVENTS),
  RENEWAL_DUE_EVENT,
  PERIODIC_REVIEW_CLOSED_EVENT,
];

export type TransitionResult =
  | { ok: true; from: CaseStatus; to: CaseStatus }
  | { ok: false; reason: "illegal_from_state" | "actor_not_allowed" };

export function transition(from: CaseStatus, event: CaseEvent, actor: Actor): TransitionResult {
  const rule = CASE_EVENTS[event];
  if (!(rule.from as readonly CaseStatus[]).includes(from))
    return { ok: false, reason: "illegal_from_state" };
  if (!(rule.actors as readonly Actor[]).includes(actor))
    return { ok: false, reason: "actor_not_allowed" };
  return { ok: true, from, to: rule.to };
}

/**
 * The statuses of an upgrade (or early renewal) in progress on an approved case: the ones
 * `decline_upgrade` takes back to the approval.
 */
export const UPGRADE_OPEN_STATUSES = CASE_EVENTS.decline_upgrade.from;

/**
 * The statuses in which a case can have an approval in force: approved, or an upgrade open,
 * which leaves the approved level in force until it is decided. The console's monitoring tab
 * lists these (lib/review/queue.ts), held by a hold task.
 */
export const APPROVAL_IN_FORCE_STATUSES = ["approved", ...UPGRADE_OPEN_STATUSES] as const;

/**
 * Whether an approval is in force: the case is approved, or it is an upgrade (or early renewal)
 * of an approved case, open (it has an approved level).
 */
export function approvalInForce(kycCase: {
  status: string;
  approvedLevel?: string | null;
}): boolean {
  if (kycCase.status === "approved") return true;
  return (
    Boolean(kycCase.approvedLevel) &&
    (UPGRADE_OPEN_STATUSES as readonly string[]).includes(kycCase.status)
  );
}

/**
 * The statuses of a submission waiting for its decision: the checks run on it, the review
 * queue lists it, and an approval comes from it.
 */
export const AWAITING_DECISION_STATUSES = [
  "submitted",
  "resubmitted",
  "in_review",
] as const satisfies readonly CaseStatus[];

/** Whether the case is a submission waiting for its decision (AWAITING_DECISION_STATUSES). */
export function awaitingDecision(kycCase: { status: string }): boolean {
  return (AWAITING_DECISION_STATUSES as readonly string[]).includes(kycCase.status);
}

/** Statuses in which the trader can still change their answers. */
export const EDITABLE_STATUSES: ReadonlySet<CaseStatus> = new Set(["draft", "action_required"]);

/** A rejection that closed the case (a final reason, the retry limit, or a revoked approval). */
export function isFinalRejection(kycCase: { status: CaseStatus; closedAt: Date | null }): boolean {
  return kycCase.status === "rejected" && kycCase.closedAt !== null;
}
