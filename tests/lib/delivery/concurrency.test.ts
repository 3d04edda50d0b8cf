import "../../scenarios/support/request-scope";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import {
  claimDueDeliveries,
  insertOutboxEvent,
  listOutboxEventsForCase,
} from "@/lib/db/queries/outbox";
import { CTRADER_LONGEST_SEND_MS } from "@/lib/delivery/ctrader-account";
import { EMAIL_TIMEOUT_MS } from "@/lib/delivery/email";
import { WEBHOOK_TIMEOUT_MS } from "@/lib/delivery/webhook";
import { nextAttemptAt } from "@/lib/delivery/retry";
import { DEFAULT_LEASE_MS, drainOnce, SEND_MARGIN_MS } from "@/lib/delivery/worker";
import { adminUrl } from "../../helpers/db-target";
import { captureLogs } from "../../helpers/log-capture";
import { setClock } from "../../scenarios/support/world";
import { decideCase, deliveryOf, deliveryWorld, freshCase, listAttemptsForEvent } from "./helpers";

// Four drainers need real concurrent connections: PostgreSQL only.
const describePg = adminUrl() ? describe : describe.skip;
jest.setTimeout(120_000);

// The CRM's webhook is the only destination of the events below.
const world = deliveryWorld({ CTRADER_ACCOUNT_UPDATE: undefined });

type Attempt = { delivery_id: string; attempt: number; ok: boolean; error_kind: string | null };

describePg("several drainers at once", () => {
  it("delivers 1,000 events with 4 concurrent drainers: every id, none lost, none claimed twice", async () => {
    // A case for the events to belong to: the draft a trader's launch opened.
    const kycCase = await freshCase();
    const { db, receiver } = world();
    // The payloads are ids only, not what the CRM's handler reads. The first three requests meet
    // a dropped connection, as on a loaded machine: those deliveries go round the retry schedule.
    receiver.respond = (_, index) => (index < 3 ? "drop" : 204);
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await db.db.transaction(async (tx) => {
      for (const id of ids) {
        await insertOutboxEvent(tx, {
          id,
          type: "case.status_changed",
          caseId: kycCase.id,
          payload: { id },
          destinations: ["webhook:crm"],
          now: new Date(),
        });
      }
    });
    // A failed send is scheduled again, as in production: each round lets the drainers run dry,
    // then the next round's clock is past every retry (the first ones wait at most 8 minutes).
    let now = new Date();
    const drainer = async () => {
      let delivered = 0;
      for (let pass = 0; pass < 200; pass++) {
        const r = await drainOnce({ limit: 25, now });
        delivered += r.delivered;
        if (r.claimed === 0) break;
      }
      return delivered;
    };
    const perDrainer = [0, 0, 0, 0];
    for (let round = 0; round < 5; round++) {
      const got = await Promise.all(perDrainer.map(() => drainer()));
      got.forEach((n, i) => (perDrainer[i]! += n));
      if (perDrainer.reduce((a, b) => a + b, 0) >= 1000) break;
      now = new Date(now.getTime() + 3600_000);
    }
    const attempts = (await db.db.execute(sql`
      select delivery_id::text, attempt, ok, error_kind from delivery_attempts`)) as Attempt[];
    const failed = attempts.filter((a) => !a.ok);
    // The three drops, and only what a loaded machine can add; anything else is named here.
    expect(failed.filter((a) => a.error_kind !== "timeout" && a.error_kind !== "network")).toEqual(
      [],
    );
    expect(failed.length).toBeGreaterThanOrEqual(3);

    expect(perDrainer.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(perDrainer.filter((n) => n > 0).length).toBeGreaterThan(1); // the work was shared
    const got = new Set(receiver.received.map((r) => r.id));
    expect(got.size).toBe(1000);
    expect(ids.every((id) => got.has(id))).toBe(true);
    // SKIP LOCKED + lease: no delivery claimed by two drainers, so no attempt number twice and
    // one successful send per delivery; a second request for an id only after a failed attempt.
    const claims = new Set(attempts.map((a) => `${a.delivery_id}#${a.attempt}`));
    expect(claims.size).toBe(attempts.length);
    expect(attempts.filter((a) => a.ok)).toHaveLength(1000);
    expect(receiver.received.length).toBeLessThanOrEqual(1000 + failed.length);
    const rows = await db.db.execute(sql`
      select count(*) filter (where status = 'delivered')::int as delivered from deliveries`);
    expect(JSON.stringify(rows)).toContain('"delivered":1000');
  });

  it("records each send as it ends: a pass slower than its lease is not sent again in full", async () => {
    const { receiver } = world();
    const kycCase = await freshCase();
    // Submitted, in review, approved: three events of one case to the CRM, sent in order.
    const { submitEventId } = await decideCase(kycCase, "approve");
    receiver.received.length = 0;
    receiver.respond = (_, index) => (index === 1 ? "hold" : 204);
    const start = new Date();
    // The first pass sends the submission, then waits on the CRM with the next event...
    const first = drainOnce({ now: start });
    await receiver.waitFor(2);
    // ...past its lease: another worker's pass finds the leases run out.
    const second = await drainOnce({ now: new Date(start.getTime() + 61_000) });
    receiver.release(204);
    await first;
    // The submission was recorded when its send ended: nobody sends it twice.
    expect(receiver.received.filter((r) => r.id === submitEventId)).toHaveLength(1);
    expect(second.claimed).toBe(2);
  });
});

describe("a lane of one case's events under one lease", () => {
  afterEach(() => jest.useRealTimers());

  /** A case approved in the console: its three events to the CRM, in sequence order. */
  async function approvedCase(): Promise<string[]> {
    const kycCase = await freshCase();
    await decideCase(kycCase, "approve");
    const events = await listOutboxEventsForCase(kycCase.id);
    const sequence = (e: (typeof events)[number]) => Number(e.payload.sequence);
    return events.sort((a, b) => sequence(a) - sequence(b)).map((e) => e.id);
  }

  it("starts no send its lease cannot hold: the rest goes to the next pass, each event sent once, in order", async () => {
    const { receiver } = world();
    const ids = await approvedCase();
    // A 25 s lease and a CRM that takes 12 s to answer each call (within the webhook's 15 s
    // timeout): three calls in a row would outlive the lease. The clock moves by the call's time
    // as it arrives; a call still running when the lease is over is held, in flight.
    const leaseMs = 25_000;
    const start = Date.now();
    setClock(start);
    let overran = () => {};
    const inFlightPastLease = new Promise<void>((resolve) => (overran = resolve));
    receiver.respond = (request) => {
      if (!ids.includes(request.id)) return 204;
      jest.setSystemTime(Date.now() + 12_000);
      if (Date.now() - start <= leaseMs) return 204;
      overran();
      return "hold";
    };
    const logs = captureLogs();
    const first = drainOnce({ leaseMs });
    await Promise.race([first, inFlightPastLease]).finally(() => logs.stop());
    // Given back as they were before the claim: no attempt counted, due when they were.
    for (const id of ids.slice(1)) {
      const given = await deliveryOf(id);
      expect(given).toMatchObject({ attempts: 0, lockedUntil: null });
      expect(given.nextAttemptAt.getTime()).toBeLessThanOrEqual(start);
    }
    // Another worker's pass once the lease has run out.
    receiver.respond = () => 204;
    jest.setSystemTime(Math.max(Date.now(), start + leaseMs + 1_000));
    const second = await drainOnce({ leaseMs });
    receiver.release(204);
    await first;
    expect((await drainOnce({ leaseMs })).claimed).toBe(0);

    // The first pass sent the submission and gave the other two back; the next one sent them.
    expect(receiver.received.map((r) => r.id).filter((id) => ids.includes(id))).toEqual(ids);
    expect(second).toMatchObject({ claimed: 2, delivered: 2 });
    // The pass said so once, at warn, naming the destination and how many it gave back.
    expect(
      logs.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.event === "delivery.deferred"),
    ).toEqual([
      expect.objectContaining({ level: "warn", released: { "webhook:crm": 2 }, skipped: {} }),
    ]);
    // Given back, they counted no attempt: one attempt each, the first.
    for (const id of ids)
      expect((await listAttemptsForEvent(id)).map((a) => [a.attempt, a.ok])).toEqual([[1, true]]);
  });

  it("claims nothing on a lease too short for the destination's send: no attempt spent, a worker with the lease sends each once", async () => {
    const { receiver } = world();
    const ids = await approvedCase();
    // 10 s: less than the webhook's 15 s timeout and the margin.
    const short = await drainOnce({ leaseMs: 10_000 });
    expect(short).toMatchObject({ claimed: 0, released: 0 });
    expect(short.skipped).toBeGreaterThanOrEqual(3);
    for (const id of ids)
      expect(await deliveryOf(id)).toMatchObject({ attempts: 0, lockedUntil: null });
    expect(await drainOnce()).toMatchObject({ claimed: 3, delivered: 3 });
    // Each event reached the CRM once, in order, with one attempt, its first.
    expect(receiver.received.map((r) => r.id).filter((id) => ids.includes(id))).toEqual(ids);
    for (const id of ids)
      expect((await listAttemptsForEvent(id)).map((a) => [a.attempt, a.ok])).toEqual([[1, true]]);
  });

  it("the default lease holds a send to any destination, with time left for a lane's next ones", () => {
    for (const longest of [WEBHOOK_TIMEOUT_MS, EMAIL_TIMEOUT_MS, CTRADER_LONGEST_SEND_MS])
      expect(DEFAULT_LEASE_MS - (longest + SEND_MARGIN_MS)).toBeGreaterThanOrEqual(10_000);
  });

  it("gives back nothing another worker has claimed since its lease ran out", async () => {
    const { receiver } = world();
    const ids = await approvedCase();
    const leaseMs = 25_000;
    const start = Date.now();
    setClock(start);
    let arrived = () => {};
    const submissionArrived = new Promise<void>((resolve) => (arrived = resolve));
    receiver.respond = (request) => {
      if (request.id !== ids[0]) return 204;
      arrived();
      return "hold";
    };
    const first = drainOnce({ leaseMs });
    await submissionArrived;
    // The worker stalls past its lease and the first retry's wait (a paused machine); another
    // worker claims the case's deliveries and is still at them when the first one wakes up.
    jest.setSystemTime(start + 61_000);
    const now = new Date();
    const other = await claimDueDeliveries({
      now,
      limit: 10,
      leaseMs: 60_000,
      retryAt: (a) => nextAttemptAt({ ...a, now }),
    });
    expect(other.claims.filter((c) => ids.includes(c.eventId))).toHaveLength(3);
    receiver.release(204);
    await first;
    // The first worker left the other's claims alone: nobody else may take them now.
    expect((await drainOnce({ leaseMs })).claimed).toBe(0);
    expect(receiver.received.filter((r) => r.id !== ids[0] && ids.includes(r.id))).toEqual([]);

    // The other worker dies: after its lease and its attempts' retry wait (under 2 minutes) the
    // rest is sent, once each, in order.
    jest.setSystemTime(start + 61_000 + 120_000);
    expect(await drainOnce({ leaseMs })).toMatchObject({ claimed: 2, delivered: 2 });
    expect(receiver.received.map((r) => r.id).filter((id) => ids.includes(id))).toEqual(ids);
  });
});
