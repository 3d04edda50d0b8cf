/**
 * Scenarios: what a trader types reaches staff as typed, and only what applies is asked. A
 * country without postcodes needs none and a country with them does; "other" is explained in
 * the trader's words, which staff read on the case page and in the evidence; names and
 * addresses in any script arrive unchanged, while the invisible bidi controls that would
 * reorder what staff read never get in.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import { textOf } from "../helpers/render-page";
import { PERSONAL } from "../fixtures/kyc-values";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** Whether the form field labelled for `id` is hidden on the screen (its container's attribute). */
function fieldHidden(html: string, id: string): boolean {
  const label = html.indexOf(`<label for="${id}"`);
  if (label < 0) throw new Error(`no field ${id}`);
  const container = html.slice(html.lastIndexOf("<div", label), label);
  return / hidden=""/.test(container);
}

const ZIMBABWE = {
  addressLine1: "14 Samora Machel Avenue",
  city: "Harare",
  postcode: "",
  country: "ZW",
  phone: "+263 24 2700000",
};

describe("scenario: the postcode follows the country of the address", () => {
  it("accepts an address in Zimbabwe, which has no postcodes, without one", async () => {
    const trader = new Trader(world(), 440_001);
    await trader.launch("kyc", { kycType: "standard" });
    expect(await trader.continue("personal", { ...PERSONAL, ...ZIMBABWE })).toEqual({
      redirect: "/inapp/kyc",
    });
    // Back on the form, the trader is not asked for one either.
    expect(fieldHidden(await trader.html("kyc", { step: "personal" }), "postcode")).toBe(true);
  });

  it("refuses an address in Germany without a postcode, says why, and keeps what was typed", async () => {
    const trader = new Trader(world(), 440_002);
    await trader.launch("kyc", { kycType: "standard" });
    const germany = { addressLine1: "Hauptstraße 5", city: "Berlin", postcode: "", country: "DE" };
    const outcome = await trader.continue("personal", { ...PERSONAL, ...germany });
    expect(outcome).toEqual({
      value: expect.objectContaining({
        status: "invalid",
        errors: { postcode: en.Errors.required },
        values: expect.objectContaining({ addressLine1: "Hauptstraße 5", country: "DE" }),
      }),
    });
    const form = await trader.html("kyc", { step: "personal" });
    expect(fieldHidden(form, "postcode")).toBe(false);
    expect(form).toMatch(/<input id="postcode"[^>]* required=""/);
  });
});

describe("scenario: staff read what the trader typed, in the trader's words and script", () => {
  it("shows the 'other' details and RTL names as typed, isolated, and without bidi controls", async () => {
    const w = world();
    const trader = new Trader(w, 440_003);
    await trader.launch("kyc", { kycType: "enhanced" });
    // Nothing chosen yet: no "other" to explain.
    expect(fieldHidden(await trader.html("kyc", { step: "employment" }), "industryDetails")).toBe(
      true,
    );
    await trader.fillStandardForms({
      givenNames: "عمر",
      surnames: "כהן",
      // An override pasted into the address would show staff "abcfed" and flip the line.
      addressLine1: "abc\u202edef 8",
    });
    const steps: [string, Record<string, string | string[]>][] = [
      ["tax", { taxCountry: "SE", tin: "", noTinReason: "not_required" }],
      ["source_of_funds", { sources: "salary" }],
      [
        "employment",
        {
          employmentStatus: "employed",
          occupation: "Falconer",
          employer: "\u2067Sky Patrol\u2069 AB",
          industry: "other",
          industryDetails: "Bird control at airports",
        },
      ],
      [
        "purpose",
        {
          accountPurposes: ["investment", "other"],
          purposeDetails: "Saving for my children's studies",
          expectedYearlyDeposits: "10k_50k",
          annualIncome: "50k_100k",
          netWorth: "50k_100k",
        },
      ],
      ["pep", { isPep: "no" }],
      [
        "appropriateness",
        {
          experienceYears: "over_3y",
          tradesLastYear: "over_50",
          qualification: "profession",
          leverageMargin: "margin_100",
          marginCall: "positions_closed",
          riskOfLoss: "lose_quickly",
        },
      ],
    ];
    for (const [step, values] of steps)
      expect([step, await trader.continue(step, values)]).toEqual([
        step,
        { redirect: "/inapp/kyc" },
      ]);
    // Back on the employment form, the details show with the "other" they explain.
    expect(fieldHidden(await trader.html("kyc", { step: "employment" }), "industryDetails")).toBe(
      false,
    );
    await trader.uploadStandardDocuments();
    expect((await trader.upload("additional")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();

    const reviewer = await signedInStaff(w, "typed.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    const traderData = page.slice(page.indexOf('data-testid="trader-data"'));
    // The names as typed, each isolated from the labels around it.
    expect(traderData).toContain("<bdi>عمر</bdi>");
    expect(traderData).toContain("<bdi>כהן</bdi>");
    // The controls never reached the case: the address and employer read as they look.
    expect(traderData).toContain("<bdi>abcdef 8</bdi>");
    expect(traderData).toContain("<bdi>Sky Patrol AB</bdi>");
    expect(page).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    // "Other" is explained, under the label the trader answered.
    expect(textOf(traderData)).toContain(
      `${en.Forms.employment.industryDetails} Bird control at airports`,
    );
    expect(textOf(traderData)).toContain(
      `${en.Forms.purpose.purposeDetails} Saving for my children's studies`,
    );

    const approver = await signedInStaff(w, "typed.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      rounds: { answers: Record<string, { data: Record<string, unknown> }> }[];
    };
    expect(evidence.rounds[0]?.answers.employment?.data).toMatchObject({
      industry: "other",
      industryDetails: "Bird control at airports",
      employer: "Sky Patrol AB",
    });
    expect(evidence.rounds[0]?.answers.purpose?.data).toMatchObject({
      purposeDetails: "Saving for my children's studies",
    });
    expect(evidence.rounds[0]?.answers.personal?.data).toMatchObject({
      givenNames: "عمر",
      surnames: "כהן",
      addressLine1: "abcdef 8",
    });
  });
});
