/**
 * Tax residence: every country where the trader is resident for tax purposes, each with a TIN
 * or the reason there is none (the OECD Common Reporting Standard's reasons A, B and C). Rows
 * post as parallel lists (`taxCountry`, `tin`, `noTinReason`); a wholly empty row is ignored.
 */
import { z } from "zod";
import { isCountryCode } from "../countries";
import {
  ALONGSIDE_FIELD_ERRORS,
  country,
  maxLengthOf,
  parseWithSchema,
  readList,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";
import { isValidTin, normalizeTin } from "./tin";

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
      { name: "tin", kind: "text", maxLength: 30, hint: true, conditional: true, code: true },
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

const TIN_MAX_LENGTH = maxLengthOf(taxFields, "tin");

/** One row, named as the form names its inputs so its errors land on them. */
const residenceSchema = z
  .object({
    taxCountry: country,
    tin: z.string().max(TIN_MAX_LENGTH, { error: "tooLong" }),
    noTinReason: z.enum(NO_TIN_REASONS, { error: "chooseFromList" }).nullable(),
  })
  .superRefine(({ taxCountry, tin, noTinReason }, ctx) => {
    // A TIN is checked against the country's format only once the country is known.
    if (tin && isCountryCode(taxCountry) && !isValidTin(taxCountry, tin))
      ctx.addIssue({ code: "custom", message: "invalidTin", path: ["tin"] });
    if (!tin && !noTinReason)
      ctx.addIssue({ code: "custom", message: "tinOrReason", path: ["tin"] });
  }, ALONGSIDE_FIELD_ERRORS);

/**
 * The posted parallel lists as rows, each as posted (the row schema checks it); a wholly empty
 * row is null, so every row keeps its position for its error keys.
 */
function rowsFromLists(values: unknown) {
  const posted = (typeof values === "object" && values !== null ? values : {}) as StepValues;
  const countries = readList(posted.taxCountry);
  const tins = readList(posted.tin);
  const reasons = readList(posted.noTinReason);
  const count = Math.min(
    Math.max(countries.length, tins.length, reasons.length),
    MAX_TAX_RESIDENCES,
  );
  const taxResidences = Array.from({ length: count }, (_, i) => {
    const taxCountry = (countries[i] ?? "").toUpperCase();
    const tin = normalizeTin(tins[i] ?? "");
    const noTinReason = reasons[i] || null;
    return taxCountry || tin || noTinReason ? { taxCountry, tin, noTinReason } : null;
  });
  return { taxResidences };
}

export const taxSchema = z
  .preprocess(
    rowsFromLists,
    z
      .object({ taxResidences: z.array(residenceSchema.nullable()) })
      .superRefine(({ taxResidences }, ctx) => {
        const seen = new Set<string>();
        taxResidences.forEach((row, i) => {
          if (!row || !isCountryCode(row.taxCountry)) return;
          if (seen.has(row.taxCountry))
            ctx.addIssue({
              code: "custom",
              message: "duplicateTaxCountry",
              path: ["taxResidences", i, "taxCountry"],
            });
          seen.add(row.taxCountry);
        });
        if (taxResidences.every((row) => row === null))
          ctx.addIssue({
            code: "custom",
            message: "required",
            path: ["taxResidences", 0, "taxCountry"],
          });
      }, ALONGSIDE_FIELD_ERRORS),
  )
  .transform(({ taxResidences }): TaxData => ({
    taxResidences: taxResidences
      .filter((row) => row !== null)
      .map((row) => ({
        country: row.taxCountry,
        tin: row.tin || null,
        noTinReason: row.tin ? null : row.noTinReason,
      })),
  }));

export function parseTax(values: StepValues): StepParse<TaxData> {
  return parseWithSchema(taxSchema, values);
}
