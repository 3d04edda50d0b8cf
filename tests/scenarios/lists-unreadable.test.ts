/**
 * Scenario: a stored sanctions list entry no longer reads as a list entry (a shape from another
 * version, a hand edit in the database). Screening does not run on the list without it: a listed
 * trader's checks fail instead of approving them, the case page names the list and the entry with
 * the retry, the queue warns and readiness fails (asked for with SCREENING_LIST_MAX_AGE_HOURS),
 * until the operator imports the list again (the same file), after which the retry finds the
 * match.
 */
import "./support/request-scope";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { GET as ready } from "@/app/api/health/ready/route";
import { collectMetrics } from "@/lib/metrics/collect";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld({ AUTO_APPROVE: "1", SCREENING_LIST_MAX_AGE_HOURS: "48" });

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship). */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};

async function readiness() {
  const response = await ready(new Request("http://localhost/api/health/ready"));
  const body = (await response.json()) as {
    failed: string[];
    screening: { status: string; lists: Record<string, unknown>[] };
  };
  return { code: response.status, ...body };
}

describe("scenario: a stored list entry that cannot be read", () => {
  it("fails the checks visibly, naming list and entry, until the list is imported again", async () => {
    const w = world();
    const list = path.join(w.dataDir, "sdn.csv");
    copyFileSync(OFAC_EXCERPT, list);
    w.configure({ SANCTIONS_LIST_PATH: list });
    const imported = await w.runCommand("scripts/lists-import.ts");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/sdn \(.*\): replaced/);

    // Fault injection, not state: no flow of ours writes an entry its readers refuse (the import
    // checks each one against the same schema). An older version's vocabulary for the entry type
    // is what a hand edit or a downgrade would leave; the matcher would skip it without a word.
    await w.db.db.execute(
      sql`update screening_entries set entry = jsonb_set(entry, '{type}', '"person"')
          where source = 'sdn' and entry_id = '6707'`,
    );

    const trader = new Trader(w, 480_001);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    expect(await trader.status()).toBe("submitted");

    const reviewer = await signedInStaff(w, "unreadable.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="checks-failed"');
    expect(textOf(page)).toContain("screening list sdn: entry 6707 cannot be read");
    expect(page).toContain('data-blocker="checks_failed"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:checks_failed");

    const queue = await reviewer.queue({});
    expect(queue).toContain('data-list="sdn" data-list-status="unreadable"');
    expect(textOf(queue)).toContain(
      "sdn: entry 6707 cannot be read, so nobody is screened until the list is imported again.",
    );
    expect(await collectMetrics()).toContain('kyc_screening_list_unreadable{source="sdn"} 1');
    const health = await readiness();
    expect(health).toMatchObject({ code: 503, failed: ["screening"] });
    expect(health.screening.status).toBe("unreadable");
    expect(health.screening.lists).toEqual([
      expect.objectContaining({ source: "sdn", status: "unreadable", unreadableEntry: "6707" }),
    ]);

    // The operator imports the same file again: its entries are written anew.
    const again = await w.runCommand("scripts/lists-import.ts");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/sdn \(.*\): replaced/);
    expect(await reviewer.queue({})).not.toContain('data-testid="lists-warning"');
    expect(await readiness()).toMatchObject({ code: 200, failed: [] });
    expect(await collectMetrics()).toContain('kyc_screening_list_unreadable{source="sdn"} 0');

    expect(await reviewer.retryChecks(kycCase.id)).toBe("checks_ran");
    expect(await trader.status()).toBe("in_review");
    const after = await reviewer.casePage(kycCase.id);
    expect(after).not.toContain('data-testid="checks-failed"');
    expect(after).toContain('data-hit="sdn:6707"');
    expect(after).toContain('data-blocker="likely_hit_open"');
  });
});
