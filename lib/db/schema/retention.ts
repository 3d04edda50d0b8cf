/**
 * Retention (lib/retention): when the business relationship with a trader ended, which cases a
 * compliance admin put on legal hold, what the purge erased, and each erasure request.
 *
 * trader_relationships — one row per trader whose relationship ended (the broker CRM's API or a
 * console action). `ended_at` starts the retention clock of the trader's decided cases; a later
 * call moves it (the CRM corrects a date); `source` says who said so.
 *
 * case_retention — one row per case that has a hold or was purged:
 * - `legal_hold_at` set: the purge never touches the case (and an erasure request is refused
 *   naming the hold) until an admin lifts it (`legal_hold_at` null again).
 * - `purged_at` set: the case's personal data is gone and its key destroyed; `tombstone` keeps
 *   what stays provable (outcome, dates, hashes; lib/retention/tombstone.ts's schema). Never
 *   unset.
 *
 * erasure_requests — a data-subject erasure request and its answer: `executed` (the purge ran
 * at once), `refused` with the legal reason and the date the erasure will run (null: a hold,
 * no date), or `failed` (the storage could not carry it out; recorded again once it can). Rows
 * are never updated.
 */
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { staffUsers } from "./staff";
import { traders } from "./traders";

export const traderRelationships = pgTable("trader_relationships", {
  traderId: uuid("trader_id")
    .primaryKey()
    .references(() => traders.id, { onDelete: "restrict" }),
  endedAt: timestamp("ended_at", { withTimezone: true }).notNull(),
  source: text("source").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull(),
});

export const caseRetention = pgTable("case_retention", {
  caseId: uuid("case_id")
    .primaryKey()
    .references(() => kycCases.id, { onDelete: "restrict" }),
  legalHoldAt: timestamp("legal_hold_at", { withTimezone: true }),
  legalHoldBy: uuid("legal_hold_by").references(() => staffUsers.id, { onDelete: "set null" }),
  legalHoldReason: text("legal_hold_reason"),
  purgedAt: timestamp("purged_at", { withTimezone: true }),
  purgeRule: text("purge_rule"),
  tombstone: jsonb("tombstone").$type<Record<string, unknown>>(),
});

export const erasureRequests = pgTable(
  "erasure_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "restrict" }),
    requestedBy: uuid("requested_by").references(() => staffUsers.id, { onDelete: "set null" }),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    runsAt: timestamp("runs_at", { withTimezone: true }),
  },
  // Every case page reads a trader's requests (a failed erasure's files are no longer stored).
  (t) => [index("erasure_requests_trader_idx").on(t.traderId, t.requestedAt)],
);

export type TraderRelationship = typeof traderRelationships.$inferSelect;
export type CaseRetentionRow = typeof caseRetention.$inferSelect;
export type ErasureRequestRow = typeof erasureRequests.$inferSelect;
