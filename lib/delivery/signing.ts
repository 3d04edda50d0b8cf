/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the receiver proves the body
 * came from us, unchanged, recently. We sign the exact bytes we send:
 *
 *   webhook-signature: v1,<base64 HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")>
 *
 * one `v1,…` entry per configured secret, space-separated, so a receiver that knows either the
 * old or the new secret verifies during a rotation. Secrets are `whsec_<base64>`; the HMAC key is
 * the decoded bytes, not the text. The receiver side is docs/webhook-verify.mjs (in the README).
 */
import { createHmac } from "node:crypto";

export type SignedHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

export function signatureFor(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

export function signWebhook(input: {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): SignedHeaders {
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": input.secrets
      .map((s) => signatureFor(s, input.id, input.timestamp, input.body))
      .join(" "),
  };
}
