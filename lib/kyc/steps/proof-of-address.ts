/**
 * The proof of address step: a utility bill or a bank statement issued within the last three
 * months, showing the address given in the personal step. Older documents are refused here.
 */
import {
  addUtcMonths,
  choice,
  isoDate,
  parseWithSchema,
  startOfUtcDay,
  stepObject,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";

export const ADDRESS_DOCUMENT_KINDS = ["utility_bill", "bank_statement"] as const;
export const ADDRESS_DOCUMENT_MAX_AGE_MONTHS = 3;

export const proofOfAddressFields: readonly FieldSpec[] = [
  { name: "addressDocumentKind", kind: "radio", options: ADDRESS_DOCUMENT_KINDS, required: true },
  { name: "issueDate", kind: "date", maxLength: 10, required: true, hint: true },
];

export type ProofOfAddressData = {
  addressDocumentKind: (typeof ADDRESS_DOCUMENT_KINDS)[number];
  issueDate: string;
};

export function proofOfAddressSchema(now: Date) {
  const today = startOfUtcDay(now);
  return stepObject(proofOfAddressFields, {
    addressDocumentKind: choice(ADDRESS_DOCUMENT_KINDS),
    issueDate: isoDate((issued) =>
      issued > today
        ? "dateInFuture"
        : issued < addUtcMonths(today, -ADDRESS_DOCUMENT_MAX_AGE_MONTHS)
          ? "documentTooOld"
          : undefined,
    ),
  });
}

export function parseProofOfAddress(values: StepValues, now: Date): StepParse<ProofOfAddressData> {
  return parseWithSchema(proofOfAddressSchema(now), values);
}
