/**
 * Scenarios: the sanctions lists change while a submission waits for its decision. A case is
 * decided on screening against the lists in force at the decision, not at its checks: the import
 * re-screens the submissions awaiting a decision, and an approval on lists that have changed
 * since is refused until the case is screened again.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { cutRescreeningAfter, restoreRescreening } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

function brokerList(name: string): string {
  const list = path.join(world().dataDir, name);
  copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
  return list;
}

const addToList = (list: string, row: string) =>
  writeFileSync(list, `${readFileSync(list, "utf8")}${row}\n`);

describe("scenario: a trader listed while their submission waits for a person", () => {
  it("is re-screened by the import: the hit blocks the approval until two people clear it, and nothing tells cTrader of a monitoring hit", async () => {
    const w = world();
    const list = brokerList("review-pep.csv");
    await w.runListsImportCommand([list]);
    const ines = { givenNames: "Ines", surnames: "Barbosa Lima", dateOfBirth: "1988-06-14" };
    const trader = new Trader(w, 460_001);
    const reviewer = await signedInStaff(w, "inrev.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "inrev.approver@broker.example", "approver");
    await trader.completeStandardLevel({ ...ines, nationalities: ["PT"] });
    await w.worker();
    const kycCase = await trader.currentCase();
    expect(kycCase.status).toBe("in_review");
    const before = await reviewer.casePage(kycCase.id);
    expect(before).not.toContain("data-blocker=");
    expect(before).toContain('data-testid="case-risk" data-risk="low"');
    const heard = w.crmEventsFor(kycCase.id).length;

    // The broker's list gains her before anyone decided; the operator runs the import command.
    addToList(list, "Ines Barbosa Lima,,1988-06-14,Portugal");
    expect(await w.runListsImportCommand([list])).toMatch(
      /re-screened \d+ traders, 1 with a new likely match/,
    );
    await w.worker();

    // The reviewer's page has the hit, found by re-screening; the approval waits for it.
    const page = await reviewer.casePage(kycCase.id);
    const hitKey = /data-hit="(review-pep:[^"]+)"/.exec(page)?.[1];
    expect(hitKey).toBeDefined();
    expect(textOf(page)).toContain("found by re-screening");
    expect(page).toContain('data-blocker="likely_hit_open"');
    expect(page).toContain('data-testid="case-risk" data-risk="high"');
    // Both risk lines say why it is high: the round's own checks scored it low.
    for (const testId of ["case-risk", "summary-risk"]) {
      const line = page.slice(page.lastIndexOf("<", page.indexOf(`data-testid="${testId}"`)));
      expect(textOf(line.slice(0, line.search(/<\/(dd|p)>/)))).toMatch(
        /^High.* · escalated \(likely match on a screening list\)/,
      );
    }
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
    // Not an approved trader: no monitoring task, no alert to the CRM, no account restricted.
    expect(page).not.toContain('data-testid="monitoring-task"');
    expect(w.crmEventsFor(kycCase.id).slice(heard)).toEqual([]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([]);
    // Nothing left to screen: the next import with no change re-screens nobody.
    expect(await w.runListsImportCommand([list])).not.toMatch(/re-screened/);

    // Two people clear it; the raised risk asks for a second approver.
    expect(await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    expect(
      await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await trader.status()).toBe("in_review");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(await trader.status()).toBe("approved");
  });
});

describe("scenario: an approval asked before the re-screening reached the case", () => {
  it("is refused; the reviewer screens the case again, finds the hit, and the import's next run finds nothing left", async () => {
    const w = world();
    const list = brokerList("cut-pep.csv");
    await w.runListsImportCommand([list]);
    const reviewer = await signedInStaff(w, "cut.reviewer@broker.example", "reviewer");
    const marta = new Trader(w, 460_101);
    await marta.completeStandardLevel({
      givenNames: "Marta",
      surnames: "Kowalczyk",
      dateOfBirth: "1984-03-09",
      nationalities: ["PL"],
    });
    await w.worker();
    const kycCase = await marta.currentCase();
    expect(kycCase.status).toBe("in_review");
    expect(await reviewer.casePage(kycCase.id)).not.toContain("data-blocker=");

    // The list gains her; the import replaces the list and dies before re-screening anyone.
    addToList(list, "Marta Kowalczyk,,1984-03-09,Poland");
    await cutRescreeningAfter(w, 0);
    try {
      await expect(w.runListsImportCommand([list])).rejects.toThrow();
    } finally {
      await restoreRescreening(w);
    }

    // Her checks found nothing on the lists of before: the approval waits for today's.
    const page = await reviewer.casePage(kycCase.id);
    expect(page).not.toContain("data-hit=");
    expect(page).toContain('data-blocker="screening_outdated"');
    expect(textOf(page)).toContain("lists changed after this submission was screened");
    expect(page).toContain('data-testid="retry-checks"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:screening_outdated");
    expect(await marta.status()).toBe("in_review");

    // A first "Run the checks now" whose screening fails (the database refuses its run): the
    // trail says the officer's retry failed, not that she was screened.
    await cutRescreeningAfter(w, 0);
    try {
      expect(await reviewer.retryChecks(kycCase.id)).toBe("error:failed");
    } finally {
      await restoreRescreening(w);
    }
    expect(await reviewer.casePage(kycCase.id)).toContain('data-blocker="screening_outdated"');

    // "Run the checks now" screens her against today's lists: the hit is there to judge.
    expect(await reviewer.retryChecks(kycCase.id)).toBe("checks_ran");
    const rescreens = await sqlRows<{ id: string }>(
      w.db.db,
      sql`select id from check_runs where case_id = ${kycCase.id} and reason = 'rescreen'`,
    );
    expect(rescreens).toHaveLength(1);
    expect(
      await sqlRows<{ actor_type: string; data: unknown }>(
        w.db.db,
        sql`select actor_type, data from audit_events
          where case_id = ${kycCase.id} and action = 'checks.retry_requested' order by id`,
      ),
    ).toEqual([
      { actor_type: "staff", data: { round: 1, rescreen: true, outcome: "failed" } },
      {
        actor_type: "staff",
        data: { round: 1, rescreen: true, outcome: "recorded", runIds: [rescreens[0]?.id] },
      },
    ]);
    const after = await reviewer.casePage(kycCase.id);
    expect(after).toMatch(/data-hit="cut-pep:[^"]+"/);
    expect(after).toContain('data-blocker="likely_hit_open"');
    expect(after).toContain('data-testid="case-risk" data-risk="high"');
    expect(after).not.toContain('data-testid="retry-checks"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(await reviewer.retryChecks(kycCase.id)).toBe("error:checks_done");
    // The next import finishes the cut run for anyone else it concerns; her hit is not new again.
    expect(await w.runListsImportCommand([list])).toMatch(/, 0 with a new likely match/);
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).not.toContain("case.monitoring_hit");
  });
});

describe("scenario: a four-eyes signature given before a re-screening found a hit", () => {
  it("no longer counts: after two people clear the hit, the case needs two signatures again", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const list = brokerList("signed-pep.csv");
      await w.runListsImportCommand([list]);
      const reviewer = await signedInStaff(w, "signed.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "signed.approver@broker.example", "approver");
      const second = await signedInStaff(w, "signed.approver2@broker.example", "approver");
      const lena = new Trader(w, 460_201);
      const person = { givenNames: "Lena", surnames: "Hoffmann Berg", dateOfBirth: "1979-11-02" };
      await lena.completeStandardLevel({ ...person, nationalities: ["DE"] });
      await w.worker();
      const kycCase = await lena.currentCase();
      expect(kycCase.status).toBe("in_review");
      expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");

      // The list gains her after the first signature.
      addToList(list, "Lena Hoffmann Berg,,1979-11-02,Germany");
      expect(await w.runListsImportCommand([list])).toMatch(/1 with a new likely match/);
      const page = await approver.casePage(kycCase.id);
      const hitKey = /data-hit="(signed-pep:[^"]+)"/.exec(page)?.[1];
      expect(hitKey).toBeDefined();
      expect(await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Other person")).toBe(
        "hit_awaiting_second",
      );
      expect(await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "ID checked")).toBe(
        "hit_cleared",
      );

      // The reviewer's signature was given on the case without its hit: the approver's is now the
      // first, and the reviewer may sign again.
      expect(await approver.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await lena.status()).toBe("in_review");
      expect(await reviewer.approve(kycCase.id)).toBe("error:co_sign_needs_approver");
      expect(await second.approve(kycCase.id)).toBe("approved");
      expect(await lena.status()).toBe("approved");
    } finally {
      w.configure({});
    }
  });
});
