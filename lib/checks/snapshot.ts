/**
 * Builds a check snapshot from what the case holds: the decrypted step data, each read with its
 * step's stored-answers schema (lib/kyc/steps/stored.ts; a draft written by an older version of a
 * step may lack a field)
 * and the current documents with the quality facts analysed from their stored files
 * (lib/documents/analysis.ts, documents.quality). Pure; run.ts does the loading.
 */
import { z } from "zod";
import type { DocumentRow } from "@/lib/db/schema";
import { readDocumentQuality } from "@/lib/documents/stored-quality";
import type { StepDraft } from "@/lib/kyc/drafts";
import type { StepId } from "@/lib/kyc/levels";
import { normalizeDocumentNumber } from "@/lib/kyc/steps/identity-document";
import {
  storedAppropriateness,
  storedIdentityDocument,
  storedPep,
  storedPersonal,
  storedProofOfAddress,
  storedTax,
} from "@/lib/kyc/steps/stored";
import { deriveKey, hmac } from "@/lib/identity/secrets";
import type { CaseSnapshot, SnapshotDocument } from "./types";

type Drafts = Partial<Record<StepId, Pick<StepDraft, "data" | "completed">>>;

/**
 * A completed step's answers, or null when the step is not completed. Answers that do not read
 * with the step's schema are noted in `unreadable` (and null here): a check cannot run on them,
 * and the caller must not take the missing check for a passed one.
 */
function stepData<T>(
  drafts: Drafts,
  step: StepId,
  schema: z.ZodType<T>,
  unreadable: StepId[],
): T | null {
  const draft = drafts[step];
  if (!draft?.completed) return null;
  const parsed = schema.safeParse(draft.data);
  if (parsed.success) return parsed.data;
  unreadable.push(step);
  return null;
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
  const unreadable: StepId[] = [];
  return {
    caseId: input.caseId,
    traderId: input.traderId,
    level: input.level,
    personal: stepData(drafts, "personal", storedPersonal, unreadable),
    identityDocument: stepData(drafts, "identity_document", storedIdentityDocument, unreadable),
    proofOfAddress: stepData(drafts, "proof_of_address", storedProofOfAddress, unreadable),
    tax: stepData(drafts, "tax", storedTax, unreadable),
    pep: stepData(drafts, "pep", storedPep, unreadable),
    appropriateness: stepData(drafts, "appropriateness", storedAppropriateness, unreadable),
    unreadable,
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
