/**
 * Compliance staff: accounts, their console sessions and login attempts.
 *
 * Invariants:
 * - `staff_users.email` is stored lower-cased and unique; `password_hash` is scrypt
 *   (`scrypt$N$r$p$salt$hash`, lib/staff/passwords.ts), never a password.
 * - Roles: reviewer (reviews, asks for more, rejects, approves low-risk cases), approver (also
 *   co-signs high-risk approvals), admin (also manages staff and deliveries).
 * - `staff_sessions` hold the SHA-256 of the cookie value only, like trader sessions, and are
 *   entirely separate from them (another cookie, another table).
 * - `staff_login_attempts` keep hashes of the email and the client address, for throttling;
 *   rows older than a day are useless and may be purged.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const staffRole = pgEnum("staff_role", ["reviewer", "approver", "admin"]);
export type StaffRole = (typeof staffRole.enumValues)[number];

export const staffUsers = pgTable(
  "staff_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    role: staffRole("role").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("staff_users_email_unique").on(sql`lower(${t.email})`)],
);
export type StaffUser = typeof staffUsers.$inferSelect;

export const staffSessions = pgTable(
  "staff_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("staff_sessions_staff_idx").on(t.staffId)],
);
export type StaffSession = typeof staffSessions.$inferSelect;

export const staffLoginAttempts = pgTable(
  "staff_login_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    emailHash: text("email_hash").notNull(),
    clientHash: text("client_hash").notNull(),
    succeeded: boolean("succeeded").notNull(),
  },
  (t) => [
    index("staff_login_attempts_email_idx").on(t.emailHash, t.at),
    index("staff_login_attempts_client_idx").on(t.clientHash, t.at),
  ],
);
