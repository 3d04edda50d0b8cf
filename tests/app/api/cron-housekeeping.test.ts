/**
 * The daily cron route: where no worker runs (Vercel), it runs housekeeping (the automated checks
 * of a case no request checked, the audit chain's verification), reports the screening lists' age, and delivers what is due.
 */
import "../../scenarios/support/request-scope";
import { GET, POST } from "@/app/api/cron/housekeeping/route";
import { signedInStaff, Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const SECRET = "cron-secret-for-tests-0123456789";
const world = scenarioWorld({ CRON_SECRET: SECRET });

const call = (handler: typeof GET, authorization?: string) =>
  handler(
    new Request("http://localhost/api/cron/housekeeping", {
      headers: authorization ? { authorization } : {},
    }),
  );

describe("/api/cron/housekeeping", () => {
  it("refuses a call without the bearer secret, or with a wrong one, and runs nothing", async () => {
    const w = world();
    const trader = new Trader(w, 540_001);
    await trader.completeStandardLevel();
    for (const auth of [undefined, "Bearer wrong", `Bearer ${SECRET}x`, SECRET, `Basic ${SECRET}`])
      expect((await call(GET, auth)).status).toBe(401);
    expect(await trader.status()).toBe("submitted");
    expect(w.crmEventsFor((await trader.currentCase()).id)).toEqual([]);
  });

  it("runs housekeeping with the secret: the waiting case's checks run, and the CRM hears of it", async () => {
    const w = world();
    const trader = new Trader(w, 540_002);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();

    const response = await call(GET, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      housekeeping: { checked: number; chainVerified?: boolean };
      screening: { status: string };
      deliveries: { delivered: number };
    };
    expect(body.housekeeping.checked).toBeGreaterThanOrEqual(1);
    // The audit chain is verified as audit:verify does, at most every AUDIT_VERIFY_MINUTES.
    expect(body.housekeeping.chainVerified).toBe(true);
    expect(body.screening.status).toBe("missing");
    expect(body.deliveries.delivered).toBeGreaterThanOrEqual(2);
    expect(await trader.status()).toBe("in_review");
    expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual(["submitted", "in_review"]);

    // Schedulers other than Vercel may POST; a second run finds nothing left to do.
    const again = await call(POST, `Bearer ${SECRET}`);
    expect(again.status).toBe(200);
    const second = ((await again.json()) as typeof body).housekeeping;
    expect(second.checked).toBe(0);
    expect(second.chainVerified).toBeUndefined();
  });

  it("runs the document expiry sweep: an approved case whose document expires soon gets its notice once", async () => {
    const w = world();
    const trader = new Trader(w, 540_003);
    // A passport that expires in ten days: inside the default 30-day notice window.
    const expiry = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await trader.completeStandardLevel({}, { expiryDate: expiry });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "cron.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");

    const response = await call(GET, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      housekeeping: { renewal: { noticed: number; expired: number } };
    };
    expect(body.housekeeping.renewal).toEqual({ noticed: 1, expired: 0 });
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      type: "case.renewal_due",
      status: "approved",
      payload: expect.objectContaining({ documentExpiresOn: expiry }),
    });
    const again = (await (await call(POST, `Bearer ${SECRET}`)).json()) as typeof body;
    expect(again.housekeeping.renewal).toEqual({ noticed: 0, expired: 0 });
    expect(await trader.status()).toBe("approved");
  });

  it("refuses everyone when no CRON_SECRET is configured", async () => {
    const w = world();
    w.configure({ CRON_SECRET: undefined });
    try {
      expect((await call(GET, "Bearer ")).status).toBe(401);
      expect((await call(GET, `Bearer ${SECRET}`)).status).toBe(401);
    } finally {
      w.configure({ CRON_SECRET: SECRET });
    }
  });
});
