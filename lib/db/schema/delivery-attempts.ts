/**
 * delivery_attempts — every attempt to deliver, successful or not: the delivery log the console
 * shows per case and destination, and the evidence that a receiver was (or was not) told.
 *
 * Invariants:
 * - Append-only in practice: one row per attempt, written after the attempt ends; a replay keeps
 *   the earlier rows. `attempt` is the delivery's `total_attempts` at claim time (a gap means a
 *   worker died mid-attempt and its lease ran out; when that was the schedule's last attempt, the
 *   row that dead-letters the delivery records it, `never_finished`).
 * - The one row ever rewritten: a `never_finished` row whose send answers after all (it outlived
 *   its lease, it was not dead). It says no outcome had come, and takes the outcome that came, a
 *   success or a failure, so the attempt keeps one row that says what happened; the audit line
 *   `delivery.delivered_after_never_finished` (or `delivery.failed_after_never_finished`) keeps
 *   when the delivery was shown dead as never finished.
 * - `http_status` is set when the receiver answered (for email, the SMTP reply code: 250, 550 …);
 *   otherwise `error_kind` says why not (timeout, network, refused_target, redirect, …). `error`
 *   is a short text, never a secret.
 */
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { deliveries } from "./deliveries";

export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: bigint("delivery_id", { mode: "number" })
      .notNull()
      .references(() => deliveries.id, { onDelete: "restrict" }),
    eventId: uuid("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    ok: boolean("ok").notNull(),
    httpStatus: integer("http_status"),
    errorKind: text("error_kind"),
    error: text("error"),
    /** What the sender decided beyond the outcome, e.g. "sent the current rights (NO_TRADING)". */
    note: text("note"),
  },
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId, t.id)],
);

export type DeliveryAttemptRow = typeof deliveryAttempts.$inferSelect;
