import { and, asc, desc, eq, inArray, isNotNull, isNull, notExists, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";
import { alias, type AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb, type Db } from "../client";
import {
  auditEvents,
  caseAccountLogins,
  caseChecks,
  caseDecisions,
  caseDrafts,
  caseEvents,
  movedCase,
  caseRetention,
  caseSearchTerms,
  caseSubmissions,
  checkRuns,
  deliveries,
  deliveryAttempts,
  documents,
  erasureRequests,
  identityFingerprints,
  kycCases,
  outboxEvents,
  reviewTasks,
  selfieChallenges,
  traderRelationships,
  traders,
  vendorVerificationHistory,
  vendorVerifications,
  type CaseRetentionRow,
  type DocumentRow,
  type KycCase,
  type TraderRelationship,
} from "../schema";
import { periodicReviewClosedData } from "@/lib/kyc/case-event-data";
import { PERIODIC_REVIEW_CLOSED_EVENT } from "@/lib/kyc/case-state";
import { destroyCaseKey } from "./case-keys";
import { DOCUMENT_REFUSED } from "./documents";
import { underEndedRelationship } from "./ended-relationship";
import { HOLD_TASK_KINDS, holdTaskOpen } from "./hold-tasks";
import { PERIODIC_REVIEW_TASK } from "./periodic-review";
import type { AuditInput } from "./audit";
import { lockCase, type Tx } from "./cases";

/** Why a task closed without a reviewer's outcome: the trader's business relationship ended. */
export const RELATIONSHIP_ENDED = "relationship_ended";

/**
 * Records (or moves) the end of a trader's business relationship, audited in one transaction.
 * Nobody is left to re-verify, so the trader's open periodic review tasks close with it, each
 * with the reason on its case's timeline (the console's history) and in the audit chain.
 *
 * Under the row locks of all the trader's cases, taken first, in id order (the purge takes one
 * case at a time, so no order of its can cross this one): a purge that has a case locked and
 * checked it against the end recorded before finishes its erasure first, and one that comes
 * after reads this end under its own lock (purgeStillDue). Never the answer that the end is
 * recorded while an erasure under the earlier one is still to commit.
 *
 * Then under the trader's row lock (FOR UPDATE, which an insert of a case referencing the trader
 * waits for, and which waits for one in flight): `decide` sees the trader's cases and earlier end
 * as they stand while this end is recorded, a case opened meanwhile included, and gives the
 * audit entry or throws (nothing is written). The trader's row comes after the cases: the purge
 * holds a case and then updates the trader, so the other order could deadlock with it.
 */
export async function upsertRelationshipEnd(input: {
  traderId: string;
  endedAt: Date;
  source: string;
  now: Date;
  decide: (read: {
    cases: CaseWithOutcome[];
    previous: TraderRelationship | undefined;
  }) => AuditInput;
}): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx
      .select({ id: kycCases.id })
      .from(kycCases)
      .where(eq(kycCases.traderId, input.traderId))
      .orderBy(asc(kycCases.id))
      .for("no key update");
    await tx
      .select({ id: traders.id })
      .from(traders)
      .where(eq(traders.id, input.traderId))
      .for("update");
    // Statements of their own after the locks: they read what committed while this waited.
    const [previous] = await tx
      .select()
      .from(traderRelationships)
      .where(eq(traderRelationships.traderId, input.traderId));
    const audit = input.decide({
      cases: await listTraderCasesWithOutcome(input.traderId, tx),
      previous,
    });
    await tx
      .insert(traderRelationships)
      .values({
        traderId: input.traderId,
        endedAt: input.endedAt,
        source: input.source,
        recordedAt: input.now,
      })
      .onConflictDoUpdate({
        target: traderRelationships.traderId,
        set: { endedAt: input.endedAt, source: input.source, recordedAt: input.now },
      });
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    const closed = await tx
      .update(reviewTasks)
      .set({ closedAt: input.now, resolution: RELATIONSHIP_ENDED })
      .where(
        and(
          eq(reviewTasks.kind, PERIODIC_REVIEW_TASK),
          isNull(reviewTasks.closedAt),
          inArray(
            reviewTasks.caseId,
            tx
              .select({ id: kycCases.id })
              .from(kycCases)
              .where(eq(kycCases.traderId, input.traderId)),
          ),
        ),
      )
      .returning({ id: reviewTasks.id, caseId: reviewTasks.caseId });
    if (closed.length === 0) return;
    const statuses = new Map(
      (
        await tx
          .select({ id: kycCases.id, status: kycCases.status })
          .from(kycCases)
          .where(inArray(kycCases.id, [...new Set(closed.map((t) => t.caseId))]))
      ).map((c) => [c.id, c.status]),
    );
    for (const task of closed) {
      const status = statuses.get(task.caseId);
      if (!status) continue;
      const data = periodicReviewClosedData.parse({ taskId: task.id, reason: RELATIONSHIP_ENDED });
      const actor = { actorType: audit.actorType, actorId: audit.actorId };
      await tx.insert(caseEvents).values({
        caseId: task.caseId,
        occurredAt: input.now,
        event: PERIODIC_REVIEW_CLOSED_EVENT,
        fromStatus: status,
        toStatus: status,
        ...actor,
        data,
      });
      await tx.insert(auditEvents).values({
        ...actor,
        action: "case.periodic_review_closed",
        caseId: task.caseId,
        traderId: input.traderId,
        occurredAt: input.now,
        data,
      });
    }
  });
}

export async function getRelationship(traderId: string): Promise<TraderRelationship | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(traderRelationships)
    .where(eq(traderRelationships.traderId, traderId));
  return row;
}

export async function getCaseRetention(caseId: string): Promise<CaseRetentionRow | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(caseRetention).where(eq(caseRetention.caseId, caseId));
  return row;
}

/**
 * Sets or lifts a case's legal hold with its audit event, only while the hold in force is the
 * one the admin's page showed (`shown`: its moment, null for none): a "Lift" written for one hold
 * never lifts another set since, and a "Set" from a page that showed none never replaces a hold
 * set meanwhile (`changed`, nothing written or audited). `purged` when the case was purged. Under
 * the case's row lock, the one the purge erases under and every hold change takes: a purge that
 * already checked the hold finishes first and the hold is refused (the case is gone), never
 * confirmed on a case the purge then erases; and the hold read here cannot move before the write.
 * The hold's own row alone would not wait for it (an update of a retention row takes no lock on
 * the case).
 */
export async function setCaseLegalHold(input: {
  caseId: string;
  shown: Date | null;
  hold: { at: Date; by: string; reason: string } | null;
  audit: AuditInput;
}): Promise<"done" | "purged" | "changed"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (!(await lockCase(tx, input.caseId))) return "purged";
    const [current] = await tx
      .select({ legalHoldAt: caseRetention.legalHoldAt, purgedAt: caseRetention.purgedAt })
      .from(caseRetention)
      .where(eq(caseRetention.caseId, input.caseId));
    if (current?.purgedAt) return "purged";
    if ((current?.legalHoldAt?.getTime() ?? null) !== (input.shown?.getTime() ?? null))
      return "changed";
    const values = {
      legalHoldAt: input.hold?.at ?? null,
      legalHoldBy: input.hold?.by ?? null,
      legalHoldReason: input.hold?.reason ?? null,
    };
    const rows = await tx
      .insert(caseRetention)
      .values({ caseId: input.caseId, ...values })
      .onConflictDoUpdate({
        target: caseRetention.caseId,
        set: values,
        setWhere: and(
          isNull(caseRetention.purgedAt),
          sql`${caseRetention.legalHoldAt} is not distinct from ${input.shown?.toISOString() ?? null}::timestamptz`,
        ),
      })
      .returning({ caseId: caseRetention.caseId });
    if (rows.length === 0) return "changed";
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
    return "done";
  });
}

const notHeldOrPurged = (caseId: typeof kycCases.id) =>
  notExists(
    sql`(select 1 from ${caseRetention} where ${caseRetention.caseId} = ${caseId} and (${caseRetention.legalHoldAt} is not null or ${caseRetention.purgedAt} is not null))`,
  );

const isDecisionMove = movedCase(caseEvents);

/**
 * In SQL, the outcome a case's retention is keyed on (lib/retention/policy.ts retentionOutcome):
 * its last move to approved or rejected, else its status.
 */
const e = alias(caseEvents, "e");
const outcomeOfCase = sql<string>`coalesce((select ${e.toStatus}::text from ${caseEvents} e
  where ${e.caseId} = ${kycCases.id} and ${e.toStatus} in ('approved', 'rejected')
    and ${movedCase(e)}
  order by ${e.occurredAt} desc, ${e.id} desc limit 1), ${kycCases.status}::text)`;

/** A moment per rule: the first rule matching the case (outcome, trigger) gives its moment. */
export type MomentRules = { status?: string; trigger?: string; before: Date }[];

const at = (moment: Date) => sql`${moment.toISOString()}::timestamptz`;

/** As SQL, the moment of the first rule (most specific first) the case matches, else `fallback`. */
function momentByRule(rules: MomentRules, fallback: Date) {
  const branches = rules.map((rule) => {
    const conditions = [
      rule.status ? sql`${outcomeOfCase} = ${rule.status}` : undefined,
      rule.trigger ? sql`${kycCases.trigger}::text = ${rule.trigger}` : undefined,
    ].filter((c) => c !== undefined);
    return sql` when ${sql.join(conditions, sql` and `)} then ${at(rule.before)}`;
  });
  return branches.length > 0
    ? sql`(case${sql.join(branches, sql``)} else ${at(fallback)} end)`
    : at(fallback);
}

/** Each case's last move to approved or rejected (cases never decided are absent). */
export async function lastDecisions(
  caseIds: string[],
  executor?: Db | Tx,
): Promise<Map<string, string>> {
  if (caseIds.length === 0) return new Map();
  const db = executor ?? (await getDb());
  const rows = await db
    .selectDistinctOn([caseEvents.caseId], {
      caseId: caseEvents.caseId,
      toStatus: caseEvents.toStatus,
    })
    .from(caseEvents)
    .where(
      and(
        inArray(caseEvents.caseId, caseIds),
        inArray(caseEvents.toStatus, ["approved", "rejected"]),
        isDecisionMove,
      ),
    )
    .orderBy(caseEvents.caseId, desc(caseEvents.occurredAt), desc(caseEvents.id));
  return new Map(rows.map((r) => [r.caseId, r.toStatus]));
}

/**
 * The trader's cases, newest first, each with the outcome its retention is keyed on (its last
 * decision; lib/retention/policy.ts). `executor`: a transaction that holds the locks it must be
 * read under.
 */
export async function listTraderCasesWithOutcome(traderId: string, executor?: Db | Tx) {
  const db = executor ?? (await getDb());
  const cases = await db
    .select()
    .from(kycCases)
    .where(eq(kycCases.traderId, traderId))
    .orderBy(desc(kycCases.openedAt));
  const decided = await lastDecisions(
    cases.map((c) => c.id),
    db,
  );
  return cases.map((c) => ({ ...c, lastDecision: decided.get(c.id) ?? null }));
}
export type CaseWithOutcome = Awaited<ReturnType<typeof listTraderCasesWithOutcome>>[number];

/** When the case was decided (its last move to approved or rejected), as a SQL expression. */
const decidedAt = sql<Date | null>`(select max(${caseEvents.occurredAt}) from ${caseEvents} where ${caseEvents.caseId} = ${kycCases.id} and ${caseEvents.toStatus} in ('approved', 'rejected') and ${isDecisionMove})`;

/**
 * The newest trace of the trader's work on a case besides its row (null when none): a draft, an
 * upload, a vendor capture started or finished (the capture in force or one it replaced; neither
 * touches the case row or a draft). Not a vendor's verdict: that is the vendor's doing, and a
 * re-review moving it would keep a draft the trader left alive for ever.
 */
const tracesTouchedAt = sql<Date | null>`greatest(
  (select max(${caseDrafts.updatedAt}) from ${caseDrafts} where ${caseDrafts.caseId} = ${kycCases.id}),
  (select max(${documents.createdAt}) from ${documents} where ${documents.caseId} = ${kycCases.id}),
  (select max(greatest(${vendorVerifications.startedAt}, ${vendorVerifications.capturedAt}))
    from ${vendorVerifications} where ${vendorVerifications.caseId} = ${kycCases.id}),
  (select max(greatest(${vendorVerificationHistory.startedAt}, ${vendorVerificationHistory.capturedAt}))
    from ${vendorVerificationHistory} where ${vendorVerificationHistory.caseId} = ${kycCases.id}))`;

/** The newest trace of the trader working on a draft case: the case row, or one of its traces. */
const lastTouchedAt = sql<Date>`greatest(${kycCases.updatedAt}, ${kycCases.openedAt}, ${tracesTouchedAt})`;

/**
 * Draft cases never submitted that nobody touched since their trigger's moment (`rules`, else
 * `before`), not held or purged. A draft of a later round (an upgrade, a renewal, a retry) is
 * not one: it belongs to a decided case, kept by the case's own rule.
 */
export async function listAbandonedDraftCases(cut: DraftCut, limit: number): Promise<KycCase[]> {
  const db = await getDb();
  return db
    .select()
    .from(kycCases)
    .where(abandonedDraft(cut))
    .orderBy(asc(kycCases.openedAt))
    .limit(limit);
}

/** When a draft counts as abandoned: untouched since its trigger's moment (`rules`), else `before`. */
export type DraftCut = { before: Date; rules: MomentRules };

/** SQL: the case is a round-0 draft untouched since its cut (not held or purged). */
function abandonedDraft(cut: DraftCut) {
  return and(
    eq(kycCases.status, "draft"),
    eq(kycCases.round, 0),
    sql`${lastTouchedAt} <= ${momentByRule(cut.rules, cut.before)}`,
    notHeldOrPurged(kycCases.id),
  );
}

/**
 * SQL: no `action` audit event of the case names this item yet (its `data[key]` is `item`): how
 * the purge audits each keep, wait or deletion once however often it runs.
 */
function notYetAudited(caseId: AnyPgColumn, action: string, key: string, item: SQL) {
  return sql<boolean>`not exists (select 1 from ${auditEvents} d where d.case_id = ${caseId}
    and d.action = ${action} and d.data->>${key}::text = ${item})`;
}

/**
 * Drafts of a later round (an upgrade, a renewal, a retry) untouched past the draft period, not
 * held or purged, that the purge has not yet recorded keeping (no `keptAction` audit event names
 * the case and round): not abandoned drafts (listAbandonedDraftCases), so the purge audits each
 * such keep once, and an auditor can tell a kept draft from one the purge never looked at.
 */
export async function listLaterRoundDraftsKept(
  cut: { before: Date; rules: MomentRules },
  keptAction: string,
  limit: number,
) {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      traderId: kycCases.traderId,
      round: kycCases.round,
      touchedAt: sql<Date>`${lastTouchedAt}`.mapWith(kycCases.updatedAt),
    })
    .from(kycCases)
    .where(
      and(
        eq(kycCases.status, "draft"),
        sql`${kycCases.round} > 0`,
        sql`${lastTouchedAt} <= ${momentByRule(cut.rules, cut.before)}`,
        notHeldOrPurged(kycCases.id),
        notYetAudited(kycCases.id, keptAction, "round", sql`${kycCases.round}::text`),
      ),
    )
    .orderBy(asc(kycCases.openedAt))
    .limit(limit);
}

/**
 * Upgrades the trader left as a draft (a higher level than the approved one, never sent: an
 * upgrade's draft is always before its first submit) untouched since their trigger's moment, that
 * the purge rolls back to the approval in force (lib/retention/purge.ts): not on legal hold, no
 * open hold task (the reviewer deciding it may need what the trader uploaded), and not under an
 * ended relationship (nothing of such a trader's is worked on; the case goes whole by its own
 * rule), nor one whose rollback was refused for good at its round (a `refused` audit event names
 * it). An early renewal (same level) and a retry (no approved level) are not upgrades.
 * `touchedBefore` is the moment that applied to the case.
 */
export async function listLapsedUpgrades(
  cut: { before: Date; rules: MomentRules },
  refused: { action: string; reason: string },
  now: Date,
  limit: number,
) {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      traderId: kycCases.traderId,
      round: kycCases.round,
      touchedAt: sql<Date>`${lastTouchedAt}`.mapWith(kycCases.updatedAt),
      touchedBefore: sql<Date>`${momentByRule(cut.rules, cut.before)}`.mapWith(kycCases.updatedAt),
    })
    .from(kycCases)
    .where(
      and(
        eq(kycCases.status, "draft"),
        sql`${kycCases.round} > 0`,
        isNotNull(kycCases.approvedLevel),
        sql`${kycCases.level} <> ${kycCases.approvedLevel}`,
        sql`${lastTouchedAt} <= ${momentByRule(cut.rules, cut.before)}`,
        notHeldOrPurged(kycCases.id),
        sql`not ${holdTaskOpen(kycCases.id)}`,
        sql`not ${underEndedRelationship(kycCases, now)}`,
        // A rollback refused for good at this round (audited once) is not tried again.
        sql`not exists (select 1 from ${auditEvents} d where d.case_id = ${kycCases.id}
          and d.action = ${refused.action} and d.data->>'reason' = ${refused.reason}
          and d.data->>'round' = ${kycCases.round}::text)`,
      ),
    )
    .orderBy(asc(kycCases.openedAt))
    .limit(limit);
}

/**
 * Under the case's row lock, in a statement of its own (one that waited for the lock would read
 * the snapshot it started with): whether the lapsed upgrade listed by listLapsedUpgrades still
 * qualifies in what the row does not say: none of the trader's traces the listing counts (a draft,
 * an upload, a vendor capture) after `touchedBefore`, no legal hold, no hold task, relationship not
 * ended. The caller checks the row itself (this runs after the move updated it).
 */
export async function lapsedUpgradeStillDue(
  tx: Tx,
  caseId: string,
  touchedBefore: Date,
  now: Date,
): Promise<boolean> {
  const [row] = await tx
    .select({ id: kycCases.id })
    .from(kycCases)
    .where(
      and(
        eq(kycCases.id, caseId),
        sql`coalesce(${tracesTouchedAt}, '-infinity') <= ${at(touchedBefore)}`,
        notHeldOrPurged(kycCases.id),
        sql`not ${holdTaskOpen(kycCases.id)}`,
        sql`not ${underEndedRelationship(kycCases, now)}`,
      ),
    );
  return row !== undefined;
}

/**
 * In the lapsed upgrade's rollback: deletes the rows of the files uploaded since the upgrade
 * opened that no submission used (the trader never sent them; they are no round's evidence), and
 * returns them for their objects to be deleted while the rows are still locked.
 */
export async function deleteUnsentUpgradeUploads(tx: Tx, caseId: string) {
  return tx
    .delete(documents)
    .where(
      and(
        eq(documents.caseId, caseId),
        sql`${documents.createdAt} >= (select max(${caseEvents.occurredAt}) from ${caseEvents}
          where ${caseEvents.caseId} = ${caseId} and ${caseEvents.event} = 'upgrade')`,
        sql`not exists (select 1 from ${caseSubmissions} s where s.case_id = ${caseId}
          and s.document_ids ? ${documents.id}::text)`,
      ),
    )
    .returning({
      id: documents.id,
      documentType: documents.documentType,
      sha256: documents.sha256,
      storageKey: documents.storageKey,
    });
}

/** When the purge may erase a case: its outcome's (or trigger's) moment, most specific first. */
export type RelationshipCut = {
  /** The moment for a case no rule matches. */
  endedBefore: Date;
  /** Rules most specific first: the first matching one's moment applies to a case. */
  rules: { status?: string; trigger?: string; endedBefore: Date }[];
};

/** SQL: the case's relationship ended before its retention's cut (not held or purged). */
function pastRelationshipEnd(cut: RelationshipCut) {
  const endedBefore = momentByRule(
    cut.rules.map(({ endedBefore: before, ...key }) => ({ ...key, before })),
    cut.endedBefore,
  );
  return and(
    sql`${traderRelationships.endedAt} <= ${endedBefore}`,
    // lib/retention/policy.ts endCovers: an end covers the cases opened before it was recorded.
    sql`${kycCases.openedAt} <= ${traderRelationships.recordedAt}`,
    notHeldOrPurged(kycCases.id),
  );
}

/**
 * Every case, whatever its status, opened before the end of its trader's relationship was
 * recorded, the end being at or before `endedBefore`: once the relationship is over nothing of
 * theirs is worked on any more, so an open case (waiting on the trader, in the queue, an upgrade
 * or a retry never finished) falls under the same rule as a decided one. The purge closes it.
 * A case with an open hold task (a monitoring hit, a late vendor verdict) waits: the AML duty to
 * decide it, and perhaps report it, outlives the relationship (listPurgesWaitingOnTasks).
 */
export async function listCasesPastRelationshipEnd(cut: RelationshipCut, limit: number) {
  const db = await getDb();
  return db
    .select({ kycCase: kycCases, endedAt: traderRelationships.endedAt })
    .from(kycCases)
    .innerJoin(traderRelationships, eq(traderRelationships.traderId, kycCases.traderId))
    .where(and(pastRelationshipEnd(cut), sql`not ${holdTaskOpen(kycCases.id)}`))
    .orderBy(asc(kycCases.openedAt))
    .limit(limit);
}

/**
 * The open hold tasks of cases the purge would erase but for them, each not yet recorded as
 * waiting (no `deferredAction` audit event names the task): the purge audits each wait once.
 */
export async function listPurgesWaitingOnTasks(
  cut: RelationshipCut,
  deferredAction: string,
  limit: number,
) {
  const db = await getDb();
  return db
    .select({
      caseId: kycCases.id,
      traderId: kycCases.traderId,
      taskId: reviewTasks.id,
      kind: reviewTasks.kind,
      openedAt: reviewTasks.openedAt,
    })
    .from(reviewTasks)
    .innerJoin(kycCases, eq(kycCases.id, reviewTasks.caseId))
    .innerJoin(traderRelationships, eq(traderRelationships.traderId, kycCases.traderId))
    .where(
      and(
        pastRelationshipEnd(cut),
        inArray(reviewTasks.kind, [...HOLD_TASK_KINDS]),
        isNull(reviewTasks.closedAt),
        notYetAudited(kycCases.id, deferredAction, "taskId", sql`${reviewTasks.id}::text`),
      ),
    )
    .orderBy(asc(reviewTasks.openedAt))
    .limit(limit);
}

/**
 * A document some submission used: one of the ids the submit or resubmit froze with its round
 * (case_submissions.document_ids, written in the submit's transaction). It is the evidence of
 * that round's decision and stays with the case until the case's own retention ends; only uploads
 * no submission named go. Not by comparing times: the submit's event time and the document's
 * confirmedAt are each the start of their request, so a confirm that started after a submit and
 * committed before the submit's last retry read it is in the round yet would look unused.
 */
const usedBySubmission = sql<boolean>`exists (select 1 from ${caseSubmissions} s
  where s.case_id = ${documents.caseId} and s.document_ids ? ${documents.id}::text)`;

/**
 * Replaced documents no submission used, of cases whose last decision (approved or rejected) was
 * at or before the moment of the first rule matching that decision and the case's trigger (else
 * `before`), whatever the status now (held cases excluded): an approval that
 * expired, or is being renewed or upgraded, still decided the round those uploads were replaced
 * in. A round opened since (an upgrade, a renewal, a retry) is not decided yet: what was replaced
 * in it waits for its decision.
 */
export async function listSupersededDocuments(
  cut: { before: Date; rules: MomentRules },
  limit: number,
): Promise<DocumentRow[]> {
  const db = await getDb();
  const rows = await db
    .select({ document: documents })
    .from(documents)
    .innerJoin(kycCases, eq(kycCases.id, documents.caseId))
    .where(
      and(
        isNotNull(documents.replacedAt),
        sql`not ${usedBySubmission}`,
        sql`${decidedAt} <= ${momentByRule(cut.rules, cut.before)}`,
        sql`(${kycCases.status} in ('approved', 'rejected', 'expired') or ${documents.replacedAt} <= ${decidedAt})`,
        notHeldOrPurged(kycCases.id),
      ),
    )
    .limit(limit);
  return rows.map((r) => r.document);
}

/**
 * Deletes one replaced document: its row, then (`deleteObjects`) its objects while the deleted
 * row is still locked, with its audit event, in one transaction. A rewrite of the object under
 * whileDocumentKept finishes before the delete, or finds no row after it.
 */
export async function deleteSupersededDocument(
  documentId: string,
  audit: AuditInput,
  deleteObjects: () => Promise<void>,
) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const rows = await tx
      .delete(documents)
      .where(and(eq(documents.id, documentId), isNotNull(documents.replacedAt)))
      .returning({ id: documents.id });
    if (rows.length !== 1) return;
    // A crash after this rolls the row back with its objects gone; the next run finishes.
    await deleteObjects();
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
  });
}

/**
 * Refused uploads (their `document.refused` events) refused at or before `refusedBefore` whose key
 * the purge has not yet emptied (no `deletedAction` event names the document): the refusal
 * deleted the file and its row, but the browser's signed form stays valid until it expires and a
 * replay of it puts the bytes back at the key with no row pointing at them.
 */
export async function listRefusedUploadsToDelete(
  refusedBefore: Date,
  deletedAction: string,
  limit: number,
) {
  const db = await getDb();
  return db
    .select({
      caseId: auditEvents.caseId,
      refusedAt: auditEvents.occurredAt,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, DOCUMENT_REFUSED),
        isNotNull(auditEvents.caseId),
        // Only a refusal naming a document can be deleted and marked so: any other row (a hand
        // edit) would be listed again on every run and, fifty of them, stop the rest.
        sql`${auditEvents.data}->>'documentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`,
        sql`${auditEvents.occurredAt} <= ${refusedBefore.toISOString()}::timestamptz`,
        notYetAudited(
          auditEvents.caseId,
          deletedAction,
          "documentId",
          sql`${auditEvents.data}->>'documentId'`,
        ),
      ),
    )
    .orderBy(asc(auditEvents.occurredAt))
    .limit(limit);
}

/**
 * What the tombstone is computed from: the case, its submissions' ciphertexts, its documents.
 * Read under the case's row lock (purgeCaseRows), in statements that start after it was taken.
 */
async function readCaseForPurge(tx: Tx, caseId: string) {
  const [kycCase] = await tx.select().from(kycCases).where(eq(kycCases.id, caseId));
  if (!kycCase) return undefined;
  const [decided] = await tx
    .select({ at: caseEvents.occurredAt, toStatus: caseEvents.toStatus })
    .from(caseEvents)
    .where(
      and(
        eq(caseEvents.caseId, caseId),
        inArray(caseEvents.toStatus, ["approved", "rejected"]),
        isDecisionMove,
      ),
    )
    .orderBy(desc(caseEvents.occurredAt), desc(caseEvents.id))
    .limit(1);
  const submissions = await tx
    .select({ round: caseSubmissions.round, payload: caseSubmissions.payload })
    .from(caseSubmissions)
    .where(eq(caseSubmissions.caseId, caseId))
    .orderBy(asc(caseSubmissions.round));
  const docs = await tx.select().from(documents).where(eq(documents.caseId, caseId));
  const [relationship] = await tx
    .select()
    .from(traderRelationships)
    .where(eq(traderRelationships.traderId, kycCase.traderId));
  return {
    kycCase,
    decidedAt: decided ? new Date(decided.at) : null,
    /** The last move to approved or rejected (null: never decided). */
    lastDecision: decided?.toStatus ?? null,
    submissions,
    documents: docs,
    relationshipEndedAt: relationship?.endedAt ?? null,
  };
}
export type CaseForPurge = NonNullable<Awaited<ReturnType<typeof readCaseForPurge>>>;

/**
 * The rule a case is erased by, as purgeCaseRows checks it again under the row lock: the cut the
 * listing used (listAbandonedDraftCases, listCasesPastRelationshipEnd). An erasure request is
 * decided by its caller (lib/retention/erasure.ts) on what it read, checked again here: the round
 * it read must still be the case's, and a case holding a submission must still be past its
 * period (`cut`, the purge's own rule): an end the CRM moved meanwhile keeps it.
 */
export type PurgeDue =
  | { rule: "abandoned_draft"; cut: DraftCut }
  | { rule: "relationship_ended"; cut: RelationshipCut }
  /** The round the request read: a submit since (a new round) keeps the case. */
  | { rule: "erasure_request"; round: number; cut: RelationshipCut };

/**
 * Under the case's row lock, in a statement of its own (one that waited for the lock would read
 * the snapshot it started with): whether the case still qualifies by the listing's own predicate.
 * A trader who came back (a save, an upload, a submit) between the listing and the lock, or a new
 * end recorded for the relationship meanwhile, keeps the case.
 */
async function purgeStillDue(tx: Tx, caseId: string, due: PurgeDue): Promise<boolean> {
  const rows =
    due.rule === "erasure_request"
      ? await tx
          .select({ id: kycCases.id })
          .from(kycCases)
          .leftJoin(traderRelationships, eq(traderRelationships.traderId, kycCases.traderId))
          .where(
            and(
              eq(kycCases.id, caseId),
              eq(kycCases.round, due.round),
              // A draft never submitted goes on request at once; anything sent, by its period.
              due.round === 0 ? undefined : pastRelationshipEnd(due.cut),
            ),
          )
      : due.rule === "abandoned_draft"
        ? await tx
            .select({ id: kycCases.id })
            .from(kycCases)
            .where(and(eq(kycCases.id, caseId), abandonedDraft(due.cut)))
        : await tx
            .select({ id: kycCases.id })
            .from(kycCases)
            .innerJoin(traderRelationships, eq(traderRelationships.traderId, kycCases.traderId))
            .where(and(eq(kycCases.id, caseId), pastRelationshipEnd(due.cut)));
  return rows.length > 0;
}

/**
 * Whether a file may still land under one of the case's upload keys: a form signed for any of its
 * documents (a pending upload, or one confirmed while its form is still valid and could be
 * replayed) that expired after `formsExpiredBefore`.
 */
async function uploadsMayLand(tx: Tx, caseId: string, formsExpiredBefore: Date): Promise<boolean> {
  const [open] = await tx
    .select({ id: documents.id })
    .from(documents)
    .where(
      and(
        eq(documents.caseId, caseId),
        sql`${documents.uploadExpiresAt} > ${at(formsExpiredBefore)}`,
      ),
    )
    .limit(1);
  return open !== undefined;
}

/**
 * Erases one case in one transaction, unless it no longer qualifies: put on hold, a hold task
 * opened, purged meanwhile, or no longer due by its rule (`due`, checked again here); or put off
 * while a file may still land under one of its upload keys (a form that expired after
 * `formsExpiredBefore`): erased now, that file would be bytes no row names, in clear, which no
 * sweep finds. Otherwise: the case's facts are read (`erasure` builds the tombstone and the audit
 * event from them), its document rows deleted and their objects with them (`deleteObjects`, from
 * the rows deleted), drafts deleted, submitted answers and check evidence redacted, the case key
 * destroyed, the case closed, the tombstone and the audit event written. The trader's own contact
 * fields go when no other case of theirs keeps data. False: nothing was done.
 *
 * Everything is read after the case's row lock: an upload started or confirmed since the listing
 * (each takes the same lock) is among the rows deleted, its objects too. The objects go before the
 * commit, under the lock: whatever writes a case's objects under the same lock (whileDocumentKept)
 * finishes before, or finds the case gone after; a failure rolls the rows back with (some of)
 * their objects gone, on a case that was due, and the next run finishes; never an object no row
 * names.
 */
export async function purgeCaseRows(input: {
  caseId: string;
  due: PurgeDue;
  now: Date;
  formsExpiredBefore: Date;
  erasure: (found: CaseForPurge) => { tombstone: Record<string, unknown>; audit: AuditInput };
  deleteObjects: (deleted: DocumentRow[]) => Promise<void>;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx
      .select({ id: kycCases.id })
      .from(kycCases)
      .where(eq(kycCases.id, input.caseId))
      .for("update");
    const [state] = await tx
      .select()
      .from(caseRetention)
      .where(eq(caseRetention.caseId, input.caseId));
    if (state?.legalHoldAt || state?.purgedAt) return false;
    // A hold task opened since the list was read: the case waits for its decision.
    const [held] = await tx
      .select({ open: holdTaskOpen(kycCases.id) })
      .from(kycCases)
      .where(eq(kycCases.id, input.caseId));
    if (held?.open) return false;
    if (!(await purgeStillDue(tx, input.caseId, input.due))) return false;
    if (await uploadsMayLand(tx, input.caseId, input.formsExpiredBefore)) return false;
    const found = await readCaseForPurge(tx, input.caseId);
    if (!found) return false;
    const { tombstone, audit } = input.erasure(found);
    const traderId = found.kycCase.traderId;
    const deleted = await tx
      .delete(documents)
      .where(eq(documents.caseId, input.caseId))
      .returning();
    // A crash after this rolls the rows back with their objects gone; the next run finishes.
    await input.deleteObjects(deleted);
    await tx.delete(caseDrafts).where(eq(caseDrafts.caseId, input.caseId));
    // The selfie attempts (the prompts drawn, when): the case row stays, so no cascade takes
    // them, and they would go on saying when the trader sat in front of the camera.
    await tx.delete(selfieChallenges).where(eq(selfieChallenges.caseId, input.caseId));
    await tx.delete(identityFingerprints).where(eq(identityFingerprints.caseId, input.caseId));
    // Keyed hashes of the names and document number: nothing is left to find the case by.
    await tx.delete(caseSearchTerms).where(eq(caseSearchTerms.caseId, input.caseId));
    // The trading logins the case's access rights went to identify the trader at the broker as
    // much as the case's own account (nulled below); a closed case sets no rights again.
    await tx.delete(caseAccountLogins).where(eq(caseAccountLogins.caseId, input.caseId));
    // The vendor's applicant ids and verdicts, of every round; a late webhook then names an
    // unknown reference.
    await tx.delete(vendorVerifications).where(eq(vendorVerifications.caseId, input.caseId));
    await tx
      .delete(vendorVerificationHistory)
      .where(eq(vendorVerificationHistory.caseId, input.caseId));
    await deleteSettledOutbox(tx, input.caseId);
    await tx
      .update(caseSubmissions)
      .set({ payload: "erased" })
      .where(eq(caseSubmissions.caseId, input.caseId));
    await tx
      .update(caseChecks)
      .set({ evidence: { erased: true } })
      .where(eq(caseChecks.caseId, input.caseId));
    // The count goes with the evidence it was read from: the dashboard and its export agree.
    await tx
      .update(checkRuns)
      .set({ screeningHits: null })
      .where(eq(checkRuns.caseId, input.caseId));
    // Staff free text (a message to the trader or a note may name them) and a monitoring task's
    // hits. Who decided what and when stays: the audit events never held these texts.
    await tx
      .update(caseDecisions)
      .set({
        messageForTrader: sql`case when ${caseDecisions.messageForTrader} is null then null else 'erased' end`,
        internalNote: sql`case when ${caseDecisions.internalNote} is null then null else 'erased' end`,
      })
      .where(eq(caseDecisions.caseId, input.caseId));
    await tx
      .update(caseEvents)
      .set({ messageForTrader: "erased" })
      .where(and(eq(caseEvents.caseId, input.caseId), isNotNull(caseEvents.messageForTrader)));
    // An open task on an erased case would wait in the console for ever.
    await tx
      .update(reviewTasks)
      .set({
        data: { erased: true },
        closedAt: sql`coalesce(${reviewTasks.closedAt}, ${input.now.toISOString()}::timestamptz)`,
        resolution: sql`coalesce(${reviewTasks.resolution}, 'erased')`,
      })
      .where(eq(reviewTasks.caseId, input.caseId));
    await destroyCaseKey(tx, input.caseId, input.now);
    // Closed whatever its status (an open case of an ended relationship is abandoned here, the
    // tombstone keeps the status it had too); the trading account and the document's expiry go, and
    // without the expiry the renewal sweep never picks the case again.
    await tx
      .update(kycCases)
      .set({
        closedAt: sql`coalesce(${kycCases.closedAt}, ${input.now.toISOString()}::timestamptz)`,
        account: null,
        documentExpiresOn: null,
      })
      .where(eq(kycCases.id, input.caseId));
    await tx
      .insert(caseRetention)
      .values({
        caseId: input.caseId,
        purgedAt: input.now,
        purgeRule: input.due.rule,
        tombstone,
      })
      .onConflictDoUpdate({
        target: caseRetention.caseId,
        set: { purgedAt: input.now, purgeRule: input.due.rule, tombstone },
      });
    const [kept] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(kycCases)
      .where(
        and(
          eq(kycCases.traderId, traderId),
          notExists(
            sql`(select 1 from ${caseRetention} where ${caseRetention.caseId} = ${kycCases.id} and ${caseRetention.purgedAt} is not null)`,
          ),
        ),
      );
    if ((kept?.n ?? 0) === 0)
      await tx
        .update(traders)
        .set({ email: null, tradingLogin: null, updatedAt: input.now })
        .where(eq(traders.id, traderId));
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    return true;
  });
}

/**
 * The case's outbox events every destination has settled (delivered, or dead after the retry
 * schedule), with their deliveries and attempts: the payloads carry the trader's e-mail and login
 * and the reviewer's message, and an attempt's error may quote an address. An event still
 * pending somewhere stays until a later purge run finds it settled (deleteSettledOutboxOfPurged).
 */
async function deleteSettledOutbox(tx: Tx, caseId: string): Promise<number> {
  const settled = tx
    .select({ id: outboxEvents.id })
    .from(outboxEvents)
    .where(
      and(
        eq(outboxEvents.caseId, caseId),
        notExists(
          tx
            .select({ one: sql`1` })
            .from(deliveries)
            .where(and(eq(deliveries.eventId, outboxEvents.id), eq(deliveries.status, "pending"))),
        ),
      ),
    );
  const ids = (await settled).map((e) => e.id);
  if (ids.length === 0) return 0;
  await tx.delete(deliveryAttempts).where(inArray(deliveryAttempts.eventId, ids));
  await tx.delete(deliveries).where(inArray(deliveries.eventId, ids));
  await tx.delete(outboxEvents).where(inArray(outboxEvents.id, ids));
  return ids.length;
}

/**
 * The purge's follow-up: erased cases whose outbox still holds events that have settled since
 * (a receiver was down at the erasure). Answers how many events went.
 */
export async function deleteSettledOutboxOfPurged(
  limit: number,
  audit: (caseId: string, events: number) => AuditInput,
): Promise<number> {
  const db = await getDb();
  const rows = await db
    .selectDistinct({ caseId: outboxEvents.caseId })
    .from(outboxEvents)
    .innerJoin(caseRetention, eq(caseRetention.caseId, outboxEvents.caseId))
    .where(
      and(
        isNotNull(caseRetention.purgedAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(deliveries)
            .where(and(eq(deliveries.eventId, outboxEvents.id), eq(deliveries.status, "pending"))),
        ),
      ),
    )
    .limit(limit);
  let deleted = 0;
  for (const { caseId } of rows)
    deleted += await db.transaction(async (tx) => {
      const events = await deleteSettledOutbox(tx, caseId);
      if (events > 0) {
        const input = audit(caseId, events);
        await tx.insert(auditEvents).values({ ...input, data: input.data ?? {} });
      }
      return events;
    });
  return deleted;
}

/**
 * The newest `limit` of the purge's audit events of the given actions (each naming a case), newest
 * first, and how many there are in all: a page showing the rows can say what it left out.
 */
export async function listAuditEventsByAction(actions: string[], limit: number) {
  return newestAuditEvents(
    and(inArray(auditEvents.action, actions), isNotNull(auditEvents.caseId)),
    limit,
  );
}

/** The newest `limit` audit events `where` picks, newest first, and how many it picks in all. */
async function newestAuditEvents(where: SQL | undefined, limit: number) {
  const db = await getDb();
  const [rows, counted] = await Promise.all([
    db
      .select({
        action: auditEvents.action,
        caseId: auditEvents.caseId,
        traderId: auditEvents.traderId,
        occurredAt: auditEvents.occurredAt,
        data: auditEvents.data,
      })
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(limit),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(where),
  ]);
  return { rows, total: counted[0]?.n ?? 0 };
}

/**
 * Failed `retention.erasure_requested` entries that no later executed request for the same trader
 * settled, newest first: asked of the database, so a failure stays listed however many audit
 * entries came after it. The newest `limit` of them, and how many there are in all, so a page
 * showing them can say what it left out. `action` and `outcomes` are the caller's
 * (lib/retention/erasure-data.ts owns the entry's shape); the caller parses `data`.
 */
export async function listUnsettledAuditFailures(
  action: string,
  outcomes: { failed: string; settled: string },
  limit: number,
) {
  const db = await getDb();
  const later = alias(auditEvents, "later");
  const where = and(
    eq(auditEvents.action, action),
    sql`${auditEvents.data}->>'outcome' = ${outcomes.failed}`,
    notExists(
      db
        .select({ one: sql`1` })
        .from(later)
        .where(
          and(
            eq(later.action, action),
            eq(later.traderId, auditEvents.traderId),
            sql`${later.data}->>'outcome' = ${outcomes.settled}`,
            sql`(${later.occurredAt}, ${later.id}) > (${auditEvents.occurredAt}, ${auditEvents.id})`,
          ),
        ),
    ),
  );
  return newestAuditEvents(where, limit);
}

/**
 * The console's retention lists: every case on hold (an admin's own short list, never cut), and
 * the newest `limit` purged cases with how many were purged in all.
 */
export async function listRetentionRows(
  limit: number,
): Promise<{ held: CaseRetentionRow[]; purged: CaseRetentionRow[]; purgedTotal: number }> {
  const db = await getDb();
  const purgedWhere = and(isNotNull(caseRetention.purgedAt), isNotNull(caseRetention.tombstone));
  const [held, purged, counted] = await Promise.all([
    db
      .select()
      .from(caseRetention)
      .where(and(isNotNull(caseRetention.legalHoldAt), isNull(caseRetention.purgedAt)))
      .orderBy(desc(caseRetention.legalHoldAt), desc(caseRetention.caseId)),
    db
      .select()
      .from(caseRetention)
      .where(purgedWhere)
      .orderBy(desc(caseRetention.purgedAt), desc(caseRetention.caseId))
      .limit(limit),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(caseRetention)
      .where(purgedWhere),
  ]);
  return { held, purged, purgedTotal: counted[0]?.n ?? 0 };
}

/** Records an erasure request's answer with its audit event (one transaction). */
export async function insertErasureRequest(
  values: typeof erasureRequests.$inferInsert,
  audit: AuditInput,
): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(erasureRequests).values(values);
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
  });
}

export async function listErasureRequests(traderId: string) {
  const db = await getDb();
  return db
    .select()
    .from(erasureRequests)
    .where(eq(erasureRequests.traderId, traderId))
    .orderBy(desc(erasureRequests.requestedAt));
}

/** Whether any case of the trader has an open hold task (a monitoring hit, a late vendor verdict). */
export async function traderHasOpenHoldTask(traderId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ id: kycCases.id })
    .from(kycCases)
    .where(and(eq(kycCases.traderId, traderId), holdTaskOpen(kycCases.id)))
    .limit(1);
  return row !== undefined;
}

/**
 * Whether a file may still land under an upload key of one of the trader's cases (a form that
 * expired after `formsExpiredBefore`): the purge puts such a case off (purgeCaseRows).
 */
export async function traderUploadsMayLand(
  traderId: string,
  formsExpiredBefore: Date,
): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ id: documents.id })
    .from(documents)
    .innerJoin(kycCases, eq(kycCases.id, documents.caseId))
    .where(
      and(
        eq(kycCases.traderId, traderId),
        sql`${documents.uploadExpiresAt} > ${at(formsExpiredBefore)}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** Every retention row of the trader's cases (holds and tombstones). */
export async function listTraderCaseRetention(traderId: string): Promise<CaseRetentionRow[]> {
  const db = await getDb();
  const rows = await db
    .select({ row: caseRetention })
    .from(caseRetention)
    .innerJoin(kycCases, eq(kycCases.id, caseRetention.caseId))
    .where(eq(kycCases.traderId, traderId));
  return rows.map((r) => r.row);
}
