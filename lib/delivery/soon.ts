/**
 * The first delivery attempt right after a status change commits, without making the trader (or
 * the reviewer) wait for the broker's CRM: Next's `after()` runs it once the response is sent.
 * It never throws into the request: outside a request scope it runs detached, and any failure is
 * only logged — the outbox row is already committed, so the worker or the cron route retries.
 */
import { after } from "next/server";
import { log } from "@/lib/log";
import { drainOnce } from "./worker";

export function deliverSoon(eventId: string): void {
  const run = async () => {
    try {
      await drainOnce({ eventId, limit: 50 });
    } catch (error) {
      log.warn("delivery.soon_failed", {
        eventId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  try {
    after(run);
  } catch {
    // Not inside a request (a script, a test, the worker): run now, in the background.
    void run();
  }
}

/**
 * After a request that changed a case's status (the trader's submit, a reviewer's decision):
 * once the response is sent, attempt what is due, including the change just committed. Only
 * inside a request; elsewhere the worker and the cron route deliver.
 */
export function deliverDueSoon(): void {
  try {
    after(async () => {
      try {
        await drainOnce({ limit: 50 });
      } catch (error) {
        log.warn("delivery.soon_failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  } catch {
    // Not inside a request: the worker delivers.
  }
}
