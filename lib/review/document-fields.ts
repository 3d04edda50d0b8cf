/**
 * What each document should show, next to what the trader typed: the reviewer compares the
 * picture with these fields (the name and birth date on the passport, the address on the bill).
 * The list is per document type; values come from the case's current step answers.
 */
import { readDocumentQuality } from "@/lib/documents/stored-quality";
import type { StepId } from "@/lib/kyc/levels";
import type { CaseFileBase } from "./case-file";

type FieldRef = readonly [StepId, string];

const NAME: FieldRef[] = [
  ["personal", "givenNames"],
  ["personal", "surnames"],
];

/** For each document type, the typed fields that document should show. */
export const DOCUMENT_SHOWS: Record<string, readonly FieldRef[] | readonly [StepId, "*"][]> = {
  identity: [
    ...NAME,
    ["personal", "dateOfBirth"],
    ["personal", "nationalities"],
    ["identity_document", "documentKind"],
    ["identity_document", "documentNumber"],
    ["identity_document", "issuingCountry"],
    ["identity_document", "expiryDate"],
  ],
  address: [
    ...NAME,
    ["personal", "addressLine1"],
    ["personal", "addressLine2"],
    ["personal", "postcode"],
    ["personal", "city"],
    ["personal", "country"],
    ["proof_of_address", "addressDocumentKind"],
    ["proof_of_address", "issueDate"],
  ],
  /** Proof of the source of funds: every answer of that step. */
  additional: [["source_of_funds", "*"]],
};

export type TypedField = { step: StepId; field: string; value: unknown };

export type DocumentComparison = {
  documentType: string;
  documents: {
    id: string;
    side: string;
    /** The kind of identity document picked when it was uploaded (null: none, or not identity). */
    identityKind: string | null;
    contentType: string | null;
    status: string;
    /** A selfie frame's liveness prompt (null for other documents). */
    prompt: string | null;
    /** A selfie prompt's camera frames, side by side in its picture (null: one picture). */
    burstFrames: number | null;
  }[];
  fields: TypedField[];
};

function answers(file: CaseFileBase, step: StepId): Record<string, unknown> {
  const draft = file.progress.drafts[step];
  return draft?.data ?? draft?.values ?? {};
}

/** The case's documents grouped by type, each group with the typed fields it should show. */
export function documentComparisons(file: CaseFileBase): DocumentComparison[] {
  const types = [...new Set(file.documents.map((d) => d.documentType))];
  return types.map((documentType) => {
    const refs = DOCUMENT_SHOWS[documentType] ?? [];
    const fields = refs.flatMap(([step, field]): TypedField[] => {
      const data = answers(file, step);
      if (field === "*")
        return Object.entries(data).map(([f, value]) => ({ step, field: f, value }));
      return [{ step, field, value: data[field] ?? null }];
    });
    return {
      documentType,
      documents: file.documents
        .filter((d) => d.documentType === documentType)
        .map((d) => ({
          id: d.id,
          side: d.side,
          identityKind: d.identityKind,
          contentType: d.contentType,
          status: d.status,
          prompt: d.prompt ?? null,
          burstFrames: readDocumentQuality(d.quality).burstFrames ?? null,
        })),
      fields,
    };
  });
}
