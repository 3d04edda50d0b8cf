/**
 * Every step of every level, in one place: the fields its form posts (null when the step has
 * its own screen component, like personal information) and how its values are read and
 * checked. Adding a step means adding it to `STEPS` in levels.ts, here, and its labels to the
 * catalogs (`Forms.<step>`); a test fails until all three agree.
 */
import type { StepId } from "../levels";
import { appropriatenessFields, parseAppropriateness } from "./appropriateness";
import {
  valuesFromForm,
  type DateRange,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";
import {
  expiryDateRange,
  identityDocumentFields,
  parseIdentityDocument,
} from "./identity-document";
import { parsePersonal, PERSONAL_COUNTRY_FIELDS, personalValuesFrom } from "./personal";
import {
  employmentFields,
  parseEmployment,
  parsePep,
  parsePurpose,
  parseSourceOfFunds,
  pepFields,
  purposeFields,
  sourceOfFundsFields,
} from "./profile";
import { issueDateRange, parseProofOfAddress, proofOfAddressFields } from "./proof-of-address";
import { parseTax, taxFields } from "./tax";

/** What a step's parse checked: an object of fields (lib/kyc/answers.ts stores it). */
type StepData = Record<string, unknown>;

export type StepDefinition = {
  /** The generic form's fields; null for a step with its own component. */
  fields: readonly FieldSpec[] | null;
  valuesFrom(form: FormData): StepValues;
  parse(values: StepValues, now: Date): StepParse<StepData>;
  /** The date fields' accepted ranges, the ones `parse` checks, for the screen's date pickers. */
  dateRanges?(now: Date): Record<string, DateRange>;
};

function generic(
  fields: readonly FieldSpec[],
  parse: (values: StepValues, now: Date) => StepParse<StepData>,
  dateRanges?: (now: Date) => Record<string, DateRange>,
): StepDefinition {
  return { fields, valuesFrom: (form) => valuesFromForm(form, fields), parse, dateRanges };
}

export const STEP_DEFINITIONS: Record<StepId, StepDefinition> = {
  personal: {
    fields: null,
    valuesFrom: (form) => personalValuesFrom(form) as StepValues,
    parse: (values, now) => parsePersonal(values, now),
  },
  identity_document: generic(identityDocumentFields, parseIdentityDocument, (now) => ({
    expiryDate: expiryDateRange(now),
  })),
  proof_of_address: generic(proofOfAddressFields, parseProofOfAddress, (now) => ({
    issueDate: issueDateRange(now),
  })),
  tax: generic(taxFields, parseTax),
  source_of_funds: generic(sourceOfFundsFields, parseSourceOfFunds),
  employment: generic(employmentFields, parseEmployment),
  purpose: generic(purposeFields, parsePurpose),
  pep: generic(pepFields, parsePep),
  appropriateness: generic(appropriatenessFields, parseAppropriateness),
};

/** Whether a step's top-level field holds country codes, so staff read it as country names. */
export function isCountryField(step: string, field: string): boolean {
  if (step === "personal") return PERSONAL_COUNTRY_FIELDS.includes(field);
  const definition = STEP_DEFINITIONS[step as StepId] as StepDefinition | undefined;
  return definition?.fields?.some((f) => f.name === field && f.kind === "country") ?? false;
}
