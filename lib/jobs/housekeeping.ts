/**
 * The periodic work besides deliveries, run by `npm run worker` (and the cron route): automated
 * checks of submitted cases that no request started (a crash between submit and `after()`), and
 * abandoned uploads (a URL issued, never confirmed) removed with their objects.
 */
import { runPendingCaseChecks } from "@/lib/checks/run";
import { purgeAbandonedUploads } from "@/lib/documents/service";
import { log } from "@/lib/log";

export async function runHousekeeping(
  now = new Date(),
): Promise<{ checked: number; purged: number }> {
  const checked = await runPendingCaseChecks(20);
  const purged = await purgeAbandonedUploads(now);
  if (checked || purged) log.info("housekeeping.done", { checked, purged });
  return { checked, purged };
}
