/**
 * Which sign-in a trader's window was rendered for. A browser holds one session cookie for all
 * its tabs: once another trader (a shared computer, cTrader Web) or the same person with another
 * cTrader ID opens the verification in that browser, an older tab's requests carry the new
 * session's cookie and would write into the new session's case. So every screen writes a
 * reference of its own session into the page (a hidden field in its forms, a header on its
 * requests), and a write whose reference is not the cookie's session is refused: the older
 * window is told to reload instead of changing someone else's answers or documents.
 *
 * The reference is an HMAC of the session's stored hash under a key derived from APP_SECRET: it
 * names the session without being usable as one (the cookie's value never leaves the cookie),
 * and it needs no stored column. A missing reference is refused like a wrong one.
 */
import "server-only";
import type { Session } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { deriveKey, hmac, safeEqual } from "@/lib/identity/secrets";

export { WINDOW_FIELD, WINDOW_HEADER } from "./window-ref";

let cached: { secret: string; key: Buffer } | undefined;
function windowKey(): Buffer {
  const secret = env().appSecret;
  if (cached?.secret !== secret) cached = { secret, key: deriveKey(secret, "screen-window") };
  return cached.key;
}

/** The reference a screen of this session renders into its page. */
export function windowRefOf(session: Pick<Session, "idHash">): string {
  return hmac(windowKey(), session.idHash);
}

/** Whether a posted reference names this session (constant-time; anything not a string: no). */
export function isOwnWindow(session: Pick<Session, "idHash">, posted: unknown): boolean {
  return typeof posted === "string" && posted !== "" && safeEqual(posted, windowRefOf(session));
}
