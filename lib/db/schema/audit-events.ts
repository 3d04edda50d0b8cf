/**
 * audit_events — append-only record of what happened, by whom, to which case.
 *
 * Invariants:
 * - Append-only: a trigger (migration 0001) makes the database refuse UPDATE and DELETE, so
 *   neither a bug nor a compromised app role can rewrite history.
 * - `actor_type` is one of trader | staff | system | ctrader; `actor_id` is that actor's id
 *   (trader uuid, staff uuid, or a component name for system).
 * - `data` holds facts needed as evidence, never secrets or raw tokens.
 */
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

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
  },
  (t) => [
    index("audit_events_case_idx").on(t.caseId),
    index("audit_events_trader_idx").on(t.traderId),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
