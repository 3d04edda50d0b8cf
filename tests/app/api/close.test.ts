/**
 * The close control ends the session it closes (its beacon posts here): the same cookie then
 * opens nothing. A cross-site page cannot end a trader's session.
 */
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { resolveSession } from "@/lib/identity/sessions";
import { jar, setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);

import { POST as close } from "@/app/api/inapp/close/route";
import { GET as status } from "@/app/api/inapp/status/route";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

let nextUser = 93_000;
async function session() {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: null, tradingLogin: null },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  const { id } = await openSession(trader.id, kycCase.id);
  setTraderCookie(id);
  return id;
}

const beacon = (headers: Record<string, string>) =>
  close(new Request("https://broker.test/api/inapp/close", { method: "POST", headers }));

describe("close control", () => {
  it("ends the session and clears the cookie", async () => {
    const id = await session();
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(200);
    const response = await beacon({ origin: "https://broker.test", host: "broker.test" });
    expect(response.status).toBe(204);
    expect(await resolveSession(id)).toBeUndefined();
    expect(jar.get(TRADER_COOKIE)).toBe("");
    setTraderCookie(id); // a webview that kept the old cookie
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(401);
  });

  it("refuses a cross-site beacon and keeps the session", async () => {
    const id = await session();
    expect((await beacon({ origin: "https://evil.test", host: "broker.test" })).status).toBe(403);
    expect((await beacon({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await resolveSession(id)).toBeDefined();
  });

  it("answers 204 without a session", async () => {
    setTraderCookie(undefined);
    expect((await beacon({ origin: "https://broker.test", host: "broker.test" })).status).toBe(204);
  });
});
