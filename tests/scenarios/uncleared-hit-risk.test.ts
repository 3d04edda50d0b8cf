/**
 * Scenario: a likely hit nobody has cleared keeps the case high. A re-screening finds the approved
 * trader on a list (the monitoring task holds the approval); the trader then sends an upgrade and,
 * asked again for the personal step, changes the surname, so the round's own screening no longer
 * matches the entry. Its checks score the round's answers low, but the hit on the answers the
 * approval rests on is still open: the case stays high, with four eyes, until a person judges it.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { PERSONAL } from "../fixtures/kyc-values";
import { importBrokerList, LISTED_LATER } from "./support/broker-list";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: the round's answers no longer match a hit nobody has cleared", () => {
  it("keeps the case high with four eyes while the monitoring task is open, and says why", async () => {
    const w = world();
    const list = await importBrokerList(w, "uncleared-hit-pep.csv");
    const trader = new Trader(w, 592_001);
    const reviewer = await signedInStaff(w, "uncleared.reviewer@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer, LISTED_LATER);
    expect(await trader.currentCase()).toMatchObject({ riskLevel: "low" });

    // The broker's list gains him: the import re-screens the approval in force.
    await list.listLater();
    expect(await trader.currentCase()).toMatchObject({ riskLevel: "high" });
    expect(await reviewer.casePage(kycCase.id)).toContain('data-testid="monitoring-task"');

    // The upgrade, then its personal step again with another surname: its screening is clean.
    await trader.sendEnhancedUpgrade();
    await w.worker();
    expect(
      await reviewer.requestInformation(kycCase.id, ["step:personal"], "Please check your name."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(
      await trader.continue("personal", { ...PERSONAL, ...LISTED_LATER, surnames: "Wennerholm" }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    // Nobody has judged the hit: the case is still high, with two approvers.
    expect(await trader.currentCase()).toMatchObject({
      riskLevel: "high",
      fourEyesRequired: true,
    });
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toContain('data-testid="case-risk" data-risk="high"');
    const header = page.slice(page.indexOf('data-testid="case-risk"'));
    expect(textOf(header.slice(0, header.indexOf("</dd>")))).toContain(
      "four eyes required · escalated (likely sanctions hit)",
    );
    expect(page).toContain('data-testid="summary-risk" data-risk="high" data-risk-open-hit="true"');
    const summary = page.slice(page.indexOf('data-testid="summary-risk"'));
    expect(textOf(summary.slice(0, summary.indexOf("</p>")))).toContain(
      "escalated (likely sanctions hit)",
    );
    expect(await reviewer.queue({ risk: "high" })).toContain(`data-case="${kycCase.id}"`);
  }, 300_000);
});
