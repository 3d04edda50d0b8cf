/**
 * case_keys — the data key of one case (crypto-shredding). Every personal value of the case
 * (drafts, submitted answers, file names) is encrypted under this key, and the key is stored only
 * wrapped by an app key (APP_KEYS / APP_SECRET, lib/security/keyring.ts).
 *
 * Invariants:
 * - One row per case, created at the first encryption; never replaced (a new key would orphan
 *   every value already written).
 * - `wrapped_key` names its app key (`key_id`); `npm run keys:rotate` re-wraps rows whose key id
 *   is not the current one. The case key itself never changes, so no value is re-encrypted.
 * - Destroyed: `wrapped_key` and `key_id` null, `destroyed_at` set. From then on nothing of the
 *   case decrypts — not the live rows, not any backup of them. A destroyed key is never revived.
 */
import { sql } from "drizzle-orm";
import { check, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const caseKeys = pgTable(
  "case_keys",
  {
    caseId: uuid("case_id")
      .primaryKey()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    wrappedKey: text("wrapped_key"),
    keyId: text("key_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    rewrappedAt: timestamp("rewrapped_at", { withTimezone: true }),
    destroyedAt: timestamp("destroyed_at", { withTimezone: true }),
  },
  (t) => [
    check(
      "case_keys_wrapped_or_destroyed",
      sql`(${t.wrappedKey} is not null and ${t.keyId} is not null and ${t.destroyedAt} is null) or (${t.wrappedKey} is null and ${t.keyId} is null and ${t.destroyedAt} is not null)`,
    ),
  ],
);

export type CaseKeyRow = typeof caseKeys.$inferSelect;
