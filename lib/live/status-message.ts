/**
 * What the status screen hears: the data of the stream's `status` event (status-stream.ts) and the
 * body of `/api/inapp/status`, its polling fallback. Both writers build it here and the screen
 * (app/inapp/_components/status-live.tsx) reads it here, so a renamed field fails to compile
 * instead of leaving the screen deaf. Checked by hand, not with zod: this ships in the status
 * screen's script, which stays small (docs/benchmarks.md, "Trader screens").
 */
import { CASE_STATUSES, type CaseStatusName } from "@/lib/kyc/statuses";

export type StatusMessage = { status: CaseStatusName; updatedAt?: string };

export function statusMessage(status: CaseStatusName, updatedAt?: Date): StatusMessage {
  return updatedAt ? { status, updatedAt: updatedAt.toISOString() } : { status };
}

/** The status a message names, or undefined when it is not a status message. */
export function readStatusMessage(value: unknown): CaseStatusName | undefined {
  const status =
    typeof value === "object" && value !== null
      ? (value as { status?: unknown }).status
      : undefined;
  return CASE_STATUSES.find((s) => s === status);
}

/**
 * What one poll of `/api/inapp/status` tells the screen: the status; nothing for a failure worth
 * polling again (the network, a 5xx, a body that is no status message); or `ended` when the
 * session ended (401), which every later poll would answer too: the screen then reloads into the
 * expired view, as on the stream's `ended` event.
 */
export async function readStatusPoll(
  response: Response | null,
): Promise<CaseStatusName | "ended" | undefined> {
  if (response?.status === 401) return "ended";
  if (!response?.ok) return undefined;
  return readStatusMessage(await response.json().catch(() => null));
}
