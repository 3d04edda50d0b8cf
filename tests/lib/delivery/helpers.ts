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

/**
 * Takes a draft case through submit and start of review to a staff decision: three status
 * changes, three outbox events. Returns the submission's and the decision's event ids.
 */
export async function decideCase(
  kycCase: { id: string; traderId: string },
  event: "approve" | "reject" | "request_action",
  messageForTrader?: string,
): Promise<{ submitEventId: string; eventId: string }> {
  const staff = { type: "staff" as const, id: "reviewer" };
  const submitted = await changeCaseStatus({
    kycCase: { ...kycCase, status: "draft" },
    event: "submit",
    actor: { type: "trader", id: kycCase.traderId },
  });
  await changeCaseStatus({
    kycCase: { ...kycCase, status: "submitted" },
    event: "start_review",
    actor: staff,
  });
  const decided = await changeCaseStatus({
    kycCase: { ...kycCase, status: "in_review" },
    event,
    actor: staff,
    messageForTrader,
  });
  return { submitEventId: submitted.eventId, eventId: decided.eventId };
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
