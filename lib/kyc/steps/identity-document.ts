/**
 * The identity document step: which document the trader will upload, its number, issuing
 * country and expiry. An expired document is refused here, before anything is uploaded. The
 * kind decides what the upload screen asks for (a passport page; both sides of an ID card or a
 * driving licence).
 */
import { z } from "zod";
import {
  addUtcMonths,
  choice,
  country,
  isoDate,
  isoDay,
  parseWithSchema,
  postedText,
  startOfUtcDay,
  stepObject,
  type DateRange,
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
  {
    name: "documentNumber",
    kind: "text",
    maxLength: 30,
    required: true,
    hint: true,
    code: true,
  },
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

/**
 * The expiry dates the step accepts: from today to the longest plausible validity. The schema
 * checks against it and the date field carries it as `min`/`max`, so a phone's picker offers no
 * date the step would refuse.
 */
export function expiryDateRange(now: Date): DateRange {
  const today = startOfUtcDay(now);
  return { min: isoDay(today), max: isoDay(addUtcMonths(today, 12 * MAX_VALIDITY_YEARS)) };
}

export function identityDocumentSchema(now: Date) {
  const expiry = expiryDateRange(now);
  return stepObject(identityDocumentFields, {
    documentKind: choice(IDENTITY_DOCUMENT_KINDS),
    documentNumber: postedText.transform(normalizeDocumentNumber).pipe(
      z
        .string()
        .min(1, { error: "required" })
        .regex(/^[A-Z0-9]{4,20}$/, { error: "invalidDocumentNumber" }),
    ),
    issuingCountry: country,
    expiryDate: isoDate((date) =>
      isoDay(date) < expiry.min
        ? "documentExpired"
        : isoDay(date) > expiry.max
          ? "expiryTooFar"
          : undefined,
    ),
  });
}

export function parseIdentityDocument(
  values: StepValues,
  now: Date,
): StepParse<IdentityDocumentData> {
  return parseWithSchema(identityDocumentSchema(now), values);
}
