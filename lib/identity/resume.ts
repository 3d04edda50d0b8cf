/**
 * "Continue in a new window". cTrader Web shows our screens in a cross-site iframe; a browser
 * that blocks third-party cookies and does not support partitioned ones (Safari without CHIPS)
 * drops the session cookie the entry set, so the screen after the 303 knows no session. For that
 * case every full session starts with a one-use code, valid RESUME_MINUTES, that the landing URL
 * carries (lib/inapp/entry.ts). A framed screen without its cookie offers to open the
 * verification in a new top-level window, where our cookie is first-party; the button posts the
 * code, which starts a new session for the same trader and case (revoking the framed one).
 *
 * The same code serves a launch another site sent the browser to (possibly someone else's launch
 * URL, so that the trader's documents land in the sender's verification): that session starts
 * without its cookie, and the landing screen asks whether the masked account is the trader's
 * before the button spends the code.
 *
 * The code is a bearer credential in a URL, so it is narrowed: it is retired as soon as its own
 * session's cookie arrives (the usual case: the code never outlives the first screen); it lives
 * RESUME_MINUTES at most; the offer shows only inside a frame (`Sec-Fetch-Dest: iframe`, and
 * only cTrader may frame us) or at top level when another site sent the browser there, always
 * with the account it belongs to masked, so a landing URL someone forwards by mail or chat shows
 * the expired screen; and the redemption is a same-origin form post. Whoever posts a live code
 * in time still opens the session: query strings stay out of access logs.
 */
import { getResumableSession, retireResume as retireResumeQuery } from "@/lib/db/queries/sessions";
import { log } from "@/lib/log";
import { maskedAccount, type MaskedAccount } from "./phone-handoff";
import { sha256, TOKEN_PATTERN } from "./secrets";
import { idleCutoff, startResumedSession, type StartedSession } from "./sessions";

export type ResumeDescription = { ok: true; account: MaskedAccount } | { ok: false };

/** Whose session a code reopens (masked), while it can; spends nothing. */
export async function describeResume(code: string, now = new Date()): Promise<ResumeDescription> {
  if (!TOKEN_PATTERN.test(code)) return { ok: false };
  const found = await getResumableSession(sha256(code), now, idleCutoff(now));
  if (!found) return { ok: false };
  return { ok: true, account: maskedAccount(found.trader) };
}

/** The session's own cookie came back with its code: the code is not needed, and stops working. */
export async function retireResume(code: string, cookieValue: string): Promise<void> {
  if (!TOKEN_PATTERN.test(code) || !TOKEN_PATTERN.test(cookieValue)) return;
  await retireResumeQuery(sha256(code), sha256(cookieValue));
}

/**
 * Spends the code and starts a new full session for the same trader, case and presentation, in
 * one transaction: a second click, or a failure, leaves nothing half done. The new session
 * revokes the trader's others, the framed one among them.
 */
export async function resumeSession(
  code: string,
  screen: string,
  now = new Date(),
): Promise<{ ok: true; session: StartedSession } | { ok: false }> {
  if (!TOKEN_PATTERN.test(code)) return { ok: false };
  const resumeHash = sha256(code);
  const found = await getResumableSession(resumeHash, now, idleCutoff(now));
  const framed = found?.session;
  const session =
    framed &&
    (await startResumedSession(
      {
        traderId: framed.traderId,
        caseId: framed.caseId,
        identityMode: framed.identityMode === "sso" ? "sso" : "ot-handoff",
        locale: framed.locale,
        theme: framed.theme,
        source: framed.source,
        account: framed.account,
        audit: { screen, resumed: true },
        now,
      },
      resumeHash,
    ));
  if (!session) {
    log.warn("resume.refused", { reason: "unknown_used_or_expired" });
    return { ok: false };
  }
  log.info("resume.ok", { screen });
  return { ok: true, session };
}
