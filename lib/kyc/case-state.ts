/**
 * The KYC case state machine, as data and one pure function. Nothing else decides whether a
 * status change is legal; lib/db/queries/cases.ts applies a decided transition atomically.
 *
 *   draft ──submit──▶ submitted ──start_review──▶ in_review ──approve──▶ approved ──expire──▶ expired
 *                                                    │  │                                      │
 *                                      request_action│  └reject──▶ rejected ──retry──▶ draft     │
 *                                                    ▼                                          │
 *          resubmitted ◀──resubmit── action_required                     draft ◀──renew────────┘
 *               └──start_review──▶ in_review
 *
 * Who may fire what: the trader submits, resubmits and starts again; staff and the automated
 * checks (system) review; expiry comes from the system or the broker (staff).
 */
import type { CaseStatus } from "@/lib/db/schema";

export const CASE_EVENTS = {
  submit: { from: ["draft"], to: "submitted", actors: ["trader"] },
  start_review: {
    from: ["submitted", "resubmitted"],
    to: "in_review",
    actors: ["staff", "system"],
  },
  approve: { from: ["in_review"], to: "approved", actors: ["staff", "system"] },
  reject: { from: ["in_review"], to: "rejected", actors: ["staff"] },
  request_action: { from: ["in_review"], to: "action_required", actors: ["staff", "system"] },
  resubmit: { from: ["action_required"], to: "resubmitted", actors: ["trader"] },
  retry: { from: ["rejected"], to: "draft", actors: ["trader"] },
  expire: { from: ["approved"], to: "expired", actors: ["system", "staff"] },
  renew: { from: ["expired"], to: "draft", actors: ["trader"] },
} as const satisfies Record<
  string,
  { from: readonly CaseStatus[]; to: CaseStatus; actors: readonly Actor[] }
>;

export type Actor = "trader" | "staff" | "system";
export type CaseEvent = keyof typeof CASE_EVENTS;

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

/** Statuses in which the trader can still change their answers. */
export const EDITABLE_STATUSES: ReadonlySet<CaseStatus> = new Set(["draft", "action_required"]);
