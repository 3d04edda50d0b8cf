/**
 * What a screen renders from: the session (from the cookie), the trader and their open case,
 * plus presentation (theme, source). Cached per request, so the layout, the i18n config and the
 * page share one lookup. Reading cookies is allowed while rendering; setting them is not, which
 * is why sessions are created in the exchange route (lib/identity/entry.ts).
 */
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { getCaseForTrader, getOpenCaseForTrader } from "@/lib/db/queries/cases";
import { getTraderById } from "@/lib/db/queries/traders";
import type { KycCase, Session, Trader } from "@/lib/db/schema";
import { NONCE_HEADER, SOURCE_HEADER, THEME_HEADER } from "@/lib/http/request-headers";
import { resolveSession, SESSION_COOKIE } from "@/lib/identity/sessions";
import { parseSource, parseTheme, type Source, type Theme } from "./params";

export const getScreenSession = cache(async (): Promise<Session | undefined> => {
  const store = await cookies();
  return resolveSession(store.get(SESSION_COOKIE)?.value);
});

export type ScreenContext = { session: Session; trader: Trader; kycCase: KycCase | undefined };

export const getScreenContext = cache(async (): Promise<ScreenContext | undefined> => {
  const session = await getScreenSession();
  if (!session) return undefined;
  const trader = await getTraderById(session.traderId);
  if (!trader) return undefined;
  const kycCase = session.caseId
    ? await getCaseForTrader(session.caseId, trader.id)
    : await getOpenCaseForTrader(trader.id);
  return { session, trader, kycCase };
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
