/**
 * Scenario: a renewal declined after the trader's new answers lowered the round's risk. The trader
 * is approved at enhanced as a politically exposed person (high risk: two approvers). On the
 * renewal the reviewer asks for the PEP step again, the trader answers "no" and that round's
 * checks say low; the reviewer declines the renewal. The case is back on the answers it was
 * approved on, so it carries the risk they were assessed at: high, four eyes, the periodic review
 * due after high's months, not the discarded round's low.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { IDENTITY } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { daysAfter, isoDay, monthsAfter } from "./support/dates";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld({
  // The notice is due as soon as the approval is in force: the renewal starts today.
  RENEWAL_NOTICE_DAYS: "365",
  PERIODIC_REVIEW_MONTHS_LOW: "60",
  PERIODIC_REVIEW_MONTHS_MEDIUM: "36",
  PERIODIC_REVIEW_MONTHS_HIGH: "3",
});

const PEP = {
  isPep: "yes",
  pepRelation: "self",
  pepPosition: "Member of parliament",
  pepCountry: "SE",
};

const inDays = (days: number) => isoDay(daysAfter(new Date(), days));

/** The run case_risk points at: its round, and the level and score the row carries. */
async function riskRun(w: World, caseId: string) {
  const [row] = await sqlRows<{ round: number; level: string; score: number }>(
    w.db.db,
    sql`select r.round, k.level, k.score from case_risk k join check_runs r on r.id = k.run_id
      where k.case_id = ${caseId}`,
  );
  return row;
}

const riskRunId = async (w: World, caseId: string) =>
  (
    await sqlRows<{ run_id: string }>(
      w.db.db,
      sql`select run_id from case_risk where case_id = ${caseId}`,
    )
  )[0]?.run_id;

describe("scenario: a renewal declined after the trader's answers lowered its risk", () => {
  it("keeps the risk the approval was assessed at: high with four eyes, on the case, its page, the queue and the periodic review", async () => {
    const w = world();
    const trader = new Trader(w, 589_001);
    const first = await signedInStaff(w, "declinerisk.one@broker.example", "approver");
    const second = await signedInStaff(w, "declinerisk.two@broker.example", "approver");

    // Approved at enhanced as a PEP: the checks say high, and two approvers sign. The passport
    // outlives the review at high risk, and its renewal notice is due at once.
    await trader.completeEnhancedLevel({ pep: PEP }, {}, { expiryDate: inDays(200) });
    await w.worker();
    const kycCase = await trader.currentCase();
    expect(kycCase).toMatchObject({ riskLevel: "high", fourEyesRequired: true });
    expect(await first.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await second.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );

    // The renewal: a new document, then the PEP step asked again and answered "no".
    await trader.launch("status");
    expect(await trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
    expect(
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: "DR5890011",
        expiryDate: "2036-05-01",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(
      await first.requestInformation(kycCase.id, ["step:pep"], "Please confirm your PEP status."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(await trader.continue("pep", { isPep: "no" })).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    // That round's checks scored the new answers: low, no second approver.
    expect(await trader.currentCase()).toMatchObject({ riskLevel: "low", fourEyesRequired: false });

    expect(await first.reject(kycCase.id, "document_unreadable")).toBe("renewal_declined");
    await w.worker();

    // Back on the PEP answers, at the risk they were approved at.
    expect(await trader.currentCase()).toMatchObject({
      status: "approved",
      riskLevel: "high",
      fourEyesRequired: true,
    });
    const page = await first.casePage(kycCase.id);
    expect(page).toContain('data-testid="case-risk" data-risk="high"');
    expect(textOf(page)).toContain("four eyes required");
    // The summary explains it by the approved round's run, not by the declined round's score 0.
    const summary = page.slice(page.lastIndexOf("<p", page.indexOf('data-testid="summary-risk"')));
    expect(textOf(summary.slice(0, summary.indexOf("</p>")))).toContain("High · score 40");
    expect(summary).toContain('data-risk-check="pep_declaration"');
    // The checks shown are the declined round's, said so, beside the run the risk rests on.
    const [declinedRun] = await sqlRows<{ id: string }>(
      w.db.db,
      sql`select id from check_runs where case_id = ${kycCase.id} and round = 3`,
    );
    const approvedRun = await riskRunId(w, kycCase.id);
    expect(page).toContain(
      'data-testid="checks-declined-round" data-round="3" data-approved-round="1"',
    );
    expect(textOf(page)).toContain(
      "Round 3 was declined: the checks below read the answers the decline discarded. The approval in force rests on the answers of round 1.",
    );
    expect(page).toContain(`data-testid="checks-risk-run" data-run="${approvedRun}"`);
    // The summary's counts are that run's outcomes too, and name its round.
    const outcomesOf = async (runId: string | undefined) =>
      Object.fromEntries(
        (
          await sqlRows<{ outcome: string; n: number }>(
            w.db.db,
            sql`select outcome, count(*)::int as n from case_checks where run_id = ${runId}
              group by outcome`,
          )
        ).map((r) => [r.outcome, r.n]),
      );
    const counted = page.slice(page.indexOf('data-testid="summary-checks"'));
    const countsShown = Object.fromEntries(
      [
        ...counted
          .slice(0, counted.indexOf("</p>"))
          .matchAll(/data-outcome="(\w+)" data-count="(\d+)"/g),
      ]
        .filter((m) => m[2] !== "0")
        .map((m) => [m[1], Number(m[2])]),
    );
    expect(countsShown).toEqual(await outcomesOf(approvedRun));
    expect(countsShown).not.toEqual(await outcomesOf(declinedRun?.id));
    expect(counted).toMatch(/^data-testid="summary-checks" data-risk-run-round="1"/);
    expect(textOf(counted.slice(0, counted.indexOf("</p>")))).toContain(
      "Round 1, the run the risk rests on:",
    );
    expect(textOf(page)).toMatch(
      /risk rests on another run: Round 1 · run .* · risk High \(40 points\)/,
    );
    // The export and the printable name the same run, and the round the approval rests on.
    const exported = (await (await first.exportEvidence(kycCase.id)).json()) as {
      case: { riskRunId: string | null; riskFromEarlierRound: boolean };
      checkRuns: { id: string; round: number }[];
      approval: { round: number } | null;
    };
    expect(exported.case).toMatchObject({ riskRunId: approvedRun, riskFromEarlierRound: false });
    expect(exported.checkRuns.find((r) => r.id === approvedRun)?.round).toBe(1);
    expect(exported.checkRuns.map((r) => r.id)).toContain(declinedRun?.id);
    expect(exported.approval?.round).toBe(1);
    const printable = textOf(await (await first.exportEvidence(kycCase.id, "html")).text());
    expect(printable).toMatch(
      new RegExp(
        `run ${approvedRun} · round 1 · [^·]+ · risk High \\(40\\) · [^·]+ · the case's risk rests on this run`,
      ),
    );
    expect(printable).not.toMatch(new RegExp(`run ${declinedRun?.id}[^\\n]*rests on this run`));
    expect(printable).toContain("The approval rests on the answers of round 1.");
    expect(await first.queue({ queue: "decided", risk: "high" })).toContain(
      `data-case="${kycCase.id}"`,
    );
    // The risk row points at the run the approval was assessed by again, and the audit says so.
    expect(await riskRun(w, kycCase.id)).toEqual({ round: 1, level: "high", score: 40 });
    const admin = await signedInStaff(w, "declinerisk.admin@broker.example", "admin");
    expect(
      textOf(await admin.auditPage({ case: kycCase.id, action: "case.renewal_declined" })),
    ).toMatch(/restoredRiskLevel:?\s*high/);

    // The periodic review falls due after high's months, not low's.
    await w.worker(new Date(monthsAfter(approvedAt, 3).getTime() + 60_000));
    const officer = await signedInStaff(w, "declinerisk.three@broker.example", "reviewer");
    expect(await officer.queue({ queue: "periodic" })).toContain(`data-case="${kycCase.id}"`);
    expect(textOf(await officer.casePage(kycCase.id))).toMatch(/every 3 months at high risk/i);
  }, 300_000);
});

describe("scenario: an upgrade declined after its answers raised the risk", () => {
  it("keeps the higher risk the declined round found: what was learnt is not lowered by going back", async () => {
    const w = world();
    const trader = new Trader(w, 589_002);
    const reviewer = await signedInStaff(w, "declinerisk.four@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer);
    expect((await trader.currentCase()).riskLevel).toBe("low");

    // The upgrade declares a PEP: its checks say high.
    await trader.sendEnhancedUpgrade({ pep: PEP });
    await w.worker();
    expect(await reviewer.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");

    expect(await trader.currentCase()).toMatchObject({
      status: "approved",
      riskLevel: "high",
      fourEyesRequired: true,
    });
    expect(await riskRun(w, kycCase.id)).toEqual({ round: 2, level: "high", score: 40 });
  }, 300_000);
});
