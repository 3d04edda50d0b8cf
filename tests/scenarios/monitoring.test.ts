/**
 * Scenario: ongoing monitoring. Approved traders are re-screened when `npm run lists:import`
 * brings a changed list; a new likely match opens a task a person sees in the queue, raises the
 * risk, tells the CRM, and restricts the trading account until someone decides: cleared by two
 * people (the hold is lifted) or confirmed and the approval withdrawn (no trading).
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: a monitoring hit on approved traders", () => {
  it("reaches a person, holds the account, and ends cleared for one trader and revoked for another", async () => {
    const w = world();
    const list = path.join(w.dataDir, "broker-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);

    const marta = { givenNames: "Marta", surnames: "Kowalczyk", dateOfBirth: "1984-03-09" };
    const first = new Trader(w, 450_001);
    const second = new Trader(w, 450_002);
    const reviewer = await signedInStaff(w, "mon.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "mon.approver@broker.example", "approver");
    for (const trader of [first, second]) {
      await trader.completeStandardLevel({ ...marta, nationalities: ["PL"] });
      await w.worker();
      expect(await reviewer.approve((await trader.currentCase()).id)).toBe("approved");
    }
    await w.worker();
    const firstCase = await first.currentCase();
    const secondCase = await second.currentCase();

    // The broker's list gains Marta Kowalczyk; the operator runs the import command.
    writeFileSync(list, `${readFileSync(list, "utf8")}Marta Kowalczyk,,1984-03-09,Poland\n`);
    const printed = await w.runListsImportCommand([list]);
    expect(printed).toMatch(/re-screened \d+ approved traders, 2 with a new likely match/);
    await w.worker();

    // A person sees it: the queue's monitoring filter, the case page with the hit.
    const queue = await reviewer.queue({ queue: "monitoring" });
    for (const c of [firstCase, secondCase]) {
      expect(queue).toContain(`data-case="${c.id}"`);
    }
    expect(queue).toContain('data-testid="monitoring-hit"');
    const page = await reviewer.casePage(firstCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toContain('data-testid="case-risk" data-risk="high">High');
    expect(textOf(page)).toContain("found by re-screening");
    const hitKey = /data-hit="([^"]+)"/.exec(page)?.[1];
    expect(hitKey).toMatch(/^broker-pep:/);

    // The CRM hears of it; cTrader restricts both accounts until someone decides.
    for (const c of [firstCase, secondCase])
      expect(w.crmEventsFor(c.id).map((e) => e.type)).toEqual([
        "case.status_changed",
        "case.status_changed",
        "case.status_changed",
        "case.monitoring_hit",
      ]);
    expect(w.accountUpdates.filter((u) => u.login === first.tradingLogin)).toEqual([
      { login: first.tradingLogin, accessRights: "FULL_ACCESS" },
      { login: first.tradingLogin, accessRights: "CLOSE_ONLY" },
    ]);

    // First trader: two people clear the hit; the hold is lifted.
    expect(
      await reviewer.judgeHit(firstCase.id, hitKey!, "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(firstCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("monitoring_cleared");
    await w.worker();
    expect(w.crmEventsFor(firstCase.id).at(-1)?.type).toBe("case.monitoring_cleared");
    expect(w.accountUpdates.filter((u) => u.login === first.tradingLogin).at(-1)).toEqual({
      login: first.tradingLogin,
      accessRights: "FULL_ACCESS",
    });
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${firstCase.id}"`,
    );

    // Second trader: the match is confirmed and an approver withdraws the approval.
    expect(await reviewer.judgeHit(secondCase.id, hitKey!, "confirmed", "Same person")).toBe(
      "hit_confirmed",
    );
    expect(await reviewer.reject(secondCase.id, "sanctions_match")).toBe("error:needs_approver");
    expect(await approver.reject(secondCase.id, "sanctions_match", "Listed since today")).toBe(
      "rejected_final",
    );
    await w.worker();
    expect(await second.status()).toBe("rejected");
    expect(w.crmEventsFor(secondCase.id).at(-1)).toMatchObject({
      type: "case.status_changed",
      status: "rejected",
      event: "revoke",
    });
    expect(w.accountUpdates.filter((u) => u.login === second.tradingLogin).at(-1)).toEqual({
      login: second.tradingLogin,
      accessRights: "NO_TRADING",
    });
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${secondCase.id}"`,
    );
    // The next launch shows the final decision.
    await second.launch("kyc");
    expect(await second.html("kyc")).toContain('data-testid="final-rejection"');
  });
});
