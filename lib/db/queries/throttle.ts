import { and, count, eq, gte, sql } from "drizzle-orm";
import { getDb } from "../client";
import { auditEvents } from "../schema";
import type { AuditInput } from "./audit";

/**
 * Throttles counted on the audit trail: an attempt is an audit event, recorded *before* the
 * secret is checked, and a success is a second event. Failures in the window are attempts minus
 * successes (an attempt still being checked counts as a failure, which errs on the safe side).
 *
 * Attempts of one kind are serialised by a transaction-scoped advisory lock, so N parallel
 * requests are counted one after the other: with a budget of 10, at most 10 reach the check,
 * however many arrive at once.
 */
export async function recordAttemptWithinBudget(input: {
  attempt: AuditInput;
  successAction: string;
  since: Date;
  maxFailures: number;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.attempt.action}))`);
    const counted = async (action: string) => {
      const [row] = await tx
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, action), gte(auditEvents.occurredAt, input.since)));
      return Number(row?.n ?? 0);
    };
    const failures = (await counted(input.attempt.action)) - (await counted(input.successAction));
    if (failures >= input.maxFailures) return false;
    await tx.insert(auditEvents).values({ ...input.attempt, data: input.attempt.data ?? {} });
    return true;
  });
}
