import "../../scenarios/support/request-scope";
import { GET, POST } from "@/app/api/cron/deliver/route";
import { getDeliveriesForEvent } from "@/lib/db/queries/outbox";
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
});
