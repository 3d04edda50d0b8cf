/**
 * The trading account follows the decision (optional, off unless CTRADER_ACCOUNT_UPDATE=1): after
 * a status change or a monitoring event, the trader's account gets the access rights the mapping
 * names for the case's level and state, through the cTrader WebServices manager API
 * (`PATCH {CTRADER_API_URL}{path with the login}?token={manager token}`, body
 * `{"accessRights": "..."}`). Spotware documents no KYC callback (research §4); account rights
 * are the documented lever. It is an outbox destination like a webhook: the same transaction,
 * retries, dead-letter and replay.
 *
 * No stale state reaches cTrader: the rights sent are those of the case *now* (read at send
 * time), not those of the event being delivered, so a retried or replayed `approved` event whose
 * case has since been rejected never restores trading. An event is skipped (delivered without a
 * call, the attempt log saying why) while a later event of the case is still to be delivered to
 * cTrader: that one will send the rights of its time. Once the later one was delivered, an
 * earlier one's retry calls again with the rights of now: its own earlier call may have landed
 * after the later one's.
 * While a monitoring hit is undecided the `monitoring_hit` rights apply (default CLOSE_ONLY), and
 * so they do while a vendor's concerning verdict after the approval is (`case.vendor_alert`): both
 * are a hold on an approved trader until a person decides.
 *
 * A state the mapping does not name keeps the rights of the latest earlier state of the case it
 * does name (standingState): a rejection reopened for review, an expiry being renewed, a request
 * for information being answered. That decision stands until the next one, and its rights are
 * sent again (the same rights twice is harmless; a call skipped or landed out of order is not), so
 * an earlier event skipped as superseded never leaves them unsent. Without such a state (a first
 * submission), and for traders without a trading login, nothing is needed: the delivery succeeds
 * without a call, with a note saying why.
 *
 * A trader may switch accounts in cTrader between two launches. Every login the case set rights on
 * is kept (case_account_logins); a grant (FULL_ACCESS) goes to the case's current login only, any
 * other rights to every login the case ever set rights on, so an account left behind never keeps
 * full access after the case lost it. A launch that moves the case to another login writes a
 * `case.account_changed` event (lib/identity/entry.ts), through which the new login gets the
 * rights of now.
 */
import {
  getCaseAccessState,
  listCaseAccountLogins,
  listCaseEvents,
  recordCaseAccountLogin,
} from "@/lib/db/queries/cases";
import { env, type AccessRights } from "@/lib/env";
import { log } from "@/lib/log";
import { approvalInForce, isMove } from "@/lib/kyc/case-state";
import {
  CASE_MONITORING_CLEARED,
  CASE_MONITORING_HIT,
  CASE_RENEWAL_DUE,
  CASE_VENDOR_ALERT,
  CASE_VENDOR_ALERT_CLEARED,
  readStoredPayload,
  type StoredPayload,
} from "./payload";
import type { AttemptOutcome } from "./webhook";
import type { AttemptNote } from "./attempt-note";

export const CTRADER_ACCOUNT_DESTINATION = "ctrader:account";
const TIMEOUT_MS = 15_000;

type MappedState =
  "approved" | "rejected" | "action_required" | "monitoring_hit" | "renewal_due" | "expired";

export function accessRightsFor(level: string, state: string): AccessRights | undefined {
  const config = env().ctraderAccountUpdate;
  if (!config) return undefined;
  const pick = (key: string) =>
    (config.mapping[key] as Partial<Record<MappedState, AccessRights>> | undefined)?.[
      state as MappedState
    ];
  return pick(level) ?? pick("*");
}

/**
 * The state the access rights follow: while an upgrade (or an early renewal) is open, the approval
 * it started from stays in force, at the approved level; an open monitoring hit outranks an
 * approval, and so does a renewal notice (the hit first: it is the stricter fact).
 */
export function accessState(current: {
  status: string;
  monitoringHitOpen: boolean;
  renewalDue?: boolean;
  approvedLevel?: string | null;
}): string {
  const status = approvalInForce(current) ? "approved" : current.status;
  if (status !== "approved") return status;
  if (current.monitoringHitOpen) return "monitoring_hit";
  return current.renewalDue ? "renewal_due" : "approved";
}

/**
 * The access state as the attempt note names it for the officer: a hold by a vendor's late
 * verdict alone has its own words (`vendor_verdict`), though its rights are `monitoring_hit`'s.
 */
export function shownAccessState(state: string, current: { screeningHitOpen: boolean }): string {
  return state === "monitoring_hit" && !current.screeningHitOpen ? "vendor_verdict" : state;
}

/**
 * The state whose rights hold while the case is in one the mapping does not name: the latest
 * earlier state of the case's moves that it names, for `level`. The walk stops at an approval
 * (one no longer in force never grants rights again) and at the case's start.
 */
export async function standingState(
  caseId: string,
  level: string,
): Promise<{ state: string; rights: AccessRights } | undefined> {
  const moves = (await listCaseEvents(caseId)).filter((e) => isMove(e.event));
  for (const move of moves.reverse()) {
    if (move.toStatus === "approved") return undefined;
    const rights = accessRightsFor(level, move.toStatus);
    if (rights) return { state: move.toStatus, rights };
  }
  return undefined;
}

/** The level whose rights apply: the approved one while an upgrade is open. */
function levelInForce(current: { level: string; approvedLevel: string | null }): string {
  return current.approvedLevel ?? current.level;
}

/** Rounds of "send the rights of now" one delivery makes while the case keeps moving under it. */
const SEND_ROUNDS = 3;
/** The longest one delivery's calls can take: every round's call at its timeout. */
export const CTRADER_LONGEST_SEND_MS = SEND_ROUNDS * TIMEOUT_MS;

export async function updateTradingAccount(stored: unknown): Promise<AttemptOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const read = readStoredPayload(stored);
  if ("error" in read)
    return {
      ok: false,
      httpStatus: null,
      errorKind: "invalid_payload",
      error: read.error,
      durationMs: took(),
      permanent: true,
    };
  const { payload } = read;
  // Two deliveries of one case can be in flight at once (a worker, another replica's first
  // attempt): each reads the case and then calls cTrader, so an older state's call can land
  // after a newer one's. When the case moved on while this call was in flight, the rights of
  // now are sent again (a few rounds at most), so the call landing last carries them.
  // After a move, a later event does not make this one's call superfluous: its call may be the
  // one that landed first; so the re-reads ask for no later event.
  const first = await getCaseAccessState(
    payload.case.id,
    payload.sequence === undefined
      ? null
      : { sequence: payload.sequence, destination: CTRADER_ACCOUNT_DESTINATION },
  );
  let outcome = await setRights(payload, first);
  for (let round = 1; round < SEND_ROUNDS && outcome.sentAt !== undefined; round++) {
    const current = await getCaseAccessState(payload.case.id, null);
    if (current?.eventSeq === outcome.sentAt) break;
    const again = await setRights(payload, current);
    // Nothing to set now (no rights for the state): the call made stands in the note.
    if (again.result.ok && again.sentAt === undefined) break;
    outcome = again;
  }
  return { ...outcome.result, durationMs: took() };
}

/**
 * Where rights apply to the case as read (`current`), one call. `sentAt`: the case's event
 * sequence the rights were read at, when a call set them.
 */
async function setRights(
  payload: StoredPayload,
  current: Awaited<ReturnType<typeof getCaseAccessState>>,
): Promise<{ result: AttemptOutcome; sentAt?: number }> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const config = env().ctraderAccountUpdate;
  const { apiUrl, managerToken } = env().ctrader;
  if (!config || !apiUrl || !current)
    return {
      result: {
        ok: true,
        httpStatus: 204,
        durationMs: took(),
        note: { code: "nothing_to_update" },
      },
    };
  if (current.supersededBy !== null)
    return {
      result: {
        ok: true,
        httpStatus: 204,
        durationMs: took(),
        note: { code: "superseded", by: current.supersededBy },
      },
    };
  const level = levelInForce(current);
  const now = accessState(current);
  const mapped = accessRightsFor(level, now);
  const standing = mapped
    ? { state: now, rights: mapped }
    : await standingState(payload.case.id, level);
  const state = standing?.state ?? now;
  const rights = standing?.rights;
  const caseId = payload.case.id;
  // The account the case is about: the one the trader launched from, else cTrader's login.
  const login = current.account ? Number(current.account) : current.tradingLogin;
  // A trader who moved to another account leaves the earlier one with what the case gave it: a
  // restriction goes to every account the case ever set rights on, a grant only to the current.
  const earlier = rights && rights !== "FULL_ACCESS" ? await listCaseAccountLogins(caseId) : [];
  const logins = [...new Set([...(login ? [login] : []), ...earlier])];
  if (!rights || logins.length === 0)
    return {
      result: {
        ok: true,
        httpStatus: 204,
        durationMs: took(),
        note: !login ? { code: "no_trading_login" } : { code: "no_access_rights", state },
      },
    };
  const eventState =
    payload.type === CASE_MONITORING_HIT
      ? "monitoring_hit"
      : payload.type === CASE_VENDOR_ALERT
        ? "vendor_verdict"
        : payload.type === CASE_MONITORING_CLEARED || payload.type === CASE_VENDOR_ALERT_CLEARED
          ? "approved"
          : payload.type === CASE_RENEWAL_DUE
            ? "renewal_due"
            : payload.case.status;
  const shown = shownAccessState(state, current);
  const note: AttemptNote = {
    code: "rights_set",
    rights,
    state: shown,
    eventState: eventState === shown ? null : eventState,
  };

  // Listed before the call: one that lands with its answer lost still leaves the login known.
  if (login) await recordCaseAccountLogin(caseId, login, new Date());
  // In parallel, so that one round stays within one call's timeout however many accounts. A
  // retry sends to every login again, also those that took the rights before: the PATCH sets an
  // absolute value, so repeating it is harmless, and the rights of now may differ from the
  // failed attempt's.
  const answers = await Promise.all(
    logins.map(async (each) => ({
      login: each,
      answer: await patchRights(apiUrl, config.path, managerToken, each, rights),
    })),
  );
  const gone = goneLogins(answers, login);
  const failure = answers.find((each) => !each.answer.ok && !gone.includes(each.login))?.answer;
  if (failure && !failure.ok) return { result: { ...failure, durationMs: took() } };
  if (gone.length > 0) log.warn("ctrader.account.logins_gone", { caseId, count: gone.length });
  return {
    result: {
      ok: true,
      httpStatus: answers[0]?.answer.httpStatus ?? 204,
      durationMs: took(),
      note: gone.length > 0 ? { ...note, gone } : note,
    },
    sentAt: current.eventSeq,
  };
}

/**
 * The logins left behind that cTrader no longer knows: a deleted account holds no rights, so a
 * restriction has nothing to do there, and the delivery must not retry until dead for it. A 404
 * counts so only when the current login took the same call: that proves the URL right (a wrong
 * CTRADER_ACCOUNT_UPDATE_PATH answers 404 for every login), and a 404 for the current login
 * itself, the one the case is about, stays a failure.
 */
function goneLogins(
  answers: readonly { login: number; answer: Awaited<ReturnType<typeof patchRights>> }[],
  current: number | null,
): number[] {
  const currentTook = answers.some((each) => each.login === current && each.answer.ok);
  if (!currentTook) return [];
  return answers
    .filter((each) => each.login !== current && !each.answer.ok && each.answer.httpStatus === 404)
    .map((each) => each.login);
}

/** One PATCH of the login's access rights: cTrader's status, or why it did not take it. */
async function patchRights(
  apiUrl: string,
  path: string,
  managerToken: string,
  login: number,
  rights: AccessRights,
): Promise<
  { ok: true; httpStatus: number } | Omit<Extract<AttemptOutcome, { ok: false }>, "durationMs">
> {
  const url = new URL(`${apiUrl}${path.replace("{login}", String(login))}`);
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
      return { ok: true, httpStatus: response.status };
    return {
      ok: false,
      httpStatus: response.status,
      errorKind: response.status >= 300 && response.status < 400 ? "redirect" : "http_status",
      // Never the URL: it carries the manager token.
      error: `cTrader answered ${response.status}`,
    };
  } catch (error) {
    const timeout = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      httpStatus: null,
      errorKind: timeout ? "timeout" : "network",
      error: timeout ? "no answer within 15 s" : "network error",
    };
  }
}
