import { NextResponse, type NextRequest } from "next/server";
import { NO_VENDOR_ORIGINS, vendorOrigins } from "@/lib/vendors/origins";
import { env } from "@/lib/env";
import { entryResponse } from "@/lib/inapp/entry";
import { retireResumeOnLanding } from "@/lib/inapp/resume";
import {
  INTERNAL_HEADERS,
  LANG_HEADER,
  NONCE_HEADER,
  SOURCE_HEADER,
  SURFACE_HEADER,
  THEME_HEADER,
} from "@/lib/http/request-headers";
import {
  contentSecurityPolicy,
  isApiPath,
  isPrivatePath,
  newNonce,
  STATIC_SECURITY_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from "@/lib/http/security-headers";
import { actionRequestRefusal } from "@/lib/http/action-input";
import { refusal } from "@/lib/http/json";
import { isMalformedPath } from "@/lib/http/path";
import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/http/request-id";
import { withLogScope } from "@/lib/log";
import { pickLocale } from "@/lib/i18n/config";
import { s3UploadOrigin } from "@/lib/storage/upload-origin";
import { parseSource, parseTheme, screenOf } from "@/lib/inapp/params";
import { SESSION_COOKIE } from "@/lib/inapp/session-cookie";
import { screenVendor } from "@/lib/inapp/screen-vendor";

/**
 * Runs before every route: security headers and the CSP nonce; cTrader's `lang`, `theme` and
 * `source` handed to the pages as trusted request headers; and a screen URL carrying a
 * one-time token exchanged for a session right here (see lib/identity/entry.ts for why).
 */
export async function proxy(request: NextRequest) {
  const requestId = requestIdOf(request.headers);
  return withLogScope({ requestId }, () => handle(request, requestId));
}

/**
 * The request id (lib/http/request-id.ts) is forwarded to the route as a request header, so the
 * route's log lines carry the same id as the response header the caller sees.
 */
async function handle(request: NextRequest, requestId: string) {
  const config = env();
  const url = request.nextUrl;
  const refused = isMalformedPath(url.pathname)
    ? refusal(400, "malformed_path", "the path has a malformed %-escape")
    : actionRequestRefusal(request, url.pathname);
  if (refused) {
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS))
      refused.headers.set(name, value);
    refused.headers.set(REQUEST_ID_HEADER, requestId);
    return refused;
  }
  const nonce = newNonce();
  // The screens of a level a vendor verifies: that vendor's SDK frames and calls only.
  const vendorSdk = url.pathname.startsWith("/admin")
    ? NO_VENDOR_ORIGINS
    : vendorOrigins(
        config.vendors,
        await screenVendor(url.pathname, request.cookies.get(SESSION_COOKIE)?.value),
      );
  const csp = contentSecurityPolicy({
    nonce,
    // The compliance console is never framed; the trader screens only by cTrader.
    frameAncestors: url.pathname.startsWith("/admin") ? ["'none'"] : config.frameAncestors,
    development: !config.isProduction,
    frameSrc: [
      ...(config.simulatorEnabled ? ["http://localhost:*", "http://127.0.0.1:*"] : []),
      // A level verified by a vendor: its web SDK's frames and calls (docs/vendors.md).
      ...vendorSdk.frame,
    ],
    // s3 mode: the upload screen posts documents straight to the bucket.
    connectSrc: [
      ...(config.storage.s3 ? [s3UploadOrigin(config.storage.s3)] : []),
      ...vendorSdk.connect,
    ],
    // Staff previews load documents through 60-second presigned URLs on the bucket.
    imgSrc:
      config.storage.s3 && url.pathname.startsWith("/admin")
        ? [s3UploadOrigin(config.storage.s3)]
        : [],
  });

  const headers = new Headers(request.headers);
  for (const name of INTERNAL_HEADERS) headers.delete(name);
  headers.set(NONCE_HEADER, nonce);
  headers.set(REQUEST_ID_HEADER, requestId);
  headers.set("Content-Security-Policy", csp);
  const lang = pickLocale(url.searchParams.get("lang"));
  const theme = parseTheme(url.searchParams.get("theme"));
  const source = parseSource(url.searchParams.get("source"));
  if (lang) headers.set(LANG_HEADER, lang);
  if (theme) headers.set(THEME_HEADER, theme);
  if (source) headers.set(SOURCE_HEADER, source);
  if (url.pathname === "/admin" || url.pathname.startsWith("/admin/"))
    headers.set(SURFACE_HEADER, "console");

  const screen = screenOf(url.pathname);
  if (screen && request.method === "GET" && !url.searchParams.has("token"))
    await retireResumeOnLanding(url, request.cookies.get(SESSION_COOKIE)?.value);
  // Only a GET spends a token: link scanners and prefetchers (HEAD) get the plain page.
  const response =
    screen && url.searchParams.has("token") && request.method === "GET"
      ? await entryResponse(screen, url, request.headers)
      : NextResponse.next({ request: { headers } });

  response.headers.set("Content-Security-Policy", csp);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS))
    response.headers.set(name, value);
  if (isPrivatePath(url.pathname)) response.headers.set("Cache-Control", "no-store");
  if (isApiPath(url.pathname)) response.headers.set("Cross-Origin-Resource-Policy", "same-origin");
  if (config.isProduction)
    response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  // Not the local upload route: Next copies a request body for the proxy and hands the route
  // only its first 10 MB (proxyClientMaxBodySize), which would cut documents off. That route
  // authenticates itself (signed form) and sets its own headers.
  // Its download route (`/api/uploads/local/<key>`, GET only, no body) does pass, for the
  // malformed-path refusal above.
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|icon.svg|api/uploads/local).*)",
    "/api/uploads/local/:path+",
  ],
};
