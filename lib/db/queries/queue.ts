/**
 * The review queue: one page of cases matching the console's filters and search, in an order an
 * index gives (`kyc_cases_queue_idx`: status, queued_at, id), plus the blind-index writes the
 * search reads. The filter is built here only; lib/review/queue.ts parses it from the URL.
 */
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  caseChecks,
  caseRisk,
  caseSearchTerms,
  caseSubmissions,
  kycCases,
  reviewTasks,
  staffUsers,
  traders,
  checkRuns,
  type CaseStatus,
  type CaseTrigger,
} from "../schema";
import type { Tx } from "./cases";
import { holdTaskOpen, MONITORING_TASK, VENDOR_VERDICT_TASK } from "./hold-tasks";

export const QUEUE_SORTS = ["oldest", "newest", "risk", "updated"] as const;
/**
 * oldest: waiting longest first, which is also SLA due soonest (one REVIEW_TIME_HOURS applies to
 * every case); newest: the reverse; risk: highest risk first (cases whose checks have not set one
 * last), then waiting longest; updated: the latest status change first.
 */
export type QueueSort = (typeof QUEUE_SORTS)[number];

export type QueueFilter = {
  statuses: CaseStatus[];
  level?: string;
  risk?: string;
  trigger?: CaseTrigger;
  /** A staff id, or "unassigned". */
  assignee?: string;
  /** Only cases that reached the queue at or before this time (waiting at least …, SLA overdue). */
  queuedBefore?: Date;
  monitoringHit?: boolean;
  /** Only cases with an open periodic review task (lib/review/periodic.ts). */
  periodicReview?: boolean;
  escalated?: boolean;
  checksFailed?: boolean;
  search?: {
    caseId?: string;
    email?: string;
    number?: number;
    nameHashes: string[];
    documentHash?: string;
  };
  sort: QueueSort;
  offset: number;
  limit: number;
  /**
   * Keyset paging: only the cases after (or before) this case in the sort's order, read from
   * the case's own row, so a deep page costs one index probe instead of counting off an OFFSET.
   * With `before` the page is the `limit` cases nearest before it, still listed in the sort's
   * order (the farthest first).
   */
  seek?: QueueSeek;
};

export type QueueSeek = { caseId: string; direction: "after" | "before" };

export type QueueRow = {
  caseId: string;
  status: CaseStatus;
  level: string;
  trigger: CaseTrigger;
  riskLevel: string | null;
  fourEyesRequired: boolean;
  traderEmail: string | null;
  ctraderUserId: number;
  tradingLogin: number | null;
  assignedTo: string | null;
  /** The assignee's name, or their e-mail when the account has no name. */
  assigneeName: string | null;
  /** When the case last reached the queue (its latest submit or resubmit). */
  waitingSince: Date;
  escalated: boolean;
  monitoringHit: boolean;
  /** The hold is a vendor's late verdict alone (no re-screening hit open): its own tag. */
  vendorVerdictHold: boolean;
  periodicReview: boolean;
  /** The current round's checks have not run yet (or failed). */
  checksPending: boolean;
  checksFailed: boolean;
  /** When a re-screening last found a new likely match (case_risk.rescreen_hit_at; null: never). */
  rescreenHitAt: Date | null;
};

// The monitoring tab: a re-screening hit, or a vendor's concerning verdict after the approval.
const monitoringHitSql = holdTaskOpen(kycCases.id);
const vendorVerdictHoldSql = sql<boolean>`(${holdTaskOpen(kycCases.id, [VENDOR_VERDICT_TASK])}
  and not ${holdTaskOpen(kycCases.id, [MONITORING_TASK])})`;
const periodicReviewSql = sql<boolean>`exists (select 1 from ${reviewTasks} t
  where t.case_id = ${kycCases.id} and t.kind = 'periodic_review' and t.closed_at is null)`;
// The few escalated cases' ids read first (one array, from a partial index), then those cases by
// primary key. As a join or IN, PostgreSQL read every case in the tab to match them.
const escalatedSql = sql<boolean>`${kycCases.id} = any(array(select r.case_id from ${caseRisk} r
  where r.escalated))`;
const checksFailedSql = sql<boolean>`exists (select 1 from ${caseChecks} c
  where c.run_id = ${caseRisk.runId} and c.outcome = 'fail')`;

/**
 * The risk as a number that sorts highest first; kyc_cases_risk_queue_idx is built on exactly
 * this expression (drizzle/0032), so a change here must change the index too.
 */
const riskRankSql = sql<number>`(case ${kycCases.riskLevel} when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end)`;

/**
 * The columns each sort orders by, all in one direction so that a row comparison is a keyset;
 * each list ends with the id so the order is total, and each has an index in that order.
 */
function sortKeysOf(sort: QueueSort): { keys: SQL[]; descending: boolean } {
  const id = sql`${kycCases.id}`;
  switch (sort) {
    case "newest":
      return { keys: [sql`${kycCases.queuedAt}`, id], descending: true };
    case "risk":
      return { keys: [riskRankSql, sql`${kycCases.queuedAt}`, id], descending: false };
    case "updated":
      return { keys: [sql`${kycCases.updatedAt}`, id], descending: true };
    case "oldest":
      return { keys: [sql`${kycCases.queuedAt}`, id], descending: false };
  }
}

/** The sort's order; reversed, the order walking back from a case (nearest first). */
function orderByOf(sort: QueueSort, reversed = false): SQL[] {
  const { keys, descending } = sortKeysOf(sort);
  return keys.map((k) => (descending !== reversed ? desc(k) : asc(k)));
}

/** The cases on one side of `seek.caseId` in the sort's order: a row comparison an index serves. */
function seekConditionOf(sort: QueueSort, seek: QueueSeek): SQL {
  const { keys, descending } = sortKeysOf(sort);
  const row = sql.join(keys, sql`, `);
  // Unaliased, so the keys' "kyc_cases" columns name this row inside the subquery.
  const here = sql`(select ${row} from ${kycCases} where ${kycCases.id} = ${seek.caseId})`;
  return (seek.direction === "after") !== descending
    ? sql`(${row}) > ${here}`
    : sql`(${row}) < ${here}`;
}

function conditionsOf(filter: QueueFilter): SQL[] {
  const conditions: SQL[] = [
    inArray(kycCases.status, filter.statuses),
    // An open status with closed_at set is a case the retention purge closed: nothing to work on.
    or(isNull(kycCases.closedAt), inArray(kycCases.status, ["approved", "rejected", "expired"]))!,
  ];
  if (filter.level) conditions.push(eq(kycCases.level, filter.level));
  if (filter.risk) conditions.push(eq(kycCases.riskLevel, filter.risk));
  if (filter.trigger) conditions.push(eq(kycCases.trigger, filter.trigger));
  if (filter.assignee === "unassigned") conditions.push(isNull(kycCases.assignedTo));
  else if (filter.assignee) conditions.push(eq(kycCases.assignedTo, filter.assignee));
  if (filter.queuedBefore) conditions.push(lte(kycCases.queuedAt, filter.queuedBefore));
  if (filter.monitoringHit) conditions.push(monitoringHitSql);
  if (filter.periodicReview) conditions.push(periodicReviewSql);
  if (filter.escalated) conditions.push(escalatedSql);
  if (filter.checksFailed) conditions.push(checksFailedSql);
  if (filter.seek) conditions.push(seekConditionOf(filter.sort, filter.seek));
  const s = filter.search;
  if (s) {
    // Each key is its own index lookup, their case ids joined in one list: an OR across the
    // joined tables would make PostgreSQL read every case.
    const arms: SQL[] = [];
    if (s.caseId) arms.push(sql`select ${s.caseId}::uuid`);
    if (s.email)
      arms.push(sql`select c.id from ${kycCases} c join ${traders} t on t.id = c.trader_id
        where lower(t.email) = ${s.email}`);
    if (s.number !== undefined)
      arms.push(sql`select c.id from ${kycCases} c join ${traders} t on t.id = c.trader_id
        where t.ctrader_user_id = ${s.number} or t.trading_login = ${s.number}`);
    // The account cTrader's launch named, as it named it: the case's own, apart from the trader's.
    if (s.number !== undefined)
      arms.push(sql`select c.id from ${kycCases} c where c.account = ${String(s.number)}`);
    if (s.documentHash)
      arms.push(sql`select st.case_id from ${caseSearchTerms} st
        where st.term_hash = ${s.documentHash} and st.kind = 'document_number'`);
    if (s.nameHashes.length > 0)
      arms.push(sql`select st.case_id from ${caseSearchTerms} st
        where st.term_hash in (${sql.join(
          s.nameHashes.map((h) => sql`${h}`),
          sql`, `,
        )}) and st.kind = 'name'
        group by st.case_id having count(distinct st.term_hash) = ${new Set(s.nameHashes).size}`);
    conditions.push(
      arms.length > 0 ? sql`${kycCases.id} in (${sql.join(arms, sql` union all `)})` : sql`false`,
    );
  }
  return conditions;
}

type Db = Awaited<ReturnType<typeof getDb>>;

/**
 * SQL: the case waits for a person and its round has no submission run yet, so the risk on it is
 * an earlier round's (lib/review/risk.ts riskFromEarlierRound takes its negation). The queue and
 * the dashboard's cases CSV read the mark through it alike.
 */
export const checksOfRoundPending = sql<boolean>`(${kycCases.status} in ('submitted', 'resubmitted', 'in_review')
    and not exists (select 1 from ${checkRuns} r where r.case_id = ${kycCases.id}
      and r.reason = 'submission' and r.round = ${kycCases.round}))`;

function queueSelect(db: Db, filter: QueueFilter) {
  // The page's ids first, in index order; the row details (assignee, tasks, checks) only for
  // those: PostgreSQL would otherwise compute them for every matching case before the sort.
  const page = db
    .select({ id: kycCases.id })
    .from(kycCases)
    .leftJoin(caseRisk, eq(caseRisk.caseId, kycCases.id))
    .where(and(...conditionsOf(filter)))
    .orderBy(...orderByOf(filter.sort, filter.seek?.direction === "before"))
    .offset(filter.offset)
    .limit(filter.limit)
    .as("page");
  return (
    db
      .select({
        caseId: kycCases.id,
        status: kycCases.status,
        level: kycCases.level,
        trigger: kycCases.trigger,
        riskLevel: kycCases.riskLevel,
        fourEyesRequired: kycCases.fourEyesRequired,
        traderEmail: traders.email,
        ctraderUserId: traders.ctraderUserId,
        tradingLogin: traders.tradingLogin,
        assignedTo: kycCases.assignedTo,
        assigneeName: sql<
          string | null
        >`coalesce(nullif(${staffUsers.displayName}, ''), ${staffUsers.email})`,
        waitingSince: kycCases.queuedAt,
        escalated: sql<boolean>`coalesce(${caseRisk.escalated}, false)`,
        monitoringHit: monitoringHitSql,
        vendorVerdictHold: vendorVerdictHoldSql,
        periodicReview: periodicReviewSql,
        checksPending: checksOfRoundPending,
        checksFailed: checksFailedSql,
        rescreenHitAt: caseRisk.rescreenHitAt,
      })
      .from(page)
      .innerJoin(kycCases, eq(kycCases.id, page.id))
      .innerJoin(traders, eq(traders.id, kycCases.traderId))
      .leftJoin(staffUsers, eq(staffUsers.id, kycCases.assignedTo))
      .leftJoin(caseRisk, eq(caseRisk.caseId, kycCases.id))
      // The same keys read from the joined row: the page's own order, over its 51 rows.
      .orderBy(...orderByOf(filter.sort))
  );
}

/** One page of the queue; `limit + 1` rows are read so the caller knows whether more follow. */
export async function listQueue(filter: QueueFilter): Promise<QueueRow[]> {
  const rows = await queueSelect(await getDb(), filter);
  return rows.map((r) => ({
    ...r,
    escalated: Boolean(r.escalated),
    monitoringHit: Boolean(r.monitoringHit),
    vendorVerdictHold: Boolean(r.vendorVerdictHold),
    periodicReview: Boolean(r.periodicReview),
    checksPending: Boolean(r.checksPending),
    checksFailed: Boolean(r.checksFailed),
  }));
}

/**
 * PostgreSQL's plan for exactly the query listQueue runs (EXPLAIN, or EXPLAIN ANALYZE with the
 * execution time), for the index test and the queue bench.
 */
export async function explainQueue(
  filter: QueueFilter,
  options: {
    analyze?: boolean;
    /**
     * Plan as if the tables were large: on a test database of a few rows a sequential scan is
     * rightly cheapest, which says nothing about whether an index could serve the query.
     */
    asIfLarge?: boolean;
  } = {},
): Promise<{ plan: string; executionMs?: number }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (options.asIfLarge) await tx.execute(sql`set local enable_seqscan = off`);
    const query = queueSelect(db, filter);
    const result = (await tx.execute(
      options.analyze
        ? sql`explain (analyze, format json) ${query}`
        : sql`explain (format json) ${query}`,
    )) as unknown as { "QUERY PLAN": { Plan: unknown; "Execution Time"?: number }[] }[];
    const [top] = result[0]?.["QUERY PLAN"] ?? [];
    return { plan: JSON.stringify(top?.Plan), executionMs: top?.["Execution Time"] };
  });
}

/**
 * The case just after (or before) `caseId` in the filter's order, for the case page's j / k. A
 * keyset on the sort's keys read from the case's own row, so the answer is exact to the
 * microsecond and costs one index probe however deep in the queue the case is, and holds for a
 * case the filter no longer matches (one just claimed or decided).
 */
export async function getCaseAfterInQueue(
  filter: Omit<QueueFilter, "offset" | "limit" | "seek">,
  caseId: string,
  direction: QueueSeek["direction"] = "after",
): Promise<string | null> {
  const db = await getDb();
  const [found] = await db
    .select({ id: kycCases.id })
    .from(kycCases)
    .leftJoin(caseRisk, eq(caseRisk.caseId, kycCases.id))
    .where(and(...conditionsOf({ ...filter, offset: 0, limit: 1, seek: { caseId, direction } })))
    .orderBy(...orderByOf(filter.sort, direction === "before"))
    .limit(1);
  return found?.id ?? null;
}

/** The latest submitted round's sealed answers of each case (the queue shows the names). */
export async function listLatestSubmissions(
  caseIds: string[],
): Promise<{ caseId: string; round: number; payload: string }[]> {
  if (caseIds.length === 0) return [];
  const db = await getDb();
  return db
    .selectDistinctOn([caseSubmissions.caseId], {
      caseId: caseSubmissions.caseId,
      round: caseSubmissions.round,
      payload: caseSubmissions.payload,
    })
    .from(caseSubmissions)
    .where(inArray(caseSubmissions.caseId, caseIds))
    .orderBy(caseSubmissions.caseId, desc(caseSubmissions.round));
}

/** Replaces a case's blind-index rows with those of `round`, in the caller's transaction. */
export async function replaceCaseSearchTerms(
  tx: Tx,
  caseId: string,
  round: number,
  terms: { kind: "name" | "document_number"; termHash: string }[],
): Promise<void> {
  await tx.delete(caseSearchTerms).where(eq(caseSearchTerms.caseId, caseId));
  const unique = [...new Map(terms.map((t) => [`${t.kind}:${t.termHash}`, t])).values()];
  if (unique.length > 0)
    await tx.insert(caseSearchTerms).values(unique.map((t) => ({ ...t, caseId })));
  await tx.update(kycCases).set({ searchRound: round }).where(eq(kycCases.id, caseId));
}

/** Cases whose latest round is not in the blind index yet (from before it existed). */
export async function listCasesToIndex(
  limit: number,
): Promise<{ caseId: string; round: number; payload: string }[]> {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      round: caseSubmissions.round,
      payload: caseSubmissions.payload,
    })
    .from(kycCases)
    .innerJoin(
      caseSubmissions,
      and(eq(caseSubmissions.caseId, kycCases.id), eq(caseSubmissions.round, kycCases.round)),
    )
    .where(sql`${kycCases.round} > ${kycCases.searchRound}`)
    .limit(limit);
}

export async function indexCaseSearchTerms(
  caseId: string,
  round: number,
  terms: { kind: "name" | "document_number"; termHash: string }[],
): Promise<void> {
  const db = await getDb();
  await db.transaction((tx) => replaceCaseSearchTerms(tx, caseId, round, terms));
}

/**
 * Assigns every listed case in `statuses` that nobody holds (or that the actor holds: an
 * approver handing their own cases on) to `assignee`, each change audited, in one transaction.
 * The conditional UPDATE is the race guard: a case someone claimed meanwhile is left alone and
 * not returned. Returns the ids that changed, those left alone because `assignee` already holds
 * them (`held`), and those left alone because they are no longer in `statuses` (`moved`: decided
 * meanwhile), read in the same transaction so that the caller can tell both apart from cases
 * someone else holds.
 */
export async function assignCases(input: {
  caseIds: string[];
  statuses: CaseStatus[];
  assignee: string;
  actorId: string;
  action: "case.claimed" | "case.assigned";
  now: Date;
}): Promise<{ changed: string[]; held: string[]; moved: string[] }> {
  if (input.caseIds.length === 0) return { changed: [], held: [], moved: [] };
  const db = await getDb();
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(kycCases)
      .set({ assignedTo: input.assignee, assignedAt: input.now })
      .where(
        and(
          inArray(kycCases.id, input.caseIds),
          inArray(kycCases.status, input.statuses),
          or(isNull(kycCases.assignedTo), eq(kycCases.assignedTo, input.actorId)),
          sql`${kycCases.assignedTo} is distinct from ${input.assignee}`,
        ),
      )
      .returning({ id: kycCases.id });
    if (changed.length > 0)
      await tx.insert(auditEvents).values(
        changed.map((c) => ({
          actorType: "staff",
          actorId: input.actorId,
          action: input.action,
          caseId: c.id,
          data:
            input.action === "case.assigned"
              ? { assignee: input.assignee, bulk: true }
              : { bulk: true },
          occurredAt: input.now,
        })),
      );
    const ids = new Set(changed.map((c) => c.id));
    const rest = input.caseIds.filter((id) => !ids.has(id));
    const left =
      rest.length === 0
        ? []
        : await tx
            .select({ id: kycCases.id, status: kycCases.status, assignedTo: kycCases.assignedTo })
            .from(kycCases)
            .where(inArray(kycCases.id, rest));
    const open = new Set<string>(input.statuses);
    return {
      changed: [...ids],
      held: left
        .filter((c) => open.has(c.status) && c.assignedTo === input.assignee)
        .map((c) => c.id),
      moved: left.filter((c) => !open.has(c.status)).map((c) => c.id),
    };
  });
}

/**
 * "Next case": the oldest unassigned case matching the filter, claimed for `staffId` in one
 * transaction. The candidate row is locked with SKIP LOCKED, so officers asking at the same
 * moment each get a different case instead of waiting for, or colliding on, the same one.
 */
export async function claimNextCase(input: {
  filter: Omit<QueueFilter, "offset" | "limit" | "sort">;
  staffId: string;
  now: Date;
}): Promise<string | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [next] = await tx
      .select({ id: kycCases.id })
      .from(kycCases)
      .leftJoin(caseRisk, eq(caseRisk.caseId, kycCases.id))
      .where(
        and(
          ...conditionsOf({
            ...input.filter,
            assignee: "unassigned",
            sort: "oldest",
            offset: 0,
            limit: 1,
          }),
        ),
      )
      .orderBy(asc(kycCases.queuedAt), asc(kycCases.id))
      .limit(1)
      .for("update", { of: kycCases, skipLocked: true });
    if (!next) return null;
    await tx
      .update(kycCases)
      .set({ assignedTo: input.staffId, assignedAt: input.now })
      .where(and(eq(kycCases.id, next.id), isNull(kycCases.assignedTo)));
    await tx.insert(auditEvents).values({
      actorType: "staff",
      actorId: input.staffId,
      action: "case.claimed",
      caseId: next.id,
      data: { next: true },
      occurredAt: input.now,
    });
    return next.id;
  });
}
