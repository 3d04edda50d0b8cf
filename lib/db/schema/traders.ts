/**
 * traders — one row per cTrader identity that has opened a KYC screen.
 *
 * Invariants:
 * - `ctrader_user_id` is unique: cTrader's userId is the identity key in both identity modes.
 * - `email` and `trading_login` are what cTrader last told us (one-time token handoff); in SSO
 *   mode the broker CRM owns them and they may stay null.
 * - `inapp_token_hash` (SSO mode): SHA-256 of the `inappToken` we last returned from
 *   /oauth2/onetime/authorize; while set, /oauth2/onetime/generate must present the same token.
 * - `preferred_locale` is the last language the trader used (an ISO 639-1 code we support).
 */
import { sql } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const traders = pgTable(
  "traders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ctraderUserId: bigint("ctrader_user_id", { mode: "number" }).notNull().unique(),
    email: text("email"),
    tradingLogin: bigint("trading_login", { mode: "number" }),
    preferredLocale: text("preferred_locale").notNull().default("en"),
    inappTokenHash: text("inapp_token_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("traders_email_idx").on(t.email),
    // The console's search: e-mail as typed in any case, and the trading login.
    index("traders_email_lower_idx").on(sql`lower(${t.email})`),
    index("traders_trading_login_idx").on(t.tradingLogin),
  ],
);

export type Trader = typeof traders.$inferSelect;
