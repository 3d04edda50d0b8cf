/**
 * Scenario: a send that never finishes. cTrader's account API takes every call of one approval's
 * delivery and never answers while the worker's lease runs (in production: the function is
 * stopped at its limit, the process runs out of memory or is killed mid-send). Each claim is a
 * spent attempt that records nothing, so the delivery must come due again on the retry
 * schedule, not the moment its lease runs out, and once the schedule has run out it is dead,
 * with a reason the console shows, until an admin replays it. Should the last send answer after
 * all, the event did arrive: the delivery is delivered, whatever the dead letter said.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { textOf } from "../helpers/render-page";
import {
  getDeliveriesForEvent,
  listAttemptsForEvent,
  listOutboxEventsForCase,
} from "@/lib/db/queries/outbox";
import { MAX_ATTEMPTS, MIN_SCHEDULE_MS } from "@/lib/delivery/retry";
import { CRON_BUDGET_MS, drainWithBudget } from "@/lib/delivery/cron";
import {
  DELIVERED_AFTER_NEVER_FINISHED,
  drainOnce,
  FAILED_AFTER_NEVER_FINISHED,
} from "@/lib/delivery/worker";
import { sqlRows } from "../helpers/sql-rows";
import { failAuditLines, holdUnfinishedClaim, restoreAuditLines } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, setClock, type World } from "./support/world";

const world = scenarioWorld();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * An approved case whose approval's cTrader send hangs on each of the schedule's first `hang`
 * attempts, each claimed by its own pass once the last one's lease and wait are over. The hung
 * passes and the release of each held call are the caller's, to let go of at the end.
 */
async function hangAttempts(w: World, hang: number, traderId: number) {
  const trader = new Trader(w, traderId);
  await trader.completeStandardLevel();
  const kycCase = await trader.currentCase();
  await w.worker();
  const reviewer = await signedInStaff(
    w,
    `unfinished.reviewer.${traderId}@broker.example`,
    "reviewer",
  );
  const admin = await signedInStaff(w, `unfinished.admin.${traderId}@broker.example`, "admin");
  expect(await reviewer.approve(kycCase.id)).toBe("approved");
  const approval = (await listOutboxEventsForCase(kycCase.id)).at(-1)!;
  const toCtrader = async () =>
    (await getDeliveriesForEvent(approval.id)).find((d) => d.destination === "ctrader:account")!;
  const updates = () => w.accountUpdates.filter((u) => u.login === trader.tradingLogin);
  const hung: Promise<unknown>[] = [];
  const holds: ((status?: number) => void)[] = [];
  const start = Date.now();
  let now = start;
  for (let attempt = 1; attempt <= hang; attempt++) {
    const call = w.holdNextAccountUpdate();
    holds.push(call.release);
    hung.push(drainOnce({ now: new Date(now) }));
    await call.arrived;
    const claimed = await toCtrader();
    expect(claimed).toMatchObject({ status: "pending", attempts: attempt });
    // Claimed, it is due again when this attempt would be retried had it failed.
    const retry = claimed.nextAttemptAt.getTime();
    expect(retry).toBeGreaterThanOrEqual(now);
    if (attempt < MAX_ATTEMPTS - 1)
      expect(retry - now).toBeLessThan(Math.min(DAY, MINUTE * 2 ** (attempt - 1)));
    // Whichever ends later, the lease or the wait: not a moment before it is it sent again.
    const due = Math.max(retry, claimed.lockedUntil!.getTime());
    await drainOnce({ now: new Date(due - 1), eventId: approval.id });
    expect(await toCtrader()).toMatchObject({ status: "pending", attempts: attempt });
    now = due;
  }
  const letGo = async () => {
    for (const release of holds) release();
    await Promise.allSettled(hung);
  };
  return { trader, kycCase, admin, approval, toCtrader, updates, hung, holds, start, now, letGo };
}

describe("scenario: the cTrader adapter's send never finishes", () => {
  it("claims it again only on the retry schedule, then dead-letters it as never finished; a replay sends it", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_001);
    const { kycCase, admin, approval, toCtrader, updates, trader, start, now } = s;
    try {
      // The last attempt came no earlier than the schedule's 72 hours.
      expect(now - start).toBeGreaterThanOrEqual(MIN_SCHEDULE_MS);

      // Its lease has run out and the schedule has no attempt left: dead, and the log says why.
      expect(await drainOnce({ now: new Date(now) })).toMatchObject({ dead: 1 });
      expect(await toCtrader()).toMatchObject({ status: "dead", attempts: MAX_ATTEMPTS });
      const { id } = await toCtrader();
      const logged = (await listAttemptsForEvent(approval.id)).filter((a) => a.deliveryId === id);
      expect(logged.filter((a) => a.errorKind === "never_finished")).toMatchObject([
        { attempt: MAX_ATTEMPTS, ok: false },
      ]);
      expect(updates()).toEqual([]);
      // Nothing more happens to it on its own.
      await drainOnce({ now: new Date(now + 30 * DAY), eventId: approval.id });
      expect(await toCtrader()).toMatchObject({ status: "dead", attempts: MAX_ATTEMPTS });

      // The console names the reason, on the case page and in the dead letters.
      const page = await admin.casePage(kycCase.id);
      expect(page).toMatch(/data-status="dead" data-destination="ctrader:account"/);
      expect(page).toContain('data-error-kind="never_finished"');
      expect(textOf(page)).toContain("The attempt never finished");
      expect(textOf(await admin.deliveriesPage())).toContain("The attempt never finished");

      // cTrader answers again; an admin replays the event and the next pass delivers it.
      expect(await admin.replayEvent(kycCase.id, approval.id)).toBe("replayed");
      await drainOnce();
      expect(await toCtrader()).toMatchObject({ status: "delivered", attempts: 1 });
      expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "FULL_ACCESS" }]);
    } finally {
      await s.letGo();
    }
  });

  it("delivers it after all when the last send answers after it was dead-lettered as never finished, with one log row for that attempt", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_002);
    const { kycCase, admin, approval, toCtrader, updates, trader, now } = s;
    try {
      expect(await drainOnce({ now: new Date(now) })).toMatchObject({ dead: 1, unfinished: 1 });
      expect(await toCtrader()).toMatchObject({ status: "dead" });

      // The last attempt's call, held all along, now goes through: cTrader applied it.
      s.holds.at(-1)!();
      expect(await s.hung.at(-1)).toMatchObject({ delivered: 1 });
      expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "FULL_ACCESS" }]);
      const delivery = await toCtrader();
      expect(delivery).toMatchObject({
        status: "delivered",
        attempts: MAX_ATTEMPTS,
        lastError: null,
      });
      expect(delivery.deliveredAt).not.toBeNull();

      // One row for the last attempt, saying what happened to it; no trace of a failure.
      const logged = (await listAttemptsForEvent(approval.id)).filter(
        (a) => a.deliveryId === delivery.id,
      );
      expect(logged).toMatchObject([{ attempt: MAX_ATTEMPTS, ok: true, errorKind: null }]);
      // When the console showed it dead is kept in the audit trail.
      const audit = await sqlRows<{ data: Record<string, unknown> }>(
        w.db.db,
        sql`select data from audit_events where action = ${DELIVERED_AFTER_NEVER_FINISHED}
          and case_id = ${kycCase.id}`,
      );
      expect(audit).toMatchObject([
        { data: { eventId: approval.id, destination: "ctrader:account", attempt: MAX_ATTEMPTS } },
      ]);

      const page = await admin.casePage(kycCase.id);
      expect(page).toMatch(/data-status="delivered" data-destination="ctrader:account"/);
      expect(textOf(page)).not.toContain("The attempt never finished");
      expect(await admin.deliveriesPage()).toContain('<dd data-state="dead">0</dd>');
    } finally {
      await s.letGo();
    }
  });

  it("logs a late failure of the last send in place of its never-finished row, with an audit line saying it had been dead", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_009);
    const { kycCase, admin, approval, toCtrader, updates, now } = s;
    try {
      expect(await drainOnce({ now: new Date(now) })).toMatchObject({ dead: 1, unfinished: 1 });
      const dead = await toCtrader();
      expect(dead).toMatchObject({ status: "dead" });

      // The last attempt's call, held all along, now fails: cTrader answers 503.
      s.holds.at(-1)!(503);
      expect(await s.hung.at(-1)).toMatchObject({ dead: 1 });
      expect(updates()).toEqual([]);

      // Still dead, now for the reason that came; one row for that attempt, saying what it was.
      const delivery = await toCtrader();
      expect(delivery).toMatchObject({ status: "dead", attempts: MAX_ATTEMPTS, deliveredAt: null });
      expect(delivery.lastError).toMatch(/503/);
      const logged = (await listAttemptsForEvent(approval.id)).filter(
        (a) => a.deliveryId === delivery.id,
      );
      expect(logged).toMatchObject([
        { attempt: MAX_ATTEMPTS, ok: false, httpStatus: 503, errorKind: "http_status" },
      ]);
      // When the console showed it never finished is kept in the audit trail.
      const audit = await sqlRows<{ data: Record<string, unknown> }>(
        w.db.db,
        sql`select data from audit_events where action = ${FAILED_AFTER_NEVER_FINISHED}
          and case_id = ${kycCase.id}`,
      );
      expect(audit).toMatchObject([
        { data: { eventId: approval.id, destination: "ctrader:account", attempt: MAX_ATTEMPTS } },
      ]);

      const page = await admin.casePage(kycCase.id);
      expect(page).toMatch(/data-status="dead" data-destination="ctrader:account"/);
      expect(page).toContain('data-error-kind="http_status"');
      expect(textOf(page)).not.toContain("The attempt never finished");
    } finally {
      await s.letGo();
    }
  });

  it("does not mark it delivered after all without the audit line saying it had been dead", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_008);
    const { kycCase, approval, toCtrader, updates, trader, now } = s;
    try {
      expect(await drainOnce({ now: new Date(now) })).toMatchObject({ dead: 1, unfinished: 1 });
      const dead = await toCtrader();
      expect(dead).toMatchObject({ status: "dead" });

      // The late answer comes while the audit line cannot be written (the process dies there).
      await failAuditLines(w, DELIVERED_AFTER_NEVER_FINISHED);
      try {
        s.holds.at(-1)!();
        await expect(s.hung.at(-1)).rejects.toThrow(/insert into "audit_events"/);
      } finally {
        await restoreAuditLines(w);
      }
      expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "FULL_ACCESS" }]);

      // Neither was recorded: the delivery is still the dead letter it was, its never-finished row
      // stands, and there is no audit line; the console still shows it dead.
      expect(await toCtrader()).toMatchObject({
        status: "dead",
        attempts: MAX_ATTEMPTS,
        deliveredAt: null,
      });
      const logged = (await listAttemptsForEvent(approval.id)).filter(
        (a) => a.deliveryId === dead.id,
      );
      expect(logged).toMatchObject([
        { attempt: MAX_ATTEMPTS, ok: false, errorKind: "never_finished" },
      ]);
      const audit = await sqlRows(
        w.db.db,
        sql`select 1 from audit_events where action = ${DELIVERED_AFTER_NEVER_FINISHED}
          and case_id = ${kycCase.id}`,
      );
      expect(audit).toEqual([]);
    } finally {
      await s.letGo();
    }
  });

  it("writes no never-finished row for an attempt whose success got in first, while the pass that found it unfinished was recording it dead", async () => {
    const w = world();
    if (w.db.target?.kind !== "postgres") return;
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_007);
    const { approval, toCtrader, updates, trader, now } = s;
    const { id } = await toCtrader();
    const held = await holdUnfinishedClaim(w, id);
    let deadLetter: Promise<unknown> | undefined;
    try {
      // A pass finds the last attempt's lease run out and takes the delivery to record it dead.
      let settled = false;
      deadLetter = drainOnce({ now: new Date(now) }).finally(() => (settled = true));
      await held.waiting(1, () => settled);
      // Meanwhile the held call goes through: its success waits for that pass's claim, then lands.
      s.holds.at(-1)!();
      await held.waiting(2, () => settled);
      await held.release();
      expect(await s.hung.at(-1)).toMatchObject({ delivered: 1 });

      expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "FULL_ACCESS" }]);
      expect(await toCtrader()).toMatchObject({ status: "delivered", lastError: null });
      const logged = (await listAttemptsForEvent(approval.id)).filter((a) => a.deliveryId === id);
      expect(logged.filter((a) => a.attempt === MAX_ATTEMPTS)).toMatchObject([
        { ok: true, errorKind: null },
      ]);
      expect(logged.filter((a) => a.errorKind === "never_finished")).toEqual([]);
      // The pass took it, but recorded nothing dead.
      expect(await deadLetter).toMatchObject({ unfinished: 1, dead: 0 });
    } finally {
      await held.release();
      await deadLetter?.catch(() => undefined);
      await s.letGo();
    }
  });

  it("keeps a dead letter for a failure dead when an earlier, hung send answers late", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS - 1, 470_003);
    const { approval, toCtrader, now } = s;
    try {
      // The last attempt is refused: dead for that reason.
      w.setDown({ ctrader: true });
      expect(await drainOnce({ now: new Date(now), eventId: approval.id })).toMatchObject({
        dead: 1,
      });
      w.setDown({ ctrader: false });
      expect(await toCtrader()).toMatchObject({ status: "dead" });

      // The attempt before it, hung past its lease, answers now: the dead letter stands.
      s.holds.at(-1)!();
      await s.hung.at(-1);
      expect(await toCtrader()).toMatchObject({ status: "dead", deliveredAt: null });
      expect((await toCtrader()).lastError).not.toBeNull();
    } finally {
      await s.letGo();
    }
  });

  it("a cron run goes on past a batch made only of never-finished deliveries to the work due behind it", async () => {
    const w = world();
    const s = await hangAttempts(w, MAX_ATTEMPTS, 470_004);
    try {
      // Another trader submits after the hung delivery came due: their events wait behind it.
      setClock(s.now + MINUTE, { advance: true });
      const other = new Trader(w, 470_005);
      await other.completeStandardLevel();
      const otherCase = await other.currentCase();
      expect(w.crmEventsFor(otherCase.id)).toEqual([]);

      // One delivery a pass: the first pass only records the hung one dead.
      expect(await drainWithBudget(CRON_BUDGET_MS, 1)).toMatchObject({ unfinished: 1, dead: 1 });
      expect(await s.toCtrader()).toMatchObject({ status: "dead" });
      expect(w.crmEventsFor(otherCase.id)).not.toEqual([]);
    } finally {
      jest.useRealTimers();
      await s.letGo();
    }
  });

  it("the console shows a delivery whose attempt is under way, or never finished, as such, not as waiting for a first attempt", async () => {
    const w = world();
    const s = await hangAttempts(w, 1, 470_006);
    const { kycCase, admin } = s;
    try {
      // The first attempt's call is held; its lease has run out by the pass's clock, not by ours.
      const sending = async () => {
        const page = await admin.deliveriesPage();
        expect(page).toContain('<dd data-state="sending">1</dd>');
        expect(page).toMatch(/<tr data-state="sending">/);
        expect(textOf(page)).toContain("Attempt in progress or unfinished");
        const casePage = await admin.casePage(kycCase.id);
        expect(casePage).toMatch(/data-status="pending" data-destination="ctrader:account"/);
        expect(textOf(casePage)).toContain("an attempt is in progress or did not finish");
      };
      await sending();

      // It answers: delivered, and nothing is shown as under way any more.
      await s.letGo();
      expect(await s.toCtrader()).toMatchObject({ status: "delivered" });
      const page = await admin.deliveriesPage();
      expect(page).toContain('<dd data-state="sending">0</dd>');
      expect(textOf(await admin.casePage(kycCase.id))).not.toContain(
        "an attempt is in progress or did not finish",
      );
    } finally {
      await s.letGo();
    }
  });
});
