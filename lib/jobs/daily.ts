/**
 * The scheduled run where no worker process runs (Vercel cron, `/api/cron/housekeeping`, daily
 * on every plan): housekeeping (lib/jobs/housekeeping.ts, with the scheduled list import), the
 * screening lists' age (a warning line when older than SCREENING_LIST_MAX_AGE_HOURS, one per list
 * whose latest fetch failed), and a delivery pass with the time left, so
 * retries of deliveries whose first attempt (lib/jobs/after-response.ts) failed wait at most a
 * day even without the every-minute delivery cron of a paid plan.
 */
import { CRON_WINDOW_MS, drainWithBudget } from "@/lib/delivery/cron";
import { currentScreeningListAge } from "@/lib/health";
import { log } from "@/lib/log";
import { screeningListStates } from "@/lib/screening/status";
import { runHousekeeping } from "./housekeeping";

/** Delivery time of one run: the route may run 60 s; housekeeping comes first. */
export const DAILY_DELIVERY_BUDGET_MS = 20_000;

export async function runScheduledJobs(now = new Date()) {
  // The route's window runs from the call, not from the delivery pass: a slow housekeeping run
  // leaves less of it, and no lease may end after the platform stops the function.
  const started = Date.now();
  const housekeeping = await runHousekeeping(now);
  const screening = await currentScreeningListAge(now);
  if (screening.status === "stale" || (screening.status === "missing" && screening.maxAgeHours))
    log.warn("screening.lists_stale", {
      status: screening.status,
      ageHours: screening.ageHours,
      maxAgeHours: screening.maxAgeHours,
    });
  for (const list of (await screeningListStates(now)).lists)
    if (list.status === "failing")
      log.warn("screening.list_failing", { source: list.source, failedAt: list.failedAt });
    else if (list.status === "unreadable")
      log.error("screening.list_unreadable", { source: list.source, entry: list.unreadableEntry });
  const deliveries = await drainWithBudget(
    DAILY_DELIVERY_BUDGET_MS,
    20,
    CRON_WINDOW_MS - (Date.now() - started),
  );
  return { housekeeping, screening, deliveries };
}
