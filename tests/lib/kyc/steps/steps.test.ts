import {
  parseAppropriateness,
  scoreAppropriateness,
  MAX_SCORE,
} from "@/lib/kyc/steps/appropriateness";
import { valuesFromForm } from "@/lib/kyc/steps/fields";
import { identityDocumentFields, parseIdentityDocument } from "@/lib/kyc/steps/identity-document";
import {
  employmentFields,
  parseEmployment,
  parsePep,
  parsePurpose,
  parseSourceOfFunds,
} from "@/lib/kyc/steps/profile";
import { parseProofOfAddress } from "@/lib/kyc/steps/proof-of-address";
import { parseTax, taxFields } from "@/lib/kyc/steps/tax";
import { isValidTin } from "@/lib/kyc/steps/tin";

const NOW = new Date("2026-11-25T10:00:00Z");

function form(values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}

describe("identity document step", () => {
  const valid = {
    documentKind: "id_card",
    documentNumber: " t22 000-129 ",
    issuingCountry: "de",
    expiryDate: "2031-03-01",
  };
  it("accepts a valid document and normalises number and country", () => {
    expect(parseIdentityDocument(valid, NOW)).toEqual({
      ok: true,
      data: {
        documentKind: "id_card",
        documentNumber: "T22000129",
        issuingCountry: "DE",
        expiryDate: "2031-03-01",
      },
    });
  });
  it("refuses an expired document, but accepts one expiring today", () => {
    expect(parseIdentityDocument({ ...valid, expiryDate: "2026-11-24" }, NOW)).toMatchObject({
      ok: false,
      errors: { expiryDate: "documentExpired" },
    });
    expect(parseIdentityDocument({ ...valid, expiryDate: "2026-11-25" }, NOW).ok).toBe(true);
  });
  it.each([
    [{ documentKind: "visa" }, "documentKind", "chooseFromList"],
    [{ documentKind: "" }, "documentKind", "required"],
    [{ documentNumber: "<script>" }, "documentNumber", "invalidDocumentNumber"],
    [{ documentNumber: "AB1" }, "documentNumber", "invalidDocumentNumber"],
    [{ documentNumber: "A".repeat(21) }, "documentNumber", "invalidDocumentNumber"],
    [{ issuingCountry: "XX" }, "issuingCountry", "invalidCountry"],
    [{ expiryDate: "2031-02-30" }, "expiryDate", "invalidDate"],
    [{ expiryDate: "01/03/2031" }, "expiryDate", "invalidDate"],
    [{ expiryDate: "2099-01-01" }, "expiryDate", "expiryTooFar"],
  ])("refuses %j with %s: %s", (change, field, error) => {
    const result = parseIdentityDocument({ ...valid, ...change }, NOW);
    expect(result).toMatchObject({ ok: false, errors: { [field]: error } });
  });
  it("reports every missing field at once", () => {
    const result = parseIdentityDocument({}, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(Object.keys(result.errors).sort()).toEqual(
        ["documentKind", "documentNumber", "expiryDate", "issuingCountry"].sort(),
      );
  });
  it("reads only its own fields from a hostile form, bounded in length", () => {
    const values = valuesFromForm(
      form({ documentNumber: "9".repeat(100_000), admin: "true", documentKind: ["passport", "x"] }),
      identityDocumentFields,
    );
    expect(Object.keys(values).sort()).toEqual(["documentKind", "documentNumber"]);
    expect((values.documentNumber as string).length).toBeLessThanOrEqual(2000);
    expect(values.documentKind).toBe("passport");
  });
});

describe("values read from a posted step form", () => {
  it("drop NUL and other control characters, which PostgreSQL refuses in what the checks store", () => {
    const values = valuesFromForm(
      form({ documentNumber: "AB\u0000\u001b12", taxCountry: ["D\u0000E"] }),
      [...identityDocumentFields, ...taxFields],
    );
    expect(values.documentNumber).toBe("AB12");
    expect(values.taxCountry).toEqual(["DE"]);
  });

  it("drop the invisible bidi controls that would reorder the text staff read, in every field", () => {
    const controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    const values = valuesFromForm(
      form({
        occupation: `abc\u202edef`,
        employer: `Acme${controls} Ltd`,
        industry: "other",
        industryDetails: "\u2067Falconry\u2069",
      }),
      employmentFields,
    );
    expect(values).toMatchObject({
      occupation: "abcdef",
      employer: "Acme Ltd",
      industryDetails: "Falconry",
    });
  });

  it("keep Arabic, Hebrew and Persian text as typed, joiners included", () => {
    const typed = {
      occupation: "مهندس برمجيات",
      employer: "חברת הייטק בע״מ",
      industryDetails: "می\u200cخواهم", // the zero-width non-joiner is part of Persian spelling
    };
    const values = valuesFromForm(form({ ...typed, industry: "other" }), employmentFields);
    expect(values).toMatchObject(typed);
  });
});

describe("proof of address step", () => {
  it("accepts a document issued within three months", () => {
    expect(
      parseProofOfAddress({ addressDocumentKind: "bank_statement", issueDate: "2026-08-26" }, NOW),
    ).toMatchObject({ ok: true });
  });
  it.each([
    ["2026-08-24", "documentTooOld"],
    ["2026-11-26", "dateInFuture"],
    ["2026-13-01", "invalidDate"],
    ["", "required"],
  ])("refuses issue date %s: %s", (issueDate, error) => {
    expect(
      parseProofOfAddress({ addressDocumentKind: "utility_bill", issueDate }, NOW),
    ).toMatchObject({ ok: false, errors: { issueDate: error } });
  });
});

describe("tax residence step", () => {
  it("accepts several residences, each with a valid TIN or a reason", () => {
    const result = parseTax({
      taxCountry: ["DE", "ES", "AE"],
      tin: ["86095742719", "12345678-z", ""],
      noTinReason: ["", "", "not_issued"],
    });
    expect(result).toEqual({
      ok: true,
      data: {
        taxResidences: [
          { country: "DE", tin: "86095742719", noTinReason: null },
          { country: "ES", tin: "12345678Z", noTinReason: null },
          { country: "AE", tin: null, noTinReason: "not_issued" },
        ],
      },
    });
  });
  it("keys each row's errors by its position, and ignores empty rows", () => {
    const result = parseTax({
      taxCountry: ["DE", "", "FR", "DE"],
      tin: ["86095742718", "", "", "x"],
      noTinReason: ["", "", "", ""],
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        "tin.0": "invalidTin",
        "tin.2": "tinOrReason",
        "taxCountry.3": "duplicateTaxCountry",
        "tin.3": "invalidTin",
      },
    });
  });
  it("needs at least one residence and refuses a forged reason", () => {
    expect(parseTax({})).toEqual({ ok: false, errors: { "taxCountry.0": "required" } });
    expect(parseTax({ taxCountry: ["GB"], tin: [""], noTinReason: ["bribe"] })).toMatchObject({
      ok: false,
      errors: { "noTinReason.0": "chooseFromList" },
    });
  });
  it("reads at most five rows from a form", () => {
    const values = valuesFromForm(form({ taxCountry: Array(30).fill("DE") }), taxFields);
    expect(values.taxCountry).toHaveLength(5);
  });
});

describe("TIN formats", () => {
  it.each([
    ["DE", "86095742719", true],
    ["DE", "86095742718", false],
    ["ES", "12345678Z", true],
    ["ES", "X1234567L", true],
    ["ES", "12345678A", false],
    ["NL", "111222333", true],
    ["NL", "111222334", false],
    ["PL", "44051401359", true],
    ["PL", "44051401358", false],
    ["PT", "123456789", true],
    ["PT", "123456788", false],
    ["IT", "RSSMRA85T10A562S", true],
    ["IT", "RSSMRA85T10A562", false],
    ["GB", "AB123456C", true],
    ["GB", "1234567890", true],
    ["US", "123-45-6789", true],
    ["US", "000-45-6789", false],
    ["FR", "3023217600053", true],
    ["FR", "9023217600053", false],
    ["CA", "046 454 286", true],
    ["CA", "046 454 287", false],
    ["BR", "123.456.789-09", true],
    ["BR", "!", false],
  ])("%s %s → %s", (country, tin, ok) => {
    expect(isValidTin(country, tin)).toBe(ok);
  });
});

describe("source of funds, employment, purpose, PEP", () => {
  it("source of funds needs details only when 'other' is chosen", () => {
    expect(parseSourceOfFunds({ sources: ["salary", "savings"] }).ok).toBe(true);
    expect(parseSourceOfFunds({ sources: ["other"] })).toMatchObject({
      ok: false,
      errors: { sourceDetails: "required" },
    });
    expect(parseSourceOfFunds({ sources: [] })).toMatchObject({
      errors: { sources: "chooseAtLeastOne" },
    });
    expect(parseSourceOfFunds({ sources: ["salary", "salary"] })).toMatchObject({
      errors: { sources: "duplicate" },
    });
    expect(parseSourceOfFunds({ sources: ["lottery"] })).toMatchObject({
      errors: { sources: "chooseFromList" },
    });
  });
  it("employment asks for employer and industry only when they apply, and drops stale answers", () => {
    expect(parseEmployment({ employmentStatus: "employed" })).toMatchObject({
      ok: false,
      errors: { occupation: "required", employer: "required", industry: "required" },
    });
    expect(
      parseEmployment({ employmentStatus: "retired", occupation: "Pilot", employer: "Air" }),
    ).toEqual({
      ok: true,
      data: {
        employmentStatus: "retired",
        occupation: null,
        employer: null,
        industry: null,
        industryDetails: null,
      },
    });
    expect(
      parseEmployment({
        employmentStatus: "self_employed",
        occupation: "Baker",
        industry: "retail",
      }).ok,
    ).toBe(true);
  });
  it("employment asks which industry when it is 'other', and keeps the answer", () => {
    const working = { employmentStatus: "self_employed", occupation: "Falconer" };
    expect(parseEmployment({ ...working, industry: "other" })).toMatchObject({
      ok: false,
      errors: { industryDetails: "required" },
    });
    expect(
      parseEmployment({ ...working, industry: "other", industryDetails: " Pest control " }),
    ).toMatchObject({ ok: true, data: { industry: "other", industryDetails: "Pest control" } });
    // A detail typed before the answer changed is not kept: it no longer applies.
    expect(
      parseEmployment({ ...working, industry: "retail", industryDetails: "Pest control" }),
    ).toMatchObject({ ok: true, data: { industryDetails: null } });
    // Nor when the industry itself no longer applies (a retired trader has none).
    expect(
      parseEmployment({ employmentStatus: "retired", industry: "other", industryDetails: "" }),
    ).toMatchObject({ ok: true, data: { industry: null, industryDetails: null } });
  });
  it("purpose needs a purpose and every amount band", () => {
    expect(parsePurpose({ accountPurposes: ["investment"] })).toMatchObject({
      ok: false,
      errors: {
        expectedYearlyDeposits: "required",
        annualIncome: "required",
        netWorth: "required",
      },
    });
    expect(
      parsePurpose({
        accountPurposes: ["investment", "hedging"],
        expectedYearlyDeposits: "10k_50k",
        annualIncome: "50k_100k",
        netWorth: "over_250k",
      }).ok,
    ).toBe(true);
  });
  it("purpose asks what 'other' means when it is among the purposes, and keeps the answer", () => {
    const bands = {
      expectedYearlyDeposits: "10k_50k",
      annualIncome: "50k_100k",
      netWorth: "over_250k",
    };
    expect(parsePurpose({ ...bands, accountPurposes: ["investment", "other"] })).toMatchObject({
      ok: false,
      errors: { purposeDetails: "required" },
    });
    expect(
      parsePurpose({
        ...bands,
        accountPurposes: ["investment", "other"],
        purposeDetails: "Paying school fees abroad",
      }),
    ).toMatchObject({ ok: true, data: { purposeDetails: "Paying school fees abroad" } });
    expect(
      parsePurpose({ ...bands, accountPurposes: ["investment"], purposeDetails: "stale" }),
    ).toMatchObject({ ok: true, data: { purposeDetails: null } });
  });
  it("PEP details are required when the answer is yes, and ignored when no", () => {
    expect(parsePep({ isPep: "yes" })).toMatchObject({
      ok: false,
      errors: { pepRelation: "required", pepPosition: "required", pepCountry: "required" },
    });
    expect(parsePep({ isPep: "no", pepPosition: "Minister" })).toEqual({
      ok: true,
      data: { isPep: false, pepRelation: null, pepPosition: null, pepCountry: null },
    });
    expect(
      parsePep({
        isPep: "yes",
        pepRelation: "family_member",
        pepPosition: "Mayor",
        pepCountry: "it",
      }),
    ).toMatchObject({ ok: true, data: { isPep: true, pepCountry: "IT" } });
  });
});

describe("CFD appropriateness", () => {
  const expert = {
    experienceYears: "over_3y",
    tradesLastYear: "over_50",
    qualification: "profession",
    leverageMargin: "margin_100",
    marginCall: "positions_closed",
    riskOfLoss: "lose_quickly",
  };
  const novice = {
    experienceYears: "none",
    tradesLastYear: "none",
    qualification: "none",
    leverageMargin: "margin_10000",
    marginCall: "nothing_happens",
    riskOfLoss: "lose_quickly",
  };
  it("scores experience and knowledge; full marks reach the maximum", () => {
    expect(scoreAppropriateness(expert)).toEqual({
      score: MAX_SCORE,
      knowledgeCorrect: 3,
      appropriate: true,
    });
    expect(scoreAppropriateness(novice)).toEqual({
      score: 2,
      knowledgeCorrect: 1,
      appropriate: false,
    });
  });
  it("experience alone is not enough without the knowledge answers", () => {
    const result = scoreAppropriateness({
      ...expert,
      leverageMargin: "margin_1000",
      marginCall: "broker_covers",
    });
    expect(result.appropriate).toBe(false);
  });
  it("keeps the answers, score and questionnaire version as evidence", () => {
    const result = parseAppropriateness(expert, NOW);
    expect(result).toMatchObject({
      ok: true,
      data: {
        answers: expert,
        score: MAX_SCORE,
        result: "appropriate",
        warningAcknowledged: false,
        assessedAt: NOW.toISOString(),
      },
    });
    expect(result.ok && result.data.questionnaireVersion).toMatch(/^\d{4}-\d{2}$/);
  });
  it("warns when not appropriate and continues only after the warning is acknowledged", () => {
    expect(parseAppropriateness(novice, NOW)).toEqual({
      ok: false,
      errors: { acknowledgeWarning: "mustAcknowledge" },
      warning: "notAppropriate",
    });
    expect(parseAppropriateness({ ...novice, acknowledgeWarning: "yes" }, NOW)).toMatchObject({
      ok: true,
      warning: "notAppropriate",
      data: { result: "not_appropriate", warningAcknowledged: true },
    });
  });
  it("refuses unanswered and forged answers", () => {
    expect(parseAppropriateness({ ...expert, leverageMargin: "margin_1" }, NOW)).toMatchObject({
      ok: false,
      errors: { leverageMargin: "chooseFromList" },
    });
    expect(parseAppropriateness({}, NOW)).toMatchObject({
      ok: false,
      errors: { experienceYears: "required", riskOfLoss: "required" },
    });
  });
});
