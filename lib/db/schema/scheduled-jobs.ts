/**
 * scheduled_jobs — one row per job that runs on a schedule from every worker and the cron route
 * (today: `lists_import`), so that several replicas run it once.
 *
 * Invariants:
 * - A process runs the job only after winning one conditional upsert that sets `leased_until`
 *   (lib/db/queries/scheduled-jobs.ts claimScheduledJob): the row is due (`next_run_at` passed
 *   or null) and not leased (`leased_until` passed or null). Two claims at once: one row lock,
 *   one winner.
 * - A finished run clears the lease and sets `next_run_at`; a process that dies mid-run leaves
 *   the lease to expire, after which another claims the job.
 */
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const scheduledJobs = pgTable("scheduled_jobs", {
  name: text("name").primaryKey(),
  leasedUntil: timestamp("leased_until", { withTimezone: true }),
  /** Who holds the lease (a random id per run): only it may finish the run. */
  holder: text("holder"),
  nextRunAt: timestamp("next_run_at", { withTimezone: true }),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
  lastFinishedAt: timestamp("last_finished_at", { withTimezone: true }),
  lastOk: text("last_ok", { enum: ["ok", "failed"] }),
});

export type ScheduledJob = typeof scheduledJobs.$inferSelect;
