/**
 * Case status changes: the state machine decides, the database applies atomically with the
 * timeline event and the outbox event (lib/db/queries/cases.ts). The one entry point for every
 * status change, whoever makes it. In a request, pass the returned `eventId` to
 * `deliverSoon` (lib/jobs/after-response.ts) for a first delivery attempt right after the response.
 */
import { AppError } from "@/lib/errors";
import { applyCaseTransition, type AppliedTransition, type Tx } from "@/lib/db/queries/cases";
import { roundScreenedOnCurrentLists } from "@/lib/db/queries/checks";
import { shareListVersionsLock } from "@/lib/db/queries/screening-lists";
import { approvalOnHold } from "@/lib/db/queries/hold-tasks";
import { voidPendingUploads } from "@/lib/db/queries/documents";
import type { KycCase } from "@/lib/db/schema";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildCaseStatusChanged, CASE_STATUS_CHANGED } from "@/lib/delivery/payload";
import type { CaseEventData } from "./case-event-data";
import {
  CASE_EVENTS,
  EDITABLE_STATUSES,
  transition,
  type Actor,
  type CaseEvent,
} from "./case-state";

export type ChangeStatus<E extends CaseEvent = CaseEvent> = {
  kycCase: Pick<KycCase, "id" | "status">;
  event: E;
  actor: { type: Actor; id: string };
  messageForTrader?: string;
  /** On `decline_upgrade`: told apart in the webhook (an upgrade or an early renewal refused). */
  declined?: "upgrade" | "renewal";
  now?: Date;
  decision?: AppliedTransition["decision"];
  close?: boolean;
  guard?: AppliedTransition["guard"];
  alsoInTransaction?: AppliedTransition["alsoInTransaction"];
  /** An upgrade's new level. */
  level?: string;
} & DataForEvery<E>;

/**
 * A caller that picks the event at run time (a union, e.g. `submit | resubmit`) passes data that
 * every one of those events' schemas accepts: the intersection, not any one member's data.
 */
type DataForEvery<E extends CaseEvent> = Intersect<EventDataOf<E>>;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/**
 * The event's data, of its schema (lib/kyc/case-event-data.ts): required where its readers expect
 * it, optional where a person's move stores none (`start_review`, `approve`), absent otherwise.
 */
type EventDataOf<E extends CaseEvent> = E extends "start_review" | "approve"
  ? { data?: CaseEventData[E] }
  : E extends keyof CaseEventData
    ? { data: CaseEventData[E] }
    : { data?: never };

export const APPROVAL_ON_HOLD_MESSAGE =
  "the approval in force is held by a late vendor verdict or a monitoring hit: decide that first";

/**
 * Every approval, a person's or the checks', is refused while the approval in force it builds on
 * is held (lib/db/queries/hold-tasks.ts approvalOnHold), asked on the locked row: a hold task
 * opens under the same lock, so one that opens after the approver's page or the checks looked
 * still stops it.
 */
async function refuseHeldApproval(tx: Tx, before: KycCase): Promise<void> {
  if (await approvalOnHold(before, tx))
    throw new AppError("CONFLICT", APPROVAL_ON_HOLD_MESSAGE, { reason: "approval_on_hold" });
}

export const SCREENING_OUTDATED_MESSAGE =
  "the sanctions lists changed after this submission was screened: screen it again first";

/**
 * Every approval is refused unless its round was screened against the lists in force now
 * (lib/db/queries/checks.ts roundScreenedOnCurrentLists), asked on the locked row like the hold.
 * A list import re-screens the submissions awaiting a decision (lib/checks/rescreen.ts); this
 * stops an approval that comes first: a person's while the re-screening has not reached the case
 * (or was cut off), or the checks' own when an import committed while they ran. It holds the list
 * versions' lock until the approval commits, so an import waits for it and then re-screens the
 * case as approved (lib/db/queries/screening-lists.ts). The database refuses the same approval
 * (migration 0037).
 */
async function refuseOutdatedScreening(tx: Tx, before: KycCase): Promise<void> {
  await shareListVersionsLock(tx);
  if (!(await roundScreenedOnCurrentLists(before.id, tx)))
    throw new AppError("CONFLICT", SCREENING_OUTDATED_MESSAGE, { reason: "screening_outdated" });
}

export async function changeCaseStatus<E extends CaseEvent>(
  input: ChangeStatus<E>,
): Promise<{
  from: string;
  to: string;
  eventId: string;
  moved: KycCase;
}> {
  const decided = transition(input.kycCase.status, input.event, input.actor.type);
  if (!decided.ok) {
    throw new AppError("CONFLICT", `cannot ${input.event} a case that is ${input.kycCase.status}`);
  }
  const rule = CASE_EVENTS[input.event];
  const now = input.now ?? new Date();
  const approval = "approvedLevel" in rule && rule.approvedLevel === "set";
  const guard: AppliedTransition["guard"] = approval
    ? async (tx, moved, before) => {
        await refuseHeldApproval(tx, before);
        await refuseOutdatedScreening(tx, before);
        await input.guard?.(tx, moved, before);
      }
    : input.guard;
  const applied = await applyCaseTransition({
    caseId: input.kycCase.id,
    event: input.event,
    from: decided.from,
    to: decided.to,
    actorType: input.actor.type,
    actorId: input.actor.id,
    messageForTrader: input.messageForTrader,
    // The data's type was settled per event at the call (ChangeStatus): stored as given.
    data: (input as { data?: Record<string, unknown> }).data,
    now,
    decision: input.decision,
    close: input.close,
    reopen: "reopens" in rule && rule.reopens,
    newRound: "newRound" in rule && rule.newRound,
    level: input.level,
    approvedLevel: "approvedLevel" in rule ? rule.approvedLevel : undefined,
    guard,
    outbox: ({ eventId, sequence, moved, trader }) => ({
      type: CASE_STATUS_CHANGED,
      payload: buildCaseStatusChanged({
        eventId,
        sequence,
        occurredAt: now,
        kycCase: moved,
        from: decided.from,
        to: decided.to,
        event: input.event,
        trader,
        messageForTrader: input.messageForTrader,
        declined: input.declined,
      }),
      destinations: destinationIdsFor(CASE_STATUS_CHANGED),
    }),
    alsoInTransaction: async (tx, moved) => {
      // The trader stops being able to change the case (a submit, a reviewer taking it back or
      // deciding it): an upload still on its way was chosen for what the case asked until now,
      // and must not be confirmed into what it asks next (a later request, a retry's draft).
      if (EDITABLE_STATUSES.has(decided.from) && !EDITABLE_STATUSES.has(decided.to))
        await voidPendingUploads(tx, input.kycCase.id, now);
      await input.alsoInTransaction?.(tx, moved);
    },
  });
  if (!applied) throw new AppError("CONFLICT", "the case changed meanwhile; reload and try again");
  return { from: decided.from, to: decided.to, eventId: applied.eventId, moved: applied.moved };
}
