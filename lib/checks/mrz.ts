/**
 * `mrz_match`: what the identity document's machine-readable zone says (read from its photo by
 * lib/documents/mrz-read.ts before the run) against what the trader typed. Dates, the document
 * number and the state codes are exact (check digits protect the first two); names are compared
 * in ICAO's transliteration and may be one OCR slip away ("near"), since no check digit covers
 * them. Anything but full agreement keeps the case from auto-approval: a difference fails, a
 * near name or an unreadable zone warns — never a silent pass.
 */
import { mrzNameVariants } from "@/lib/documents/mrz-names";
import type { MrzRead } from "@/lib/documents/mrz-read";
import { countryOfMrzCode } from "@/lib/kyc/countries-alpha3";
import { normalizeDocumentNumber } from "@/lib/kyc/steps/identity-document";
import { checkedEvidence, type MrzEvidence, type MrzField } from "./evidence";
import { pointsFor, type RiskConfig } from "./risk";
import type { CaseSnapshot, CheckResult, Outcome } from "./types";

type Agreement = "agree" | "near" | "differ" | "not_typed";
type Read = Extract<MrzRead, { status: "read" }>;

/** Edit distance, bounded: names are short. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(
        prev[j]! + 1,
        prev[j - 1]! + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/**
 * A typed name against the zone's: equal in one of ICAO's spellings, or the zone's is that
 * spelling cut where the zone ran out of room; "near" within one OCR slip per eight letters.
 */
export function compareName(typed: string, read: string, truncated: boolean): Agreement {
  if (!typed.trim()) return "not_typed";
  const variants = mrzNameVariants(typed);
  if (variants.some((v) => v === read || (truncated && read.length > 0 && v.startsWith(read))))
    return "agree";
  const slips = Math.max(1, Math.floor(read.length / 8));
  return variants.some((v) => editDistance(v, read) <= slips) ? "near" : "differ";
}

const yymmdd = (iso: string) => iso.replace(/-/g, "").slice(2);
const lastThree = (value: string) => `…${value.slice(-3)}`;

function compare(s: CaseSnapshot, read: Read) {
  const fields: Partial<Record<MrzField, Agreement>> = {};
  const differences: MrzEvidence extends infer E
    ? E extends { differences: infer D }
      ? D
      : never
    : never = [];
  const note = (field: MrzField, agreement: Agreement, typed: string, shown: string) => {
    fields[field] = agreement;
    if (agreement === "differ" || agreement === "near")
      differences.push({ field, typed, read: shown });
  };
  const personal = s.personal;
  const doc = s.identityDocument;
  const z = read.fields;
  // TD3 holds 39 name characters, TD1 30: a zone filled to its end was cut there.
  const nameRoom = read.format === "TD3" ? 39 : read.format === "TD2" ? 31 : 30;
  const truncated = `${z.surnames}<<${z.givenNames}`.length >= nameRoom;
  if (personal) {
    note(
      "surnames",
      compareName(personal.surnames, z.surnames, truncated),
      personal.surnames,
      z.surnames,
    );
    note(
      "givenNames",
      compareName(personal.givenNames, z.givenNames, truncated),
      personal.givenNames,
      z.givenNames,
    );
    note(
      "dateOfBirth",
      yymmdd(personal.dateOfBirth) === z.dateOfBirth ? "agree" : "differ",
      personal.dateOfBirth,
      z.dateOfBirth,
    );
    const nationality = countryOfMrzCode(z.nationality);
    note(
      "nationality",
      personal.nationalities.length === 0
        ? "not_typed"
        : nationality && personal.nationalities.includes(nationality)
          ? "agree"
          : "differ",
      personal.nationalities.join(", "),
      z.nationality.replace(/</g, ""),
    );
  }
  if (doc) {
    const typedNumber = normalizeDocumentNumber(doc.documentNumber);
    note(
      "documentNumber",
      typedNumber === z.documentNumber ? "agree" : "differ",
      lastThree(typedNumber),
      lastThree(z.documentNumber),
    );
    note(
      "expiryDate",
      yymmdd(doc.expiryDate) === z.expiryDate ? "agree" : "differ",
      doc.expiryDate,
      z.expiryDate,
    );
    note(
      "issuingCountry",
      countryOfMrzCode(z.issuingState) === doc.issuingCountry ? "agree" : "differ",
      doc.issuingCountry,
      z.issuingState.replace(/</g, ""),
    );
  }
  return { fields, differences };
}

export function checkMrz(s: CaseSnapshot, config: RiskConfig): CheckResult | null {
  if (s.mrz === undefined || !s.identityDocument) return null;
  let outcome: Outcome;
  let evidence: MrzEvidence;
  if (s.mrz === null) {
    outcome = "warn";
    evidence = { reason: "no_image" };
  } else if (s.mrz.status === "unreadable") {
    outcome = "warn";
    evidence = {
      reason: s.mrz.reason === "check_digits" ? "invalid_check_digits" : "unreadable_zone",
    };
  } else {
    const { fields, differences } = compare(s, s.mrz);
    const values = Object.values(fields);
    outcome = values.includes("differ") ? "fail" : values.includes("near") ? "warn" : "pass";
    evidence = {
      format: s.mrz.format,
      confidence: s.mrz.confidence,
      rotation: s.mrz.rotation,
      fields,
      differences,
    };
  }
  return {
    check: "mrz_match",
    outcome,
    evidence: checkedEvidence("mrz_match", evidence) as Record<string, unknown>,
    riskPoints: pointsFor(config, "mrz_match", outcome),
  };
}
