import "../../scenarios/support/request-scope";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { insertOutboxEvent } from "@/lib/db/queries/outbox";
import { drainOnce } from "@/lib/delivery/worker";
import { adminUrl } from "../../helpers/db-target";
import { deliveryWorld, freshCase } from "./helpers";

// Four drainers need real concurrent connections: PostgreSQL only.
const describePg = adminUrl() ? describe : describe.skip;
jest.setTimeout(120_000);

// The CRM's webhook is the only destination of the events below.
const world = deliveryWorld({ CTRADER_ACCOUNT_UPDATE: undefined });

describePg("several drainers at once", () => {
  it("delivers 1,000 events with 4 concurrent drainers: every id, none lost, none claimed twice", async () => {
    // A case for the events to belong to: the draft a trader's launch opened.
    const kycCase = await freshCase();
    const { db, receiver } = world();
    receiver.respond = () => 204; // the payloads are ids only, not what the CRM's handler reads
    const now = new Date();
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await db.db.transaction(async (tx) => {
      for (const id of ids) {
        await insertOutboxEvent(tx, {
          id,
          type: "case.status_changed",
          caseId: kycCase.id,
          payload: { id },
          destinations: ["webhook:crm"],
          now,
        });
      }
    });
    const drainer = async () => {
      let delivered = 0;
      for (let pass = 0; pass < 200; pass++) {
        const r = await drainOnce({ limit: 25 });
        delivered += r.delivered;
        if (r.claimed === 0) break;
      }
      return delivered;
    };
    const perDrainer = await Promise.all([drainer(), drainer(), drainer(), drainer()]);
    expect(perDrainer.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(perDrainer.filter((n) => n > 0).length).toBeGreaterThan(1); // the work was shared
    const got = new Set(receiver.received.map((r) => r.id));
    expect(got.size).toBe(1000);
    expect(ids.every((id) => got.has(id))).toBe(true);
    expect(receiver.received).toHaveLength(1000); // SKIP LOCKED + lease: no double sends
    const rows = await db.db.execute(sql`
      select count(*) filter (where status = 'delivered')::int as delivered,
             (select count(*)::int from delivery_attempts) as attempts
      from deliveries`);
    expect(JSON.stringify(rows)).toContain('"delivered":1000,"attempts":1000');
  });
});
