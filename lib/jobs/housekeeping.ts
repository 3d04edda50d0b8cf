/**
 * The periodic work besides deliveries, run by `npm run worker` (and the cron route): automated
 * checks of submitted cases that no request started (a crash between submit and `after()`),
 * abandoned uploads (a URL issued, never confirmed) removed with their objects, the zones of
 * identity uploads no request read for the pre-fill (lib/documents/zone-prefill.ts), and expired
 * sessions, one-time tokens and login attempts (a day after they stopped mattering); document
 * expiry (renewal notices and expired cases, lib/kyc/renewal.ts); periodic review tasks
 * (lib/review/periodic.ts); monitoring tasks whose hits are all cleared but which no verdict
 * closed (lib/review/screening-hits.ts settleClearedMonitoringTasks); the retention purge
 * (lib/retention/purge.ts); cases the queue's search index does not cover yet
 * (lib/review/search-index.ts); the scheduled screening list import (LISTS_IMPORT_HOURS,
 * lib/jobs/lists-import.ts, once across replicas); and, with AUDIT_SIGNING_KEY, a signed head of
 * the audit chain every AUDIT_SIGN_MINUTES; and the whole chain verified every
 * AUDIT_VERIFY_MINUTES (lib/audit/check.ts).
 */
import { verifyChainIfDue } from "@/lib/audit/check";
import { signAuditHeadIfDue } from "@/lib/audit/signing";
import { runPendingCaseChecks } from "@/lib/checks/run";
import { purgeAbandonedUploads } from "@/lib/documents/service";
import { readPendingZones } from "@/lib/documents/zone-prefill";
import { purgeExpiredAccessRows } from "@/lib/db/queries/housekeeping";
import { env } from "@/lib/env";
import { errorMessage } from "@/lib/errors";
import { runScheduledListImport, type ScheduledListImport } from "./lists-import";
import { runDocumentExpiry, type ExpirySweep } from "@/lib/kyc/renewal";
import { runPeriodicReviews } from "@/lib/review/periodic";
import { settleClearedMonitoringTasks } from "@/lib/review/screening-hits";
import { log } from "@/lib/log";
import { indexPendingCases } from "@/lib/review/search-index";
import { runRetentionPurge, type PurgeReport } from "@/lib/retention/purge";

const DAY_MS = 86_400_000;

export async function runHousekeeping(now = new Date()): Promise<{
  checked: number;
  purged: number;
  expired: number;
  indexed: number;
  zonesRead: number;
  renewal: ExpirySweep;
  retention: PurgeReport;
  periodicReviews: number;
  monitoringSettled: number;
  lists: ScheduledListImport;
  signedSeq?: number;
  chainVerified?: boolean;
}> {
  const checked = await runPendingCaseChecks(20);
  const indexed = await indexPendingCases();
  const purged = await purgeAbandonedUploads(now);
  const zonesRead = await readPendingZones(now);
  const expired = await purgeExpiredAccessRows(new Date(now.getTime() - DAY_MS));
  const renewal = await runDocumentExpiry(now, env().renewal.noticeDays);
  const periodicReviews = await runPeriodicReviews(now, env().periodicReviewMonths);
  const monitoringSettled = await settleClearedMonitoringTasks(now);
  const retention = await runRetentionPurge(now);
  // A list import that breaks (its sources' own failures are handled inside) must not keep the
  // audit head from being signed below; it is logged and tried again on the next sweep.
  const lists = await runScheduledListImport(now).catch((error: unknown): ScheduledListImport => {
    log.error("screening.lists_schedule_failed", { error: errorMessage(error) });
    return { ran: false };
  });
  if (checked || purged || expired || indexed)
    log.info("housekeeping.done", { checked, purged, expired, indexed });
  // Last, so the head it signs includes what the sweeps above recorded.
  const signed = await signAuditHeadIfDue(now);
  // After signing, so a fresh head is checked at once; it appends nothing to the chain.
  const verified = await verifyChainIfDue(now);
  return {
    checked,
    purged,
    zonesRead,
    expired,
    indexed,
    renewal,
    retention,
    periodicReviews,
    monitoringSettled,
    lists,
    ...(signed && { signedSeq: signed.seq }),
    ...(verified && { chainVerified: verified.ok }),
  };
}
