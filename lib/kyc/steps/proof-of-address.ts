/**
 * The proof of address step: a utility bill or a bank statement issued within the last three
 * months, showing the address given in the personal step. Older documents are refused here.
 */
import {
  ErrorCollector,
  addUtcMonths,
  checkChoice,
  parseIsoDate,
  startOfUtcDay,
  str,
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

export function parseProofOfAddress(values: StepValues, now: Date): StepParse<ProofOfAddressData> {
  const e = new ErrorCollector();
  const kind = str(values, "addressDocumentKind");
  e.set("addressDocumentKind", checkChoice(kind, ADDRESS_DOCUMENT_KINDS));
  const raw = str(values, "issueDate");
  const date = parseIsoDate(raw);
  const today = startOfUtcDay(now);
  if (!raw) e.set("issueDate", "required");
  else if (!date) e.set("issueDate", "invalidDate");
  else if (date > today) e.set("issueDate", "dateInFuture");
  else if (date < addUtcMonths(today, -ADDRESS_DOCUMENT_MAX_AGE_MONTHS))
    e.set("issueDate", "documentTooOld");
  if (!e.ok) return { ok: false, errors: e.errors };
  return {
    ok: true,
    data: {
      addressDocumentKind: kind as ProofOfAddressData["addressDocumentKind"],
      issueDate: raw,
    },
  };
}
