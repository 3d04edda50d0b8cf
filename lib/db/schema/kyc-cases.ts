/**
 * kyc_cases — one verification case of one trader at one level.
 *
 * Legal states: draft → submitted → in_review → approved | rejected | action_required;
 * action_required → resubmitted → in_review; approved → expired (re-verification). The
 * transitions themselves are enforced by the case state machine in lib/kyc.
 *
 * Invariants:
 * - At most one open case per trader: a partial unique index on trader_id where closed_at is
 *   null. A case is closed (closed_at set) when it is finally rejected or superseded.
 * - `level` is a level id from the KYC level config; `trigger` records why the case was opened.
 * - `assigned_to` is the staff member working on the case (claim/assign in the console).
 * - `risk_level` comes from the automated checks (or a reviewer); `four_eyes_required` is set
 *   when it reaches the configured threshold, and from then on the database refuses an
 *   approval that was not signed by two different staff members (trigger, migration 0008).
 *   Every submit and resubmit sets it again until that round's checks have run (the risk stays
 *   the last assessed meanwhile): a case whose checks are still running never counts as "one
 *   signature enough". A declined upgrade or renewal raises `risk_level` to the approved round's
 *   assessment where that is higher (the declined round's checks scored answers the decline
 *   discards), and four eyes follow the level kept.
 * - `risk_floor` is the lowest risk a person set (a periodic review that raised the risk; null:
 *   none). A submission's checks set `risk_level` to the higher of their own level and this, so
 *   a clean renewal or upgrade cannot undo a person's judgment, and they never approve a case
 *   with a floor on their own. Nothing lowers it: a later review can only raise it further.
 * - `round` counts submissions; the database refuses `approved` unless a submission check run
 *   of the current round exists, no screening hit of the case was confirmed, and every likely
 *   hit of the round was cleared by two different staff members (trigger, migration 0012).
 * - `queued_at` is when the case last reached the review queue (its latest submit or resubmit;
 *   its opening before that): the queue's "waiting since", sort key and SLA clock, kept on the
 *   row so that a sorted page over many cases reads an index instead of the case timeline.
 * - `search_round` is the round whose answers `case_search_terms` holds for the case; a case
 *   with `round > search_round` is indexed by the worker (cases from before the index existed).
 * - `event_seq` numbers the case's outbox events (1, 2, …) in commit order, so a receiver can
 *   drop an event older than one it already applied. A re-screening hit on a case no approval is
 *   in force on moves it without an event (a number the outbox skips): the console's pages read
 *   before the hit are out of date (lib/review/shown-case.ts). A launch from another trading
 *   account does not move it: its `case.account_changed` (cTrader's account destination only)
 *   takes the latest event's number, since the case an officer decides on is unchanged.
 * - `document_expires_on` is the identity document's expiry as the latest submit froze it (null
 *   when the level asks for no identity document): the expiry job reads it in plain, the answers
 *   themselves stay encrypted. `renewal_due_at` is when the renewal notice went out for that
 *   document; a submit (a new document) clears it. An approved case with it set is "renewal due".
 * - `approved_level` is set by every approval to the level approved. A level upgrade (event
 *   `upgrade`, approved → draft) raises `level` and keeps `approved_level`, which stays in force
 *   (payloads, access rights) until the upgrade is approved (`approved_level` := `level`) or
 *   declined (`decline_upgrade`: back to approved, `level` := `approved_level`). A revoke or an
 *   expiry clears it: that approval is no longer in force.
 * - `account` is the trading account of the launch that opened (or last opened) the case, as
 *   cTrader's `account` parameter named it; the access-rights update goes to it when set.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { CASE_STATUSES, CASE_TRIGGERS } from "@/lib/kyc/statuses";
import { staffUsers } from "./staff";
import { traders } from "./traders";

export const caseStatus = pgEnum("case_status", CASE_STATUSES);

export const caseTrigger = pgEnum("case_trigger", CASE_TRIGGERS);

export const kycCases = pgTable(
  "kyc_cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "restrict" }),
    level: text("level").notNull(),
    status: caseStatus("status").notNull().default("draft"),
    trigger: caseTrigger("trigger").notNull().default("manual"),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    assignedTo: uuid("assigned_to").references(() => staffUsers.id, { onDelete: "set null" }),
    assignedAt: timestamp("assigned_at", { withTimezone: true }),
    riskLevel: text("risk_level"),
    riskFloor: text("risk_floor"),
    fourEyesRequired: boolean("four_eyes_required").notNull().default(false),
    /** The submission round: 0 until the first submit, +1 with every submit and resubmit. */
    round: integer("round").notNull().default(0),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    searchRound: integer("search_round").notNull().default(0),
    /** The last `sequence` given to one of the case's outbox events (per-case order). */
    eventSeq: integer("event_seq").notNull().default(0),
    documentExpiresOn: date("document_expires_on", { mode: "string" }),
    renewalDueAt: timestamp("renewal_due_at", { withTimezone: true }),
    /**
     * The level approved and in force (null: none yet). Differs from `level` while an upgrade
     * is open: the trader keeps this level until the upgrade is decided.
     */
    approvedLevel: text("approved_level"),
    /** The trading account (cTrader login) the trader opened the screen from, when cTrader named one. */
    account: text("account"),
  },
  (t) => [
    uniqueIndex("kyc_cases_one_open_per_trader")
      .on(t.traderId)
      .where(sql`${t.closedAt} is null`),
    index("kyc_cases_status_idx").on(t.status),
    index("kyc_cases_approved_expiry_idx")
      .on(t.documentExpiresOn)
      .where(sql`${t.status} = 'approved'`),
    index("kyc_cases_queue_idx").on(t.status, t.queuedAt, t.id),
    // The queue's order; status and closed_at ride along so that a deep page (a large OFFSET)
    // is counted off the index alone instead of fetching every skipped case.
    index("kyc_cases_queued_idx").on(t.queuedAt, t.id, t.status, t.closedAt),
    index("kyc_cases_trader_idx").on(t.traderId),
    index("kyc_cases_assignee_queue_idx").on(t.assignedTo, t.queuedAt),
    // The queue's other sorts (lib/db/queries/queue.ts sortKeysOf): highest risk first, on
    // exactly the query's rank expression, and the latest status change first; each carries
    // status and closed_at like kyc_cases_queued_idx, for deep pages. risk_level itself too:
    // PostgreSQL reads an index alone only if it holds every column the query names, and the
    // expression names risk_level.
    index("kyc_cases_risk_queue_idx").on(
      sql`(case ${t.riskLevel} when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end)`,
      t.queuedAt,
      t.id,
      t.status,
      t.closedAt,
      t.riskLevel,
    ),
    index("kyc_cases_updated_idx").on(t.updatedAt, t.id, t.status, t.closedAt),
    // The dashboard's waiting time: every case waiting for a person, read from the index alone.
    index("kyc_cases_waiting_idx")
      .on(t.queuedAt)
      .where(
        sql`${t.status} in ('submitted', 'resubmitted', 'in_review') and ${t.closedAt} is null`,
      ),
    // The queue's number search matches the launch's account; most cases have none.
    index("kyc_cases_account_idx")
      .on(t.account)
      .where(sql`${t.account} is not null`),
    index("kyc_cases_unindexed_idx")
      .on(t.id)
      .where(sql`${t.round} > ${t.searchRound}`),
  ],
);

export type KycCase = typeof kycCases.$inferSelect;
export type CaseStatus = (typeof caseStatus.enumValues)[number];
export type CaseTrigger = (typeof caseTrigger.enumValues)[number];
