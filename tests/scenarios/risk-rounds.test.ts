/**
 * Scenarios: whose round the risk on a case is. A new round keeps the risk last assessed until
 * its own checks ran, marked "from the previous round"; a re-screening hit found after the round
 * was sent is this round's news, not the previous round's, on the case page, in the queue and
 * in the evidence export.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { importBrokerList, LISTED_LATER } from "./support/broker-list";
import { approvedAtStandard, signedInStaff, Trader, type Staff } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** The case's row in a queue page: its risk cell, or null when the page does not list it. */
function riskInQueue(queue: string, caseId: string) {
  const at = queue.indexOf(`data-case="${caseId}"`);
  if (at < 0) return null;
  const row = queue.slice(at, queue.indexOf("</tr>", at));
  return { risk: /<td data-risk="([a-z]+)"/.exec(row)?.[1] ?? "none", text: textOf(row) };
}

/** The case's risk and its mark in the dashboard's cases CSV, as an auditor reads them. */
async function riskInCasesCsv(staff: Staff, caseId: string) {
  const response = await staff.exportDashboard("cases");
  expect(response.status).toBe(200);
  const [header = "", ...lines] = (await response.text()).trim().split("\r\n");
  const columns = header.split(",");
  const row = lines.find((l) => l.startsWith(`${caseId},`))?.split(",") ?? [];
  return {
    risk: row[columns.indexOf("risk")],
    fromEarlierRound: row[columns.indexOf("risk_from_earlier_round")],
  };
}

/** The opening tags of the case page's two risk lines (header and case summary). */
function riskOnPage(page: string) {
  const tag = (testId: string) =>
    /<[a-z]+ [^>]*>/.exec(
      page.slice(page.lastIndexOf("<", page.indexOf(`data-testid="${testId}"`))),
    )?.[0];
  return { header: tag("case-risk"), summary: tag("summary-risk") };
}

describe("scenario: the trader is listed after sending an upgrade, before its checks ran", () => {
  it("shows the re-screening's high risk as this round's news, not the previous round's", async () => {
    const w = world();
    const list = await importBrokerList(w, "risk-rounds-pep.csv");
    const trader = new Trader(w, 591_001);
    const reviewer = await signedInStaff(w, "riskrounds.reviewer@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer, LISTED_LATER, {
      expiryDate: "2045-01-31",
    });
    await trader.sendEnhancedUpgrade();
    // Before the upgrade's checks: the approval's low risk, marked as the previous round's.
    expect(riskOnPage(await reviewer.casePage(kycCase.id))).toEqual({
      header: '<dd data-testid="case-risk" data-risk="low" data-risk-earlier-round="true">',
      summary: '<p data-testid="summary-risk" data-risk="low" data-risk-earlier-round="true">',
    });

    const before = (await (await reviewer.exportEvidence(kycCase.id)).json()) as {
      case: { riskLevel: string; riskFromEarlierRound: boolean; rescreenHitAt: string | null };
    };
    expect(before.case).toEqual(
      expect.objectContaining({
        riskLevel: "low",
        riskFromEarlierRound: true,
        rescreenHitAt: null,
      }),
    );
    expect(textOf(await (await reviewer.exportEvidence(kycCase.id, "html")).text())).toContain(
      "Low · from the previous round: this round's checks have not run yet",
    );
    expect(riskInQueue(await reviewer.queue({}), kycCase.id)?.text).toContain("previous round");
    expect(await riskInCasesCsv(reviewer, kycCase.id)).toEqual({
      risk: "low",
      fromEarlierRound: "true",
    });

    // The broker's list gains him; the import re-screens the approval in force at once, while
    // the upgrade's checks wait for the worker.
    await list.listLater();

    const page = await reviewer.casePage(kycCase.id);
    expect(riskOnPage(page)).toEqual({
      header: '<dd data-testid="case-risk" data-risk="high">',
      summary: '<p data-testid="summary-risk" data-risk="high" data-risk-open-hit="true">',
    });
    expect(textOf(page)).not.toContain("from the previous round");
    const row = riskInQueue(await reviewer.queue({}), kycCase.id);
    expect(row?.risk).toBe("high");
    expect(row?.text).not.toContain("previous round");
    expect(await riskInCasesCsv(reviewer, kycCase.id)).toEqual({
      risk: "high",
      fromEarlierRound: "false",
    });
    const exported = (await (await reviewer.exportEvidence(kycCase.id)).json()) as {
      case: {
        riskLevel: string;
        riskFromEarlierRound: boolean;
        rescreenHitAt: string | null;
        riskRunId: string | null;
      };
      checkRuns: { id: string; reason: string; riskLevel: string }[];
    };
    expect(exported.case).toMatchObject({ riskLevel: "high", riskFromEarlierRound: false });
    expect(exported.case.rescreenHitAt).toEqual(expect.any(String));
    // The risk rests on the re-screening that found him, not on the approval's low run (which
    // case_risk still points at): the export names that run, the printable marks it.
    const riskRun = exported.checkRuns.find((r) => r.id === exported.case.riskRunId);
    expect(riskRun).toMatchObject({ reason: "rescreen", riskLevel: "high" });
    const marked = [
      ...(await (await reviewer.exportEvidence(kycCase.id, "html")).text()).matchAll(
        /<h3>([\s\S]*?)<\/h3>/g,
      ),
    ]
      .map((m) => m[1]!)
      .filter((h) => h.includes("the case&#39;s risk rests on this run"));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain(riskRun!.id);

    // The upgrade's own checks then screen its answers: the hit again, still high, now theirs.
    await w.worker();
    expect(riskOnPage(await reviewer.casePage(kycCase.id))).toEqual({
      header: '<dd data-testid="case-risk" data-risk="high">',
      summary: '<p data-testid="summary-risk" data-risk="high" data-risk-open-hit="true">',
    });
    expect(riskInQueue(await reviewer.queue({}), kycCase.id)?.text).not.toContain("previous round");
  }, 300_000);
});
