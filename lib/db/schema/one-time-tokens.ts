/**
 * sso_one_time_tokens — one-time tokens we issue in SSO mode (POST /oauth2/onetime/generate).
 *
 * Invariants:
 * - Only the SHA-256 of the token is stored; the token itself is returned once to cTrader.
 * - `expires_at` is NOT NULL (60 s after issue): a token without an expiry cannot exist.
 * - Single use is structural, per consumer: the screen redeems with one conditional
 *   `UPDATE … SET redeemed_at WHERE redeemed_at IS NULL AND expires_at > now RETURNING`, and
 *   cTrader's /oauth2/onetime/authorize does the same on `authorized_at`. Spotware's documents
 *   disagree on who validates an in-app token (cTrader through authorize, or the broker screen
 *   itself), so each of the two may consume it once; neither can use it twice.
 *
 * handoff_redemptions — one-time tokens cTrader handed us (one-time token handoff mode).
 *
 * Invariants:
 * - A row is inserted (SHA-256 of the token as primary key) *before* the token is sent to
 *   cTrader; `INSERT … ON CONFLICT DO NOTHING RETURNING` decides which of several concurrent
 *   requests may redeem it. cTrader refuses a second use as well; this makes our side single
 *   use even when the upstream is lenient or a request is replayed.
 * - A claim is released (row deleted) only when cTrader could not be reached or failed (5xx,
 *   timeout), so that a reload can try again.
 */
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { traders } from "./traders";

export const ssoOneTimeTokens = pgTable(
  "sso_one_time_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    authorizedAt: timestamp("authorized_at", { withTimezone: true }),
    redeemedAt: timestamp("redeemed_at", { withTimezone: true }),
  },
  (t) => [index("sso_one_time_tokens_expires_idx").on(t.expiresAt)],
);

export const handoffRedemptions = pgTable("handoff_redemptions", {
  tokenHash: text("token_hash").primaryKey(),
  claimedAt: timestamp("claimed_at", { withTimezone: true }).notNull(),
});

/**
 * phone_handoffs — "continue on your phone": a short-lived, single-use link that opens the
 * upload step of the same case in the phone's own browser. Only the token's hash is stored;
 * `used_at` is set by the one redemption that wins.
 */
export const phoneHandoffs = pgTable(
  "phone_handoffs",
  {
    tokenHash: text("token_hash").primaryKey(),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "cascade" }),
    caseId: uuid("case_id").notNull(),
    documentType: text("document_type").notNull(),
    locale: text("locale").notNull(),
    theme: text("theme"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("phone_handoffs_expires_idx").on(t.expiresAt)],
);
export type PhoneHandoff = typeof phoneHandoffs.$inferSelect;
