/**
 * The answer of POST /api/inapp/handoff ("continue on your phone"), written by the route and read
 * by the upload screen's QR panel: one schema, so the panel cannot miss a field the route stopped
 * sending. Bundled for the browser: zod/mini only, like upload-contract.ts.
 */
import * as z from "zod/mini";
import {
  refusalResponse,
  sessionRefusalWords,
  type SessionRefusalWords,
} from "@/lib/documents/upload-contract";

export const phoneHandoffResponse = z.object({
  /** The single-use link the QR code holds. */
  url: z.string(),
  /** The QR code, as a data: URL. */
  qr: z.string(),
  /** How long the link lives, for the sentence that says so. */
  minutes: z.int().check(z.positive()),
  /** When the link stops working (ISO 8601), as the server decided it. */
  expiresAt: z.string(),
  /**
   * The same, counted from the answer: the panel times the expiry with it, so a desktop whose
   * clock is off still shows the code as expired when the server stops taking it.
   */
  expiresInSeconds: z.int().check(z.nonnegative()),
});
export type PhoneHandoffResponse = z.infer<typeof phoneHandoffResponse>;

/**
 * The answer of GET /api/inapp/handoff?documentType=…, which the panel asks once its link has
 * expired: how much longer a phone session made from a link for this document type can upload.
 * 0 when no link was redeemed: the panel stops following then, a redeemed one keeps it going.
 */
export const phoneFollowResponse = z.object({
  followInSeconds: z.int().check(z.nonnegative()),
});
export type PhoneFollowResponse = z.infer<typeof phoneFollowResponse>;

/**
 * What the panel says when no link came: the session's words (lib/inapp/refusal-words.ts) for a
 * session that ended or a window of an earlier sign-in, where a new try cannot help; otherwise
 * (a refusal, a failure, no answer) `phoneUnavailable`, with a button to try again.
 */
export function handoffFailureWords(body: unknown): SessionRefusalWords | "phoneUnavailable" {
  const refusal = refusalResponse.safeParse(body);
  return (
    sessionRefusalWords(refusal.success ? refusal.data.reason : undefined) ?? "phoneUnavailable"
  );
}
