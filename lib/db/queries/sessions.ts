import { and, eq, gt, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  kycCases,
  phoneHandoffs,
  sessions,
  traders,
  type KycCase,
  type Session,
  type Trader,
} from "../schema";
import type { AuditInput } from "./audit";
import { preparedPerHandle } from "./prepared";

export type NewSession = typeof sessions.$inferInsert;

/**
 * Inserts the session and its audit event in one statement (a data-modifying CTE): atomic, there
 * is never a session without its `session.started` record. In the same transaction it revokes
 * the trader's older live sessions (`replaces`: all of them, or only the scoped handoff ones),
 * so a trader has one full session at a time; the count goes into the audit event.
 */
export async function insertSessionWithAudit(
  values: NewSession,
  audit: AuditInput,
  replaces: "all" | "scoped" | "none" = "none",
  /** A resume code this session spends: nothing is written unless it is still usable. */
  spendsResume?: { resumeHash: string; idleCutoff: Date },
): Promise<{ revoked: number; inserted: boolean }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (spendsResume) {
      const spent = await tx
        .update(sessions)
        .set({ resumeHash: null, resumeExpiresAt: null })
        .where(
          and(
            resumable(spendsResume.resumeHash, values.createdAt, spendsResume.idleCutoff),
            eq(sessions.traderId, values.traderId),
          ),
        )
        .returning({ idHash: sessions.idHash });
      if (spent.length === 0) return { revoked: 0, inserted: false };
    }
    let revoked = 0;
    if (replaces !== "none") {
      // Two entries of one trader at once: the second waits, then sees and revokes the first.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${"session:" + values.traderId}))`,
      );
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: values.createdAt })
        .where(
          and(
            eq(sessions.traderId, values.traderId),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, values.createdAt),
            replaces === "scoped" ? isNotNull(sessions.documentScope) : undefined,
          ),
        )
        .returning({ idHash: sessions.idHash });
      revoked = rows.length;
    }
    const data = { ...audit.data, ...(revoked > 0 && { revokedSessions: revoked }) };
    const session = tx
      .$with("session")
      .as(tx.insert(sessions).values(values).returning({ idHash: sessions.idHash }));
    await tx
      .with(session)
      .insert(auditEvents)
      .select(
        tx
          .select({
            id: sql`nextval(pg_get_serial_sequence('audit_events', 'id'))`.as("id"),
            occurredAt: sql`${(audit.occurredAt ?? new Date()).toISOString()}::timestamptz`.as(
              "occurred_at",
            ),
            actorType: sql`${audit.actorType}`.as("actor_type"),
            actorId: sql`${audit.actorId}`.as("actor_id"),
            action: sql`${audit.action}`.as("action"),
            caseId: sql`${audit.caseId ?? null}::uuid`.as("case_id"),
            traderId: sql`${audit.traderId ?? null}::uuid`.as("trader_id"),
            data: sql`${JSON.stringify(data)}::jsonb`.as("data"),
            // Filled in by the hash-chain trigger.
            seq: sql`null::bigint`.as("seq"),
            prevHash: sql`null::text`.as("prev_hash"),
            hash: sql`null::text`.as("hash"),
          })
          .from(session),
      );
    return { revoked, inserted: true };
  });
}

/**
 * Ends one session. A trader's full session takes with it the phone links its case still has
 * outstanding: a QR code left on a screen the trader closed (a shared computer) opens nothing.
 */
export async function revokeSession(idHash: string, now: Date): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [ended] = await tx
      .update(sessions)
      .set({ revokedAt: now })
      // A session past its end is over already (a later entry did not revoke it): closing its
      // old tab ends nothing, not the phone links of the screen the trader uses now.
      .where(
        and(eq(sessions.idHash, idHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
      )
      .returning({
        traderId: sessions.traderId,
        caseId: sessions.caseId,
        documentScope: sessions.documentScope,
      });
    if (!ended || ended.documentScope !== null || ended.caseId === null) return;
    await tx
      .update(phoneHandoffs)
      .set({ expiresAt: now })
      .where(
        and(
          eq(phoneHandoffs.traderId, ended.traderId),
          eq(phoneHandoffs.caseId, ended.caseId),
          isNull(phoneHandoffs.usedAt),
          gt(phoneHandoffs.expiresAt, now),
        ),
      );
  });
}

/** True while the session is live, without moving `last_seen_at` (an open stream is not activity). */
export async function isSessionLive(idHash: string, now: Date, idleCutoff: Date): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ idHash: sessions.idHash })
    .from(sessions)
    .where(
      and(
        eq(sessions.idHash, idHash),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, idleCutoff),
      ),
    );
  return row !== undefined;
}

/**
 * Every screen render runs this query. Drizzle rebuilds a query's SQL on each call, which for
 * this three-table select cost more CPU than the database round trip (about 0.6 ms against
 * 0.1 ms prepared, measured for the status screen benchmark): it is built once per handle.
 */
const liveSessionContextQuery = preparedPerHandle((db) =>
  db
    .select({ session: sessions, trader: traders, kycCase: kycCases })
    .from(sessions)
    .innerJoin(traders, eq(traders.id, sessions.traderId))
    .leftJoin(
      kycCases,
      and(eq(kycCases.id, sessions.caseId), eq(kycCases.traderId, sessions.traderId)),
    )
    .where(
      and(
        eq(sessions.idHash, sql.placeholder("idHash")),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql.placeholder("now")),
        gt(sessions.lastSeenAt, sql.placeholder("idleCutoff")),
      ),
    )
    .prepare("live_session_context"),
);

/**
 * A live session with its trader and case in one round trip (what every screen render needs),
 * plus at most one write a minute to move `last_seen_at` forward.
 */
export async function getLiveSessionContext(
  idHash: string,
  now: Date,
  idleCutoff: Date,
  touchBefore: Date,
): Promise<{ session: Session; trader: Trader; kycCase: KycCase | null } | undefined> {
  const db = await getDb();
  // Placeholders skip the columns' encoders: timestamps go in as the ISO strings those produce.
  const [row] = await liveSessionContextQuery(db).execute({
    idHash,
    now: now.toISOString(),
    idleCutoff: idleCutoff.toISOString(),
  });
  if (!row) return undefined;
  if (row.session.lastSeenAt < touchBefore) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.idHash, idHash), lt(sessions.lastSeenAt, now)));
    row.session.lastSeenAt = now;
  }
  return row;
}

/** A session's resume code is usable while the code is fresh and the session itself is live. */
const resumable = (resumeHash: string, now: Date, idleCutoff: Date) =>
  and(
    eq(sessions.resumeHash, resumeHash),
    gt(sessions.resumeExpiresAt, now),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
    gt(sessions.lastSeenAt, idleCutoff),
    isNull(sessions.documentScope),
  );

/** The session a resume code reopens, with its trader (to show whose it is); consumes nothing. */
export async function getResumableSession(
  resumeHash: string,
  now: Date,
  idleCutoff: Date,
): Promise<{ session: Session; trader: Trader } | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ session: sessions, trader: traders })
    .from(sessions)
    .innerJoin(traders, eq(traders.id, sessions.traderId))
    .where(resumable(resumeHash, now, idleCutoff));
  return row;
}

/** The cookie of the code's own session arrived: the code has no more use, so it stops working. */
export async function retireResume(resumeHash: string, idHash: string): Promise<void> {
  const db = await getDb();
  await db
    .update(sessions)
    .set({ resumeHash: null, resumeExpiresAt: null })
    .where(and(eq(sessions.resumeHash, resumeHash), eq(sessions.idHash, idHash)));
}

/**
 * The live phone sessions of this case and document type (redeemed handoff links): their absolute
 * end and last recorded activity, from which the desktop's upload screen learns how long to follow.
 */
export async function getLivePhoneSessions(
  owner: { traderId: string; caseId: string },
  documentType: string,
  now: Date,
  idleCutoff: Date,
): Promise<{ expiresAt: Date; lastSeenAt: Date }[]> {
  const db = await getDb();
  return db
    .select({ expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .where(
      and(
        eq(sessions.traderId, owner.traderId),
        eq(sessions.caseId, owner.caseId),
        eq(sessions.documentScope, documentType),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, idleCutoff),
      ),
    );
}
