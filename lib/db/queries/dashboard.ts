/**
 * The reads behind the head of compliance's dashboard (lib/review/dashboard.ts computes the
 * figures). Each returns the rows behind one figure, so the CSV export of a figure is exactly
 * what the figure counted. A period is half-open: `from <= t < until`.
 */
import { and, asc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  caseChecks,
  caseDecisions,
  caseEvents,
  checkRuns,
  deliveries,
  kycCases,
  outboxEvents,
  reviewTasks,
  screeningLists,
  staffUsers,
} from "../schema";
import { MONITORING_TASK } from "./checks";
import { QUEUE_STATUSES } from "./metrics";
import { SCREENING_JUDGMENTS } from "./review";

export type Period = { from: Date; until: Date };

const staffName = sql<string | null>`coalesce(${staffUsers.displayName}, ${staffUsers.email})`;

/** Cases opened in the period, with their status now. */
export async function listCasesOpenedIn(period: Period) {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      level: kycCases.level,
      status: kycCases.status,
      trigger: kycCases.trigger,
      riskLevel: kycCases.riskLevel,
      openedAt: kycCases.openedAt,
    })
    .from(kycCases)
    .where(and(gte(kycCases.openedAt, period.from), lt(kycCases.openedAt, period.until)))
    .orderBy(asc(kycCases.openedAt), asc(kycCases.id));
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
      // Spelled out: inside a one-table select drizzle writes the column as a bare "id", which
      // the subquery would read as its own case_events.id.
      waitingSince: sql<Date>`coalesce((
        select max(e.occurred_at) from ${caseEvents} e
        where e.case_id = "kyc_cases"."id" and e.event in ('submit', 'resubmit')
      ), ${kycCases.updatedAt})`.mapWith(kycCases.updatedAt),
    })
    .from(kycCases)
    .where(and(inArray(kycCases.status, [...QUEUE_STATUSES]), isNull(kycCases.closedAt)))
    .orderBy(sql`4`, asc(kycCases.id));
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
  const waitingSince = sql`coalesce((
    select max(e.occurred_at) from ${caseEvents} e
    where e.case_id = ${kycCases.id} and e.event in ('submit', 'resubmit')
  ), ${kycCases.updatedAt})`;
  const waits = db
    .select({
      hours:
        sql<number>`extract(epoch from (${now.toISOString()}::timestamptz - ${waitingSince})) / 3600`.as(
          "hours",
        ),
    })
    .from(kycCases)
    .where(and(inArray(kycCases.status, [...QUEUE_STATUSES]), isNull(kycCases.closedAt)))
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
      hitKey: sql<string | null>`${caseDecisions.data} ->> 'hitKey'`,
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
      toStatus: caseEvents.toStatus,
      actorType: caseEvents.actorType,
      actorId: caseEvents.actorId,
      reasonCode: sql<string | null>`${caseEvents.data} ->> 'reasonCode'`,
      at: caseEvents.occurredAt,
    })
    .from(caseEvents)
    .innerJoin(kycCases, eq(kycCases.id, caseEvents.caseId))
    .where(
      and(
        inArray(caseEvents.toStatus, ["approved", "rejected", "action_required"]),
        sql`${caseEvents.fromStatus} <> ${caseEvents.toStatus}`,
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

/** Monitoring tasks (a re-screening found a likely match) nobody has closed yet. */
export async function listOpenMonitoringTasks() {
  const db = await getDb();
  return db
    .select({ caseId: reviewTasks.caseId, openedAt: reviewTasks.openedAt })
    .from(reviewTasks)
    .where(and(eq(reviewTasks.kind, MONITORING_TASK), isNull(reviewTasks.closedAt)))
    .orderBy(asc(reviewTasks.openedAt));
}

/** Deliveries not delivered: pending (waiting or failing) and dead, with their event. */
export async function listUndeliveredDeliveries() {
  const db = await getDb();
  return db
    .select({
      deliveryId: deliveries.id,
      caseId: outboxEvents.caseId,
      eventType: outboxEvents.type,
      destination: deliveries.destination,
      status: deliveries.status,
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
