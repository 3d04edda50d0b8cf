/**
 * Periodic review: which approved cases are due for one (their last review, an approval or a
 * closed periodic review task, lies more than the risk level's months back), what changed since,
 * and the task itself (with its audit line, in one transaction).
 */
import { and, asc, eq, gt, isNull, not, sql } from "drizzle-orm";
import { getDb } from "../client";
import { underEndedRelationship } from "./ended-relationship";
import type { PeriodicReviewCompleted } from "@/lib/review/decision-data";
import { insertDecisionIn } from "./review";
import { lockCase, type OutboxBuilder, type Tx } from "./cases";
import { markRenewalDueIn } from "./renewal";
import { RISK_LEVELS, type RiskLevel } from "@/lib/review/risk";
import {
  auditEvents,
  caseEvents,
  documents,
  caseRetention,
  kycCases,
  reviewTasks,
  screeningLists,
  type KycCase,
} from "../schema";

export const PERIODIC_REVIEW_TASK = "periodic_review";

export type DuePeriodicReview = {
  caseId: string;
  traderId: string;
  riskLevel: string | null;
  lastReviewAt: Date;
};

export async function listCasesDueForPeriodicReview(input: {
  now: Date;
  months: { low: number; medium: number; high: number };
  limit: number;
}): Promise<DuePeriodicReview[]> {
  const db = await getDb();
  // Qualified by hand: in a select list drizzle renders a column of the one table unqualified,
  // which inside these subqueries would name their own tables' id.
  const lastReview = sql<Date>`greatest(
    (select max(e.occurred_at) from ${caseEvents} e
      where e.case_id = "kyc_cases"."id" and e.event = 'approve'),
    (select max(t.closed_at) from ${reviewTasks} t
      where t.case_id = "kyc_cases"."id" and t.kind = ${PERIODIC_REVIEW_TASK}))`;
  // Month arithmetic in PostgreSQL: 31 January + 1 month is 28/29 February, as a person counts.
  const months = sql`case ${kycCases.riskLevel}
    when 'low' then ${input.months.low}::int
    when 'medium' then ${input.months.medium}::int
    else ${input.months.high}::int end`;
  const rows = await db
    .select({
      caseId: kycCases.id,
      traderId: kycCases.traderId,
      riskLevel: kycCases.riskLevel,
      lastReviewAt: lastReview,
    })
    .from(kycCases)
    .where(
      and(
        eq(kycCases.status, "approved"),
        // An erased case keeps its status in the row (the tombstone's outcome) but is closed; a
        // trader whose relationship ended is no longer a customer to re-verify, only a record
        // kept until the purge: a task on either would wait in the queue with nothing to review.
        isNull(kycCases.closedAt),
        sql`not exists (select 1 from ${caseRetention} r where r.case_id = ${kycCases.id}
          and r.purged_at is not null)`,
        not(underEndedRelationship(kycCases, input.now)),
        sql`not exists (select 1 from ${reviewTasks} t where t.case_id = ${kycCases.id}
          and t.kind = ${PERIODIC_REVIEW_TASK} and t.closed_at is null)`,
        sql`${lastReview} + make_interval(months => ${months}) <= ${input.now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(asc(kycCases.id))
    .limit(input.limit);
  return rows.map((r) => ({ ...r, lastReviewAt: new Date(r.lastReviewAt) }));
}

/** What happened to the case and the lists since `since`: the raw facts the task shows. */
export async function loadChangesSince(caseId: string, since: Date) {
  const db = await getDb();
  const [events, lists, uploads] = await Promise.all([
    db
      .select({ event: caseEvents.event, at: caseEvents.occurredAt })
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, caseId), gt(caseEvents.occurredAt, since)))
      .orderBy(asc(caseEvents.id)),
    db
      .select({ source: screeningLists.source, at: screeningLists.importedAt })
      .from(screeningLists)
      .where(gt(screeningLists.importedAt, since))
      .orderBy(asc(screeningLists.source)),
    db
      .select({ n: sql<number>`count(*)` })
      .from(documents)
      .where(and(eq(documents.caseId, caseId), gt(documents.createdAt, since))),
  ]);
  return { events, lists, documents: Number(uploads[0]?.n ?? 0) };
}

/** Opens the case's periodic review task once (a concurrent sweep's insert does nothing). */
export async function openPeriodicReviewTask(input: {
  caseId: string;
  traderId: string;
  now: Date;
  data: Record<string, unknown>;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [opened] = await tx
      .insert(reviewTasks)
      .values({
        caseId: input.caseId,
        kind: PERIODIC_REVIEW_TASK,
        data: input.data,
        openedAt: input.now,
      })
      .onConflictDoNothing()
      .returning({ id: reviewTasks.id });
    if (!opened) return false;
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: "periodic-review",
      action: "case.periodic_review_due",
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data: { taskId: opened.id },
    });
    return true;
  });
}

/**
 * In the transaction that expires the case (its row already locked by the move): the open
 * periodic review task closes with resolution `expired`, audited like any task closed. Not
 * through closeReviewTask: its FOR UPDATE would upgrade the lock the move holds, and wait (and
 * deadlock) behind a reviewer queued for the same row.
 */
export async function closePeriodicReviewOnExpiry(
  tx: Tx,
  kycCase: { id: string; traderId: string },
  now: Date,
): Promise<void> {
  const [closed] = await tx
    .update(reviewTasks)
    .set({ closedAt: now, resolution: "expired" })
    .where(
      and(
        eq(reviewTasks.caseId, kycCase.id),
        eq(reviewTasks.kind, PERIODIC_REVIEW_TASK),
        isNull(reviewTasks.closedAt),
      ),
    )
    .returning({ id: reviewTasks.id });
  if (!closed) return;
  await tx.insert(auditEvents).values({
    actorType: "system",
    actorId: "renewal",
    action: "review_task.closed",
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    occurredAt: now,
    data: { taskId: closed.id, kind: PERIODIC_REVIEW_TASK, resolution: "expired" },
  });
}

/** Why a periodic review was not closed (ReviewReason codes): nothing of it was written. */
export type PeriodicReviewRefusal =
  "no_review_task" | "review_not_approved" | "nothing_to_renew" | "risk_not_higher";

class Refused extends Error {
  constructor(readonly reason: PeriodicReviewRefusal) {
    super(reason);
  }
}

type ClosePeriodicReview = {
  caseId: string;
  /**
   * Judges the locked case against the page the review was written on; throws to refuse
   * (the transaction rolls back and the error reaches the caller).
   */
  asShown: (locked: KycCase) => void;
  staffId: string;
  outcome: PeriodicReviewCompleted["outcome"];
  riskLevel: {
    level: NonNullable<PeriodicReviewCompleted["riskLevel"]>;
    fourEyesRequired: boolean;
  } | null;
  internalNote: string | null;
  /** The renewal notice's event for the document the locked case names (outcome `renewal`). */
  renewal: ((documentExpiresOn: string) => OutboxBuilder) | null;
  now: Date;
};

/**
 * A reviewer closes the case's open periodic review task: the task, a `periodic_review` decision
 * (the outcome and the note, kept with the case's other decisions), the risk level and its
 * floor when the review raised it, the renewal notice when it asks for one, and the audit line,
 * in one transaction, judged on the locked case row: a renewal the case no longer allows (the
 * sweep's notice went out meanwhile, say) leaves the task open and nothing recorded, and so
 * does a case no longer approved (`review_not_approved`), and a raise to a risk level the case
 * already has or exceeds (a re-screening hit raised it meanwhile: `risk_not_higher`). Refused with
 * `no_review_task` when no task was open (someone else closed it).
 */
export async function closePeriodicReviewTask(
  input: ClosePeriodicReview,
): Promise<{ taskId: string } | { refused: PeriodicReviewRefusal }> {
  const db = await getDb();
  try {
    return await db.transaction((tx) => closeIn(tx, input));
  } catch (error) {
    // Thrown inside the transaction so that it rolls back whatever it had written.
    if (error instanceof Refused) return { refused: error.reason };
    throw error;
  }
}

async function closeIn(tx: Tx, input: ClosePeriodicReview): Promise<{ taskId: string }> {
  // The case first, as every decision on it takes it: what the review concludes is checked
  // against the case as it is now, not as the officer's request read it.
  const locked = await lockCase(tx, input.caseId);
  if (!locked) throw new Refused("no_review_task");
  const [closed] = await tx
    .update(reviewTasks)
    .set({ closedAt: input.now, closedBy: input.staffId, resolution: input.outcome })
    .where(
      and(
        eq(reviewTasks.caseId, input.caseId),
        eq(reviewTasks.kind, PERIODIC_REVIEW_TASK),
        isNull(reviewTasks.closedAt),
      ),
    )
    .returning({ id: reviewTasks.id });
  if (!closed) throw new Refused("no_review_task");
  // The review is of an approval in force: one that expired, or a case reopened for a renewal
  // or an upgrade after the officer's page was read, is no longer there to review or re-rate.
  if (locked.status !== "approved") throw new Refused("review_not_approved");
  // Judged on the locked row: writing a raise read against an older level would lower a risk
  // that went up since (a re-screening hit sets it to high).
  if (
    input.riskLevel &&
    RISK_LEVELS.indexOf(input.riskLevel.level) <=
      RISK_LEVELS.indexOf((locked.riskLevel ?? "low") as RiskLevel)
  )
    throw new Refused("risk_not_higher");
  if (input.renewal) {
    const noticed = locked.documentExpiresOn
      ? await markRenewalDueIn(tx, {
          caseId: input.caseId,
          documentExpiresOn: locked.documentExpiresOn,
          now: input.now,
          outbox: input.renewal(locked.documentExpiresOn),
        })
      : null;
    if (!noticed) throw new Refused("nothing_to_renew");
  }
  // A hit, a verdict or a notice committed since the page was read (after the refusals above,
  // which say more): the review concluded on another case than the one there is now.
  input.asShown(locked);
  if (input.riskLevel)
    await tx
      .update(kycCases)
      .set({
        riskLevel: input.riskLevel.level,
        // A person's judgment: the next submission's checks take it as their minimum.
        riskFloor: input.riskLevel.level,
        fourEyesRequired: input.riskLevel.fourEyesRequired,
      })
      .where(eq(kycCases.id, input.caseId));
  const data = {
    taskId: closed.id,
    outcome: input.outcome,
    ...(input.riskLevel && { riskLevel: input.riskLevel.level }),
  };
  await insertDecisionIn(tx, {
    caseId: input.caseId,
    staffId: input.staffId,
    decision: PERIODIC_REVIEW_TASK,
    internalNote: input.internalNote,
    data,
    now: input.now,
    audit: {
      actorType: "staff",
      actorId: input.staffId,
      action: "case.periodic_review_completed",
      caseId: input.caseId,
      traderId: locked.traderId,
      occurredAt: input.now,
      data,
    },
  });
  return { taskId: closed.id };
}
