/**
 * Live status: the trader's own case as server-sent events, fed by PostgreSQL NOTIFY, so a
 * change made anywhere (another instance, the worker) reaches the open screen.
 */
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { liveListenerCount } from "@/lib/live/case-status";
import { MAX_STREAMS_PER_SESSION, STREAM_TIMING, openStreamCount } from "@/lib/live/status-stream";
import { sha256 } from "@/lib/identity/secrets";
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
import { POST as close } from "@/app/api/inapp/close/route";

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
  const cookie = (await openSession(trader.id, kycCase.id)).id;
  setTraderCookie(cookie);
  return { trader, kycCase, cookie };
}

const open = (signal?: AbortSignal) =>
  stream(new Request("https://broker.test/api/inapp/status/stream", { signal }));

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

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

  it("opens at most a few streams per session; a closed one frees its place", async () => {
    const { cookie } = await traderSession(91_010);
    const aborts = Array.from({ length: MAX_STREAMS_PER_SESSION }, () => new AbortController());
    for (const abort of aborts) expect((await open(abort.signal)).status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ reason: "too_many_streams" });
    aborts[0]!.abort();
    expect(openStreamCount(sha256(cookie))).toBe(MAX_STREAMS_PER_SESSION - 1);
    const again = new AbortController();
    expect((await open(again.signal)).status).toBe(200);
    for (const abort of [...aborts, again]) abort.abort();
    expect(openStreamCount(sha256(cookie))).toBe(0);
  });

  it("ends the stream when the session ends (the close control here), with an ended event", async () => {
    const saved = { ...STREAM_TIMING };
    STREAM_TIMING.sessionCheckMs = 50;
    try {
      const { cookie } = await traderSession(91_011);
      const response = await open();
      const reader = response.body!.getReader();
      expect(await nextEvent(reader)).toContain("event: status");
      const closed = await close(
        new Request("https://broker.test/api/inapp/close", {
          method: "POST",
          headers: { origin: "https://broker.test", host: "broker.test" },
        }),
      );
      expect(closed.status).toBe(204);
      expect(await nextEvent(reader)).toBe("event: ended\ndata: {}\n\n");
      expect(await reader.read()).toEqual({ done: true, value: undefined });
      expect(openStreamCount(sha256(cookie))).toBe(0);
    } finally {
      Object.assign(STREAM_TIMING, saved);
    }
  });

  it("enqueues nothing once closed, however the close and the next event race", async () => {
    const saved = { ...STREAM_TIMING };
    STREAM_TIMING.heartbeatMs = 10;
    const failures: unknown[] = [];
    const record = (error: unknown) => failures.push(error);
    process.on("unhandledRejection", record);
    process.on("uncaughtException", record);
    try {
      const { trader, kycCase } = await traderSession(91_012);
      const baseline = liveListenerCount();
      // Cancelled by the browser before the first event, and aborted while a change is sent.
      const first = await open();
      await first.body!.cancel();
      const abort = new AbortController();
      const second = await open(abort.signal);
      const reader = second.body!.getReader();
      await nextEvent(reader);
      const change = changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: trader.id },
      });
      abort.abort();
      await change;
      await settle();
      expect(failures).toEqual([]);
      expect(liveListenerCount()).toBe(baseline);
    } finally {
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
      Object.assign(STREAM_TIMING, saved);
    }
  });
});
