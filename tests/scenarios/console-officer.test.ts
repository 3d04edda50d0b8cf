/**
 * Scenarios of the officer's day in the console: a case someone else claimed is taken over in
 * the open before anyone else decides on it; reasons are those that fit the case; the trader's
 * language is shown beside the message box, with the reason catalog in it.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";
import sl from "@/messages/sl.json";

const world = scenarioWorld();

describe("scenario: a case claimed by one reviewer", () => {
  it("is decided by someone else only after an explicit take-over, and everyone sees who holds it by name", async () => {
    const w = world();
    const trader = new Trader(w, 540_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const first = await signedInStaff(w, "first.reviewer@broker.example", "reviewer");
    const second = await signedInStaff(w, "second.approver@broker.example", "approver");

    expect(await first.claim(kycCase.id)).toBe("claimed");
    let page = await second.casePage(kycCase.id);
    expect(textOf(page)).toContain("Claimed by first.reviewer");
    expect(textOf(await second.queue())).toContain("claimed by first.reviewer");

    // Acting without taking over is refused with words, never a 500; nothing changes.
    expect(await second.approve(kycCase.id)).toBe("error:not_assignee");
    expect(await second.reject(kycCase.id, "underage")).toBe("error:not_assignee");
    expect(
      await second.requestInformation(kycCase.id, ["step:personal"], "Please check your name."),
    ).toBe("error:not_assignee");
    page = await second.casePage(kycCase.id, { error: "not_assignee" });
    expect(textOf(page)).toContain("Take it over (audited) before you decide");
    expect(page).toContain('data-testid="case-status" data-status="in_review">');

    expect(await second.takeOver(kycCase.id)).toBe("taken_over");
    // The first reviewer now sees the case held by the approver, and must take it back to act.
    page = await first.casePage(kycCase.id);
    expect(textOf(page)).toContain("Claimed by second.approver");
    expect(page).toContain('data-testid="take-over"');
    expect(await first.approve(kycCase.id)).toBe("error:not_assignee");
    expect(await second.approve(kycCase.id)).toBe("approved");
  });
});

describe("scenario: a Slovenian trader's standard case", () => {
  it("shows the trader's language and the catalog's text in it; offers and accepts only reasons of the level", async () => {
    const w = world();
    const trader = new Trader(w, 540_002, "sl");
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "lang.reviewer@broker.example", "reviewer");

    let page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="trader-language" data-lang="sl"');
    expect(textOf(page)).toContain("The trader reads Slovenian (sl)");
    // What the trader would read for each reason, in Slovenian.
    expect(textOf(page)).toContain(sl.RejectReasons.document_unreadable);
    // A standard case has no source of funds: that reason is neither offered nor accepted.
    expect(page).not.toContain('value="source_of_funds_unclear"');
    expect(page).toContain('value="address_proof_invalid"');
    expect(await reviewer.reject(kycCase.id, "source_of_funds_unclear")).toBe(
      "error:reason_not_for_level",
    );

    // A reason's Slovenian text as the start of the message to the trader.
    page = await reviewer.casePage(kycCase.id, { prefill: "document_unreadable" });
    const message = /<textarea[^>]*data-testid="message"[^>]*>([^<]*)<\/textarea>/.exec(page);
    expect(textOf(message?.[1] ?? "")).toBe(sl.RejectReasons.document_unreadable);
    expect(message?.[0]).toContain('lang="sl"');

    // What the reviewer writes is sent as written.
    const written = "Prosimo, naložite ostrejšo fotografijo. (Thank you!)";
    expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], written)).toBe(
      "action_requested",
    );
    await trader.launch("status");
    expect(await trader.sees("status")).toContain(written);
  });
});
