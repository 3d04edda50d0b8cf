/**
 * "Continue on your phone": from a desktop session, a short-lived, single-use token (the screen
 * layer puts it in a link shown as a QR code, lib/inapp/handoff.ts) that opens the same case's
 * upload step in the phone's own browser, where the camera works. Only the token's hash is
 * stored, bound to the trader, the case and the document type.
 *
 * A link can be forwarded: someone may send their own link to a victim hoping the victim's
 * passport lands in the sender's case. So opening the link (GET, also what link-preview bots
 * do) only describes it — the masked account it belongs to — and spends nothing; the trader's
 * click (POST) redeems it. The session it starts is scoped (lib/identity/sessions.ts): that case
 * and document type, the documents API only, PHONE_SESSION_MINUTES at most.
 */
import { getCaseForTrader } from "@/lib/db/queries/cases";
import {
  consumePhoneHandoff,
  getLivePhoneHandoff,
  insertPhoneHandoff,
} from "@/lib/db/queries/one-time-tokens";
import { getLivePhoneSessions } from "@/lib/db/queries/sessions";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";
import { log } from "@/lib/log";
import { newToken, sha256 } from "./secrets";
import { idleCutoff, idleEnd, startSession, type StartedSession } from "./sessions";

export const PHONE_HANDOFF_MINUTES = 10;

export async function createPhoneHandoff(
  input: {
    traderId: string;
    caseId: string;
    documentType: string;
    locale: string;
    theme: string | null;
  },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date; minutes: number }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + PHONE_HANDOFF_MINUTES * 60_000);
  await insertPhoneHandoff({
    tokenHash: sha256(token),
    traderId: input.traderId,
    caseId: input.caseId,
    documentType: input.documentType,
    locale: input.locale,
    theme: input.theme,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt, minutes: PHONE_HANDOFF_MINUTES };
}

/**
 * Until when the desktop follows the phone's uploads once its link has expired: until the live
 * phone session a link for this document type started can no longer upload, or `now` when there
 * is none (never redeemed, or already over: nothing can upload, so there is nothing to wait for).
 * A session can upload until its absolute end or until it goes idle, whichever comes first; a
 * phone that keeps uploading puts its idle end off, which the desktop learns by asking again when
 * this runs out (lib/inapp/handoff-follow.ts).
 */
export async function phoneSessionEnd(
  owner: { traderId: string; caseId: string },
  documentType: string,
  now = new Date(),
): Promise<Date> {
  const live = await getLivePhoneSessions(owner, documentType, now, idleCutoff(now));
  const ends = live.map(({ expiresAt, lastSeenAt }) =>
    Math.min(expiresAt.getTime(), idleEnd(lastSeenAt).getTime()),
  );
  return new Date(Math.max(now.getTime(), ...ends));
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

/** Enough of an e-mail address to recognise one's own, not enough to learn someone else's. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : "";
  return `${local[0]}•••@${host[0] ?? ""}•••${tld}`;
}

/** The last three digits of a trading login: what a trader recognises in their own account. */
export function maskLogin(login: number): string {
  return `•••${String(login).slice(-3)}`;
}

/** The account a screen names before it acts, masked: enough for a trader to recognise. */
export type MaskedAccount = { login: string | null; email: string | null };

export function maskedAccount(trader: {
  tradingLogin: number | null;
  email: string | null;
}): MaskedAccount {
  return {
    login: trader.tradingLogin === null ? null : maskLogin(trader.tradingLogin),
    email: trader.email === null ? null : maskEmail(trader.email),
  };
}

export type HandoffDescription =
  | {
      ok: true;
      documentType: string;
      expiresAt: Date;
      account: MaskedAccount;
    }
  | { ok: false; reason: "expired" };

/** What the confirmation page shows before the trader redeems the link; consumes nothing. */
export async function describePhoneHandoff(
  token: string,
  now = new Date(),
): Promise<HandoffDescription> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: "expired" };
  const found = await getLivePhoneHandoff(sha256(token), now);
  if (!found) return { ok: false, reason: "expired" };
  return {
    ok: true,
    documentType: found.handoff.documentType,
    expiresAt: found.handoff.expiresAt,
    account: maskedAccount(found),
  };
}

export type PhoneEntry =
  { ok: true; session: StartedSession; documentType: string } | { ok: false; reason: "expired" };

export async function enterWithPhoneHandoff(token: string, now = new Date()): Promise<PhoneEntry> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: "expired" };
  const handoff = await consumePhoneHandoff(sha256(token), now);
  if (!handoff) {
    log.warn("handoff.refused", { reason: "unknown_used_or_expired" });
    return { ok: false, reason: "expired" };
  }
  // The case must still be the trader's and still accept documents.
  const kycCase = await getCaseForTrader(handoff.caseId, handoff.traderId);
  if (!kycCase || kycCase.closedAt || !EDITABLE_STATUSES.has(kycCase.status)) {
    log.warn("handoff.refused", { reason: "case_not_editable" });
    return { ok: false, reason: "expired" };
  }
  const session = await startSession({
    traderId: handoff.traderId,
    caseId: handoff.caseId,
    identityMode: "phone-handoff",
    locale: handoff.locale,
    theme: handoff.theme,
    source: null,
    account: null,
    documentScope: handoff.documentType,
    audit: { screen: "upload", documentType: handoff.documentType },
    now,
  });
  log.info("handoff.ok", {});
  return { ok: true, session, documentType: handoff.documentType };
}
