import "../../scenarios/support/request-scope";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { insertOutboxEvent } from "@/lib/db/queries/outbox";
import { drainOnce } from "@/lib/delivery/worker";
import { adminUrl } from "../../helpers/db-target";
import { decideCase, deliveryWorld, freshCase } from "./helpers";

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
