import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "../client";
import {
  handoffRedemptions,
  phoneHandoffs,
  ssoOneTimeTokens,
  traders,
  type PhoneHandoff,
} from "../schema";

export async function insertSsoToken(values: typeof ssoOneTimeTokens.$inferInsert): Promise<void> {
  const db = await getDb();
  await db.insert(ssoOneTimeTokens).values(values);
}

export type SsoTokenLookup =
  { state: "ok"; traderId: string } | { state: "expired" | "used" | "unknown" };

/**
 * Consumes an SSO one-time token for one consumer ("redeemed" by the screen, "authorized" by
 * cTrader). Single use is the conditional UPDATE itself; the follow-up read only explains a
 * refusal (unknown, expired or already used) and decides nothing.
 */
export async function consumeSsoToken(
  tokenHash: string,
  consumer: "redeemed" | "authorized",
  now: Date,
): Promise<SsoTokenLookup> {
  const db = await getDb();
  const column =
    consumer === "redeemed" ? ssoOneTimeTokens.redeemedAt : ssoOneTimeTokens.authorizedAt;
  const set = consumer === "redeemed" ? { redeemedAt: now } : { authorizedAt: now };
  const [row] = await db
    .update(ssoOneTimeTokens)
    .set(set)
    .where(
      and(
        eq(ssoOneTimeTokens.tokenHash, tokenHash),
        isNull(column),
        gt(ssoOneTimeTokens.expiresAt, now),
      ),
    )
    .returning({ traderId: ssoOneTimeTokens.traderId });
  if (row) return { state: "ok", traderId: row.traderId };
  const [existing] = await db
    .select()
    .from(ssoOneTimeTokens)
    .where(eq(ssoOneTimeTokens.tokenHash, tokenHash));
  if (!existing) return { state: "unknown" };
  const used = consumer === "redeemed" ? existing.redeemedAt : existing.authorizedAt;
  return { state: used ? "used" : "expired" };
}

/** True for exactly one caller per token hash, however many race. */
export async function claimHandoffToken(tokenHash: string, now: Date): Promise<boolean> {
  const db = await getDb();
  const claimed = await db
    .insert(handoffRedemptions)
    .values({ tokenHash, claimedAt: now })
    .onConflictDoNothing()
    .returning({ tokenHash: handoffRedemptions.tokenHash });
  return claimed.length === 1;
}

export async function releaseHandoffToken(tokenHash: string): Promise<void> {
  const db = await getDb();
  await db.delete(handoffRedemptions).where(eq(handoffRedemptions.tokenHash, tokenHash));
}

export async function insertPhoneHandoff(values: typeof phoneHandoffs.$inferInsert): Promise<void> {
  const db = await getDb();
  await db.insert(phoneHandoffs).values(values);
}

/** Marks the handoff used if it is unused and unexpired; exactly one caller gets the row. */
export async function consumePhoneHandoff(
  tokenHash: string,
  now: Date,
): Promise<PhoneHandoff | undefined> {
  const db = await getDb();
  const [row] = await db
    .update(phoneHandoffs)
    .set({ usedAt: now })
    .where(
      and(
        eq(phoneHandoffs.tokenHash, tokenHash),
        isNull(phoneHandoffs.usedAt),
        gt(phoneHandoffs.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

/**
 * An unused, unexpired handoff with its trader's account as cTrader gave it, read without
 * consuming it (the confirmation page shows whose case the link belongs to).
 */
export async function getLivePhoneHandoff(
  tokenHash: string,
  now: Date,
): Promise<
  { handoff: PhoneHandoff; email: string | null; tradingLogin: number | null } | undefined
> {
  const db = await getDb();
  const [row] = await db
    .select({ handoff: phoneHandoffs, email: traders.email, tradingLogin: traders.tradingLogin })
    .from(phoneHandoffs)
    .innerJoin(traders, eq(traders.id, phoneHandoffs.traderId))
    .where(
      and(
        eq(phoneHandoffs.tokenHash, tokenHash),
        isNull(phoneHandoffs.usedAt),
        gt(phoneHandoffs.expiresAt, now),
      ),
    );
  return row;
}
