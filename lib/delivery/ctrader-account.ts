/**
 * The trading account follows the decision (optional, off unless CTRADER_ACCOUNT_UPDATE=1): on
 * approve, reject or action required, the trader's account gets the access rights the mapping
 * names for the case's level and new status, through the cTrader WebServices manager API
 * (`PATCH {CTRADER_API_URL}{path with the login}?token={manager token}`, body
 * `{"accessRights": "..."}`). Spotware documents no KYC callback (research §4); account rights
 * are the documented lever. It is an outbox destination like a webhook: the same transaction,
 * retries, dead-letter and replay.
 *
 * Statuses the mapping does not name, and traders without a trading login, need nothing: the
 * delivery succeeds without a call.
 */
import { env, type AccessRights } from "@/lib/env";
import type { AttemptOutcome } from "./webhook";

export const CTRADER_ACCOUNT_DESTINATION = "ctrader:account";
const TIMEOUT_MS = 15_000;

type Payload = {
  case?: { level?: string; status?: string };
  trader?: { tradingLogin?: number | null };
};

export function accessRightsFor(level: string, status: string): AccessRights | undefined {
  const config = env().ctraderAccountUpdate;
  if (!config) return undefined;
  const pick = (key: string) =>
    (config.mapping[key] as Record<string, AccessRights | undefined> | undefined)?.[status];
  return pick(level) ?? pick("*");
}

export async function updateTradingAccount(payload: Payload): Promise<AttemptOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const config = env().ctraderAccountUpdate;
  const { apiUrl, managerToken } = env().ctrader;
  const login = payload.trader?.tradingLogin;
  const rights =
    payload.case?.level && payload.case.status
      ? accessRightsFor(payload.case.level, payload.case.status)
      : undefined;
  if (!config || !apiUrl || !rights || !login)
    return { ok: true, httpStatus: 204, durationMs: took() };

  const url = new URL(`${apiUrl}${config.path.replace("{login}", String(login))}`);
  url.searchParams.set("token", managerToken);
  try {
    const response = await fetch(url, {
      method: "PATCH",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ accessRights: rights }),
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300)
      return { ok: true, httpStatus: response.status, durationMs: took() };
    return {
      ok: false,
      httpStatus: response.status,
      errorKind: response.status >= 300 && response.status < 400 ? "redirect" : "http_status",
      // Never the URL: it carries the manager token.
      error: `cTrader answered ${response.status}`,
      durationMs: took(),
    };
  } catch (error) {
    const timeout = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      httpStatus: null,
      errorKind: timeout ? "timeout" : "network",
      error: timeout ? "no answer within 15 s" : "network error",
      durationMs: took(),
    };
  }
}
