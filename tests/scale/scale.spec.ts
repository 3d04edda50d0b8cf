/**
 * Scale-out, proven on the real processes: two replicas of the app and two workers, one
 * PostgreSQL (tests/scale/cluster.ts). What is shared must hold across processes: a launch token
 * is spent once whichever replica sees it, a status change made through one replica reaches a
 * live stream held by the other (LISTEN/NOTIFY), and the outbox is drained by several workers
 * with every event delivered, none twice while the workers live, and none lost when one dies
 * mid-batch (its lease runs out and another worker sends the batch again: at least once at the
 * wire, deduplicated by webhook-id, and recorded delivered once).
 */
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { SCALE_PORTS } from "../../playwright.scale.config";
import { startReceiver, type Receiver } from "../helpers/webhook-receiver";
import { startCluster, type Cluster } from "./cluster";
import { HttpTrader, openStatusStream } from "./trader";
import { stop } from "../image/image-dir";

test.describe.configure({ mode: "serial" });

const databaseUrl = process.env.SCALE_DATABASE_URL || "";
/** Traders of the basic level (one document): three status changes each (submitted, in review, approved). */
const BASIC = "lang=en&kycType=basic";
const OUTBOX_EVENTS = 1000;
/**
 * A short lease: a killed worker's batch is claimed again soon after. The shortest the worker
 * takes: the claim (1 s), one webhook send (15 s) and its margin (5 s), with room to spare.
 */
const LEASE_MS = 25_000;

let receiver: Receiver;
let cluster: Cluster;
let sql: postgres.Sql;
let nextTrader = 3_000_000;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  expect(databaseUrl, "SCALE_DATABASE_URL: an empty PostgreSQL database").not.toBe("");
  receiver = await startReceiver();
  cluster = await startCluster({ databaseUrl, ports: SCALE_PORTS, receiver });
  sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
});
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const replica of cluster?.replicas ?? [])
    await testInfo.attach(`${replica.name} output`, { body: replica.output() });
});
test.afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await cluster?.close();
  await receiver?.close();
});

const replicas = () => cluster.replicas.map((r) => r.origin) as [string, string];

/** `count` new traders submit the basic level, alternating replicas, `parallel` at a time. */
async function submitTraders(count: number, parallel = 8): Promise<void> {
  const ids = Array.from({ length: count }, () => nextTrader++);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ids.length) {
        const i = next++;
        const trader = new HttpTrader(ids[i]!);
        const origin = replicas()[i % 2]!;
        const launched = await trader.launch(origin, trader.token(), BASIC);
        expect(launched.cookie, `launch of ${trader.userId}`).toBeTruthy();
        await trader.submitBasicLevel(origin, trader.userId % 100_000);
      }
    }),
  );
}

/** Waits until every submitted case's checks have moved it on (their status changes are events too). */
async function checksSettled(): Promise<void> {
  await expect
    .poll(
      async () =>
        Number(
          (
            await sql`select count(*)::int as n from kyc_cases where status in ('submitted', 'resubmitted')`
          )[0]!.n,
        ),
      { timeout: 120_000 },
    )
    .toBe(0);
}

const eventIds = async () =>
  (await sql<{ id: string }[]>`select id from outbox_events order by created_at`).map((r) => r.id);

/** Per delivery: its status and how many successful attempts the log holds. */
const deliveryLog = () => sql<{ eventId: string; status: string; ok: number }[]>`
  select d.event_id as "eventId", d.status,
         (select count(*)::int from delivery_attempts a where a.delivery_id = d.id and a.ok) as ok
  from deliveries d`;

test("a launch token opens one session, however many replicas redeem it at once", async () => {
  const [a, b] = replicas();
  const redeemedBefore = cluster.ctrader.stats.redeemed;
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    const userId = nextTrader++;
    const token = new HttpTrader(userId).token();
    const onA = new HttpTrader(userId);
    const onB = new HttpTrader(userId);
    const answers = await Promise.all([onA.launch(a, token), onB.launch(b, token)]);
    const opened = answers.filter((x) => x.cookie);
    expect(opened, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
    const refused = answers.find((x) => !x.cookie)!;
    expect(refused.status).toBe(303);
    expect(refused.location).toContain("/inapp/expired?reason=expired");
    // The refused browser follows the redirect to the expired screen.
    const screen = await fetch(new URL(refused.location, a));
    expect(screen.status).toBe(200);
    expect(await screen.text()).toContain('data-testid="expired');
    // The one session works on either replica.
    const winner = onA.cookie ? onA : onB;
    for (const origin of [a, b]) {
      const status = await fetch(`${origin}/api/inapp/status`, {
        headers: { cookie: winner.cookie },
      });
      expect(status.status).toBe(200);
    }
  }
  // cTrader was asked once per token: the replica that lost the claim never asked.
  expect(cluster.ctrader.stats.redeemed - redeemedBefore).toBe(rounds);
});

test("a submit through replica A reaches the trader's live status stream open on replica B", async () => {
  const [a, b] = replicas();
  const trader = new HttpTrader(nextTrader++);
  expect((await trader.launch(a, trader.token(), BASIC)).cookie).toBeTruthy();
  const stream = await openStatusStream(b, trader.cookie);
  try {
    await stream.waitFor("draft");
    await trader.submitBasicLevel(a, 1);
    // The checks run on A right after its response and approve the clean case; B's stream hears
    // each change and sends the status it then reads, so a change superseded within milliseconds
    // may be skipped, never the last.
    await stream.waitFor("approved", 60_000);
    expect(stream.statuses[0]).toBe("draft");
    expect(stream.statuses.at(-1)).toBe("approved");
  } finally {
    stream.close();
  }
});

test("two workers drain 1,000 outbox events at once: each delivered exactly once, none missing", async () => {
  test.setTimeout(600_000);
  // The events come from real flows: each trader's submit and its checks' two status changes.
  const have = (await eventIds()).length;
  await submitTraders(Math.ceil((OUTBOX_EVENTS - have) / 3));
  await checksSettled();
  const events = await eventIds();
  expect(events.length).toBeGreaterThanOrEqual(OUTBOX_EVENTS);
  expect(receiver.received).toEqual([]); // the replicas sent nothing themselves

  const workers = [1, 2].map(() =>
    cluster.startWorker(["--poll-ms=200", "--limit=20", `--lease-ms=${LEASE_MS}`]),
  );
  try {
    await receiver.waitFor(events.length, 240_000);
    await expect
      .poll(async () => (await deliveryLog()).filter((d) => d.status !== "delivered").length, {
        timeout: 30_000,
      })
      .toBe(0);
  } finally {
    for (const worker of workers) expect(await stop(worker.process), worker.output()).toBe(0);
  }
  const ids = receiver.received.map((r) => r.id);
  expect(ids).toHaveLength(events.length);
  expect(new Set(ids)).toEqual(new Set(events));
  const log = await deliveryLog();
  expect(log).toHaveLength(events.length);
  expect(log.filter((d) => d.ok !== 1)).toEqual([]);
});

test("a worker killed mid-batch loses nothing: after its lease, another delivers the rest", async () => {
  test.setTimeout(300_000);
  const before = new Set(await eventIds());
  await submitTraders(12);
  await checksSettled();
  const batch = (await eventIds()).filter((id) => !before.has(id));
  expect(batch.length).toBeGreaterThanOrEqual(30);

  // The CRM answers the first few and holds the rest: the worker is mid-batch, nothing recorded.
  const seenBefore = receiver.received.length;
  const answered = 5;
  receiver.respond = (_request, index) => (index - seenBefore < answered ? 204 : "hold");
  const doomed = cluster.startWorker(["--poll-ms=200", "--limit=100", `--lease-ms=${LEASE_MS}`]);
  await receiver.waitFor(seenBefore + answered + 5, 60_000);
  doomed.process.kill("SIGKILL");
  await new Promise((resolve) => doomed.process.once("close", resolve));
  const sentByDoomed = receiver.received.slice(seenBefore).map((r) => r.id);
  receiver.respond = () => 204;
  receiver.release(503); // the held requests' worker is gone; nobody reads these answers

  const survivor = cluster.startWorker(["--poll-ms=200", "--limit=20", `--lease-ms=${LEASE_MS}`]);
  try {
    await expect
      .poll(
        async () =>
          (await deliveryLog()).filter((d) => batch.includes(d.eventId) && d.status !== "delivered")
            .length,
        { timeout: 120_000 },
      )
      .toBe(0);
  } finally {
    expect(await stop(survivor.process), survivor.output()).toBe(0);
  }
  const seen = receiver.received.slice(seenBefore).map((r) => r.id);
  // At least once at the wire: every event arrived, and what the dead worker had sent arrived
  // again with the same webhook-id (the receiver deduplicates on it, docs/webhooks.md).
  expect(new Set(seen)).toEqual(new Set(batch));
  for (const id of sentByDoomed) expect(seen.filter((s) => s === id).length).toBe(2);
  // Once in the record: one successful attempt per delivery.
  const log = (await deliveryLog()).filter((d) => batch.includes(d.eventId));
  expect(log).toHaveLength(batch.length);
  expect(log.filter((d) => d.status !== "delivered" || d.ok !== 1)).toEqual([]);
});
