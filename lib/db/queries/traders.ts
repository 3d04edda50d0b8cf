import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { kycCases, traders, type KycCase, type Trader } from "../schema";
import type { Tx } from "./cases";

export type TraderIdentity = {
  ctraderUserId: number;
  email?: string | null;
  tradingLogin?: number | null;
};

/**
 * Creates the trader on first sight; later visits refresh what cTrader told us. `tx`: the
 * caller's transaction (a launch writes the trader and the case together, lib/db/queries/cases.ts).
 */
export async function upsertTrader(
  identity: TraderIdentity,
  locale: string,
  tx?: Tx | Db,
): Promise<Trader> {
  const db = tx ?? (await getDb());
  const [row] = await db
    .insert(traders)
    .values({
      ctraderUserId: identity.ctraderUserId,
      email: identity.email ?? null,
      tradingLogin: identity.tradingLogin ?? null,
      preferredLocale: locale,
    })
    .onConflictDoUpdate({
      target: traders.ctraderUserId,
      set: {
        email: identity.email === undefined ? sql`${traders.email}` : identity.email,
        tradingLogin:
          identity.tradingLogin === undefined
            ? sql`${traders.tradingLogin}`
            : identity.tradingLogin,
        preferredLocale: locale,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  if (!row) throw new Error("upsertTrader returned no row");
  return row;
}

export async function getTraderById(id: string): Promise<Trader | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(traders).where(eq(traders.id, id));
  return row;
}

export async function getTraderByCtraderUserId(ctraderUserId: number): Promise<Trader | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(traders).where(eq(traders.ctraderUserId, ctraderUserId));
  return row;
}

/** The language the trader last used, for what we send outside a screen (email). */
export async function getTraderLocale(ctraderUserId: number): Promise<string | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ locale: traders.preferredLocale })
    .from(traders)
    .where(eq(traders.ctraderUserId, ctraderUserId));
  return row?.locale;
}

export async function setTraderInappTokenHash(traderId: string, hash: string): Promise<void> {
  const db = await getDb();
  await db
    .update(traders)
    .set({ inappTokenHash: hash, updatedAt: sql`now()` })
    .where(eq(traders.id, traderId));
}

/** The trader and their open case (if any) in one round trip: what every visit starts from. */
export async function getTraderWithOpenCase(
  ctraderUserId: number,
): Promise<{ trader: Trader; openCase: KycCase | null } | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ trader: traders, openCase: kycCases })
    .from(traders)
    .leftJoin(kycCases, and(eq(kycCases.traderId, traders.id), isNull(kycCases.closedAt)))
    .where(eq(traders.ctraderUserId, ctraderUserId));
  return row;
}
