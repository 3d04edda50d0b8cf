import { and, asc, desc, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { getDb, type Db } from "../client";
import { insertOutboxEvent, laterLiveEventSql, nextCaseEventSequence } from "./outbox";
import {
  caseAccountLogins,
  caseDecisions,
  caseDrafts,
  caseRetention,
  caseEvents,
  documents,
  kycCases,
  traders,
  type CaseEventRow,
  type CaseStatus,
  type CaseTrigger,
  type KycCase,
  type Trader,
} from "../schema";
import { upsertTrader, type TraderIdentity } from "./traders";
import { holdTaskOpen, MONITORING_TASK } from "./hold-tasks";
import { preparedPerHandle } from "./prepared";
import { type DecisionData, decisionRow } from "@/lib/review/decision-data";
import { executedRows } from "./rows";

/**
 * Returns the trader's open case, opening one at `level` if there is none. The partial unique
 * index makes concurrent calls converge on one case: the loser's insert does nothing and it
 * reads the winner's row.
 */
export async function ensureOpenCase(
  traderId: string,
  level: string,
  trigger: CaseTrigger,
  account: string | null = null,
): Promise<KycCase> {
  // Most visits are returning traders: one read settles them without a write.
  const open = await getOpenCaseForTrader(traderId);
  if (open) return open;
  const db = await getDb();
  const [created] = await db
    .insert(kycCases)
    .values({ traderId, level, trigger, account })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const existing = await getOpenCaseForTrader(traderId);
  if (!existing) throw new Error("ensureOpenCase: no open case after conflict");
  return existing;
}

/**
 * Keeps `login` among the trading accounts the case's access rights were sent to. Written before
 * the call, so a call whose answer was lost still counts.
 */
export async function recordCaseAccountLogin(caseId: string, login: number, now: Date) {
  const db = await getDb();
  await db
    .insert(caseAccountLogins)
    .values({ caseId, login, firstSetAt: now })
    .onConflictDoNothing();
}

/** Every trading account the case's access rights were ever sent to. */
export async function listCaseAccountLogins(caseId: string): Promise<number[]> {
  const db = await getDb();
  const rows = await db
    .select({ login: caseAccountLogins.login })
    .from(caseAccountLogins)
    .where(eq(caseAccountLogins.caseId, caseId))
    .orderBy(asc(caseAccountLogins.firstSetAt), asc(caseAccountLogins.login));
  return rows.map((r) => r.login);
}

/**
 * A returning trader's launch, written in one transaction: the trader as cTrader's redeem names
 * them now (`identity`; omitted when nothing changed), the case's `account` (omitted: kept), and,
 * when that moves the login the case's rights go to (the case's account, else the trader's
 * login) and `announce` is given, the login left behind kept among those a restriction reaches
 * and the outbox event `announce` builds, which gives the new login the rights of now. Apart, a
 * process dying after the trader's write left the new login stored without its event: the next
 * launch saw no move, the new login never got the case's rights, and a login left behind that
 * the case's deliveries had not recorded kept what it had.
 *
 * The event takes the case's latest sequence number without moving it: a change of login is not
 * a change of the case an officer decides on (the person, their answers and documents), so a
 * decision form read before it still applies (lib/review/shown-case.ts). Among the cTrader
 * deliveries it orders with the event whose number it shares, both sending the rights of now.
 * A case without any event yet has set no rights anywhere: nothing to move, no event. Nothing is
 * written to an erased case but the trader.
 */
export async function recordLaunch(input: {
  kycCase: KycCase;
  identity?: TraderIdentity;
  locale: string;
  account?: string;
  announce?: OutboxBuilder;
  now: Date;
}): Promise<{ trader: Trader; kycCase: KycCase; eventId: string | null }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // The case first, as every writer of a case takes it: two launches of one trader wait for
    // each other, and each reads the login the other left.
    const locked = await lockCase(tx, input.kycCase.id);
    if (!locked) throw new Error("recordLaunch: no such case");
    const [before] = await tx
      .select()
      .from(traders)
      .where(eq(traders.id, locked.traderId))
      .for("update");
    if (!before) throw new Error("recordLaunch: the case has no trader");
    const trader = input.identity ? await upsertTrader(input.identity, input.locale, tx) : before;
    if (await caseErased(tx, locked.id)) return { trader, kycCase: locked, eventId: null };
    let kycCase = locked;
    if (input.account !== undefined && input.account !== locked.account) {
      const [row] = await tx
        .update(kycCases)
        .set({ account: input.account })
        .where(eq(kycCases.id, locked.id))
        .returning();
      if (row) kycCase = row;
    }
    const rightsLogin = (c: KycCase, t: Trader) => (c.account ? Number(c.account) : t.tradingLogin);
    const previous = rightsLogin(locked, before);
    const next = rightsLogin(kycCase, trader);
    if (!input.announce || next === null || next === previous || kycCase.eventSeq === 0)
      return { trader, kycCase, eventId: null };
    if (previous !== null)
      await tx
        .insert(caseAccountLogins)
        .values({ caseId: kycCase.id, login: previous, firstSetAt: input.now })
        .onConflictDoNothing();
    const eventId = randomUUID();
    const event = input.announce({
      eventId,
      sequence: kycCase.eventSeq,
      moved: kycCase,
      trader: {
        ctraderUserId: trader.ctraderUserId,
        tradingLogin: trader.tradingLogin,
        email: trader.email,
      },
    });
    await insertOutboxEvent(tx, { id: eventId, caseId: kycCase.id, now: input.now, ...event });
    return { trader, kycCase, eventId };
  });
}

export async function getOpenCaseForTrader(traderId: string): Promise<KycCase | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(kycCases)
    .where(and(eq(kycCases.traderId, traderId), isNull(kycCases.closedAt)));
  return row;
}

/** The trader's most recent case, open or closed. */
export async function getLatestCaseForTrader(traderId: string): Promise<KycCase | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(kycCases)
    .where(eq(kycCases.traderId, traderId))
    .orderBy(desc(kycCases.openedAt), desc(kycCases.id))
    .limit(1);
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

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type TransitionTrader = {
  ctraderUserId: number;
  tradingLogin: number | null;
  email: string | null;
};

/** What the outbox says about a change, built once the change is known (the caller's module). */
export type OutboxBuilder = (facts: {
  eventId: string;
  sequence: number;
  moved: KycCase;
  trader: TransitionTrader;
}) => { type: string; payload: Record<string, unknown>; destinations: readonly string[] };

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
  decision?: Omit<typeof caseDecisions.$inferInsert, "caseId" | "createdAt" | "decision" | "data"> &
    DecisionData;
  /** A final outcome: the case is closed (a new one may be opened later). */
  close?: boolean;
  /** A closed case opens again (an admin's reopen). */
  reopen?: boolean;
  /**
   * A submit or resubmit: a new round starts, four eyes required until its checks ran. The risk
   * stays the last one assessed (none on a first submit) until the round's checks set theirs: an
   * upgrade, renewal or retry is not a trader of unknown risk, and a round declined before its
   * checks ran goes back to the approval with the risk it was approved at.
   */
  newRound?: boolean;
  /** An upgrade: the level the case verifies from now on. */
  level?: string;
  /**
   * The approved level: `set` to the case's level (an approval), `restore` the case's level to it
   * (a declined upgrade; matches only a case that has one), `clear` it (a revoked or expired
   * approval), the case's level going back to it.
   */
  approvedLevel?: "set" | "restore" | "clear";
  /**
   * Runs right after the case row is locked and moved, before anything else is written: throw
   * to refuse the change (e.g. the answers changed after the caller read them). `before` is the
   * row as it was under the lock, before the change.
   */
  guard?: (tx: Tx, moved: KycCase, before: KycCase) => Promise<void>;
  outbox: OutboxBuilder;
  /** Runs inside the same transaction, after the timeline and outbox writes. */
  alsoInTransaction?: (tx: Tx, moved: KycCase) => Promise<void>;
};

/**
 * Moves a case from `from` to `to` and records the timeline event and the outbox event (with one
 * delivery per destination the builder names), in one transaction: no change without its
 * events, no event without its change. The outbox write is not optional — every status change,
 * whoever makes it, reaches the broker's systems. The UPDATE matches only while the case is still
 * in `from`, so two concurrent decisions cannot both apply: the loser gets null and nothing is
 * written. Returns the outbox event id (the webhook-id) for an immediate first attempt, and the
 * moved case with the event sequence its event took.
 */
export async function applyCaseTransition(
  t: AppliedTransition,
): Promise<{ eventId: string; moved: KycCase } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const before = t.guard ? await lockCase(tx, t.caseId) : undefined;
    const [moved] = await tx
      .update(kycCases)
      .set({
        status: t.to,
        updatedAt: t.now,
        ...(t.close ? { closedAt: t.now } : {}),
        ...(t.reopen ? { closedAt: null } : {}),
        ...(t.newRound
          ? {
              round: sql`${kycCases.round} + 1`,
              fourEyesRequired: true,
              queuedAt: t.now,
            }
          : {}),
        ...(t.level ? { level: t.level } : {}),
        ...(t.approvedLevel === "set" ? { approvedLevel: sql`${kycCases.level}` } : {}),
        ...(t.approvedLevel === "restore" ? { level: sql`${kycCases.approvedLevel}` } : {}),
        // Ending an approval ends it at the level it approved, also from an upgrade open on it:
        // the closed case, the CRM and cTrader's rights name that level, not the one never approved.
        ...(t.approvedLevel === "clear"
          ? {
              approvedLevel: null,
              level: sql`coalesce(${kycCases.approvedLevel}, ${kycCases.level})`,
            }
          : {}),
      })
      .where(
        and(
          eq(kycCases.id, t.caseId),
          eq(kycCases.status, t.from),
          // Back to the approval, or taking it back: only a case that has one.
          t.approvedLevel === "restore" || t.event === "revoke"
            ? isNotNull(kycCases.approvedLevel)
            : undefined,
          // An erased case never moves again: no reopening, expiry or decision on redacted data.
          sql`not exists (select 1 from ${caseRetention} where ${caseRetention.caseId} = ${kycCases.id} and ${caseRetention.purgedAt} is not null)`,
        ),
      )
      .returning();
    if (!moved) return null;
    if (t.guard) await t.guard(tx, moved, before!);
    if (t.decision)
      await tx
        .insert(caseDecisions)
        .values({ ...decisionRow(t.decision), caseId: t.caseId, createdAt: t.now });
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
    let sequence = moved.eventSeq;
    const eventId = await insertCaseOutboxEvent(
      tx,
      moved,
      (facts) => {
        sequence = facts.sequence;
        return t.outbox(facts);
      },
      t.now,
    );
    if (t.alsoInTransaction) await t.alsoInTransaction(tx, moved);
    // The caller's next step compares the case against this move's own event, not the one before.
    return { eventId, moved: { ...moved, eventSeq: sequence } };
  });
}

/**
 * Writes the outbox event `build` describes for the case, in the caller's transaction: the
 * trader's identifiers and the case's next sequence number go into it. Returns its id.
 */
export async function insertCaseOutboxEvent(
  tx: Tx,
  kycCase: KycCase,
  build: OutboxBuilder,
  now: Date,
): Promise<string> {
  const [trader] = await tx
    .select({
      ctraderUserId: traders.ctraderUserId,
      tradingLogin: traders.tradingLogin,
      email: traders.email,
    })
    .from(traders)
    .where(eq(traders.id, kycCase.traderId));
  if (!trader) throw new Error("insertCaseOutboxEvent: the case has no trader");
  const eventId = randomUUID();
  const sequence = await nextCaseEventSequence(tx, kycCase.id);
  const event = build({ eventId, sequence, moved: kycCase, trader });
  await insertOutboxEvent(tx, { id: eventId, caseId: kycCase.id, now, ...event });
  return eventId;
}

/**
 * What a submit's completeness check read: every draft's version and completion, every current
 * document. Compared before and after the case row is locked, so answers that changed between
 * the check and the submit refuse the submit instead of slipping in unchecked.
 */
export async function readCaseInputsFingerprint(tx: Tx | Db, caseId: string): Promise<string> {
  const drafts = await tx
    .select({ step: caseDrafts.step, version: caseDrafts.version, done: caseDrafts.completedAt })
    .from(caseDrafts)
    .where(eq(caseDrafts.caseId, caseId))
    .orderBy(asc(caseDrafts.step));
  const docs = await tx
    .select({ id: documents.id, status: documents.status })
    .from(documents)
    .where(
      and(
        eq(documents.caseId, caseId),
        isNull(documents.replacedAt),
        ne(documents.status, "pending"),
      ),
    )
    .orderBy(asc(documents.id));
  return JSON.stringify([
    drafts.map((d) => [d.step, d.version, d.done !== null]),
    docs.map((d) => [d.id, d.status]),
  ]);
}

export async function getCaseInputsFingerprint(caseId: string): Promise<string> {
  return readCaseInputsFingerprint(await getDb(), caseId);
}

/**
 * Locks the case row against a concurrent status change (FOR SHARE: other writers of the same
 * case still proceed together) and answers its status. Every write of the trader's answers and
 * documents runs this first in its transaction, and submit takes the row exclusively: a write
 * that began before the submit is in its completeness check; one that began after sees the
 * submitted status and is refused. `erased`: the retention purge erased the case (its key is
 * destroyed) while the write waited for its lock, or before; nothing may be written to it.
 */
export async function lockCaseForWrite(
  tx: Tx,
  caseId: string,
  /**
   * `exclusive` (FOR NO KEY UPDATE) for a write that changes several of the case's documents:
   * two of them on the same case wait for each other at the case, instead of locking the same
   * document rows in opposite orders and deadlocking.
   */
  mode: "shared" | "exclusive" = "shared",
): Promise<CaseStatus | "erased" | undefined> {
  const [row] = await tx
    .select({ status: kycCases.status, closedAt: kycCases.closedAt })
    .from(kycCases)
    .where(eq(kycCases.id, caseId))
    .for(mode === "shared" ? "share" : "no key update");
  if (!row) return undefined;
  // The purge closes the case it erases. The locked row is the version the purge committed, but
  // a subquery in the same statement would read the snapshot taken before the wait: the erasure
  // is read in a statement of its own, after the lock.
  if (row.closedAt && (await caseErased(tx, caseId))) return "erased";
  return row.status;
}

/** Whether the retention purge erased the case (read in the caller's transaction). */
export async function caseErased(tx: Tx, caseId: string): Promise<boolean> {
  const [erased] = await tx
    .select({ caseId: caseRetention.caseId })
    .from(caseRetention)
    .where(and(eq(caseRetention.caseId, caseId), isNotNull(caseRetention.purgedAt)));
  return erased !== undefined;
}

/**
 * Locks the case row exclusively for the rest of the transaction and answers it. The writers of
 * a case's decisions, tasks and re-screening runs take it first, in that one order, so two of
 * them wait for each other instead of deadlocking or deciding on what the other just changed.
 */
export async function lockCase(tx: Tx, caseId: string): Promise<KycCase | undefined> {
  const [row] = await tx.select().from(kycCases).where(eq(kycCases.id, caseId)).for("update");
  return row;
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
  const rows = executedRows<{
    median: number | string | null;
    reviews: number | string;
  }>(result);
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

/**
 * What decides a trader's access rights now: the case's status and level, an open hold (a
 * monitoring hit, or a vendor's concerning verdict after the approval: `monitoringHitOpen`),
 * and (for an event with `sequence`) the newest later event of the case whose delivery to
 * `destination` is still pending: it will send the rights of its time.
 */
export async function getCaseAccessState(
  caseId: string,
  newerThan: { sequence: number; destination: string } | null,
): Promise<
  | {
      status: CaseStatus;
      level: string;
      approvedLevel: string | null;
      account: string | null;
      monitoringHitOpen: boolean;
      /** The open hold includes a re-screening hit (else it is a vendor's late verdict alone). */
      screeningHitOpen: boolean;
      renewalDue: boolean;
      tradingLogin: number | null;
      supersededBy: number | null;
      /**
       * The case's last event sequence number: it moves with every change of the state the
       * rights follow (a move to another login does not move it; its own event sends the rights).
       */
      eventSeq: number;
    }
  | undefined
> {
  const db = await getDb();
  const supersededBy = newerThan ? laterLiveEventSql(kycCases.id, newerThan) : sql<null>`null`;
  const [row] = await db
    .select({
      status: kycCases.status,
      level: kycCases.level,
      approvedLevel: kycCases.approvedLevel,
      account: kycCases.account,
      tradingLogin: traders.tradingLogin,
      monitoringHitOpen: holdTaskOpen(kycCases.id),
      screeningHitOpen: holdTaskOpen(kycCases.id, [MONITORING_TASK]),
      renewalDue: sql<boolean>`${kycCases.renewalDueAt} is not null`,
      supersededBy,
      eventSeq: kycCases.eventSeq,
    })
    .from(kycCases)
    .innerJoin(traders, eq(traders.id, kycCases.traderId))
    .where(eq(kycCases.id, caseId));
  return (
    row && {
      ...row,
      monitoringHitOpen: Boolean(row.monitoringHitOpen),
      screeningHitOpen: Boolean(row.screeningHitOpen),
      renewalDue: Boolean(row.renewalDue),
      supersededBy: row.supersededBy === null ? null : Number(row.supersededBy),
    }
  );
}
