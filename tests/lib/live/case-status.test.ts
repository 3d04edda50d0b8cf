/**
 * The per-process LISTEN behind the status streams: a LISTEN that fails leaves no listener
 * behind, and the next subscriber starts a fresh one.
 */
import "../../scenarios/support/request-scope";
import { randomBytes } from "node:crypto";
import { openDatabase, setDatabaseOverride } from "@/lib/db/client";
import { liveListenerCount, subscribeCaseStatus } from "@/lib/live/case-status";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

const postgresOnly = adminUrl() ? it : it.skip;

describe("live case status", () => {
  postgresOnly("removes the listener when LISTEN fails, and listens again next time", async () => {
    const w = world();
    // A real failure: PostgreSQL refuses the LISTEN connection (no such database).
    const missing = await openDatabase({
      kind: "postgres",
      url: withDatabase(adminUrl()!, `kyc_missing_${randomBytes(4).toString("hex")}`),
      max: 1,
    });
    setDatabaseOverride(missing);
    try {
      await expect(subscribeCaseStatus("any-case", () => {})).rejects.toThrow();
      expect(liveListenerCount()).toBe(0);
    } finally {
      setDatabaseOverride(w.db);
      await missing.close().catch(() => undefined);
    }

    // The trader submits; the worker's checks then move the case into review while we listen.
    const trader = new Trader(w, 92_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    let heard = () => {};
    const changed = new Promise<void>((resolve) => (heard = resolve));
    const stop = await subscribeCaseStatus(kycCase.id, () => heard());
    await w.worker();
    await changed;
    expect(await trader.status()).toBe("in_review");
    stop();
    expect(liveListenerCount()).toBe(0);
  });
});
