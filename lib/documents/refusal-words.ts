/**
 * What the upload screen says for a refusal of the upload API (UPLOAD_REFUSALS, SESSION_REFUSALS
 * in upload-contract.ts): its own words for the reason, the catalog's `other` for a reason it has
 * none for. A refusal's `message` is English for logs and integrators and is never shown. Apart
 * from the contract so the screen's first load carries no zod.
 */
export function refusalWords(
  words: Readonly<Record<string, string>>,
  refusal: { reason: string; message?: string } | null,
  fallback: string,
): string {
  // No refusal body at all (a proxy's error page, a network failure): the generic failure.
  if (!refusal) return fallback;
  return (Object.hasOwn(words, refusal.reason) ? words[refusal.reason] : words.other) ?? fallback;
}
