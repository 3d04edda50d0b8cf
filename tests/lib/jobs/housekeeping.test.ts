/**
 * The worker's housekeeping sweep, on what real flows leave behind: cases cTrader launched and
 * the trader sent, an upload the trader started and never finished, sessions the launches opened.
 */
import "../../scenarios/support/request-scope";
import { eq, sql } from "drizzle-orm";
import { getCaseForTrader } from "@/lib/db/queries/cases";
import { documents, staffLoginThrottle } from "@/lib/db/schema";
import { resolveSession } from "@/lib/identity/sessions";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { loginStaff } from "@/lib/staff/auth";
import { TRADER_COOKIE } from "../../helpers/request-scope";
import { Trader, type StartedUpload } from "../../scenarios/support/people";
import { scenarioWorld, setClock } from "../../scenarios/support/world";

const world = scenarioWorld();

describe("worker housekeeping", () => {
  it("checks a submitted case no request checked, and removes an upload abandoned past its URL", async () => {
    const w = world();
    const trader = new Trader(w, 95_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    // The upload screen asks for a form to post another photo to; nothing is posted or confirmed.
    const started = await trader.beginUpload("identity", "page", 1000);
    expect(started.status).toBe(201);
    const { documentId, expiresAt } = started.body as StartedUpload & { expiresAt: string };
    const all = () => w.db.db.select().from(documents);
    expect(await all()).toHaveLength(3);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();

    // Past the URL's expiry and the minute a confirm still gets after it, the upload may still be
    // arriving (S3 checks the expiry when a request starts): its row stays a while longer.
    const soon = await runHousekeeping(new Date(Date.parse(expiresAt) + 2 * 60_000));
    expect(soon).toMatchObject({ checked: 1, purged: 0 });
    expect(await all()).toHaveLength(3);
    const result = await runHousekeeping(new Date(Date.parse(expiresAt) + 16 * 60_000));
    expect(result).toMatchObject({ checked: 0, purged: 1 });
    expect((await getCaseForTrader(kycCase.id, kycCase.traderId))?.status).toBe("in_review");
    // The abandoned start is gone; the two photos the trader sent stay.
    expect(await w.db.db.select().from(documents).where(eq(documents.id, documentId))).toEqual([]);
    expect(await all()).toHaveLength(2);
    expect(await runHousekeeping()).toEqual({
      checked: 0,
      purged: 0,
      expired: 0,
      indexed: 0,
      zonesRead: 0,
      renewal: { noticed: 0, expired: 0 },
      retention: {
        drafts: 0,
        upgrades: 0,
        cases: 0,
        documents: 0,
        refusedUploads: 0,
        outboxEvents: 0,
        deferred: 0,
        failed: 0,
      },
      periodicReviews: 0,
      monitoringSettled: 0,
      lists: { ran: false },
    });
  });

  it("drops sessions a day past their expiry, and keeps live ones", async () => {
    const w = world();
    // cTrader opened the screen three days ago (the clock alone moved back), and again now.
    const earlier = new Trader(w, 95_002);
    setClock(Date.now() - 3 * 86_400_000);
    try {
      await earlier.launch("kyc", { kycType: "standard" });
    } finally {
      jest.useRealTimers();
    }
    const again = new Trader(w, 95_002);
    await again.launch("kyc", { kycType: "standard" });
    const stale = earlier.cookies.get(TRADER_COOKIE)!;
    const live = again.cookies.get(TRADER_COOKIE)!;
    expect(stale).not.toBe(live);
    const { expired } = await runHousekeeping();
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await resolveSession(stale)).toBeUndefined();
    expect(await resolveSession(live)).toBeDefined();
  });

  it("forgets staff sign-in attempts a day after the last, and keeps recent ones", async () => {
    const w = world();
    const rows = async () =>
      (await w.db.db.select({ n: sql<number>`count(*)::int` }).from(staffLoginThrottle))[0]?.n;
    const before = (await rows()) ?? 0;
    // Someone sprays wrong passwords at three emails from one address: a row per email, one for
    // the address.
    const then = Date.now();
    for (const i of [1, 2, 3])
      expect(
        await loginStaff(
          { email: `sprayed${i}@broker.example`, password: "a guess", client: "203.0.113.9" },
          { now: new Date(then + i) },
        ),
      ).toEqual({ ok: false, reason: "invalid" });
    expect(await rows()).toBe(before + 4);
    // A day and a minute later, another attempt from elsewhere.
    const dayLater = then + 86_400_000 + 60_000;
    await loginStaff(
      { email: "sprayed4@broker.example", password: "a guess", client: "203.0.113.10" },
      { now: new Date(dayLater) },
    );
    expect(await rows()).toBe(before + 6);
    const { expired } = await runHousekeeping(new Date(dayLater + 60_000));
    expect(expired).toBeGreaterThanOrEqual(4);
    // The sprayed day-old rows are gone; the fresh attempt's two stay.
    expect(await rows()).toBe(2);
  });
});
