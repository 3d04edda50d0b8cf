/**
 * The HTTP face of the entry (proxy.ts calls it for a screen URL carrying `token`):
 * identity redeems and starts the session; this answers 303 to the same screen without the token
 * (and without cTrader's extras) with the session cookie, or to the refusal screen. Any failure
 * (database down, a bug) becomes "unavailable", never a 500.
 *
 * Why here and not in a route handler: Next.js can set cookies only in route handlers, server
 * actions and the proxy — not while a page renders. A rewrite to a route handler is served, when
 * the server binds one address, by proxying the request to itself over HTTP: a second trip
 * through the stack for every entry. In the proxy it is one step, and pages stay thin.
 */
import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { configuredRedeemer, type Redeemer } from "@/lib/identity/ctrader-redeem";
import { enterWithToken, type EntryRefusal } from "@/lib/identity/entry";
import { log } from "@/lib/log";
import { localeFromAcceptLanguage } from "@/lib/i18n/config";
import { errorFacts } from "@/lib/errors";
import { parseScreenParams, RESUME_PARAM, SCREENS, type Screen, type ScreenParams } from "./params";
import { sessionCookie, type CookieSpec } from "./session-cookie";

/**
 * Where the browser lands: the same screen, without the token and without cTrader's extras.
 * After a cTrader entry it also carries the session's resume code, and the language, theme and
 * source the screen needs if the cookie did not arrive (lib/identity/resume.ts).
 */
export function landingUrl(
  screen: Screen,
  documentType?: string,
  resume?: { code: string; params: Partial<Record<"lang" | "theme" | "source", string>> },
): string {
  const query = new URLSearchParams();
  if (screen === "upload" && documentType) query.set("documentType", documentType);
  if (resume) {
    query.set(RESUME_PARAM, resume.code);
    for (const name of ["lang", "theme", "source"] as const) {
      const value = resume.params[name];
      if (value) query.set(name, value);
    }
  }
  const search = query.toString();
  return search ? `${SCREENS[screen]}?${search}` : SCREENS[screen];
}

/** The refusal screen keeps only what it needs to speak the trader's language and theme. */
export function refusalUrl(refusal: EntryRefusal, params: ScreenParams): string {
  const query = new URLSearchParams({ reason: refusal });
  if (params.lang) query.set("lang", params.lang);
  if (params.theme) query.set("theme", params.theme);
  if (params.source) query.set("source", params.source);
  return `/inapp/expired?${query.toString()}`;
}

/**
 * cTrader's redeem API, or in development (no CTRADER_API_URL) the built-in simulator, loaded
 * only then: a production deployment never loads the simulator's code.
 */
async function redeemer(): Promise<Redeemer> {
  const real = configuredRedeemer();
  if (real) return real;
  if (!env().simulatorEnabled)
    throw new Error("no cTrader API configured and the simulator is off");
  const { simulatorRedeemer } = await import("@/lib/dev/ctrader-simulator");
  return simulatorRedeemer();
}

const otherSite = (headers: Headers) => {
  const site = headers.get("sec-fetch-site");
  return site === "cross-site" || site === "same-site";
};

/**
 * A top-level page another site sent the browser to (`Sec-Fetch-Dest: document`, `Sec-Fetch-Site`
 * cross-site or same-site): the launch screen asks whether the account is the trader's.
 */
export function sentFromAnotherSite(headers: Headers): boolean {
  return headers.get("sec-fetch-dest") === "document" && otherSite(headers);
}

/**
 * Whether a launch may sign this browser in at once. cTrader's apps open screens themselves
 * (`Sec-Fetch-Site: none`, or no fetch metadata in older webviews) and cTrader Web in its frame
 * (`Sec-Fetch-Dest: iframe`). Anything else another site made the browser request (a link, a
 * script's fetch, an image, an object) may be someone else's launch URL, sent so that the
 * trader's documents land in the sender's verification (login CSRF): its session starts without
 * the cookie. A same-site frame still passes (a broker's own cTrader Web may be one); a browser
 * without fetch metadata (Safari before 16.4) is not told apart.
 */
export function mayBindSession(headers: Headers): boolean {
  return headers.get("sec-fetch-dest") === "iframe" || !otherSite(headers);
}

export async function entryResponse(
  screen: Screen,
  requestUrl: URL,
  headers: Headers = new Headers(),
): Promise<NextResponse> {
  const params = parseScreenParams(requestUrl.searchParams);
  let location: string;
  let cookie: CookieSpec | undefined;
  try {
    // A phone-handoff link is not redeemed here: its page asks first (lib/inapp/handoff.ts).
    const browserLang = localeFromAcceptLanguage(headers.get("accept-language"));
    const result = await enterWithToken({ ...params, browserLang, screen }, redeemer);
    const resume = result.ok && result.session.resume;
    location = result.ok
      ? landingUrl(
          screen,
          params.documentType,
          resume ? { code: resume, params: { ...params, lang: result.locale } } : undefined,
        )
      : refusalUrl(result.refusal, params);
    // Sent from another site, the session starts without its cookie: the landing screen names
    // the account and asks first; its button spends the resume code (lib/inapp/resume.ts).
    if (result.ok && mayBindSession(headers)) cookie = sessionCookie(result.session);
  } catch (error) {
    // The class and code only: a driver error's message quotes the SQL with its parameters.
    log.error("entry.failed", { screen, ...errorFacts(error) });
    location = refusalUrl("unavailable", params);
  }
  // Absolute on the request's own origin: Next.js requires it, and turns it back into a relative
  // Location for the browser, so the trader stays on the host (and cookie site) they came from.
  const absolute = new URL(location, requestUrl).toString();
  const response = new NextResponse(null, { status: 303, headers: { Location: absolute } });
  if (cookie) response.cookies.set(cookie);
  return response;
}
