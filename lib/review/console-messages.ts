/**
 * The console's closed vocabulary: what an action did (`?outcome=`) and why one was refused
 * (`?error=`, an AppError reason from lib/review). Actions redirect with a code, never with free
 * text, so a URL cannot put words on the page; the page shows the message for the code.
 */
import type { CaseStatus } from "@/lib/db/schema";
import type { ReviewReason } from "@/lib/errors";

export const CONSOLE_OUTCOMES = {
  claimed: "You claimed this case.",
  taken_over: "You took this case over; the change is audited.",
  approved: "Approved.",
  awaiting_co_sign: "Your approval is signed. A second approver must co-sign.",
  rejected_retry: "Rejected; the trader may fix the named items and send again.",
  rejected_final: "Rejected; the case is closed.",
  rejected_retry_limit:
    "Rejected. The trader had already sent this case again the maximum number of times, so the rejection is final.",
  upgrade_declined: "The upgrade is declined; the trader keeps the level approved before.",
  action_requested: "The trader was asked for more information.",
  review_resumed: "The case is back in review.",
  assigned: "Assignment changed.",
  hit_cleared: "Recorded: false positive. The hit is cleared.",
  hit_awaiting_second:
    "Recorded: false positive. A second person (an approver) must confirm before the hit is cleared.",
  hit_confirmed:
    "Recorded: confirmed match. The case cannot be approved; reject it with reason sanctions_match.",
  monitoring_cleared:
    "Recorded: false positive. The monitoring hit is cleared and the hold lifted.",
  reopened: "The case is reopened and back in review.",
  checks_ran: "The automated checks ran.",
  replayed: "Deliveries scheduled again.",
  legal_hold_set: "Legal hold set: no retention rule or erasure request will erase this case.",
  legal_hold_lifted: "Legal hold lifted; the retention policy applies again.",
  erasure_executed: "Erasure request executed: the trader's data is erased; tombstones remain.",
  erasure_refused:
    "Erasure request recorded and refused; the reason and the date it will run are in the Retention section.",
  relationship_ended:
    "Recorded: the business relationship ended. The retention period runs from that date.",
} as const;
export type ConsoleOutcome = keyof typeof CONSOLE_OUTCOMES;

export const CONSOLE_REFUSALS = {
  bad_case: "That case does not exist.",
  not_found: "That case does not exist.",
  forbidden: "Your role does not allow that.",
  not_reviewable: "The case is not waiting for a review decision.",
  not_open: "The case is closed; there is nothing to decide.",
  not_waiting: "The case is not waiting on the trader.",
  not_rejected: "Only a rejected case can be reopened.",
  checks_running:
    "The automated checks of this submission are still running. Approval is possible once they have finished.",
  checks_failed: "The automated checks of this submission failed. Retry them before approving.",
  checks_done: "The checks of this submission have already run.",
  confirmed_match:
    "A screening hit was confirmed as a match: this case cannot be approved. Reject it with reason sanctions_match.",
  likely_hit_open:
    "A likely screening hit is not cleared. Two people must each judge it a false positive, or confirm the match.",
  hit_unjudged: "A screening hit has not been judged. Mark it a false positive or confirm it.",
  unknown_hit: "That screening hit is not part of this case.",
  hit_already_confirmed: "This hit is already confirmed as a match.",
  hit_already_cleared: "This hit is already cleared.",
  already_judged: "You already cleared this hit. A second person must confirm it.",
  second_needs_approver: "The second clearing of a likely hit needs an approver.",
  reason_required: "Write why (at least 10 characters).",
  already_signed: "You already signed. A second, different approver must co-sign.",
  co_sign_needs_approver: "An approver must co-sign this approval.",
  claimed_by_other: "Someone else claimed this case first.",
  needs_approver: "That needs the approver role.",
  needs_admin: "Only an admin can do that.",
  case_purged: "This case was erased under the retention policy; only its tombstone remains.",
  unknown_reason: "Choose a reason from the list.",
  revoke_needs_final: "An approval is taken back with a final reason.",
  items_required: "Name at least one step or document for the trader to redo.",
  message_required: "Write a message for the trader.",
  other_case_open: "The trader has another open case.",
  not_assignee:
    "Someone else has claimed this case. Take it over (audited) before you decide, ask for more or approve.",
  confirmation_required:
    "Approvals and rejections are confirmed in a dialog first. Nothing was changed; try again.",
  reason_not_for_level:
    "That reason names a step or document this case's level never asked for. Choose one from the list.",
  changed: "The case changed meanwhile. Reload and try again.",
  failed: "Something went wrong; nothing was changed.",
} as const satisfies Record<ReviewReason | "bad_case" | "forbidden" | "changed" | "failed", string>;
export type ConsoleRefusal = keyof typeof CONSOLE_REFUSALS;

/**
 * Why a control is not offered to the person looking at it: a refusal the action would answer,
 * or a role rule that only the page states (nothing calls the action for these).
 */
export const CONTROL_WHY = {
  ...CONSOLE_REFUSALS,
  withdraw_needs_approver: "An approver can withdraw this approval.",
  reopen_needs_admin: "Only an admin can reopen a rejected case.",
  export_needs_approver: "Approvers and admins can export the evidence.",
  replay_needs_admin: "An admin can replay deliveries.",
  waiting_for_co_sign: "You signed. A second, different approver must co-sign.",
} as const;
export type ControlWhy = keyof typeof CONTROL_WHY;

export function isConsoleOutcome(code: unknown): code is ConsoleOutcome {
  return typeof code === "string" && Object.hasOwn(CONSOLE_OUTCOMES, code);
}

export function isConsoleRefusal(code: unknown): code is ConsoleRefusal {
  return typeof code === "string" && Object.hasOwn(CONSOLE_REFUSALS, code);
}

/** What the case waits for, as the decisions section opens with it. */
export const CASE_STATE_LINES = {
  draft: "The trader has not sent this case yet. It can be rejected meanwhile.",
  submitted: "Sent by the trader; waiting for a review decision.",
  resubmitted: "Sent again by the trader; waiting for a review decision.",
  in_review: "In review; waiting for a decision.",
  action_required: "Waiting for the trader to send what was asked for.",
  approved: "Approved.",
  rejected: "Rejected.",
  expired: "Expired: the trader did not finish in time. There is nothing to decide.",
} as const satisfies Record<CaseStatus, string>;

/** Shown for a staff id with no account behind it: staff are named, never shown as an id. */
export const UNKNOWN_STAFF = "a former staff member";
