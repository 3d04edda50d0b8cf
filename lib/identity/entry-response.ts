import { NextResponse } from "next/server";
import { log } from "@/lib/log";
import type { Screen } from "@/lib/inapp/params";
import { parseScreenParams } from "@/lib/inapp/params";
import { enterWithToken, refusalUrl } from "./entry";
import { enterWithPhoneHandoff, HANDOFF_PARAM } from "./phone-handoff";

/**
 * The HTTP face of the exchange: 303 to the clean screen URL with the session cookie, or to the
 * refusal screen. Any failure (database down, a bug) becomes "unavailable", never a 500.
 */
export async function entryResponse(screen: Screen, requestUrl: URL): Promise<NextResponse> {
  const params = parseScreenParams(requestUrl.searchParams);
  let location: string;
  let cookie;
  try {
    const handoff = requestUrl.searchParams.get(HANDOFF_PARAM);
    if (screen === "upload" && handoff !== null) {
      const result = await enterWithPhoneHandoff(handoff);
      location = result.ok ? result.location : refusalUrl("expired", params);
      if (result.ok) cookie = result.cookie;
    } else {
      const result = await enterWithToken(screen, params);
      location = result.location;
      if (result.ok) cookie = result.cookie;
    }
  } catch (error) {
    log.error("entry.failed", { error: error instanceof Error ? error.message : String(error) });
    location = refusalUrl("unavailable", params);
  }
  // Absolute on the request's own origin: Next.js requires it, and turns it back into a relative
  // Location for the browser, so the trader stays on the host (and cookie site) they came from.
  const absolute = new URL(location, requestUrl).toString();
  const response = new NextResponse(null, { status: 303, headers: { Location: absolute } });
  if (cookie) response.cookies.set(cookie);
  return response;
}
