/**
 * SSO mode: the broker (this app) is the identity provider and serves cTrader's calls for
 * in-app tokens (contract §2.1, calls 4.1, 4.2 and 4.4).
 *
 * crmApiToken (4.1): issued for CRM_API_PASSWORD, valid CRM_API_TOKEN_TTL_DAYS (≥ 7). It is
 * stateless — `c1.<expiry>.<nonce>.<mac>` — with the MAC keyed from APP_SECRET *and* the
 * password, so rotating either revokes every token issued before. Nothing to store or leak.
 *
 * One-time tokens (4.4 generate → screen or 4.2 authorize): 256 random bits, returned once,
 * stored as SHA-256 with a NOT NULL expiry 60 s ahead; consumption is one conditional UPDATE
 * (see the design record of sso_one_time_tokens for why screen and authorize each get one use).
 *
 * inappToken: authorize returns one per trader, derived from APP_SECRET and the trader id, so
 * every cTrader device of the trader holds the same value; once issued (its hash recorded on
 * the trader), generate refuses to mint a token without it (contract: "must not issue").
 */
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { insertSsoToken, consumeSsoToken } from "@/lib/db/queries/one-time-tokens";
import {
  getTraderByCtraderUserId,
  getTraderById,
  setTraderInappTokenHash,
  upsertTrader,
} from "@/lib/db/queries/traders";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { recordAttemptWithinBudget } from "@/lib/db/queries/throttle";
import { DEFAULT_LOCALE } from "@/lib/i18n/config";
import { ctraderUserIdSchema } from "./ctrader-redeem";
import { deriveKey, hmac, newToken, safeEqual, sha256, TOKEN_PATTERN } from "./secrets";

export const SSO_TOKEN_TTL_MS = 60_000;

const authFailure = () =>
  new AppError("FORBIDDEN", "crmApiToken is missing or invalid", {
    contractCode: "CH_CLIENT_AUTH_FAILURE",
  });

function crmKey(): Buffer {
  const { appSecret, crmApiPassword } = env();
  return deriveKey(appSecret, `crm-api-token:${sha256(crmApiPassword ?? "")}`);
}

export function issueCrmApiToken(
  password: string,
  now = new Date(),
): { crmApiToken: string; expiresAt: Date } {
  const expected = env().crmApiPassword;
  if (!expected || !safeEqual(password, expected)) {
    throw new AppError("FORBIDDEN", "password refused", { contractCode: "CH_CLIENT_AUTH_FAILURE" });
  }
  const expiresAt = new Date(now.getTime() + env().crmApiTokenTtlDays * 86_400_000);
  const payload = `c1.${Math.floor(expiresAt.getTime() / 1000)}.${newToken().slice(0, 22)}`;
  return { crmApiToken: `${payload}.${hmac(crmKey(), payload)}`, expiresAt };
}

/** Wrong CRM passwords accepted for checking per window, across all callers. */
export const CRM_PASSWORD_MAX_FAILURES = 10;
export const CRM_PASSWORD_WINDOW_MS = 15 * 60_000;

/**
 * /oauth2/crmApiToken: the password is checked only while fewer than CRM_PASSWORD_MAX_FAILURES
 * wrong ones arrived in the last CRM_PASSWORD_WINDOW_MS, counted for every caller together: the
 * only caller is cTrader, and a per-client count would trust a client-supplied address. Past
 * the budget every attempt is refused with 429 unchecked, so guessing stays at 10 per quarter
 * hour. cTrader keeps a token for CRM_API_TOKEN_TTL_DAYS, so a flood delays a renewal, not a
 * trader's screen. Attempts and issues are audit events (`client` as the network saw it).
 */
export async function requestCrmApiToken(
  password: string,
  client: string,
  now = new Date(),
): Promise<{ crmApiToken: string; expiresAt: Date }> {
  const allowed = await recordAttemptWithinBudget({
    attempt: {
      actorType: "ctrader",
      actorId: "oauth2",
      action: CRM_PASSWORD_ATTEMPT,
      occurredAt: now,
      data: { client },
    },
    successAction: CRM_API_TOKEN_ISSUED,
    since: new Date(now.getTime() - CRM_PASSWORD_WINDOW_MS),
    maxFailures: CRM_PASSWORD_MAX_FAILURES,
  });
  if (!allowed)
    throw new AppError("TOO_MANY_REQUESTS", "too many attempts, try again later", {
      contractCode: "TOO_MANY_REQUESTS",
    });
  const issued = issueCrmApiToken(password, now);
  await appendAuditEvent({
    actorType: "ctrader",
    actorId: "oauth2",
    action: CRM_API_TOKEN_ISSUED,
    occurredAt: now,
    data: { client },
  });
  return issued;
}

const CRM_PASSWORD_ATTEMPT = "sso.crm_password.attempt";
const CRM_API_TOKEN_ISSUED = "sso.crm_api_token.issued";

export function verifyCrmApiToken(token: string | null | undefined, now = new Date()): void {
  const match = token?.match(/^(c1\.(\d{1,12})\.[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/);
  if (!match || !env().crmApiPassword) throw authFailure();
  const [, payload = "", expiry = "0", mac = ""] = match;
  if (!safeEqual(mac, hmac(crmKey(), payload))) throw authFailure();
  if (Number(expiry) * 1000 <= now.getTime()) throw authFailure();
}

/** cTrader's crmApiToken arrives as ?crmApiToken= (V3 docs) or ?token= (V1 docs). */
export function crmApiTokenFrom(url: URL): string | null {
  return url.searchParams.get("crmApiToken") ?? url.searchParams.get("token");
}

function inappTokenFor(traderId: string): string {
  return hmac(deriveKey(env().appSecret, "inapp-token"), traderId);
}

export const generateBodySchema = z.object({
  userId: ctraderUserIdSchema,
  inappToken: z.string().max(200).optional(),
});

export const authorizeBodySchema = z.object({ code: z.string().max(200) });

export async function generateOneTimeToken(
  input: z.infer<typeof generateBodySchema>,
  now = new Date(),
): Promise<{ token: string }> {
  // cTrader only asks for users it knows, and the crmApiToken proves the caller is cTrader, so
  // a user we have not seen yet is enrolled rather than refused: KYC is often their first visit.
  const trader =
    (await getTraderByCtraderUserId(input.userId)) ??
    (await upsertTrader({ ctraderUserId: input.userId }, DEFAULT_LOCALE));
  if (trader.inappTokenHash) {
    const presented = input.inappToken ?? "";
    if (!safeEqual(sha256(presented), trader.inappTokenHash)) {
      throw new AppError("FORBIDDEN", "inappToken does not match", {
        contractCode: "INVALID_INAPP_TOKEN",
      });
    }
  }
  const token = newToken();
  await insertSsoToken({
    tokenHash: sha256(token),
    traderId: trader.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SSO_TOKEN_TTL_MS),
  });
  return { token };
}

export async function authorizeOneTimeToken(
  code: string,
  now = new Date(),
): Promise<{ userId: number; inappToken: string }> {
  if (!TOKEN_PATTERN.test(code)) {
    throw new AppError("INVALID_TOKEN", "token has an invalid format", {
      contractCode: "CID_NON_EXISTED_TOKEN",
    });
  }
  const result = await consumeSsoToken(sha256(code), "authorized", now);
  if (result.state === "unknown") {
    throw new AppError("NOT_FOUND", "OT token not found", {
      contractCode: "CID_NON_EXISTED_TOKEN",
    });
  }
  if (result.state !== "ok") {
    throw new AppError("GONE", "OT token expired or already used", {
      contractCode: "CID_TOKEN_EXPIRED",
    });
  }
  const trader = await getTraderById(result.traderId);
  if (!trader) throw new AppError("NOT_FOUND", "user identifier not found");
  const inappToken = inappTokenFor(trader.id);
  if (trader.inappTokenHash !== sha256(inappToken)) {
    await setTraderInappTokenHash(trader.id, sha256(inappToken));
  }
  await appendAuditEvent({
    actorType: "ctrader",
    actorId: "oauth2",
    action: "sso.token.authorized",
    traderId: trader.id,
    occurredAt: now,
  });
  return { userId: trader.ctraderUserId, inappToken };
}

export type ScreenTokenResult =
  | { ok: true; traderId: string }
  | { ok: false; reason: "expired" | "used" | "unknown" | "malformed" };

/** The screen side of an SSO one-time token: consumed once, then the session takes over. */
export async function redeemSsoScreenToken(
  token: string,
  now = new Date(),
): Promise<ScreenTokenResult> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: "malformed" };
  const result = await consumeSsoToken(sha256(token), "redeemed", now);
  return result.state === "ok"
    ? { ok: true, traderId: result.traderId }
    : { ok: false, reason: result.state };
}

/** The SSO endpoints exist only in SSO mode (IDENTITY_MODE=sso): elsewhere they are not found. */
export function requireSsoMode(): void {
  if (env().identityMode !== "sso") throw new AppError("NOT_FOUND", "SSO mode is not enabled");
}
