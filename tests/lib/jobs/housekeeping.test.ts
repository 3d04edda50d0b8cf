import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { documents } from "@/lib/db/schema";
import { resolveSession } from "@/lib/identity/sessions";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { setTraderCookie } from "../../helpers/request-scope";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);

import { POST as startUpload } from "@/app/api/inapp/documents/route";

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "kyc-hk-"));
  setTestEnv({ DATA_DIR: dataDir });
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("worker housekeeping", () => {
  it("checks a submitted case no request checked, and removes an upload abandoned past its URL", async () => {
    const trader = await upsertTrader(
      { ctraderUserId: 95_001, email: null, tradingLogin: null },
      "en",
    );
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    // The upload screen asks for a form to post a file to, and nothing is ever posted or confirmed.
    setTraderCookie((await openSession(trader.id, kycCase.id)).id);
    const started = await startUpload(
      new Request("https://broker.test/api/inapp/documents", {
        method: "POST",
        headers: { "content-type": "application/json", host: "broker.test" },
        body: JSON.stringify({
          documentType: "identity",
          side: "page",
          contentType: "image/jpeg",
          size: 1000,
        }),
      }),
    );
    expect(started.status).toBe(201);
    const { expiresAt } = (await started.json()) as { expiresAt: string };
    expect(await t.db.select().from(documents)).toHaveLength(1);
    await changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: trader.id } });

    // Past the URL's expiry and the minute of grace a confirm still gets after it.
    const result = await runHousekeeping(new Date(Date.parse(expiresAt) + 2 * 60_000));
    expect(result).toMatchObject({ checked: 1, purged: 1 });
    expect((await getCaseForTrader(kycCase.id, trader.id))?.status).toBe("in_review");
    expect(await t.db.select().from(documents)).toHaveLength(0);
    expect(await runHousekeeping()).toEqual({
      checked: 0,
      purged: 0,
      expired: 0,
      indexed: 0,
      zonesRead: 0,
      renewal: { noticed: 0, expired: 0 },
      retention: {
        drafts: 0,
        upgrades: 0,
        cases: 0,
        documents: 0,
        refusedUploads: 0,
        outboxEvents: 0,
        deferred: 0,
        failed: 0,
      },
      periodicReviews: 0,
      lists: { ran: false },
    });
  });

  it("drops sessions a day past their expiry, and keeps live ones", async () => {
    const trader = await upsertTrader(
      { ctraderUserId: 95_002, email: null, tradingLogin: null },
      "en",
    );
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    const old = new Date(Date.now() - 3 * 86_400_000);
    const stale = await openSession(trader.id, kycCase.id, old);
    const live = await openSession(trader.id, kycCase.id);
    const { expired } = await runHousekeeping();
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await resolveSession(stale.id)).toBeUndefined();
    expect(await resolveSession(live.id)).toBeDefined();
  });
});
