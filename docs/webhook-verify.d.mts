/** Types of docs/webhook-verify.mjs (the receiver's verification snippet in the README). */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  nowSeconds?: number,
): unknown;
