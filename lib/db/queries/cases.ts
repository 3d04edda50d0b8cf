import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { buildCaseStatusChanged, CASE_STATUS_CHANGED } from "@/lib/delivery/payload";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { getDb, type Db } from "../client";
import { insertOutboxEvent } from "./outbox";
import {
  caseDecisions,
  caseEvents,
  kycCases,
  traders,
  type CaseEventRow,
  type CaseStatus,
  type CaseTrigger,
  type KycCase,
} from "../schema";
import { preparedPerHandle } from "./prepared";

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

export type AppliedTransition = {
  caseId: string;
  event: string;
  from: CaseStatus;
  to: CaseStatus;
  actorType: string;
  actorId: string;
  messageForTrader?: string | null;
  data?: Record<string, unknown>;
  now: Date;
  /** A reviewer's decision, recorded with the change and before its event (four-eyes reads it). */
  decision?: Omit<typeof caseDecisions.$inferInsert, "caseId" | "createdAt">;
  /** A final outcome: the case is closed (a new one may be opened later). */
  close?: boolean;
  /** Runs inside the same transaction, after the timeline and outbox writes. */
  alsoInTransaction?: (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => Promise<void>;
};

/**
 * Moves a case from `from` to `to` and records the timeline event and the outbox event (with one
 * delivery per configured destination), in one transaction: no change without its events, no
 * event without its change. The outbox write is not optional — every status change, whoever
 * makes it, reaches the broker's systems. The UPDATE matches only while the case is still in
 * `from`, so two concurrent decisions cannot both apply: the loser gets null and nothing is
 * written. Returns the outbox event id (the webhook-id) for an immediate first attempt.
 */
export async function applyCaseTransition(
  t: AppliedTransition,
): Promise<{ eventId: string } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [moved] = await tx
      .update(kycCases)
      .set({ status: t.to, updatedAt: t.now, ...(t.close ? { closedAt: t.now } : {}) })
      .where(and(eq(kycCases.id, t.caseId), eq(kycCases.status, t.from)))
      .returning();
    if (!moved) return null;
    if (t.decision)
      await tx.insert(caseDecisions).values({ ...t.decision, caseId: t.caseId, createdAt: t.now });
    await tx.insert(caseEvents).values({
      caseId: t.caseId,
      occurredAt: t.now,
      event: t.event,
      fromStatus: t.from,
      toStatus: t.to,
      actorType: t.actorType,
      actorId: t.actorId,
      messageForTrader: t.messageForTrader ?? null,
      data: t.data ?? {},
    });
    const [trader] = await tx
      .select({
        ctraderUserId: traders.ctraderUserId,
        tradingLogin: traders.tradingLogin,
        email: traders.email,
      })
      .from(traders)
      .where(eq(traders.id, moved.traderId));
    if (!trader) throw new Error("applyCaseTransition: the case has no trader");
    const eventId = randomUUID();
    await insertOutboxEvent(tx, {
      id: eventId,
      type: CASE_STATUS_CHANGED,
      caseId: t.caseId,
      payload: buildCaseStatusChanged({
        eventId,
        occurredAt: t.now,
        kycCase: moved,
        from: t.from,
        to: t.to,
        event: t.event,
        trader,
        messageForTrader: t.messageForTrader,
      }),
      destinations: destinationIdsFor(CASE_STATUS_CHANGED),
      now: t.now,
    });
    if (t.alsoInTransaction) await t.alsoInTransaction(tx);
    return { eventId };
  });
}

/** Prepared: every status screen render reads the timeline (see ./prepared.ts). */
const caseEventsQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, sql.placeholder("caseId")))
    .orderBy(asc(caseEvents.occurredAt), asc(caseEvents.id))
    .prepare("list_case_events"),
);

export async function listCaseEvents(caseId: string): Promise<CaseEventRow[]> {
  return caseEventsQuery(await getDb()).execute({ caseId });
}

/**
 * Recent review times: for each submission (or resubmission) since `since`, the time until the
 * first decision (approved, rejected or action required). Returns the median in seconds and
 * how many reviews it is based on.
 */
export async function getRecentReviewMedian(
  since: Date,
): Promise<{ medianSeconds: number | null; reviews: number }> {
  const db = await getDb();
  const result = (await db.execute(sql`
    select
      percentile_cont(0.5) within group (order by extract(epoch from (d.occurred_at - s.occurred_at)))::float8 as median,
      count(*)::int as reviews
    from ${caseEvents} s
    join lateral (
      select e.occurred_at from ${caseEvents} e
      where e.case_id = s.case_id
        and e.occurred_at >= s.occurred_at
        and e.to_status in ('approved', 'rejected', 'action_required')
      order by e.occurred_at, e.id
      limit 1
    ) d on true
    where s.event in ('submit', 'resubmit') and s.occurred_at >= ${since.toISOString()}::timestamptz
  `)) as unknown;
  // postgres.js returns the rows; PGlite returns { rows }.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    median: number | string | null;
    reviews: number | string;
  }[];
  const row = rows[0];
  return {
    medianSeconds: row?.median === null || row?.median === undefined ? null : Number(row.median),
    reviews: Number(row?.reviews ?? 0),
  };
}

export async function getCaseById(caseId: string): Promise<KycCase | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(kycCases).where(eq(kycCases.id, caseId));
  return row;
}
