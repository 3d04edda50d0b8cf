/**
 * sessions — a trader's browser session inside cTrader's embedded browser.
 *
 * Invariants:
 * - Only the SHA-256 of the session id is stored (`id_hash`); the id itself (256 random bits)
 *   lives only in the trader's cookie. A database leak does not hand out sessions.
 * - A session is valid while `revoked_at` is null, `now < expires_at` (absolute lifetime, set
 *   once at creation) and `now < last_seen_at + idle timeout`. A missing expiry cannot exist
 *   (NOT NULL), so nothing reads as "valid forever".
 * - `locale`, `theme` and `source` are the screen preferences cTrader passed when the session
 *   started; they apply to every later screen of the session.
 * - `document_scope` set: a phone-handoff session, limited to the documents API and upload screen
 *   of its own case for that one document type (lib/inapp/api.ts, lib/inapp/screen-context.ts);
 *   null: a full session from a cTrader (or SSO) entry. Scoped sessions live at most 15 minutes.
 * - A new full entry for a trader revokes that trader's older sessions; a phone handoff revokes
 *   only the trader's older handoff sessions (the desktop that made the link keeps working).
 * - `resume_hash` (with `resume_expires_at`): the SHA-256 of a one-use code that reopens a full
 *   session in a new window when the browser dropped its cookie in cTrader Web's iframe
 *   (lib/identity/resume.ts). Cleared when used, or when the cookie turns out to work.
 */
import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { traders } from "./traders";

export const sessions = pgTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "cascade" }),
    caseId: uuid("case_id").references(() => kycCases.id, { onDelete: "set null" }),
    identityMode: text("identity_mode").notNull(),
    locale: text("locale").notNull(),
    theme: text("theme"),
    source: text("source"),
    account: text("account"),
    documentScope: text("document_scope"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    resumeHash: text("resume_hash"),
    resumeExpiresAt: timestamp("resume_expires_at", { withTimezone: true }),
  },
  (t) => [
    index("sessions_trader_idx").on(t.traderId),
    index("sessions_expires_idx").on(t.expiresAt),
    uniqueIndex("sessions_resume_idx")
      .on(t.resumeHash)
      .where(sql`${t.resumeHash} is not null`),
  ],
);

export type Session = typeof sessions.$inferSelect;
