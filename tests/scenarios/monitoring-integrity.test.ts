/**
 * Scenarios: ongoing monitoring holds up when the work around a hit is cut short or raced. A
 * verdict that cleared a monitoring task's last hit lifts the hold even when the close that
 * follows it fails; the officer's answer says what was recorded.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { failMonitoringCloses, restoreMonitoringCloses } from "./support/faults";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

function brokerList(name: string): string {
  const list = path.join(world().dataDir, name);
  copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
  return list;
}

const addToList = (list: string, row: string) =>
  writeFileSync(list, `${readFileSync(list, "utf8")}${row}\n`);

describe("scenario: the close after a monitoring task's last clearing fails", () => {
  it("keeps the verdict, answers that the hit is cleared, and the worker's next pass closes the task and lifts the hold", async () => {
    const w = world();
    const list = brokerList("settle-pep.csv");
    await w.runListsImportCommand([list]);
    const trader = new Trader(w, 470_001);
    const reviewer = await signedInStaff(w, "settle.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "settle.approver@broker.example", "approver");
    const person = { givenNames: "Teodora", surnames: "Vasilescu", dateOfBirth: "1981-02-17" };
    const kycCase = await approvedAtStandard(w, trader, reviewer, person);
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);

    addToList(list, "Teodora Vasilescu,,1981-02-17,Romania");
    expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
    await w.worker();
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    const hitKey = /data-hit="(settle-pep:[^"]+)"/.exec(page)?.[1];
    expect(hitKey).toBeDefined();
    expect(rights().at(-1)).toBe("CLOSE_ONLY");

    expect(await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    // The approver's clearing is stored; closing the task after it fails.
    await failMonitoringCloses(w);
    try {
      expect(
        await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "Passport checked again"),
      ).toBe("hit_cleared");
    } finally {
      await restoreMonitoringCloses(w);
    }
    // The verdict stands: nobody is asked to clear the hit a third time.
    expect(
      await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("error:hit_already_cleared");

    // The worker's next pass closes the task whose hits are all cleared: the hold is lifted once.
    await w.worker();
    expect(await reviewer.casePage(kycCase.id)).not.toContain('data-testid="monitoring-task"');
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(
      w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.monitoring_cleared"),
    ).toHaveLength(1);
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    await w.worker();
    expect(
      w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.monitoring_cleared"),
    ).toHaveLength(1);
  });
});
