import { GET, POST } from "@/app/api/cron/deliver/route";
import { getDeliveriesForEvent } from "@/lib/db/queries/outbox";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import { endpointsFor, startReceiver, type Receiver } from "../../helpers/webhook-receiver";
import { submitFreshCase } from "../../lib/delivery/helpers";

const SECRET = "cron-secret-for-tests-0123456789";
let t: TestDb;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  setTestEnv({
    WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: receiver.url }]),
    CRON_SECRET: SECRET,
  });
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

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
    expect(receiver.received).toHaveLength(0);
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
    setTestEnv({
      WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: receiver.url }]),
      CRON_SECRET: undefined,
    });
    expect((await call(GET, "Bearer ")).status).toBe(401);
    expect((await call(GET, `Bearer ${SECRET}`)).status).toBe(401);
  });
});
