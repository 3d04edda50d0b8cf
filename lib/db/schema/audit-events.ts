/**
 * audit_events — append-only record of what happened, by whom, to which case.
 *
 * Invariants:
 * - Append-only: a trigger (migration 0001) makes the database refuse UPDATE and DELETE, so
 *   neither a bug nor a compromised app role can rewrite history.
 * - `actor_type` is one of trader | staff | system | ctrader; `actor_id` is that actor's id
 *   (trader uuid, staff uuid, or a component name for system).
 * - `data` holds facts needed as evidence, never secrets or raw tokens.
 * - Hash chain (migration 0006): a trigger serialises appends, numbers them (`seq`, gap-free)
 *   and sets `hash` = SHA-256 over the previous row's hash and this row's content, so editing
 *   or deleting any row (even by a superuser who disables the triggers) breaks the chain from
 *   that row on. `npm run audit:verify` recomputes it and names the first broken row.
 */
import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    caseId: uuid("case_id"),
    traderId: uuid("trader_id"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    /** Set by the chain trigger; never by the application. */
    seq: bigint("seq", { mode: "number" }),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    // The console's audit log (lib/db/queries/audit-log.ts) filters by case, actor, action or
    // period and lists newest first: each filter has an index that also gives that order.
    // (id breaks ties in that order, so it ends each index.)
    index("audit_events_case_time_idx").on(t.caseId, t.occurredAt, t.id),
    index("audit_events_actor_time_idx").on(t.actorType, t.actorId, t.occurredAt, t.id),
    index("audit_events_time_idx").on(t.occurredAt, t.id),
    index("audit_events_trader_idx").on(t.traderId),
    index("audit_events_seq_idx").on(t.seq),
    // Counting recent events of one kind (the throttles, lib/db/queries/throttle.ts), and the
    // log's action filter.
    index("audit_events_action_time_idx").on(t.action, t.occurredAt, t.id),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
