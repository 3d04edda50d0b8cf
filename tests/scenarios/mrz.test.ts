/**
 * Scenario: with the MRZ check on, a trader's passport photo is read after the submit and its
 * zone compared with what they typed. Matching data and clean lists auto-approve; a trader who
 * typed another date of birth than the passport shows lands in review, and the reviewer reads
 * which field differs and what the zone says.
 */
import "./support/request-scope";
import { closeMrzReader } from "@/lib/documents/mrz-read";
import { textOf } from "../helpers/render-page";
import { renderDocument, type SynthPerson } from "../fixtures/mrz/synth";
import { freshPhoto, signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

jest.setTimeout(240_000);
afterAll(closeMrzReader);

const world = scenarioWorld({ MRZ_CHECK: "1", AUTO_APPROVE: "1" });

const ANNA: SynthPerson = {
  surnames: "Eriksson",
  givenNames: "Anna Maria",
  documentNumber: "L898902C3",
  nationality: "SWE",
  issuingState: "SWE",
  dateOfBirth: "1974-08-12",
  sex: "F",
  expiryDate: "2031-04-15",
};

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

async function submitWithPassport(trader: Trader, typed: { dateOfBirth: string }) {
  await trader.launch("kyc", { kycType: "standard" });
  await trader.fillStandardForms({
    givenNames: ANNA.givenNames,
    surnames: ANNA.surnames,
    dateOfBirth: typed.dateOfBirth,
    nationalities: ["SE"],
  });
  await trader.continue("identity_document", {
    documentKind: "passport",
    documentNumber: ANNA.documentNumber,
    issuingCountry: "SE",
    expiryDate: ANNA.expiryDate,
  });
  const passport = await renderDocument(ANNA, { kind: "passport", width: 1600 });
  expect((await trader.upload("identity", "page", passport)).status).toBe(200);
  expect((await trader.upload("address", "page", await freshPhoto())).status).toBe(200);
  const submitted = await trader.submit();
  expect(submitted).toEqual({ redirect: "/inapp/kyc/status" });
}

describe("scenario: the passport's machine-readable zone against the typed data", () => {
  it("approves a trader whose typed data the zone confirms", async () => {
    const w = world();
    const trader = new Trader(w, 510_001, "de");
    await submitWithPassport(trader, { dateOfBirth: ANNA.dateOfBirth });
    await w.worker();

    expect(await trader.status()).toBe("approved");
    const reviewer = await signedInStaff(w, "mrz.reader@broker.example", "reviewer");
    const page = await reviewer.casePage((await trader.currentCase()).id);
    expect(page).toContain('data-check="mrz_match" data-outcome="pass"');
    expect(page).toContain('data-mrz-field="dateOfBirth" data-agreement="agree"');
    expect(page).toContain('data-mrz-field="documentNumber" data-agreement="agree"');
  });

  it("sends a trader whose typed date of birth the zone contradicts to review, with the difference", async () => {
    const w = world();
    // A second, different trader presenting the same passport data but another birthday.
    const trader = new Trader(w, 510_002, "en");
    await submitWithPassport(trader, { dateOfBirth: "1974-08-21" });
    await w.worker();

    const kycCase = await trader.currentCase();
    expect(await trader.status()).toBe("in_review");
    const reviewer = await signedInStaff(w, "mrz.checker@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-check="mrz_match" data-outcome="fail"');
    expect(page).toContain('data-mrz-field="dateOfBirth" data-agreement="differ"');
    expect(textOf(page)).toContain("typed “1974-08-21”, zone “740812”");
    expect(page).toContain('data-mrz-field="surnames" data-agreement="agree"');
  });
});
