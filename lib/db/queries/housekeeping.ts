import { lt, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  handoffRedemptions,
  phoneHandoffs,
  sessions,
  ssoOneTimeTokens,
  staffLoginThrottle,
  staffSessions,
} from "../schema";

/**
 * Rows that have outlived every purpose: sessions and one-time tokens past their expiry, and
 * login throttle counters untouched since, all older than `before`. The audit trail
 * keeps the facts (session.started, staff.login…); these tables only gate live access.
 */
export async function purgeExpiredAccessRows(before: Date): Promise<number> {
  const db = await getDb();
  const counts = await Promise.all([
    db
      .delete(sessions)
      .where(lt(sessions.expiresAt, before))
      .returning({ x: sql`1` }),
    db
      .delete(staffSessions)
      .where(lt(staffSessions.expiresAt, before))
      .returning({ x: sql`1` }),
    db
      .delete(ssoOneTimeTokens)
      .where(lt(ssoOneTimeTokens.expiresAt, before))
      .returning({ x: sql`1` }),
    db
      .delete(phoneHandoffs)
      .where(lt(phoneHandoffs.expiresAt, before))
      .returning({ x: sql`1` }),
    db
      .delete(handoffRedemptions)
      .where(lt(handoffRedemptions.claimedAt, before))
      .returning({ x: sql`1` }),
    db
      .delete(staffLoginThrottle)
      .where(lt(staffLoginThrottle.lastAttemptAt, before))
      .returning({ x: sql`1` }),
  ]);
  return counts.reduce((n, rows) => n + rows.length, 0);
}
