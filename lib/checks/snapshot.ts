/**
 * Builds a check snapshot from what the case holds: the decrypted, validated step data (each
 * parsed again here, because a draft written by an older version of a step may lack a field)
 * and the current documents with the quality facts analysed from their stored files
 * (lib/documents/analysis.ts, documents.quality). Pure; run.ts does the loading.
 */
import { z } from "zod";
import type { DocumentRow } from "@/lib/db/schema";
import { readDocumentQuality } from "@/lib/documents/stored-quality";
import type { StepDraft } from "@/lib/kyc/drafts";
import type { StepId } from "@/lib/kyc/levels";
import {
  IDENTITY_DOCUMENT_KINDS,
  normalizeDocumentNumber,
} from "@/lib/kyc/steps/identity-document";
import { deriveKey, hmac } from "@/lib/identity/secrets";
import type { CaseSnapshot, SnapshotDocument } from "./types";

const personalSchema = z.object({
  givenNames: z.string(),
  surnames: z.string(),
  dateOfBirth: z.string(),
  nationalities: z.array(z.string()),
  country: z.string(),
});
const identitySchema = z.object({
  documentKind: z.enum(IDENTITY_DOCUMENT_KINDS),
  documentNumber: z.string(),
  issuingCountry: z.string(),
  expiryDate: z.string(),
});
const addressSchema = z.object({
  addressDocumentKind: z.enum(["utility_bill", "bank_statement"]),
  issueDate: z.string(),
  country: z.string().optional(),
});
const taxSchema = z.object({
  taxResidences: z.array(
    z.object({
      country: z.string(),
      tin: z.string().nullable(),
      noTinReason: z.enum(["not_issued", "unable_to_obtain", "not_required"]).nullable(),
    }),
  ),
});
const pepSchema = z.object({
  isPep: z.boolean(),
  pepRelation: z.string().nullable(),
  pepPosition: z.string().nullable(),
  pepCountry: z.string().nullable(),
});
const appropriatenessSchema = z.object({
  result: z.enum(["appropriate", "not_appropriate"]),
  score: z.number(),
  maxScore: z.number(),
});
type Drafts = Partial<Record<StepId, Pick<StepDraft, "data" | "completed">>>;

function stepData<T>(drafts: Drafts, step: StepId, schema: z.ZodType<T>): T | null {
  const draft = drafts[step];
  if (!draft?.completed) return null;
  const parsed = schema.safeParse(draft.data);
  return parsed.success ? parsed.data : null;
}

export function snapshotDocuments(rows: readonly DocumentRow[]): SnapshotDocument[] {
  return rows
    .filter((d) => d.status !== "pending" && d.replacedAt === null)
    .map((d) => {
      const quality = readDocumentQuality(d.quality);
      return {
        id: d.id,
        documentType: d.documentType,
        side: d.side,
        status: d.status,
        issues: quality.issues ?? [],
        usedByOtherTraders: quality.usedByOtherTraders ?? [],
        challengeId: d.challengeId,
        prompt: d.prompt,
      };
    });
}

export function buildSnapshot(input: {
  caseId: string;
  traderId: string;
  level: string;
  drafts: Drafts;
  documents: readonly DocumentRow[];
  sameDocumentElsewhere?: CaseSnapshot["sameDocumentElsewhere"];
}): CaseSnapshot {
  const { drafts } = input;
  return {
    caseId: input.caseId,
    traderId: input.traderId,
    level: input.level,
    personal: stepData(drafts, "personal", personalSchema),
    identityDocument: stepData(drafts, "identity_document", identitySchema),
    proofOfAddress: stepData(drafts, "proof_of_address", addressSchema),
    tax: stepData(drafts, "tax", taxSchema),
    pep: stepData(drafts, "pep", pepSchema),
    appropriateness: stepData(drafts, "appropriateness", appropriatenessSchema),
    documents: snapshotDocuments(input.documents),
    sameDocumentElsewhere: input.sameDocumentElsewhere ?? [],
  };
}

export const IDENTITY_FINGERPRINT_KIND = "identity_document";

/**
 * Keyed fingerprint of an identity document: HMAC over issuing country and normalized number,
 * with a key of its own derived from APP_SECRET. Equal documents give equal fingerprints; the
 * stored value reveals nothing about the number without the secret.
 */
export function identityFingerprint(
  appSecret: string,
  document: { issuingCountry: string; documentNumber: string },
): string {
  const key = deriveKey(appSecret, "identity-fingerprint");
  return hmac(
    key,
    `${document.issuingCountry.toUpperCase()}:${normalizeDocumentNumber(document.documentNumber)}`,
  );
}
