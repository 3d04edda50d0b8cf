/**
 * The trader's JSON endpoints behind the screens (documents, phone handoff): the session
 * cookie identifies the trader and case, exactly as for the pages. Because that cookie must be
 * SameSite=None (cTrader Web frames us), every state-changing call is also checked to come from
 * our own pages: `Origin` equal to PUBLIC_BASE_URL's, `Sec-Fetch-Site` same-origin, and bodies
 * declared JSON only (415 otherwise). Errors are
 * `{error, message, code, reason?}`; nothing a trader does yields a 500.
 */
import type { KycCase, Trader } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { isJsonContentType, refusal, toErrorResponse } from "@/lib/http/json";
import { getScreenContext } from "./screen-context";

export type TraderCase = { trader: Trader; kycCase: KycCase; locale: string; theme: string | null };

export { refusal };

/**
 * The origins our own pages are served from: PUBLIC_BASE_URL's. Never a header the client
 * controls (`X-Forwarded-Host` passes through many proxies unchanged). Without PUBLIC_BASE_URL
 * outside production (a development server reached as localhost, 127.0.0.1 or a LAN address
 * for the phone), the request's own `Host` too.
 */
function ownOrigins(request: Request): string[] {
  const config = env();
  const origins = [new URL(config.publicBaseUrl).origin];
  const host = request.headers.get("host");
  if (!config.isProduction && !process.env.PUBLIC_BASE_URL && host) {
    const protocol = new URL(request.url).protocol;
    origins.push(`${protocol}//${host}`);
  }
  return origins;
}

/** True when the request was made by our own page (or by a non-browser client without those headers). */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (!origin) return true;
  try {
    return ownOrigins(request).includes(new URL(origin).origin);
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
