/**
 * The identity document step: which document the trader will upload, its number, issuing
 * country and expiry. An expired document is refused here, before anything is uploaded. The
 * kind decides what the upload screen asks for (a passport page; both sides of an ID card or a
 * driving licence).
 */
import {
  ErrorCollector,
  addUtcMonths,
  checkChoice,
  checkCountry,
  parseIsoDate,
  startOfUtcDay,
  str,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";

export const IDENTITY_DOCUMENT_KINDS = ["passport", "id_card", "driving_licence"] as const;
export type IdentityDocumentKind = (typeof IDENTITY_DOCUMENT_KINDS)[number];

/** Longest validity we accept as plausible (some ID cards run 15 years). */
const MAX_VALIDITY_YEARS = 20;

export const identityDocumentFields: readonly FieldSpec[] = [
  { name: "documentKind", kind: "radio", options: IDENTITY_DOCUMENT_KINDS, required: true },
  { name: "documentNumber", kind: "text", maxLength: 30, required: true, hint: true },
  { name: "issuingCountry", kind: "country", required: true },
  { name: "expiryDate", kind: "date", maxLength: 10, required: true },
];

export type IdentityDocumentData = {
  documentKind: IdentityDocumentKind;
  documentNumber: string;
  issuingCountry: string;
  expiryDate: string;
};

/** Letters and digits as printed; spaces, hyphens and dots people type in between are dropped. */
export function normalizeDocumentNumber(value: string): string {
  return value.toUpperCase().replace(/[\s.\-/]/g, "");
}

export function parseIdentityDocument(
  values: StepValues,
  now: Date,
): StepParse<IdentityDocumentData> {
  const e = new ErrorCollector();
  const kind = str(values, "documentKind");
  e.set("documentKind", checkChoice(kind, IDENTITY_DOCUMENT_KINDS));
  const number = normalizeDocumentNumber(str(values, "documentNumber"));
  if (!number) e.set("documentNumber", "required");
  else if (!/^[A-Z0-9]{4,20}$/.test(number)) e.set("documentNumber", "invalidDocumentNumber");
  const country = str(values, "issuingCountry").toUpperCase();
  e.set("issuingCountry", checkCountry(country));
  const expiryRaw = str(values, "expiryDate");
  const expiry = parseIsoDate(expiryRaw);
  const today = startOfUtcDay(now);
  if (!expiryRaw) e.set("expiryDate", "required");
  else if (!expiry) e.set("expiryDate", "invalidDate");
  else if (expiry < today) e.set("expiryDate", "documentExpired");
  else if (expiry > addUtcMonths(today, 12 * MAX_VALIDITY_YEARS))
    e.set("expiryDate", "expiryTooFar");
  if (!e.ok) return { ok: false, errors: e.errors };
  return {
    ok: true,
    data: {
      documentKind: kind as IdentityDocumentKind,
      documentNumber: number,
      issuingCountry: country,
      expiryDate: expiryRaw,
    },
  };
}
