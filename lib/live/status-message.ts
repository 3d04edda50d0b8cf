/**
 * What the status screen hears: the data of the stream's `status` event (status-stream.ts) and the
 * body of `/api/inapp/status`, its polling fallback. One schema for both writers and the screen
 * (app/inapp/_components/status-live.tsx), so a renamed field fails to compile instead of leaving
 * the screen deaf. zod/mini, as the upload contract: this ships in the status screen's script,
 * which stays small (docs/benchmarks.md, "Trader screens").
 *
 * `version` stands for everything the screen renders (screen-state.ts): a renewal notice, a
 * reviewer's request, a document's state change it without changing the status, and the screen
 * must follow them too.
 */
import * as z from "zod/mini";
import { CASE_STATUSES } from "@/lib/kyc/statuses";

export const statusMessage = z.object({
  status: z.enum(CASE_STATUSES),
  version: z.string().check(z.minLength(1), z.maxLength(128)),
});
export type StatusMessage = z.infer<typeof statusMessage>;

/** The message, or undefined when the value is not a status message. */
export function readStatusMessage(value: unknown): StatusMessage | undefined {
  const parsed = statusMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * What one poll of `/api/inapp/status` tells the screen: the message; nothing for a failure worth
 * polling again (the network, a 5xx, a body that is no status message); or `ended` when the
 * session ended (401), which every later poll would answer too: the screen then reloads into the
 * expired view, as on the stream's `ended` event.
 */
export async function readStatusPoll(
  response: Response | null,
): Promise<StatusMessage | "ended" | undefined> {
  if (response?.status === 401) return "ended";
  if (!response?.ok) return undefined;
  return readStatusMessage(await response.json().catch(() => null));
}
