/**
 * The close control ends the session it closes. The control stays a plain link to CLOSE_URL
 * (cTrader's apps watch for that navigation; a form post would also meet CSP's form-action when
 * CLOSE_URL is another origin); on click it sends a beacon here, which revokes the session and
 * clears the cookie, so whatever the webview keeps cannot reopen the trader's data.
 */
import { cookies } from "next/headers";
import { endSession } from "@/lib/identity/sessions";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { isSameOrigin } from "./api";
import { SESSION_COOKIE, sessionCookie } from "./session-cookie";

export const CLOSE_ROUTE = "/api/inapp/close";

export async function closeSessionResponse(request: Request): Promise<Response> {
  try {
    // A cross-site page could otherwise end a trader's session at will.
    if (!isSameOrigin(request)) return refusal(403, "cross_site", "cross-site request refused");
    const store = await cookies();
    const value = store.get(SESSION_COOKIE)?.value;
    if (value) await endSession(value);
    store.set({ ...sessionCookie({ id: "", maxAgeSeconds: 0 }) });
    return new Response(null, { status: 204 });
  } catch (error) {
    return toErrorResponse(error, "session.close");
  }
}
