/**
 * The screen side of the resume code (lib/identity/resume.ts): the offer a screen without its
 * session shows (a new window inside a frame; "is this your account?" after a launch another
 * site sent), the retirement of the code when the cookie arrived, and the form post that opens
 * the session (303 with a first-party cookie).
 */
import { headers } from "next/headers";
import { NextResponse } from "next/server";
import { errorFacts } from "@/lib/errors";
import {
  describeResume,
  resumeSession,
  retireResume,
  type ResumeDescription,
} from "@/lib/identity/resume";
import { log } from "@/lib/log";
import { readOwnForm } from "./api";
import { landingUrl, refusalUrl, sentFromAnotherSite } from "./entry";
import { DOCUMENT_TYPES, parseScreenParams, RESUME_PARAM, SCREENS, type Screen } from "./params";
import { sessionCookie } from "./session-cookie";

export { RESUME_PARAM };
export const RESUME_REDEEM = "/api/inapp/resume";

/** The form is a code, a screen, a document type and a language. */
const MAX_FORM_BYTES = 2048;

/**
 * `new_window`: a frame whose cookie the browser dropped, offered the verification in a new
 * window. `confirm`: a launch another site sent this browser to, which started the session
 * without its cookie (lib/inapp/entry.ts); the screen asks whether the account is theirs.
 */
export type Offer = Extract<ResumeDescription, { ok: true }> & { kind: "new_window" | "confirm" };

/**
 * What a screen without a session offers for a live code: the new window inside a frame
 * (`Sec-Fetch-Dest: iframe`); at top level, only when another site sent the browser here, the
 * question whether the account is theirs. Otherwise nothing (the expired screen): a top-level
 * page opened from the app or typed in has its first-party cookie, and a missing one means the
 * session is gone.
 */
export async function resumeOffer(code: string | undefined): Promise<Offer | undefined> {
  if (!code) return undefined;
  const request = await headers();
  const kind =
    request.get("sec-fetch-dest") === "iframe"
      ? "new_window"
      : sentFromAnotherSite(request)
        ? "confirm"
        : undefined;
  if (!kind) return undefined;
  try {
    const found = await describeResume(code);
    return found.ok ? { ...found, kind } : undefined;
  } catch (error) {
    log.error("resume.describe_failed", errorFacts(error));
    return undefined;
  }
}

/**
 * For proxy.ts: a screen GET that carries a code and a cookie. If the cookie is the code's own
 * session, the code has done its job (the browser keeps our cookie) and is retired, so the URL
 * left in the frame's history opens nothing. Never fails the request.
 */
export async function retireResumeOnLanding(url: URL, cookieValue: string | undefined) {
  const code = url.searchParams.get(RESUME_PARAM);
  if (!code || !cookieValue) return;
  try {
    await retireResume(code, cookieValue);
  } catch (error) {
    log.error("resume.retire_failed", errorFacts(error));
  }
}

const SCREEN_NAMES = Object.keys(SCREENS) as Screen[];

/** The screen the form names, or the verification screen for anything else. */
function screenOfForm(value: string | null): Screen {
  return SCREEN_NAMES.find((screen) => screen === value) ?? "kyc";
}

/** The offer's button: spends the code, starts the session in this (new) window, 303 to the screen. */
export async function redeemResumeResponse(request: Request): Promise<Response> {
  // Cross-site, a page could open someone else's session in the victim's browser.
  const form = await readOwnForm(request, MAX_FORM_BYTES, "resume.redeem");
  if (form instanceof Response) return form;
  const params = parseScreenParams(new URLSearchParams({ lang: form.get("lang") ?? "" }));
  const screen = screenOfForm(form.get("screen"));
  const documentType = DOCUMENT_TYPES.find((type) => type === form.get("documentType"));
  let location: string;
  let cookie: ReturnType<typeof sessionCookie> | undefined;
  try {
    const result = await resumeSession(form.get(RESUME_PARAM) ?? "", screen);
    location = result.ok ? landingUrl(screen, documentType) : refusalUrl("expired", params);
    if (result.ok) cookie = sessionCookie(result.session);
  } catch (error) {
    log.error("resume.redeem_failed", errorFacts(error));
    location = refusalUrl("unavailable", params);
  }
  // A path, as for the phone handoff: the browser resolves it against our own origin.
  const response = new NextResponse(null, { status: 303, headers: { Location: location } });
  if (cookie) response.cookies.set(cookie);
  return response;
}
