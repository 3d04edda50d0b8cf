/**
 * The reads behind /api/metrics: counts the database holds for every instance alike (what only
 * one process knows, such as open streams and check durations, is counted in lib/metrics).
 * Each is one aggregate over an indexed column or a small table; a scrape every 15–60 s costs
 * a handful of index scans.
 */
import { and, count, inArray, isNull, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  caseEvents,
  checkFailures,
  checkRuns,
  deliveries,
  kycCases,
  screeningLists,
} from "../schema";

/** The statuses of cases waiting for a person (the console's queue). */
export const QUEUE_STATUSES = ["submitted", "resubmitted", "in_review"] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

export async function countQueueByStatus(): Promise<Record<QueueStatus, number>> {
  const db = await getDb();
  const rows = await db
    .select({ status: kycCases.status, cases: count() })
    .from(kycCases)
    .where(and(inArray(kycCases.status, [...QUEUE_STATUSES]), isNull(kycCases.closedAt)))
    .groupBy(kycCases.status);
  const depth = { submitted: 0, resubmitted: 0, in_review: 0 };
  for (const row of rows) depth[row.status as QueueStatus] = row.cases;
  return depth;
}

/** Queue cases waiting longer than the review time promised to traders (REVIEW_TIME_HOURS). */
export async function countSlaBreaches(now: Date, reviewTimeHours: number): Promise<number> {
  const db = await getDb();
  // Waiting since the latest submit or resubmit, as the console's queue counts it.
  const waitingSince = sql`coalesce((
    select max(e.occurred_at) from ${caseEvents} e
    where e.case_id = ${kycCases.id} and e.event in ('submit', 'resubmit')
  ), ${kycCases.updatedAt})`;
  const deadline = new Date(now.getTime() - reviewTimeHours * 3_600_000).toISOString();
  const [row] = await db
    .select({ cases: count() })
    .from(kycCases)
    .where(
      and(
        inArray(kycCases.status, [...QUEUE_STATUSES]),
        isNull(kycCases.closedAt),
        sql`${waitingSince} <= ${deadline}::timestamptz`,
      ),
    );
  return row?.cases ?? 0;
}

/** Per destination: deliveries due now (pending, next attempt reached) and dead ones. */
export async function countDeliveriesByDestination(
  now: Date,
): Promise<{ destination: string; due: number; dead: number }[]> {
  const db = await getDb();
  const rows = await db
    .select({
      destination: deliveries.destination,
      due: sql<number>`count(*) filter (where ${deliveries.status} = 'pending' and ${deliveries.nextAttemptAt} <= ${now.toISOString()}::timestamptz)`.mapWith(
        Number,
      ),
      dead: sql<number>`count(*) filter (where ${deliveries.status} = 'dead')`.mapWith(Number),
    })
    .from(deliveries)
    .where(inArray(deliveries.status, ["pending", "dead"]))
    .groupBy(deliveries.destination)
    .orderBy(deliveries.destination);
  return rows;
}

/** Check runs ever recorded, by reason (rows are never deleted: a counter). */
export async function countCheckRuns(): Promise<{ submission: number; rescreen: number }> {
  const db = await getDb();
  const rows = await db
    .select({ reason: checkRuns.reason, runs: count() })
    .from(checkRuns)
    .groupBy(checkRuns.reason);
  const runs = { submission: 0, rescreen: 0 };
  for (const row of rows) runs[row.reason] = row.runs;
  return runs;
}

/** Cases whose last check run failed and waits for its retry (check_failures rows). */
export async function countFailedCheckRuns(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ cases: count() }).from(checkFailures);
  return row?.cases ?? 0;
}

/**
 * Each imported screening list, when its source last confirmed the current version (imported
 * or found unchanged), whether its latest fetch or import failed, and whether a stored entry of
 * it does not read (screening stopped until it is imported again).
 */
export async function listScreeningListImports(): Promise<
  {
    source: string;
    importedAt: Date;
    checkedAt: Date | null;
    failing: boolean;
    unreadable: boolean;
  }[]
> {
  const db = await getDb();
  const rows = await db
    .select({
      source: screeningLists.source,
      importedAt: screeningLists.importedAt,
      checkedAt: screeningLists.checkedAt,
      failedAt: screeningLists.failedAt,
      unreadableEntry: screeningLists.unreadableEntry,
    })
    .from(screeningLists)
    .orderBy(screeningLists.source);
  return rows.map(({ failedAt, unreadableEntry, ...row }) => ({
    ...row,
    failing: failedAt !== null,
    unreadable: unreadableEntry !== null,
  }));
}
