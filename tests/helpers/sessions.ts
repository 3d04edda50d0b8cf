/** A trader session with the defaults most tests need (handoff mode, English, no theme). */
import { startSession } from "@/lib/identity/sessions";

export function openSession(traderId: string, caseId: string | null, now?: Date) {
  return startSession({
    traderId,
    caseId,
    identityMode: "ot-handoff",
    locale: "en",
    theme: null,
    source: null,
    account: null,
    now,
  });
}
