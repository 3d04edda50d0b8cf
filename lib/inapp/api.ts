/**
 * The trader's JSON endpoints behind the screens (documents, phone handoff): the session
 * cookie identifies the trader and case, exactly as for the pages. Because that cookie must be
 * SameSite=None (cTrader Web frames us), every state-changing call is also checked to come from
 * our own pages: a same-origin `Origin` / `Sec-Fetch-Site`, and JSON bodies only. Errors are
 * `{error, message, code, reason?}`; nothing a trader does yields a 500.
 */
import type { KycCase, Trader } from "@/lib/db/schema";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { getScreenContext } from "./screen-context";

export type TraderCase = { trader: Trader; kycCase: KycCase; locale: string; theme: string | null };

export { refusal };

/** True when the request was made by our own page (or by a non-browser client without those headers). */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The origin the browser used to reach us (behind a proxy: the forwarded host and scheme). */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

export async function withTraderCase(
  request: Request,
  route: string,
  handler: (context: TraderCase) => Promise<Response>,
  { mutates }: { mutates: boolean },
): Promise<Response> {
  try {
    if (mutates && !isSameOrigin(request))
      return refusal(403, "cross_site", "cross-site request refused");
    const context = await getScreenContext();
    if (!context?.kycCase) return refusal(401, "session_expired", "no live session");
    return await handler({
      trader: context.trader,
      kycCase: context.kycCase,
      locale: context.session.locale,
      theme: context.session.theme,
    });
  } catch (error) {
    return toErrorResponse(error, route);
  }
}
