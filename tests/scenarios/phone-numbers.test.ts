/**
 * Scenarios: the phone number on the personal step is one that can exist. A number is read for
 * the country of the address unless it carries its own country code, and a number that no line
 * of that country can have is refused in the trader's language, keeping what was typed; the
 * step is done only once the number is real.
 */
import "./support/request-scope";
import de from "@/messages/de.json";
import { PERSONAL } from "../fixtures/kyc-values";
import { Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** Whether the overview marks the personal step done. */
function personalDone(html: string): boolean {
  const item = /<li[^>]*data-step="personal"[^>]*>/.exec(html)?.[0];
  if (!item) throw new Error("no personal step on the overview");
  return item.includes('data-done="true"');
}

const GERMANY = {
  addressLine1: "Hauptstraße 5",
  city: "Berlin",
  postcode: "10115",
  country: "DE",
};

describe("scenario: a German trader's phone number", () => {
  it("refuses 12345 in German, keeps what was typed, and takes a German mobile written without the country code", async () => {
    const trader = new Trader(world(), 450_001, "de");
    await trader.launch("kyc", { kycType: "standard" });

    for (const phone of ["12345", "+49 12345"]) {
      const refused = await trader.continue("personal", { ...PERSONAL, ...GERMANY, phone });
      expect(refused).toEqual({
        value: expect.objectContaining({
          status: "invalid",
          errors: { phone: de.Errors.invalidPhone },
          values: expect.objectContaining({ phone, country: "DE" }),
        }),
      });
    }
    // Not done: the overview still sends the trader to this step.
    expect(personalDone(await trader.html("kyc", { view: "overview" }))).toBe(false);

    // A German mobile as Germans write it, no country code: read for the address's country.
    expect(
      await trader.continue("personal", { ...PERSONAL, ...GERMANY, phone: "0151 23456789" }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect(personalDone(await trader.html("kyc", { view: "overview" }))).toBe(true);
  });
});
