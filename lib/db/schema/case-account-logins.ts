/**
 * case_account_logins — every trading login (cTrader account) the access-rights update of a case
 * was sent to (lib/delivery/ctrader-account.ts).
 *
 * Invariants:
 * - A row is written before the call that sets rights on the login, so a call that landed but
 *   whose answer was lost still counts: a login that may hold rights from the case is listed.
 * - Rows are only added, never removed while the case lives: when the trader moves to another
 *   account, the one left behind keeps what the case gave it until a later state of the case
 *   restricts it. A restrictive state goes to every login listed here, not only the current one.
 */
import { bigint, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const caseAccountLogins = pgTable(
  "case_account_logins",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "cascade" }),
    login: bigint("login", { mode: "number" }).notNull(),
    firstSetAt: timestamp("first_set_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.login] })],
);
