/**
 * Scenarios: on a phone, each field brings up the keyboard its value needs. A document or tax
 * number is a code as printed: capitals, and neither autocorrect nor spell-check, which would
 * make a word of "C01X" on the way in. A phone number gets the dialling pad, an e-mail address
 * the e-mail keyboard. The date of birth's picker opens among the dates the step accepts, not at
 * today, decades from any answer.
 */
import "./support/request-scope";
import { dateOfBirthRange } from "@/lib/kyc/steps/personal";
import { Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** The opening tag of the input with this id in a rendered screen. */
function inputTag(html: string, id: string): string {
  const tag = new RegExp(`<input[^>]* id="${id}"[^>]*>|<input id="${id}"[^>]*>`, "i").exec(
    html,
  )?.[0];
  if (!tag) throw new Error(`no input ${id}`);
  return tag.toLowerCase();
}

describe("scenario: the keyboards and pickers a trader's phone shows", () => {
  it("types document and tax numbers in capitals, uncorrected; phone and e-mail on their own keyboards", async () => {
    const trader = new Trader(world(), 460_001);
    await trader.launch("kyc", { kycType: "enhanced" });
    const personal = await trader.html("kyc", { step: "personal" });
    expect(inputTag(personal, "phone")).toMatch(/type="tel"/);
    expect(inputTag(personal, "phone")).toMatch(/autocomplete="tel"/);
    expect(inputTag(personal, "email")).toMatch(/type="email"/);

    const codes = [
      inputTag(await trader.html("kyc", { step: "identity_document" }), "documentNumber"),
      inputTag(await trader.html("kyc", { step: "tax" }), "tin-0"),
    ];
    for (const tag of codes) {
      expect(tag).toMatch(/autocapitalize="characters"/);
      expect(tag).toMatch(/autocorrect="off"/);
      expect(tag).toMatch(/spellcheck="false"/);
    }
  });

  it("opens the date-of-birth picker among the dates the step accepts", async () => {
    const trader = new Trader(world(), 460_002);
    await trader.launch("kyc", { kycType: "standard" });
    const field = inputTag(await trader.html("kyc", { step: "personal" }), "dateOfBirth");
    const { min, max } = dateOfBirthRange(new Date());
    expect(field).toMatch(new RegExp(`min="${min}"`));
    expect(field).toMatch(new RegExp(`max="${max}"`));
  });
});
