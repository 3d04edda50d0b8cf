import "../../scenarios/support/request-scope";
import { claimDueDeliveries } from "@/lib/db/queries/outbox";
import { replayAllDead, replayEvent } from "@/lib/delivery/console";
import { MAX_ATTEMPTS, MIN_SCHEDULE_MS, nextAttemptAt } from "@/lib/delivery/retry";
import { deliverSoon } from "@/lib/jobs/after-response";
import { drainOnce } from "@/lib/delivery/worker";
import type { Receiver } from "../../helpers/webhook-receiver";
import { deliveryOf, deliveryWorld, listAttemptsForEvent, submitFreshCase, until } from "./helpers";

const HOUR = 3_600_000;
/** The admin pressing "Replay" (the console's actions are driven in the scenarios). */
const ADMIN = { id: "00000000-0000-4000-8000-00000000ad01", role: "admin" };
// The CRM's webhook is the only destination: each event has one delivery.
const world = deliveryWorld({ CTRADER_ACCOUNT_UPDATE: undefined });
let receiver: Receiver;
beforeAll(() => {
  receiver = world().receiver;
});
beforeEach(() => {
  receiver.respond = () => 204;
});

/** Runs the worker on a compressed clock: each pass happens exactly when the delivery is due. */
async function driveUntilSettled(eventId: string, start: Date, maxPasses = 40) {
  let now = start;
  for (let pass = 0; pass < maxPasses; pass++) {
    await drainOnce({ now, limit: 10, eventId });
    const d = await deliveryOf(eventId);
    if (d.status !== "pending") return d;
    now = d.nextAttemptAt;
  }
  throw new Error("delivery did not settle");
}

describe("retry schedule", () => {
  it("spans at least 72 hours over 15 attempts, whatever the jitter draws", () => {
    for (const random of [() => 0, () => 0.5, () => 0.999999, Math.random]) {
      const start = new Date("2026-01-01T00:00:00Z");
      let now = start;
      let attempts = 1;
      for (;;) {
        const next = nextAttemptAt({ attempts, scheduleStartedAt: start, now, random });
        if (!next) break;
        expect(next.getTime()).toBeGreaterThanOrEqual(now.getTime());
        now = next;
        attempts++;
      }
      expect(attempts).toBe(MAX_ATTEMPTS);
      expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(MIN_SCHEDULE_MS);
    }
  });

  it("backs off exponentially with full jitter: waits stay under a doubling ceiling", () => {
    const start = new Date(0);
    const wait = (attempts: number, r: number) =>
      nextAttemptAt({ attempts, scheduleStartedAt: start, now: start, random: () => r })!.getTime();
    expect(wait(1, 0)).toBe(0);
    expect(wait(1, 0.999)).toBeLessThan(60_000);
    expect(wait(5, 0.999)).toBeGreaterThan(15 * 60_000);
    expect(wait(5, 0.999)).toBeLessThan(16 * 60_000);
    expect(wait(13, 0.999)).toBeLessThanOrEqual(24 * HOUR);
  });
});

describe("delivery with retries", () => {
  it("retries a receiver that fails 3 times, delivers once, and records every attempt", async () => {
    const { eventId, at: start } = await submitFreshCase();
    const before = receiver.received.length;
    receiver.respond = (_r, i) =>
      i - before === 0 ? 503 : i - before === 1 ? "drop" : i - before === 2 ? 500 : 204;
    const d = await driveUntilSettled(eventId, start);
    expect(d.status).toBe("delivered");
    expect(d.attempts).toBe(4);
    expect(d.deliveredAt).not.toBeNull();
    const sent = receiver.received.slice(before);
    expect(sent.map((r) => r.status)).toEqual([503, "dropped", 500, 204]);
    expect(new Set(sent.map((r) => r.id))).toEqual(new Set([eventId]));
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
    const log = await listAttemptsForEvent(eventId);
    expect(log.map((a) => [a.attempt, a.ok, a.httpStatus, a.errorKind])).toEqual([
      [1, false, 503, "http_status"],
      [2, false, null, "network"],
      [3, false, 500, "http_status"],
      [4, true, 204, null],
    ]);
    expect(log.every((a) => a.durationMs >= 0)).toBe(true);
    // Attempts happen later and later (the compressed clock moves to each due time).
    const times = log.map((a) => a.at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("dead-letters after the whole ≥ 72 h schedule when the receiver is down, then a replay delivers", async () => {
    const { eventId, at: start } = await submitFreshCase();
    const before = receiver.received.length;
    receiver.respond = () => 503;
    const dead = await driveUntilSettled(eventId, start);
    expect(dead.status).toBe("dead");
    expect(dead.attempts).toBe(MAX_ATTEMPTS);
    expect(dead.lastError).toContain("503");
    const log = await listAttemptsForEvent(eventId);
    expect(log).toHaveLength(MAX_ATTEMPTS);
    expect(log.at(-1)!.at.getTime() - start.getTime()).toBeGreaterThanOrEqual(MIN_SCHEDULE_MS);
    expect(receiver.received.length - before).toBe(MAX_ATTEMPTS);

    // Nothing more happens to a dead delivery on its own.
    expect((await drainOnce({ now: new Date(start.getTime() + 30 * 24 * HOUR) })).claimed).toBe(0);

    receiver.respond = () => 200;
    const replayAt = new Date(start.getTime() + 100 * HOUR);
    expect(await replayAllDead(ADMIN, replayAt)).toBeGreaterThanOrEqual(1);
    const replayed = await deliveryOf(eventId);
    expect(replayed).toMatchObject({ status: "pending", attempts: 0 });
    await drainOnce({ now: replayAt, eventId });
    const done = await deliveryOf(eventId);
    expect(done).toMatchObject({
      status: "delivered",
      attempts: 1,
      totalAttempts: MAX_ATTEMPTS + 1,
    });
    const after = await listAttemptsForEvent(eventId);
    expect(after).toHaveLength(MAX_ATTEMPTS + 1); // the earlier attempts stay in the log
    expect(after.at(-1)).toMatchObject({ attempt: MAX_ATTEMPTS + 1, ok: true, httpStatus: 200 });
    expect(receiver.received.at(-1)?.id).toBe(eventId);
  });

  it("replays one event on request, sending it again with the same webhook-id", async () => {
    const { eventId, at: start } = await submitFreshCase();
    await drainOnce({ now: start, eventId });
    expect((await deliveryOf(eventId)).status).toBe("delivered");
    expect(await replayEvent(ADMIN, eventId, start)).toBe(1);
    await drainOnce({ now: start, eventId });
    const sent = receiver.received.filter((r) => r.id === eventId);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.body).toBe(sent[1]?.body);
    expect(await listAttemptsForEvent(eventId)).toHaveLength(2);
  });

  it("does not send a delivery before it is due", async () => {
    const { eventId, at: start } = await submitFreshCase();
    receiver.respond = () => 500;
    await drainOnce({ now: start, eventId });
    const { nextAttemptAt: due } = await deliveryOf(eventId);
    expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
    expect((await drainOnce({ now: new Date(due.getTime() - 1), eventId })).claimed).toBe(0);
    expect((await drainOnce({ now: due, eventId })).claimed).toBe(1);
  });

  it("re-sends a delivery whose worker vanished only after its lease has run out", async () => {
    const { eventId, at: start } = await submitFreshCase();
    // A worker claims and dies before recording anything.
    const {
      claims: [claim],
    } = await claimDueDeliveries({
      now: start,
      limit: 5,
      leaseMs: 60_000,
      eventId,
      retryAt: (a) => nextAttemptAt({ ...a, now: start }),
    });
    expect(claim?.eventId).toBe(eventId);
    expect((await drainOnce({ now: new Date(start.getTime() + 59_000), eventId })).claimed).toBe(0);
    const later = await drainOnce({ now: new Date(start.getTime() + 60_000), eventId });
    expect(later).toMatchObject({ claimed: 1, delivered: 1 });
    // The vanished attempt left a gap in the numbering: attempt 2 is the one that was recorded.
    expect((await listAttemptsForEvent(eventId)).map((a) => a.attempt)).toEqual([2]);
  });

  it("records an attempt for a destination no longer configured, and keeps retrying it", async () => {
    const { eventId, at: start } = await submitFreshCase();
    world().configure({ WEBHOOK_ENDPOINTS: undefined });
    try {
      expect(await drainOnce({ now: start, eventId })).toMatchObject({ claimed: 1, failed: 1 });
    } finally {
      world().configure({});
    }
    expect(await listAttemptsForEvent(eventId)).toMatchObject([
      { ok: false, errorKind: "unknown_destination" },
    ]);
    expect((await deliveryOf(eventId)).status).toBe("pending");
  });

  it("deliverSoon makes the first attempt without being awaited and never throws", async () => {
    const { eventId } = await submitFreshCase();
    expect(() => deliverSoon(eventId)).not.toThrow();
    await until(async () => (await deliveryOf(eventId)).status === "delivered");
    expect(receiver.received.at(-1)?.id).toBe(eventId);
    expect(() => deliverSoon("not-a-uuid")).not.toThrow(); // its failure is only logged
    await new Promise((r) => setTimeout(r, 100));
  });

  it("DELIVER_AFTER_RESPONSE=0 leaves every attempt to the worker", async () => {
    world().configure({ DELIVER_AFTER_RESPONSE: "0" });
    try {
      const { eventId } = await submitFreshCase();
      deliverSoon(eventId);
      await new Promise((r) => setTimeout(r, 300));
      expect(await listAttemptsForEvent(eventId)).toEqual([]);
      await drainOnce({ eventId, limit: 10 });
      expect((await deliveryOf(eventId)).status).toBe("delivered");
    } finally {
      world().configure({ DELIVER_AFTER_RESPONSE: undefined });
    }
  });
});
