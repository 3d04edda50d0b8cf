/**
 * Scenario: a send that never finishes. cTrader's account API takes every call of one approval's
 * delivery and never answers while the worker's lease runs (in production: the function is
 * stopped at its limit, the process runs out of memory or is killed mid-send). Each claim is a
 * spent attempt that records nothing, so the delivery must come due again on the retry
 * schedule, not the moment its lease runs out, and once the schedule has run out it is dead,
 * with a reason the console shows, until an admin replays it.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import {
  getDeliveriesForEvent,
  listAttemptsForEvent,
  listOutboxEventsForCase,
} from "@/lib/db/queries/outbox";
import { MAX_ATTEMPTS, MIN_SCHEDULE_MS } from "@/lib/delivery/retry";
import { drainOnce } from "@/lib/delivery/worker";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe("scenario: the cTrader adapter's send never finishes", () => {
  it("claims it again only on the retry schedule, then dead-letters it as never finished; a replay sends it", async () => {
    const w = world();
    const trader = new Trader(w, 470_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "unfinished.reviewer@broker.example", "reviewer");
    const admin = await signedInStaff(w, "unfinished.admin@broker.example", "admin");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    const approval = (await listOutboxEventsForCase(kycCase.id)).at(-1)!;
    const toCtrader = async () =>
      (await getDeliveriesForEvent(approval.id)).find((d) => d.destination === "ctrader:account")!;
    const updates = () => w.accountUpdates.filter((u) => u.login === trader.tradingLogin);

    // The passes whose send hangs never end; they are let go after the last check.
    const hung: Promise<unknown>[] = [];
    const holds: (() => void)[] = [];
    const start = Date.now();
    let now = start;
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
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
      for (const release of holds) release();
      await Promise.allSettled(hung);
    }
  });
});
