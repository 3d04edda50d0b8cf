import "../../scenarios/support/request-scope";
import { GET, maxDuration, POST } from "@/app/api/cron/deliver/route";
import { getDeliveriesForEvent } from "@/lib/db/queries/outbox";
import { CRON_BUDGET_MS, CRON_WINDOW_MS, drainWithBudget } from "@/lib/delivery/cron";
import { DEFAULT_LEASE_MS } from "@/lib/delivery/worker";
import { setClock } from "../../scenarios/support/world";
import { deliveryWorld, submitFreshCase } from "../../lib/delivery/helpers";

const SECRET = "cron-secret-for-tests-0123456789";
// The CRM's webhook is the only destination: the counts below are its deliveries.
const world = deliveryWorld({ CRON_SECRET: SECRET, CTRADER_ACCOUNT_UPDATE: undefined });
const receiver = () => world().receiver;

const call = (handler: typeof GET, authorization?: string) =>
  handler(
    new Request("http://localhost/api/cron/deliver", {
      headers: authorization ? { authorization } : {},
    }),
  );

describe("/api/cron/deliver", () => {
  it("refuses a call without the bearer secret, with a wrong one, or a near miss, and sends nothing", async () => {
    const { eventId } = await submitFreshCase();
    for (const auth of [
      undefined,
      "Bearer wrong",
      `Bearer ${SECRET}x`,
      SECRET,
      `Basic ${SECRET}`,
    ]) {
      expect((await call(GET, auth)).status).toBe(401);
    }
    expect((await getDeliveriesForEvent(eventId))[0]?.status).toBe("pending");
    expect(receiver().received).toHaveLength(0);
  });

  it("drains due deliveries when called with the secret (GET from Vercel cron, or POST)", async () => {
    const { eventId } = await submitFreshCase();
    const res = await call(GET, `Bearer ${SECRET}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ delivered: 2 }); // this event and the one above
    expect((await getDeliveriesForEvent(eventId))[0]?.status).toBe("delivered");
    expect((await call(POST, `Bearer ${SECRET}`)).status).toBe(200);
  });

  it("refuses everyone when no CRON_SECRET is configured", async () => {
    world().configure({ CRON_SECRET: undefined });
    expect((await call(GET, "Bearer ")).status).toBe(401);
    expect((await call(GET, `Bearer ${SECRET}`)).status).toBe(401);
  });

  it("ends within the route's maxDuration: no pass starts whose lease could run past the window", async () => {
    expect(CRON_WINDOW_MS).toBeLessThan(maxDuration * 1000);
    expect(CRON_BUDGET_MS).toBeLessThan(CRON_WINDOW_MS);
    // Nothing due from the tests above.
    await drainWithBudget();
    const slow = await submitFreshCase();
    const waiting = await submitFreshCase();
    const start = Date.now();
    setClock(start);
    try {
      let arrived = () => {};
      const held = new Promise<void>((resolve) => (arrived = resolve));
      receiver().respond = (request) => {
        if (request.id !== slow.eventId) return 204;
        arrived();
        return "hold";
      };
      // One delivery per pass; a 30 s window leaves room for a webhook's 15 s send and the
      // margin until 10 s in.
      const call = drainWithBudget(CRON_BUDGET_MS, 1, 30_000);
      await held;
      jest.setSystemTime(start + 12_000);
      receiver().release(204);
      expect(await call).toMatchObject({ passes: 1, delivered: 1 });
      // Within the budget, but a pass now could outlast the window: it waits for the next call.
      const [left] = await getDeliveriesForEvent(waiting.eventId);
      expect(left).toMatchObject({ status: "pending", attempts: 0, lockedUntil: null });
      expect(DEFAULT_LEASE_MS).toBeGreaterThan(CRON_WINDOW_MS - CRON_BUDGET_MS);
    } finally {
      receiver().respond = () => 204;
      jest.useRealTimers();
    }
  });
});
