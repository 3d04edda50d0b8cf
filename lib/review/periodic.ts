/**
 * Periodic review (re-KYC by risk): an approved case whose last review lies more than
 * PERIODIC_REVIEW_MONTHS_<RISK> months back gets a `periodic_review` task in the console queue,
 * with what changed since that review: the case's timeline, the screening lists updated and the
 * documents uploaded since. The last review is the latest approval (a renewal's included) or the
 * latest closed periodic review task. A trader whose relationship ended, and an erased case, are
 * never reviewed: there is no customer left to re-verify. Run by the housekeeping sweep with the
 * clock passed in.
 */
import { z } from "zod";
import { getCaseById } from "@/lib/db/queries/cases";
import { getOpenReviewTask } from "@/lib/db/queries/review";
import {
  closePeriodicReviewTask,
  listCasesDueForPeriodicReview,
  loadChangesSince,
  openPeriodicReviewTask,
  PERIODIC_REVIEW_TASK,
} from "@/lib/db/queries/periodic-review";
import type { ReviewTask } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError, type ReviewReason } from "@/lib/errors";
import { renewalNoticeOutbox } from "@/lib/kyc/renewal";
import { log } from "@/lib/log";
import { needsFourEyes, RISK_LEVELS, type RiskLevel } from "./risk";
import { PERIODIC_REVIEW_OUTCOMES } from "./decision-data";
import { mustBeAsShown, type ShownCase } from "./shown-case";
import type { Reviewer } from "./types";

export { PERIODIC_REVIEW_TASK } from "@/lib/db/queries/periodic-review";

const SWEEP_LIMIT = 100;

/** The task's evidence: written by the sweep, read by the case page. */
export const periodicReviewTaskData = z.strictObject({
  lastReviewAt: z.iso.datetime({ offset: true }),
  riskLevel: z.enum(["low", "medium", "high"]).nullable(),
  months: z.number().int().positive(),
  changes: z.strictObject({
    events: z.array(z.strictObject({ event: z.string(), at: z.iso.datetime({ offset: true }) })),
    lists: z.array(z.strictObject({ source: z.string(), at: z.iso.datetime({ offset: true }) })),
    documents: z.number().int().nonnegative(),
  }),
});
export type PeriodicReviewTaskData = z.infer<typeof periodicReviewTaskData>;

export type ReviewMonths = { low: number; medium: number; high: number };

function monthsFor(risk: string | null, months: ReviewMonths): number {
  return risk === "low" ? months.low : risk === "medium" ? months.medium : months.high;
}

export async function runPeriodicReviews(now: Date, months: ReviewMonths): Promise<number> {
  let opened = 0;
  for (const due of await listCasesDueForPeriodicReview({ now, months, limit: SWEEP_LIMIT })) {
    const changes = await loadChangesSince(due.caseId, due.lastReviewAt);
    const riskLevel = ["low", "medium", "high"].includes(due.riskLevel ?? "")
      ? (due.riskLevel as "low" | "medium" | "high")
      : null;
    const data = periodicReviewTaskData.parse({
      lastReviewAt: due.lastReviewAt.toISOString(),
      riskLevel,
      months: monthsFor(riskLevel, months),
      changes: {
        events: changes.events.map((e) => ({ event: e.event, at: e.at.toISOString() })),
        lists: changes.lists.map((l) => ({ source: l.source, at: l.at.toISOString() })),
        documents: changes.documents,
      },
    });
    if (await openPeriodicReviewTask({ caseId: due.caseId, traderId: due.traderId, now, data }))
      opened++;
  }
  if (opened) log.info("periodic_review.opened", { opened });
  return opened;
}

/** The open task as the case page shows it; a task whose data does not parse shows no details. */
export function periodicReviewView(task: ReviewTask | undefined) {
  if (!task) return null;
  const data = periodicReviewTaskData.safeParse(task.data);
  return { openedAt: task.openedAt, data: data.success ? data.data : null };
}

/**
 * What a reviewer concludes from a periodic review (lib/review/decision-data.ts): nothing
 * changes; the trader re-verifies their identity document (the renewal the document expiry uses:
 * a notice on the status screen and `case.renewal_due`, the approval in force meanwhile); or the
 * risk level goes up, so the next review comes sooner and, at the four-eyes level, the next
 * approval needs two people.
 */
export { PERIODIC_REVIEW_OUTCOMES };
export type PeriodicReviewOutcome = (typeof PERIODIC_REVIEW_OUTCOMES)[number];

const refuse = (code: "CONFLICT" | "BAD_REQUEST", reason: ReviewReason, message: string) =>
  new AppError(code, message, { reason });

/**
 * Closes the case's open periodic review task with the reviewer's outcome, audited. The closing
 * is the review: the next task falls due the risk level's months after it. A renewal needs an
 * approved case whose identity document has an expiry and no notice already out; the notice is
 * sent with the closing, in its transaction, so the review never records a renewal nobody was
 * asked for, nor leaves its task open after a notice went out. Only on the case the page showed
 * (`changed` otherwise), compared again on the locked case.
 */
export async function completePeriodicReview(
  staff: Reviewer,
  caseId: string,
  input: { outcome: string; note: string; shown: ShownCase | undefined },
  now = new Date(),
): Promise<void> {
  const parsed = z.enum(PERIODIC_REVIEW_OUTCOMES).safeParse(input.outcome);
  if (!parsed.success) throw refuse("BAD_REQUEST", "unknown_outcome", "no such review outcome");
  const outcome: PeriodicReviewOutcome = parsed.data;
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  // The case's own task first: on a case with none, nothing else is worth saying. A task left
  // open on a case reopened (renewal, upgrade) waits for its next approval; an expiry closes it.
  if (!(await getOpenReviewTask(caseId, PERIODIC_REVIEW_TASK)))
    throw refuse("CONFLICT", "no_review_task", "no periodic review task is open on this case");
  // The review concludes on the case the page showed: a monitoring hit or a renewal notice since
  // is not what the reviewer looked at.
  mustBeAsShown(kycCase, input.shown);
  if (kycCase.status !== "approved")
    throw refuse("CONFLICT", "review_not_approved", PERIODIC_REVIEW_REFUSALS.review_not_approved);
  let raised: RiskLevel | null = null;
  if (outcome === "risk_medium" || outcome === "risk_high") {
    raised = outcome === "risk_high" ? "high" : "medium";
    const current = RISK_LEVELS.indexOf((kycCase.riskLevel ?? "low") as RiskLevel);
    if (RISK_LEVELS.indexOf(raised) <= current)
      throw refuse("BAD_REQUEST", "risk_not_higher", PERIODIC_REVIEW_REFUSALS.risk_not_higher);
  }
  if (outcome === "renewal" && (!kycCase.documentExpiresOn || kycCase.renewalDueAt))
    throw refuse("CONFLICT", "nothing_to_renew", "no identity document to renew, or already asked");
  const note = input.note.trim().slice(0, 2000);
  const closed = await closePeriodicReviewTask({
    caseId,
    asShown: (locked) => mustBeAsShown(locked, input.shown),
    staffId: staff.id,
    outcome: outcome,
    riskLevel: raised
      ? { level: raised, fourEyesRequired: needsFourEyes(raised, env().review.fourEyesMinRisk) }
      : null,
    internalNote: note || null,
    renewal:
      outcome === "renewal"
        ? (documentExpiresOn: string) => renewalNoticeOutbox(documentExpiresOn, now)
        : null,
    now,
  });
  if ("refused" in closed)
    throw refuse(
      // The same answer as the first read's: the raise itself is what is refused.
      closed.refused === "risk_not_higher" ? "BAD_REQUEST" : "CONFLICT",
      closed.refused,
      PERIODIC_REVIEW_REFUSALS[closed.refused],
    );
}

const PERIODIC_REVIEW_REFUSALS = {
  no_review_task: "no periodic review task is open",
  risk_not_higher: "the risk level can only be raised here",
  review_not_approved: "the approval under review is not in force",
  nothing_to_renew: "no identity document to renew, or already asked",
} as const;
