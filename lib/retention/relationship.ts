/**
 * The end of a trader's business relationship starts the retention clock of their decided cases
 * (RETENTION_CASE_YEARS from `endedAt`). Said by the broker CRM (POST
 * /api/crm/traders/{id}/relationship-end, docs/lifecycle.md#relationship-end) or by an admin in
 * the console; a later call moves the date. Audited either way.
 */
import "server-only";
import { z } from "zod";
import { getCaseById } from "@/lib/db/queries/cases";
import { getTraderByCtraderUserId, getTraderById } from "@/lib/db/queries/traders";
import type { Trader } from "@/lib/db/schema";
import type { StaffPrincipal } from "@/lib/staff/auth";
import { listTraderCasesWithOutcome, upsertRelationshipEnd } from "@/lib/db/queries/retention";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { endCovers, tradersErasureDue } from "./policy";

/** The trader's cases with the outcome their retention is keyed on (lib/retention/policy.ts). */
export async function listTraderCasesForRetention(traderId: string) {
  return listTraderCasesWithOutcome(traderId);
}

/**
 * The CRM's body: when the relationship ended (not in the future, nor before it began: see
 * recordEnd); what it was is the CRM's.
 */
export const relationshipEndRequest = z
  .object({ endedAt: z.iso.datetime({ offset: true }) })
  .strict();

/** The answer: when it ended, and from when all of the trader's cases may be erased. */
export const relationshipEndAnswer = z.object({
  traderId: z.uuid(),
  endedAt: z.iso.datetime({ offset: true }),
  erasableFrom: z.iso.datetime({ offset: true }),
});

/** From the CRM: the trader named by their cTrader user id. */
export async function endRelationship(input: {
  ctraderUserId: number;
  endedAt: Date;
  actor: { type: "staff" | "ctrader" | "system"; id: string };
  source: "crm" | "console";
  now?: Date;
}): Promise<z.infer<typeof relationshipEndAnswer>> {
  const trader = await getTraderByCtraderUserId(input.ctraderUserId);
  if (!trader) throw new AppError("NOT_FOUND", "no trader with that cTrader user id");
  return recordEnd({ ...input, trader });
}

/** From the console: an admin, on one of the trader's cases, names the day it ended (UTC). */
export async function endRelationshipFromConsole(
  staff: Pick<StaffPrincipal, "id" | "role">,
  caseId: string,
  endedOn: string,
  now = new Date(),
): Promise<void> {
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "only an admin records the end", { reason: "needs_admin" });
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const day = z.iso.date().safeParse(endedOn);
  if (!day.success)
    throw new AppError("BAD_REQUEST", "a date is needed", { reason: "end_date_invalid" });
  const trader = await getTraderById(kycCase.traderId);
  if (!trader) throw new AppError("NOT_FOUND", "no such trader", { reason: "not_found" });
  await recordEnd({
    trader,
    endedAt: new Date(`${day.data}T00:00:00Z`),
    actor: { type: "staff", id: staff.id },
    source: "console",
    now,
  });
}

/**
 * The earliest end accepted: the UTC day before the current relationship began. That is the
 * trader's first launch (the row's creation, before any case of theirs), or, for a trader who came
 * back after an end was recorded, the opening of their first case since. A relationship cannot end
 * before it began; an end years back (a mistyped year, or the CRM sending the old end again after
 * the trader came back) would otherwise date the new cases by it, and the next purge could erase
 * a live customer's records at once. The day's slack lets a CRM send a day as midnight in its own
 * time zone (up to 14 hours ahead of UTC) for a trader who came and left the same day.
 */
export function earliestEnd(
  trader: Pick<Trader, "createdAt">,
  previous?: { recordedAt: Date },
  cases: readonly { openedAt: Date }[] = [],
): Date {
  const since = previous
    ? cases.filter((c) => !endCovers(previous, c)).map((c) => c.openedAt.getTime())
    : [];
  const day = new Date(since.length > 0 ? Math.min(...since) : trader.createdAt.getTime());
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() - 1);
  return day;
}

async function recordEnd(input: {
  trader: Pick<Trader, "id" | "createdAt">;
  endedAt: Date;
  actor: { type: "staff" | "ctrader" | "system"; id: string };
  source: "crm" | "console";
  now?: Date;
}): Promise<z.infer<typeof relationshipEndAnswer>> {
  const now = input.now ?? new Date();
  if (input.endedAt.getTime() > now.getTime())
    throw new AppError("BAD_REQUEST", "endedAt: must not be in the future", {
      contractCode: "INVALID_PARAMETER",
      reason: "end_date_invalid",
    });
  const { trader } = input;
  let erasableFrom = new Date(0);
  // Decided on the cases and the earlier end as they stand under the locks the end is recorded
  // under: a case opened while the request was on its way is one this end must answer for.
  await upsertRelationshipEnd({
    traderId: trader.id,
    endedAt: input.endedAt,
    source: input.source,
    now,
    decide: ({ cases, previous }) => {
      if (input.endedAt.getTime() < earliestEnd(trader, previous, cases).getTime())
        throw new AppError(
          "BAD_REQUEST",
          "endedAt: must not be before the trader's relationship began (their first launch, or their first case after an earlier end)",
          { contractCode: "INVALID_PARAMETER", reason: "end_date_invalid" },
        );
      // The day the last of the trader's cases may go, each by its outcome's and trigger's period.
      erasableFrom = tradersErasureDue(env().retention, input.endedAt, cases);
      return {
        actorType: input.actor.type,
        actorId: input.actor.id,
        action: "retention.relationship_ended",
        traderId: trader.id,
        data: {
          source: input.source,
          endedAt: input.endedAt.toISOString(),
          erasableFrom: erasableFrom.toISOString(),
        },
        occurredAt: now,
      };
    },
  });
  return relationshipEndAnswer.parse({
    traderId: trader.id,
    endedAt: input.endedAt.toISOString(),
    erasableFrom: erasableFrom.toISOString(),
  });
}
