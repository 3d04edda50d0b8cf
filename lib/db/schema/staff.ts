/**
 * Compliance staff: accounts, their console sessions and login attempts.
 *
 * Invariants:
 * - `staff_users.email` is stored lower-cased and unique; `password_hash` is scrypt
 *   (`scrypt$N$r$p$salt$hash`, lib/staff/passwords.ts), never a password.
 * - Roles: reviewer (reviews, asks for more, rejects, approves low-risk cases), approver (also
 *   co-signs high-risk approvals), admin (also manages staff and deliveries).
 * - `locale` is the console language the officer chose (a code of lib/i18n/config.ts LOCALES);
 *   null until they choose, when the browser's languages decide.
 * - `staff_sessions` hold the SHA-256 of the cookie value only, like trader sessions, and are
 *   entirely separate from them (another cookie, another table).
 * - A session has a stage: `full` is the console; `mfa` (password checked, waiting for the
 *   second factor) and `enrol` (password checked, the role needs a second factor the account does
 *   not have yet) grant nothing but the next login step, live 10 minutes and are replaced by a new
 *   `full` session (new cookie value) once the step is done. `enrol_secret` (encrypted) is the
 *   secret being enrolled, on the `enrol` session, or on a `full` one enrolling a new device from
 *   the account page. `mfa_failures` counts a half session's code attempts (or, on a `full`
 *   session, the current enrolment's), each taken (one conditional update) before its code is
 *   checked: once it reaches 5 no further code is checked, so parallel codes share those 5.
 * - Disabling an account, a password reset, a role change and a second-factor reset revoke every
 *   session of that person in the same transaction; enrolling a second factor from the account
 *   page revokes every other one.
 * - `password_set_by`: the admin who generated the current password (the console's reset). That
 *   admin knows it, so the account opens nothing but the password change until its holder
 *   chooses their own, which clears it (lib/staff/accounts.ts). Null: the holder's own password,
 *   or one an operator set with `npm run staff:create`.
 * - `mfa_secret` is the TOTP secret encrypted with the account id as additional data (a copy in
 *   another row does not decrypt); `mfa_last_step` is the last accepted time step: a code of that
 *   step or an earlier one is refused (replay), and the update that accepts a code is conditional
 *   on it, so two parallel uses of one code cannot both pass.
 * - `staff_recovery_codes` hold keyed hashes of one-time recovery codes; a code is spent by one
 *   conditional update (`used_at IS NULL`). Enrolling again replaces the set.
 * - `staff_login_throttle` has one row per keyed hash of an email, a client address or an
 *   account's second-factor codes: failed attempts in the current window and the last one
 *   admitted. A password attempt is admitted (or refused as too soon after the last) and counted
 *   in one transaction with its keys' rows locked, before its password is checked, so parallel
 *   attempts are decided one after the other. Housekeeping deletes a row a day after its last
 *   attempt (lib/db/queries/housekeeping.ts), long after its 15-minute window.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
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
    mfaSecret: text("mfa_secret"),
    mfaEnabledAt: timestamp("mfa_enabled_at", { withTimezone: true }),
    mfaLastStep: bigint("mfa_last_step", { mode: "number" }),
    locale: text("locale"),
    passwordSetBy: uuid("password_set_by"),
  },
  (t) => [uniqueIndex("staff_users_email_unique").on(sql`lower(${t.email})`)],
);
export type StaffUser = typeof staffUsers.$inferSelect;

export const staffSessionStage = pgEnum("staff_session_stage", ["mfa", "enrol", "full"]);
export type StaffSessionStage = (typeof staffSessionStage.enumValues)[number];

export const staffSessions = pgTable(
  "staff_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    /** What the console shows and ends a session by; the cookie's hash never leaves the server. */
    ref: uuid("ref").notNull().defaultRandom(),
    stage: staffSessionStage("stage").notNull().default("full"),
    enrolSecret: text("enrol_secret"),
    mfaFailures: integer("mfa_failures").notNull().default(0),
    client: text("client"),
    userAgent: text("user_agent"),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("staff_sessions_staff_idx").on(t.staffId),
    uniqueIndex("staff_sessions_ref_unique").on(t.ref),
  ],
);
export type StaffSession = typeof staffSessions.$inferSelect;

export const staffRecoveryCodes = pgTable(
  "staff_recovery_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("staff_recovery_codes_staff_idx").on(t.staffId)],
);

export const staffLoginThrottle = pgTable(
  "staff_login_throttle",
  {
    keyHash: text("key_hash").primaryKey(),
    failures: integer("failures").notNull(),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }).notNull(),
  },
  // Housekeeping purges by it on every pass; a flood from many addresses grows the table.
  (t) => [index("staff_login_throttle_last_attempt_idx").on(t.lastAttemptAt)],
);
