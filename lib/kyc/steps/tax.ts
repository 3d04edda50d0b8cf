/**
 * Tax residence: every country where the trader is resident for tax purposes, each with a TIN
 * or the reason there is none (the OECD Common Reporting Standard's reasons A, B and C). Rows
 * post as parallel lists (`taxCountry`, `tin`, `noTinReason`); a wholly empty row is ignored.
 */
import { isValidTin, normalizeTin } from "./tin";
import {
  ErrorCollector,
  checkCountry,
  list,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";

export const NO_TIN_REASONS = ["not_issued", "unable_to_obtain", "not_required"] as const;
export const MAX_TAX_RESIDENCES = 5;

export const taxFields: readonly FieldSpec[] = [
  {
    name: "taxResidences",
    kind: "group",
    minRows: 1,
    maxRows: MAX_TAX_RESIDENCES,
    fields: [
      { name: "taxCountry", kind: "country", required: true },
      { name: "tin", kind: "text", maxLength: 30, hint: true, conditional: true },
      { name: "noTinReason", kind: "select", options: NO_TIN_REASONS, conditional: true },
    ],
  },
];

export type TaxResidence = {
  country: string;
  tin: string | null;
  noTinReason: (typeof NO_TIN_REASONS)[number] | null;
};
export type TaxData = { taxResidences: TaxResidence[] };

export function parseTax(values: StepValues): StepParse<TaxData> {
  const e = new ErrorCollector();
  const countries = list(values, "taxCountry");
  const tins = list(values, "tin");
  const reasons = list(values, "noTinReason");
  const rows = Math.min(
    Math.max(countries.length, tins.length, reasons.length),
    MAX_TAX_RESIDENCES,
  );
  const residences: TaxResidence[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < rows; i++) {
    const country = (countries[i] ?? "").toUpperCase();
    const tin = normalizeTin(tins[i] ?? "");
    const reason = reasons[i] ?? "";
    if (!country && !tin && !reason) continue;
    const countryError = checkCountry(country);
    e.set(`taxCountry.${i}`, countryError);
    if (!countryError && seen.has(country)) e.set(`taxCountry.${i}`, "duplicate");
    seen.add(country);
    if (reason && !(NO_TIN_REASONS as readonly string[]).includes(reason))
      e.set(`noTinReason.${i}`, "chooseFromList");
    if (tin) {
      if (tin.length > 30) e.set(`tin.${i}`, "tooLong");
      else if (!countryError && !isValidTin(country, tin)) e.set(`tin.${i}`, "invalidTin");
    } else if (!reason) {
      e.set(`tin.${i}`, "tinOrReason");
    }
    residences.push({
      country,
      tin: tin || null,
      noTinReason: tin ? null : ((reason || null) as TaxResidence["noTinReason"]),
    });
  }
  if (residences.length === 0) e.set("taxCountry.0", "required");
  if (!e.ok) return { ok: false, errors: e.errors };
  return { ok: true, data: { taxResidences: residences } };
}
