/**
 * The scheduled list import (LISTS_IMPORT_HOURS): every worker's housekeeping and the cron route
 * call `runScheduledListImport`, and one of them, whichever claims the `lists_import` job first
 * (lib/db/queries/scheduled-jobs.ts), imports SANCTIONS_LIST_PATH and re-screens the traders
 * a list change concerns (lib/checks/rescreen.ts). A run with a failed source comes back after an hour (or the
 * schedule, when shorter) rather than a whole period later: the failing list is getting older.
 */
import { randomUUID } from "node:crypto";
import { importListsAndRescreen } from "@/lib/checks/rescreen";
import { claimScheduledJob, finishScheduledJob } from "@/lib/db/queries/scheduled-jobs";
import { env } from "@/lib/env";
import { errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";
import type { ImportOptions, ListImport } from "@/lib/screening/import";

export const LISTS_IMPORT_JOB = "lists_import";
/** Long enough for the downloads (60 s each at most) and the re-screening of every approved trader. */
export const LISTS_IMPORT_LEASE_MS = 30 * 60_000;
const RETRY_MS = 60 * 60_000;

export type ScheduledListImport =
  | { ran: false }
  | {
      ran: true;
      lists: { source: string; status: ListImport["status"]; error?: string }[];
      rescreened: number | null;
    };

export async function runScheduledListImport(
  now = new Date(),
  options: ImportOptions = {},
): Promise<ScheduledListImport> {
  const hours = env().lists.importEveryHours;
  const locations = env().checks.sanctionsListPaths;
  if (hours === 0 || locations.length === 0) return { ran: false };
  const holder = randomUUID();
  const claimed = await claimScheduledJob({
    name: LISTS_IMPORT_JOB,
    holder,
    now,
    leaseUntil: new Date(now.getTime() + LISTS_IMPORT_LEASE_MS),
  });
  if (!claimed) return { ran: false };
  let ok = false;
  try {
    const { lists, rescreen, leftover } = await importListsAndRescreen(locations, now, options);
    ok = lists.every((l) => l.status !== "failed");
    for (const source of leftover) log.warn("screening.list_not_configured", { source });
    log.info("screening.lists_imported", {
      replaced: lists.filter((l) => l.status === "replaced").length,
      unchanged: lists.filter((l) => l.status === "unchanged").length,
      failed: lists.filter((l) => l.status === "failed").length,
      rescreened: rescreen?.screened ?? 0,
    });
    return {
      ran: true,
      lists: lists.map((l) =>
        l.status === "failed"
          ? { source: l.source, status: l.status, error: l.error }
          : { source: l.source, status: l.status },
      ),
      rescreened: rescreen ? rescreen.screened : null,
    };
  } catch (error) {
    log.error("screening.lists_import_failed", { error: errorMessage(error) });
    throw error;
  } finally {
    const every = hours * 3_600_000;
    await finishScheduledJob({
      name: LISTS_IMPORT_JOB,
      holder,
      now,
      nextRunAt: new Date(now.getTime() + (ok ? every : Math.min(every, RETRY_MS))),
      ok,
    });
  }
}
