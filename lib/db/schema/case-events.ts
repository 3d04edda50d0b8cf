/**
 * case_events — the timeline of a case: every status change, in order, with who made it.
 *
 * Invariants:
 * - Written in the same transaction as the status change it records (lib/db/queries/cases.ts
 *   `applyCaseTransition`): there is no status change without its event and no event without
 *   its change.
 * - `from_status` → `to_status` is a legal move of the state machine in lib/kyc/case-state.ts.
 * - `message_for_trader` is shown on the status screen; `data` holds evidence, never secrets.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { caseStatus, kycCases } from "./kyc-cases";

/**
 * A timeline row that moved the case: not a notice recorded on it (a renewal's, a periodic
 * review closed), which keeps the status it found and would otherwise read as a later decision
 * (lib/kyc/case-state.ts isMove). The columns of `case_events` or of an alias of it.
 */
export const movedCase = (t: { fromStatus: AnyPgColumn; toStatus: AnyPgColumn }) =>
  sql`${t.fromStatus} <> ${t.toStatus}`;

export const caseEvents = pgTable(
  "case_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    event: text("event").notNull(),
    fromStatus: caseStatus("from_status").notNull(),
    toStatus: caseStatus("to_status").notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    messageForTrader: text("message_for_trader"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("case_events_case_idx").on(t.caseId, t.occurredAt),
    // The dashboard's outcomes of a period (lib/db/queries/dashboard.ts countOutcomesIn).
    index("case_events_outcome_idx")
      .on(t.occurredAt)
      .where(sql`${t.toStatus} in ('approved', 'rejected', 'action_required') and ${movedCase(t)}`),
  ],
);

export type CaseEventRow = typeof caseEvents.$inferSelect;
