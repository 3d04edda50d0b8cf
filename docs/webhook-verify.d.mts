/** Types of docs/webhook-verify.mjs (the receivers' verifier, docs/webhooks.md). */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  nowSeconds?: number,
): unknown;
