/**
 * The daily cron route: where no worker runs (Vercel), it runs housekeeping (the automated checks
 * of a case no request checked, the audit chain's verification, the document expiry sweep, the
 * retention purge, periodic reviews), reports the screening lists' age, and delivers what is due;
 * a call without the bearer secret runs none of it.
 */
import "../../scenarios/support/request-scope";
import { sql } from "drizzle-orm";
import { GET, POST } from "@/app/api/cron/housekeeping/route";
import { POST as relationshipEnd } from "@/app/api/crm/traders/[id]/relationship-end/route";
import { getDeliveriesForEvent, listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { CRON_WINDOW_MS } from "@/lib/delivery/cron";
import type { DrainResult } from "@/lib/delivery/worker";
import { captureLogs } from "../../helpers/log-capture";
import { adminUrl } from "../../helpers/db-target";
import { textOf } from "../../helpers/render-page";
import { sqlRows } from "../../helpers/sql-rows";
import { signedInStaff, Trader } from "../../scenarios/support/people";
import { holdCase } from "../../scenarios/support/faults";
import { BROKER, scenarioWorld, setClock, type World } from "../../scenarios/support/world";

const SECRET = "cron-secret-for-tests-0123456789";
const CRM_KEY = "crm-api-key-for-the-cron-route-tests";
const world = scenarioWorld({
  CRON_SECRET: SECRET,
  CRM_API_KEY: CRM_KEY,
  PERIODIC_REVIEW_MONTHS_LOW: "12",
});
const DAY = 86_400_000;
const WRONG = [undefined, "Bearer wrong", `Bearer ${SECRET}x`, SECRET, `Basic ${SECRET}`];

const call = (handler: typeof GET, authorization?: string) =>
  handler(
    new Request("http://localhost/api/cron/housekeeping", {
      headers: authorization ? { authorization } : {},
    }),
  );

/**
 * A call the scheduler makes at `at`: the route reads the time from the process clock, so only
 * `Date` is faked (running on from `at`); timers, I/O and the database run as usual.
 */
async function callAt(at: Date, handler: typeof GET, authorization?: string) {
  setClock(at, { advance: true });
  try {
    const response = await call(handler, authorization);
    return { status: response.status, body: (await response.json()) as unknown };
  } finally {
    jest.useRealTimers();
  }
}

type CallBody = {
  housekeeping: { checked: number };
  deliveries: DrainResult & { passes: number };
};

/**
 * A call whose housekeeping is held up until only `leftMs` of the route's window is left: the
 * case's automated checks wait for another writer (a second PostgreSQL connection) while the
 * clock moves on, then go on with the delivery pass. The clock runs real again afterwards.
 */
async function callWithWindowLeft(w: World, caseId: string, leftMs: number) {
  const start = Date.now();
  setClock(start);
  try {
    const held = await holdCase(w, caseId);
    let answered = false;
    const response = call(GET, `Bearer ${SECRET}`).finally(() => (answered = true));
    await held.waiting(1, () => answered);
    jest.setSystemTime(start + CRON_WINDOW_MS - leftMs);
    await held.release();
    return { start, body: (await (await response).json()) as CallBody };
  } finally {
    jest.useRealTimers();
  }
}

const retentionOf = (w: World, caseId: string) =>
  sqlRows<{ purge_rule: string; purged_at: string; tombstone: Record<string, unknown> }>(
    w.db.db,
    sql`select purge_rule, to_char(purged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as purged_at, tombstone
      from case_retention where case_id = ${caseId} and purged_at is not null`,
  );

const auditOf = (w: World, caseId: string, like: string) =>
  sqlRows<{ action: string; actor_id: string }>(
    w.db.db,
    sql`select action, actor_id from audit_events where case_id = ${caseId} and action like ${like} order by seq`,
  );

const periodicTasksOf = (w: World, caseId: string) =>
  sqlRows<{ open: boolean }>(
    w.db.db,
    sql`select closed_at is null as open from review_tasks where case_id = ${caseId} and kind = 'periodic_review'`,
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

  it("runs the retention purge on the scheduler's clock: refused calls erase nothing, the due run erases the case with its tombstone", async () => {
    const w = world();
    const trader = new Trader(w, 540_004);
    await trader.completeStandardLevel({ surnames: "Cronqvist" }, { expiryDate: "2045-01-31" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "cron.purge.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const ended = await relationshipEnd(
      new Request(`${BROKER}/api/crm/traders/${trader.userId}/relationship-end`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ endedAt: new Date(Date.now() - 3_600_000).toISOString() }),
      }),
      { params: Promise.resolve({ id: String(trader.userId) }) },
    );
    expect(ended.status).toBe(200);
    const due = new Date(((await ended.json()) as { erasableFrom: string }).erasableFrom);

    const early = await callAt(new Date(due.getTime() - DAY), GET, `Bearer ${SECRET}`);
    expect(early.status).toBe(200);
    expect(await retentionOf(w, kycCase.id)).toEqual([]);
    for (const auth of WRONG) expect((await callAt(due, GET, auth)).status).toBe(401);
    expect(await retentionOf(w, kycCase.id)).toEqual([]);
    expect(await auditOf(w, kycCase.id, "retention.%")).toEqual([]);

    const run = await callAt(due, POST, `Bearer ${SECRET}`);
    expect(run.status).toBe(200);
    expect((run.body as { housekeeping: { retention: { cases: number } } }).housekeeping).toEqual(
      expect.objectContaining({ retention: expect.objectContaining({ cases: 1 }) }),
    );
    const erased = await retentionOf(w, kycCase.id);
    expect(erased).toEqual([
      {
        purge_rule: "relationship_ended",
        purged_at: expect.any(String),
        tombstone: expect.objectContaining({
          caseId: kycCase.id,
          outcome: "approved",
          rule: "relationship_ended",
          purgedAt: erased[0]?.purged_at,
        }),
      },
    ]);
    // At the scheduler's moment (the faked clock runs on from it), not the machine's.
    const purgedAt = new Date(String(erased[0]?.purged_at)).getTime();
    expect(purgedAt).toBeGreaterThanOrEqual(due.getTime());
    expect(purgedAt).toBeLessThan(due.getTime() + 60_000);
    expect(await auditOf(w, kycCase.id, "retention.%")).toEqual([
      { action: "retention.purged", actor_id: "retention" },
    ]);
    // What an admin sees (signed in now: the run years ahead ended the earlier sessions).
    const admin = await signedInStaff(w, "cron.purge.admin@broker.example", "admin");
    const page = await admin.casePage(kycCase.id);
    expect(page).toContain('data-testid="tombstone"');
    expect(textOf(page)).not.toContain("Cronqvist");
  });

  it("opens periodic reviews on the scheduler's clock: refused calls open nothing, the due run puts the task in the queue", async () => {
    const w = world();
    const trader = new Trader(w, 540_005);
    await trader.completeStandardLevel({}, { expiryDate: "2045-01-31" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "cron.periodic.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect((await trader.currentCase()).riskLevel).toBe("low");
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    // PERIODIC_REVIEW_MONTHS_LOW=12.
    const due = new Date(approvedAt);
    due.setUTCMonth(due.getUTCMonth() + 12);
    const later = new Date(due.getTime() + 60_000);

    for (const auth of WRONG) expect((await callAt(later, GET, auth)).status).toBe(401);
    expect(await periodicTasksOf(w, kycCase.id)).toEqual([]);

    const run = await callAt(later, GET, `Bearer ${SECRET}`);
    expect(run.status).toBe(200);
    const body = run.body as { housekeeping: { periodicReviews: number } };
    expect(body.housekeeping.periodicReviews).toBeGreaterThanOrEqual(1);
    expect(await periodicTasksOf(w, kycCase.id)).toEqual([{ open: true }]);
    // A second run opens nothing more.
    expect((await callAt(later, POST, `Bearer ${SECRET}`)).status).toBe(200);
    expect(await periodicTasksOf(w, kycCase.id)).toEqual([{ open: true }]);

    const officer = await signedInStaff(w, "cron.periodic.officer@broker.example", "reviewer");
    const queue = await officer.queue({ queue: "periodic" });
    expect(queue.match(new RegExp(`data-case="${kycCase.id}"`, "g"))).toHaveLength(1);
    // A review task is work for a person: the case stays approved.
    expect((await trader.currentCase()).status).toBe("approved");
  });

  // Holding the case needs a second PostgreSQL connection.
  (adminUrl() ? it : it.skip)(
    "measures the delivery window from the call: after a slow housekeeping run it starts no pass a lease could not finish",
    async () => {
      const w = world();
      const trader = new Trader(w, 540_006);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      const [submitted] = await listOutboxEventsForCase(kycCase.id);
      // 15 s of the window are left: less than the slowest send (cTrader's) and its margin.
      const { start, body } = await callWithWindowLeft(w, kycCase.id, 15_000);
      expect(body.housekeeping.checked).toBeGreaterThanOrEqual(1);
      expect(body.deliveries).toMatchObject({ passes: 0, claimed: 0 });
      // Nothing claimed, so no attempt spent: the next call sends it.
      const deliveries = await getDeliveriesForEvent(submitted!.id);
      expect(deliveries.length).toBeGreaterThan(0);
      for (const d of deliveries)
        expect(d).toMatchObject({ status: "pending", attempts: 0, lockedUntil: null });
      expect(w.crmEventsFor(kycCase.id)).toEqual([]);
      // The next day's call (the checks' event was written at the held-up run's time).
      expect((await callAt(new Date(start + DAY), GET, `Bearer ${SECRET}`)).status).toBe(200);
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual(["submitted", "in_review"]);
    },
  );

  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "after a slow housekeeping run still sends the webhooks the window holds, and leaves the cTrader adapter's deliveries unclaimed",
    async () => {
      const w = world();
      const trader = new Trader(w, 540_007);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      const [submitted] = await listOutboxEventsForCase(kycCase.id);
      // 25 s of the window are left: a webhook's send (15 s) and its margin fit, the cTrader
      // adapter's (45 s) do not.
      const { body } = await callWithWindowLeft(w, kycCase.id, 25_000);
      expect(body.deliveries.passes).toBe(1);
      expect(body.deliveries.delivered).toBeGreaterThanOrEqual(1);
      expect(body.deliveries).toMatchObject({ released: 0 });
      expect(body.deliveries.skipped).toBeGreaterThanOrEqual(1);
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toContain("submitted");
      const deliveries = await getDeliveriesForEvent(submitted!.id);
      expect(deliveries.find((d) => d.destination === "webhook:crm")).toMatchObject({
        status: "delivered",
      });
      expect(deliveries.find((d) => d.destination === "ctrader:account")).toMatchObject({
        status: "pending",
        attempts: 0,
        lockedUntil: null,
      });
    },
  );

  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "reaches the webhooks behind a full batch of the cTrader adapter's deliveries its window cannot hold, and says what it left",
    async () => {
      const w = world();
      // A trader who has sent a case moves between trading accounts in cTrader: each launch from
      // another account is an event for the cTrader adapter alone, more than one pass claims.
      const mover = new Trader(w, 540_008);
      w.setCtraderLogin(mover.userId, 5_400_080);
      await mover.completeStandardLevel();
      for (let i = 1; i <= 21; i++) {
        w.setCtraderLogin(mover.userId, 5_400_080 + i);
        await mover.launch("kyc", { account: String(5_400_080 + i) });
      }
      const moves = (await listOutboxEventsForCase((await mover.currentCase()).id)).filter(
        (e) => e.type === "case.account_changed",
      );
      expect(moves).toHaveLength(21);
      // Then another trader submits: the CRM's webhook is due behind them.
      const trader = new Trader(w, 540_009);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      const [submitted] = await listOutboxEventsForCase(kycCase.id);

      const logs = captureLogs();
      let body: CallBody;
      try {
        ({ body } = await callWithWindowLeft(w, kycCase.id, 25_000));
      } finally {
        logs.stop();
      }
      // The mover's 21, and the submission's own.
      expect(body.deliveries.released).toBe(0);
      expect(body.deliveries.skipped).toBeGreaterThanOrEqual(22);
      expect(body.deliveries.delivered).toBeGreaterThanOrEqual(1);
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toContain("submitted");
      expect(
        (await getDeliveriesForEvent(submitted!.id)).find((d) => d.destination === "webhook:crm"),
      ).toMatchObject({ status: "delivered" });
      // The adapter's deliveries wait for a call with the window they need, no attempt spent.
      for (const move of moves)
        for (const d of await getDeliveriesForEvent(move.id))
          expect(d).toMatchObject({ status: "pending", attempts: 0, lockedUntil: null });
      // One warning for the pass, naming the destination and how many wait.
      const deferred = logs.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.event === "delivery.deferred");
      expect(deferred).toEqual([
        expect.objectContaining({
          level: "warn",
          released: {},
          skipped: { "ctrader:account": body.deliveries.skipped },
        }),
      ]);

      // The next day's call has the whole window: the adapter's deliveries go.
      expect((await callAt(new Date(Date.now() + DAY), GET, `Bearer ${SECRET}`)).status).toBe(200);
      for (const move of moves)
        for (const d of await getDeliveriesForEvent(move.id))
          expect(d).toMatchObject({ status: "delivered" });
    },
  );

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
