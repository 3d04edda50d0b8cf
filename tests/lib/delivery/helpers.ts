/** Shared by the delivery tests: a case ready for status changes, and delivery state reads. */
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { getDeliveriesForEvent, listAttemptsForEvent } from "@/lib/db/queries/outbox";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";

let nextUser = 40_000 + Math.floor(Math.random() * 1000) * 100;

export async function freshCase(level = "standard") {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, tradingLogin: 3_100_000 + nextUser, email: "t@example.com" },
    "en",
  );
  return ensureOpenCase(trader.id, level, "first_deposit");
}

/** Submits a fresh case: one status change, so one outbox event. Returns the event id. */
export async function submitFreshCase(
  now = new Date(),
): Promise<{ eventId: string; caseId: string }> {
  const kycCase = await freshCase();
  const { eventId } = await changeCaseStatus({
    kycCase,
    event: "submit",
    actor: { type: "trader", id: kycCase.traderId },
    now,
  });
  return { eventId, caseId: kycCase.id };
}

export async function deliveryOf(eventId: string) {
  const [row] = await getDeliveriesForEvent(eventId);
  if (!row) throw new Error(`no delivery for ${eventId}`);
  return row;
}

export { listAttemptsForEvent };

export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe may fail while connections are being cut (the connection-drop test): try again.
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
