/**
 * What a screen renders from: the session (from the cookie), the trader and their open case,
 * plus presentation (theme, source). Cached per request, so the layout, the i18n config and the
 * page share one lookup. Reading cookies is allowed while rendering; setting them is not, which
 * is why sessions are created in the exchange route (lib/identity/entry.ts).
 */
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { getOpenCaseForTrader } from "@/lib/db/queries/cases";
import type { KycCase, Session, Trader } from "@/lib/db/schema";
import { NONCE_HEADER, SOURCE_HEADER, THEME_HEADER } from "@/lib/http/request-headers";
import { resolveSessionContext } from "@/lib/identity/sessions";
import { SESSION_COOKIE } from "./session-cookie";
import { parseSource, parseTheme, type Source, type Theme } from "./params";

export type ScreenContext = { session: Session; trader: Trader; kycCase: KycCase | undefined };

/** Session, trader and case in one query, once per request. */
export const getScreenContext = cache(async (): Promise<ScreenContext | undefined> => {
  const store = await cookies();
  const found = await resolveSessionContext(store.get(SESSION_COOKIE)?.value);
  if (!found) return undefined;
  const kycCase = found.kycCase ?? (await getOpenCaseForTrader(found.trader.id));
  return { session: found.session, trader: found.trader, kycCase };
});

export const getScreenSession = cache(async (): Promise<Session | undefined> => {
  return (await getScreenContext())?.session;
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
