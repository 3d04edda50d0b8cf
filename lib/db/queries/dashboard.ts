/**
 * The reads behind the head of compliance's dashboard (lib/review/dashboard.ts computes the
 * figures). Each list* read returns the rows behind one figure for its CSV export; the count*
 * reads count those same rows in the database for the page. A period is half-open:
 * `from <= t < until`.
 */
import { and, asc, eq, gte, inArray, isNull, lt, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { REASON_CODE_KEY } from "@/lib/kyc/case-event-data";
import type { ScreeningVerdictData } from "@/lib/review/screening-verdict";
import { getDb } from "../client";
import {
  caseChecks,
  caseDecisions,
  caseRisk,
  caseEvents,
  movedCase,
  checkRuns,
  deliveries,
  kycCases,
  outboxEvents,
  reviewTasks,
  screeningLists,
  staffUsers,
} from "../schema";
import { HOLD_TASK_KINDS } from "./hold-tasks";
import { deliveryStateSql, type DeliveryCounts, type UndeliveredState } from "./outbox";
import { QUEUE_STATUSES } from "./metrics";
import { checksOfRoundPending } from "./queue";
import { SCREENING_JUDGMENTS } from "./review";

export type Period = { from: Date; until: Date };

/** The statuses whose arrival is an outcome (approved, rejected, asked for information). */
export const OUTCOME_STATUSES = ["approved", "rejected", "action_required"] as const;

/**
 * What an outcome event was: the status it moved the case to, except a declined upgrade or early
 * renewal (`decline_upgrade`), which puts the approval in force back but is a reviewer's "no" with
 * a reason: a rejection. One the retention purge rolled back (the trader left the upgrade
 * unfinished) is nobody's decision and no outcome (`decidedOutcome`).
 */
const outcome = sql<
  (typeof OUTCOME_STATUSES)[number]
>`case when ${caseEvents.event} = 'decline_upgrade' then 'rejected' else ${caseEvents.toStatus}::text end`;
const decidedOutcome = sql`not (${caseEvents.event} = 'decline_upgrade' and ${caseEvents.actorType} <> 'staff')`;

/**
 * `column in ('a', 'b')` with the values written into the statement. A partial index's predicate
 * is proven when the plan is made, and a prepared statement's generic plan sees only `$1`: the
 * counts below spell out the predicates of the indexes they rely on. Code constants only.
 */
function inLiteral(column: AnyColumn, values: readonly string[]): SQL {
  if (!values.every((v) => /^[a-z_]+$/.test(v))) throw new Error("inLiteral: constants only");
  return sql`${column} in (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`;
}

const staffName = sql<string | null>`coalesce(${staffUsers.displayName}, ${staffUsers.email})`;

/**
 * Cases opened in the period, with their status now, and what the queue reads to mark their risk
 * as an earlier round's (lib/review/risk.ts riskFromEarlierRound).
 */
export async function listCasesOpenedIn(period: Period) {
  const db = await getDb();
  const rows = await db
    .select({
      caseId: kycCases.id,
      level: kycCases.level,
      status: kycCases.status,
      trigger: kycCases.trigger,
      riskLevel: kycCases.riskLevel,
      openedAt: kycCases.openedAt,
      queuedAt: kycCases.queuedAt,
      checksPending: checksOfRoundPending,
      rescreenHitAt: caseRisk.rescreenHitAt,
    })
    .from(kycCases)
    .leftJoin(caseRisk, eq(caseRisk.caseId, kycCases.id))
    .where(and(gte(kycCases.openedAt, period.from), lt(kycCases.openedAt, period.until)))
    .orderBy(asc(kycCases.openedAt), asc(kycCases.id));
  return rows.map((r) => ({ ...r, checksPending: Boolean(r.checksPending) }));
}

/**
 * Every case waiting for a person now, with when it started waiting: the latest submit or
 * resubmit, as the queue and the SLA metric count it.
 */
export async function listWaitingCases() {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      level: kycCases.level,
      status: kycCases.status,
      // The queue's own "waiting since": the latest submit or resubmit, kept on the row.
      waitingSince: kycCases.queuedAt,
    })
    .from(kycCases)
    .where(and(inArray(kycCases.status, [...QUEUE_STATUSES]), isNull(kycCases.closedAt)))
    .orderBy(asc(kycCases.queuedAt), asc(kycCases.id));
}

/**
 * The waiting cases counted by how long they have waited at `now`, in the database: `bounds`
 * are the buckets' lower edges in hours after the first (ascending), so bucket 0 is under
 * bounds[0] and the last is bounds[n-1] or more. A wait below zero (a clock behind the
 * database's) is in the total but in no bucket. Breaches are waits of `breachHours` or more.
 */
export async function countWaitingByTime(
  now: Date,
  bounds: readonly number[],
  breachHours: number,
): Promise<{ total: number; breaches: number; buckets: number[] }> {
  const db = await getDb();
  const waitingSince = kycCases.queuedAt;
  // date_part answers float8, as the buckets' edges are; extract's numeric cost twice as much.
  // The waiting cases are read through kyc_cases_waiting_idx alone (an index-only scan).
  const waits = db
    .select({
      hours:
        sql<number>`date_part('epoch', ${now.toISOString()}::timestamptz - ${waitingSince}) / 3600`.as(
          "hours",
        ),
    })
    .from(kycCases)
    .where(and(inLiteral(kycCases.status, QUEUE_STATUSES), isNull(kycCases.closedAt)))
    .as("waits");
  const thresholds = sql`array[${sql.join(
    bounds.map((b) => sql`${b}::float8`),
    sql`, `,
  )}]`;
  const rows = await db
    .select({
      bucket: sql<
        number | null
      >`case when ${waits.hours} >= 0 then width_bucket(${waits.hours}::float8, ${thresholds}) end`,
      cases: sql<number>`count(*)::int`,
      breaches: sql<number>`(count(*) filter (where ${waits.hours} >= ${breachHours}))::int`,
    })
    .from(waits)
    .groupBy(sql`1`);
  const buckets = Array.from({ length: bounds.length + 1 }, () => 0);
  let total = 0;
  let breaches = 0;
  for (const row of rows) {
    total += row.cases;
    breaches += row.breaches;
    if (row.bucket !== null) buckets[row.bucket] = row.cases;
  }
  return { total, breaches, buckets };
}

/**
 * SQL: a field of a screening verdict's data (lib/review/screening-verdict.ts), by the schema's
 * name. A literal, not a parameter: the same expression is selected and grouped by.
 */
function verdictField(field: keyof ScreeningVerdictData): SQL<string | null> {
  return sql<string | null>`${caseDecisions.data} ->> ${sql.raw(`'${field}'`)}`;
}

/** Every staff decision made in the period, with who made it. */
export async function listDecisionsIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      decisionId: caseDecisions.id,
      caseId: caseDecisions.caseId,
      staffId: caseDecisions.staffId,
      staffName,
      decision: caseDecisions.decision,
      reasonCode: caseDecisions.reasonCode,
      hitKey: verdictField("hitKey"),
      /** A verdict's hit level (`likely` needs two people to clear it, one an approver). */
      hitLevel: verdictField("level"),
      /** The judge's role then (absent on verdicts stored before it was recorded). */
      hitJudgeRole: verdictField("role"),
      at: caseDecisions.createdAt,
    })
    .from(caseDecisions)
    .innerJoin(staffUsers, eq(staffUsers.id, caseDecisions.staffId))
    .where(
      and(gte(caseDecisions.createdAt, period.from), lt(caseDecisions.createdAt, period.until)),
    )
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
}

/** Screening verdicts given in the period (one row per verdict, a likely hit has two). */
export async function listScreeningJudgmentsIn(period: Period) {
  const rows = await listDecisionsIn(period);
  return rows.filter((r) => (SCREENING_JUDGMENTS as readonly string[]).includes(r.decision));
}

/**
 * Approvals, rejections and requests for more information that took effect in the period, by
 * whom (staff, or the automated checks for an auto-approval).
 */
export async function listOutcomesIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      caseId: caseEvents.caseId,
      level: kycCases.level,
      event: caseEvents.event,
      outcome,
      actorType: caseEvents.actorType,
      actorId: caseEvents.actorId,
      reasonCode: sql<string | null>`${caseEvents.data} ->> ${REASON_CODE_KEY}`,
      at: caseEvents.occurredAt,
    })
    .from(caseEvents)
    .innerJoin(kycCases, eq(kycCases.id, caseEvents.caseId))
    .where(
      and(
        inArray(caseEvents.toStatus, [...OUTCOME_STATUSES]),
        movedCase(caseEvents),
        decidedOutcome,
        gte(caseEvents.occurredAt, period.from),
        lt(caseEvents.occurredAt, period.until),
      ),
    )
    .orderBy(asc(caseEvents.occurredAt), asc(caseEvents.id));
}

/** The screening check's evidence of every submission run in the period. */
export async function listSubmissionScreeningsIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      caseId: checkRuns.caseId,
      runId: checkRuns.id,
      at: checkRuns.createdAt,
      evidence: caseChecks.evidence,
    })
    .from(checkRuns)
    .innerJoin(caseChecks, eq(caseChecks.runId, checkRuns.id))
    .where(
      and(
        eq(checkRuns.reason, "submission"),
        eq(caseChecks.check, "screening"),
        gte(checkRuns.createdAt, period.from),
        lt(checkRuns.createdAt, period.until),
      ),
    )
    .orderBy(asc(checkRuns.createdAt), asc(checkRuns.id));
}

/**
 * The tasks that hold an approved account (a re-screening hit, a vendor's late verdict) nobody
 * has closed yet: the queue's monitoring tab, and what the dashboard counts as monitoring open.
 */
const openHoldTask = and(
  inArray(reviewTasks.kind, [...HOLD_TASK_KINDS]),
  isNull(reviewTasks.closedAt),
);

/** Open hold tasks, each with its kind. */
export async function listOpenMonitoringTasks() {
  const db = await getDb();
  return db
    .select({ caseId: reviewTasks.caseId, kind: reviewTasks.kind, openedAt: reviewTasks.openedAt })
    .from(reviewTasks)
    .where(openHoldTask)
    .orderBy(asc(reviewTasks.openedAt), asc(reviewTasks.id));
}

/** Deliveries not delivered, with their state (deliveryStateSql) and their event. */
export async function listUndeliveredDeliveries() {
  const db = await getDb();
  return db
    .select({
      deliveryId: deliveries.id,
      caseId: outboxEvents.caseId,
      eventType: outboxEvents.type,
      destination: deliveries.destination,
      status: deliveries.status,
      state: deliveryStateSql(),
      attempts: deliveries.totalAttempts,
      lastError: deliveries.lastError,
      nextAttemptAt: deliveries.nextAttemptAt,
      createdAt: deliveries.createdAt,
    })
    .from(deliveries)
    .innerJoin(outboxEvents, eq(outboxEvents.id, deliveries.eventId))
    .where(inArray(deliveries.status, ["pending", "dead"]))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id));
}

/** Each imported screening list: its version and when that version was imported. */
export async function listScreeningListVersions() {
  const db = await getDb();
  return db
    .select({
      source: screeningLists.source,
      version: screeningLists.version,
      importedAt: screeningLists.importedAt,
      entryCount: screeningLists.entryCount,
    })
    .from(screeningLists)
    .orderBy(asc(screeningLists.source));
}

// ---------------------------------------------------------------------------------------------
// Counts: each figure of the page counted in the database. Each counts exactly the rows the
// matching list above returns for the CSV export (tests/scenarios/dashboard.test.ts checks it),
// so the page never reads 50,000 rows to show a handful of numbers.

/** Cases opened in the period, counted by their status now and level. */
export async function countCasesOpenedIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      status: kycCases.status,
      level: kycCases.level,
      cases: sql<number>`count(*)::int`,
    })
    .from(kycCases)
    .where(and(gte(kycCases.openedAt, period.from), lt(kycCases.openedAt, period.until)))
    .groupBy(kycCases.status, kycCases.level);
}

/** Staff decisions made in the period, counted per person (name, else id) and UTC day. */
export async function countDecisionsIn(period: Period) {
  const db = await getDb();
  const reviewer = sql<string>`coalesce(${staffUsers.displayName}, ${staffUsers.email}, ${caseDecisions.staffId}::text)`;
  const day = sql<string>`to_char(${caseDecisions.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  return db
    .select({ reviewer, day, decisions: sql<number>`count(*)::int` })
    .from(caseDecisions)
    .innerJoin(staffUsers, eq(staffUsers.id, caseDecisions.staffId))
    .where(
      and(gte(caseDecisions.createdAt, period.from), lt(caseDecisions.createdAt, period.until)),
    )
    .groupBy(sql`1`, sql`2`);
}

/**
 * Approvals, rejections and requests for information in the period, counted by outcome, whether
 * staff decided it and the reason given (the rows of listOutcomesIn). Without listOutcomesIn's
 * join to kyc_cases: the foreign key keeps every event's case, and the count needs nothing of it.
 * The period is found through case_events_outcome_idx, whose predicate is this one.
 */
export async function countOutcomesIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      outcome,
      byStaff: sql<boolean>`${caseEvents.actorType} = 'staff'`,
      reasonCode: sql<string | null>`${caseEvents.data} ->> ${REASON_CODE_KEY}`,
      events: sql<number>`count(*)::int`,
    })
    .from(caseEvents)
    .where(
      and(
        inLiteral(caseEvents.toStatus, OUTCOME_STATUSES),
        movedCase(caseEvents),
        decidedOutcome,
        gte(caseEvents.occurredAt, period.from),
        lt(caseEvents.occurredAt, period.until),
      ),
    )
    .groupBy(sql`1`, sql`2`, sql`3`);
}

/**
 * Hits (case and list entry) judged in the period, by what their verdicts in the period add up
 * to — lib/review/screening-hits.ts `hitState` in SQL: any "confirmed" verdict confirms; enough
 * different people clearing it (two for a likely hit, one of them an approver; one otherwise)
 * clear it; fewer leave it awaiting a second person.
 */
export async function countJudgedHitsIn(period: Period) {
  const db = await getDb();
  const hitKey = verdictField("hitKey");
  const hits = db
    .select({
      confirmed: sql<boolean>`bool_or(${caseDecisions.decision} = 'screening_confirmed')`.as(
        "confirmed",
      ),
      clearers:
        sql<number>`count(distinct ${caseDecisions.staffId}) filter (where ${caseDecisions.decision} = 'screening_false_positive')`.as(
          "clearers",
        ),
      // A likely hit's clearings need an approver's among them (hitState); a verdict that does
      // not record its judge's role counts as one, as before roles were recorded.
      byApprover:
        sql<boolean>`coalesce(bool_or(coalesce(${verdictField("role")}, 'approver') in ('approver', 'admin')) filter (where ${caseDecisions.decision} = 'screening_false_positive'), false)`.as(
          "by_approver",
        ),
      // A verdict without a known level counts as likely (lib/review/screening-verdict.ts
      // verdictLevel): a hit it judged is never cleared by one person.
      likely:
        sql<boolean>`bool_or(coalesce(${verdictField("level")}, '') not in ('review', 'below'))`.as(
          "likely",
        ),
    })
    .from(caseDecisions)
    .innerJoin(staffUsers, eq(staffUsers.id, caseDecisions.staffId))
    .where(
      and(
        inArray(caseDecisions.decision, [...SCREENING_JUDGMENTS]),
        sql`${hitKey} is not null and ${hitKey} <> ''`,
        gte(caseDecisions.createdAt, period.from),
        lt(caseDecisions.createdAt, period.until),
      ),
    )
    .groupBy(caseDecisions.caseId, hitKey)
    .as("hits");
  const cleared = sql`not ${hits.confirmed} and case when ${hits.likely} then ${hits.clearers} >= 2 and ${hits.byApprover} else ${hits.clearers} >= 1 end`;
  const [row] = await db
    .select({
      confirmed: sql<number>`(count(*) filter (where ${hits.confirmed}))::int`,
      cleared: sql<number>`(count(*) filter (where ${cleared}))::int`,
      awaitingSecond: sql<number>`(count(*) filter (where not ${hits.confirmed} and not (${cleared})))::int`,
    })
    .from(hits);
  return {
    confirmed: row?.confirmed ?? 0,
    cleared: row?.cleared ?? 0,
    awaitingSecond: row?.awaitingSecond ?? 0,
  };
}

/** Open hold tasks, counted. */
export async function countOpenMonitoringTasks(): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ open: sql<number>`count(*)::int` })
    .from(reviewTasks)
    .where(openHoldTask);
  return row?.open ?? 0;
}

/**
 * Undelivered deliveries counted by their state (deliveryStateSql, as the deliveries page and the
 * export name them): waiting, sending, failing or dead. Pending and dead are counted apart, each
 * through its partial index (deliveries_due_idx, deliveries_dead_idx), so the cost follows the
 * backlog, not every delivery ever made; no join to outbox_events, whose foreign key keeps each
 * delivery's event.
 */
export async function countUndeliveredDeliveries(): Promise<
  Pick<DeliveryCounts, UndeliveredState>
> {
  const db = await getDb();
  const state = deliveryStateSql();
  const [pending, dead] = await Promise.all([
    db
      .select({ state, count: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(sql`${deliveries.status} = 'pending'`)
      .groupBy(sql`1`),
    db
      .select({ state, count: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(sql`${deliveries.status} = 'dead'`)
      .groupBy(sql`1`),
  ]);
  const counts: Pick<DeliveryCounts, UndeliveredState> = {
    waiting: 0,
    sending: 0,
    failing: 0,
    dead: 0,
  };
  for (const r of [...pending, ...dead])
    if (r.state in counts) counts[r.state as UndeliveredState] = Number(r.count);
  return counts;
}

/**
 * Submission screenings in the period that had a list to screen against, and those of them with
 * a hit at review or likely level: the runs' `screening_hits`, written with their evidence
 * (lib/checks/evidence.ts countedScreeningHits), counted through check_runs_submission_idx
 * without reading any evidence.
 */
export async function countSubmissionScreeningsIn(period: Period) {
  const db = await getDb();
  const [row] = await db
    .select({
      screened: sql<number>`count(${checkRuns.screeningHits})::int`,
      withHit: sql<number>`(count(*) filter (where ${checkRuns.screeningHits} > 0))::int`,
    })
    .from(checkRuns)
    .where(
      and(
        sql`${checkRuns.reason} = 'submission'`,
        gte(checkRuns.createdAt, period.from),
        lt(checkRuns.createdAt, period.until),
      ),
    );
  return { screened: row?.screened ?? 0, withHit: row?.withHit ?? 0 };
}
