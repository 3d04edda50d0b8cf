/**
 * Scenario: a re-screening cut off midway. The broker's list changes and the worker's scheduled
 * import re-screens the approved traders; the run breaks after two of four (here the database
 * refuses the third run's write, as a crash or a killed process would leave it). The next
 * scheduled run finds the list unchanged and still finishes the job: every approved trader is
 * screened against the new list exactly once, and the match becomes one task and one event.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { sqlRows } from "../helpers/sql-rows";
import { cutRescreeningAfter, restoreRescreening } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld();
const HOUR = 3_600_000;

const rescreenRuns = (w: World) =>
  sqlRows<{ case_id: string }>(
    w.db.db,
    sql`select case_id from check_runs where reason = 'rescreen' order by case_id`,
  );

describe("scenario: a re-screening cut off midway", () => {
  it("is finished by the next scheduled run: every approved trader screened once, one task, one event", async () => {
    const w = world();
    const list = path.join(w.dataDir, "broker-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    w.configure({ SANCTIONS_LIST_PATH: list, LISTS_IMPORT_HOURS: "24" });

    const reviewer = await signedInStaff(w, "resume.reviewer@broker.example", "reviewer");
    const people = [
      { givenNames: "Marta", surnames: "Kowalczyk", dateOfBirth: "1984-03-09" },
      { givenNames: "Jonas", surnames: "Lindqvist", dateOfBirth: "1979-11-02" },
      { givenNames: "Ilse", surnames: "Vandermeer", dateOfBirth: "1990-06-21" },
      { givenNames: "Tomas", surnames: "Okonkwo", dateOfBirth: "1968-01-30" },
    ];
    const caseIds: string[] = [];
    await w.worker(); // the first pass imports the list on its schedule
    for (const [i, person] of people.entries()) {
      const trader = new Trader(w, 472_001 + i);
      await trader.completeStandardLevel({ ...person, nationalities: ["PL"] });
      await w.worker();
      const kycCase = await trader.currentCase();
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      caseIds.push(kycCase.id);
    }
    await w.worker();
    const marta = caseIds[0]!;
    expect(await rescreenRuns(w)).toEqual([]);

    // The list gains Marta Kowalczyk; the next scheduled import re-screens and is cut after two.
    writeFileSync(list, `${readFileSync(list, "utf8")}Marta Kowalczyk,,1984-03-09,Poland\n`);
    const t1 = new Date(Date.now() + 25 * HOUR);
    await cutRescreeningAfter(w, 2);
    try {
      await w.worker(t1);
    } finally {
      await restoreRescreening(w);
    }
    expect(await rescreenRuns(w)).toHaveLength(2);

    // The next run (a failed one comes back within the hour): the list is unchanged now.
    await w.worker(new Date(t1.getTime() + 2 * HOUR));
    await w.worker(new Date(t1.getTime() + 30 * HOUR));
    const runs = (await rescreenRuns(w)).map((r) => r.case_id);
    expect(runs).toEqual([...caseIds].sort());

    // The match reached a person once, and the CRM once.
    const tasks = await sqlRows<{ case_id: string }>(
      w.db.db,
      sql`select case_id from review_tasks where kind <> 'periodic_review'
        and case_id in (${sql.join(
          caseIds.map((id) => sql`${id}`),
          sql`, `,
        )})`,
    );
    expect(tasks.map((t) => t.case_id)).toEqual([marta]);
    expect(w.crmEventsFor(marta).filter((e) => e.type === "case.monitoring_hit")).toHaveLength(1);
    for (const id of caseIds.slice(1))
      expect(w.crmEventsFor(id).map((e) => e.type)).not.toContain("case.monitoring_hit");
    const officer = await signedInStaff(w, "resume.officer@broker.example", "reviewer");
    expect(await officer.queue({ queue: "monitoring" })).toContain(`data-case="${marta}"`);
  }, 400_000);
});
