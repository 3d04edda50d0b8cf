/**
 * Re-verification when the identity document expires. A scheduled sweep (the worker's
 * housekeeping and the cron route, with the clock passed in) marks an approved case "renewal
 * due" RENEWAL_NOTICE_DAYS before the document's expiry date (a `case.renewal_due` event; the
 * case stays approved and the document stays valid) and expires it on that date (`expire`, a
 * status change like any other). The trader renews on the same case: `renew` reopens only the
 * identity document step and its upload, the submit runs the automated checks again, and the
 * decision approves the case anew with the new document's expiry.
 *
 * Dates are UTC calendar days: a document "expiring on 2027-06-01" expires at 00:00 UTC that day.
 */
import { z } from "zod";
import { getCaseById } from "@/lib/db/queries/cases";
import type { OutboxBuilder } from "@/lib/db/queries/cases";
import { listApprovedCasesExpiringBy, markRenewalDue } from "@/lib/db/queries/renewal";
import { closePeriodicReviewOnExpiry } from "@/lib/db/queries/periodic-review";
import type { CaseEventRow, KycCase } from "@/lib/db/schema";
import { buildRenewalDue, CASE_RENEWAL_DUE } from "@/lib/delivery/payload";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { expireData, renewalDueData, renewData } from "./case-event-data";
import { changeCaseStatus } from "./cases";
import type { StepDraft } from "./drafts";

const DAY_MS = 86_400_000;
/** Cases per sweep and kind: a backlog drains over a few sweeps instead of one long one. */
const SWEEP_LIMIT = 100;

/** What a renewal reopens: the identity document's fields and a fresh upload of it. */
export const RENEWAL_ITEMS = [
  { kind: "step", step: "identity_document" },
  { kind: "document", documentType: "identity" },
] as const;
export const RENEWAL_REASON = "document_expiry";

function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The expiry date a submit freezes with the case: the identity step's, when the level has it. */
export function documentExpiryOf(drafts: {
  identity_document?: Pick<StepDraft, "data">;
}): string | null {
  const parsed = z.object({ expiryDate: z.iso.date() }).safeParse(drafts.identity_document?.data);
  return parsed.success ? parsed.data.expiryDate : null;
}

export type ExpirySweep = { noticed: number; expired: number };

/**
 * One sweep: first the cases whose document has expired (a case due for both in the same sweep
 * only expires), then the renewal notices. Each case moves in its own transaction; one that
 * changed meanwhile (renewed, revoked, a concurrent sweep) is left as it is.
 */
export async function runDocumentExpiry(now: Date, noticeDays: number): Promise<ExpirySweep> {
  let expired = 0;
  const today = utcDay(now);
  // A renewal the trader started and never submitted ends with the document it never replaced.
  const due = [
    ...(await listApprovedCasesExpiringBy(today, { limit: SWEEP_LIMIT, now })).map((c) => ({
      ...c,
      status: "approved" as const,
    })),
    ...(
      await listApprovedCasesExpiringBy(today, { renewalDrafts: true, limit: SWEEP_LIMIT, now })
    ).map((c) => ({ ...c, status: "draft" as const })),
  ];
  for (const kycCase of due) {
    try {
      await changeCaseStatus({
        kycCase: { id: kycCase.id, status: kycCase.status },
        event: "expire",
        actor: { type: "system", id: "renewal" },
        data: expireData.parse({
          reasonCode: RENEWAL_REASON,
          documentExpiresOn: kycCase.documentExpiresOn,
        }),
        // A periodic review of an approval no longer in force has nothing left to review: left
        // open, it would wait in the queue with "Review completed" refused until a renewal's
        // approval. Closed with the expiry, audited with the resolution saying why.
        alsoInTransaction: (tx, moved) => closePeriodicReviewOnExpiry(tx, moved, now),
        now,
      });
      expired++;
    } catch (error) {
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
    }
  }
  let noticed = 0;
  const noticeBy = utcDay(new Date(now.getTime() + noticeDays * DAY_MS));
  for (const due of await listApprovedCasesExpiringBy(noticeBy, {
    withoutNotice: true,
    limit: SWEEP_LIMIT,
    now,
  })) {
    const eventId = await sendRenewalNotice(due.id, due.documentExpiresOn, now);
    if (eventId) noticed++;
  }
  if (noticed || expired) log.info("renewal.sweep", { noticed, expired });
  return { noticed, expired };
}

function sendRenewalNotice(caseId: string, documentExpiresOn: string, now: Date) {
  return markRenewalDue({
    caseId,
    documentExpiresOn,
    now,
    outbox: renewalNoticeOutbox(documentExpiresOn, now),
  });
}

/**
 * The `case.renewal_due` event of a notice about `documentExpiresOn`. A reviewer who asks the
 * trader to re-verify (a periodic review's outcome) sends this same notice, so the trader renews
 * the same way and the approval stays in force meanwhile (lib/db/queries/periodic-review.ts).
 */
export function renewalNoticeOutbox(documentExpiresOn: string, now: Date): OutboxBuilder {
  return ({ eventId, sequence, moved, trader }) => ({
    type: CASE_RENEWAL_DUE,
    payload: buildRenewalDue({
      eventId,
      sequence,
      occurredAt: now,
      kycCase: moved,
      trader,
      documentExpiresOn,
    }),
    destinations: destinationIdsFor(CASE_RENEWAL_DUE),
  });
}

/** What the trader is told about the document's expiry, if anything. */
export type RenewalNotice = { state: "due" | "expired"; documentExpiresOn: string };

export function renewalNotice(
  kycCase: Pick<KycCase, "status" | "renewalDueAt" | "documentExpiresOn">,
): RenewalNotice | null {
  if (!kycCase.documentExpiresOn) return null;
  if (kycCase.status === "expired")
    return { state: "expired", documentExpiresOn: kycCase.documentExpiresOn };
  if (kycCase.status === "approved" && kycCase.renewalDueAt)
    return { state: "due", documentExpiresOn: kycCase.documentExpiresOn };
  return null;
}

/**
 * Why a renewal draft asks for a new identity document, in the notice's terms: the document it
 * replaces (the case keeps that date until the submit) and whether it has expired by `now`. Null
 * for any other request: a renewal has no reviewer's reason to translate, only this.
 */
export function renewalRequest(
  kycCase: Pick<KycCase, "status" | "documentExpiresOn">,
  request: { reasonCode?: string | null } | null,
  now = new Date(),
): RenewalNotice | null {
  if (kycCase.status !== "draft" || request?.reasonCode !== RENEWAL_REASON) return null;
  if (!kycCase.documentExpiresOn) return null;
  const expired = kycCase.documentExpiresOn <= utcDay(now);
  return { state: expired ? "expired" : "due", documentExpiresOn: kycCase.documentExpiresOn };
}

/**
 * The trader starts the renewal: back to a draft of the same case in which only the identity
 * document and its fields are open (lib/kyc/submission.ts reads the items from this event).
 * Only a case with a renewal notice or an expired one may renew; anything else is a conflict.
 */
export async function renewCase(
  kycCase: Pick<KycCase, "id">,
  traderId: string,
  now = new Date(),
): Promise<{ eventId: string }> {
  const current = await getCaseById(kycCase.id);
  if (!current || !renewalNotice(current))
    throw new AppError("CONFLICT", "this verification has nothing to renew");
  const { eventId } = await changeCaseStatus({
    kycCase: current,
    event: "renew",
    actor: { type: "trader", id: traderId },
    data: renewData.parse({ items: RENEWAL_ITEMS, reasonCode: RENEWAL_REASON }),
    now,
  });
  return { eventId };
}

/**
 * The latest renewal notice in a case's timeline (`listCaseEvents`, in its order): the expiry
 * date it was about and when it went out (null: none). An early renewal only starts on a notice,
 * so this is the document the approval in force rests on.
 */
export function latestRenewalNotice(
  events: readonly Pick<CaseEventRow, "event" | "data" | "occurredAt">[],
): { documentExpiresOn: string; noticedAt: Date } | null {
  const notice = events.findLast((e) => e.event === "renewal_due");
  const parsed = renewalDueData.safeParse(notice?.data);
  return notice && parsed.success
    ? { documentExpiresOn: parsed.data.documentExpiresOn, noticedAt: notice.occurredAt }
    : null;
}
