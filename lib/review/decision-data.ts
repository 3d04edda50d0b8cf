/**
 * The `data` of a case decision (case_decisions.data), one schema per decision. Every writer goes
 * through `decisionRow`, which parses the data with its decision's schema before the row is
 * inserted (lib/db/queries/cases.ts with a status change, lib/db/queries/review.ts without one);
 * the readers are the dashboard (screening verdicts, lib/review/screening-verdict.ts), the
 * subject-access copy (its key lists are the schemas' keys, lib/retention/exported-data.ts) and
 * the scenario world, which reads every decision its flows stored against this map.
 *
 * Who decided is the row's staff id and an officer's reason its internal note: neither is data.
 */
import { z } from "zod";
import type { MONITORING_TASK, VENDOR_VERDICT_TASK } from "@/lib/db/queries/hold-tasks";
import type { PERIODIC_REVIEW_TASK } from "@/lib/db/queries/periodic-review";
import { requestActionData } from "@/lib/kyc/case-event-data";
import { lateVerdictTaskData } from "@/lib/vendors/verdict";
import { screeningVerdictData } from "./screening-verdict";

/** A signature, or a reopening (the admin's reason is the internal note): no data. */
const noData = z.strictObject({});

/**
 * A rejection as decided: `retry` or `final` (final also when the retry limit was reached, or
 * when an approval was taken back), or a declined upgrade or renewal. The reason is the row's own
 * column, the items the event's data.
 */
export const rejectDecisionData = z.strictObject({
  kind: z.enum(["retry", "final", "upgrade_declined", "renewal_declined"]),
  retryLimitReached: z.literal(true).optional(),
  revoked: z.literal(true).optional(),
});

/** A late vendor verdict's task closed with the approval kept: the task and the verdict. */
export const approvalKeptData = z.strictObject({
  taskId: z.string().min(1),
  resolution: z.literal("kept"),
  /** Null when the task's own data did not read: the decision is still recorded. */
  vendor: lateVerdictTaskData.shape.vendor.nullable(),
  outcome: lateVerdictTaskData.shape.outcome.nullable(),
});

/**
 * A monitoring task whose own record of its hits does not read, closed by an approver once every
 * screening hit of the case was cleared (lib/review/screening-hits.ts): the task, and the hits
 * that were cleared when it closed. The approver's reason is the internal note.
 */
export const monitoringTaskClosedData = z.strictObject({
  taskId: z.string().min(1),
  resolution: z.literal("closed_unreadable"),
  clearedHits: z.array(z.string().min(1)).min(1),
});

/**
 * What a reviewer concludes from a periodic review: nothing changes; the trader re-verifies their
 * identity document; or the risk level goes up.
 */
export const PERIODIC_REVIEW_OUTCOMES = [
  "no_change",
  "renewal",
  "risk_medium",
  "risk_high",
] as const;

/** A periodic review closed by a reviewer: the task, the outcome and a raised risk level. */
export const periodicReviewCompletedData = z.strictObject({
  taskId: z.string().min(1),
  outcome: z.enum(PERIODIC_REVIEW_OUTCOMES),
  riskLevel: z.enum(["medium", "high"]).optional(),
});
export type PeriodicReviewCompleted = z.infer<typeof periodicReviewCompletedData>;

export const CASE_DECISION_DATA = {
  approve: noData,
  reject: rejectDecisionData,
  request_action: requestActionData,
  reopen: noData,
  screening_false_positive: screeningVerdictData,
  screening_confirmed: screeningVerdictData,
  vendor_verdict: approvalKeptData,
  periodic_review: periodicReviewCompletedData,
  monitoring_hit: monitoringTaskClosedData,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>> &
  Record<
    typeof VENDOR_VERDICT_TASK | typeof PERIODIC_REVIEW_TASK | typeof MONITORING_TASK,
    z.ZodType
  >;

export type CaseDecisionKind = keyof typeof CASE_DECISION_DATA;

/** One decision as its writer gives it: the decision and data its schema accepts. */
export type DecisionData = {
  [D in CaseDecisionKind]: { decision: D } & (z.input<
    (typeof CASE_DECISION_DATA)[D]
  > extends Record<string, never>
    ? { data?: Record<string, never> }
    : { data: z.input<(typeof CASE_DECISION_DATA)[D]> });
}[CaseDecisionKind];

/** The decision and its data as stored: parsed with the decision's schema (throws if it fails). */
export function decisionRow<T extends DecisionData>(
  input: T,
): Omit<T, "data"> & { data: Record<string, unknown> } {
  const { data, ...rest } = input;
  const schema: z.ZodType<Record<string, unknown>> = CASE_DECISION_DATA[input.decision];
  return { ...rest, data: schema.parse(data ?? {}) };
}
