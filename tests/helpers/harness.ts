import { setTestEnv } from "./env";
import { ctraderServer, listenForCtrader } from "./ctrader-stub";
import { createTestDb, type TestDb } from "./test-db";

/**
 * The usual integration setup: this file's own database, msw answering for cTrader, the
 * default configuration before each test. Returns a getter for the database handle.
 */
export function withDbAndCtrader(): () => TestDb {
  let t: TestDb | undefined;
  beforeAll(async () => {
    listenForCtrader();
    t = await createTestDb();
  });
  afterAll(async () => {
    ctraderServer.close();
    await t?.close();
  });
  beforeEach(() => setTestEnv());
  afterEach(() => ctraderServer.resetHandlers());
  return () => {
    if (!t) throw new Error("database not ready");
    return t;
  };
}
