/**
 * Work that follows a request without making the trader (or the reviewer) wait: Next's `after()`
 * runs it once the response is sent. Never throws into the request; outside a request scope
 * (a script, a test, the worker) it runs detached or is left to the worker, whose sweep and
 * drain pick up anything still due, so a crash between the response and this work loses nothing.
 */
import { after } from "next/server";
import { logChecksNotRun, runCaseChecks } from "@/lib/checks/run";
import { drainOnce } from "@/lib/delivery/worker";
import { readUploadedZone } from "@/lib/documents/zone-prefill";
import { env } from "@/lib/env";
import { errorFacts } from "@/lib/errors";
import { log } from "@/lib/log";

/** The first delivery attempt of one event, right after its change commits. */
export function deliverSoon(eventId: string): void {
  if (!env().delivery.afterResponse) return;
  const run = async () => {
    try {
      await drainOnce({ eventId, limit: 50 });
    } catch (error) {
      log.warn("delivery.soon_failed", { eventId, ...errorFacts(error) });
    }
  };
  try {
    after(run);
  } catch {
    // Not inside a request: run now, in the background.
    void run();
  }
}

/**
 * After a request that changed a case's status (the trader's submit, a reviewer's decision):
 * once the response is sent, attempt what is due, including the change just committed. Only
 * inside a request; elsewhere the worker and the cron route deliver.
 */
export function deliverDueSoon(): void {
  if (!env().delivery.afterResponse) return;
  try {
    after(async () => {
      try {
        await drainOnce({ limit: 50 });
      } catch (error) {
        log.warn("delivery.soon_failed", errorFacts(error));
      }
    });
  } catch {
    // Not inside a request: the worker delivers.
  }
}

/** The automated checks of a just-submitted case, once the trader has their answer. */
export function scheduleCaseChecks(caseId: string): void {
  try {
    after(async () => {
      try {
        await runCaseChecks(caseId);
      } catch (error) {
        logChecksNotRun(caseId, error);
      }
    });
  } catch {
    log.debug("checks.deferred_to_worker", { caseId });
  }
}

/**
 * The zone of a just-confirmed identity upload, read for the pre-fill once the trader has the
 * upload's answer (MRZ_CHECK). Outside a request the worker's sweep reads it.
 */
export function scheduleZoneRead(caseId: string, documentId: string): void {
  if (!env().checks.mrz) return;
  try {
    after(async () => {
      try {
        await readUploadedZone(caseId, documentId);
      } catch (error) {
        log.warn("documents.zone_read_failed", { caseId, ...errorFacts(error) });
      }
    });
  } catch {
    log.debug("documents.zone_read_deferred_to_worker", { caseId });
  }
}
