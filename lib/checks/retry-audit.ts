/**
 * The audit row of an officer's "Run the checks now" (lib/review/decisions.ts retryChecks),
 * written by the run it started (lib/checks/run.ts) or the re-screening (./rescreen.ts) once
 * it is known what the retry did, never before.
 */
import { z } from "zod";
import type { AuditInput } from "@/lib/db/queries/audit";
import type { KycCase } from "@/lib/db/schema";

export const RETRY_REQUESTED = "checks.retry_requested";
export const retryRequestedData = z.object({
  round: z.number().int(),
  /** The round was screened again against the current lists, not checked (lib/checks/rescreen.ts). */
  rescreen: z.literal(true).optional(),
  /**
   * `recorded`: the runs in `runIds` are the retry's; `failed`: the run failed (the case shows
   * the error); `unscreened`: the answers could not be screened; `already_screened`: another
   * run screened the round on these lists first, and this one's result was not stored.
   */
  outcome: z.enum(["recorded", "failed", "unscreened", "already_screened"]),
  runIds: z.array(z.string()).optional(),
});

/** The audit row of an officer's retry, saying what it did. */
export function retryAudit(
  requestedBy: { staffId: string },
  kycCase: Pick<KycCase, "id" | "round">,
  data: Omit<z.infer<typeof retryRequestedData>, "round">,
  now: Date,
): AuditInput {
  return {
    actorType: "staff",
    actorId: requestedBy.staffId,
    action: RETRY_REQUESTED,
    caseId: kycCase.id,
    occurredAt: now,
    data: retryRequestedData.parse({ round: kycCase.round, ...data }),
  };
}
