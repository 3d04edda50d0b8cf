/**
 * Scenario: the dashboard's false-positive rate follows the four-eyes rule of a likely hit. Two
 * traders match an OFAC entry; one reviewer's clearing leaves a likely hit awaiting a second
 * person (not yet a false positive), the approver's clearing settles it, a confirmation settles
 * the other. At each step the page's figures and the CSV's judgment rows say the same.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { loadDashboard, parseDashboardPeriod } from "@/lib/review/dashboard";
import { signedInStaff, Trader, type Staff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship). */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};
const HIT = "ofac-sdn-excerpt:6707";

/** An export's rows, cell by cell (no cell here needs quoting). */
async function exportRows(staff: Staff, figure: "screening"): Promise<string[][]> {
  const response = await staff.exportDashboard(figure, {});
  expect(response.status).toBe(200);
  return (await response.text()).split(/\r?\n/).map((line) => line.split(","));
}

/** The screening export's judgment rows as [case id, verdict]. */
async function judgmentRows(staff: Staff): Promise<string[][]> {
  return (await exportRows(staff, "screening"))
    .filter((cells) => cells[0] === "judgment")
    .map((cells) => [cells[1]!, cells[2]!]);
}

const screening = async () =>
  (await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24)).screening;

describe("scenario: the false-positive rate and a likely hit awaiting a second person", () => {
  it("counts a hit as a false positive only once its verdicts clear it, as the case page does", async () => {
    const w = world();
    await w.importLists([OFAC_EXCERPT]);
    const cases: string[] = [];
    for (const id of [630_001, 630_002]) {
      const trader = new Trader(w, id);
      await trader.completeStandardLevel(LISTED);
      cases.push((await trader.currentCase()).id);
    }
    await w.worker();
    const [first, second] = cases as [string, string];
    const reviewer = await signedInStaff(w, "fp.rate.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "fp.rate.approver@broker.example", "approver");

    // One person cleared a likely hit: it awaits a second person, it is not a false positive.
    expect(await reviewer.judgeHit(first, HIT, "false_positive", "Born elsewhere, ID")).toBe(
      "hit_awaiting_second",
    );
    expect(await screening()).toMatchObject({
      judged: 0,
      falsePositives: 0,
      falsePositiveRate: null,
      awaitingSecond: 1,
    });
    expect(await judgmentRows(approver)).toEqual([[first, "awaiting_second"]]);

    // The approver's clearing settles it as a false positive.
    expect(await approver.judgeHit(first, HIT, "false_positive", "Passport: not him")).toBe(
      "hit_cleared",
    );
    expect(await screening()).toMatchObject({
      judged: 1,
      falsePositives: 1,
      falsePositiveRate: 1,
      awaitingSecond: 0,
    });

    // A confirmed match settles the other: one false positive of two hits settled.
    expect(await reviewer.judgeHit(second, HIT, "confirmed", "Same person, same DOB")).toBe(
      "hit_confirmed",
    );
    const figures = await screening();
    expect(figures).toMatchObject({ judged: 2, falsePositives: 1, awaitingSecond: 0 });
    expect(figures.falsePositiveRate).toBeCloseTo(0.5);
    expect((await judgmentRows(approver)).sort()).toEqual(
      [
        [first, "false_positive"],
        [second, "confirmed"],
      ].sort(),
    );
    const page = await approver.dashboardPage();
    expect(page).toMatch(/data-testid="false-positive-rate"[^>]*>50% \(1 of 2\)/);
    // The screening rows name each case's hit by the key its verdicts and the case page use, so
    // the export's rows join on it.
    expect(await approver.casePage(first)).toContain(`data-hit="${HIT}"`);
    const screened = (await exportRows(approver, "screening")).find(
      ([row, caseId]) => row === "screening" && caseId === first,
    );
    expect(screened?.[3]?.split(" ")).toContain(HIT);
  });

  it("never counts a verdict that does not say its hit's level as one person clearing a likely hit", async () => {
    const w = world();
    await w.importLists([OFAC_EXCERPT]);
    const trader = new Trader(w, 630_101);
    await trader.completeStandardLevel(LISTED);
    await w.worker();
    const caseId = (await trader.currentCase()).id;
    const reviewer = await signedInStaff(w, "fp.level.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "fp.level.approver@broker.example", "approver");
    expect(await reviewer.judgeHit(caseId, HIT, "false_positive", "Born elsewhere, ID")).toBe(
      "hit_awaiting_second",
    );
    const { judged, falsePositives, awaitingSecond } = await screening();
    const rowOfCase = async () => (await judgmentRows(approver)).filter(([id]) => id === caseId);
    expect(await rowOfCase()).toEqual([[caseId, "awaiting_second"]]);

    // Fault: the verdict's data lost its level (a drifted writer, a hand repair).
    w.plantedFault(caseId);
    await w.db.db.execute(
      sql`update case_decisions set data = data - 'level' where case_id = ${caseId}`,
    );

    // One person's clearing is still no false positive, in the figures and in the export.
    expect(await screening()).toMatchObject({ judged, falsePositives, awaitingSecond });
    expect(await rowOfCase()).toEqual([[caseId, "awaiting_second"]]);
  });

  it("counts two reviewers' clearings without an approver's as awaiting, as the case page does", async () => {
    const w = world();
    const list = path.join(w.dataDir, "fp-pep.csv");
    writeFileSync(list, "name,aliases,dob,country\nIngeborg Fjellstad,,,\n");
    await w.importLists([list]);
    const trader = new Trader(w, 630_201);
    await trader.completeStandardLevel({
      givenNames: "Ingeborg",
      surnames: "Fjellstad",
      dateOfBirth: "1979-02-11",
    });
    await w.worker();
    const caseId = (await trader.currentCase()).id;
    const first = await signedInStaff(w, "fp.roles.reviewer1@broker.example", "reviewer");
    const second = await signedInStaff(w, "fp.roles.reviewer2@broker.example", "reviewer");
    const approver = await signedInStaff(w, "fp.roles.approver@broker.example", "approver");
    const key = /data-hit="(fp-pep:[^"]+)"/.exec(await first.casePage(caseId))?.[1] ?? "no hit";
    const before = await screening();
    expect(await first.judgeHit(caseId, key, "false_positive", "No date of birth listed")).toBe(
      "hit_awaiting_second",
    );
    // The list then gives her date of birth: the first clearing no longer stands, and the
    // second reviewer clears the stronger sighting as the first person to.
    writeFileSync(list, "name,aliases,dob,country\nIngeborg Fjellstad,,1979-02-11,\n");
    await w.importLists([list]);
    await w.worker();
    expect(await second.judgeHit(caseId, key, "false_positive", "Passport photo differs")).toBe(
      "hit_awaiting_second",
    );
    // Two reviewers cleared it in the period, neither an approver: not a false positive yet.
    expect(await screening()).toMatchObject({
      judged: before.judged,
      falsePositives: before.falsePositives,
      awaitingSecond: before.awaitingSecond + 1,
    });
    expect((await judgmentRows(approver)).filter(([id]) => id === caseId)).toEqual([
      [caseId, "awaiting_second"],
    ]);
  });
});
