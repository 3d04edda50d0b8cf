/**
 * What an approval counted, recorded when it commits: the `case.approved` audit entry's data
 * (lib/review/decisions.ts writes it, in the approval's transaction and at its time; the evidence
 * export reads it, lib/review/evidence.ts). Four eyes count signatures by rules that have changed
 * over time (a review taken back from the trader, a disabled account, a re-screening hit), and
 * accounts change after the fact (disabled, enabled again): deriving the signers later would
 * apply later rules and later account states to an approval of before.
 *
 * `signers` is absent on entries written before approvals recorded it: the export then derives
 * them (lib/db/queries/review.ts listApprovalSigners). An automatic approval (AUTO_APPROVE)
 * records that it was one (lib/checks/run.ts writes it); one from before that is known by its
 * timeline event's actor, the checks.
 */
import { z } from "zod";

export const APPROVED_AUDIT = "case.approved";

/** An approval by people: whose signatures it counted. */
const byStaff = z.strictObject({
  /** The staff ids whose signatures the approval counted, in signing order (its own last). */
  signers: z.array(z.uuid()).min(1).optional(),
});

/**
 * An approval by the automated checks (AUTO_APPROVE, lib/checks/run.ts): nobody signed it. Said
 * outright, so that no signers reads as "automatic", not as "from before signers were recorded".
 */
const automatic = z.strictObject({
  automatic: z.literal(true),
  /** The check run whose route approved the case. */
  runId: z.uuid(),
});

export const approvalAuditData = z.union([automatic, byStaff]);
export type ApprovalAuditData = z.infer<typeof approvalAuditData>;
