/**
 * Scenarios: ongoing monitoring holds up when the work around a hit is cut short or raced. A
 * verdict that cleared a monitoring task's last hit lifts the hold even when the close that
 * follows it fails; the officer's answer says what was recorded. A reviewer's "run the checks
 * now" and a list import that reach the same case at once screen it once; two imports on
 * different list versions that both screen it alert a new hit once. Housekeeping closes the
 * tasks whose hits are all cleared, a bounded number a pass, without reading those that wait.
 */
import "./support/request-scope";
import { adminUrl } from "../helpers/db-target";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MONITORING_TASK } from "@/lib/db/queries/hold-tasks";
import { getOpenReviewTask } from "@/lib/db/queries/review";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { settleClearedMonitoringTasks } from "@/lib/review/screening-hits";
import {
  cutRescreeningAfter,
  failMonitoringCloses,
  restoreMonitoringCloses,
  restoreRescreening,
  whileCaseHeld,
} from "./support/faults";
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

describe("scenario: a reviewer's re-screening and a list import reach the same case at once", () => {
  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "screens it once: one hit, one monitoring task entry, one alert to the CRM and cTrader",
    async () => {
      const w = world();
      const list = brokerList("race-pep.csv");
      await w.runListsImportCommand([list]);
      const trader = new Trader(w, 470_101);
      const reviewer = await signedInStaff(w, "race.reviewer@broker.example", "reviewer");
      const person = { givenNames: "Annika", surnames: "Rautio", dateOfBirth: "1976-09-05" };
      const kycCase = await approvedAtStandard(w, trader, reviewer, person);
      // The trader's upgrade waits for a person: its approval in force is monitored, its sent
      // answers are decided on today's lists.
      await trader.sendEnhancedUpgrade();
      await w.worker();
      expect(await trader.status()).toBe("in_review");
      const heard = w.crmEventsFor(kycCase.id).length;
      const rights = () =>
        w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
      const rightsBefore = rights().length;

      // The list gains her; the import replaces the list and dies before re-screening anyone.
      addToList(list, "Annika Rautio,,1976-09-05,Finland");
      await cutRescreeningAfter(w, 0);
      try {
        await expect(w.runListsImportCommand([list])).rejects.toThrow(/insert into "check_runs"/);
      } finally {
        await restoreRescreening(w);
      }
      expect(await reviewer.casePage(kycCase.id)).toContain('data-testid="retry-checks"');

      // The reviewer runs the checks now while the next import resumes the cut re-screening: both
      // have read the case before either stores a run.
      const [retried, imported] = await whileCaseHeld(w, kycCase.id, 2, () =>
        Promise.all([reviewer.retryChecks(kycCase.id), w.runListsImportCommand([list])]),
      );
      expect(retried).toBe("checks_ran");
      expect(imported).toMatch(/re-screened/);
      await w.worker();

      const page = await reviewer.casePage(kycCase.id);
      expect([...page.matchAll(/data-hit="(race-pep:[^"]+)"/g)].map((m) => m[1])).toEqual([
        expect.any(String),
      ]);
      expect(page).not.toContain('data-testid="retry-checks"');
      expect(
        w
          .crmEventsFor(kycCase.id)
          .slice(heard)
          .map((e) => e.type),
      ).toEqual(["case.monitoring_hit"]);
      expect(rights().slice(rightsBefore)).toEqual(["CLOSE_ONLY"]);
      // Read for the assertion: the task holds the hit once, and the trail names it once.
      const task = await getOpenReviewTask(kycCase.id, MONITORING_TASK);
      expect((task?.data as { hits: unknown[] }).hits).toHaveLength(1);
      const rescreenHits = (await listCaseAuditEvents(kycCase.id)).filter(
        (e) => e.action === "screening.rescreen_hit",
      );
      expect(rescreenHits).toHaveLength(1);
      // Nothing left to screen: the next import re-screens nobody.
      expect(await w.runListsImportCommand([list])).not.toMatch(/re-screened/);
    },
  );
});

describe("scenario: two list imports on different list versions reach the same case at once", () => {
  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "alerts the hit once: one monitoring task entry, one alert to the CRM and cTrader",
    async () => {
      const w = world();
      const pep = brokerList("versions-pep.csv");
      const other = path.join(w.dataDir, "versions-other.csv");
      writeFileSync(other, "name,aliases,dob,country\nOsvaldo Pereira Lima,,1955-01-01,Brazil\n");
      await w.runListsImportCommand([pep, other]);
      const trader = new Trader(w, 470_201);
      const reviewer = await signedInStaff(w, "versions.reviewer@broker.example", "reviewer");
      const person = { givenNames: "Ilse", surnames: "Vandersteen", dateOfBirth: "1983-06-21" };
      const kycCase = await approvedAtStandard(w, trader, reviewer, person);
      const heard = w.crmEventsFor(kycCase.id).length;
      const rights = () =>
        w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
      const rightsBefore = rights().length;

      // The first import brings her onto the PEP list and waits at her case; meanwhile the other
      // list changes too (not about her), and a second import re-screens her on the newer
      // versions: both have screened her before either stores a run.
      addToList(pep, "Ilse Vandersteen,,1983-06-21,Belgium");
      let second: Promise<string> | undefined;
      const first = await whileCaseHeld(
        w,
        kycCase.id,
        1,
        () => w.runListsImportCommand([pep, other]),
        {
          meanwhile: async (untilWaiting) => {
            addToList(other, "Rosalind Achterberg,,1949-12-30,Netherlands");
            second = w.runListsImportCommand([pep, other]);
            await untilWaiting(2, second);
          },
        },
      );
      const printed = [first, await second!];
      expect(printed.every((p) => /re-screened/.test(p))).toBe(true);
      expect(printed.filter((p) => /, 1 with a new likely match/.test(p))).toHaveLength(1);
      await w.worker();

      expect(
        w
          .crmEventsFor(kycCase.id)
          .slice(heard)
          .map((e) => e.type),
      ).toEqual(["case.monitoring_hit"]);
      expect(rights().slice(rightsBefore)).toEqual(["CLOSE_ONLY"]);
      const page = await reviewer.casePage(kycCase.id);
      expect([...page.matchAll(/data-hit="(versions-pep:[^"]+)"/g)].map((m) => m[1])).toEqual([
        expect.any(String),
      ]);
      // Read for the assertion: the task holds the hit once, and the trail names it once.
      const task = await getOpenReviewTask(kycCase.id, MONITORING_TASK);
      expect((task?.data as { hits: unknown[] }).hits).toHaveLength(1);
      const rescreenHits = (await listCaseAuditEvents(kycCase.id)).filter(
        (e) => e.action === "screening.rescreen_hit",
      );
      expect(rescreenHits).toHaveLength(1);
    },
  );
});

describe("scenario: housekeeping with monitoring tasks that wait for a person", () => {
  it("closes only tasks whose hits are all cleared, a bounded number a pass, and the next pass closes the rest", async () => {
    const w = world();
    const list = brokerList("batch-pep.csv");
    await w.runListsImportCommand([list]);
    const reviewer = await signedInStaff(w, "batch.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "batch.approver@broker.example", "approver");
    const people = [
      { givenNames: "Henrike", surnames: "Oosterbaan", dateOfBirth: "1972-04-08" },
      { givenNames: "Bartholomew", surnames: "Quennell", dateOfBirth: "1968-10-19" },
      { givenNames: "Ottilie", surnames: "Brauneck", dateOfBirth: "1990-07-02" },
    ];
    const cases: string[] = [];
    for (const [i, person] of people.entries())
      cases.push((await approvedAtStandard(w, new Trader(w, 470_301 + i), reviewer, person)).id);
    const [waiting, ...cleared] = cases as [string, string, string];

    // The first is listed first: her task is the oldest, and waits for a second person.
    addToList(list, "Henrike Oosterbaan,,1972-04-08,Netherlands");
    expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
    addToList(list, "Bartholomew Quennell,,1968-10-19,United Kingdom");
    addToList(list, "Ottilie Brauneck,,1990-07-02,Germany");
    expect(await w.runListsImportCommand([list])).toMatch(/, 2 with a new likely match/);
    await w.worker();
    const hitOf = async (caseId: string) =>
      /data-hit="(batch-pep:[^"]+)"/.exec(await reviewer.casePage(caseId))?.[1] ?? "no hit";
    expect(
      await reviewer.judgeHit(waiting, await hitOf(waiting), "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    // The other two are cleared by two people; the close after each clearing fails.
    await failMonitoringCloses(w);
    try {
      for (const caseId of cleared) {
        const key = await hitOf(caseId);
        expect(await reviewer.judgeHit(caseId, key, "false_positive", "Other DOB on ID")).toBe(
          "hit_awaiting_second",
        );
        expect(await approver.judgeHit(caseId, key, "false_positive", "Passport seen")).toBe(
          "hit_cleared",
        );
      }
    } finally {
      await restoreMonitoringCloses(w);
    }
    const held = async () =>
      Promise.all(
        cases.map(async (id) =>
          (await reviewer.casePage(id)).includes('data-testid="monitoring-task"'),
        ),
      );
    expect(await held()).toEqual([true, true, true]);

    // A pass of at most one task closes one of the cleared ones: the older task still waiting
    // for a person is not among those it reads.
    expect(await settleClearedMonitoringTasks(new Date(), 1)).toBe(1);
    expect((await held()).filter(Boolean)).toHaveLength(2);
    expect((await held())[0]).toBe(true);
    // The worker's next pass closes the other; the hold is lifted once on each.
    await w.worker();
    expect(await held()).toEqual([true, false, false]);
    for (const caseId of cases)
      expect(
        w.crmEventsFor(caseId).filter((e) => e.type === "case.monitoring_cleared"),
      ).toHaveLength(caseId === waiting ? 0 : 1);
  });
});
