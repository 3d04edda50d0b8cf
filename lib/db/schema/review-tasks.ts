/**
 * review_tasks — work for a person on a case that is not a status change: a monitoring hit
 * (a re-screening found a new likely match for an approved trader), a periodic review, or a
 * vendor's concerning verdict that arrived after the approval (`vendor_verdict`, opened with the
 * verdict in lib/db/queries/vendors.ts; evidence: lib/vendors/verdict.ts `lateVerdictTaskData`).
 *
 * Invariants:
 * - At most one open task per (case, kind): a partial unique index where closed_at is null.
 * - Opened in the transaction that found the reason (lib/db/queries/checks.ts recordRescreenRun),
 *   with its outbox event; closed with `resolution` (cleared: every likely hit was judged a false
 *   positive by two people; revoked: the approval was taken back; closed_unreadable: the task's
 *   data did not read and an approver closed it once its hits were cleared, with a
 *   `monitoring_hit` decision) and the outbox event of that.
 *   A periodic review task closes as `revoked` with a withdrawn approval too, and without a
 *   reviewer (`closed_by` null, resolution `relationship_ended`) when the trader's business
 *   relationship ends.
 * - `data` is the task's evidence, one zod schema per kind used by its writer and its readers
 *   (monitoring: lib/checks/monitoring-task.ts `monitoringTaskData`, the runs and the hits).
 * - While a monitoring task is open the trader's account gets the `monitoring_hit` access rights
 *   (CTRADER_ACCESS_RIGHTS), whatever the case's status says.
 */
import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { staffUsers } from "./staff";

export const reviewTasks = pgTable(
  "review_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    kind: text("kind").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: uuid("closed_by").references(() => staffUsers.id, { onDelete: "restrict" }),
    resolution: text("resolution"),
  },
  (t) => [
    uniqueIndex("review_tasks_one_open")
      .on(t.caseId, t.kind)
      .where(sql`${t.closedAt} is null`),
    index("review_tasks_case_idx").on(t.caseId, t.openedAt),
    // Housekeeping walks the open monitoring tasks oldest first (listClearedMonitoringTasks).
    index("review_tasks_open_monitoring_idx")
      .on(t.openedAt, t.id)
      .where(sql`${t.kind} = 'monitoring_hit' and ${t.closedAt} is null`),
  ],
);

export type ReviewTask = typeof reviewTasks.$inferSelect;
