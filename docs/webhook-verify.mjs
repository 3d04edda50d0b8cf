// Verifying a webhook from In-App KYC (Standard Webhooks). Node ≥ 18, no dependencies.
import { createHmac, timingSafeEqual } from "node:crypto";

const TOLERANCE_SECONDS = 5 * 60;

/**
 * secret:  the endpoint's secret from WEBHOOK_ENDPOINTS, "whsec_…"
 * headers: the request headers, lower-case names
 * body:    the raw request body as received (a string; do not parse and re-serialise first)
 * Returns the parsed event; throws when the signature or the timestamp is wrong.
 */
export function verifyWebhook(secret, headers, body, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) throw new Error("missing webhook headers");
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new Error("webhook timestamp outside the tolerance");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  // Several signatures during a secret rotation: one valid v1 signature is enough.
  const valid = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) throw new Error("invalid webhook signature");
  // A retry repeats the webhook-id: process each id once.
  return JSON.parse(body);
}
