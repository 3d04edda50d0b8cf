/**
 * Scenarios: on a phone, each field brings up the keyboard its value needs. A document or tax
 * number is a code as printed: capitals, and neither autocorrect nor spell-check, which would
 * make a word of "C01X" on the way in. A phone number gets the dialling pad, an e-mail address
 * the e-mail keyboard. The date of birth's picker opens among the dates the step accepts, not at
 * today, decades from any answer; a document's expiry and a bill's issue date offer only the
 * dates their step takes. The browser fills in what it knows of the trader (name, birthday,
 * address, phone), but not a document or tax number, nor its saved address's country as the
 * country of birth or a nationality.
 */
import "./support/request-scope";
import { expiryDateRange } from "@/lib/kyc/steps/identity-document";
import { dateOfBirthRange } from "@/lib/kyc/steps/personal";
import { issueDateRange } from "@/lib/kyc/steps/proof-of-address";
import { IDENTITY } from "../fixtures/kyc-values";
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

/** The opening tag of the select with this id in a rendered screen. */
function selectTag(html: string, id: string): string {
  const tag = new RegExp(`<select[^>]* id="${id}"[^>]*>`, "i").exec(html)?.[0];
  if (!tag) throw new Error(`no select ${id}`);
  return tag.toLowerCase();
}

/** The day before (-1) or after (+1) a `YYYY-MM-DD` date. */
function dayBeside(iso: string, days: -1 | 1): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
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

  it("offers only the expiry and issue dates the steps accept, the last ones included", async () => {
    const trader = new Trader(world(), 460_003);
    await trader.launch("kyc", { kycType: "standard" });
    const expiry = expiryDateRange(new Date());
    const expiryField = inputTag(
      await trader.html("kyc", { step: "identity_document" }),
      "expiryDate",
    );
    expect(expiryField).toMatch(new RegExp(`min="${expiry.min}"`));
    expect(expiryField).toMatch(new RegExp(`max="${expiry.max}"`));
    const issue = issueDateRange(new Date());
    const issueField = inputTag(
      await trader.html("kyc", { step: "proof_of_address" }),
      "issueDate",
    );
    expect(issueField).toMatch(new RegExp(`min="${issue.min}"`));
    expect(issueField).toMatch(new RegExp(`max="${issue.max}"`));

    // The picker's limits are the step's: the day beyond each is refused, the limit taken.
    const passport = { ...IDENTITY, documentNumber: "P4600031" };
    for (const refused of [dayBeside(expiry.min, -1), dayBeside(expiry.max, 1)])
      expect(
        await trader.continue("identity_document", { ...passport, expiryDate: refused }),
      ).toMatchObject({ value: { status: "invalid", errors: { expiryDate: expect.any(String) } } });
    expect(
      await trader.continue("identity_document", { ...passport, expiryDate: expiry.max }),
    ).toEqual({ redirect: "/inapp/kyc" });
    const bill = { addressDocumentKind: "utility_bill" };
    for (const refused of [dayBeside(issue.min, -1), dayBeside(issue.max, 1)])
      expect(
        await trader.continue("proof_of_address", { ...bill, issueDate: refused }),
      ).toMatchObject({ value: { status: "invalid", errors: { issueDate: expect.any(String) } } });
    expect(await trader.continue("proof_of_address", { ...bill, issueDate: issue.min })).toEqual({
      redirect: "/inapp/kyc",
    });
  });

  it("lets the browser fill in name, birthday, address and phone, but no document or tax number", async () => {
    const trader = new Trader(world(), 460_004);
    await trader.launch("kyc", { kycType: "enhanced" });
    const personal = await trader.html("kyc", { step: "personal" });
    const tokens = {
      givenNames: "given-name",
      surnames: "family-name",
      dateOfBirth: "bday",
      addressLine1: "address-line1",
      addressLine2: "address-line2",
      city: "address-level2",
      postcode: "postal-code",
      phone: "tel",
      email: "email",
    };
    for (const [id, token] of Object.entries(tokens))
      expect(inputTag(personal, id)).toMatch(new RegExp(`autocomplete="${token}"`));
    expect(selectTag(personal, "country")).toMatch(/autocomplete="country"/);
    // The saved address's country is not where the trader was born, nor what they are a citizen of.
    for (const id of ["countryOfBirth", "nationalities"])
      expect(selectTag(personal, id)).not.toMatch(/autocomplete=/);

    for (const tag of [
      inputTag(await trader.html("kyc", { step: "identity_document" }), "documentNumber"),
      inputTag(await trader.html("kyc", { step: "tax" }), "tin-0"),
    ])
      expect(tag).toMatch(/autocomplete="off"/);
  });
});
