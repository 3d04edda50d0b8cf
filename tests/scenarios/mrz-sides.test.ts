/**
 * Scenario: with the MRZ check on, an identity document whose zone does not confirm the typed
 * data never passes silently. A passport photo without a readable zone and a passport sent as a
 * PDF (no image to read) warn and send the case to a reviewer, who reads why in words. An
 * identity card is read from whichever of its two sides carries the zone: a back that agrees
 * with the typed data passes, a back whose check digits do not add up is reported as such, not
 * hidden behind the front that has no zone. A trader who uploads both sides before typing finds
 * the personal and identity steps filled in from the back's zone, marked for checking until they
 * confirm each step.
 */
import "./support/request-scope";
import { closeMrzReader } from "@/lib/documents/mrz-read";
import { textOf } from "../helpers/render-page";
import { cleanPdf } from "../fixtures/documents/make-fixtures";
import { PERSONAL } from "../fixtures/kyc-values";
import { renderDocument, type SynthPerson } from "../fixtures/mrz/synth";
import { ADDRESS, freshPhoto, signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

jest.setTimeout(240_000);
afterAll(closeMrzReader);

const world = scenarioWorld({ MRZ_CHECK: "1", AUTO_APPROVE: "1" });

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

/** Each trader presents a document of their own: no number or picture shared between cases. */
function person(documentNumber: string): SynthPerson {
  return {
    surnames: "Lindqvist",
    givenNames: "Jonas",
    documentNumber,
    nationality: "SWE",
    issuingState: "SWE",
    dateOfBirth: PERSONAL.dateOfBirth,
    sex: "M",
    expiryDate: "2031-05-01",
  };
}

const cardFront = (card: SynthPerson) =>
  renderDocument(card, { kind: "id_card", width: 1600, withoutZone: true });

type Side = { side: "page" | "front" | "back"; file: Buffer; contentType?: string };

/**
 * The trader types the document's data, uploads its sides and a proof of address and submits;
 * the worker then runs the checks.
 */
async function submit(
  trader: Trader,
  document: { kind: "passport" | "id_card"; person: SynthPerson },
  sides: Side[],
) {
  await trader.launch("kyc", { kycType: "standard" });
  await trader.continue("personal", {
    ...PERSONAL,
    givenNames: document.person.givenNames,
    surnames: document.person.surnames,
  });
  await trader.continue("identity_document", {
    documentKind: document.kind,
    documentNumber: document.person.documentNumber,
    issuingCountry: "SE",
    expiryDate: document.person.expiryDate,
  });
  await trader.continue("proof_of_address", ADDRESS());
  for (const { side, file, contentType } of sides)
    expect((await trader.upload("identity", side, file, contentType)).status).toBe(200);
  expect((await trader.upload("address", "page", await freshPhoto())).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await world().worker();
}

/**
 * The console's mrz_match line (its outcome, and the reason code and words when it has one), and
 * the other checks that did not pass: none, where the zone alone is to send the case to review.
 */
async function mrzLine(trader: Trader, staff: string) {
  const reviewer = await signedInStaff(world(), staff, "reviewer");
  const page = await reviewer.casePage((await trader.currentCase()).id);
  const row = /<tr[^>]*data-check="mrz_match"[^>]*>[\s\S]*?<\/tr>/.exec(page)?.[0] ?? "";
  const otherConcerns = [...page.matchAll(/data-check="(\w+)" data-outcome="(\w+)"/g)]
    .filter(([, check, outcome]) => check !== "mrz_match" && outcome !== "pass")
    .map(([, check, outcome]) => `${check}: ${outcome}`);
  return {
    otherConcerns,
    outcome: /data-outcome="(\w+)"/.exec(row)?.[1],
    reason: /data-key="reason"[\s\S]*?data-value="(\w+)"/.exec(row)?.[1],
    text: textOf(row),
    row,
  };
}

/**
 * The case waits for a reviewer because of the zone alone: the mrz_match check warns (every
 * other check passed), and the console says why in words.
 */
async function expectReviewForZone(
  trader: Trader,
  staff: string,
  expected: { reason: string; words: string },
) {
  expect(await trader.status()).toBe("in_review");
  const line = await mrzLine(trader, staff);
  expect(line.otherConcerns).toEqual([]);
  expect(line.outcome).toBe("warn");
  expect(line.reason).toBe(expected.reason);
  expect(line.text).toContain(expected.words);
}

/** The value an input of the rendered form starts with (a text or date input). */
function inputValue(html: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  return tag ? /\bvalue="([^"]*)"/.exec(tag)?.[1] : undefined;
}
const prefilledFields = (html: string) =>
  [...html.matchAll(/data-prefilled="(\w+)"/g)].map((m) => m[1]).sort();

describe("scenario: a passport whose zone cannot confirm the typed data goes to a reviewer", () => {
  it("warns on a passport photo without a readable zone and keeps the case from auto-approval", async () => {
    const trader = new Trader(world(), 512_001, "en");
    const passport = person("PZ5120011");
    // The data page photographed with its zone cut off.
    const page = await renderDocument(passport, {
      kind: "passport",
      width: 1600,
      withoutZone: true,
    });
    await submit(trader, { kind: "passport", person: passport }, [{ side: "page", file: page }]);

    await expectReviewForZone(trader, "mrz.blind@broker.example", {
      reason: "unreadable_zone",
      words: "Machine-readable zone not readable",
    });
  });

  it("warns on a passport sent as a PDF, with no image to read, and keeps the case from auto-approval", async () => {
    const trader = new Trader(world(), 512_002, "en");
    await submit(trader, { kind: "passport", person: person("PZ5120022") }, [
      { side: "page", file: await cleanPdf(), contentType: "application/pdf" },
    ]);

    await expectReviewForZone(trader, "mrz.paper@broker.example", {
      reason: "no_image",
      words: "No identity photo to read",
    });
  });
});

describe("scenario: an identity card read from the side that carries its zone", () => {
  it("reports a back whose check digits do not add up, not the front without a zone, and sends the case to review", async () => {
    const trader = new Trader(world(), 512_004, "en");
    const card = person("IC5120044");
    // The date of birth's check digit misprinted (or the date altered without it).
    const back = await renderDocument(card, {
      kind: "id_card",
      width: 1600,
      tamper: ([top, middle, bottom]) => [
        top!,
        `${middle!.slice(0, 6)}${(Number(middle![6]) + 5) % 10}${middle!.slice(7)}`,
        bottom!,
      ],
    });
    await submit(trader, { kind: "id_card", person: card }, [
      { side: "front", file: await cardFront(card) },
      { side: "back", file: back },
    ]);

    await expectReviewForZone(trader, "mrz.digits@broker.example", {
      reason: "invalid_check_digits",
      words: "Check digits do not add up",
    });
  });

  it("reads the zone on the back, finds it agrees with the typed data and passes", async () => {
    const trader = new Trader(world(), 512_003, "en");
    const card = person("IC5120033");
    await submit(trader, { kind: "id_card", person: card }, [
      { side: "front", file: await cardFront(card) },
      { side: "back", file: await renderDocument(card, { kind: "id_card", width: 1600 }) },
    ]);

    const line = await mrzLine(trader, "mrz.card@broker.example");
    expect(line.outcome).toBe("pass");
    expect(line.text).toContain("Machine-readable zone (TD1)");
    expect(line.row).toContain('data-mrz-field="documentNumber" data-agreement="agree"');
    expect(line.row).toContain('data-mrz-field="dateOfBirth" data-agreement="agree"');
  });
});

// Never submitted: its card shares the others' layout, and a check run would weigh the pictures.
describe("scenario: the typed fields pre-filled from an identity card's back, confirmed by the trader", () => {
  it("fills the steps from the zone on the back, not the front without one, and counts them only once confirmed", async () => {
    const w = world();
    const trader = new Trader(w, 512_005, "en");
    const card = person("IC5120055");
    await trader.launch("kyc", { kycType: "standard" });
    expect(await trader.html("kyc")).toContain('data-testid="prefill-offer"');

    // The front first: it has no zone, so there is nothing to fill in yet.
    expect((await trader.upload("identity", "front", await cardFront(card))).status).toBe(200);
    await w.worker();
    let html = await trader.html("kyc");
    expect(html).not.toContain('data-testid="prefill-offer"');
    expect(html).not.toContain('data-testid="prefill-notice"');
    expect(prefilledFields(html)).toEqual([]);

    const back = await renderDocument(card, { kind: "id_card", width: 1600 });
    expect((await trader.upload("identity", "back", back)).status).toBe(200);
    await w.worker();

    html = await trader.html("kyc");
    expect(html).toContain('data-testid="prefill-notice"');
    expect(prefilledFields(html)).toEqual([
      "dateOfBirth",
      "givenNames",
      "nationalities",
      "surnames",
    ]);
    expect(inputValue(html, "surnames")).toBe("Lindqvist");
    expect(inputValue(html, "givenNames")).toBe("Jonas");
    expect(inputValue(html, "dateOfBirth")).toBe(PERSONAL.dateOfBirth);
    expect(html).toMatch(/<select[^>]*id="nationalities"[\s\S]*?<option value="SE" selected/);

    // Shown is not confirmed: the case cannot be sent on the zone's word.
    expect((await trader.upload("address", "page", await freshPhoto())).status).toBe(200);
    expect("redirect" in (await trader.submit())).toBe(false);

    expect(
      await trader.continue("personal", {
        ...PERSONAL,
        surnames: inputValue(html, "surnames")!,
        givenNames: inputValue(html, "givenNames")!,
        dateOfBirth: inputValue(html, "dateOfBirth")!,
        nationalities: ["SE"],
      }),
    ).toEqual({ redirect: "/inapp/kyc" });

    // The identity step, from the same zone: a TD1 zone, so an identity card.
    html = await trader.html("kyc");
    expect(prefilledFields(html)).toEqual([
      "documentKind",
      "documentNumber",
      "expiryDate",
      "issuingCountry",
    ]);
    expect(html).toMatch(/name="documentKind" checked="" value="id_card"/);
    expect(inputValue(html, "documentNumber")).toBe(card.documentNumber);
    expect(inputValue(html, "expiryDate")).toBe(card.expiryDate);
    expect(html).toMatch(/<select[^>]*id="issuingCountry"[\s\S]*?<option value="SE" selected/);
    expect("redirect" in (await trader.submit())).toBe(false);

    expect(
      await trader.continue("identity_document", {
        documentKind: "id_card",
        documentNumber: inputValue(html, "documentNumber")!,
        issuingCountry: "SE",
        expiryDate: inputValue(html, "expiryDate")!,
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    // Confirmed: the marks are gone from both steps.
    expect(prefilledFields(await trader.html("kyc", { step: "personal" }))).toEqual([]);
    expect(prefilledFields(await trader.html("kyc", { step: "identity_document" }))).toEqual([]);
  });
});

describe("scenario: an ID card's back read for the pre-fill, then the trader taps a driving licence", () => {
  it("fills in nothing of the licence from the card's zone, and the card's again once it is picked back", async () => {
    const w = world();
    const trader = new Trader(w, 512_006, "en");
    const card = person("IC5120066");
    await trader.launch("kyc", { kycType: "standard" });
    await trader.continue("personal", {
      ...PERSONAL,
      givenNames: card.givenNames,
      surnames: card.surnames,
    });
    const form = async () => trader.html("kyc", { step: "identity_document" });
    const version = () =>
      form().then((h) => Number(/name="draftVersion" value="(\d+)"/.exec(h)?.[1] ?? 0));
    expect(
      await trader.autosave("identity_document", { documentKind: "id_card" }, await version()),
    ).toMatchObject({ status: "saved" });
    const back = await renderDocument(card, { kind: "id_card", width: 1600 });
    expect((await trader.upload("identity", "back", back)).status).toBe(200);
    await w.worker();
    let html = await form();
    expect(prefilledFields(html)).toEqual([
      "documentKind",
      "documentNumber",
      "expiryDate",
      "issuingCountry",
    ]);

    // The licence: its number and expiry are the trader's to type, not the card's.
    expect(
      await trader.autosave(
        "identity_document",
        { documentKind: "driving_licence" },
        await version(),
      ),
    ).toMatchObject({ status: "saved" });
    html = await form();
    expect(html).toMatch(/name="documentKind" checked="" value="driving_licence"/);
    expect(prefilledFields(html)).toEqual([]);
    expect(inputValue(html, "documentNumber") ?? "").toBe("");

    // The card again: its own zone fills it in.
    expect(
      await trader.autosave("identity_document", { documentKind: "id_card" }, await version()),
    ).toMatchObject({ status: "saved" });
    html = await form();
    expect(inputValue(html, "documentNumber")).toBe(card.documentNumber);
  });
});
