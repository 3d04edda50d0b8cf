/**
 * The outbox and its deliveries: writing an event with one delivery per destination inside the
 * caller's transaction, claiming due deliveries for a worker (`FOR UPDATE SKIP LOCKED` + a
 * lease), recording each attempt, replaying, and reading the delivery log.
 *
 * At-least-once, by construction: a delivery leaves `pending` only after a recorded 2xx (or when
 * its schedule runs out); a worker that dies mid-attempt leaves a lease that expires, and a later
 * claim, on the retry schedule, sends the same event again with the same webhook-id.
 */
import {
  and,
  asc,
  desc,
  eq,
  inArray,
  isNull,
  lte,
  notInArray,
  or,
  sql,
  type AnyColumn,
  type SQL,
} from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { getDb, type Db } from "../client";
import {
  auditEvents,
  deliveries,
  deliveryAttempts,
  kycCases,
  outboxEvents,
  type DeliveryAttemptRow,
  type DeliveryRow,
  type OutboxEventRow,
} from "../schema";
import type { AuditInput } from "./audit";
import { executedRows } from "./rows";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type NewOutboxEvent = {
  id: string;
  type: string;
  caseId: string;
  payload: Record<string, unknown>;
  destinations: readonly string[];
  now: Date;
};

/**
 * The case's next event sequence number. The UPDATE locks the case row until the transaction
 * ends, so numbers follow commit order per case: a receiver that applied number n can drop
 * anything below it, whatever order retries and replays bring them in.
 */
export async function nextCaseEventSequence(tx: Tx, caseId: string): Promise<number> {
  const [row] = await tx
    .update(kycCases)
    .set({ eventSeq: sql`${kycCases.eventSeq} + 1` })
    .where(eq(kycCases.id, caseId))
    .returning({ seq: kycCases.eventSeq });
  if (!row) throw new Error("nextCaseEventSequence: no such case");
  return row.seq;
}

/** Inserts the event and its deliveries. Call it inside the transaction that makes the change. */
export async function insertOutboxEvent(tx: Tx | Db, event: NewOutboxEvent): Promise<void> {
  await tx.insert(outboxEvents).values({
    id: event.id,
    type: event.type,
    caseId: event.caseId,
    payload: event.payload,
    createdAt: event.now,
  });
  if (event.destinations.length === 0) return;
  await tx.insert(deliveries).values(
    event.destinations.map((destination) => ({
      eventId: event.id,
      destination,
      nextAttemptAt: event.now,
      scheduleStartedAt: event.now,
      createdAt: event.now,
    })),
  );
}

export type ClaimedDelivery = {
  id: number;
  eventId: string;
  destination: string;
  /** This attempt's number within the current schedule (1-based). */
  attempts: number;
  /** This attempt's number over the delivery's life: numbers delivery_attempts. */
  totalAttempts: number;
  scheduleStartedAt: Date;
  /** The lease; also the fence for recording a failure (see recordAttempt). */
  lockedUntil: Date;
  /** When the delivery was due before this claim moved it on: what releaseClaims puts back. */
  dueAt: Date;
  eventType: string;
  payload: Record<string, unknown>;
};

export type ClaimResult = {
  /** Claims to send: each counted an attempt and moved its next attempt to that one's backoff. */
  claims: ClaimedDelivery[];
  /**
   * Deliveries whose last claim ended without an outcome (its lease ran out) when the schedule
   * allowed no attempt after it: claimed only to be recorded dead (no attempt counted, nothing to
   * send); `totalAttempts` is that unfinished attempt's number.
   */
  unfinished: ClaimedDelivery[];
};

/** Due deliveries: pending, their time come, no live lease. The claim's and the count's. */
function dueWhere(input: { now: Date; eventId?: string }) {
  return and(
    eq(deliveries.status, "pending"),
    lte(deliveries.nextAttemptAt, input.now),
    or(isNull(deliveries.lockedUntil), lte(deliveries.lockedUntil, input.now)),
    input.eventId ? eq(deliveries.eventId, input.eventId) : undefined,
  );
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`, in one short transaction: the SELECT locks
 * the rows it picks and skips rows another worker holds; the UPDATE takes the lease and counts
 * the attempt before anything is sent.
 *
 * The claim also moves `next_attempt_at` to when this attempt would be retried had it failed
 * (`retryAt`, the retry schedule; the lease's end for the schedule's last attempt). A recorded
 * outcome overrides it; a send that never records one (its process killed, a call that never
 * returns) leaves the delivery to come due again on the schedule, not the moment its lease runs
 * out, pass after pass. A row still carrying a lease that ran out (recordAttempt and releaseClaims
 * both clear it) is such an unfinished claim; when `retryAt` allows no attempt after it, it comes
 * back in `unfinished`, for the caller to record it dead.
 *
 * `skip`: destinations this claim must leave alone (the lease cannot hold one of their sends);
 * claiming them only to give them back would fill every pass's `limit` with them.
 */
export async function claimDueDeliveries(input: {
  now: Date;
  limit: number;
  leaseMs: number;
  eventId?: string;
  skip?: readonly string[];
  retryAt: (attempt: { attempts: number; scheduleStartedAt: Date }) => Date | null;
}): Promise<ClaimResult> {
  const db = await getDb();
  const lease = new Date(input.now.getTime() + input.leaseMs);
  return db.transaction(async (tx) => {
    const due = await tx
      .select({
        id: deliveries.id,
        attempts: deliveries.attempts,
        scheduleStartedAt: deliveries.scheduleStartedAt,
        nextAttemptAt: deliveries.nextAttemptAt,
        lockedUntil: deliveries.lockedUntil,
      })
      .from(deliveries)
      .where(
        and(
          dueWhere(input),
          input.skip?.length ? notInArray(deliveries.destination, [...input.skip]) : undefined,
        ),
      )
      .orderBy(asc(deliveries.nextAttemptAt))
      .limit(input.limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return { claims: [], unfinished: [] };
    const ranOut = (row: (typeof due)[number]) =>
      row.lockedUntil !== null &&
      row.attempts > 0 &&
      input.retryAt({ attempts: row.attempts, scheduleStartedAt: row.scheduleStartedAt }) === null;
    const toSend = due.filter((row) => !ranOut(row));
    const toEnd = due.filter(ranOut);
    const dueAt = new Map(due.map((row) => [row.id, row.nextAttemptAt]));
    const returning = {
      id: deliveries.id,
      eventId: deliveries.eventId,
      destination: deliveries.destination,
      attempts: deliveries.attempts,
      totalAttempts: deliveries.totalAttempts,
      scheduleStartedAt: deliveries.scheduleStartedAt,
      lockedUntil: sql<Date>`${deliveries.lockedUntil}`.mapWith(deliveries.lockedUntil),
      eventType: outboxEvents.type,
      payload: outboxEvents.payload,
    };
    const withDueAt = (rows: Omit<ClaimedDelivery, "dueAt">[]): ClaimedDelivery[] =>
      rows.map((row) => ({ ...row, dueAt: dueAt.get(row.id)! }));
    const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
    // Each row of `rows` with its event, updated by `set`.
    const update = async (rows: typeof due, set: PgUpdateSetSource<typeof deliveries>) =>
      rows.length === 0
        ? []
        : tx
            .update(deliveries)
            .set(set)
            .from(outboxEvents)
            .where(
              and(
                inArray(
                  deliveries.id,
                  rows.map((row) => row.id),
                ),
                eq(outboxEvents.id, deliveries.eventId),
              ),
            )
            .returning(returning);
    const claims = await update(toSend, {
      lockedUntil: lease,
      attempts: sql`${deliveries.attempts} + 1`,
      totalAttempts: sql`${deliveries.totalAttempts} + 1`,
      nextAttemptAt: sql`case ${deliveries.id} ${sql.join(
        toSend.map((row) => {
          const retry = input.retryAt({
            attempts: row.attempts + 1,
            scheduleStartedAt: row.scheduleStartedAt,
          });
          return sql`when ${row.id}::bigint then ${ts(retry ?? lease)}`;
        }),
        sql` `,
      )} end`,
    });
    const unfinished = await update(toEnd, { lockedUntil: lease });
    return { claims: withDueAt(claims), unfinished: withDueAt(unfinished) };
  });
}

/** How many due deliveries each of `destinations` has waiting (unclaimed, no live lease). */
export async function countDueDeliveries(input: {
  now: Date;
  destinations: readonly string[];
  eventId?: string;
}): Promise<Record<string, number>> {
  if (input.destinations.length === 0) return {};
  const db = await getDb();
  const rows = await db
    .select({ destination: deliveries.destination, count: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(dueWhere(input), inArray(deliveries.destination, [...input.destinations])))
    .groupBy(deliveries.destination);
  return Object.fromEntries(rows.map((r) => [r.destination, Number(r.count)]));
}

export type AttemptRecord = {
  claim: Pick<
    ClaimedDelivery,
    "id" | "eventId" | "totalAttempts" | "lockedUntil" | "scheduleStartedAt"
  >;
  at: Date;
  durationMs: number;
  ok: boolean;
  httpStatus: number | null;
  errorKind: string | null;
  error: string | null;
  note?: string | null;
  /** After a failure: when to try again; null: the schedule ran out (dead). */
  nextAttemptAt: Date | null;
  /** The audit row the outcome carries (a withheld notice's), written with the attempt. */
  audit?: AuditInput | null;
};

/**
 * Appends the attempt to the log and moves its delivery on, in one statement, as the send ends
 * (a slow lane never holds finished sends unrecorded). A success marks the delivery delivered
 * while its schedule is still the claim's (another worker's claim since does not matter: the
 * event did arrive), but not after a replay (a fresh schedule): the replay was asked for after
 * this send began, and is sent. A failure only applies while this claim still holds the lease
 * (`locked_until` = ours; a replay clears it), so a worker that overran its lease can neither
 * reschedule a delivery another worker has since claimed nor dead-letter a replay.
 *
 * A success also overturns a `never_finished` dead letter of the same schedule: that row only
 * said no outcome had come before the lease ran out, and this is the outcome (the event did
 * arrive). When it is this very attempt's row, the row takes the outcome, so each attempt number
 * has one row saying what happened to it; a late answer to an earlier attempt is appended as
 * usual. A late failure of that very attempt takes its row the same way and becomes the dead
 * letter's reason (the delivery stays dead: the schedule had run out either way); a late failure
 * of an earlier attempt is only appended. Any other dead letter (a failure, a sender's refusal)
 * stands until a replay.
 *
 * A `never_finished` row is written only with the dead letter it explains (the update applies):
 * it says no outcome came, so once the send's own outcome has been recorded (its success got in
 * first) it would be false. A failure is logged even when it no longer moves the delivery (another
 * worker claimed it since): the send did happen and the receiver may have seen it.
 *
 * An overturned dead letter's audit row (`overturnedAudit`, given when the dead letter was
 * recorded) is written in the same transaction: it is the only record that the delivery had been
 * shown as never finished, so the row is never rewritten without it (if the audit row cannot be
 * written, neither is the attempt, and the delivery stays as it was).
 *
 * So is the audit row the record carries (`audit`): one row with each logged attempt, or none.
 *
 * Returns whether the delivery moved, and when the overturned dead letter was recorded, or null.
 */
export async function recordAttempt(
  r: AttemptRecord,
  overturnedAudit?: (deadAt: Date) => AuditInput,
): Promise<{ applied: boolean; overturned: Date | null }> {
  const db = await getDb();
  const ts = (d: Date | null) => sql`${d ? d.toISOString() : null}::timestamptz`;
  const status = r.ok ? "delivered" : r.nextAttemptAt ? "pending" : "dead";
  return db.transaction(async (tx) => {
    const result = (await tx.execute(sql`
    with v (id, event_id, attempt, at, duration_ms, ok, http_status, error_kind, error, note,
            status, next_at, fence, schedule) as (values (${r.claim.id}::bigint,
        ${r.claim.eventId}::uuid, ${r.claim.totalAttempts}::int, ${ts(r.at)}, ${r.durationMs}::int,
        ${r.ok}::boolean, ${r.httpStatus}::int, ${r.errorKind}::text, ${r.error}::text,
        ${r.note ?? null}::text, ${status}::delivery_status, ${ts(r.nextAttemptAt)},
        ${ts(r.claim.lockedUntil)}, ${ts(r.claim.scheduleStartedAt)})),
    unfinished as (
      select a.id, a.attempt, a.at from ${deliveryAttempts} a
      join ${deliveries} d on d.id = a.delivery_id
      join v on v.id = d.id
      where d.status = 'dead' and d.schedule_started_at = v.schedule
        and a.attempt = d.total_attempts and a.error_kind = 'never_finished'
        and (v.ok or (a.attempt = v.attempt and v.error_kind <> 'never_finished'))
    ),
    resolved as (
      update ${deliveryAttempts} a set at = v.at, duration_ms = v.duration_ms, ok = v.ok,
        http_status = v.http_status, error_kind = v.error_kind, error = v.error, note = v.note
      from v, unfinished u
      where a.id = u.id and u.attempt = v.attempt
      returning a.id
    ),
    moved as (
      update ${deliveries} d set
        status = case when not v.ok and d.status = 'dead' then 'dead' else v.status end,
        locked_until = null,
        next_attempt_at = coalesce(v.next_at, d.next_attempt_at),
        last_error = case when v.ok then null else v.error end,
        delivered_at = case when v.ok then v.at else null end
      from v
      where d.id = v.id and (case when v.ok
        then d.schedule_started_at = v.schedule
          and (d.status = 'pending' or exists (select 1 from unfinished))
        else (d.status = 'pending' and d.locked_until = v.fence)
          or exists (select 1 from unfinished) end)
      returning d.id
    ),
    logged as (
      insert into ${deliveryAttempts}
        (delivery_id, event_id, attempt, at, duration_ms, ok, http_status, error_kind, error, note)
      select id, event_id, attempt, at, duration_ms, ok, http_status, error_kind, error, note from v
      where not exists (select 1 from resolved)
        and (v.error_kind is distinct from 'never_finished' or exists (select 1 from moved))
    )
    select exists (select 1 from moved) as applied,
      case when exists (select 1 from moved) then (select u.at from unfinished u) end as overturned
  `)) as unknown;
    const rows = executedRows<{
      applied: boolean;
      overturned: Date | string | null;
    }>(result);
    const overturned = rows[0]?.overturned ? new Date(rows[0].overturned) : null;
    if (overturned && overturnedAudit) {
      const audit = overturnedAudit(overturned);
      await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    }
    if (r.audit) await tx.insert(auditEvents).values({ ...r.audit, data: r.audit.data ?? {} });
    return { applied: rows[0]?.applied === true, overturned };
  });
}

/**
 * Gives claims back unsent (a lane whose lease no longer leaves room for its next send): the
 * lease is lifted, the attempt the claim counted is taken back and the delivery is due again when
 * it was before the claim, so the next pass takes them at once, with the same attempt numbers.
 * Only where the claim still holds the lease (`locked_until` = ours, the fence recordAttempt uses
 * for a failure): a delivery another worker has claimed since stays that worker's. Returns how
 * many were given back.
 */
export async function releaseClaims(
  claims: readonly Pick<ClaimedDelivery, "id" | "lockedUntil" | "dueAt">[],
): Promise<number> {
  if (claims.length === 0) return 0;
  const db = await getDb();
  const rows = await db
    .update(deliveries)
    .set({
      lockedUntil: null,
      attempts: sql`${deliveries.attempts} - 1`,
      totalAttempts: sql`${deliveries.totalAttempts} - 1`,
      nextAttemptAt: sql`case ${deliveries.id} ${sql.join(
        claims.map((c) => sql`when ${c.id}::bigint then ${c.dueAt.toISOString()}::timestamptz`),
        sql` `,
      )} end`,
    })
    .where(
      and(
        eq(deliveries.status, "pending"),
        or(
          ...claims.map((c) =>
            and(eq(deliveries.id, c.id), eq(deliveries.lockedUntil, c.lockedUntil)),
          ),
        ),
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length;
}

const replayable = (now: Date) =>
  or(
    inArray(deliveries.status, ["dead", "delivered"]),
    and(
      eq(deliveries.status, "pending"),
      or(isNull(deliveries.lockedUntil), lte(deliveries.lockedUntil, now)),
    ),
  );

// The lease is cleared too: a send still running from before the replay (its lease ran out) then
// records nothing on the replayed delivery (recordAttempt's fences).
const replaySet = (now: Date) => ({
  status: "pending" as const,
  attempts: 0,
  lockedUntil: null,
  nextAttemptAt: now,
  scheduleStartedAt: now,
  deliveredAt: null,
  lastError: null,
});

/**
 * Sends one event again to its destinations (or one of them) with a fresh schedule; the earlier
 * attempts stay in the log. A delivery in flight (live lease) is left alone. Returns how many
 * deliveries were reset.
 */
export async function replayEventDeliveries(input: {
  eventId: string;
  destination?: string;
  now: Date;
  /** The replay's audit row, written with it: a replay is never sent unaudited. */
  audit: (replayed: { deliveries: number; caseId: string | null }) => AuditInput;
}): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(deliveries)
      .set(replaySet(input.now))
      .where(
        and(
          eq(deliveries.eventId, input.eventId),
          input.destination ? eq(deliveries.destination, input.destination) : undefined,
          replayable(input.now),
        ),
      )
      .returning({ id: deliveries.id });
    const [event] = await tx
      .select({ caseId: outboxEvents.caseId })
      .from(outboxEvents)
      .where(eq(outboxEvents.id, input.eventId));
    const audit = input.audit({ deliveries: rows.length, caseId: event?.caseId ?? null });
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    return rows.length;
  });
}

/**
 * Every dead delivery (optionally of one destination) back to pending with a fresh schedule,
 * audited in the same transaction.
 */
export async function replayDeadDeliveries(input: {
  destination?: string;
  now: Date;
  audit: (replayed: { deliveries: number }) => AuditInput;
}): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(deliveries)
      .set(replaySet(input.now))
      .where(
        and(
          eq(deliveries.status, "dead"),
          input.destination ? eq(deliveries.destination, input.destination) : undefined,
        ),
      )
      .returning({ id: deliveries.id });
    const audit = input.audit({ deliveries: rows.length });
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    return rows.length;
  });
}

export async function listOutboxEventsForCase(caseId: string): Promise<OutboxEventRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(outboxEvents)
    .where(eq(outboxEvents.caseId, caseId))
    .orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id));
}

export type DeliveryLogEntry = DeliveryRow & {
  state: DeliveryState;
  attemptLog: DeliveryAttemptRow[];
};

/** The delivery log of one case: each event's deliveries with every attempt, oldest first. */
export async function listDeliveryLogForCase(caseId: string): Promise<DeliveryLogEntry[]> {
  const db = await getDb();
  const rows = await db
    .select({ delivery: deliveries, state: deliveryStateSql() })
    .from(deliveries)
    .innerJoin(outboxEvents, eq(outboxEvents.id, deliveries.eventId))
    .where(eq(outboxEvents.caseId, caseId))
    .orderBy(asc(outboxEvents.createdAt), asc(deliveries.id));
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(deliveryAttempts)
    .where(
      inArray(
        deliveryAttempts.deliveryId,
        rows.map((r) => r.delivery.id),
      ),
    )
    .orderBy(asc(deliveryAttempts.id));
  return rows.map(({ delivery, state }) => ({
    ...delivery,
    state,
    attemptLog: attempts.filter((a) => a.deliveryId === delivery.id),
  }));
}

/**
 * The latest event of the case (`caseId`, a value or the outer query's column) after `sequence`
 * whose delivery to `destination` is still live, as an SQL expression; null when there is none.
 * Live: pending; with `carried`, also delivered by some successful attempt that decided nothing
 * else (no note: a mail skipped for newer news carried nothing; a replay keeps the earlier
 * attempts). `type` narrows it to events of that type; events whose payload case status is one of
 * `exceptStatuses` do not count.
 */
export function laterLiveEventSql(
  caseId: AnyColumn | string,
  after: {
    sequence: number;
    destination: string;
    carried?: boolean;
    type?: string;
    exceptStatuses?: readonly string[];
  },
): SQL<number | null> {
  const live = after.carried
    ? sql`(d.status = 'pending' or (d.status = 'delivered' and exists (select 1
        from ${deliveryAttempts} a where a.delivery_id = d.id and a.ok and a.note is null)))`
    : sql`d.status = 'pending'`;
  const ofType = after.type === undefined ? sql`` : sql` and o.type = ${after.type}`;
  const except = after.exceptStatuses?.length
    ? sql` and o.payload->'case'->>'status' not in (${sql.join(
        after.exceptStatuses.map((s) => sql`${s}`),
        sql`, `,
      )})`
    : sql``;
  return sql<number | null>`(select max((o.payload->>'sequence')::int) from ${outboxEvents} o
    join ${deliveries} d on d.event_id = o.id and d.destination = ${after.destination}
    where o.case_id = ${caseId} and ${live}
      and (o.payload->>'sequence')::int > ${after.sequence}${ofType}${except})`;
}

/**
 * The latest event of the case after `sequence` of type `type`, whatever its status but
 * `exceptStatuses`, whose delivery to `destination` still will, or did, carry it
 * (laterLiveEventSql with `carried`): newer news that makes an older mail stale. Null when there
 * is none.
 */
export async function laterCarriedEvent(input: {
  caseId: string;
  sequence: number;
  destination: string;
  type: string;
  exceptStatuses?: readonly string[];
}): Promise<number | null> {
  const db = await getDb();
  const [row] = await db
    .select({ sequence: laterLiveEventSql(input.caseId, { ...input, carried: true }) })
    .from(kycCases)
    .where(eq(kycCases.id, input.caseId));
  return row?.sequence == null ? null : Number(row.sequence);
}

export async function getDeliveriesForEvent(eventId: string): Promise<DeliveryRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(deliveries)
    .where(eq(deliveries.eventId, eventId))
    .orderBy(asc(deliveries.id));
}

export async function listAttemptsForEvent(eventId: string): Promise<DeliveryAttemptRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.eventId, eventId))
    .orderBy(asc(deliveryAttempts.id));
}

type ConsoleDelivery = DeliveryRow & {
  state: DeliveryState;
  caseId: string | null;
  eventType: string;
  /** Why the latest attempt failed (delivery_attempts.error_kind), beside `lastError`'s text. */
  lastErrorKind: string | null;
};

/** Deliveries in one state with their event's case and type, for the console's lists. */
async function listDeliveriesWithEvent(
  status: "pending" | "dead",
  order: SQL[],
  limit: number,
): Promise<ConsoleDelivery[]> {
  const db = await getDb();
  const rows = await db
    .select({
      delivery: deliveries,
      state: deliveryStateSql(),
      caseId: outboxEvents.caseId,
      eventType: outboxEvents.type,
      lastErrorKind: sql<string | null>`(select ${deliveryAttempts.errorKind}
        from ${deliveryAttempts} where ${deliveryAttempts.deliveryId} = ${deliveries.id}
        order by ${deliveryAttempts.id} desc limit 1)`,
    })
    .from(deliveries)
    .innerJoin(outboxEvents, eq(outboxEvents.id, deliveries.eventId))
    .where(eq(deliveries.status, status))
    .orderBy(...order)
    .limit(limit);
  return rows.map((r) => ({
    ...r.delivery,
    state: r.state,
    caseId: r.caseId,
    eventType: r.eventType,
    lastErrorKind: r.lastErrorKind,
  }));
}

/** Dead deliveries, newest first, with their event's case: the console's dead-letter list. */
export function listDeadDeliveries(limit = 200): Promise<ConsoleDelivery[]> {
  return listDeliveriesWithEvent("dead", [desc(deliveries.id)], limit);
}

/**
 * Where a delivery stands, as the console names it (the deliveries page, the case page, the
 * dashboard and its CSV):
 * - waiting: pending, not tried yet (or replayed);
 * - sending: pending with a lease: an attempt is under way, or its lease ran out with no outcome
 *   recorded (the send never returned; the next claim retries it, or records it dead when none
 *   is left), whatever the last error was;
 * - failing: pending after a failed attempt, retrying on schedule;
 * - dead, delivered: its status.
 */
export const DELIVERY_STATES = ["waiting", "sending", "failing", "dead", "delivered"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** The states of a delivery not delivered (yet): the backlog, and the dead letters. */
export const UNDELIVERED_STATES = DELIVERY_STATES.filter(
  (s): s is Exclude<DeliveryState, "delivered"> => s !== "delivered",
);
export type UndeliveredState = (typeof UNDELIVERED_STATES)[number];

/**
 * The state of the `deliveries` row in the query, as an SQL expression: the one rule every count
 * and every listed row uses, so a figure and the rows behind it never name a delivery apart.
 */
export function deliveryStateSql(): SQL<DeliveryState> {
  return sql<DeliveryState>`case when ${deliveries.status} = 'pending'
    then (case when ${deliveries.lockedUntil} is not null then 'sending'
      when coalesce(${deliveries.lastError}, '') = '' then 'waiting' else 'failing' end)
    else ${deliveries.status}::text end`;
}

export type DeliveryCounts = Record<DeliveryState, number>;

/** How many deliveries are in each state, over every destination. */
export async function countDeliveriesByState(): Promise<DeliveryCounts> {
  const db = await getDb();
  const rows = await db
    .select({ state: deliveryStateSql(), count: sql<number>`count(*)::int` })
    .from(deliveries)
    .groupBy(sql`1`);
  const counts: DeliveryCounts = { waiting: 0, sending: 0, failing: 0, dead: 0, delivered: 0 };
  for (const r of rows) if (r.state in counts) counts[r.state] = Number(r.count);
  return counts;
}

/** Deliveries not yet delivered and still on schedule, failing ones first, then by next attempt. */
export function listPendingDeliveries(limit = 200): Promise<ConsoleDelivery[]> {
  return listDeliveriesWithEvent(
    "pending",
    [sql`${deliveries.lastError} is null`, asc(deliveries.nextAttemptAt), asc(deliveries.id)],
    limit,
  );
}
