import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  isNull,
  lte,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { RESCREEN_HIT_AUDIT } from "@/lib/checks/monitoring-task";
import { approvalInForce, REVIEW_OPENINGS } from "@/lib/kyc/case-state";
import { REJECT_DATA_KEY, REJECTION_KIND } from "@/lib/kyc/case-event-data";
import { type CaseDecisionKind, type DecisionData, decisionRow } from "@/lib/review/decision-data";
import { getDb } from "../client";
import {
  auditEvents,
  caseChecks,
  caseDecisions,
  caseEvents,
  caseRisk,
  checkRuns,
  kycCases,
  reviewTasks,
  staffUsers,
  type CaseDecision,
  type KycCase,
  type ReviewTask,
  type StaffRole,
} from "../schema";
import type { AuditInput } from "./audit";
import { MONITORING_TASK } from "./hold-tasks";
import { executedRows } from "./rows";
import { insertCaseOutboxEvent, lockCase, type OutboxBuilder, type Tx } from "./cases";

export { getCaseById } from "./cases";

export async function listTraderCases(traderId: string): Promise<KycCase[]> {
  const db = await getDb();
  return db
    .select()
    .from(kycCases)
    .where(eq(kycCases.traderId, traderId))
    .orderBy(desc(kycCases.openedAt));
}

/**
 * Claims (or assigns) a case; `onlyIfUnassigned` makes a claim lose to an earlier one, and
 * `expectedAssignee` makes a take-over lose to someone else's change since it was read.
 */
export async function assignCase(input: {
  caseId: string;
  staffId: string | null;
  onlyIfUnassigned: boolean;
  expectedAssignee?: string;
  /** Only while the case is in one of these statuses (an open one: a decided case is nobody's). */
  inStatus?: ReadonlySet<KycCase["status"]>;
  now: Date;
  audit: AuditInput;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(kycCases)
      .set({ assignedTo: input.staffId, assignedAt: input.staffId ? input.now : null })
      .where(
        and(
          eq(kycCases.id, input.caseId),
          input.inStatus ? inArray(kycCases.status, [...input.inStatus]) : undefined,
          input.onlyIfUnassigned ? isNull(kycCases.assignedTo) : undefined,
          input.expectedAssignee ? eq(kycCases.assignedTo, input.expectedAssignee) : undefined,
        ),
      )
      .returning({ id: kycCases.id });
    if (rows.length === 0) return false;
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
    return true;
  });
}

/**
 * SQL: since when the review round open at `at` (now, when omitted) counts signatures: the latest
 * of its opening (REVIEW_OPENINGS: start_review, the case taken back from the trader, or an
 * admin's reopen) and the latest likely match a re-screening found on the case (a signature
 * before it was not given on the case as it stands). The four-eyes trigger's rule (migration
 * 0048). As of a past `at`, the case's risk holds only the latest hit's time: the audit rows of
 * earlier hits say when they were recorded. Rows written before they carried that time carry the
 * start of the import that found the hit, a little earlier: a signature given in between counts
 * here (docs/console.md, the evidence export); the chained trail is not rewritten to move them.
 */
function countingSince(caseId: string, at?: Date): SQL {
  const openings = sql.join(
    REVIEW_OPENINGS.map((event) => sql`${event}`),
    sql`, `,
  );
  const upTo = (column: SQL) =>
    at ? sql`and ${column} <= ${at.toISOString()}::timestamptz` : sql``;
  return sql`coalesce(greatest(
    (select max(e.occurred_at) from ${caseEvents} e
      where e.case_id = ${caseId} and e.event in (${openings}) ${upTo(sql`e.occurred_at`)}),
    (select r.rescreen_hit_at from ${caseRisk} r
      where r.case_id = ${caseId} ${upTo(sql`r.rescreen_hit_at`)})
    ${
      at
        ? sql`, (select max(a.occurred_at) from ${auditEvents} a
      where a.case_id = ${caseId} and a.action = ${RESCREEN_HIT_AUDIT} ${upTo(sql`a.occurred_at`)})`
        : sql``
    }),
    '-infinity'::timestamptz)`;
}

/**
 * The approvals that count in the current review round: signed since it began counting
 * (countingSince), by signers whose accounts are active (a disabled account's signature no longer
 * makes anyone the second pair of eyes). The four-eyes trigger counts the same (migration 0048).
 * In `tx` (the approval's own, which sees its decision) with `lockSigners`, the signers' account
 * rows are held (FOR SHARE) until the caller's approval commits: a role change or a disabling
 * waits for it.
 */
export async function listRoundApprovals(
  caseId: string,
  locked?: { tx: Tx; lockSigners?: true },
): Promise<CaseDecision[]> {
  const db = locked?.tx ?? (await getDb());
  const query = db
    .select(getTableColumns(caseDecisions))
    .from(caseDecisions)
    .innerJoin(
      staffUsers,
      and(eq(staffUsers.id, caseDecisions.staffId), isNull(staffUsers.disabledAt)),
    )
    .where(
      and(
        eq(caseDecisions.caseId, caseId),
        eq(caseDecisions.decision, "approve"),
        gte(caseDecisions.createdAt, countingSince(caseId)),
      ),
    )
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
  return locked?.lockSigners ? query.for("share", { of: staffUsers }) : query;
}

/**
 * The same rule as of an approval at `at`, for an approval that did not record what it counted
 * (lib/review/approval-record.ts): the signatures of the round open then, up to `at`, by accounts
 * not disabled by then. Account states in between are not known: an account disabled before `at`
 * and enabled again since counts.
 */
export async function listApprovalSigners(caseId: string, at: Date): Promise<CaseDecision[]> {
  const db = await getDb();
  return db
    .select(getTableColumns(caseDecisions))
    .from(caseDecisions)
    .innerJoin(
      staffUsers,
      and(
        eq(staffUsers.id, caseDecisions.staffId),
        or(isNull(staffUsers.disabledAt), gt(staffUsers.disabledAt, at)),
      ),
    )
    .where(
      and(
        eq(caseDecisions.caseId, caseId),
        eq(caseDecisions.decision, "approve"),
        gte(caseDecisions.createdAt, countingSince(caseId, at)),
        lte(caseDecisions.createdAt, at),
      ),
    )
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
}

/**
 * A staff account as it is now, its row held (FOR SHARE) until `tx` commits: the co-signer of a
 * four-eyes approval is an active approver when the approval commits, not only when asked.
 */
export async function lockStaffAccount(
  tx: Tx,
  staffId: string,
): Promise<{ role: StaffRole; disabledAt: Date | null } | undefined> {
  const [row] = await tx
    .select({ role: staffUsers.role, disabledAt: staffUsers.disabledAt })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId))
    .for("share");
  return row;
}

export async function listCaseDecisions(caseId: string): Promise<CaseDecision[]> {
  const db = await getDb();
  return db
    .select()
    .from(caseDecisions)
    .where(eq(caseDecisions.caseId, caseId))
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
}

/**
 * A signature without a status change (the first of two for a four-eyes approval), audited.
 * `check` sees the case under its lock and throws to refuse (it changed since the page read it).
 */
export async function insertSignature(input: {
  caseId: string;
  staffId: string;
  now: Date;
  audit: AuditInput;
  check: (locked: KycCase) => void;
}): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    // Serialise signatures on one case, so two first signatures cannot both look "first".
    const locked = await lockCase(tx, input.caseId);
    if (!locked) throw new Error("insertSignature: no such case");
    input.check(locked);
    await tx.insert(caseDecisions).values({
      ...decisionRow({ decision: "approve" }),
      caseId: input.caseId,
      staffId: input.staffId,
      createdAt: input.now,
    });
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
  });
}

export async function setCaseRisk(
  caseId: string,
  riskLevel: string,
  fourEyesRequired: boolean,
): Promise<void> {
  const db = await getDb();
  await db.update(kycCases).set({ riskLevel, fourEyesRequired }).where(eq(kycCases.id, caseId));
}

/** A decision that changes no status (e.g. a verdict on a screening hit), audited. */
export async function insertDecision(
  input: {
    caseId: string;
    staffId: string;
    internalNote: string | null;
    now: Date;
    audit: AuditInput;
  } & DecisionData,
): Promise<void> {
  const db = await getDb();
  await db.transaction((tx) => insertDecisionIn(tx, input));
}

/** insertDecision inside the caller's transaction (a task closed with the decision). */
export async function insertDecisionIn(
  tx: Tx,
  input: Parameters<typeof insertDecision>[0],
): Promise<void> {
  // Decisions on one case are serialised: a close that counted the case's verdicts under this
  // lock (closeMonitoringTaskByDecision) sees every verdict committed before it, or none after.
  await lockCase(tx, input.caseId);
  await insertLockedDecision(tx, input);
}

/**
 * A verdict on a screening hit, judged against the case's verdicts as they are under the case's
 * lock: `check` sees them (oldest first) and throws to refuse, so two people clearing the same
 * hit at once are judged one after the other, not both against the page they read. Answers the
 * verdicts with the new one last.
 */
/**
 * A verdict on a screening hit, under the case's lock, its giver's account held (FOR SHARE, as
 * lockStaffAccount) until it commits: `decide` sees the verdicts given meanwhile and the account
 * as it is now (a role lowered or an account disabled while the verdict waited for the case),
 * throws to refuse, and answers the row to write (the role it records is the locked one).
 */
export async function insertScreeningJudgment(
  caseId: string,
  staffId: string,
  decide: (
    judgments: readonly CaseDecision[],
    account: { role: StaffRole; disabledAt: Date | null } | undefined,
  ) => Parameters<typeof insertDecision>[0],
): Promise<CaseDecision[]> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await lockCase(tx, caseId);
    const account = await lockStaffAccount(tx, staffId);
    const judgments = await tx
      .select()
      .from(caseDecisions)
      .where(
        and(
          eq(caseDecisions.caseId, caseId),
          inArray(caseDecisions.decision, [...SCREENING_JUDGMENTS]),
        ),
      )
      .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
    const inserted = await insertLockedDecision(tx, decide(judgments, account));
    return [...judgments, inserted];
  });
}

async function insertLockedDecision(
  tx: Tx,
  input: Parameters<typeof insertDecision>[0],
): Promise<CaseDecision> {
  const { decision, data } = decisionRow(input);
  const [row] = await tx
    .insert(caseDecisions)
    .values({
      caseId: input.caseId,
      staffId: input.staffId,
      decision,
      internalNote: input.internalNote,
      data,
      createdAt: input.now,
    })
    .returning();
  if (!row) throw new Error("insert into case_decisions returned no row");
  await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
  return row;
}

export const SCREENING_JUDGMENTS = [
  "screening_false_positive",
  "screening_confirmed",
] as const satisfies readonly CaseDecisionKind[];

/** Every verdict staff gave on the case's screening hits, oldest first. */
export async function listScreeningJudgments(caseId: string, tx?: Tx): Promise<CaseDecision[]> {
  const db = tx ?? (await getDb());
  return db
    .select()
    .from(caseDecisions)
    .where(
      and(
        eq(caseDecisions.caseId, caseId),
        inArray(caseDecisions.decision, [...SCREENING_JUDGMENTS]),
      ),
    )
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
}

export type ScreeningResultRow = {
  runId: string;
  /** Null for a run stored before runs recorded their round. */
  round: number | null;
  reason: "submission" | "rescreen";
  runAt: Date;
  evidence: Record<string, unknown>;
};

/**
 * The screening results of the case's runs in `round` (its submission run and re-screenings), and
 * of the runs `alsoRuns` names, whatever their round (an open monitoring task's re-screenings);
 * with `earlierRounds`, of every run of the rounds before it too.
 */
export async function listScreeningResults(
  caseId: string,
  round: number,
  alsoRuns: readonly string[] = [],
  earlierRounds = false,
): Promise<ScreeningResultRow[]> {
  const db = await getDb();
  const inRound = earlierRounds ? lte(checkRuns.round, round) : eq(checkRuns.round, round);
  return db
    .select({
      runId: checkRuns.id,
      round: checkRuns.round,
      reason: checkRuns.reason,
      runAt: checkRuns.createdAt,
      evidence: caseChecks.evidence,
    })
    .from(caseChecks)
    .innerJoin(checkRuns, eq(checkRuns.id, caseChecks.runId))
    .where(
      and(
        eq(checkRuns.caseId, caseId),
        alsoRuns.length > 0 ? or(inRound, inArray(checkRuns.id, [...alsoRuns])) : inRound,
        eq(caseChecks.check, "screening"),
      ),
    )
    .orderBy(asc(checkRuns.createdAt), asc(caseChecks.id));
}

/**
 * The likely hits of the case's rounds before `round` that nobody has cleared (nor, so, may have
 * confirmed), by key: each judged at its strongest sighting up to `round` (as the console shows a
 * carried hit) against the clearings that stand on it, by the database's own rule (`case_uncleared_likely_hits`, drizzle/0058), which
 * its approval guard applies too. These keep counting in every later round.
 */
export async function listCarriedHitKeys(caseId: string, round: number): Promise<string[]> {
  const db = await getDb();
  const result = (await db.execute(
    sql`select key from case_uncleared_likely_hits(${caseId}::uuid, 0, ${round}::int, ${round - 1}::int) as key`,
  )) as unknown;
  return executedRows<{ key: string }>(result).map((r) => r.key);
}

/** The digest of a task's data as stored: what a close that takes the task as read compares. */
export const taskFingerprint = sql<string>`md5(${reviewTasks.data}::text)`;

export async function getOpenReviewTask(
  caseId: string,
  kind: string,
): Promise<(ReviewTask & { fingerprint: string }) | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ ...getTableColumns(reviewTasks), fingerprint: taskFingerprint })
    .from(reviewTasks)
    .where(
      and(eq(reviewTasks.caseId, caseId), eq(reviewTasks.kind, kind), isNull(reviewTasks.closedAt)),
    );
  return row;
}

/** SQL: the open monitoring task's `hits`, or none when they are not a list. */
const taskHits = sql`case when jsonb_typeof("review_tasks"."data" -> 'hits') = 'array'
  then "review_tasks"."data" -> 'hits' else '[]'::jsonb end`;

/**
 * SQL: what the rule that closes a monitoring task (lib/review/screening-hits.ts
 * settleMonitoringTask) implies about the task, asked of the verdicts alone: its data's `hits`
 * (as lib/checks/monitoring-task.ts stores them) are a non-empty list, and every one of them has
 * no confirmation and clearings by two different people, one an approver (a verdict that does
 * not record its judge's role counts as one, as before roles were recorded). It is a pre-filter,
 * never the rule: whether those clearings still stand (given on evidence at least as strong as
 * the sighting the case shows now) is judged in code on the task as read, the one place that
 * picks the sighting. A task this passes and the code refuses is passed over (keyset), so it
 * cannot keep the others from being reached. The one way it is stricter than the rule fails
 * closed: a confirmation whose data the rule cannot read still keeps the task from the pass. A
 * value that is not what it should be counts as none, never failing the pass. Columns are qualified by hand: in a one-table select drizzle
 * writes bare names, which inside these subqueries would name the subqueries' own.
 */
const monitoringTaskClearable = sql`jsonb_typeof("review_tasks"."data" -> 'hits') = 'array'
  and jsonb_typeof("review_tasks"."data" -> 'runIds') = 'array'
  and exists (select 1 from jsonb_array_elements(${taskHits}))
  and not exists (
    select 1
    from jsonb_array_elements(${taskHits}) as task_hit,
      lateral (select (task_hit ->> 'source') || ':' || (task_hit ->> 'entryId') as key) as k
    where exists (select 1 from ${caseDecisions} d where d.case_id = "review_tasks"."case_id"
        and d.decision = 'screening_confirmed' and d.data ->> 'hitKey' = k.key)
      or not coalesce((
        select count(distinct d.staff_id) >= 2
          and bool_or(coalesce(d.data ->> 'role', 'approver') in ('approver', 'admin'))
        from ${caseDecisions} d
        where d.case_id = "review_tasks"."case_id" and d.decision = 'screening_false_positive'
          and d.data ->> 'hitKey' = k.key
      ), false)
  )`;

/**
 * Open monitoring tasks that may be closed (monitoringTaskClearable), oldest first, after
 * `after` when given (keyset: the pass reads on from where its last page ended, so tasks the code
 * refuses do not hide the rest), at most `limit`, each with the fingerprint of its data as read:
 * housekeeping closes those whose hits are cleared (lib/review/screening-hits.ts
 * settleClearedMonitoringTasks). Oldest first by (opened_at, id), the order the keyset walks and the
 * order of the partial index `review_tasks_open_monitoring_idx`.
 */
export async function listClearedMonitoringTasks(
  limit: number,
  /** The id of the last task the pass read. */
  after?: string,
  /** The id of the last task to list (a pass that started past the head stops where it began). */
  upTo?: string,
): Promise<(ReviewTask & { fingerprint: string })[]> {
  const db = await getDb();
  return db
    .select({ ...getTableColumns(reviewTasks), fingerprint: taskFingerprint })
    .from(reviewTasks)
    .where(
      and(
        eq(reviewTasks.kind, MONITORING_TASK),
        isNull(reviewTasks.closedAt),
        after
          ? // Its time as stored (microseconds), which a JavaScript date would round.
            sql`("review_tasks"."opened_at", "review_tasks"."id") >
              (select t.opened_at, t.id from ${reviewTasks} t where t.id = ${after}::uuid)`
          : undefined,
        upTo
          ? // A task that is gone bounds nothing: the walk reads to the newest.
            sql`(not exists (select 1 from ${reviewTasks} t where t.id = ${upTo}::uuid)
              or ("review_tasks"."opened_at", "review_tasks"."id") <=
                (select t.opened_at, t.id from ${reviewTasks} t where t.id = ${upTo}::uuid))`
          : undefined,
        monitoringTaskClearable,
      ),
    )
    .orderBy(asc(reviewTasks.openedAt), asc(reviewTasks.id))
    .limit(limit);
}

export async function listReviewTasks(caseId: string): Promise<ReviewTask[]> {
  const db = await getDb();
  return db
    .select()
    .from(reviewTasks)
    .where(eq(reviewTasks.caseId, caseId))
    .orderBy(asc(reviewTasks.openedAt));
}

/**
 * Closes the case's open task of `kind`, with its audit event and (when given) its outbox event,
 * in one transaction; in `tx` when the caller already has one (a revoke closes the task in the
 * status change's transaction). False when no task was open (someone else closed it).
 */
export async function closeReviewTask(input: {
  caseId: string;
  kind: string;
  /** Who closed it; null: the system (housekeeping), on what people decided before. */
  staffId: string | null;
  resolution: string;
  now: Date;
  outbox?: OutboxBuilder;
  tx?: Tx;
  /** Close only this task, and only while its data is still as read (getOpenReviewTask). */
  asRead?: { taskId: string; fingerprint: string };
}): Promise<boolean> {
  const work = async (tx: Tx) => {
    // The case first, as every writer of its tasks takes it (recordRescreenRun joins a hit to
    // the open task under it): taking the task's row first could deadlock with one of them.
    const kycCase = await lockCase(tx, input.caseId);
    if (!kycCase) return false;
    const [closed] = await tx
      .update(reviewTasks)
      .set({ closedAt: input.now, closedBy: input.staffId, resolution: input.resolution })
      .where(
        and(
          eq(reviewTasks.caseId, input.caseId),
          eq(reviewTasks.kind, input.kind),
          isNull(reviewTasks.closedAt),
          input.asRead ? eq(reviewTasks.id, input.asRead.taskId) : undefined,
          input.asRead ? eq(taskFingerprint, input.asRead.fingerprint) : undefined,
        ),
      )
      .returning({ id: reviewTasks.id });
    if (!closed) return false;
    await tx.insert(auditEvents).values({
      ...(input.staffId === null
        ? { actorType: "system", actorId: "review" }
        : { actorType: "staff", actorId: input.staffId }),
      action: "review_task.closed",
      caseId: input.caseId,
      occurredAt: input.now,
      data: { taskId: closed.id, kind: input.kind, resolution: input.resolution },
    });
    if (input.outbox) await insertCaseOutboxEvent(tx, kycCase, input.outbox, input.now);
    return true;
  };
  if (input.tx) return work(input.tx);
  const db = await getDb();
  return db.transaction(work);
}

/**
 * A monitoring task closed by a person's decision (its data does not read, so it cannot close
 * itself as its hits are cleared): the task, the decision and its audit event, and the CRM's
 * event in one transaction, on the locked case. Closes nothing (false) when, since the caller
 * read them, the task was closed or grew, a verdict on a hit was given (a confirmed match must
 * not be closed over), or the approval it holds is no longer in force.
 */
export async function closeMonitoringTaskByDecision(
  input: Parameters<typeof insertDecision>[0] & {
    decision: typeof MONITORING_TASK;
    /** The task as read, and the case's event sequence as the officer's page showed it. */
    asRead: { taskId: string; fingerprint: string; judgments: number; eventSeq: number };
    outbox: OutboxBuilder;
  },
): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const kycCase = await lockCase(tx, input.caseId);
    if (!kycCase || !approvalInForce(kycCase)) return false;
    if (kycCase.eventSeq !== input.asRead.eventSeq) return false;
    const [judged] = await tx
      .select({ n: count() })
      .from(caseDecisions)
      .where(
        and(
          eq(caseDecisions.caseId, input.caseId),
          inArray(caseDecisions.decision, [...SCREENING_JUDGMENTS]),
        ),
      );
    if (Number(judged?.n) !== input.asRead.judgments) return false;
    const closed = await closeReviewTask({
      caseId: input.caseId,
      kind: MONITORING_TASK,
      staffId: input.staffId,
      resolution: input.data.resolution,
      now: input.now,
      outbox: input.outbox,
      asRead: input.asRead,
      tx,
    });
    if (closed) await insertDecisionIn(tx, input);
    return closed;
  });
}

/**
 * How many rejections with a retry reason the case has had: every `reject` not recorded as final.
 * One whose kind cannot be read counts as a retry, so the retry limit is reached early rather than
 * never (lib/kyc/case-event-data.ts).
 */
export async function countRetryRejections(caseId: string): Promise<number> {
  const db = await getDb();
  const rows = await db
    .select({ id: caseEvents.id })
    .from(caseEvents)
    .where(
      and(
        eq(caseEvents.caseId, caseId),
        eq(caseEvents.event, "reject"),
        sql`${caseEvents.data} ->> ${REJECT_DATA_KEY.kind} is distinct from ${REJECTION_KIND.final}`,
      ),
    );
  return rows.length;
}
