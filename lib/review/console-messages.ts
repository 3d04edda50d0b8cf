/**
 * The console's closed vocabulary: what an action did (`?outcome=`) and why one was refused
 * (`?error=`, an AppError reason from lib/review). Actions redirect with a code, never with free
 * text, so a URL cannot put words on the page; the page shows the officer's-language message for
 * the code from the `ConsoleCase` catalog (`outcome`, `refusal`, `why`, `state`).
 */
import type { ReviewReason } from "@/lib/errors";

const OUTCOMES = {
  claimed: true,
  taken_over: true,
  approved: true,
  awaiting_co_sign: true,
  rejected_retry: true,
  rejected_final: true,
  rejected_retry_limit: true,
  upgrade_declined: true,
  renewal_declined: true,
  action_requested: true,
  review_resumed: true,
  assigned: true,
  hit_cleared: true,
  hit_awaiting_second: true,
  hit_confirmed: true,
  monitoring_cleared: true,
  reopened: true,
  checks_ran: true,
  replayed: true,
  legal_hold_set: true,
  legal_hold_lifted: true,
  erasure_executed: true,
  erasure_failed: true,
  erasure_refused: true,
  relationship_ended: true,
  periodic_review_completed: true,
  approval_kept: true,
  monitoring_task_closed: true,
} as const;
export type ConsoleOutcome = keyof typeof OUTCOMES;

/** Every review refusal has a message: the `satisfies` fails the build when one is added. */
const REFUSALS = {
  bad_case: true,
  not_found: true,
  forbidden: true,
  not_reviewable: true,
  not_open: true,
  not_waiting: true,
  not_rejected: true,
  checks_running: true,
  checks_failed: true,
  checks_done: true,
  confirmed_match: true,
  likely_hit_open: true,
  approval_on_hold: true,
  hit_unjudged: true,
  screening_outdated: true,
  unknown_hit: true,
  hit_already_confirmed: true,
  hit_already_cleared: true,
  already_judged: true,
  second_needs_approver: true,
  reason_required: true,
  already_signed: true,
  co_sign_needs_approver: true,
  claimed_by_other: true,
  unknown_staff: true,
  needs_approver: true,
  needs_admin: true,
  case_purged: true,
  unknown_reason: true,
  revoke_needs_final: true,
  items_required: true,
  message_required: true,
  other_case_open: true,
  not_assignee: true,
  confirmation_required: true,
  reason_not_for_level: true,
  item_not_for_level: true,
  no_review_task: true,
  review_not_approved: true,
  risk_not_higher: true,
  nothing_to_renew: true,
  unknown_outcome: true,
  no_vendor_task: true,
  no_monitoring_task: true,
  monitoring_task_readable: true,
  task_hits_unknown: true,
  end_date_invalid: true,
  changed: true,
  failed: true,
} as const satisfies Record<ReviewReason | "bad_case" | "forbidden" | "changed" | "failed", true>;
export type ConsoleRefusal = keyof typeof REFUSALS;

/**
 * Why a control is not offered to the person looking at it: a refusal the action would answer,
 * or a role rule that only the page states (nothing calls the action for these).
 */
export type PageOnlyWhy =
  | "withdraw_needs_approver"
  | "reopen_needs_admin"
  | "export_needs_approver"
  | "replay_needs_admin"
  | "waiting_for_co_sign";
export type ControlWhy = ConsoleRefusal | PageOnlyWhy;

export function isConsoleOutcome(code: unknown): code is ConsoleOutcome {
  return typeof code === "string" && Object.hasOwn(OUTCOMES, code);
}

export function isConsoleRefusal(code: unknown): code is ConsoleRefusal {
  return typeof code === "string" && Object.hasOwn(REFUSALS, code);
}
