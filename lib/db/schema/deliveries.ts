/**
 * deliveries — one row per outbox event × destination (a webhook endpoint, the cTrader account
 * adapter, the trader's email; the live status stream later): where that event stands for that
 * receiver.
 *
 * Legal states: pending → delivered | dead; dead → pending (replay); delivered → pending
 * (replay of one event); dead → delivered only when the dead letter was `never_finished` and
 * that schedule's send answers with a success after all (the event did arrive).
 *
 * Invariants:
 * - Unique (event_id, destination): an event reaches each destination through one row.
 * - Created in the same transaction as its event, for every destination configured then.
 * - A worker claims a due row (`pending`, `next_attempt_at <= now`, no live lease) with
 *   `FOR UPDATE SKIP LOCKED` and sets `locked_until` (the lease): a crashed worker's claims are
 *   retried once the lease runs out, and several workers never claim the same row at once.
 *   A claim its lease no longer leaves room to send is given back unsent (`locked_until` null).
 * - A claim moves `next_attempt_at` to the retry its attempt would get on failure (a recorded
 *   outcome overrides it, a claim given back puts it back): a claim that never finishes comes due
 *   again on the schedule. `locked_until` set and in the past means the last claim never finished.
 * - `attempts` counts the attempts of the current schedule (reset by a replay, which also resets
 *   `schedule_started_at`); `total_attempts` numbers `delivery_attempts` and never goes down,
 *   except that a claim given back unsent takes back the one it added (no attempt has that number).
 * - `delivered` has `delivered_at`; `dead` means the retry schedule (≥ 72 h) ran out, its last
 *   attempt failed or never finished (`never_finished` in the attempt log), or a sender said no
 *   for good.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { outboxEvents } from "./outbox-events";

export const deliveryStatus = pgEnum("delivery_status", ["pending", "delivered", "dead"]);

export const deliveries = pgTable(
  "deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => outboxEvents.id, { onDelete: "restrict" }),
    destination: text("destination").notNull(),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    totalAttempts: integer("total_attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    scheduleStartedAt: timestamp("schedule_started_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("deliveries_event_destination_uq").on(t.eventId, t.destination),
    // The claim query: due pending rows in order. Partial, so delivered history does not bloat it.
    index("deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("deliveries_dead_idx")
      .on(t.destination)
      .where(sql`${t.status} = 'dead'`),
  ],
);

export type DeliveryRow = typeof deliveries.$inferSelect;
export type DeliveryStatus = (typeof deliveryStatus.enumValues)[number];
