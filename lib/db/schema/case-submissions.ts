/**
 * case_submissions — what the trader sent in each submission round, frozen at the submit: the
 * answers of every step (encrypted like the drafts, case id as additional data) and the ids of
 * the documents that were current. A request for more information lets the trader change
 * answers; the earlier round stays here, so the evidence export shows what each decision saw.
 *
 * Invariants:
 * - One row per (case, round), written in the submit's (or resubmit's) transaction.
 * - Never updated or deleted by the application.
 */
import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const caseSubmissions = pgTable(
  "case_submissions",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    round: integer("round").notNull(),
    event: text("event").notNull(),
    payload: text("payload").notNull(),
    documentIds: jsonb("document_ids").$type<string[]>().notNull().default([]),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.round] })],
);

export type CaseSubmission = typeof caseSubmissions.$inferSelect;
