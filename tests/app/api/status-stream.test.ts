/**
 * Live status: the trader's own case as server-sent events, fed by PostgreSQL NOTIFY, so a
 * change made anywhere (another instance, the worker) reaches the open screen, also when the
 * LISTEN connection dropped meanwhile (SQL here only injects that fault).
 */
import "../../scenarios/support/request-scope";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { LIVE_TIMING, liveListenerCount } from "@/lib/live/case-status";
import { readStatusMessage, readStatusPoll, type StatusMessage } from "@/lib/live/status-message";
import { MAX_STREAMS_PER_SESSION, STREAM_TIMING, openStreamCount } from "@/lib/live/status-stream";
import { sha256 } from "@/lib/identity/secrets";
import { statusView } from "@/lib/kyc/status-view";
import { statusMessageOf } from "@/lib/live/screen-state";
import { GET as stream } from "@/app/api/inapp/status/stream/route";
import { GET as status } from "@/app/api/inapp/status/route";
import { POST as close } from "@/app/api/inapp/close/route";
import { adminUrl } from "../../helpers/db-target";
import { setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { currentWindowRef } from "../../helpers/sessions";
import { signedInStaff, Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

/** cTrader opens the KYC screen: the session its launch set is the browser's cookie. */
async function traderSession(userId: number) {
  const trader = new Trader(world(), userId);
  await trader.launch("kyc", { kycType: "standard" });
  const cookie = trader.cookies.get(TRADER_COOKIE)!;
  setTraderCookie(cookie);
  return { trader, cookie };
}

const open = (signal?: AbortSignal) =>
  stream(new Request("https://broker.test/api/inapp/status/stream", { signal }));

/** The close control on the trader's own window, as the in-app screen posts it. */
const closeFromOwnWindow = () =>
  close(
    new Request("https://broker.test/api/inapp/close", {
      method: "POST",
      headers: {
        origin: "https://broker.test",
        host: "broker.test",
        "x-kyc-window": currentWindowRef(),
      },
    }),
  );

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

/** A `status` event's message, read with the schema the screen reads it with. */
function messageOf(event: string): StatusMessage | undefined {
  const match = /^event: status\ndata: (.*)\n\n$/.exec(event);
  return match ? readStatusMessage(JSON.parse(match[1]!)) : undefined;
}
const statusOf = (event: string) => messageOf(event)?.status ?? event;

/**
 * The next event whose status is not `from`. What the screen shows can change without the status
 * (the checks starting on a submitted case): each such change is an event of its own, sent when
 * it commits, and whether one is seen before the next status depends on the engine's timing
 * (PGlite delivers every NOTIFY in-process). A handful at most.
 */
async function nextStatusAfter(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  from: string,
): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const status = statusOf(await nextEvent(reader));
    if (status !== from) return status;
  }
  return from;
}

const within = (ms: number, event: Promise<string>) =>
  Promise.race([event, settle(ms).then(() => "nothing heard")]);

/**
 * The LISTEN connection is cut (a failover, a restart, an idle-connection reaper) and, while the
 * database briefly accepts no new connection (the app's pooled ones keep working), `during`
 * commits a change; then the database is back.
 */
async function blipListenConnection(database: string, during: () => Promise<void>) {
  const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`alter database "${database}" allow_connections false`);
    const killed = await admin`
      select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = ${database} and query ilike 'listen%'`;
    expect(killed.length).toBe(1);
    await during();
  } finally {
    await admin.unsafe(`alter database "${database}" allow_connections true`);
    await admin.end();
  }
}

describe("live status (SSE)", () => {
  it("sends the current status, then each change as it commits; only the trader's own case", async () => {
    const w = world();
    // Another trader's case is submitted (the worker will take it into review); ours has its
    // forms and documents, not yet submitted.
    const other = new Trader(w, 91_002);
    await other.completeStandardLevel();
    const mine = await traderSession(91_001);
    await mine.trader.fillStandardForms();
    await mine.trader.uploadStandardDocuments();
    const abort = new AbortController();
    const response = await stream(
      new Request("https://broker.test/api/inapp/status/stream", { signal: abort.signal }),
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    expect(statusOf(await nextEvent(reader))).toBe("draft");

    // Another trader's change (the worker's checks) is not sent; ours (the trader's submit, then
    // the worker's checks) is, each as it commits.
    await w.worker();
    expect(await other.status()).toBe("in_review");
    expect(await mine.trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect(statusOf(await nextEvent(reader))).toBe("submitted");
    const polled = await status(new Request("https://broker.test/api/inapp/status"));
    expect(await polled.json()).toMatchObject({ status: "submitted" });
    await w.worker();
    expect(await nextStatusAfter(reader, "submitted")).toBe("in_review");
    abort.abort();
    await reader.cancel().catch(() => undefined);
  });

  it("follows what the screen shows, not only the status: an upload from another window", async () => {
    const { trader } = await traderSession(91_020);
    await trader.fillStandardForms();
    const abort = new AbortController();
    const reader = (await open(abort.signal)).body!.getReader();
    const first = messageOf(await nextEvent(reader))!;
    expect(first.status).toBe("draft");
    // The page the trader looks at carries the same version as the stream's first event.
    expect(await trader.html("status")).toContain(`data-version="${first.version}"`);

    // The phone (or another tab) uploads the identity document: still a draft, but the
    // checklist on the open screen changed.
    expect((await trader.upload("identity")).status).toBe(200);
    const now = readStatusMessage(
      await (await status(new Request("https://broker.test/api/inapp/status"))).json(),
    )!;
    expect(now.status).toBe("draft");
    expect(now.version).not.toBe(first.version);
    expect(await trader.html("status")).toContain(`data-version="${now.version}"`);
    // The stream reaches what the page and the poll show (passing "uploading" on its way).
    const heard: (StatusMessage | undefined)[] = [];
    while (heard.at(-1)?.version !== now.version && heard.length < 5)
      heard.push(messageOf(await within(5_000, nextEvent(reader))));
    expect(heard.at(-1)).toEqual(now);
    abort.abort();
    await reader.cancel().catch(() => undefined);
  });

  it("tells an approved trader's open screen of the renewal notice the sweep sends", async () => {
    const w = world();
    const { trader } = await traderSession(91_021);
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "stream.renewal@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const abort = new AbortController();
    const reader = (await open(abort.signal)).body!.getReader();
    const approved = messageOf(await nextEvent(reader))!;
    expect(approved.status).toBe("approved");

    // The fixture's passport expires on 2031-05-01; the default notice comes 30 days before.
    await w.worker(new Date("2031-04-20T00:00:00Z"));
    const noticed = messageOf(await within(5_000, nextEvent(reader)));
    abort.abort();
    await reader.cancel().catch(() => undefined);
    expect(noticed).toMatchObject({ status: "approved" });
    expect(noticed!.version).not.toBe(approved.version);
  });

  // PGlite listens in-process: there is no connection to drop.
  (adminUrl() ? it : it.skip)(
    "a change committed while the LISTEN connection reconnects still reaches the open screen",
    async () => {
      const w = world();
      const { trader } = await traderSession(91_003);
      await trader.fillStandardForms();
      await trader.uploadStandardDocuments();
      const abort = new AbortController();
      const reader = (await open(abort.signal)).body!.getReader();
      expect(statusOf(await nextEvent(reader))).toBe("draft");
      await blipListenConnection(w.db.name, async () => {
        expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      });
      const heard = await within(5_000, nextEvent(reader));
      abort.abort();
      await reader.cancel().catch(() => undefined);
      // The stream is open and beating, so the screen does not poll: this event is all it has.
      expect(statusOf(heard)).toBe("submitted");
    },
  );

  // PGlite listens in-process: there is no connection to lose.
  (adminUrl() ? it : it.skip)(
    "when the LISTEN cannot be re-established, the stream ends without claiming anything and the screen's poll tells the truth",
    async () => {
      const saved = { ...LIVE_TIMING };
      LIVE_TIMING.probeMs = 200;
      LIVE_TIMING.probeTimeoutMs = 600;
      const w = world();
      const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
      try {
        const { trader } = await traderSession(91_030);
        await trader.fillStandardForms();
        await trader.uploadStandardDocuments();
        const abort = new AbortController();
        const reader = (await open(abort.signal)).body!.getReader();
        expect(statusOf(await nextEvent(reader))).toBe("draft");
        // The database takes no new connection for as long as this test looks (an outage of the
        // listener's path); the app's pooled connections keep working.
        await admin.unsafe(`alter database "${w.db.name}" allow_connections false`);
        const killed = await admin`
          select pg_terminate_backend(pid) as ok from pg_stat_activity
          where datname = ${w.db.name} and query ilike 'listen%'`;
        expect(killed.length).toBe(1);
        expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
        // Deaf, the stream must not keep beating as if live (the screen would never poll): it
        // ends, with no `ended` (the session did not end) and no status it cannot vouch for.
        const rest = await within(5_000, nextEvent(reader));
        abort.abort();
        await reader.cancel().catch(() => undefined);
        expect(rest).toBe("");
        // EventSource opens it again: refused while there is no LISTEN, so the screen polls…
        const again = await open();
        expect({ status: again.status, reason: (await again.json()).reason }).toEqual({
          status: 503,
          reason: "unavailable",
        });
        // …and the poll tells what is true now.
        const polled = await readStatusPoll(
          await status(new Request("https://broker.test/api/inapp/status")),
        );
        expect(polled).toMatchObject({ status: "submitted" });
      } finally {
        Object.assign(LIVE_TIMING, saved);
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);
        await admin.end();
      }
    },
  );

  it("a probe held up by a busy database does not take the LISTEN for deaf", async () => {
    const saved = { ...LIVE_TIMING };
    LIVE_TIMING.probeMs = 200;
    LIVE_TIMING.probeTimeoutMs = 400;
    try {
      const { trader } = await traderSession(91_041);
      await trader.fillStandardForms();
      await trader.uploadStandardDocuments();
      const abort = new AbortController();
      const reader = (await open(abort.signal)).body!.getReader();
      expect(statusOf(await nextEvent(reader))).toBe("draft");
      // Every connection of the app's pool busy for longer than a probe waits: the probe's
      // NOTIFY waits its turn, and says nothing of the LISTEN meanwhile.
      const db = await getDb();
      // (More queries than the pool has connections: 25 in tests, tests/helpers/test-db.ts.)
      await Promise.all(Array.from({ length: 30 }, () => db.execute(sql`select pg_sleep(1.2)`)));
      await settle(600);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      const heard = await within(5_000, nextEvent(reader));
      abort.abort();
      await reader.cancel().catch(() => undefined);
      expect(statusOf(heard)).toBe("submitted");
    } finally {
      Object.assign(LIVE_TIMING, saved);
    }
  });

  it("keeps the version when only the expected review time differs, which each replica caches apart", async () => {
    const { trader } = await traderSession(91_040);
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    const view = await statusView(kycCase, 24);
    expect(view.awaitingReview).toBe(true);
    // The page from one replica, the stream from another with a fresher median: a different
    // version would make the screen reload, and the reloaded page the stream again, round.
    const here = statusMessageOf(kycCase, { ...view, reviewTimeHours: 4 });
    expect(statusMessageOf(kycCase, { ...view, reviewTimeHours: 5 })).toEqual(here);
    expect(statusMessageOf(kycCase, { ...view, documents: [] }).version).not.toBe(here.version);
  });

  it("refuses without a session", async () => {
    setTraderCookie(undefined);
    expect((await stream(new Request("https://broker.test/api/inapp/status/stream"))).status).toBe(
      401,
    );
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(401);
  });

  it("the polling fallback reads the status, and a session that ended as the end, not as silence", async () => {
    const poll = async () =>
      readStatusPoll(await status(new Request("https://broker.test/api/inapp/status")));
    await traderSession(91_013);
    expect(await poll()).toMatchObject({ status: "draft" });
    const closed = await closeFromOwnWindow();
    expect(closed.status).toBe(204);
    // The screen reloads into the expired view on this, instead of polling a 401 for ever.
    expect(await poll()).toBe("ended");
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
      const closed = await closeFromOwnWindow();
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
      const w = world();
      const { trader } = await traderSession(91_012);
      await trader.fillStandardForms();
      await trader.uploadStandardDocuments();
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      const baseline = liveListenerCount();
      // Cancelled by the browser before the first event, and aborted while the worker's checks
      // change the case.
      const first = await open();
      await first.body!.cancel();
      const abort = new AbortController();
      const second = await open(abort.signal);
      const reader = second.body!.getReader();
      await nextEvent(reader);
      const change = w.worker();
      abort.abort();
      await change;
      expect(await trader.status()).toBe("in_review");
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
