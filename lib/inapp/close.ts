/**
 * The close control ends the session it closes. The control stays a plain link to CLOSE_URL
 * (cTrader's apps watch for that navigation; a form post would also meet CSP's form-action when
 * CLOSE_URL is another origin); on click it sends a beacon here, which revokes the session and
 * clears the cookie, so whatever the webview keeps cannot reopen the trader's data.
 *
 * The beacon names the sign-in its window was rendered for (lib/inapp/window.ts), like every
 * other trader write: a tab left open by an earlier sign-in in this browser sends the newer
 * session's cookie, and must not sign that trader out. `sendBeacon` cannot set a header, so the
 * reference comes as the `window` field of a url-encoded body (the header is taken too).
 *
 * A refused beacon changes nothing the trader sees: the link still navigates to CLOSE_URL, which
 * closes cTrader's browser, and the close page claims no sign-out. The refusal is logged, so an
 * operator can tell "closed but still signed in" apart from a close that never reached us.
 */
import { cookies } from "next/headers";
import { env } from "@/lib/env";
import { endSession, resolveSession } from "@/lib/identity/sessions";
import { readBody } from "@/lib/http/body";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { log } from "@/lib/log";
import { isSameOrigin } from "./api";
import { SESSION_COOKIE, sessionCookie } from "./session-cookie";
import { isOwnWindow, WINDOW_FIELD, WINDOW_HEADER } from "./window";

export const CLOSE_ROUTE = "/api/inapp/close";

/** The body is one window reference: anything longer is not our beacon. */
const MAX_BEACON_BYTES = 1024;

/** The window reference the beacon carries: its header, else its form field; null without one. */
async function postedWindow(request: Request): Promise<string | null> {
  const header = request.headers.get(WINDOW_HEADER);
  if (header !== null) return header;
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return null;
  const form = new URLSearchParams((await readBody(request, MAX_BEACON_BYTES)).toString("utf8"));
  return form.get(WINDOW_FIELD);
}

export async function closeSessionResponse(request: Request): Promise<Response> {
  try {
    // A cross-site page could otherwise end a trader's session at will.
    if (!isSameOrigin(request)) return refusal(403, "cross_site", "cross-site request refused");
    const store = await cookies();
    const value = store.get(SESSION_COOKIE)?.value;
    // Only a live session has someone to protect: a dead one's cookie is cleared whatever the
    // window says, so a screen without a sign-in still closes cleanly.
    const session = await resolveSession(value);
    if (session && !isOwnWindow(session, await postedWindow(request))) {
      log.warn("session.close_refused", { reason: "other_sign_in" });
      return refusal(409, "other_sign_in", "this window belongs to an earlier sign-in; reload");
    }
    if (value) await endSession(value);
    store.set({ ...sessionCookie({ id: "", maxAgeSeconds: 0 }) });
    return new Response(null, { status: 204 });
  } catch (error) {
    return toErrorResponse(error, "session.close");
  }
}

/**
 * GET: a redirect to CLOSE_URL, for a page that cannot read the setting (app/global-error.tsx,
 * which renders in the browser without the root layout). cTrader closes its browser on a redirect
 * to the success URL, so the hop changes nothing there. Ends no session: a GET any page can link.
 */
export function closeRedirectResponse(): Response {
  return new Response(null, { status: 303, headers: { Location: env().closeUrl } });
}
