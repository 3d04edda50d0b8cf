/**
 * Scenario: the dashboard's screening hit rate counts each submission run's stored hit count
 * (check_runs.screening_hits, written with the evidence), and it equals what the CSV export reads
 * from the evidence itself. One trader submits before any list is loaded (not screened), then a
 * listed person (a likely hit) and a clean trader (screened, no hit) go through the real flow.
 * The migration's backfill computes the same counts from the evidence as the writer did.
 */
import "./support/request-scope";
import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import { checkRuns } from "@/lib/db/schema";
import { loadDashboard, parseDashboardPeriod } from "@/lib/review/dashboard";
import { sqlRows } from "../helpers/sql-rows";
import { signedInStaff, Trader } from "./support/people";
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

const BACKFILL = readFileSync(path.join(__dirname, "../../drizzle/0029_screening_hits.sql"), "utf8")
  .split("--> statement-breakpoint")
  .at(-1)!;

describe("scenario: the screening hit rate and its export", () => {
  it("counts the runs screened and those with a hit exactly as the export lists them", async () => {
    const w = world();
    const cases: Record<string, string> = {};
    const unscreened = new Trader(w, 640_001);
    await unscreened.completeStandardLevel();
    await w.worker();
    cases.unscreened = (await unscreened.currentCase()).id;

    await w.importLists([OFAC_EXCERPT]);
    for (const [name, id, values] of [
      ["listed", 640_002, LISTED],
      ["clean", 640_003, undefined],
    ] as const) {
      const trader = new Trader(w, id);
      await trader.completeStandardLevel(values);
      cases[name] = (await trader.currentCase()).id;
    }
    await w.worker();

    const approver = await signedInStaff(w, "hit.rate@broker.example", "approver");
    const response = await approver.exportDashboard("screening", {});
    expect(response.status).toBe(200);
    const runs = (await response.text())
      .split(/\r?\n/)
      .map((line) => line.split(","))
      .filter((cells) => cells[0] === "screening");
    const byCase = Object.fromEntries(runs.map((r) => [r[1], r]));
    expect(byCase[cases.unscreened!]?.[2]).toBe("not screened");
    expect(byCase[cases.clean!]?.[2]).toBe("0");
    expect(Number(byCase[cases.listed!]?.[2])).toBeGreaterThan(0);
    expect(byCase[cases.listed!]?.[3]).toContain(HIT);

    const figures = (await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24))
      .screening;
    const screened = runs.filter((r) => r[2] !== "not screened");
    expect(figures).toMatchObject({
      screened: screened.length,
      withHit: screened.filter((r) => Number(r[2]) > 0).length,
    });
    expect(figures).toMatchObject({ screened: 2, withHit: 1, hitRate: 0.5 });
    expect(await approver.dashboardPage()).toMatch(/data-testid="hit-rate"[^>]*>50% \(1 of 2\)/);

    // Runs stored before the column existed: the backfill gives each the count its writer did.
    const db = w.db.db;
    const ids = Object.values(cases);
    // The submissions' runs: the import also re-screened the unscreened case awaiting its decision.
    const stored = () =>
      db
        .select({ caseId: checkRuns.caseId, hits: checkRuns.screeningHits })
        .from(checkRuns)
        .where(and(inArray(checkRuns.caseId, ids), eq(checkRuns.reason, "submission")))
        .orderBy(checkRuns.caseId);
    const written = await stored();
    const hitsOf = Object.fromEntries(written.map((r) => [r.caseId, r.hits]));
    expect(hitsOf[cases.unscreened!]).toBeNull();
    expect(hitsOf[cases.clean!]).toBe(0);
    expect(hitsOf[cases.listed!]).toBe(Number(byCase[cases.listed!]?.[2]));
    await db.update(checkRuns).set({ screeningHits: null }).where(inArray(checkRuns.caseId, ids));
    await sqlRows(db, sql.raw(BACKFILL));
    expect(await stored()).toEqual(written);
  });
});
