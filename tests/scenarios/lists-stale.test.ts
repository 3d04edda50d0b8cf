/**
 * Scenario: a screening list nobody confirmed for longer than SCREENING_LIST_MAX_AGE_HOURS. The
 * worker's scheduled import (LISTS_IMPORT_HOURS) last ran 50 hours ago (its clock injected) and
 * has not run since; another list was imported now, as `npm run lists:import` does. The queue
 * page warns of the old list by name and age, not of the fresh one, and /api/health says the
 * same; the next scheduled import confirms the list and the warning goes.
 */
import "./support/request-scope";
import path from "node:path";
import { GET as health } from "@/app/api/health/route";
import { textOf } from "../helpers/render-page";
import { signedInStaff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const PEP = path.join(__dirname, "../fixtures/sanctions/generic-pep.csv");
const HOUR = 3_600_000;

const world = scenarioWorld({
  SANCTIONS_LIST_PATH: OFAC_EXCERPT,
  LISTS_IMPORT_HOURS: "24",
  SCREENING_LIST_MAX_AGE_HOURS: "48",
});

async function listsOnHealth() {
  const response = await health();
  const body = (await response.json()) as {
    screening: { status: string; maxAgeHours: number; lists: Record<string, unknown>[] };
  };
  return { code: response.status, ...body.screening };
}

describe("scenario: a screening list older than SCREENING_LIST_MAX_AGE_HOURS", () => {
  it("is named with its age above the queue and on /api/health, until the next import confirms it", async () => {
    const w = world();
    await w.worker(new Date(Date.now() - 50 * HOUR));
    await w.importLists([PEP]);
    let viewers = 0;
    const viewer = () => signedInStaff(w, `stale.viewer${++viewers}@broker.example`, "reviewer");

    const queue = await (await viewer()).queue({});
    expect(queue).toContain('data-testid="lists-warning"');
    expect(queue).toContain('data-list="ofac-sdn-excerpt" data-list-status="stale"');
    expect(queue).not.toContain('data-list="generic-pep"');
    expect(textOf(queue)).toContain(
      "ofac-sdn-excerpt: last confirmed 50 hours ago, more than the 48 hours allowed.",
    );

    const lists = await listsOnHealth();
    expect(lists).toMatchObject({ code: 200, status: "warning", maxAgeHours: 48 });
    expect(lists.lists).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: "ofac-sdn-excerpt", status: "stale", ageHours: 50 }),
        expect.objectContaining({ source: "generic-pep", status: "ok", ageHours: 0 }),
      ]),
    );
    expect(lists.lists).toHaveLength(2);

    // The schedule is long overdue: the next sweep imports the list again (unchanged: confirmed).
    await w.worker();
    expect(await (await viewer()).queue({})).not.toContain('data-testid="lists-warning"');
    expect(await listsOnHealth()).toMatchObject({ code: 200, status: "ok" });
  });
});
