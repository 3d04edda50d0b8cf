/**
 * The trader's JSON endpoints behind the screens (documents, phone handoff): the session
 * cookie identifies the trader and case, exactly as for the pages. Because that cookie must be
 * SameSite=None (cTrader Web frames us), every state-changing call is also checked to come from
 * our own pages: `Origin` equal to PUBLIC_BASE_URL's, `Sec-Fetch-Site` same-origin, and bodies
 * declared JSON only (415 otherwise). Errors are
 * `{error, message, code, reason?}`; nothing a trader does yields a 500.
 */
import type { KycCase, Trader } from "@/lib/db/schema";
import { isJsonContentType, refusal, toErrorResponse } from "@/lib/http/json";
import { isSameOrigin } from "@/lib/http/origin";
import { getScreenContext } from "./screen-context";

export type TraderCase = { trader: Trader; kycCase: KycCase; locale: string; theme: string | null };

export { isSameOrigin, refusal };

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
    // A body that is not JSON is refused whatever the route reads: the types a cross-site form
    // can send without a CORS preflight never reach a handler that changes something.
    const type = request.headers.get("content-type");
    if (mutates && type !== null && !isJsonContentType(type))
      return refusal(415, "unsupported_media_type", "body must be application/json");
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
