/**
 * Scenario: with the MRZ check on, a trader's passport photo is read after the submit and its
 * zone compared with what they typed. Matching data and clean lists auto-approve; a trader who
 * typed another date of birth than the passport shows lands in review, and the reviewer reads
 * which field differs and what the zone says. A trader who uploads the passport before typing
 * finds the personal and identity steps filled in from its zone, marked for checking: what they
 * typed stays theirs, nothing counts until they confirm each step, and the confirmed values then
 * pass the comparison like typed ones.
 */
import "./support/request-scope";
import { closeMrzReader } from "@/lib/documents/mrz-read";
import { textOf } from "../helpers/render-page";
import { renderDocument, SAMPLE_PEOPLE, type SynthPerson } from "../fixtures/mrz/synth";
import { PERSONAL } from "../fixtures/kyc-values";
import { ADDRESS, freshPhoto, signedInStaff, Trader } from "./support/people";
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
    // Each value isolated (FSI … PDI): a right-to-left one cannot reorder the sentence.
    expect(textOf(page)).toContain("typed “\u20681974-08-21\u2069”, zone “\u2068740812\u2069”");
    expect(page).toContain('data-mrz-field="surnames" data-agreement="agree"');
  });
});

/** The value an input of the rendered form starts with (a text or date input). */
function inputValue(html: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  return tag ? /\bvalue="([^"]*)"/.exec(tag)?.[1] : undefined;
}
const prefilledFields = (html: string) =>
  [...html.matchAll(/data-prefilled="(\w+)"/g)].map((m) => m[1]).sort();

describe("scenario: the typed fields pre-filled from the passport's zone, confirmed by the trader", () => {
  const ZOFIA = SAMPLE_PEOPLE.find((p) => p.surnames === "Kowalska")!;

  it("fills the empty fields from the zone, keeps what was typed, counts nothing unconfirmed, and the confirmed values pass the zone check", async () => {
    const w = world();
    const trader = new Trader(w, 520_001, "pl");
    await trader.launch("kyc", { kycType: "standard" });

    // The first step offers the passport first; the trader has typed a phone number already.
    let html = await trader.html("kyc");
    expect(html).toContain('data-testid="prefill-offer"');
    expect(html).toContain('href="/inapp/kyc/upload?documentType=identity"');
    expect(
      await trader.autosave("personal", { phone: PERSONAL.phone, surnames: "Kowalsky" }, 0),
    ).toMatchObject({ http: 200, status: "saved" });

    const passport = await renderDocument(ZOFIA, { kind: "passport", width: 1600 });
    expect((await trader.upload("identity", "page", passport)).status).toBe(200);
    // Off the trader's request: the upload's confirm leaves the read to after the response, or
    // (as here, outside a request) to the worker's sweep.
    await w.worker();

    html = await trader.html("kyc");
    expect(html).toContain('data-testid="prefill-notice"');
    expect(html).not.toContain('data-testid="prefill-offer"');
    expect(prefilledFields(html)).toEqual(["dateOfBirth", "givenNames", "nationalities"]);
    expect(inputValue(html, "givenNames")).toBe("Zofia");
    expect(inputValue(html, "dateOfBirth")).toBe("1990-06-05");
    expect(html).toMatch(/<select[^>]*id="nationalities"[\s\S]*?<option value="PL" selected/);
    // What the trader typed is theirs, even where the zone says otherwise.
    expect(inputValue(html, "surnames")).toBe("Kowalsky");
    expect(inputValue(html, "phone")).toBe(PERSONAL.phone);

    // Nothing is sent on the zone's word: the steps are not confirmed.
    expect("redirect" in (await trader.submit())).toBe(false);

    // The trader checks, corrects the surname and confirms the personal step.
    expect(
      await trader.continue("personal", {
        ...PERSONAL,
        givenNames: inputValue(html, "givenNames")!,
        surnames: "Kowalska",
        dateOfBirth: inputValue(html, "dateOfBirth")!,
        nationalities: ["PL"],
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    html = await trader.html("kyc");
    // The identity step next, filled from the same zone.
    expect(prefilledFields(html)).toEqual([
      "documentKind",
      "documentNumber",
      "expiryDate",
      "issuingCountry",
    ]);
    expect(inputValue(html, "documentNumber")).toBe(ZOFIA.documentNumber);
    expect(inputValue(html, "expiryDate")).toBe(ZOFIA.expiryDate);
    expect(html).toMatch(/name="documentKind" checked="" value="passport"/);
    expect(
      await trader.continue("identity_document", {
        documentKind: "passport",
        documentNumber: inputValue(html, "documentNumber")!,
        issuingCountry: "PL",
        expiryDate: inputValue(html, "expiryDate")!,
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    // Confirmed: the marks are gone.
    expect(prefilledFields(await trader.html("kyc", { step: "personal" }))).toEqual([]);

    await trader.continue("proof_of_address", ADDRESS());
    expect((await trader.upload("address", "page", await freshPhoto())).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    // The confirmed values agree with the zone in every field: the check passes. (The synthetic
    // passport shares its layout with the other traders' here, so the picture check keeps this
    // case for a person.)
    const reviewer = await signedInStaff(w, "prefill.reader@broker.example", "reviewer");
    const page = await reviewer.casePage((await trader.currentCase()).id);
    expect(page).toContain('data-check="mrz_match" data-outcome="pass"');
    const agreements = Object.fromEntries(
      [...page.matchAll(/data-mrz-field="(\w+)" data-agreement="(\w+)"/g)].map((m) => [m[1], m[2]]),
    );
    expect(agreements).toEqual({
      surnames: "agree",
      givenNames: "agree",
      dateOfBirth: "agree",
      nationality: "agree",
      documentNumber: "agree",
      expiryDate: "agree",
      issuingCountry: "agree",
    });
  });
});
