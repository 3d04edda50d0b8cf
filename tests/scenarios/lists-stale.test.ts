/**
 * Scenario: a screening list nobody confirmed for longer than SCREENING_LIST_MAX_AGE_HOURS. The
 * worker's scheduled import (LISTS_IMPORT_HOURS) last ran 50 hours ago (its clock injected) and
 * has not run since; another list was imported now, as `npm run lists:import` does. The queue
 * page warns of the old list by name and age, not of the fresh one, and /api/health says the
 * same, and with automatic approval on, a clean trader waits for a person; the next scheduled
 * import confirms the list, the warning goes and the next clean trader is approved by the checks.
 */
import "./support/request-scope";
import path from "node:path";
import { GET as health } from "@/app/api/health/route";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
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

    // With automatic approval on, a clean trader's checks pass, but nobody is approved without a
    // person on a list nobody confirmed: the case waits in review and its page says why.
    w.configure({ AUTO_APPROVE: "1" });
    const first = new Trader(w, 431_001);
    await first.completeStandardLevel();
    // The schedule is long overdue: the next sweep checks the case, then imports the list again
    // (unchanged: confirmed).
    await w.worker();
    expect(await first.status()).toBe("in_review");
    const page = await (await viewer()).casePage((await first.currentCase()).id);
    expect(page).toContain('data-testid="auto-approval-refused" data-reason="lists_not_current"');
    expect(textOf(page)).toContain("a screening list was not current");

    expect(await (await viewer()).queue({})).not.toContain('data-testid="lists-warning"');
    expect(await listsOnHealth()).toMatchObject({ code: 200, status: "ok" });
    // Confirmed, the lists let the next clean trader through without a person.
    const second = new Trader(w, 431_002);
    await second.completeStandardLevel();
    await w.worker();
    expect(await second.status()).toBe("approved");
  });
});
