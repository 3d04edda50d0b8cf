/**
 * Entry to the screens: cTrader opens `/inapp/kyc…?token=<one-time token>&lang=…`. The token is
 * redeemed exactly once, server-side, the trader and their case are found (or the case opened),
 * and a session is started. This module returns that as data; the screen layer
 * (lib/inapp/entry.ts) turns it into the 303 to the clean screen URL with the session cookie, so
 * a reload, the history or a Referer never carries the token again.
 *
 * Single use: in one-time token handoff mode the token's hash is claimed in our database before
 * cTrader is asked (one INSERT decides among concurrent requests), so a replay is refused even
 * if cTrader were lenient; in SSO mode one conditional UPDATE consumes our own token.
 */
import { env } from "@/lib/env";
import { traced } from "@/lib/telemetry";
import { log } from "@/lib/log";
import {
  ensureOpenCase,
  getLatestCaseForTrader,
  recordLaunch,
  type OutboxBuilder,
} from "@/lib/db/queries/cases";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildAccountChanged, CASE_ACCOUNT_CHANGED } from "@/lib/delivery/payload";
import { isFinalRejection } from "@/lib/kyc/case-state";
import { claimHandoffToken, releaseHandoffToken } from "@/lib/db/queries/one-time-tokens";
import {
  getTraderById,
  getTraderWithOpenCase,
  upsertTrader,
  type TraderIdentity,
} from "@/lib/db/queries/traders";
import { DEFAULT_LOCALE, pickLocale } from "@/lib/i18n/config";
import { lookUpKycType, resolveKycType, type LevelId } from "@/lib/kyc/levels";
import { upgradeCase } from "@/lib/kyc/upgrade";
import type { CaseTrigger, KycCase } from "@/lib/db/schema";
import { TRANSIENT_FAILURES, type Redeemer, type RedeemResult } from "./ctrader-redeem";
import { redeemSsoScreenToken } from "./sso";
import { sha256 } from "./secrets";
import { startSession, type StartedSession } from "./sessions";

/** Why a link was refused, as the trader is told: gone for good, or try again shortly. */
export type EntryRefusal = "expired" | "unavailable";

/** What the launch URL said, as far as identity cares (the screen layer parsed it). */
export type EntryRequest = {
  /** Which screen cTrader opened (recorded with the session). */
  screen: string;
  token: string | undefined;
  lang: string | undefined;
  /** The browser's language (Accept-Language), for a trader we know no language of. */
  browserLang?: string | undefined;
  theme: string | undefined;
  source: string | undefined;
  kycType: string | undefined;
  account: string | undefined;
  utm: Record<string, string>;
};

export type EntryResult =
  | {
      ok: true;
      session: StartedSession;
      traderId: string;
      caseId: string;
      locale: string;
    }
  | { ok: false; refusal: EntryRefusal };

type Resolved = { ok: true; identity: TraderIdentity } | { ok: false; refusal: EntryRefusal };

async function resolveHandoff(
  token: string,
  getRedeemer: () => Promise<Redeemer>,
  now: Date,
): Promise<Resolved> {
  const redeemer = await getRedeemer();
  const tokenHash = sha256(token);
  if (!(await claimHandoffToken(tokenHash, now))) {
    log.warn("entry.refused", { mode: "ot-handoff", reason: "replayed" });
    return { ok: false, refusal: "expired" };
  }
  let result: RedeemResult;
  try {
    result = await redeemer.redeem(token);
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

/** What the launch asks of the case: the level of a new one, an upgrade, the account. */
type Opening = {
  level: LevelId;
  trigger: CaseTrigger;
  /** The level an explicit, known `kycType` asked for (an upgrade when higher than approved). */
  asked: LevelId | undefined;
  account: string | null;
};

/**
 * The launch's `account` is a URL parameter anyone can edit, and the account update changes the
 * access rights of the login it names. So it counts only when it is the login cTrader's redeem
 * returned for this launch's token; any other is logged and dropped, and the case keeps the
 * account it had. In SSO mode nothing confirms a login, so `account` never counts.
 */
function confirmedAccount(
  account: string | null,
  redeemedLogin: number | undefined,
  traderId: string,
): string | null {
  if (account === null) return null;
  if (redeemedLogin !== undefined && account === String(redeemedLogin)) return account;
  log.warn("entry.account_unconfirmed", { traderId });
  return null;
}

/**
 * When a launch moves the case's access rights to another login (the trader switched accounts in
 * cTrader), the cTrader account adapter hears it through the outbox and gives the new login the
 * rights of now; the old one is kept for the restrictions to come (lib/db/queries/cases.ts
 * recordLaunch decides whether the login moved, in the launch's transaction). The worker or the
 * cron delivers the event, not the launch: it runs in the proxy, whose bundle must not take in the
 * delivery code (and with it the storage drivers' runtime paths, which file tracing would copy
 * into the image).
 */
function accountChangeEvent(now: Date): OutboxBuilder | undefined {
  if (!env().ctraderAccountUpdate) return undefined;
  return ({ eventId, sequence, moved, trader }) => ({
    type: CASE_ACCOUNT_CHANGED,
    payload: buildAccountChanged({ eventId, sequence, occurredAt: now, kycCase: moved, trader }),
    destinations: destinationIdsFor(CASE_ACCOUNT_CHANGED),
  });
}

/** The launch's writes to a case the trader has: one transaction (recordLaunch), logged. */
async function relaunch(
  kycCase: KycCase,
  identity: TraderIdentity | undefined,
  locale: string,
  account: string | undefined,
  now: Date,
) {
  const recorded = await recordLaunch({
    kycCase,
    identity,
    locale,
    account,
    announce: accountChangeEvent(now),
    now,
  });
  if (recorded.eventId) log.info("entry.account_changed", { caseId: kycCase.id });
  return recorded;
}

/**
 * The trader and their open case, written only when something changed: most visits are
 * returning traders, and a read is all they need.
 */
async function traderAndCase(
  identity: TraderIdentity,
  request: Pick<EntryRequest, "lang" | "browserLang">,
  opening: Opening,
  now: Date,
) {
  const found = await getTraderWithOpenCase(identity.ctraderUserId);
  // Without an open case: the latest, for a final rejection (below) and to know whether a launch
  // ever set the stored language.
  const latest =
    found && !found.openCase ? await getLatestCaseForTrader(found.trader.id) : undefined;
  // A launch without a language we ship keeps the trader's: their screens and e-mails stay in it.
  // A trader no launch told us a language of gets their browser's: a new one, or one SSO enrolled
  // (in English, as a default) before their first screen.
  const launchedBefore = Boolean(found?.openCase ?? latest);
  const locale =
    request.lang ??
    (launchedBefore ? pickLocale(found?.trader.preferredLocale) : undefined) ??
    request.browserLang ??
    DEFAULT_LOCALE;
  const unchanged =
    found &&
    found.trader.preferredLocale === locale &&
    (identity.email === undefined || identity.email === found.trader.email) &&
    (identity.tradingLogin === undefined || identity.tradingLogin === found.trader.tradingLogin);
  if (!found) {
    const trader = await upsertTrader(identity, locale);
    const account = confirmedAccount(
      opening.account,
      identity.tradingLogin ?? undefined,
      trader.id,
    );
    return {
      trader,
      kycCase: await ensureOpenCase(trader.id, opening.level, opening.trigger, account),
      account,
      locale,
    };
  }
  const account = confirmedAccount(
    opening.account,
    identity.tradingLogin ?? undefined,
    found.trader.id,
  );
  // The trader's and the case's writes go together: a login that moves is announced with them.
  const changes = unchanged ? undefined : identity;
  if (found.openCase) {
    const relaunched =
      changes || (account && account !== found.openCase.account)
        ? await relaunch(found.openCase, changes, locale, account ?? undefined, now)
        : { trader: found.trader, kycCase: found.openCase };
    const { trader } = relaunched;
    let { kycCase } = relaunched;
    if (opening.asked)
      ({ kycCase } = await upgradeCase(
        kycCase,
        opening.asked,
        { type: "trader", id: trader.id },
        "launch",
        now,
      ));
    return { trader, kycCase, account, locale };
  }
  // Final means final: after a final rejection a new launch shows that decision; it does not
  // open a new case. Only an admin's reopen (lib/review/decisions.ts) changes it.
  if (latest && isFinalRejection(latest)) {
    const { trader } = changes
      ? await relaunch(latest, changes, locale, undefined, now)
      : { trader: found.trader };
    return { trader, kycCase: latest, account, locale };
  }
  const trader = changes ? await upsertTrader(changes, locale) : found.trader;
  return {
    trader,
    kycCase: await ensureOpenCase(trader.id, opening.level, opening.trigger, account),
    account,
    locale,
  };
}

/**
 * Redeems a launch token (in one-time token mode through `getRedeemer`: cTrader, or in
 * development the built-in simulator) and starts the trader's session.
 */
export async function enterWithToken(
  request: EntryRequest,
  getRedeemer: () => Promise<Redeemer>,
  now = new Date(),
): Promise<EntryResult> {
  return traced("kyc.entry.redeem", { "kyc.identity_mode": env().identityMode }, async (span) => {
    const result = await enter(request, getRedeemer, now);
    span.setAttribute("kyc.entry.ok", result.ok);
    return result;
  });
}

async function enter(
  request: EntryRequest,
  getRedeemer: () => Promise<Redeemer>,
  now: Date,
): Promise<EntryResult> {
  const { identityMode } = env();
  if (!request.token) {
    log.warn("entry.refused", { mode: identityMode, reason: "malformed" });
    return { ok: false, refusal: "expired" };
  }
  // Everything decided from the URL is decided before the token is spent: after the
  // redemption only our own queries run, so a strange parameter cannot burn the link.
  const opening: Opening = {
    ...resolveKycType(request.kycType),
    asked: request.kycType ? lookUpKycType(request.kycType)?.level : undefined,
    account: request.account ?? null,
  };
  const resolved =
    identityMode === "sso"
      ? await resolveSso(request.token, now)
      : await resolveHandoff(request.token, getRedeemer, now);
  if (!resolved.ok) return resolved;

  const { trader, kycCase, account, locale } = await traderAndCase(
    resolved.identity,
    request,
    opening,
    now,
  );
  const session = await startSession({
    traderId: trader.id,
    caseId: kycCase.id,
    identityMode,
    locale,
    theme: request.theme ?? null,
    source: request.source ?? null,
    account,
    resumable: true,
    audit: { screen: request.screen, source: request.source ?? null, utm: request.utm },
    now,
  });
  log.info("entry.ok", { mode: identityMode, screen: request.screen });
  return { ok: true, session, traderId: trader.id, caseId: kycCase.id, locale };
}
