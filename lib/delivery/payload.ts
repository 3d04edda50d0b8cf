/**
 * The documents we send about a case, as versioned zod schemas: the contract with the broker's
 * CRM (and later the other destinations). A receiver dispatches on `type` + `version`; a change
 * that would break a receiver becomes version 2 next to version 1, never an edit of version 1.
 *
 * What is in it on purpose: identifiers the CRM already holds (cTrader userId, trading login, the
 * email cTrader gave us), the case's status change and the level's account limits, so the CRM
 * can act without calling back. What is not: document contents, names, dates of birth,
 * addresses, answers — the CRM fetches nothing it does not already have.
 */
import { z } from "zod";
import { caseStatus, caseTrigger } from "@/lib/db/schema";
import { CASE_EVENTS, type CaseEvent } from "@/lib/kyc/case-state";
import { getLevel } from "@/lib/kyc/levels";

export const CASE_STATUS_CHANGED = "case.status_changed";

const limits = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** null: no limit at this level. */
  maxDepositPerMonth: z.number().nonnegative().nullable(),
  maxWithdrawalPerMonth: z.number().nonnegative().nullable(),
  canTrade: z.boolean(),
});

export const caseStatusChangedV1 = z.strictObject({
  type: z.literal(CASE_STATUS_CHANGED),
  version: z.literal(1),
  /** The outbox event id; the same value as the `webhook-id` header. */
  id: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  case: z.strictObject({
    id: z.uuid(),
    level: z.string(),
    status: z.enum(caseStatus.enumValues),
    previousStatus: z.enum(caseStatus.enumValues),
    trigger: z.enum(caseTrigger.enumValues),
  }),
  trader: z.strictObject({
    ctraderUserId: z.number().int(),
    tradingLogin: z.number().int().nullable(),
    /** As cTrader last gave it to us; not re-validated (a bad address must not block a change). */
    email: z.string().max(320).optional(),
  }),
  event: z.enum(Object.keys(CASE_EVENTS) as [CaseEvent, ...CaseEvent[]]),
  messageForTrader: z.string().optional(),
  limits,
});

export type CaseStatusChangedV1 = z.infer<typeof caseStatusChangedV1>;

/** Every payload we may send; receivers can parse with this and switch on `type`/`version`. */
export const webhookPayload = z.discriminatedUnion("type", [caseStatusChangedV1]);
export type WebhookPayload = z.infer<typeof webhookPayload>;

export type CaseStatusChangedFacts = {
  eventId: string;
  occurredAt: Date;
  kycCase: { id: string; level: string; trigger: CaseStatusChangedV1["case"]["trigger"] };
  from: CaseStatusChangedV1["case"]["previousStatus"];
  to: CaseStatusChangedV1["case"]["status"];
  event: string;
  trader: { ctraderUserId: number; tradingLogin: number | null; email: string | null };
  messageForTrader?: string | null;
};

/** Builds (and validates: a payload we could not parse ourselves is never stored) a v1 event. */
export function buildCaseStatusChanged(facts: CaseStatusChangedFacts): CaseStatusChangedV1 {
  return caseStatusChangedV1.parse({
    type: CASE_STATUS_CHANGED,
    version: 1,
    id: facts.eventId,
    occurredAt: facts.occurredAt.toISOString(),
    case: {
      id: facts.kycCase.id,
      level: facts.kycCase.level,
      status: facts.to,
      previousStatus: facts.from,
      trigger: facts.kycCase.trigger,
    },
    trader: {
      ctraderUserId: facts.trader.ctraderUserId,
      tradingLogin: facts.trader.tradingLogin,
      ...(facts.trader.email ? { email: facts.trader.email } : {}),
    },
    event: facts.event,
    ...(facts.messageForTrader ? { messageForTrader: facts.messageForTrader } : {}),
    limits: getLevel(facts.kycCase.level).limits,
  });
}
