/**
 * What a verification vendor's result means to us, whichever vendor produced it: one schema for
 * the adapters that write it (lib/vendors/sumsub.ts, onfido.ts) and every reader (the checks that
 * store it as evidence, the console that shows it). The vendor's own labels travel along so a
 * reviewer can look them up in the vendor's documentation; the signals are our closed vocabulary.
 */
import { z } from "zod";
import { sessionRefusalWords, type SessionRefusalWords } from "@/lib/documents/upload-contract";
import { errorBodySchema } from "@/lib/http/error-body";

export const VENDORS = ["sumsub", "onfido"] as const;
export type VendorName = (typeof VENDORS)[number];

/** One aspect of the vendor's verdict. `not_run` when the vendor's level/report set lacks it. */
export const signalSchema = z.enum(["clear", "consider", "not_run"]);
export type Signal = z.infer<typeof signalSchema>;

export const SIGNALS = ["documentAuthenticity", "faceMatch", "liveness", "watchlist"] as const;

export const vendorVerdictSchema = z.strictObject({
  vendor: z.enum(VENDORS),
  /** The vendor's id of what was decided (Sumsub applicant, Onfido check). */
  reference: z.string().min(1).max(200),
  /**
   * `approved`/`declined` are the vendor's final answers; `review` means the vendor itself asks a
   * person to look; `pending` means no answer yet. None of them decides our case: a verdict is
   * evidence for our checks and reviewers (docs/vendors.md).
   */
  outcome: z.enum(["approved", "declined", "review", "pending"]),
  /** The vendor says the trader may try again (Sumsub RETRY, Onfido's resubmission reasons). */
  retryAllowed: z.boolean(),
  signals: z.strictObject({
    documentAuthenticity: signalSchema,
    faceMatch: signalSchema,
    liveness: signalSchema,
    watchlist: signalSchema,
  }),
  /** The vendor's own reason codes (Sumsub reject labels, Onfido report sub-results). */
  labels: z.array(z.string().max(100)).max(100),
  completedAt: z.string().datetime({ offset: true }).nullable(),
});
export type VendorVerdict = z.infer<typeof vendorVerdictSchema>;

/**
 * Why a capture the vendor finished has no verdict to read: its API answered that the check its
 * webhook named does not exist (`verdict_unavailable`), or the stored verdict does not match
 * vendorVerdictSchema (`verdict_unreadable`: written by hand or by a version that stored another
 * shape). Either warns in the checks, so no auto-approval rests on it.
 */
export const VERDICT_MISSING = ["verdict_unavailable", "verdict_unreadable"] as const;
export type VerdictMissing = (typeof VERDICT_MISSING)[number];

/**
 * What the trader's screen needs to run the vendor's capture: both adapters embed the vendor's web
 * SDK in our page with a short-lived token. The vendors' hosted links (Sumsub's websdkLink, Onfido
 * Studio's workflow link) are pages to open or redirect to, which cTrader's embedded browser cannot
 * leave, so no adapter offers them.
 */
export const vendorSessionSchema = z.strictObject({
  vendor: z.enum(VENDORS),
  /** Short-lived SDK token: never stored, never logged. */
  token: z.string().min(1),
  /** The vendor's id to keep with the case (applicant). */
  reference: z.string().min(1),
});
export type VendorSession = z.infer<typeof vendorSessionSchema>;

/**
 * What the capture screen makes of a refused start or finish call, as the key of its words:
 * `erased` when the case was erased under the retention rules meanwhile (410 `case_erased`:
 * nothing more can be recorded, the trader starts again from the trading app); the session's own
 * words (SESSION_REFUSAL_WORDS, as the upload and selfie screens) for a session that ended or a
 * window of an earlier sign-in, where trying again cannot help; else `failed` (it may).
 */
export function captureRefusal(
  status: number,
  body: unknown,
): "erased" | SessionRefusalWords | "failed" {
  const read = errorBodySchema.safeParse(body);
  const reason = read.success ? read.data.reason : undefined;
  if (status === 410 && reason === "case_erased") return "erased";
  return sessionRefusalWords(reason) ?? "failed";
}

/** A verified webhook, reduced to what we act on: which reference changed, and whether it is final. */
export type VendorEvent = {
  vendor: VendorName;
  /** The id the verdict is fetched by (Sumsub applicant id, Onfido check id). */
  reference: string;
  /** Our case, when the vendor echoes the id we gave it (Sumsub externalUserId). */
  externalId: string | undefined;
  /** True when the verdict can be fetched now; false for progress events we only log. */
  completed: boolean;
  type: string;
};

export type StartInput = {
  /** Our case id: sent as the vendor's external id so its webhooks name the case. */
  caseId: string;
  level: string;
  locale: string;
  email?: string;
  givenNames?: string;
  surnames?: string;
};

/**
 * A verification vendor as a plug-in: start a verification for a case, check and read its
 * webhooks, fetch the verdict and the vendor's report for the console. Adapters are built from a
 * config object (no env reads inside) so two vendors, or two accounts, can coexist in tests.
 */
export interface VerificationVendor {
  readonly name: VendorName;
  start(input: StartInput): Promise<VendorSession>;
  /**
   * The trader finished the vendor's capture on our screen: returns the reference the verdict
   * will come under (Sumsub reviews the applicant by itself; Onfido needs a check started).
   */
  captureDone(sessionReference: string): Promise<string>;
  /** Throws AppError UNAUTHENTICATED when the signature is missing or wrong; never parses first. */
  readWebhook(rawBody: Uint8Array, headers: Headers): VendorEvent;
  verdict(reference: string): Promise<VendorVerdict>;
  report(reference: string): Promise<{ contentType: string; body: Uint8Array }>;
}

/**
 * A verdict that does not clear the trader: the vendor declined or asks a person to look, or one
 * of its signals (its watchlist among them) says "consider".
 */
export function verdictRaisesConcern(verdict: VendorVerdict): boolean {
  return (
    verdict.outcome === "declined" ||
    verdict.outcome === "review" ||
    SIGNALS.some((s) => verdict.signals[s] === "consider")
  );
}

/**
 * The evidence of a `vendor_verdict` review task: a concerning verdict that arrived after a person
 * approved the case. Written by lib/vendors/verification.ts, read by the console's case page.
 */
export const lateVerdictTaskData = z.strictObject({
  vendor: z.enum(VENDORS),
  reference: z.string().min(1).max(200),
  outcome: vendorVerdictSchema.shape.outcome,
  considered: z.array(z.enum(SIGNALS)),
  labels: vendorVerdictSchema.shape.labels,
});
export type LateVerdictTaskData = z.infer<typeof lateVerdictTaskData>;
