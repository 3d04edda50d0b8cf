import "../../scenarios/support/request-scope";
import { listDeadDeliveries } from "@/lib/db/queries/outbox";
import { auditEvents } from "@/lib/db/schema";
import { replayAllDead, replayEvent } from "@/lib/delivery/console";
import { MAX_ATTEMPTS } from "@/lib/delivery/retry";
import { drainOnce } from "@/lib/delivery/worker";
import { endpointsFor } from "../../helpers/webhook-receiver";
import { deliveryOf, deliveryWorld, submitFreshCase } from "./helpers";

// The CRM's endpoint is a closed port; the webhook is the only destination.
const world = deliveryWorld({
  WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: "http://127.0.0.1:9/hook" }]),
  CTRADER_ACCOUNT_UPDATE: undefined,
});

const admin = { id: "00000000-0000-4000-8000-0000000000ad", role: "admin" };

/**
 * Submits a case and lets the worker attempt its delivery against the closed port until the
 * schedule runs out, each pass at the moment the delivery is next due (a compressed clock).
 */
async function deadSubmission(): Promise<{ eventId: string }> {
  const { eventId, at } = await submitFreshCase();
  let now = at;
  for (let pass = 0; pass < MAX_ATTEMPTS; pass++) {
    await drainOnce({ now, eventId });
    const delivery = await deliveryOf(eventId);
    if (delivery.status !== "pending") break;
    now = delivery.nextAttemptAt;
  }
  expect(await deliveryOf(eventId)).toMatchObject({
    status: "dead",
    attempts: MAX_ATTEMPTS,
    lastError: expect.stringContaining("ECONNREFUSED"),
  });
  return { eventId };
}

describe("replaying deliveries from the console", () => {
  it("lists dead deliveries and sends one event again with a fresh schedule, audited", async () => {
    const { eventId } = await deadSubmission();
    expect((await listDeadDeliveries()).map((d) => d.eventId)).toContain(eventId);
    expect(await replayEvent(admin, eventId)).toBe(1);
    expect(await deliveryOf(eventId)).toMatchObject({ status: "pending", attempts: 0 });
    const audit = await world().db.db.select().from(auditEvents);
    expect(audit.some((a) => a.action === "delivery.replayed" && a.actorId === admin.id)).toBe(
      true,
    );
  });

  it("replays every dead delivery at once, and refuses a forged event id", async () => {
    await deadSubmission();
    await deadSubmission();
    expect(await replayAllDead(admin)).toBeGreaterThanOrEqual(2);
    expect(await listDeadDeliveries()).toHaveLength(0);
    await expect(replayEvent(admin, "'; drop table deliveries; --")).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
