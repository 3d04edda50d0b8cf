/**
 * The financial-profile steps of the enhanced level (EU AMLR Art. 20/22 customer due diligence):
 * source of funds, employment, purpose of the account with expected yearly deposits, and the
 * politically exposed person (PEP) self-declaration. Each answer is a choice from a fixed list
 * so compliance can filter on it; free text only where a choice cannot say it.
 */
import {
  ALONGSIDE_FIELD_ERRORS,
  choice,
  choices,
  country,
  maxLengthOf,
  parseWithSchema,
  stepObject,
  text,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";

// ---- source of funds ----
export const FUND_SOURCES = [
  "salary",
  "savings",
  "investments",
  "business",
  "pension",
  "inheritance",
  "property_sale",
  "gift",
  "other",
] as const;

export const sourceOfFundsFields: readonly FieldSpec[] = [
  { name: "sources", kind: "checkboxes", options: FUND_SOURCES, required: true },
  { name: "sourceDetails", kind: "textarea", maxLength: 500, hint: true },
];

export type SourceOfFundsData = { sources: string[]; sourceDetails: string };

export const sourceOfFundsSchema = stepObject(sourceOfFundsFields, {
  sources: choices(FUND_SOURCES),
  sourceDetails: text(maxLengthOf(sourceOfFundsFields, "sourceDetails"), { required: false }),
}).superRefine(({ sources, sourceDetails }, ctx) => {
  // "Other" means nothing without a word on what it is.
  if (sources.includes("other") && !sourceDetails)
    ctx.addIssue({ code: "custom", message: "required", path: ["sourceDetails"] });
}, ALONGSIDE_FIELD_ERRORS);

export function parseSourceOfFunds(values: StepValues): StepParse<SourceOfFundsData> {
  return parseWithSchema(sourceOfFundsSchema, values);
}

// ---- employment ----
export const EMPLOYMENT_STATUSES = [
  "employed",
  "self_employed",
  "unemployed",
  "retired",
  "student",
] as const;
export const INDUSTRIES = [
  "finance",
  "technology",
  "healthcare",
  "education",
  "construction",
  "manufacturing",
  "retail",
  "hospitality",
  "government",
  "legal",
  "real_estate",
  "energy",
  "transport",
  "other",
] as const;
const WORKING = ["employed", "self_employed"] as const;

export const employmentFields: readonly FieldSpec[] = [
  { name: "employmentStatus", kind: "radio", options: EMPLOYMENT_STATUSES, required: true },
  {
    name: "occupation",
    kind: "text",
    maxLength: 100,
    required: true,
    autoComplete: "organization-title",
    showWhen: { field: "employmentStatus", in: WORKING },
  },
  {
    name: "employer",
    kind: "text",
    maxLength: 150,
    required: true,
    autoComplete: "organization",
    showWhen: { field: "employmentStatus", in: ["employed"] },
  },
  {
    name: "industry",
    kind: "select",
    options: INDUSTRIES,
    required: true,
    showWhen: { field: "employmentStatus", in: WORKING },
  },
  // "Other" alone tells compliance nothing: the trader says which industry.
  {
    name: "industryDetails",
    kind: "text",
    maxLength: 100,
    required: true,
    showWhen: { field: "industry", in: ["other"] },
  },
];

export type EmploymentData = {
  employmentStatus: (typeof EMPLOYMENT_STATUSES)[number];
  occupation: string | null;
  employer: string | null;
  industry: string | null;
  industryDetails: string | null;
};

/** What does not apply to the status (hidden on the screen) is null, whatever was posted. */
export const employmentSchema = stepObject(employmentFields, {
  employmentStatus: choice(EMPLOYMENT_STATUSES),
  occupation: text(maxLengthOf(employmentFields, "occupation")).nullable(),
  employer: text(maxLengthOf(employmentFields, "employer")).nullable(),
  industry: choice(INDUSTRIES).nullable(),
  industryDetails: text(maxLengthOf(employmentFields, "industryDetails")).nullable(),
});

export function parseEmployment(values: StepValues): StepParse<EmploymentData> {
  return parseWithSchema(employmentSchema, values);
}

// ---- purpose of the account, expected deposits, income and wealth ----
export const ACCOUNT_PURPOSES = [
  "speculation",
  "investment",
  "hedging",
  "income",
  "other",
] as const;
/** Amount bands in the level's currency (or its equivalent). */
export const AMOUNT_BANDS = ["under_10k", "10k_50k", "50k_100k", "100k_250k", "over_250k"] as const;

export const purposeFields: readonly FieldSpec[] = [
  { name: "accountPurposes", kind: "checkboxes", options: ACCOUNT_PURPOSES, required: true },
  {
    name: "purposeDetails",
    kind: "text",
    maxLength: 200,
    required: true,
    showWhen: { field: "accountPurposes", in: ["other"] },
  },
  {
    name: "expectedYearlyDeposits",
    kind: "radio",
    options: AMOUNT_BANDS,
    required: true,
    hint: true,
  },
  { name: "annualIncome", kind: "radio", options: AMOUNT_BANDS, required: true },
  { name: "netWorth", kind: "radio", options: AMOUNT_BANDS, required: true },
];

export type PurposeData = {
  accountPurposes: string[];
  purposeDetails: string | null;
  expectedYearlyDeposits: string;
  annualIncome: string;
  netWorth: string;
};

export const purposeSchema = stepObject(purposeFields, {
  accountPurposes: choices(ACCOUNT_PURPOSES),
  purposeDetails: text(maxLengthOf(purposeFields, "purposeDetails")).nullable(),
  expectedYearlyDeposits: choice(AMOUNT_BANDS),
  annualIncome: choice(AMOUNT_BANDS),
  netWorth: choice(AMOUNT_BANDS),
});

export function parsePurpose(values: StepValues): StepParse<PurposeData> {
  return parseWithSchema(purposeSchema, values);
}

// ---- politically exposed person ----
export const PEP_ANSWERS = ["no", "yes"] as const;
export const PEP_RELATIONS = ["self", "family_member", "close_associate"] as const;
const IF_PEP = { field: "isPep", in: ["yes"] } as const;

export const pepFields: readonly FieldSpec[] = [
  { name: "isPep", kind: "radio", options: PEP_ANSWERS, required: true, hint: true },
  { name: "pepRelation", kind: "radio", options: PEP_RELATIONS, required: true, showWhen: IF_PEP },
  { name: "pepPosition", kind: "text", maxLength: 200, required: true, showWhen: IF_PEP },
  { name: "pepCountry", kind: "country", required: true, showWhen: IF_PEP },
];

export type PepData = {
  isPep: boolean;
  pepRelation: string | null;
  pepPosition: string | null;
  pepCountry: string | null;
};

/** The details apply only to a yes (hidden on the screen otherwise) and are null after a no. */
export const pepSchema = stepObject(pepFields, {
  isPep: choice(PEP_ANSWERS).transform((answer) => answer === "yes"),
  pepRelation: choice(PEP_RELATIONS).nullable(),
  pepPosition: text(maxLengthOf(pepFields, "pepPosition")).nullable(),
  pepCountry: country.nullable(),
});

export function parsePep(values: StepValues): StepParse<PepData> {
  return parseWithSchema(pepSchema, values);
}
