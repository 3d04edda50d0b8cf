/**
 * Entry to the screens: cTrader opens `/inapp/kyc…?token=<one-time token>&lang=…`. The token
 * is redeemed exactly once, server-side; a session is created; the browser is sent (303) to the
 * same screen without the token in the URL, so a reload, the history or a Referer never carries
 * it again.
 *
 * Where the exchange runs. Next.js can set cookies only in route handlers, server actions and
 * the proxy — not while a page renders. The exchange runs in `proxy.ts` (Node.js runtime): a
 * screen request carrying `token` is answered there with the 303 and the cookie, before any
 * page code runs; requests without a token go on to the page, which only ever renders from a
 * session. We first rewrote to a route handler instead, but when the server binds one address
 * Next.js serves such a rewrite by proxying the request to itself over HTTP — a second trip
 * through the stack for every entry. Doing it in the proxy is one step, and pages stay thin.
 *
 * Single use: in one-time token handoff mode the token's hash is claimed in our database before
 * cTrader is asked (one INSERT decides among concurrent requests), so a replay is refused even
 * if cTrader were lenient; in SSO mode one conditional UPDATE consumes our own token.
 */
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { ensureOpenCase, getLatestCaseForTrader } from "@/lib/db/queries/cases";
import { isFinalRejection } from "@/lib/kyc/case-state";
import { claimHandoffToken, releaseHandoffToken } from "@/lib/db/queries/one-time-tokens";
import {
  getTraderById,
  getTraderWithOpenCase,
  upsertTrader,
  type TraderIdentity,
} from "@/lib/db/queries/traders";
import { DEFAULT_LOCALE } from "@/lib/i18n/config";
import { SCREENS, type Screen, type ScreenParams } from "@/lib/inapp/params";
import { resolveKycType, type LevelId } from "@/lib/kyc/levels";
import type { CaseTrigger } from "@/lib/db/schema";
import { createCtraderRedeemer, TRANSIENT_FAILURES, type RedeemResult } from "./ctrader-redeem";
import {
  SIMULATOR_BASE_PATH,
  SIMULATOR_MANAGER_TOKEN,
  simulatorFetch,
} from "@/lib/dev/ctrader-simulator";
import { redeemSsoScreenToken } from "./sso";
import { sha256 } from "./secrets";
import { startSession, type CookieSpec } from "./sessions";

/** Why a link was refused, as the trader is told: gone for good, or try again shortly. */
export type EntryRefusal = "expired" | "unavailable";

export type EntryResult =
  | { ok: true; location: string; cookie: CookieSpec }
  | { ok: false; refusal: EntryRefusal; location: string };

function redeemer() {
  const { ctrader, simulatorEnabled } = env();
  if (ctrader.apiUrl) {
    return createCtraderRedeemer({
      baseUrl: ctrader.apiUrl,
      managerToken: ctrader.managerToken,
      api: ctrader.redeemApi,
      timeoutMs: ctrader.timeoutMs,
    });
  }
  if (!simulatorEnabled) throw new Error("no cTrader API configured and the simulator is off");
  return createCtraderRedeemer({
    baseUrl: `http://simulator.internal${SIMULATOR_BASE_PATH}`,
    managerToken: SIMULATOR_MANAGER_TOKEN,
    api: ctrader.redeemApi,
    timeoutMs: ctrader.timeoutMs,
    fetch: simulatorFetch,
  });
}

/** Where the browser lands: the same screen, without the token and without cTrader's extras. */
export function landingUrl(screen: Screen, params: ScreenParams): string {
  if (screen === "upload" && params.documentType) {
    return `${SCREENS.upload}?documentType=${params.documentType}`;
  }
  return SCREENS[screen];
}

/** The refusal screen keeps only what it needs to speak the trader's language and theme. */
export function refusalUrl(refusal: EntryRefusal, params: ScreenParams): string {
  const query = new URLSearchParams({ reason: refusal });
  if (params.lang) query.set("lang", params.lang);
  if (params.theme) query.set("theme", params.theme);
  if (params.source) query.set("source", params.source);
  return `/inapp/expired?${query.toString()}`;
}

type Resolved = { ok: true; identity: TraderIdentity } | { ok: false; refusal: EntryRefusal };

async function resolveHandoff(token: string, now: Date): Promise<Resolved> {
  const tokenHash = sha256(token);
  if (!(await claimHandoffToken(tokenHash, now))) {
    log.warn("entry.refused", { mode: "ot-handoff", reason: "replayed" });
    return { ok: false, refusal: "expired" };
  }
  let result: RedeemResult;
  try {
    result = await redeemer().redeem(token);
  } catch (error) {
    await releaseHandoffToken(tokenHash);
    throw error;
  }
  if (!result.ok) {
    // cTrader may not have consumed the token: let a reload try again.
    if (TRANSIENT_FAILURES.has(result.reason)) await releaseHandoffToken(tokenHash);
    const refusal: EntryRefusal = result.reason === "not_found" ? "expired" : "unavailable";
    log.warn("entry.refused", { mode: "ot-handoff", reason: result.reason, status: result.status });
    return { ok: false, refusal };
  }
  const { userId, email, tradingLogin } = result.identity;
  return { ok: true, identity: { ctraderUserId: userId, email, tradingLogin } };
}

async function resolveSso(token: string, now: Date): Promise<Resolved> {
  const result = await redeemSsoScreenToken(token, now);
  if (!result.ok) {
    log.warn("entry.refused", { mode: "sso", reason: result.reason });
    return { ok: false, refusal: "expired" };
  }
  const known = await getTraderById(result.traderId);
  if (!known) return { ok: false, refusal: "expired" };
  // The broker CRM owns email and login in SSO mode: keep what we have.
  return { ok: true, identity: { ctraderUserId: known.ctraderUserId } };
}

/**
 * The trader and their open case, written only when something changed: most visits are
 * returning traders, and a read is all they need.
 */
async function traderAndCase(
  identity: TraderIdentity,
  locale: string,
  opening: { level: LevelId; trigger: CaseTrigger },
) {
  const found = await getTraderWithOpenCase(identity.ctraderUserId);
  const unchanged =
    found &&
    found.trader.preferredLocale === locale &&
    (identity.email === undefined || identity.email === found.trader.email) &&
    (identity.tradingLogin === undefined || identity.tradingLogin === found.trader.tradingLogin);
  const trader = unchanged ? found.trader : await upsertTrader(identity, locale);
  if (found?.openCase) return { trader, kycCase: found.openCase };
  // Final means final: after a final rejection a new launch shows that decision; it does not
  // open a new case. Only an admin's reopen (lib/review/decisions.ts) changes it.
  const latest = found ? await getLatestCaseForTrader(trader.id) : undefined;
  if (latest && isFinalRejection(latest)) return { trader, kycCase: latest };
  return { trader, kycCase: await ensureOpenCase(trader.id, opening.level, opening.trigger) };
}

export async function enterWithToken(
  screen: Screen,
  params: ScreenParams,
  now = new Date(),
): Promise<EntryResult> {
  const { identityMode } = env();
  if (!params.token) {
    log.warn("entry.refused", { mode: identityMode, reason: "malformed" });
    return { ok: false, refusal: "expired", location: refusalUrl("expired", params) };
  }
  const locale = params.lang ?? DEFAULT_LOCALE;
  const resolved =
    identityMode === "sso"
      ? await resolveSso(params.token, now)
      : await resolveHandoff(params.token, now);
  if (!resolved.ok)
    return { ok: false, refusal: resolved.refusal, location: refusalUrl(resolved.refusal, params) };

  const { trader, kycCase } = await traderAndCase(
    resolved.identity,
    locale,
    resolveKycType(params.kycType),
  );
  const session = await startSession({
    traderId: trader.id,
    caseId: kycCase.id,
    identityMode,
    locale,
    theme: params.theme ?? null,
    source: params.source ?? null,
    account: params.account ?? null,
    audit: { screen, source: params.source ?? null, utm: params.utm },
    now,
  });
  log.info("entry.ok", { mode: identityMode, screen });
  return { ok: true, location: landingUrl(screen, params), cookie: session.cookie };
}
