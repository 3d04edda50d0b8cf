/**
 * case_decisions — every reviewer decision on a case, with its evidence: who decided what, in
 * which review round, with which reason and messages.
 *
 * Invariants:
 * - Append-only in practice: only the retention purge touches a row, replacing its free text
 *   (`message_for_trader`, `internal_note`) with `erased`.
 * - `decision` and its `data`: one zod schema per decision (lib/review/decision-data.ts): approve
 *   (a signature for approval), reject, request_action, reopen, the screening verdicts, and the
 *   closing of a review task by a person (periodic_review, vendor_verdict, monitoring_hit). For a case with
 *   `four_eyes_required`, the approval takes effect only with two approve rows from two
 *   different staff members in the current round (after the latest start_review, and after the
 *   latest likely match a re-screening found: case_risk.rescreen_hit_at); the first one is the
 *   review, the second the co-signature. A trigger on case_events (migrations 0008, 0038)
 *   refuses the `approved` status otherwise, whatever the application does.
 * - `reason_code` is from the reason catalog (lib/review/reasons.ts); `message_for_trader` is
 *   shown to the trader; `internal_note` never is.
 */
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { staffUsers } from "./staff";

export const caseDecisions = pgTable(
  "case_decisions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "restrict" }),
    decision: text("decision").notNull(),
    reasonCode: text("reason_code"),
    messageForTrader: text("message_for_trader"),
    internalNote: text("internal_note"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("case_decisions_case_idx").on(t.caseId, t.createdAt)],
);
export type CaseDecision = typeof caseDecisions.$inferSelect;
