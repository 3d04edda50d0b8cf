import type { UploadedZone } from "@/lib/documents/zone-prefill";
import { prefillStep, zoneStepValues } from "@/lib/kyc/zone-prefill";

const NOW = new Date("2026-12-03T06:00:00Z");

const passport: UploadedZone = {
  format: "TD3",
  fields: {
    documentCode: "P",
    issuingState: "D",
    surnames: "MUELLER",
    givenNames: "JONAS<PETER",
    documentNumber: "C01X00T47",
    nationality: "D",
    dateOfBirth: "880229",
    expiryDate: "321130",
  },
};

describe("the zone's values as the steps' fields", () => {
  it("spells names as words, dates as ISO (births in the past), ICAO codes as countries", () => {
    expect(zoneStepValues(passport, NOW)).toEqual({
      personal: {
        surnames: "Mueller",
        givenNames: "Jonas Peter",
        dateOfBirth: "1988-02-29",
        nationalities: ["DE"],
      },
      identity_document: {
        documentKind: "passport",
        documentNumber: "C01X00T47",
        issuingCountry: "DE",
        expiryDate: "2032-11-30",
      },
    });
  });

  it("puts a birth year that would lie ahead in the last century, and a recent one in this", () => {
    const zone = (dateOfBirth: string) =>
      zoneStepValues({ ...passport, fields: { ...passport.fields, dateOfBirth } }, NOW).personal
        .dateOfBirth;
    expect(zone("300101")).toBe("1930-01-01");
    expect(zone("080315")).toBe("2008-03-15");
  });

  it("leaves out given names the zone may have cut, and an identity card's kind from its code", () => {
    const full: UploadedZone = {
      format: "TD1",
      fields: {
        ...passport.fields,
        documentCode: "ID",
        surnames: "DA<SILVA<SANTOS<PEREIRA",
        givenNames: "JOAO<PED",
      },
    };
    const values = zoneStepValues(full, NOW);
    expect(values.personal.surnames).toBe("Da Silva Santos Pereira");
    expect(values.personal).not.toHaveProperty("givenNames");
    expect(values.identity_document.documentKind).toBe("id_card");
  });

  it("suggests no country for a code that is not one", () => {
    const values = zoneStepValues(
      { ...passport, fields: { ...passport.fields, nationality: "XXA", issuingState: "UTO" } },
      NOW,
    );
    expect(values.personal).not.toHaveProperty("nationalities");
    expect(values.identity_document).not.toHaveProperty("issuingCountry");
  });
});

describe("pre-filling a step's draft", () => {
  const suggested = { givenNames: "Jonas", surnames: "Mueller", nationalities: ["DE"] };

  it("fills only empty fields and marks them; what was typed stays and is not marked", () => {
    const draft = {
      values: { givenNames: "", surnames: "Müller", nationalities: [""] },
      completed: false,
    };
    expect(prefillStep(draft, suggested)).toEqual({
      values: { givenNames: "Jonas", surnames: "Müller", nationalities: ["DE"] },
      prefilled: ["givenNames", "nationalities"],
    });
  });

  it("keeps the mark on a zone value an autosave stored until the step is confirmed", () => {
    const autosaved = { values: { ...suggested }, completed: false };
    expect(prefillStep(autosaved, suggested).prefilled).toEqual([
      "givenNames",
      "surnames",
      "nationalities",
    ]);
    expect(prefillStep({ ...autosaved, completed: true }, suggested)).toEqual({
      values: suggested,
      prefilled: [],
    });
  });

  it("fills a step the trader has not opened yet", () => {
    expect(prefillStep(undefined, suggested)).toEqual({
      values: suggested,
      prefilled: ["givenNames", "surnames", "nationalities"],
    });
  });
});
