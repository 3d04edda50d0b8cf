/**
 * `mrz_match` on crafted snapshots: what the zone says against what the trader typed. Full
 * agreement passes; a name one OCR slip away or an unreadable zone warns; any difference fails —
 * none of them is a silent pass, and the evidence says which field and how.
 */
import { checkMrz, compareName } from "@/lib/checks/mrz";
import { decideRisk, DEFAULT_RISK_CONFIG } from "@/lib/checks/risk";
import { CHECK_EVIDENCE } from "@/lib/checks/evidence";
import type { CaseSnapshot } from "@/lib/checks/types";
import type { MrzRead } from "@/lib/documents/mrz-read";
import { alpha3, countryOfMrzCode } from "@/lib/kyc/countries-alpha3";
import { COUNTRY_CODES } from "@/lib/kyc/countries";

const zone: Extract<MrzRead, { status: "read" }> = {
  status: "read",
  format: "TD3",
  valid: true,
  invalidFields: [],
  confidence: 81,
  rotation: 0,
  fields: {
    documentCode: "P",
    issuingState: "D",
    surnames: "MUELLER",
    givenNames: "JONAS<PETER",
    documentNumber: "C01X00T47",
    nationality: "D",
    dateOfBirth: "880229",
    sex: "M",
    expiryDate: "321130",
  },
};

function snapshot(mrz: CaseSnapshot["mrz"], over: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    caseId: "c1",
    traderId: "t1",
    unreadable: [],
    level: "basic",
    personal: {
      givenNames: "Jonas Peter",
      surnames: "Müller",
      dateOfBirth: "1988-02-29",
      nationalities: ["DE", "AT"],
      country: "DE",
    },
    identityDocument: {
      documentKind: "passport",
      documentNumber: "c01x-00t47",
      issuingCountry: "DE",
      expiryDate: "2032-11-30",
    },
    proofOfAddress: null,
    tax: null,
    pep: null,
    appropriateness: null,
    documents: [],
    sameDocumentElsewhere: [],
    mrz,
    ...over,
  };
}

const run = (s: CaseSnapshot) => checkMrz(s, DEFAULT_RISK_CONFIG);

describe("mrz_match", () => {
  it("passes when every field agrees (ICAO transliteration, Germany's D, typed number spacing)", () => {
    const result = run(snapshot(zone))!;
    expect(result.outcome).toBe("pass");
    expect(result.riskPoints).toBe(0);
    expect(result.evidence).toMatchObject({
      format: "TD3",
      fields: {
        surnames: "agree",
        givenNames: "agree",
        dateOfBirth: "agree",
        documentNumber: "agree",
        expiryDate: "agree",
        nationality: "agree",
        issuingCountry: "agree",
      },
      differences: [],
    });
  });

  it("fails on a different date of birth and shows both, and keeps the case from auto-approval", () => {
    const result = run(
      snapshot(zone, {
        personal: { ...snapshot(zone).personal!, dateOfBirth: "1988-02-28" },
      }),
    )!;
    expect(result.outcome).toBe("fail");
    expect(result.evidence.differences).toEqual([
      { field: "dateOfBirth", typed: "1988-02-28", read: "880229" },
    ]);
    const decision = decideRisk([result], DEFAULT_RISK_CONFIG, true);
    expect(decision.route).toBe("review");
  });

  it("shows a different document number only by its last characters", () => {
    const result = run(
      snapshot(zone, {
        identityDocument: { ...snapshot(zone).identityDocument!, documentNumber: "C01X00T48" },
      }),
    )!;
    expect(result.outcome).toBe("fail");
    expect(result.evidence.differences).toEqual([
      { field: "documentNumber", typed: "…T48", read: "…T47" },
    ]);
    expect(JSON.stringify(result.evidence)).not.toContain("C01X00");
  });

  it("warns on a name one OCR slip away, and fails on another name", () => {
    const near = run(snapshot({ ...zone, fields: { ...zone.fields, surnames: "MUELLFR" } }))!;
    expect(near.outcome).toBe("warn");
    expect(near.evidence.fields).toMatchObject({ surnames: "near" });
    const other = run(snapshot({ ...zone, fields: { ...zone.fields, surnames: "SCHMIDT" } }))!;
    expect(other.outcome).toBe("fail");
  });

  it("warns when the zone could not be read or no photo of the document exists", () => {
    expect(run(snapshot({ status: "unreadable", reason: "no_zone" }))).toMatchObject({
      outcome: "warn",
      evidence: { reason: "unreadable_zone" },
    });
    expect(run(snapshot({ status: "unreadable", reason: "check_digits" }))).toMatchObject({
      outcome: "warn",
      evidence: { reason: "invalid_check_digits" },
    });
    expect(run(snapshot(null))).toMatchObject({
      outcome: "warn",
      evidence: { reason: "no_image" },
    });
  });

  it("is not run when the check is off or the document has no zone", () => {
    expect(run(snapshot(undefined))).toBeNull();
  });

  it("stores evidence its one schema accepts", () => {
    const result = run(snapshot({ ...zone, fields: { ...zone.fields, nationality: "AUT" } }))!;
    expect(CHECK_EVIDENCE.mrz_match.safeParse(result.evidence).success).toBe(true);
    expect(result.outcome).toBe("pass"); // Austria is one of the typed nationalities.
  });
});

describe("names against the zone", () => {
  it("accepts the plain spelling some issuers use and a name cut at the zone's end", () => {
    expect(compareName("Müller", "MULLER", false)).toBe("agree");
    expect(compareName("Maximiliane Theresa", "MAXIMILIANE<THE", true)).toBe("agree");
    expect(compareName("Maximiliane Theresa", "MAXIMILIANE<THE", false)).toBe("differ");
  });
});

describe("alpha-3 codes", () => {
  it("has one for every country the steps accept, and reads ICAO's own codes", () => {
    for (const code of COUNTRY_CODES) expect(alpha3(code)).toMatch(/^[A-Z]{3}$/);
    expect(countryOfMrzCode("D<<")).toBe("DE");
    expect(countryOfMrzCode("GBD")).toBe("GB");
    expect(countryOfMrzCode("SWE")).toBe("SE");
    expect(countryOfMrzCode("XXA")).toBeNull();
  });
});
