import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { getDb } from "../client";
import { sessions, type Session } from "../schema";

export type NewSession = typeof sessions.$inferInsert;

export async function insertSession(values: NewSession): Promise<void> {
  const db = await getDb();
  await db.insert(sessions).values(values);
}

/**
 * Validates and refreshes a session in one statement: it matches only when the session is not
 * revoked, not past its absolute expiry and not idle for longer than `idleCutoff` allows.
 * `last_seen_at` moves forward at most once per `touchEvery` to avoid a write per request.
 */
export async function touchSession(
  idHash: string,
  now: Date,
  idleCutoff: Date,
  touchBefore: Date,
): Promise<Session | undefined> {
  const db = await getDb();
  const valid = and(
    eq(sessions.idHash, idHash),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
    gt(sessions.lastSeenAt, idleCutoff),
  );
  const [touched] = await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(valid, lt(sessions.lastSeenAt, touchBefore)))
    .returning();
  if (touched) return touched;
  const [current] = await db.select().from(sessions).where(valid);
  return current;
}

export async function revokeSession(idHash: string, now: Date): Promise<void> {
  const db = await getDb();
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.idHash, idHash), isNull(sessions.revokedAt)));
}

/** Housekeeping: sessions past their absolute expiry or revoked before `before`. */
export async function deleteDeadSessions(before: Date): Promise<number> {
  const db = await getDb();
  const gone = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
    .returning({ idHash: sessions.idHash });
  return gone.length;
}
