/**
 * The answer of POST /api/inapp/handoff ("continue on your phone"), written by the route and read
 * by the upload screen's QR panel: one schema, so the panel cannot miss a field the route stopped
 * sending. Bundled for the browser: zod/mini only, like upload-contract.ts.
 */
import * as z from "zod/mini";

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
