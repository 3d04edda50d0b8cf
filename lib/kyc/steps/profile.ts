/**
 * The financial-profile steps of the enhanced level (EU AMLR Art. 20/22 customer due diligence):
 * source of funds, employment, purpose of the account with expected yearly deposits, and the
 * politically exposed person (PEP) self-declaration. Each answer is a choice from a fixed list
 * so compliance can filter on it; free text only where a choice cannot say it.
 */
import {
  ErrorCollector,
  checkChoice,
  checkChoices,
  checkCountry,
  checkText,
  list,
  str,
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

export function parseSourceOfFunds(values: StepValues): StepParse<SourceOfFundsData> {
  const e = new ErrorCollector();
  const sources = list(values, "sources");
  e.set("sources", checkChoices(sources, FUND_SOURCES));
  const details = str(values, "sourceDetails");
  // "Other" means nothing without a word on what it is.
  e.set("sourceDetails", checkText(details, { required: sources.includes("other"), max: 500 }));
  if (!e.ok) return { ok: false, errors: e.errors };
  return { ok: true, data: { sources, sourceDetails: details } };
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
];

export type EmploymentData = {
  employmentStatus: (typeof EMPLOYMENT_STATUSES)[number];
  occupation: string | null;
  employer: string | null;
  industry: string | null;
};

export function parseEmployment(values: StepValues): StepParse<EmploymentData> {
  const e = new ErrorCollector();
  const status = str(values, "employmentStatus");
  e.set("employmentStatus", checkChoice(status, EMPLOYMENT_STATUSES));
  const working = (WORKING as readonly string[]).includes(status);
  const occupation = working ? str(values, "occupation") : "";
  const employer = status === "employed" ? str(values, "employer") : "";
  const industry = working ? str(values, "industry") : "";
  if (working) {
    e.set("occupation", checkText(occupation, { max: 100 }));
    e.set("industry", checkChoice(industry, INDUSTRIES));
  }
  if (status === "employed") e.set("employer", checkText(employer, { max: 150 }));
  if (!e.ok) return { ok: false, errors: e.errors };
  return {
    ok: true,
    data: {
      employmentStatus: status as EmploymentData["employmentStatus"],
      occupation: occupation || null,
      employer: employer || null,
      industry: industry || null,
    },
  };
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
  expectedYearlyDeposits: string;
  annualIncome: string;
  netWorth: string;
};

export function parsePurpose(values: StepValues): StepParse<PurposeData> {
  const e = new ErrorCollector();
  const purposes = list(values, "accountPurposes");
  e.set("accountPurposes", checkChoices(purposes, ACCOUNT_PURPOSES));
  const bands = ["expectedYearlyDeposits", "annualIncome", "netWorth"] as const;
  for (const name of bands) e.set(name, checkChoice(str(values, name), AMOUNT_BANDS));
  if (!e.ok) return { ok: false, errors: e.errors };
  return {
    ok: true,
    data: {
      accountPurposes: purposes,
      expectedYearlyDeposits: str(values, "expectedYearlyDeposits"),
      annualIncome: str(values, "annualIncome"),
      netWorth: str(values, "netWorth"),
    },
  };
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

export function parsePep(values: StepValues): StepParse<PepData> {
  const e = new ErrorCollector();
  const answer = str(values, "isPep");
  e.set("isPep", checkChoice(answer, PEP_ANSWERS));
  if (answer !== "yes") {
    if (!e.ok) return { ok: false, errors: e.errors };
    return {
      ok: true,
      data: { isPep: false, pepRelation: null, pepPosition: null, pepCountry: null },
    };
  }
  const relation = str(values, "pepRelation");
  const position = str(values, "pepPosition");
  const country = str(values, "pepCountry").toUpperCase();
  e.set("pepRelation", checkChoice(relation, PEP_RELATIONS));
  e.set("pepPosition", checkText(position, { max: 200 }));
  e.set("pepCountry", checkCountry(country));
  if (!e.ok) return { ok: false, errors: e.errors };
  return {
    ok: true,
    data: { isPep: true, pepRelation: relation, pepPosition: position, pepCountry: country },
  };
}
