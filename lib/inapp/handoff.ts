/**
 * The "continue on your phone" link and its two steps in the phone's browser.
 *
 * The link (shown as a QR code) opens the confirmation page `/inapp/handoff?handoff=<token>`:
 * a GET that only describes the link (which account it belongs to, masked) and spends nothing,
 * so a link-preview bot or a scanner that fetches it cannot burn it, and a trader who was sent
 * someone else's link sees whose case it is before any document goes there. The page's button
 * POSTs the token to `/api/inapp/handoff/redeem`, which redeems it, sets the scoped session
 * cookie and answers 303 to the upload step (lib/identity/phone-handoff.ts).
 *
 * PUBLIC_BASE_URL names the host (production requires it); a development server without it uses
 * the origin the desktop reached it on, so a phone on the same network can follow the link.
 */
import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { errorFacts } from "@/lib/errors";
import {
  createPhoneHandoff,
  describePhoneHandoff,
  enterWithPhoneHandoff,
  type HandoffDescription,
} from "@/lib/identity/phone-handoff";
import { log } from "@/lib/log";
import { qrImage } from "@/lib/qr";
import { readOwnForm } from "./api";
import { landingUrl, refusalUrl } from "./entry";
import { parseScreenParams } from "./params";
import { sessionCookie } from "./session-cookie";

/** The query parameter (and form field) carrying the handoff token. */
export const HANDOFF_PARAM = "handoff";
export const HANDOFF_PAGE = "/inapp/handoff";
export const HANDOFF_REDEEM = "/api/inapp/handoff/redeem";

/** The form is one token and a language: anything longer is not our form. */
const MAX_FORM_BYTES = 2048;

export async function phoneHandoffLink(
  input: Parameters<typeof createPhoneHandoff>[0] & { requestOrigin: string },
  now = new Date(),
): Promise<{ url: string; qr: string; expiresAt: Date; minutes: number }> {
  const { token, expiresAt, minutes } = await createPhoneHandoff(input, now);
  const base = env().publicBaseUrlConfigured ? env().publicBaseUrl : input.requestOrigin;
  const url = new URL(HANDOFF_PAGE, base);
  url.searchParams.set(HANDOFF_PARAM, token);
  url.searchParams.set("lang", input.locale);
  const qr = await qrImage(url.toString(), 240);
  return { url: url.toString(), qr, expiresAt, minutes };
}

/** What the confirmation page shows; any failure reads as an expired link, never a 500. */
export async function handoffConfirmation(token: string | undefined): Promise<HandoffDescription> {
  if (!token) return { ok: false, reason: "expired" };
  try {
    return await describePhoneHandoff(token);
  } catch (error) {
    log.error("handoff.describe_failed", errorFacts(error));
    return { ok: false, reason: "expired" };
  }
}

/** The confirmation page's POST: redeems the token and starts the scoped session (303). */
export async function redeemHandoffResponse(request: Request): Promise<Response> {
  // A cross-site form could redeem a link the attacker owns in the victim's browser: the very
  // thing the confirmation step is there to stop.
  const form = await readOwnForm(request, MAX_FORM_BYTES, "handoff.redeem");
  if (form instanceof Response) return form;
  const params = parseScreenParams(new URLSearchParams({ lang: form.get("lang") ?? "" }));
  let location: string;
  let cookie: ReturnType<typeof sessionCookie> | undefined;
  try {
    const result = await enterWithPhoneHandoff(form.get(HANDOFF_PARAM) ?? "");
    location = result.ok
      ? landingUrl("upload", result.documentType)
      : refusalUrl("expired", params);
    if (result.ok) cookie = sessionCookie(result.session);
  } catch (error) {
    log.error("handoff.redeem_failed", errorFacts(error));
    location = refusalUrl("unavailable", params);
  }
  // A path: the browser resolves it against the page it posted from. `request.url` is the
  // server's own idea of its address (the standalone server says localhost), not the trader's.
  const response = new NextResponse(null, { status: 303, headers: { Location: location } });
  if (cookie) response.cookies.set(cookie);
  return response;
}
