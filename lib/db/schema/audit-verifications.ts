/**
 * audit_verifications — each time the whole audit chain was verified (lib/audit/check.ts), as
 * `npm run audit:verify` does it: by the worker or the cron route on a schedule, or by an admin
 * ("Verify now" in the console, which also appends its own audit row).
 *
 * Invariants:
 * - A record of checks, not evidence: the chain in audit_events is the evidence, and whoever
 *   doubts a row here verifies again. Rows are only inserted.
 * - `ok` false names the problem and the first broken row (`broken_seq`/`broken_id`, null when
 *   the problem is not one row's, e.g. `unsigned`).
 * - `staff_id` is set for a manual verification, null for a scheduled one.
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
import { staffUsers } from "./staff";

export const auditVerifications = pgTable(
  "audit_verifications",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    verifiedAt: timestamp("verified_at", { withTimezone: true }).notNull().defaultNow(),
    trigger: text("trigger", { enum: ["scheduled", "manual"] }).notNull(),
    staffId: uuid("staff_id").references(() => staffUsers.id),
    ok: boolean("ok").notNull(),
    rows: integer("rows").notNull(),
    problem: text("problem"),
    brokenSeq: bigint("broken_seq", { mode: "number" }),
    brokenId: bigint("broken_id", { mode: "number" }),
    /** Whether signed heads were checked (a verification key was configured). */
    keysChecked: boolean("keys_checked").notNull(),
    signedHeads: integer("signed_heads").notNull().default(0),
  },
  (t) => [index("audit_verifications_time_idx").on(t.verifiedAt)],
);

export type AuditVerification = typeof auditVerifications.$inferSelect;
