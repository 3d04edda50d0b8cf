/** A trader session with the defaults most tests need (handoff mode, English, no theme). */
import { sha256 } from "@/lib/identity/secrets";
import { startSession } from "@/lib/identity/sessions";
import { windowRefOf } from "@/lib/inapp/window";
import { jar, ownJar, TRADER_COOKIE } from "./request-scope";

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

/**
 * The sign-in reference the current browser's pages carry (lib/inapp/window.ts), for tests that
 * post to a route or action without rendering the page first.
 */
export function currentWindowRef(cookies?: ReadonlyMap<string, string>): string {
  const id = (cookies ?? ownJar.getStore() ?? jar).get(TRADER_COOKIE);
  return id ? windowRefOf({ idHash: sha256(id) }) : "";
}
