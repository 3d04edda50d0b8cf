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
      "High · escalated (likely match on a screening list) · four eyes required",
    );
    expect(page).toContain('data-testid="summary-risk" data-risk="high" data-risk-open-hit="true"');
    const summary = page.slice(page.indexOf('data-testid="summary-risk"'));
    expect(textOf(summary.slice(0, summary.indexOf("</p>")))).toContain(
      "escalated (likely match on a screening list)",
    );
    expect(await reviewer.queue({ risk: "high" })).toContain(`data-case="${kycCase.id}"`);

    // The round's own checks found nothing (the changed surname matches no entry): the high is
    // the open hit's, and the audit says so.
    const evidence = (await (await reviewer.exportEvidence(kycCase.id)).json()) as {
      case: { round: number };
      checkRuns: { reason: string; round: number | null; riskLevel: string }[];
      audit: { rows: { action: string; data: Record<string, unknown> }[] };
    };
    const roundRuns = evidence.checkRuns.filter(
      (r) => r.reason === "submission" && r.round === evidence.case.round,
    );
    expect(roundRuns.map((r) => r.riskLevel)).toEqual(["low"]);
    expect(
      evidence.audit.rows.findLast((a) => a.action === "checks.completed")?.data,
    ).toMatchObject({ level: "low", heldByOpenHit: true, caseLevel: "high" });
  }, 300_000);
});
