/**
 * Live status: the trader's own case as server-sent events, fed by PostgreSQL NOTIFY, so a
 * change made anywhere (another instance, the worker) reaches the open screen.
 */
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { setTraderCookie } from "../../helpers/request-scope";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);

import { GET as stream } from "@/app/api/inapp/status/stream/route";
import { GET as status } from "@/app/api/inapp/status/route";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

async function traderSession(userId: number) {
  const trader = await upsertTrader(
    { ctraderUserId: userId, email: null, tradingLogin: null },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  setTraderCookie((await openSession(trader.id, kycCase.id)).id);
  return { trader, kycCase };
}

async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value);
    if (text.includes("\n\n") && text.startsWith("event:")) return text;
    if (text.startsWith(":")) text = "";
  }
}

describe("live status (SSE)", () => {
  it("sends the current status, then each change as it commits; only the trader's own case", async () => {
    const mine = await traderSession(91_001);
    const other = await traderSession(91_002);
    setTraderCookie((await openSession(mine.trader.id, mine.kycCase.id)).id);
    const abort = new AbortController();
    const response = await stream(
      new Request("https://broker.test/api/inapp/status/stream", { signal: abort.signal }),
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    expect(await nextEvent(reader)).toBe('event: status\ndata: {"status":"draft"}\n\n');

    // Another trader's change is not sent; ours is.
    await changeCaseStatus({
      kycCase: other.kycCase,
      event: "submit",
      actor: { type: "trader", id: other.trader.id },
    });
    await changeCaseStatus({
      kycCase: mine.kycCase,
      event: "submit",
      actor: { type: "trader", id: mine.trader.id },
    });
    expect(await nextEvent(reader)).toBe('event: status\ndata: {"status":"submitted"}\n\n');
    abort.abort();
    await reader.cancel().catch(() => undefined);

    const polled = await status(new Request("https://broker.test/api/inapp/status"));
    expect(await polled.json()).toMatchObject({ status: "submitted" });
  });

  it("refuses without a session", async () => {
    setTraderCookie(undefined);
    expect((await stream(new Request("https://broker.test/api/inapp/status/stream"))).status).toBe(
      401,
    );
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(401);
  });
});
