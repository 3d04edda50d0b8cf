/**
 * What a screen renders from: the session (from the cookie), the trader and their open case,
 * plus presentation (theme, source). Cached per request, so the layout, the i18n config and the
 * page share one lookup. Reading cookies is allowed while rendering; setting them is not, which
 * is why sessions are created in the exchange route (lib/identity/entry.ts).
 */
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { getOpenCaseForTrader } from "@/lib/db/queries/cases";
import type { KycCase, Session, Trader } from "@/lib/db/schema";
import { NONCE_HEADER, SOURCE_HEADER, THEME_HEADER } from "@/lib/http/request-headers";
import { resolveSessionContext } from "@/lib/identity/sessions";
import { errorFacts } from "@/lib/errors";
import { addToLogScope, log } from "@/lib/log";
import { SESSION_COOKIE } from "./session-cookie";
import { parseSource, parseTheme, type Source, type Theme } from "./params";

export type ScreenContext = { session: Session; trader: Trader; kycCase: KycCase | undefined };

/**
 * Session, trader and case in one query, once per request, whatever the session's scope: a
 * caller must check `session.documentScope` itself (lib/inapp/api.ts does).
 */
export const getAnyScreenContext = cache(async (): Promise<ScreenContext | undefined> => {
  const store = await cookies();
  const found = await resolveSessionContext(store.get(SESSION_COOKIE)?.value);
  if (!found) return undefined;
  // A scoped session is bound to its own case; only a full one falls back to the open case.
  const kycCase =
    found.kycCase ??
    (found.session.documentScope === null
      ? await getOpenCaseForTrader(found.trader.id)
      : undefined);
  // Every later line of this request names the case (lib/log.ts scope; none outside a request).
  if (kycCase) addToLogScope({ caseId: kycCase.id });
  return { session: found.session, trader: found.trader, kycCase };
});

/**
 * The context of a full session. A phone-handoff session (scoped to one document type) reads as
 * no session here, so every screen, action and API is closed to it unless it asks for the scoped
 * context explicitly (getUploadContext, withTraderCase's `handoff` option).
 */
export const getScreenContext = cache(async (): Promise<ScreenContext | undefined> => {
  const context = await getAnyScreenContext();
  return context?.session.documentScope === null ? context : undefined;
});

/**
 * The upload screen of one document type: a full session, or a handoff session scoped to that
 * type. `scoped` tells the screen to leave out everything but the upload.
 */
export async function getUploadContext(
  documentType: string | undefined,
): Promise<(ScreenContext & { scoped: boolean }) | undefined> {
  const context = await getAnyScreenContext();
  if (!context) return undefined;
  const scope = context.session.documentScope;
  if (scope === null) return { ...context, scoped: false };
  return scope === documentType ? { ...context, scoped: true } : undefined;
}

/**
 * Language and theme of any live session, scoped or not: presentation only, no data. When the
 * session cannot be read (the database down), the shell (root layout, language) goes on without
 * it, logged: the page itself still fails, and its error boundary (app/inapp/error.tsx) tells
 * the trader so in the screen's language (`?lang=`), with a way to retry, instead of Next's bare
 * English page.
 */
export const getScreenSession = cache(async (): Promise<Session | undefined> => {
  try {
    return (await getAnyScreenContext())?.session;
  } catch (error) {
    // Next's own signals (a prerender's dynamic-usage bail-out, a redirect) are not failures.
    unstable_rethrow(error);
    // The facts only: a failed query's message quotes its SQL and values (the session hash).
    log.error("screen.session_unreadable", errorFacts(error));
    return undefined;
  }
});

export type Presentation = {
  theme: Theme | undefined;
  source: Source | undefined;
  nonce: string | undefined;
};

/** `?theme=`/`?source=` on this request win; otherwise what the session started with. */
export const getPresentation = cache(async (): Promise<Presentation> => {
  const h = await headers();
  const session = await getScreenSession();
  return {
    theme: parseTheme(h.get(THEME_HEADER)) ?? parseTheme(session?.theme),
    source: parseSource(h.get(SOURCE_HEADER)) ?? parseSource(session?.source),
    nonce: h.get(NONCE_HEADER) ?? undefined,
  };
});
