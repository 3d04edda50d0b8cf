/**
 * The case as the officer's page showed it when they decided. The case page writes it into every
 * action form (app/admin/cases/[id]/_sections/case-fields.tsx) and the decisions read it back
 * with this schema: a decision applies to the round and stage the officer saw, or is refused as
 * `changed` (lib/review/decisions.ts).
 */
import { z } from "zod";
import type { CaseStatus, KycCase } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { REVIEWABLE_STATUSES } from "./controls";

export const SHOWN_FIELDS = { round: "shownRound", status: "shownStatus" } as const;

export const shownCaseSchema = z.object({
  round: z.coerce.number().int().min(0),
  status: z.enum(CASE_STATUSES),
});

export type ShownCase = { round: number; status: CaseStatus };

/** The form's fields as the page wrote them; undefined for a form without them (forged, stale). */
export function shownCaseOf(read: (name: string) => unknown): ShownCase | undefined {
  const parsed = shownCaseSchema.safeParse({
    round: read(SHOWN_FIELDS.round),
    status: read(SHOWN_FIELDS.status),
  });
  return parsed.success ? parsed.data : undefined;
}

/** Submitted, resubmitted and in review are one stage: a first action only starts the review. */
const stageOf = (status: CaseStatus) => (REVIEWABLE_STATUSES.has(status) ? "review" : status);

const changed = () =>
  new AppError("CONFLICT", "the case changed after the page showed it; reload", {
    reason: "changed",
  });

/**
 * A resubmission (a new round), an upgrade started on an approval, a colleague's request or
 * decision in between: the page showed another case than the one there is now.
 */
export function mustBeAsShown(kycCase: KycCase, shown: ShownCase | undefined): void {
  if (!shown || kycCase.round !== shown.round || stageOf(kycCase.status) !== stageOf(shown.status))
    throw changed();
}
