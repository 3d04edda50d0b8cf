import { isDeepStrictEqual } from "node:util";
import { and, asc, desc, eq, getTableColumns, isNull, lte, or, sql } from "drizzle-orm";
import { getDb } from "../client";
import { approvalInForce, approvedRoundOf } from "@/lib/kyc/case-state";
import { lateVerdictTaskData } from "@/lib/vendors/verdict";
import { VENDOR_VERDICT_TASK } from "./hold-tasks";
import { caseErased, insertCaseOutboxEvent, lockCase, type OutboxBuilder, type Tx } from "./cases";
import { closeReviewTask, insertDecisionIn, taskFingerprint } from "./review";
import {
  auditEvents,
  caseEvents,
  kycCases,
  reviewTasks,
  vendorVerificationHistory,
  vendorVerifications,
  type CaseEventRow,
  type VendorVerificationHistoryRow,
  type VendorVerificationRow,
} from "../schema";

export { VENDOR_VERDICT_TASK };

export async function getVendorVerification(
  caseId: string,
): Promise<VendorVerificationRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(vendorVerifications)
    .where(eq(vendorVerifications.caseId, caseId));
  return row;
}

/** The captures of the case that later ones replaced, oldest first. */
export async function listVendorVerificationHistory(
  caseId: string,
): Promise<VendorVerificationHistoryRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(vendorVerificationHistory)
    .where(eq(vendorVerificationHistory.caseId, caseId))
    .orderBy(asc(vendorVerificationHistory.id));
}

/** The row in force goes to the history as it is: the evidence it holds is kept. */
async function moveToHistory(tx: Tx, row: VendorVerificationRow, now: Date): Promise<void> {
  await tx.insert(vendorVerificationHistory).values({ ...row, replacedAt: now });
  await tx.delete(vendorVerifications).where(eq(vendorVerifications.caseId, row.caseId));
}

/**
 * The case a webhook's reference names: the capture in force under it (by the verdict's reference
 * or the applicant's), else a replaced capture's. Whether a replaced capture may take the verdict
 * (only the one the approval in force rests on) is judged under the case's lock (lockNamingRow).
 */
export async function findVendorVerification(
  vendor: string,
  reference: string,
): Promise<{ caseId: string } | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ caseId: vendorVerifications.caseId })
    .from(vendorVerifications)
    .where(
      and(
        eq(vendorVerifications.vendor, vendor),
        or(
          eq(vendorVerifications.verdictReference, reference),
          eq(vendorVerifications.sessionReference, reference),
        ),
      ),
    )
    .limit(1);
  if (row) return row;
  const [replaced] = await db
    .select({ caseId: vendorVerificationHistory.caseId })
    .from(vendorVerificationHistory)
    .where(
      and(
        eq(vendorVerificationHistory.vendor, vendor),
        or(
          eq(vendorVerificationHistory.verdictReference, reference),
          eq(vendorVerificationHistory.sessionReference, reference),
        ),
      ),
    )
    .orderBy(desc(vendorVerificationHistory.id))
    .limit(1);
  return replaced;
}

/**
 * Every writer of a case's vendor rows locks the case row first, as the decisions do (a decline
 * puts the approved capture back under the case's lock): one order, so a webhook or a trader's
 * capture racing a reviewer's decision waits instead of deadlocking. Answers the case's round;
 * `erased` when the retention purge erased the case (meanwhile, while this waited for its lock,
 * or before): its vendor rows are gone with its key, and nothing may be written to it again. As
 * lockCaseForWrite: the erasure is read in a statement of its own, after the lock.
 */
async function lockCaseOf(tx: Tx, caseId: string) {
  const [kycCase] = await tx
    .select({
      round: kycCases.round,
      status: kycCases.status,
      approvedLevel: kycCases.approvedLevel,
      closedAt: kycCases.closedAt,
    })
    .from(kycCases)
    .where(eq(kycCases.id, caseId))
    .for("update");
  if (kycCase?.closedAt && (await caseErased(tx, caseId))) return "erased" as const;
  return kycCase;
}

/**
 * Records a started verification (the trader's screen asked for the vendor's capture). A second
 * start keeps the first row's references when the vendor answered with the same applicant, and
 * starts over when it is a new one or `restartIf` says the row is of an earlier round: the row it
 * replaces (its capture and verdict) moves to the history in the same transaction. Both are judged
 * under the case row's lock, on the case and events read there: a decision that committed while
 * the vendor was called (a declined upgrade puts the approved capture back) answers
 * `not_editable` and nothing is written; an erasure, `erased`.
 */
export async function recordVendorStart(input: {
  caseId: string;
  traderId: string;
  vendor: string;
  sessionReference: string;
  /** Whether the trader may capture in this case status (the states in which steps are edited). */
  mayCapture: (status: string) => boolean;
  /** Whether the row in force is of an earlier round (the case's events in commit order). */
  restartIf: (existing: VendorVerificationRow, events: CaseEventRow[]) => boolean;
  now: Date;
}): Promise<"recorded" | "not_editable" | "erased"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const kycCase = await lockCaseOf(tx, input.caseId);
    if (kycCase === "erased") return "erased";
    if (!kycCase) throw new Error(`no case ${input.caseId}`);
    if (!input.mayCapture(kycCase.status)) return "not_editable";
    const [existing] = await tx
      .select()
      .from(vendorVerifications)
      .where(eq(vendorVerifications.caseId, input.caseId))
      .for("update");
    const restart =
      existing !== undefined &&
      input.restartIf(
        existing,
        await tx
          .select()
          .from(caseEvents)
          .where(eq(caseEvents.caseId, input.caseId))
          .orderBy(asc(caseEvents.id)),
      );
    if (
      !restart &&
      existing?.sessionReference === input.sessionReference &&
      existing.vendor === input.vendor
    )
      return "recorded";
    if (existing) await moveToHistory(tx, existing, input.now);
    const row = {
      caseId: input.caseId,
      vendor: input.vendor,
      round: kycCase.round + 1,
      sessionReference: input.sessionReference,
      verdictReference: null,
      status: "started" as const,
      verdict: null,
      startedAt: input.now,
      capturedAt: null,
      verdictAt: null,
    };
    // Two first starts at once: no row to lock yet, the later one's applicant stands.
    await tx
      .insert(vendorVerifications)
      .values(row)
      .onConflictDoUpdate({ target: vendorVerifications.caseId, set: row });
    await tx.insert(auditEvents).values({
      actorType: "trader",
      actorId: input.traderId,
      action: "vendor.started",
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data: { vendor: input.vendor, reference: input.sessionReference },
    });
    return "recorded";
  });
}

/**
 * In the transaction declining an upgrade (or an early renewal): the capture the approval in force
 * rests on — the latest made for a round up to `approvedRound` — is the case's again, and the
 * declined round's capture goes to the history. Nothing moves when the approved capture was never
 * replaced, nor when no replaced one qualifies and the capture in force started before the
 * upgrade opened (a row whose round the 0036 backfill set too high: kept under the approved
 * round). With none (the approved level had no vendor), the case is left with no capture in
 * force: a late verdict on the declined one then names an unknown reference, as any replaced
 * capture's does, and cannot hold an approval that does not rest on it. Answers the capture put
 * back or kept, if any.
 */
export async function restoreApprovedVendorCapture(
  tx: Tx,
  input: { caseId: string; approvedRound: number; now: Date },
): Promise<VendorVerificationRow | null> {
  const [current] = await tx
    .select()
    .from(vendorVerifications)
    .where(eq(vendorVerifications.caseId, input.caseId))
    .for("update");
  if (!current || current.round <= input.approvedRound) return null;
  const [approved] = await tx
    .select()
    .from(vendorVerificationHistory)
    .where(
      and(
        eq(vendorVerificationHistory.caseId, input.caseId),
        lte(vendorVerificationHistory.round, input.approvedRound),
      ),
    )
    .orderBy(desc(vendorVerificationHistory.round), desc(vendorVerificationHistory.id))
    .limit(1);
  if (!approved && (await startedBeforeOpening(tx, current))) {
    // Rows from before migration 0036 got a round counted from the submissions made before they
    // started, a declined upgrade's among them: one started before the upgrade (or renewal) now
    // declined opened is the approved round's capture, so it stays, under the approved round.
    const [kept] = await tx
      .update(vendorVerifications)
      .set({ round: input.approvedRound })
      .where(eq(vendorVerifications.caseId, input.caseId))
      .returning();
    return kept!;
  }
  await moveToHistory(tx, current, input.now);
  if (!approved) return null;
  await tx.delete(vendorVerificationHistory).where(eq(vendorVerificationHistory.id, approved.id));
  const [restored] = await tx
    .insert(vendorVerifications)
    .values({
      caseId: approved.caseId,
      vendor: approved.vendor,
      round: approved.round,
      sessionReference: approved.sessionReference,
      verdictReference: approved.verdictReference,
      status: approved.status,
      verdict: approved.verdict,
      startedAt: approved.startedAt,
      capturedAt: approved.capturedAt,
      verdictAt: approved.verdictAt,
    })
    .returning();
  return restored!;
}

/** The capture started before the case's latest upgrade or renewal opened (events read here). */
async function startedBeforeOpening(tx: Tx, capture: VendorVerificationRow): Promise<boolean> {
  const [opened] = await tx
    .select({ occurredAt: caseEvents.occurredAt })
    .from(caseEvents)
    .where(
      and(
        eq(caseEvents.caseId, capture.caseId),
        or(eq(caseEvents.event, "upgrade"), eq(caseEvents.event, "renew")),
      ),
    )
    .orderBy(desc(caseEvents.id))
    .limit(1);
  return opened !== undefined && capture.startedAt < opened.occurredAt;
}

/**
 * The trader finished the vendor's capture: the verdict will come under `verdictReference`.
 * `erased`: the purge erased the case meanwhile, nothing is written.
 */
export async function recordVendorCapture(input: {
  caseId: string;
  traderId: string;
  verdictReference: string;
  now: Date;
}): Promise<"recorded" | "erased"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if ((await lockCaseOf(tx, input.caseId)) === "erased") return "erased";
    const [updated] = await tx
      .update(vendorVerifications)
      .set({ verdictReference: input.verdictReference, status: "captured", capturedAt: input.now })
      .where(
        and(
          eq(vendorVerifications.caseId, input.caseId),
          eq(vendorVerifications.status, "started"),
        ),
      )
      .returning({ vendor: vendorVerifications.vendor });
    if (!updated) return "recorded";
    await tx.insert(auditEvents).values({
      actorType: "trader",
      actorId: input.traderId,
      action: "vendor.captured",
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data: { vendor: updated.vendor, reference: input.verdictReference },
    });
    return "recorded";
  });
}

/**
 * What a webhook's write did: `changed`, `unchanged` (a redelivery), `superseded` (the row no
 * longer names the reference: a new capture started since the webhook found it; nothing written),
 * or `erased` (the purge erased the case since the webhook found it; nothing written).
 */
export type VerdictWrite = "changed" | "unchanged" | "superseded" | "erased";

/** The locked row still names the webhook's reference (a restart replaces both references). */
const namesReference = (row: VendorVerificationRow, vendor: string, reference: string) =>
  row.vendor === vendor &&
  (row.verdictReference === reference || row.sessionReference === reference);

/** The capture a webhook's verdict goes to: the one in force, or a replaced one (`historyId`). */
type NamedCapture =
  | { row: VendorVerificationRow; historyId: null; replacedAt: null }
  | { row: VendorVerificationRow; historyId: number; replacedAt: Date };

/**
 * The capture the webhook's reference names, locked (after the case row: lockCaseOf): the case's
 * vendor row when it still names the reference; else the replaced capture the approval in force
 * rests on, when it is that one (an upgrade's or renewal's new capture replaced it, and a verdict
 * on it concerns the approval the trader holds). Null otherwise: a capture started over since the
 * webhook found it, or a replaced capture nothing rests on (declined, abandoned, an earlier
 * round's): its verdict must not complete the new row, nor hold anything.
 */
async function lockNamingRow(
  tx: Tx,
  input: { caseId: string; vendor: string; verdictReference: string },
): Promise<NamedCapture | "erased" | null> {
  const kycCase = await lockCaseOf(tx, input.caseId);
  if (kycCase === "erased") return "erased";
  const [row] = await tx
    .select()
    .from(vendorVerifications)
    .where(eq(vendorVerifications.caseId, input.caseId))
    .for("update");
  if (row && namesReference(row, input.vendor, input.verdictReference))
    return { row, historyId: null, replacedAt: null };
  if (!kycCase || !approvalInForce(kycCase)) return null;
  const approved = await replacedApprovedCapture(tx, input.caseId, row);
  return approved && namesReference(approved, input.vendor, input.verdictReference)
    ? { row: approved, historyId: approved.id, replacedAt: approved.replacedAt }
    : null;
}

/**
 * The replaced capture the approval in force rests on, locked: the latest made for a round up to
 * the approved one (as a decline restores it), when the capture in force is a later round's.
 * The approved round is read from the case's events under the case row's lock.
 */
async function replacedApprovedCapture(
  tx: Tx,
  caseId: string,
  current: VendorVerificationRow | undefined,
): Promise<VendorVerificationHistoryRow | null> {
  const events = await tx
    .select({ event: caseEvents.event })
    .from(caseEvents)
    .where(eq(caseEvents.caseId, caseId))
    .orderBy(asc(caseEvents.id));
  const approvedRound = approvedRoundOf(events);
  if (approvedRound === null || (current && current.round <= approvedRound)) return null;
  const [approved] = await tx
    .select()
    .from(vendorVerificationHistory)
    .where(
      and(
        eq(vendorVerificationHistory.caseId, caseId),
        lte(vendorVerificationHistory.round, approvedRound),
      ),
    )
    .orderBy(desc(vendorVerificationHistory.round), desc(vendorVerificationHistory.id))
    .limit(1)
    .for("update");
  return approved ?? null;
}

/**
 * Stores a final verdict of the capture the row still names (else `superseded`, nothing written).
 * The same verdict again (a webhook delivered twice) changes nothing and answers `unchanged`; a
 * different one replaces it, moves `verdict_at` and is audited; the verdict it replaces is kept in
 * the history (the evidence a decision was given on is never lost). A verdict on the replaced
 * capture the approval in force rests on (lockNamingRow) is stored on its history row: evidence,
 * and a concern like any verdict on the approved capture, but not the checks' input of the new
 * round. With `concern` (the task's evidence and the event for the broker's systems), a case whose
 * approval is in force gets an open `vendor_verdict` review task and that outbox event in the same
 * transaction, audited; the case row is locked so an approval cannot slip in between. That is an
 * approved case, or one with an upgrade (or early renewal) open when the verdict is about the
 * capture made before it (`concern.ofApprovedCapture`): the capture the approval in force rests on.
 * On a case in any other state the verdict is only stored: an open case's checks run again (an
 * upgrade's own capture included), a closed one grants nothing to hold.
 */
export async function recordVendorVerdict(input: {
  caseId: string;
  vendor: string;
  verdictReference: string;
  verdict: Record<string, unknown>;
  outcome: string;
  concern?: LateConcern;
  now: Date;
}): Promise<VerdictWrite> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const named = await lockNamingRow(tx, input);
    if (named === "erased") return "erased";
    if (!named) return "superseded";
    const { row, historyId } = named;
    // jsonb keeps its own key order: compare values, not text.
    if (row.verdict && isDeepStrictEqual(row.verdict, input.verdict)) return "unchanged";
    const completed = {
      verdict: input.verdict,
      verdictReference: input.verdictReference,
      status: "completed" as const,
      capturedAt: row.capturedAt ?? input.now,
      verdictAt: input.now,
    };
    if (historyId === null) {
      // The verdict replaced may be the one an approval was given on (Sumsub's one applicant per
      // case re-reviewed after a decline put the approved capture back): it is kept, as a replaced
      // capture's is, before the new one takes its place.
      if (row.verdict)
        await tx.insert(vendorVerificationHistory).values({ ...row, replacedAt: input.now });
      await tx
        .update(vendorVerifications)
        .set(completed)
        .where(eq(vendorVerifications.caseId, input.caseId));
    } else if (row.verdict) {
      // Likewise on a replaced capture: the earlier verdict's row stays, and the new verdict is a
      // later row of the same capture (the latest is the one the approval rests on).
      await tx.insert(vendorVerificationHistory).values({
        caseId: row.caseId,
        round: row.round,
        vendor: row.vendor,
        sessionReference: row.sessionReference,
        startedAt: row.startedAt,
        replacedAt: named.replacedAt,
        ...completed,
      });
    } else
      await tx
        .update(vendorVerificationHistory)
        .set(completed)
        .where(eq(vendorVerificationHistory.id, historyId));
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: row.vendor,
      action: "vendor.verdict",
      caseId: input.caseId,
      occurredAt: input.now,
      data: {
        vendor: row.vendor,
        reference: input.verdictReference,
        outcome: input.outcome,
        ...(historyId !== null && { replacedCapture: true, round: row.round }),
      },
    });
    if (input.concern) await openLateVerdictTask(tx, row, input.concern, input.now);
    return "changed";
  });
}

/**
 * The vendor's webhook said the verdict under `verdictReference` is final, but its API answers
 * that the reference does not exist: a vendor-side inconsistency (a deleted check, another
 * account's region). Recorded as `completed` with no verdict, `verdict_at` moved so an open
 * case's checks run again and warn that the verdict could not be fetched; audited as
 * `vendor.verdict_unavailable`. A verdict already held stays (the evidence we fetched earlier),
 * audited once per reference; the same answer again changes nothing and answers `unchanged`.
 * Nothing is written when the row no longer names the reference (`superseded`). No review task:
 * a vendor that cannot find its own check says nothing new about the trader.
 */
export async function recordVendorVerdictUnavailable(input: {
  caseId: string;
  vendor: string;
  verdictReference: string;
  now: Date;
}): Promise<VerdictWrite> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const named = await lockNamingRow(tx, input);
    if (named === "erased") return "erased";
    // A replaced capture keeps the verdict it was given on: the vendor's loss of it adds nothing.
    if (!named || named.historyId !== null) return "superseded";
    const { row } = named;
    const alreadyUnavailable =
      row.status === "completed" &&
      row.verdict === null &&
      row.verdictReference === input.verdictReference;
    if (alreadyUnavailable) return "unchanged";
    // A verdict kept: nothing changes on the row, so the redelivery is told apart by the audit
    // line the first delivery for this reference wrote.
    if (row.verdict) {
      const [audited] = await tx
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.caseId, input.caseId),
            eq(auditEvents.action, "vendor.verdict_unavailable"),
            sql`${auditEvents.data}->>'reference' = ${input.verdictReference}`,
          ),
        )
        .limit(1);
      if (audited) return "unchanged";
    }
    if (!row.verdict)
      await tx
        .update(vendorVerifications)
        .set({
          verdictReference: input.verdictReference,
          status: "completed",
          capturedAt: row.capturedAt ?? input.now,
          verdictAt: input.now,
        })
        .where(eq(vendorVerifications.caseId, input.caseId));
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: row.vendor,
      action: "vendor.verdict_unavailable",
      caseId: input.caseId,
      occurredAt: input.now,
      data: {
        vendor: row.vendor,
        reference: input.verdictReference,
        verdictKept: row.verdict !== null,
      },
    });
    return "changed";
  });
}

type LateConcern = {
  data: Record<string, unknown>;
  outbox: OutboxBuilder;
  /**
   * Whether the verdict is about a capture made before the case last asked for its identity
   * again, judged on the case's events read under the case row's lock (an upgrade committed
   * after the webhook arrived still counts).
   */
  ofApprovedCapture: (capture: VendorVerificationRow, events: CaseEventRow[]) => boolean;
};

async function openLateVerdictTask(
  tx: Tx,
  capture: VendorVerificationRow,
  { data, outbox, ofApprovedCapture }: LateConcern,
  now: Date,
): Promise<void> {
  const { caseId, vendor } = capture;
  const kycCase = await lockCase(tx, caseId);
  if (!kycCase || !approvalInForce(kycCase)) return;
  if (kycCase.status !== "approved") {
    const events = await tx
      .select()
      .from(caseEvents)
      .where(eq(caseEvents.caseId, caseId))
      .orderBy(asc(caseEvents.id));
    if (!ofApprovedCapture(capture, events)) return;
  }
  // A newer verdict replaces the evidence of a task still open: one task per case and kind.
  const [updated] = await tx
    .update(reviewTasks)
    .set({ data })
    .where(
      and(
        eq(reviewTasks.caseId, caseId),
        eq(reviewTasks.kind, VENDOR_VERDICT_TASK),
        isNull(reviewTasks.closedAt),
      ),
    )
    .returning({ id: reviewTasks.id });
  const [task] = updated
    ? [updated]
    : await tx
        .insert(reviewTasks)
        .values({ caseId, kind: VENDOR_VERDICT_TASK, data, openedAt: now })
        .returning({ id: reviewTasks.id });
  await tx.insert(auditEvents).values({
    actorType: "system",
    actorId: vendor,
    action: "case.vendor_verdict_after_decision",
    caseId,
    traderId: kycCase.traderId,
    occurredAt: now,
    data: { taskId: task!.id, vendor, outcome: data.outcome ?? null },
  });
  await insertCaseOutboxEvent(tx, kycCase, outbox, now);
}

/**
 * An approver keeps the approval after looking at the vendor's verdict: the open `vendor_verdict`
 * task closes (`kept`), with a `vendor_verdict` decision carrying the note (the case's history),
 * the audit line and the event that lifts the hold, in one transaction on the locked case row.
 * `none` when no approval is in force (an open upgrade leaves it in force) or no such task is open
 * (someone decided meanwhile); `changed` when the open task is not the one the approver read, or
 * its data is not as read: a newer verdict replaces the data of a task still open
 * (openLateVerdictTask, under the same lock), and keeping the approval on a verdict nobody looked
 * at would lift the hold on it. `asRead` null (a form that does not say what it showed) matches no
 * task.
 */
export async function closeVendorVerdictTask(input: {
  caseId: string;
  staffId: string;
  internalNote: string;
  asRead: { taskId: string; fingerprint: string } | null;
  outbox: OutboxBuilder;
  now: Date;
}): Promise<{ taskId: string } | "none" | "changed"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const kycCase = await lockCase(tx, input.caseId);
    const [task] = await tx
      .select({ ...getTableColumns(reviewTasks), fingerprint: taskFingerprint })
      .from(reviewTasks)
      .where(
        and(
          eq(reviewTasks.caseId, input.caseId),
          eq(reviewTasks.kind, VENDOR_VERDICT_TASK),
          isNull(reviewTasks.closedAt),
        ),
      );
    if (!kycCase || !approvalInForce(kycCase) || !task) return "none";
    const { asRead } = input;
    if (!asRead || task.id !== asRead.taskId || task.fingerprint !== asRead.fingerprint)
      return "changed";
    // Read with the schema lib/vendors wrote it with, as the console reads it.
    const stored = lateVerdictTaskData.safeParse(task.data);
    const data = {
      taskId: task.id,
      resolution: "kept" as const,
      vendor: stored.success ? stored.data.vendor : null,
      outcome: stored.success ? stored.data.outcome : null,
    };
    await insertDecisionIn(tx, {
      caseId: input.caseId,
      staffId: input.staffId,
      decision: VENDOR_VERDICT_TASK,
      internalNote: input.internalNote,
      data,
      now: input.now,
      audit: {
        actorType: "staff",
        actorId: input.staffId,
        action: "case.approval_kept",
        caseId: input.caseId,
        traderId: kycCase.traderId,
        occurredAt: input.now,
        data,
      },
    });
    const closed = await closeReviewTask({
      caseId: input.caseId,
      kind: VENDOR_VERDICT_TASK,
      staffId: input.staffId,
      resolution: "kept",
      now: input.now,
      outbox: input.outbox,
      asRead,
      tx,
    });
    // Read above under the same lock, so it closes; should it not, nothing of this is kept.
    if (!closed) throw new Error("the vendor verdict task read under the case lock did not close");
    return { taskId: task.id };
  });
}
