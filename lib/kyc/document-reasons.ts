/**
 * Why a document is asked again, as the trader reads it. A requirement's `reason` is either a
 * code the requirements set (each worded by an `Upload` message, DOCUMENT_REASON_WORDS) or a
 * reviewer's own words, shown as written. The overview, the status and upload screens, and the
 * upload screen's client after it reads the sides again (GET /api/inapp/documents answers the
 * code) all word it here, so a code never reaches the trader. Apart from requirements.ts, and
 * importing nothing, so the upload screen's bundle carries only this.
 */

/** The reason of a bill asked again because the address changed. */
export const ADDRESS_CHANGED = "address_changed";

/** Each reason code's message in the `Upload` namespace. */
export const DOCUMENT_REASON_WORDS = { [ADDRESS_CHANGED]: "addressChanged" } as const;
export type DocumentReasonWords =
  (typeof DOCUMENT_REASON_WORDS)[keyof typeof DOCUMENT_REASON_WORDS];

/** The words of every reason code in the trader's language (`Upload` messages), by code. */
export function documentReasonLabels(
  upload: (key: DocumentReasonWords) => string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DOCUMENT_REASON_WORDS).map(([code, key]) => [code, upload(key)]),
  );
}

/** What the trader reads for a requirement's reason: a code's words, else the reason as written. */
export function documentReason(
  labels: Readonly<Record<string, string>>,
  reason: string | null,
): string | null {
  if (reason === null) return null;
  return Object.hasOwn(labels, reason) ? (labels[reason] ?? reason) : reason;
}
