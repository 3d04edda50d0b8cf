/**
 * Periodic review (re-KYC by risk): an approved case whose last review lies more than
 * PERIODIC_REVIEW_MONTHS_<RISK> months back gets a `periodic_review` task in the console queue,
 * with what changed since that review: the case's timeline, the screening lists updated and the
 * documents uploaded since. The last review is the latest approval (a renewal's included) or the
 * latest closed periodic review task. Run by the housekeeping sweep with the clock passed in.
 */
import { z } from "zod";
import {
  listCasesDueForPeriodicReview,
  loadChangesSince,
  openPeriodicReviewTask,
} from "@/lib/db/queries/periodic-review";
import type { ReviewTask } from "@/lib/db/schema";
import { log } from "@/lib/log";

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
