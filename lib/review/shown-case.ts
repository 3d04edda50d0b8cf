/**
 * The case as the officer's page showed it when they decided. The case page writes the case's
 * event sequence (`kyc_cases.event_seq`: it moves with every status change, re-screening hit
 * (on an approval in force or on a case still open), vendor verdict and renewal notice, not with
 * a launch from another trading account) into every action form
 * (app/admin/cases/[id]/_sections/case-fields.tsx), and the decisions read it back with this
 * schema: a decision applies to the case the officer saw, or is refused as `changed`
 * (lib/review/decisions.ts).
 */
import { z } from "zod";
import type { KycCase } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";

export const SHOWN_FIELD = "shownSeq";

export const shownCaseSchema = z.object({ eventSeq: z.coerce.number().int().min(0) });

export type ShownCase = z.infer<typeof shownCaseSchema>;

/** The form's field as the page wrote it; undefined for a form without it (forged, stale). */
export function shownCaseOf(read: (name: string) => unknown): ShownCase | undefined {
  const parsed = shownCaseSchema.safeParse({ eventSeq: read(SHOWN_FIELD) ?? undefined });
  return parsed.success ? parsed.data : undefined;
}

/**
 * Anything that happened to the case since the page read it: the trader answered, a colleague
 * asked, decided or took the case back into review, a re-screening hit, an upgrade begun on an
 * approval. The page showed another case than the one there is now.
 */
export function mustBeAsShown(kycCase: KycCase, shown: ShownCase | undefined): void {
  if (!shown || kycCase.eventSeq !== shown.eventSeq)
    throw new AppError("CONFLICT", "the case changed after the page showed it; reload", {
      reason: "changed",
    });
}
