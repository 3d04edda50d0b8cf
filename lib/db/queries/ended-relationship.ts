/**
 * Which cases belong to an ended business relationship: the trader's end is in force (at or
 * before `now`) and the case was opened before that end was recorded. Such a case is only a record
 * kept until the purge, so the sweeps that act on a customer (document renewal, re-screening,
 * periodic review) leave it alone. A case opened after the end was recorded is a returning
 * trader's and is live again; a later end (the CRM calls again) covers it too.
 */
import { and, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { getDb } from "../client";
import { kycCases, traderRelationships } from "../schema";

export function underEndedRelationship(
  kycCase: { traderId: SQLWrapper; openedAt: SQLWrapper },
  now: Date,
): SQL {
  return sql`exists (select 1 from ${traderRelationships} ended
    where ended.trader_id = ${kycCase.traderId}
      and ended.ended_at <= ${now.toISOString()}::timestamptz
      and ${kycCase.openedAt} <= ended.recorded_at)`;
}

/**
 * When the relationship a case belongs to ended, if it has (by `underEndedRelationship`): the
 * console says so beside a task that stays open past the end.
 */
export async function getRelationshipEndOfCase(caseId: string, now: Date): Promise<Date | null> {
  const db = await getDb();
  const [row] = await db
    .select({ endedAt: traderRelationships.endedAt })
    .from(kycCases)
    .innerJoin(traderRelationships, eq(traderRelationships.traderId, kycCases.traderId))
    .where(
      and(
        eq(kycCases.id, caseId),
        underEndedRelationship({ traderId: kycCases.traderId, openedAt: kycCases.openedAt }, now),
      ),
    );
  return row?.endedAt ?? null;
}
