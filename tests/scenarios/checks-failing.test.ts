/**
 * Scenario: the automated checks fail (the broker's risk configuration file is broken). The case
 * is never approvable meanwhile, the reviewer sees the error and retries once operations fixed
 * the file, and the sweep backs off a failing case instead of starving the others.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: the checks fail, the reviewer retries them", () => {
  it("shows the failure, refuses approval, backs off, and runs again on the reviewer's retry", async () => {
    const w = world();
    const riskConfig = path.join(w.dataDir, "risk.json");
    writeFileSync(riskConfig, '{"thresholds": {"medium": 40, "high": 20}}');
    w.configure({ RISK_CONFIG_PATH: riskConfig });

    const trader = new Trader(w, 440_001);
    await trader.completeStandardLevel();
    const failing = await trader.currentCase();
    await w.worker();
    expect(await trader.status()).toBe("submitted");

    const reviewer = await signedInStaff(w, "ops.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(failing.id);
    expect(page).toContain('data-testid="checks-failed"');
    expect(textOf(page)).toContain("RISK_CONFIG_PATH");
    expect(page).toContain('data-blocker="checks_failed"');
    expect(await reviewer.approve(failing.id)).toBe("error:checks_failed");
    expect(await reviewer.retryChecks(failing.id)).toBe("error:checks_failed");

    // The sweep waits before trying the failing case again; a healthy case is not held up.
    writeFileSync(riskConfig, "{}");
    const healthy = new Trader(w, 440_002);
    await healthy.completeStandardLevel();
    await w.worker();
    expect(await healthy.status()).toBe("in_review");
    expect(await trader.status()).toBe("submitted");

    // The reviewer does not wait for the back-off.
    expect(await reviewer.retryChecks(failing.id)).toBe("checks_ran");
    expect(await trader.status()).toBe("in_review");
    const after = await reviewer.casePage(failing.id);
    expect(after).not.toContain('data-testid="checks-failed"');
    expect(after).toContain('data-check="age"');
    expect(await reviewer.approve(failing.id)).toBe("approved");
    // Both retries ran (the first failed again): each is in the trail as the reviewer's, with
    // what it did.
    const retries = await sqlRows<{ actor_type: string; data: { round: number } }>(
      w.db.db,
      sql`select actor_type, data from audit_events
        where case_id = ${failing.id} and action = 'checks.retry_requested' order by id`,
    );
    const [run] = await sqlRows<{ id: string }>(
      w.db.db,
      sql`select id from check_runs where case_id = ${failing.id} and reason = 'submission'`,
    );
    expect(retries).toEqual([
      { actor_type: "staff", data: { round: 1, outcome: "failed" } },
      { actor_type: "staff", data: { round: 1, outcome: "recorded", runIds: [run?.id] } },
    ]);
    await w.worker();
    expect(w.crmEventsFor(failing.id).map((e) => e.status)).toEqual([
      "submitted",
      "in_review",
      "approved",
    ]);
    w.configure({});
  });
});
