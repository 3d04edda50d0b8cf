import "../../scenarios/support/request-scope";
import { sql, eq } from "drizzle-orm";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { getDeliveriesForEvent, listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { caseEvents, deliveries, kycCases, outboxEvents } from "@/lib/db/schema";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { changeCaseStatus } from "@/lib/kyc/cases";
import en from "@/messages/en.json";
import { endpointsFor } from "../../helpers/webhook-receiver";
import { deliveryWorld, freshCase, readyCase, staffPair, submitCase, traderOf } from "./helpers";

/** A submit's event data, as the trader's submit stores it: the steps sent. */
const SENT = { steps: ["personal", "identity"] };

// Two webhook endpoints (closed ports: nothing is delivered here), and no other destination.
const world = deliveryWorld({
  WEBHOOK_ENDPOINTS: endpointsFor([
    { id: "crm", url: "http://127.0.0.1:9/crm" },
    { id: "backoffice", url: "http://127.0.0.1:9/bo" },
  ]),
  CTRADER_ACCOUNT_UPDATE: undefined,
});
/** Reads for the assertions, and the fault injected below. */
const db = () => world().db.db;

const statusOf = async (id: string) =>
  (await db().select().from(kycCases).where(eq(kycCases.id, id)))[0]?.status;

describe("transactional outbox", () => {
  it("writes one event per status change, with one pending delivery per configured endpoint", async () => {
    const kycCase = await freshCase();
    const { eventId } = await submitCase(kycCase);
    const events = await listOutboxEventsForCase(kycCase.id);
    expect(events.map((e) => e.id)).toEqual([eventId]);
    expect(events[0]?.type).toBe("case.status_changed");
    const rows = await getDeliveriesForEvent(eventId);
    expect(rows.map((d) => d.destination).sort()).toEqual(["webhook:backoffice", "webhook:crm"]);
    expect(rows.every((d) => d.status === "pending" && d.attempts === 0)).toBe(true);
  });

  it("leaves no event and no delivery when the status change's transaction fails", async () => {
    const kycCase = await readyCase();
    await expect(
      changeCaseStatus({
        kycCase,
        event: "submit",
        data: SENT,
        actor: { type: "trader", id: "x" },
        alsoInTransaction: async () => {
          throw new Error("a later write in the same transaction failed");
        },
      }),
    ).rejects.toThrow("a later write");
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listOutboxEventsForCase(kycCase.id)).toHaveLength(0);
    const orphans = await db().execute(
      sql`select count(*)::int as n from ${deliveries} d left join ${outboxEvents} e on e.id = d.event_id where e.id is null`,
    );
    expect(JSON.stringify(orphans)).toContain('"n":0');
  });

  it("makes no status change when its outbox event cannot be written", async () => {
    const kycCase = await readyCase();
    // Break the outbox for this database only: the change must fail with it, not go unannounced.
    await db().execute(sql`alter table deliveries rename to deliveries_away`);
    try {
      // The trader's submit fails, and says so.
      expect(await traderOf(kycCase).submit()).toEqual({
        value: { status: "error", message: en.Errors.saveFailed },
      });
    } finally {
      await db().execute(sql`alter table deliveries_away rename to deliveries`);
    }
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listCaseEvents(kycCase.id)).toHaveLength(0);
    expect(await listOutboxEventsForCase(kycCase.id)).toHaveLength(0);
  });

  it("writes no event for a change that loses a race", async () => {
    const kycCase = await readyCase();
    const results = await Promise.allSettled([
      changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: "a" },
        data: SENT,
      }),
      changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: "b" },
        data: SENT,
      }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await listOutboxEventsForCase(kycCase.id)).toHaveLength(1);
  });

  it("pairs every event with its change across a whole review, in order", async () => {
    // The trader submits, the worker's checks take the case into review, a reviewer asks for a
    // sharper identity photo, the trader sends one, the checks run again, the reviewer rejects.
    const kycCase = await freshCase();
    const trader = traderOf(kycCase);
    const [reviewer] = await staffPair();
    await submitCase(kycCase);
    await runHousekeeping();
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity"],
        "Please upload a sharper photo.",
      ),
    ).toBe("action_requested");
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await runHousekeeping();
    expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry");
    const timeline = await listCaseEvents(kycCase.id);
    expect(timeline.map((e) => e.event)).toEqual([
      "submit",
      "start_review",
      "request_action",
      "resubmit",
      "start_review",
      "reject",
    ]);
    const outbox = await listOutboxEventsForCase(kycCase.id);
    expect(outbox).toHaveLength(timeline.length);
    outbox.forEach((e, i) => {
      const p = e.payload as {
        event: string;
        sequence: number;
        case: { status: string; previousStatus: string };
      };
      expect(p.sequence).toBe(i + 1);
      expect(p.event).toBe(timeline[i]?.event);
      expect(p.case.status).toBe(timeline[i]?.toStatus);
      expect(p.case.previousStatus).toBe(timeline[i]?.fromStatus);
      expect(e.createdAt).toEqual(timeline[i]?.occurredAt);
    });
    expect((outbox[2]?.payload as { messageForTrader?: string }).messageForTrader).toBe(
      "Please upload a sharper photo.",
    );
    // Database-wide: no event without its change.
    const unmatched = await db().execute(sql`
      select count(*)::int as n from ${outboxEvents} o
      where not exists (select 1 from ${caseEvents} c where c.case_id = o.case_id
                        and c.occurred_at = o.created_at and c.to_status::text = o.payload->'case'->>'status')`);
    expect(JSON.stringify(unmatched)).toContain('"n":0');
  });

  it("still writes the event when no endpoint is configured (other destinations come later)", async () => {
    world().configure({ WEBHOOK_ENDPOINTS: undefined });
    try {
      const kycCase = await freshCase();
      const { eventId } = await submitCase(kycCase);
      expect(await listOutboxEventsForCase(kycCase.id)).toHaveLength(1);
      expect(await getDeliveriesForEvent(eventId)).toHaveLength(0);
    } finally {
      world().configure({});
    }
  });
});
