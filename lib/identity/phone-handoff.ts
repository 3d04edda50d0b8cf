/**
 * "Continue on your phone": from a desktop session, a short-lived, single-use token (the screen
 * layer puts it in a link shown as a QR code, lib/inapp/handoff.ts) that opens the same case's
 * upload step in the phone's own browser, where the camera works. Only the token's hash is
 * stored, bound to the trader, the case and the document type; redeeming it starts a session of
 * its own, like a cTrader token.
 */
import { getCaseForTrader } from "@/lib/db/queries/cases";
import { consumePhoneHandoff, insertPhoneHandoff } from "@/lib/db/queries/one-time-tokens";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";
import { log } from "@/lib/log";
import { newToken, sha256 } from "./secrets";
import { startSession, type StartedSession } from "./sessions";

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

export type PhoneEntry =
  { ok: true; session: StartedSession; documentType: string } | { ok: false; reason: "expired" };

export async function enterWithPhoneHandoff(token: string, now = new Date()): Promise<PhoneEntry> {
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return { ok: false, reason: "expired" };
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
    audit: { screen: "upload", documentType: handoff.documentType },
    now,
  });
  log.info("handoff.ok", {});
  return { ok: true, session, documentType: handoff.documentType };
}
