/**
 * case_drafts — what the trader has entered for one step of one case, saved as they go.
 *
 * Invariants:
 * - One row per (case, step): saving again replaces it, so a double submit stores one record.
 * - `payload` is the step's values as JSON, encrypted (AES-256-GCM, case id as additional
 *   data; lib/security/encryption.ts): never personal data in plain text.
 * - `completed_at` is set when the step's values passed full validation; cleared when the
 *   trader saves an incomplete version again.
 * - `version` increases with every save (optimistic concurrency for later editors).
 * - `save_id` names the autosave that made the current version (the form's random id); null
 *   for any other write. A submit that stopped waiting for that autosave may go on over it.
 * - A declined upgrade or renewal replaces the case's rows with the answers of the round its
 *   approval decided (lib/kyc/upgrade.ts): what is here is never a declined round's change.
 */
import { integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const caseDrafts = pgTable(
  "case_drafts",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    payload: text("payload").notNull(),
    version: integer("version").notNull().default(1),
    saveId: text("save_id"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.step] })],
);

export type CaseDraft = typeof caseDrafts.$inferSelect;
