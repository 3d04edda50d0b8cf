import { NextResponse, type NextRequest } from "next/server";
import { enterWithToken, refusalUrl } from "@/lib/identity/entry";
import { entryToken, parseScreenParams, screenOf, type Screen } from "@/lib/inapp/params";
import { log } from "@/lib/log";
import { ENTRY_TOKEN_HEADER } from "@/lib/http/request-headers";

const SCREEN_NAMES: readonly Screen[] = ["kyc", "upload", "status"];

/** Reached through proxy.ts's rewrite of `/inapp/kyc…?token=…`; see lib/identity/entry.ts. */
export async function GET(request: NextRequest) {
  const search = request.nextUrl.searchParams;
  // Depending on the Next.js version, a rewritten request shows the original screen URL or the
  // rewrite target: accept either.
  const screen =
    screenOf(request.nextUrl.pathname) ??
    SCREEN_NAMES.find((s) => s === search.get("screen")) ??
    "kyc";
  // proxy.ts moved the token into a header it controls (client copies are stripped).
  const params = {
    ...parseScreenParams(search),
    token: entryToken(request.headers.get(ENTRY_TOKEN_HEADER)),
  };
  let location: string;
  let cookie;
  try {
    const result = await enterWithToken(screen, params);
    location = result.location;
    if (result.ok) cookie = result.cookie;
  } catch (error) {
    log.error("entry.failed", { error: error instanceof Error ? error.message : String(error) });
    location = refusalUrl("unavailable", params);
  }
  const response = new NextResponse(null, { status: 303, headers: { Location: location } });
  if (cookie) response.cookies.set(cookie);
  return response;
}

/** Link scanners and prefetchers send HEAD: answer without spending the one-time token. */
export function HEAD() {
  return new NextResponse(null, { status: 200 });
}
