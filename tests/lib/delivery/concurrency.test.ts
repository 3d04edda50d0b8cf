import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { insertOutboxEvent } from "@/lib/db/queries/outbox";
import { drainOnce } from "@/lib/delivery/worker";
import { setTestEnv } from "../../helpers/env";
import { adminUrl } from "../../helpers/db-target";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import { endpointsFor, startReceiver, type Receiver } from "../../helpers/webhook-receiver";
import { freshCase } from "./helpers";

// Four drainers need real concurrent connections: PostgreSQL only.
const describePg = adminUrl() ? describe : describe.skip;
jest.setTimeout(120_000);

let t: TestDb;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  setTestEnv({ WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: receiver.url }]) });
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

describePg("several drainers at once", () => {
  it("delivers 1,000 events with 4 concurrent drainers: every id, none lost, none claimed twice", async () => {
    const kycCase = await freshCase();
    const now = new Date();
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await t.db.transaction(async (tx) => {
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
    const rows = await t.db.execute(sql`
      select count(*) filter (where status = 'delivered')::int as delivered,
             (select count(*)::int from delivery_attempts) as attempts
      from deliveries`);
    expect(JSON.stringify(rows)).toContain('"delivered":1000,"attempts":1000');
  });
});
