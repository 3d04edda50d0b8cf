/**
 * Document expiry: which approved cases are due for a renewal notice or for expiry, and the
 * notice itself (its timeline entry, audit line and outbox event in one transaction).
 */
import { and, asc, eq, isNull, lte, not } from "drizzle-orm";
import { getDb } from "../client";
import { auditEvents, caseEvents, kycCases } from "../schema";
import { insertCaseOutboxEvent, type OutboxBuilder, type Tx } from "./cases";
import { underEndedRelationship } from "./ended-relationship";
import { renewalDueData } from "@/lib/kyc/case-event-data";
import { RENEWAL_DUE_EVENT } from "@/lib/kyc/case-state";

type DueCase = { id: string; documentExpiresOn: string };

/**
 * Approved cases whose identity document expires on or before `onOrBefore` (YYYY-MM-DD). With
 * `renewalDrafts`, instead: renewals started before the expiry and not submitted (a draft at the
 * level approved, the approval still in force), whose expiry is the approved document's. Never a
 * case under a relationship that ended by `now`: a former customer gets no notice and no expiry.
 */
export async function listApprovedCasesExpiringBy(
  onOrBefore: string,
  options: { withoutNotice?: boolean; renewalDrafts?: boolean; limit: number; now: Date },
): Promise<DueCase[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: kycCases.id, documentExpiresOn: kycCases.documentExpiresOn })
    .from(kycCases)
    .where(
      and(
        options.renewalDrafts
          ? and(eq(kycCases.status, "draft"), eq(kycCases.level, kycCases.approvedLevel))
          : eq(kycCases.status, "approved"),
        lte(kycCases.documentExpiresOn, onOrBefore),
        options.withoutNotice ? isNull(kycCases.renewalDueAt) : undefined,
        not(underEndedRelationship(kycCases, options.now)),
      ),
    )
    .orderBy(asc(kycCases.documentExpiresOn), asc(kycCases.id))
    .limit(options.limit);
  return rows.flatMap((r) =>
    r.documentExpiresOn ? [{ id: r.id, documentExpiresOn: r.documentExpiresOn }] : [],
  );
}

type RenewalDue = {
  caseId: string;
  documentExpiresOn: string;
  now: Date;
  outbox: OutboxBuilder;
};

/**
 * Marks an approved case "renewal due" once: the row must still be approved with no notice for
 * this document, so two sweeps racing write one notice. Returns the outbox event id, or null
 * when another sweep (or a status change) came first.
 */
export async function markRenewalDue(input: RenewalDue): Promise<string | null> {
  const db = await getDb();
  return db.transaction((tx) => markRenewalDueIn(tx, input));
}

/** markRenewalDue in the caller's transaction (a periodic review's renewal, with its closing). */
export async function markRenewalDueIn(tx: Tx, input: RenewalDue): Promise<string | null> {
  const [kycCase] = await tx
    .update(kycCases)
    .set({ renewalDueAt: input.now })
    .where(
      and(
        eq(kycCases.id, input.caseId),
        eq(kycCases.status, "approved"),
        eq(kycCases.documentExpiresOn, input.documentExpiresOn),
        isNull(kycCases.renewalDueAt),
      ),
    )
    .returning();
  if (!kycCase) return null;
  await tx.insert(caseEvents).values({
    caseId: kycCase.id,
    occurredAt: input.now,
    event: RENEWAL_DUE_EVENT,
    fromStatus: "approved",
    toStatus: "approved",
    actorType: "system",
    actorId: "renewal",
    data: renewalDueData.parse({ documentExpiresOn: input.documentExpiresOn }),
  });
  await tx.insert(auditEvents).values({
    actorType: "system",
    actorId: "renewal",
    action: "case.renewal_due",
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    occurredAt: input.now,
    data: { documentExpiresOn: input.documentExpiresOn },
  });
  return insertCaseOutboxEvent(tx, kycCase, input.outbox, input.now);
}

/**
 * What a submit froze of the identity document: its expiry (null when the level asks for none).
 * A new document starts a new notice cycle.
 */
export async function setCaseDocumentExpiry(
  tx: Tx,
  caseId: string,
  documentExpiresOn: string | null,
): Promise<void> {
  await tx
    .update(kycCases)
    .set({ documentExpiresOn, renewalDueAt: null })
    .where(eq(kycCases.id, caseId));
}

/**
 * A declined early renewal: the case rests on the document it was approved with again, so its
 * expiry and the notice already sent about it come back (no second notice is sent).
 */
export async function restoreRenewalNotice(
  tx: Tx,
  caseId: string,
  notice: { documentExpiresOn: string; noticedAt: Date },
): Promise<void> {
  await tx
    .update(kycCases)
    .set({ documentExpiresOn: notice.documentExpiresOn, renewalDueAt: notice.noticedAt })
    .where(eq(kycCases.id, caseId));
}
