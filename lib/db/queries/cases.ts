import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../client";
import { kycCases, type CaseTrigger, type KycCase } from "../schema";

/**
 * Returns the trader's open case, opening one at `level` if there is none. The partial unique
 * index makes concurrent calls converge on one case: the loser's insert does nothing and it
 * reads the winner's row.
 */
export async function ensureOpenCase(
  traderId: string,
  level: string,
  trigger: CaseTrigger,
): Promise<KycCase> {
  // Most visits are returning traders: one read settles them without a write.
  const open = await getOpenCaseForTrader(traderId);
  if (open) return open;
  const db = await getDb();
  const [created] = await db
    .insert(kycCases)
    .values({ traderId, level, trigger })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const existing = await getOpenCaseForTrader(traderId);
  if (!existing) throw new Error("ensureOpenCase: no open case after conflict");
  return existing;
}

export async function getOpenCaseForTrader(traderId: string): Promise<KycCase | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(kycCases)
    .where(and(eq(kycCases.traderId, traderId), isNull(kycCases.closedAt)));
  return row;
}

export async function getCaseForTrader(
  caseId: string,
  traderId: string,
): Promise<KycCase | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(kycCases)
    .where(and(eq(kycCases.id, caseId), eq(kycCases.traderId, traderId)));
  return row;
}
