/**
 * Scenario: the officer's summary across rounds and cases. A reviewer asks for more information,
 * the trader answers with a new document number and a new photo; the summary of round 2 names
 * what was asked and what changed.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: the case summary across rounds and cases", () => {
  it("shows what changed since the last round, and no previous case for a first case", async () => {
    const w = world();
    const trader = new Trader(w, 451_001);
    await trader.completeStandardLevel();
    const first = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "rounds.summary@broker.example", "reviewer");
    expect(textOf(await reviewer.casePage(first.id))).toContain(
      "First round: nothing to compare yet.",
    );

    expect(
      await reviewer.requestInformation(
        first.id,
        ["document:identity", "step:identity_document"],
        "Please show the photo page in full.",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(
      await trader.continue("identity_document", {
        documentKind: "passport",
        documentNumber: "PZ1234567",
        issuingCountry: "SE",
        expiryDate: "2033-03-03",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const page = await reviewer.casePage(first.id);
    const text = textOf(page);
    expect(page).toContain('data-testid="summary-changes" data-round="2"');
    // What was asked, in words: the step and the document are both "Identity document".
    expect(text).toMatch(
      /Asked for \( [-\d: ]+ UTC \): Identity document — “ Please show the photo page in full. ”/,
    );
    expect(page).toContain('data-step="identity_document" data-field="documentNumber"');
    expect(page).toContain('data-step="identity_document" data-field="expiryDate"');
    expect(text).toContain("PZ1234567");
    expect(text).toContain("2033-03-03");
    // Only what changed: the personal data stayed as it was.
    expect(page).not.toContain('data-step="personal"');
    expect(page).toMatch(
      /data-testid="summary-new-documents"><li[^>]*data-document="identity" data-side="page"/,
    );
    expect(page).not.toMatch(/summary-new-documents">(?:(?!<\/ul>).)*data-document="address"/s);
    // No earlier case: the trader's only one.
    expect(page).toMatch(/data-testid="summary-previous">None\./);
  });

  // Today a trader's one case stays theirs (a final rejection is shown again at the next launch);
  // level upgrades and renewals will open a second case, whose summary links this one.
  it.todo("links the trader's earlier case once an upgrade or a renewal opens a second one");
});
