/**
 * Starting the checks of a just-submitted case without making the trader wait: `after()` runs
 * them once the response is sent. Outside a request (scripts, tests) nothing runs here; the
 * worker's sweep (`runPendingCaseChecks`) picks up every case still waiting either way, so a
 * crash between the submit and the checks loses nothing.
 */
import { after } from "next/server";
import { log } from "@/lib/log";
import { runCaseChecks } from "./run";

export function scheduleCaseChecks(caseId: string): void {
  try {
    after(async () => {
      try {
        await runCaseChecks(caseId);
      } catch (error) {
        log.error("checks.failed", {
          caseId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  } catch {
    log.debug("checks.deferred_to_worker", { caseId });
  }
}
