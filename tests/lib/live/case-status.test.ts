/**
 * The per-process LISTEN behind the status streams: a LISTEN that fails leaves no listener
 * behind, and the next subscriber starts a fresh one.
 */
import { randomBytes } from "node:crypto";
import { openDatabase, setDatabaseOverride } from "@/lib/db/client";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { liveListenerCount, subscribeCaseStatus } from "@/lib/live/case-status";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

const postgresOnly = adminUrl() ? it : it.skip;

describe("live case status", () => {
  postgresOnly("removes the listener when LISTEN fails, and listens again next time", async () => {
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
      setDatabaseOverride(t);
      await missing.close().catch(() => undefined);
    }

    const trader = await upsertTrader(
      { ctraderUserId: 92_001, email: null, tradingLogin: null },
      "en",
    );
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    let heard = () => {};
    const changed = new Promise<void>((resolve) => (heard = resolve));
    const stop = await subscribeCaseStatus(kycCase.id, () => heard());
    await changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: trader.id } });
    await changed;
    stop();
    expect(liveListenerCount()).toBe(0);
  });
});
