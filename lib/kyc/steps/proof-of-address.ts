/**
 * The proof of address step: a utility bill or a bank statement issued within the last three
 * months, showing the address given in the personal step. Older documents are refused here.
 */
import {
  addUtcMonths,
  choice,
  isoDate,
  isoDay,
  parseWithSchema,
  startOfUtcDay,
  stepObject,
  type DateRange,
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

/**
 * The issue dates the step accepts: the last three months, today included. The schema checks
 * against it and the date field carries it as `min`/`max`, so a phone's picker offers no date
 * the step would refuse.
 */
export function issueDateRange(now: Date): DateRange {
  const today = startOfUtcDay(now);
  return {
    min: isoDay(addUtcMonths(today, -ADDRESS_DOCUMENT_MAX_AGE_MONTHS)),
    max: isoDay(today),
  };
}

export function proofOfAddressSchema(now: Date) {
  const issue = issueDateRange(now);
  return stepObject(proofOfAddressFields, {
    addressDocumentKind: choice(ADDRESS_DOCUMENT_KINDS),
    issueDate: isoDate((date) =>
      isoDay(date) > issue.max
        ? "dateInFuture"
        : isoDay(date) < issue.min
          ? "documentTooOld"
          : undefined,
    ),
  });
}

export function parseProofOfAddress(values: StepValues, now: Date): StepParse<ProofOfAddressData> {
  return parseWithSchema(proofOfAddressSchema(now), values);
}
