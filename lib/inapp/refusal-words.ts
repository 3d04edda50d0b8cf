/**
 * The words the upload, selfie and vendor-capture screens are handed for the upload API's refusals, resolved on
 * the server in the trader's language (the client components ship no catalog). One place for the
 * page and its test: every reason the API can answer has words, a session's own refusals
 * (SESSION_REFUSAL_WORDS) say what to do next, and `other` covers a reason the screen does not
 * know, so a refusal's English `message` is never what the trader reads.
 */
import {
  SESSION_REFUSAL_WORDS,
  SESSION_REFUSALS,
  UPLOAD_REFUSALS,
  type SessionRefusalWords,
} from "@/lib/documents/upload-contract";

/** The `Errors` messages of the session refusals. */
type ErrorWords = (key: SessionRefusalWords) => string;

/** The session refusals' words by their `Errors` key: labels of the selfie screen. */
export function sessionRefusalLabels(errors: ErrorWords): Record<SessionRefusalWords, string> {
  return Object.fromEntries(
    Object.values(SESSION_REFUSAL_WORDS).map((key) => [key, errors(key)]),
  ) as Record<SessionRefusalWords, string>;
}

/** The `VendorStep` messages the capture screen shows. */
type VendorWords = (
  key: "start" | "loading" | "failed" | "doneFailed" | "caseErased" | "retry",
) => string;

/**
 * The vendor capture's labels: its own words, and the session's for a refusal the session gave
 * (captureRefusal in lib/vendors/verdict.ts names the label), so an ended session or an earlier
 * sign-in's window is told what to do instead of "the check could not start".
 */
export function vendorStepLabels(vendor: VendorWords, errors: ErrorWords) {
  return {
    start: vendor("start"),
    loading: vendor("loading"),
    failed: vendor("failed"),
    doneFailed: vendor("doneFailed"),
    erased: vendor("caseErased"),
    retry: vendor("retry"),
    ...sessionRefusalLabels(errors),
  };
}
export type VendorStepLabels = ReturnType<typeof vendorStepLabels>;

/**
 * The upload screen's words by reason: the `Upload.refused` message of each reason (its `other`
 * where the catalog has none of its own), the session's words where it has them.
 */
export function uploadRefusalMessages(
  refused: (reason: string) => string,
  errors: ErrorWords,
): Record<string, string> {
  const words: Record<string, string> = Object.fromEntries(
    [...UPLOAD_REFUSALS, ...SESSION_REFUSALS, "other"].map((reason) => [reason, refused(reason)]),
  );
  for (const [reason, key] of Object.entries(SESSION_REFUSAL_WORDS)) words[reason] = errors(key);
  return words;
}
