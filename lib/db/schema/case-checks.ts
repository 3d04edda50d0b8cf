/**
 * The automated checks of a case (lib/checks): each run, its per-check results, the case's
 * current risk, and the keyed fingerprints of identity documents used to find duplicates.
 *
 * check_runs — one row per run of the checks over a case: `reason` is `submission` (all checks,
 * after the trader submitted) or `rescreen` (only the screening check, after a list changed).
 *
 * case_checks — the results of one run, one row per check: outcome pass | warn | fail, the
 * evidence (facts a reviewer needs, never secrets or raw document numbers) and the risk points.
 *
 * case_risk — the case's risk as the console filters on it: one row per case, pointing at the
 * run that set it.
 *
 * check_claims — the submission run in flight on a case, one row per case at most: whoever inserts
 * it (or takes over one whose lease ran out) runs the checks, and deletes it when done. A run
 * spends seconds on analysis and OCR before it records anything, and the trader's submit, the
 * worker's sweep and an officer's retry may all start one: without the claim each would record
 * its own run of the round.
 *
 * identity_fingerprints — HMAC-SHA-256 (key derived from APP_SECRET, purpose
 * "identity-fingerprint") of an identity document's issuing country and normalized number.
 * Document numbers are encrypted in the drafts; the keyed hash lets us find the same document
 * used by another trader without storing the number, and without letting someone who only has
 * the database confirm a guessed number.
 *
 * Invariants:
 * - A run, its results, its fingerprints, its case_risk update and its audit event are written
 *   in one transaction (lib/db/queries/checks.ts): there is no run without all its results.
 * - Rows of check_runs and case_checks are never updated: a later run adds rows; history stays
 *   as evidence of what was known when. The one exception is erasure (lib/db/queries/retention.ts),
 *   which redacts the evidence and clears `screening_hits` with it.
 * - check_runs.screening_hits is the count of review- or likely-level hits in the run's screening
 *   evidence (lib/checks/evidence.ts countedScreeningHits), written with it; null when that
 *   evidence has no `hits` (no list, no personal data, no screening result, erased). The
 *   dashboard's hit rate counts this column, the CSV export reads the evidence: they agree.
 * - case_risk is set afresh by each submission run (run_id, score, level, route, escalated).
 *   `route` is `escalate` exactly when that run found a likely sanctions match, and then
 *   `escalated` is true and `level` high. A likely hit nobody has cleared that the run need not
 *   see (an open monitoring task's, or one of an earlier round of the case:
 *   `case_uncleared_likely_hits`, drizzle/0058) also makes `escalated` true and `level` at least
 *   high; the run's own row keeps what its checks found. A re-screening that finds a new likely match sets
 *   `escalated`, `level` = high and `rescreen_hit_at` and leaves run_id and route alone; the
 *   approved case keeps its status (taking an approval back is a person's decision) and the
 *   console lists these rows. A declined upgrade or renewal points it back at the approved
 *   round's latest submission run when that run's level is higher than the case's (it never
 *   lowers the risk).
 * - `rescreen_hit_at` is when the latest new likely match a re-screening found was recorded (null:
 *   none ever). Neither a later submission run nor a person clearing the hit resets it, on purpose:
 *   every reader compares it with a moment and reads only "a hit came after that". The four-eyes
 *   rule counts signatures from the later of it and the review's opening (countingSince, migration
 *   0048), so a signature given before the hit never counts, cleared or not, and a later round's
 *   opening supersedes it; the console does not mark the risk "from the previous round" when it
 *   is at or after the waiting round's submit (lib/review/risk.ts); subject access withholds the
 *   risk when it falls inside an open hold (tipping-off). The hit itself, and whether it still
 *   counts, is the screening evidence's and its verdicts', not this column's.
 * - A submission run is recorded only while its round awaits one (no run of the round yet, or a
 *   vendor's verdict arrived after the latest started), and never after a run of the round that
 *   started later: the round's latest run by `created_at` is the one its case_risk points to.
 * - check_claims holds no evidence: a lease (`lease_until`) and the holder's `token`. A run that
 *   outlives its lease may be overtaken; the rule above still records one run of the round.
 * - identity_fingerprints has one row per (case, kind, fingerprint); running the checks again
 *   adds nothing.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { traders } from "./traders";

export const checkOutcome = pgEnum("check_outcome", ["pass", "warn", "fail"]);
export const riskLevel = pgEnum("risk_level", ["low", "medium", "high"]);
export const checkRoute = pgEnum("check_route", ["auto_approve", "review", "escalate"]);
export const checkRunReason = pgEnum("check_run_reason", ["submission", "rescreen"]);

export const checkRuns = pgTable(
  "check_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "restrict" }),
    reason: checkRunReason("reason").notNull(),
    score: integer("score").notNull(),
    level: riskLevel("level").notNull(),
    route: checkRoute("route").notNull(),
    /** The screening lists (source → version) the run screened against. */
    listVersions: jsonb("list_versions").$type<Record<string, string>>().notNull().default({}),
    /** Counted hits of the run's screening result; null when it screened against no list. */
    screeningHits: integer("screening_hits"),
    /** The case's submission round the run looked at (kyc_cases.round at the time). */
    round: integer("round"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("check_runs_case_idx").on(t.caseId, t.createdAt),
    index("check_runs_round_idx").on(t.caseId, t.round),
    // The dashboard's hit rate: an index-only count of a period's submission runs.
    index("check_runs_submission_idx")
      .on(t.createdAt, t.screeningHits)
      .where(sql`${t.reason} = 'submission'`),
  ],
);

/**
 * check_failures — a submission round whose checks failed to run (an exception: a broken risk
 * configuration, the database gone mid-run). One row per case, for its latest failed round; the
 * row is deleted when a run of that round succeeds. The sweep skips a case until
 * `next_attempt_at` (exponential back-off), so a few failing cases never starve the rest, and
 * the console shows the error with a retry control.
 */
export const checkFailures = pgTable("check_failures", {
  caseId: uuid("case_id")
    .primaryKey()
    .references(() => kycCases.id, { onDelete: "restrict" }),
  round: integer("round").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  failedAt: timestamp("failed_at", { withTimezone: true }).notNull(),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
});

export const checkClaims = pgTable("check_claims", {
  caseId: uuid("case_id")
    .primaryKey()
    .references(() => kycCases.id, { onDelete: "cascade" }),
  /** The holder's: only it releases the claim (a run overtaken after its lease releases nothing). */
  token: uuid("token").notNull(),
  claimedAt: timestamp("claimed_at", { withTimezone: true }).notNull(),
  leaseUntil: timestamp("lease_until", { withTimezone: true }).notNull(),
});

export const caseChecks = pgTable(
  "case_checks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => checkRuns.id, { onDelete: "restrict" }),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    check: text("check").notNull(),
    outcome: checkOutcome("outcome").notNull(),
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull().default({}),
    riskPoints: integer("risk_points").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("case_checks_run_idx").on(t.runId),
    index("case_checks_case_idx").on(t.caseId, t.check),
    // The queue's "a check failed": a probe that finds nothing for the 95 % of runs that passed.
    index("case_checks_failed_idx")
      .on(t.runId)
      .where(sql`${t.outcome} = 'fail'`),
  ],
);

export const caseRisk = pgTable(
  "case_risk",
  {
    caseId: uuid("case_id")
      .primaryKey()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    runId: uuid("run_id")
      .notNull()
      .references(() => checkRuns.id, { onDelete: "restrict" }),
    score: integer("score").notNull(),
    level: riskLevel("level").notNull(),
    route: checkRoute("route").notNull(),
    escalated: boolean("escalated").notNull().default(false),
    rescreenHitAt: timestamp("rescreen_hit_at", { withTimezone: true }),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("case_risk_level_idx").on(t.level),
    // The queue's "escalated": the few escalated cases' ids, read from the index alone.
    index("case_risk_escalated_cases_idx")
      .on(t.caseId)
      .where(sql`${t.escalated}`),
  ],
);

export const identityFingerprints = pgTable(
  "identity_fingerprints",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    traderId: uuid("trader_id")
      .notNull()
      .references(() => traders.id, { onDelete: "restrict" }),
    /** What was fingerprinted, e.g. `identity_document`. */
    kind: text("kind").notNull(),
    fingerprintHmac: text("fingerprint_hmac").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.kind, t.fingerprintHmac] }),
    index("identity_fingerprints_lookup_idx").on(t.kind, t.fingerprintHmac),
  ],
);

export type CheckRun = typeof checkRuns.$inferSelect;
export type CheckFailure = typeof checkFailures.$inferSelect;
export type CheckClaim = typeof checkClaims.$inferSelect;
export type CaseCheckRow = typeof caseChecks.$inferSelect;
export type CaseRiskRow = typeof caseRisk.$inferSelect;
export type CheckOutcome = (typeof checkOutcome.enumValues)[number];
export type RiskLevel = (typeof riskLevel.enumValues)[number];
export type CheckRoute = (typeof checkRoute.enumValues)[number];
