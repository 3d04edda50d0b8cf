/**
 * Scenarios: what a trader types reaches staff as typed, and only what applies is asked. A
 * country without postcodes needs none and a country with them does.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import { PERSONAL } from "../fixtures/kyc-values";
import { Trader } from "./support/people";
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
