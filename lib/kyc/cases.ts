/**
 * Case status changes: the state machine decides, the database applies atomically with the
 * timeline event and the outbox event (lib/db/queries/cases.ts). The one entry point for every
 * status change, whoever makes it. In a request, pass the returned `eventId` to
 * `deliverSoon` (lib/jobs/after-response.ts) for a first delivery attempt right after the response.
 */
import { AppError } from "@/lib/errors";
import { applyCaseTransition, type AppliedTransition } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildCaseStatusChanged, CASE_STATUS_CHANGED } from "@/lib/delivery/payload";
import { CASE_EVENTS, transition, type Actor, type CaseEvent } from "./case-state";

export type ChangeStatus = {
  kycCase: Pick<KycCase, "id" | "status">;
  event: CaseEvent;
  actor: { type: Actor; id: string };
  messageForTrader?: string;
  /** On `decline_upgrade`: told apart in the webhook (an upgrade or an early renewal refused). */
  declined?: "upgrade" | "renewal";
  data?: Record<string, unknown>;
  now?: Date;
  decision?: AppliedTransition["decision"];
  close?: boolean;
  guard?: AppliedTransition["guard"];
  alsoInTransaction?: AppliedTransition["alsoInTransaction"];
  /** An upgrade's new level. */
  level?: string;
};

export async function changeCaseStatus(input: ChangeStatus): Promise<{
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
  const applied = await applyCaseTransition({
    caseId: input.kycCase.id,
    event: input.event,
    from: decided.from,
    to: decided.to,
    actorType: input.actor.type,
    actorId: input.actor.id,
    messageForTrader: input.messageForTrader,
    data: input.data,
    now,
    decision: input.decision,
    close: input.close,
    reopen: "reopens" in rule && rule.reopens,
    newRound: "newRound" in rule && rule.newRound,
    level: input.level,
    approvedLevel: "approvedLevel" in rule ? rule.approvedLevel : undefined,
    guard: input.guard,
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
    alsoInTransaction: input.alsoInTransaction,
  });
  if (!applied) throw new AppError("CONFLICT", "the case changed meanwhile; reload and try again");
  return { from: decided.from, to: decided.to, eventId: applied.eventId, moved: applied.moved };
}
