/**
 * What the automated checks work on and what they return. A check is a pure function of a case
 * snapshot (the trader's validated step data and current documents, plus the few facts only the
 * database knows, looked up beforehand), so each one can be tested on a crafted snapshot and a
 * run can be reproduced from what was stored.
 */
import type { MrzRead } from "@/lib/documents/mrz-read";
import type { Lookalike } from "@/lib/documents/stored-quality";
import type { StepId } from "@/lib/kyc/levels";
import type { AppropriatenessData } from "@/lib/kyc/steps/appropriateness";
import type { IdentityDocumentData } from "@/lib/kyc/steps/identity-document";
import type { PersonalData } from "@/lib/kyc/steps/personal";
import type { PepData } from "@/lib/kyc/steps/profile";
import type { ProofOfAddressData } from "@/lib/kyc/steps/proof-of-address";
import type { TaxData } from "@/lib/kyc/steps/tax";
import type { VendorName, VendorVerdict, VerdictMissing } from "@/lib/vendors/verdict";

export const CHECK_NAMES = [
  "age",
  "document_expiry",
  "document_country",
  "tax_residence",
  "upload_quality",
  "duplicate_document_number",
  "duplicate_image",
  "pep_declaration",
  "appropriateness",
  "screening",
  "vendor",
  "mrz_match",
  "selfie",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type Outcome = "pass" | "warn" | "fail";

export type CheckResult = {
  check: CheckName;
  outcome: Outcome;
  /** Facts a reviewer needs to see why; never secrets or raw document numbers. */
  evidence: Record<string, unknown>;
  riskPoints: number;
};

export type SnapshotDocument = {
  id: string;
  documentType: string;
  side: string;
  status: string;
  issues: string[];
  usedByOtherTraders: Lookalike[];
  /** A selfie frame's attempt and the prompt it answers (null for other documents). */
  challengeId?: string | null;
  prompt?: string | null;
};

export type CaseSnapshot = {
  caseId: string;
  traderId: string;
  level: string;
  /** Validated step data; null when the step is not part of the level or not completed. */
  personal: Pick<
    PersonalData,
    "givenNames" | "surnames" | "dateOfBirth" | "nationalities" | "country"
  > | null;
  identityDocument: IdentityDocumentData | null;
  proofOfAddress: ProofOfAddressData | null;
  tax: TaxData | null;
  pep: PepData | null;
  appropriateness: Pick<AppropriatenessData, "result" | "score" | "maxScore"> | null;
  /**
   * Completed steps whose stored answers do not read with their schema (lib/kyc/steps/stored.ts):
   * their checks cannot run, so the run fails instead of passing without them (run.ts).
   */
  unreadable: StepId[];
  documents: SnapshotDocument[];
  /**
   * The identity document's machine-readable zone as read from its photo; absent when the MRZ
   * check is off or the document kind has no zone (a driving licence), null when no image of it
   * was uploaded (a PDF).
   */
  mrz?: MrzRead | null;
  /** Other traders' cases with the same identity document (fingerprint lookup). */
  sameDocumentElsewhere: { traderId: string; caseId: string }[];
  /**
   * The vendor the level uses and its final verdict, absent without one. The verdict is null
   * until the webhook brought it, or when there is none to be had (`missing`).
   */
  vendor?: { vendor: VendorName; verdict: VendorVerdict | null; missing?: VerdictMissing | null };
};
