/**
 * outbox_events — one row per fact the outside world must hear about (today: a case status
 * change), written in the same transaction as the change itself (transactional outbox).
 *
 * Invariants:
 * - Inserted only inside the transaction that makes the change (lib/db/queries/cases.ts
 *   `applyCaseTransition` → lib/db/queries/outbox.ts): there is no event without its change and no
 *   change without its event.
 * - `id` is the Standard Webhooks `webhook-id`: every delivery attempt of this event, to every
 *   destination, carries it, so a receiver deduplicates on it.
 * - `payload` is the versioned document of lib/delivery/payload.ts, frozen at the time of the
 *   change: replays send what was true then. Identifiers only, never document contents.
 * - Never updated; each destination's progress lives in `deliveries`.
 */
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: uuid("id").primaryKey(),
    type: text("type").notNull(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("outbox_events_case_idx").on(t.caseId, t.createdAt)],
);

export type OutboxEventRow = typeof outboxEvents.$inferSelect;
